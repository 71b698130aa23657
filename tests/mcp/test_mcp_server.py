"""Accord's MCP server as assistants reach it: a real MCP client over HTTP to a running
`accord serve`, and over stdio to `accord mcp`, on a small organization."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from django.test import Client

from accord.mcp.answers import MAX_CHARS
from tests.mcp.conftest import api, http_session, run, stdio_session
from tests.test_worker import ACCORD

TOOLS = {
    "what_is_at_risk",
    "my_week",
    "briefing",
    "search",
    "get_objective",
    "get_key_result",
    "get_initiative",
    "get_dependency",
    "get_decision",
    "get_team",
    "meeting_agenda",
    "list_action_items",
    "record_key_result_value",
    "submit_check_in",
    "request_dependency",
    "edit_dependency",
    "answer_dependency",
    "log_decision",
    "add_action_item",
    "change_action_item",
    "raise_issue",
    "escalate_issue",
}
READING_TOOLS = {
    "what_is_at_risk",
    "my_week",
    "briefing",
    "search",
    "get_objective",
    "get_key_result",
    "get_initiative",
    "get_dependency",
    "get_decision",
    "get_team",
    "meeting_agenda",
    "list_action_items",
}


def text(result) -> str:
    return result.content[0].text


def newest_event_id(world, token: str) -> int:
    events = api(world, token, "GET", "/events?limit=1")["items"]
    return events[0]["id"] if events else 0


def events_after(world, token: str, after: int) -> list[tuple[str, str]]:
    items = api(world, token, "GET", "/events?limit=50")["items"]
    return sorted((e["verb"], e["target_type"]) for e in items if e["id"] > after)


def test_mcp_over_http_needs_a_valid_token_and_a_post(world):
    client = Client()
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    refused = client.post("/mcp", body, content_type="application/json")
    assert refused.status_code == 401
    assert "API token" in refused.json()["error"]["message"]
    assert refused["WWW-Authenticate"] == "Bearer"
    wrong = client.post(
        "/mcp", body, content_type="application/json", headers={"Authorization": "Bearer acc_no"}
    )
    assert wrong.status_code == 401
    assert (
        client.get("/mcp", headers={"Authorization": f"Bearer {world.tokens['admin']}"}).status_code
        == 405
    )


def test_a_client_over_http_lists_tools_resources_and_prompts(world):
    async def body():
        async with http_session(world, world.tokens["lead"]) as s:
            tools = {t.name: t for t in (await s.list_tools()).tools}
            assert set(tools) == TOOLS
            assert tools["get_key_result"].input_schema["required"] == ["key_result_id"]
            assert tools["what_is_at_risk"].annotations.read_only_hint is True
            assert tools["raise_issue"].annotations.read_only_hint is False
            resources = [str(r.uri) for r in (await s.list_resources()).resources]
            assert resources == ["accord://teams", "accord://period/current"]
            templates = (await s.list_resource_templates()).resource_templates
            assert [t.uri_template for t in templates] == ["accord://teams/{team_id}"]
            prompts = [p.name for p in (await s.list_prompts()).prompts]
            assert prompts == ["prepare_my_weekly_sync", "summarize_what_changed"]

    run(body)


def test_every_reading_tool_resource_and_prompt_answers_as_the_token_person(world):
    ids = world.ids

    async def body():
        async with http_session(world, world.tokens["lead"]) as s:
            calls = {
                "what_is_at_risk": ({"team": "engines"}, "Zephyr needs a review"),
                "my_week": ({}, "Zephyr metric"),
                "briefing": ({"team": "engines"}, "Engines"),
                "search": ({"query": "Zephyr vendor"}, "Zephyr: which vendor?"),
                "get_objective": ({"objective_id": ids["objective"]}, "Zephyr team goal"),
                "get_key_result": ({"key_result_id": ids["key_result"]}, "Zephyr metric"),
                "get_initiative": ({"initiative_id": ids["initiative"]}, "Zephyr rollout"),
                "get_dependency": ({"dependency_id": ids["dependency"]}, "flagged blocked"),
                "get_decision": ({"decision_id": ids["decision"]}, "Zephyr vendor one"),
                "get_team": ({"team": str(ids["team"])}, "Zephyr outage"),
            }
            for name, (args, expected) in calls.items():
                result = await s.call_tool(name, args)
                assert not result.is_error, (name, text(result))
                assert expected in text(result), (name, text(result))
                assert result.structured_content, name
                assert len(text(result)) <= MAX_CHARS
                # Links are absolute addresses of the pages.
                assert f"{world.url}/o/zephyr/" in text(result), name
            risk = await s.call_tool("what_is_at_risk", {"team": "engines"})
            signal = risk.structured_content["signals"][0]
            assert signal["severity"] == "critical" and signal["evidence"]
            week = await s.call_tool("my_week", {})
            owed = week.structured_content["checkins_owed"]
            assert any(o["cadence_id"] == ids["cadence"] for o in owed)
            tree = json.loads((await s.read_resource("accord://teams")).contents[0].text)
            assert tree["teams"][0]["name"] == "Zephyr Works"
            assert tree["teams"][0]["children"][0]["slug"] == "engines"
            sub = await s.read_resource(f"accord://teams/{ids['team']}")
            assert json.loads(sub.contents[0].text)["above"][0]["name"] == "Zephyr Works"
            period = json.loads((await s.read_resource("accord://period/current")).contents[0].text)
            assert period["period"]["name"] == "Zephyr quarter"
            sync = await s.get_prompt("prepare_my_weekly_sync", {})
            assert "Zephyr metric" in sync.messages[0].content.text
            changed = await s.get_prompt("summarize_what_changed", {"days": "7"})
            assert "Engines" in changed.messages[0].content.text

    run(body)


def test_every_write_records_the_same_events_as_the_same_write_through_the_api(world):
    ids, token, admin = world.ids, world.tokens["lead"], world.tokens["admin"]
    need_by = (dt.date.today() + dt.timedelta(days=30)).isoformat()

    async def body():
        async with (
            http_session(world, token) as s,
            http_session(world, admin) as provider,
        ):
            week = await s.call_tool("my_week", {})
            keys = [
                o["occurrence"]
                for o in week.structured_content["checkins_owed"]
                if o["cadence_id"] == ids["cadence"] and o["state"] in ("open", "overdue")
            ]
            assert len(keys) >= 2, keys
            mcp_issue = api_issue = None

            async def both(session, tool, args, method, path, payload, who=token):
                before = newest_event_id(world, who)
                result = await session.call_tool(tool, args)
                assert not result.is_error, (tool, text(result))
                by_mcp = events_after(world, who, before)
                before = newest_event_id(world, who)
                answer = api(world, who, method, path(result) if callable(path) else path, payload)
                by_api = events_after(world, who, before)
                assert by_mcp and by_mcp == by_api, (tool, by_mcp, by_api)
                return result, answer

            await both(
                s,
                "record_key_result_value",
                {"key_result_id": ids["key_result"], "value": 4, "note": "by MCP"},
                "POST",
                f"/key-results/{ids['key_result']}/values",
                {"value": 5},
            )
            cadence = ids["cadence"]
            await both(
                s,
                "submit_check_in",
                {"cadence_id": cadence, "occurrence": keys[0], "highlights": "Shipped"},
                "POST",
                f"/rhythm/cadences/{cadence}/occurrences/{keys[1]}/checkin",
                {"highlights": "Shipped"},
            )
            asked, asked_api = await both(
                s,
                "request_dependency",
                {
                    "requester_initiative_id": ids["initiative"],
                    "provider_team_id": ids["root"],
                    "title": "A load test",
                    "need_by": need_by,
                },
                "POST",
                "/dependencies",
                {
                    "requester_initiative_id": ids["initiative"],
                    "provider_team_id": ids["root"],
                    "title": "A load test",
                    "need_by": need_by,
                    "again": True,  # the same request, on purpose
                },
            )
            await both(
                s,
                "edit_dependency",
                {"dependency_id": asked.structured_content["id"], "priority": "high"},
                "PATCH",
                f"/dependencies/{asked_api['id']}",
                {"priority": "high"},
            )
            await both(
                provider,
                "answer_dependency",
                {
                    "dependency_id": asked.structured_content["id"],
                    "action": "accept",
                    "provider_initiative_id": ids["root_initiative"],
                    "committed_date": need_by,
                },
                "POST",
                f"/dependencies/{asked_api['id']}/accept",
                {"provider_initiative_id": ids["root_initiative"], "committed_date": need_by},
                who=admin,
            )
            await both(
                s,
                "log_decision",
                {
                    "question": "Which region first?",
                    "team_ids": [ids["team"]],
                    "approver_id": ids["admin"],
                },
                "POST",
                "/decisions",
                {
                    "question": "Which region first?",
                    "team_ids": [ids["team"]],
                    "approver_id": ids["admin"],
                    "again": True,
                },
            )
            await both(
                s,
                "add_action_item",
                {"title": "Book the room", "due_on": need_by},
                "POST",
                "/action-items",
                {
                    "title": "Book the room",
                    "due_on": need_by,
                    "owner_id": api(world, token, "GET", "/me")["person_id"],
                    "again": True,
                },
            )
            mcp_issue, api_issue = await both(
                s,
                "raise_issue",
                {"team_id": ids["team"], "title": "Flaky builds"},
                "POST",
                "/issues",
                {"team_id": ids["team"], "title": "Flaky builds", "again": True},
            )
            await both(
                s,
                "escalate_issue",
                {"issue_id": mcp_issue.structured_content["id"], "reason": "Needs budget"},
                "POST",
                f"/issues/{api_issue['id']}/escalate",
                {"reason": "Needs budget"},
            )
            escalated = api(world, token, "GET", f"/issues/{mcp_issue.structured_content['id']}")
            assert escalated["team_id"] == ids["root"]

    run(body)


BAD_CALLS = [
    ("record_key_result_value", {"key_result_id": "KR", "value": 1}, "key_result_id"),
    ("record_key_result_value", {"value": 1}, "key_result_id"),
    (
        "request_dependency",
        {"requester_initiative_id": 1, "provider_team_id": 1, "title": "x", "need_by": "soon"},
        "need_by",
    ),
    ("edit_dependency", {"dependency_id": 1, "priority": "urgent"}, "priority"),
    ("answer_dependency", {"dependency_id": 1, "action": "maybe"}, "action"),
    ("raise_issue", {"team_id": 1, "title": "x", "severity": "apocalyptic"}, "severity"),
    ("log_decision", {"question": ""}, "question"),
    # The cadence is the world's own (filled in by the test): only the occurrence is bad.
    ("submit_check_in", {"cadence_id": "CADENCE", "occurrence": "yesterday"}, "occurrence"),
]


def test_bad_arguments_are_tool_errors_that_change_nothing(world):
    token = world.tokens["lead"]
    before = newest_event_id(world, token)

    async def body():
        async with http_session(world, token) as s:
            for name, args, field in BAD_CALLS:
                args = {k: world.ids["cadence"] if v == "CADENCE" else v for k, v in args.items()}
                result = await s.call_tool(name, args)
                assert result.is_error, (name, text(result))
                assert field in text(result), (name, text(result))
            # Refused by the services: named, explained, nothing written.
            refused = await s.call_tool(
                "answer_dependency", {"dependency_id": world.ids["dependency"], "action": "deliver"}
            )
            assert refused.is_error and "deliver" in text(refused)
            root = await s.call_tool(
                "escalate_issue", {"issue_id": world.ids["issue"], "reason": "x"}
            )
            assert not root.is_error, text(root)  # Engines → Zephyr Works
            top = await s.call_tool(
                "escalate_issue", {"issue_id": world.ids["issue"], "reason": "x"}
            )
            assert top.is_error, text(top)

    run(body)
    after = events_after(world, token, before)
    assert after == [("escalated", "decisions.issue")]


def test_another_organizations_ids_are_not_found(world):
    other = world.other_ids

    async def body():
        async with http_session(world, world.tokens["admin"]) as s:
            for name, args in [
                ("get_objective", {"objective_id": other["objective"]}),
                ("get_key_result", {"key_result_id": other["key_result"]}),
                ("get_initiative", {"initiative_id": other["initiative"]}),
                ("get_dependency", {"dependency_id": other["dependency"]}),
                ("get_decision", {"decision_id": other["decision"]}),
                ("get_team", {"team": str(other["team"])}),
                ("get_team", {"team": "yonder-root"}),
                ("get_team", {"team": "9" * 30}),
                ("briefing", {"team": str(other["team"])}),
                ("what_is_at_risk", {"team": str(other["root"])}),
                ("record_key_result_value", {"key_result_id": other["key_result"], "value": 9}),
                ("escalate_issue", {"issue_id": other["issue"], "reason": "mine now"}),
                ("raise_issue", {"team_id": other["team"], "title": "Leak"}),
                ("submit_check_in", {"cadence_id": other["cadence"]}),
            ]:
                result = await s.call_tool(name, args)
                assert result.is_error, (name, text(result))
                assert "No " in text(result) and "Yonder" not in text(result), text(result)
            with pytest.raises(Exception, match="No team"):
                await s.read_resource(f"accord://teams/{other['root']}")
            found = await s.call_tool("search", {"query": "Zephyr"})
            assert "/o/yonder/" not in text(found)

    other_token = world.tokens["other"]
    before = newest_event_id(world, other_token)
    run(body)
    assert events_after(world, other_token, before) == []


def test_a_viewers_token_reads_but_writes_nothing(world):
    token = world.tokens["viewer"]
    before = newest_event_id(world, token)

    async def body():
        async with http_session(world, token) as s:
            assert not (await s.call_tool("get_team", {"team": "engines"})).is_error
            for name, args in [
                ("raise_issue", {"team_id": world.ids["team"], "title": "Viewer"}),
                ("record_key_result_value", {"key_result_id": world.ids["key_result"], "value": 1}),
                ("log_decision", {"question": "Viewer?", "approver_id": world.ids["admin"]}),
                ("add_action_item", {"title": "Viewer"}),
            ]:
                result = await s.call_tool(name, args)
                assert result.is_error, (name, text(result))
                assert "permission" in text(result).lower() or "viewer" in text(result).lower()

    run(body)
    assert events_after(world, token, before) == []


def test_accord_mcp_serves_the_same_tools_over_stdio_as_the_tokens_person(world):
    token = world.tokens["lead"]
    before = newest_event_id(world, token)

    async def body():
        async with stdio_session(world, token) as s:
            assert {t.name for t in (await s.list_tools()).tools} == TOOLS
            team = await s.call_tool("get_team", {"team": "engines"})
            assert "Lia Lead (lead)" in text(team)
            raised = await s.call_tool(
                "raise_issue", {"team_id": world.ids["team"], "title": "Stdio"}
            )
            assert not raised.is_error, text(raised)
            wrong = await s.call_tool(
                "get_objective", {"objective_id": world.other_ids["objective"]}
            )
            assert wrong.is_error

    run(body)
    [event] = api(world, token, "GET", "/events?limit=1")["items"]
    assert event["id"] > before and event["verb"] == "raised" and event["actor_name"] == "Lia Lead"
    refused = subprocess.run(
        [ACCORD, "mcp"],
        env={**world.env, "ACCORD_TOKEN": "acc_wrong"},
        capture_output=True,
        text=True,
        timeout=180,  # a cold start on a machine busy with other test workers
    )
    assert refused.returncode != 0 and "not valid" in refused.stderr


def test_a_stdio_session_acts_with_the_persons_role_of_now(world):
    """`accord mcp` reads its token's person afresh for each call (docs/mcp.md): a lead
    demoted to viewer while the session runs writes nothing from the next call on."""
    from accord.org.models import Person, Role

    token, admin = world.tokens["lead"], world.tokens["admin"]
    lead = Person.objects.get(org=world.org, name="Lia Lead")

    async def body():
        async with stdio_session(world, token) as s:
            made = await s.call_tool("add_action_item", {"title": "Before the demotion"})
            assert not made.is_error, text(made)
            api(world, admin, "PATCH", f"/people/{lead.pk}", {"role": Role.VIEWER.value})
            before = newest_event_id(world, admin)
            for name, args in (
                ("add_action_item", {"title": "After the demotion"}),
                ("log_decision", {"question": "Still?", "approver_id": world.ids["admin"]}),
                ("raise_issue", {"team_id": world.ids["team"], "title": "Still a lead?"}),
            ):
                result = await s.call_tool(name, args)
                assert result.is_error, (name, text(result))
                said = text(result).lower()
                assert "permission" in said or "viewer" in said, (name, text(result))
            assert events_after(world, admin, before) == []
            # Reading still works: the viewer reads.
            assert not (await s.call_tool("get_team", {"team": "engines"})).is_error

    run(body)


def test_accord_serve_still_serves_the_pages_and_the_api(world):
    assert api(world, world.tokens["admin"], "GET", "/teams?limit=1")["count"] == 2
    import urllib.request

    with urllib.request.urlopen(f"{world.url}/accounts/login/", timeout=30) as page:
        assert page.status == 200 and b"<form" in page.read()


def test_an_agent_reports_through_mcp_within_its_scope_and_stops_when_paused(world):
    """An agent's token (scope `report`) may read and report progress through MCP, but not
    make other writes; its events name it and its owner; it cannot be made a decision's
    approver; pausing it refuses its very next call, over HTTP and within a stdio session."""
    from accord.api import services as token_services
    from accord.org import services as org_services
    from accord.org.models import Person

    owner = Person.objects.get(org=world.org, name="Lia Lead")
    agent = org_services.add_agent(world.org, owner, name="Release bot", owner=owner)
    token = token_services.create_token(world.org, agent, "mcp", scope="report", actor=owner)[1]
    before = newest_event_id(world, world.tokens["admin"])

    async def reporting():
        async with http_session(world, token) as s:
            assert not (await s.call_tool("get_team", {"team": "engines"})).is_error
            value = await s.call_tool(
                "record_key_result_value", {"key_result_id": world.ids["key_result"], "value": 7}
            )
            assert not value.is_error, text(value)
            issue = await s.call_tool("raise_issue", {"team_id": world.ids["team"], "title": "Bot"})
            assert issue.is_error and "scope" in text(issue), text(issue)

    run(reporting)
    events = api(world, world.tokens["admin"], "GET", "/events?limit=20")["items"]
    [value_event] = [e for e in events if e["id"] > before and e["actor_name"] == "Release bot"]
    assert value_event["on_behalf_of_name"] == "Lia Lead" and value_event["actor_is_agent"]

    async def approving():
        async with http_session(world, world.tokens["lead"]) as s:
            refused = await s.call_tool(
                "log_decision", {"question": "Ship it?", "approver_id": agent.pk}
            )
            assert refused.is_error and "agent" in text(refused).lower(), text(refused)

    run(approving)

    async def paused_mid_session():
        async with stdio_session(world, token) as s:
            assert not (await s.call_tool("get_team", {"team": "engines"})).is_error
            api(world, world.tokens["lead"], "POST", f"/people/{agent.pk}/pause", {})
            refused = await s.call_tool("get_team", {"team": "engines"})
            assert refused.is_error and "paused" in text(refused), text(refused)
            with pytest.raises(Exception, match="paused"):
                await s.read_resource("accord://teams")
            with pytest.raises(Exception, match="paused"):
                await s.get_prompt("prepare_my_weekly_sync", {})

    run(paused_mid_session)
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    over_http = Client().post(
        "/mcp", body, content_type="application/json", headers={"Authorization": f"Bearer {token}"}
    )
    assert over_http.status_code == 403 and "paused" in over_http.json()["error"]["message"]


def test_every_write_of_an_agent_through_mcp_names_the_agent_and_its_owner(world):
    """An agent with a `member` token, in Engines and the team above it, calls every
    writing tool; each event those calls record names the agent, as an agent, acting on
    behalf of its owner."""
    from accord.api import services as token_services
    from accord.org import services as org_services
    from accord.org.models import Person, Team

    ids, admin = world.ids, world.tokens["admin"]
    owner = Person.objects.get(org=world.org, name="Lia Lead")
    agent = org_services.add_agent(world.org, owner, name="Sync bot", owner=owner)
    for team_id in (ids["team"], ids["root"]):
        team = Team.objects.get(pk=team_id)
        org_services.add_membership(
            world.org, None, person=agent, team=team, role="member", allocation=50
        )
    token = token_services.create_token(world.org, agent, "mcp", scope="member", actor=owner)[1]
    need_by = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    before = newest_event_id(world, admin)
    called = []

    async def body():
        async with http_session(world, token) as s:

            async def call(name, args):
                result = await s.call_tool(name, args)
                assert not result.is_error, (name, text(result))
                called.append(name)
                return result.structured_content

            week = await call("my_week", {})
            [owed, *_] = [
                o
                for o in week["checkins_owed"]
                if o["cadence_id"] == ids["cadence"] and o["state"] in ("open", "overdue")
            ]
            await call("record_key_result_value", {"key_result_id": ids["key_result"], "value": 6})
            await call(
                "submit_check_in",
                {
                    "cadence_id": ids["cadence"],
                    "occurrence": owed["occurrence"],
                    "highlights": "ok",
                },
            )
            asked = await call(
                "request_dependency",
                {
                    "requester_initiative_id": ids["initiative"],
                    "provider_team_id": ids["root"],
                    "title": "A capacity plan",
                    "need_by": need_by,
                },
            )
            await call("edit_dependency", {"dependency_id": asked["id"], "priority": "high"})
            await call(
                "answer_dependency",
                {"dependency_id": asked["id"], "action": "flag_blocked", "note": "No data yet"},
            )
            await call("log_decision", {"question": "Which cloud?", "approver_id": ids["admin"]})
            item = await call("add_action_item", {"title": "Draft the plan", "due_on": need_by})
            await call("change_action_item", {"action_item_id": item["id"], "action": "complete"})
            issue = await call("raise_issue", {"team_id": ids["team"], "title": "Slow CI"})
            await call("escalate_issue", {"issue_id": issue["id"], "reason": "Needs budget"})

    run(body)
    assert set(called) - {"my_week"} == TOOLS - READING_TOOLS
    events = [e for e in api(world, admin, "GET", "/events?limit=50")["items"] if e["id"] > before]
    assert len(events) >= len(called) - 1, events
    for event in events:
        assert (event["actor_id"], event["actor_is_agent"]) == (agent.pk, True), event
        assert (event["on_behalf_of_id"], event["on_behalf_of_name"]) == (owner.pk, "Lia Lead")
        assert "Sync bot" in event["actor_display"] and "Lia Lead" in event["actor_display"]


def test_an_agent_over_stdio_is_rate_limited_like_over_http(world):
    """`accord mcp` counts an agent's tool calls, resource reads and prompts against the
    same per-agent limit as the API and `/mcp` (counts shared through the cache)."""
    from accord.api import services as token_services
    from accord.org import services as org_services
    from accord.org.models import Person

    owner = Person.objects.get(org=world.org, name="Lia Lead")
    agent = org_services.add_agent(world.org, owner, name="Busy bot", owner=owner)
    token = token_services.create_token(world.org, agent, "mcp", scope="read", actor=owner)[1]
    limit = {"ACCORD_API_AGENT_RATE_LIMIT": "3", "ACCORD_API_RATE_WINDOW": "3600"}

    async def body():
        async with stdio_session(world, token, **limit) as s:
            for _ in range(2):
                assert not (await s.call_tool("get_team", {"team": "engines"})).is_error
            assert (await s.read_resource("accord://period/current")).contents
            refused = await s.call_tool("get_team", {"team": "engines"})
            assert refused.is_error, text(refused)
            assert "Busy bot has made more than 3 API calls" in text(refused)
            with pytest.raises(Exception, match="more than 3 API calls"):
                await s.read_resource("accord://teams")

    run(body)
