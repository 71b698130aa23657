"""A real MCP client on the demo organization: `accord mcp` over stdio, as the lead of
Northwind's Platform team, calls every tool, reads every resource and gets every prompt;
each answers with what a lead relies on, within the documented bound, and every write
records its events. One test: the demo is built once (tests/replay.py) and committed, so
the `accord mcp` and `accord serve` processes see it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from accord import demo
from accord.alignment.models import Initiative, KeyResult, Objective
from accord.api import services as token_services
from accord.coordination.models import Dependency, State
from accord.decisions.models import Decision, Issue
from accord.mcp.answers import MAX_CHARS
from accord.org.models import Membership, MembershipRole, Person, Team
from accord.rhythm import services as rhythm
from tests.mcp.conftest import World, api, run, stdio_session


@pytest.fixture
def northwind(server, transactional_db) -> World:
    demo.load()
    org = demo.demo_org()
    return World(org, org, url=server[0], env=server[1])


def within_bound(result) -> str:
    assert not result.is_error, result.content[0].text
    text = result.content[0].text
    assert len(text) <= MAX_CHARS
    if result.structured_content is not None:
        assert len(json.dumps(result.structured_content, ensure_ascii=False)) <= MAX_CHARS
    return text


def newest_event(world: World, token: str) -> int:
    items = api(world, token, "GET", "/events?limit=1")["items"]
    return items[0]["id"] if items else 0


def events_after(world: World, token: str, after: int) -> set[tuple[str, str]]:
    items = api(world, token, "GET", "/events?limit=50")["items"]
    return {(e["verb"], e["target_type"]) for e in items if e["id"] > after}


def test_every_tool_resource_and_prompt_on_the_demo_organization(northwind):
    org, w = northwind.org, northwind
    root = Team.objects.get(org=org, parent=None)
    platform = Team.objects.get(org=org, slug="platform")
    data = Team.objects.get(org=org, slug="data")
    lead = Membership.objects.get(org=org, team=platform, role=MembershipRole.LEAD).person
    admin = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
    token = token_services.create_token(org, lead, "demo")[1]
    admin_token = token_services.create_token(org, admin, "demo")[1]
    initiative = Initiative.objects.filter(org=org, team=platform).order_by("pk").first()
    key_result = KeyResult.objects.filter(org=org, objective__team=platform).order_by("pk").first()
    asked = (
        Dependency.objects.filter(org=org, provider_team=platform, state=State.REQUESTED)
        .order_by("pk")
        .first()
    )
    issue = Issue.objects.filter(org=org, team=platform).order_by("pk").first()
    # The demo's check-ins are weekly: on some days none is open yet. A daily one always
    # has an occurrence open to submit.
    daily = rhythm.create_cadence(
        org,
        None,
        name="Daily note",
        rrule="FREQ=DAILY",
        time=dt.time(23, 30),
        timezone_name="UTC",
        kind="checkin",
        team=platform,
        start_date=timezone.localdate() - dt.timedelta(days=3),
        owner=lead,
    )
    ids = {
        "objective_id": Objective.objects.filter(org=org, team=platform).first().pk,
        "key_result_id": key_result.pk,
        "initiative_id": initiative.pk,
        "dependency_id": asked.pk,
        "decision_id": Decision.objects.filter(org=org, teams=platform).first().pk,
    }
    pages = f"{w.url}/o/{org.slug}/"
    need_by = (timezone.localdate() + dt.timedelta(days=30)).isoformat()

    async def body():
        async with stdio_session(w, token) as s:
            tools = {t.name for t in (await s.list_tools()).tools}
            reads = {
                "what_is_at_risk": {"team": root.slug},
                "my_week": {},
                "briefing": {"team": platform.slug},
                "search": {"query": "platform"},
                "get_team": {"team": platform.slug},
                "get_objective": {"objective_id": ids["objective_id"]},
                "get_key_result": {"key_result_id": ids["key_result_id"]},
                "get_initiative": {"initiative_id": ids["initiative_id"]},
                "get_dependency": {"dependency_id": ids["dependency_id"]},
                "get_decision": {"decision_id": ids["decision_id"]},
                "meeting_agenda": {"team": platform.slug},
                "list_action_items": {"team": platform.slug},
            }
            answers = {}
            for name, args in reads.items():
                answers[name] = result = await s.call_tool(name, args)
                text = within_bound(result)
                # The demo sends no team briefing: that answer says one is being prepared,
                # naming the week by its days.
                assert pages in text or name == "briefing", (name, text)
                if name == "briefing" and pages not in text:
                    assert re.search(r"the week of \d+\S* \w*.*\d{4} is being prepared", text)
                    assert "-W" not in text, text
            risk = answers["what_is_at_risk"].structured_content
            assert risk["team"]["slug"] == root.slug
            assert risk["signals"] and risk["signals"][0]["evidence"], risk
            week = answers["my_week"].structured_content
            owed = [
                o
                for o in week["checkins_owed"]
                if o["cadence_id"] == daily.pk and o["state"] in ("open", "overdue")
            ]
            assert owed, week
            assert any(r["id"] == asked.pk for r in week["requests_to_answer"]), week
            assert platform.name in answers["briefing"].content[0].text
            # None stored yet: last week's is queued for the worker, as the API does.
            assert answers["briefing"].structured_content["preparing"]
            assert platform.name in answers["get_team"].content[0].text
            assert key_result.name in answers["get_key_result"].content[0].text
            found = answers["search"].structured_content
            assert any(platform.name in json.dumps(v) for v in found.values()), found

            templates = (await s.list_resource_templates()).resource_templates
            assert {t.uri_template for t in templates} == {"accord://teams/{team_id}"}
            for uri in [r.uri for r in (await s.list_resources()).resources] + [
                f"accord://teams/{platform.pk}"
            ]:
                contents = (await s.read_resource(uri)).contents[0].text
                assert len(contents) <= MAX_CHARS, uri
                assert json.loads(contents), uri
            tree = json.loads((await s.read_resource("accord://teams")).contents[0].text)
            assert tree["teams"][0]["name"] == root.name
            for prompt in (await s.list_prompts()).prompts:
                messages = (await s.get_prompt(prompt.name, {})).messages
                said = messages[0].content.text
                # A prompt puts two or three bounded answers together (docs/mcp.md).
                assert platform.name in said and len(said) <= 3 * MAX_CHARS, prompt.name

            writes = [
                (
                    "record_key_result_value",
                    {
                        "key_result_id": key_result.pk,
                        # In line with it: a slip of a digit is refused (`confirm`).
                        "value": key_result.current,
                        "note": "From the assistant",
                    },
                ),
                (
                    "submit_check_in",
                    {
                        "cadence_id": owed[0]["cadence_id"],
                        "occurrence": owed[0]["occurrence"],
                        "highlights": "Shipped",
                    },
                ),
                (
                    "request_dependency",
                    {
                        "requester_initiative_id": initiative.pk,
                        "provider_team_id": data.pk,
                        "title": "A warehouse export",
                        "need_by": need_by,
                    },
                ),
                (
                    "answer_dependency",
                    {
                        "dependency_id": asked.pk,
                        "action": "accept",
                        "provider_initiative_id": initiative.pk,
                        "committed_date": need_by,
                    },
                ),
                (
                    "log_decision",
                    {
                        "question": "Which region first?",
                        "team_ids": [platform.pk],
                        "approver_id": lead.pk,
                    },
                ),
                ("add_action_item", {"title": "Book the room", "due_on": need_by}),
                ("raise_issue", {"team_id": platform.pk, "title": "Flaky builds"}),
            ]
            later = {"escalate_issue", "edit_dependency", "change_action_item"}
            assert {name for name, _ in writes} | later | set(reads) == tools
            done = {}
            for name, args in writes:
                before = newest_event(w, admin_token)
                done[name] = await s.call_tool(name, args)
                within_bound(done[name])
                assert events_after(w, admin_token, before), name
            # The request just made, edited while Data has not answered it.
            before = newest_event(w, admin_token)
            edited = await s.call_tool(
                "edit_dependency",
                {
                    "dependency_id": done["request_dependency"].structured_content["id"],
                    "title": "A warehouse export, nightly",
                },
            )
            assert "A warehouse export, nightly" in within_bound(edited)
            assert events_after(w, admin_token, before) == {("updated", "coordination.dependency")}
            # The action item just recorded, done.
            before = newest_event(w, admin_token)
            item_id = done["add_action_item"].structured_content["id"]
            completed = await s.call_tool(
                "change_action_item", {"action_item_id": item_id, "action": "complete"}
            )
            assert "Done." in within_bound(completed)
            assert events_after(w, admin_token, before) == {("completed", "decisions.actionitem")}
            before = newest_event(w, admin_token)
            escalated = await s.call_tool(
                "escalate_issue", {"issue_id": issue.pk, "reason": "Needs budget"}
            )
            within_bound(escalated)
            assert ("escalated", "decisions.issue") in events_after(w, admin_token, before)
            assert escalated.structured_content["team_id"] == platform.parent_id

    run(body)
