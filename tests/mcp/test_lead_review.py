"""What a platform lead found connecting an assistant to Accord through MCP: progress as
the pages show it, the unusual-value check, no NUL characters, ids that are numbers, search
results that carry their ids, a meeting's agenda and a team's action items (listed and
changed within the token's scope), answers that share their room and say how to read on,
check-ins of an open window, times in the person's zone, argument names in refusals, stable
keys, a "not found" resource and a prompt about the person's own teams. In-process, through
`/mcp` as a client sends it."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.test import Client
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.alignment.models import KeyResultValue
from accord.api import services as token_services
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.decisions.models import Decision, Issue
from accord.mcp.answers import MAX_CHARS, Section, answer
from accord.org import services as org_services
from accord.org.models import Membership
from accord.rhythm import agenda
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import services as rhythm
from accord.rhythm.models import CheckIn, CheckInStatus, Meeting
from tests.conftest import api_client


def client_of(person, scope: str = "member") -> Client:
    raw = token_services.create_token(person.org, person, "lead review", scope=scope)[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def send(client: Client, method: str, params: dict) -> dict:
    response = client.post(
        "/mcp",
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}),
        content_type="application/json",
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 200, response.content[:500]
    return response.json()


def call(client: Client, name: str, **arguments) -> dict:
    body = send(client, "tools/call", {"name": name, "arguments": arguments})
    assert "result" in body, body
    result = body["result"]
    result["text"] = result["content"][0]["text"]
    return result


def ok(client: Client, name: str, **arguments) -> dict:
    result = call(client, name, **arguments)
    assert not result.get("isError"), (name, result["text"])
    assert len(result["text"]) <= MAX_CHARS
    assert len(json.dumps(result.get("structuredContent") or {})) <= MAX_CHARS
    return result


def refused(client: Client, name: str, **arguments) -> str:
    result = call(client, name, **arguments)
    assert result.get("isError"), (name, result["text"])
    return result["text"]


def events() -> int:
    return Event.objects.count()


@pytest.fixture
def period(cast):
    today = timezone.localdate()
    return alignment.create_period(
        cast.org,
        None,
        name="Lead review quarter",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        is_current=True,
    )


@pytest.fixture
def objective(cast, period):
    return alignment.create_objective(
        cast.org,
        None,
        title="Faster builds",
        period=period,
        team=cast.platform,
        owner=cast.member,
    )


def test_progress_reads_as_the_pages_show_it_not_a_hundred_times_more(cast, objective):
    kr = alignment.create_key_result(
        cast.org, None, objective, name="Builds under ten minutes", start=0, target=200
    )
    alignment.record_key_result_value(cast.org, None, kr, 100)
    client = client_of(cast.member)
    for name, arguments in (
        ("get_key_result", {"key_result_id": kr.pk}),
        ("get_objective", {"objective_id": objective.pk}),
        ("my_week", {}),
    ):
        text = ok(client, name, **arguments)["text"]
        assert "(50%)" in text, (name, text)
        assert "5000%" not in text, (name, text)


def test_an_unusual_value_is_refused_until_confirmed_as_the_api_does(cast, objective):
    kr = alignment.create_key_result(
        cast.org, None, objective, name="Cache hit rate", start=40, target=90, unit="%"
    )
    client = client_of(cast.member)
    before = KeyResultValue.objects.filter(key_result=kr).count()
    text = refused(client, "record_key_result_value", key_result_id=kr.pk, value=8500)
    assert "outside 0 to 100" in text and "confirm=true" in text, text
    assert "tick the box" not in text
    assert KeyResultValue.objects.filter(key_result=kr).count() == before
    ok(client, "record_key_result_value", key_result_id=kr.pk, value=8500, confirm=True)
    assert KeyResultValue.objects.filter(key_result=kr).count() == before + 1
    tools = {t["name"]: t for t in send(client, "tools/list", {})["result"]["tools"]}
    confirm = tools["record_key_result_value"]["inputSchema"]["properties"]["confirm"]
    assert confirm["default"] is False and "unusual_value" in confirm["description"]


def test_a_nul_character_in_any_text_of_any_tool_is_refused_with_the_apis_words(cast, objective):
    kr = alignment.create_key_result(cast.org, None, objective, name="Deploys", target=10)
    initiative = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Build farm", owner=cast.member
    )
    dep = coordination.create_dependency(
        cast.org,
        None,
        requester_initiative=initiative,
        provider_team=cast.root,
        title="Runner budget",
        need_by=timezone.localdate() + dt.timedelta(days=20),
    )
    client = client_of(cast.admin)
    calls = [
        ("raise_issue", "description", {"team_id": cast.platform.pk, "title": "Slow"}),
        ("log_decision", "context", {"question": "Which CI?", "approver_id": cast.admin.pk}),
        ("log_decision", "rationale", {"question": "Which CI?", "approver_id": cast.admin.pk}),
        ("log_decision", "outcome", {"question": "Which CI?", "approver_id": cast.admin.pk}),
        ("record_key_result_value", "note", {"key_result_id": kr.pk, "value": 3}),
        ("answer_dependency", "note", {"dependency_id": dep.pk, "action": "flag_at_risk"}),
        ("answer_dependency", "proposed_scope", {"dependency_id": dep.pk, "action": "propose"}),
        ("add_action_item", "title", {}),
        ("escalate_issue", "reason", {"issue_id": 1}),
    ]
    before = events()
    for name, field, arguments in calls:
        text = refused(client, name, **{**arguments, field: "first line\x00second line"})
        assert text.startswith(
            f"{field} contains a NUL character (\\x00), which text may not hold."
        ), (name, text)
    # Nested too: a check-in's objective statuses.
    text = refused(client, "submit_check_in", cadence_id=1, objectives={"1": "on\x00track"})
    assert "objectives.1 contains a NUL character" in text, text
    assert events() == before
    assert not Issue.objects.filter(title="Slow").exists()
    assert not Decision.objects.filter(question="Which CI?").exists()
    # The API says the same of the same text.
    answer_of_api = api_client(cast.admin).post(
        "/api/v1/issues",
        {"team_id": cast.platform.pk, "title": "Slow", "description": "first\x00second"},
        content_type="application/json",
    )
    assert answer_of_api.status_code == 422
    assert answer_of_api.json()["error"]["message"] == (
        "description contains a NUL character (\\x00), which text may not hold."
    )


def test_an_id_is_a_number_never_true_or_false(cast):
    client = client_of(cast.admin)
    before = events()
    for name, arguments in (
        ("get_team", {"team_id": True}),
        ("raise_issue", {"team_id": True, "title": "Taken as team 1"}),
        ("log_decision", {"question": "Taken?", "approver_id": True}),
        ("log_decision", {"question": "Taken?", "approver_id": 1, "team_ids": [False]}),
    ):
        text = refused(client, name, **arguments)
        assert "not true or false" in text, (name, text)
        assert "Value error" not in text
    assert "- team_id: Input should be a valid integer" in refused(
        client, "raise_issue", team_id="true", title="Taken as team 1"
    )
    assert events() == before
    # The API's ids are the same type: a boolean in a body is a 422 naming the field.
    response = api_client(cast.admin).post(
        "/api/v1/issues",
        {"team_id": True, "title": "Taken as team 1"},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "team_id" in response.json()["error"]["fields"]
    assert not Issue.objects.filter(title="Taken as team 1").exists()


def test_every_search_result_carries_the_id_the_other_tools_take(cast, objective):
    decision = decisions.create_decision(cast.org, None, "Quasar vendor question", cast.admin)
    kr = alignment.create_key_result(cast.org, None, objective, name="Quasar latency", target=10)
    client = client_of(cast.member)
    found = ok(client, "search", query="Quasar")
    results = {(r["kind"], r["id"]) for r in found["structuredContent"]["results"]}
    assert {("decision", decision.pk), ("key_result", kr.pk)} <= results, results
    assert f"Decision {decision.pk}: Quasar vendor question" in found["text"]
    team = ok(client, "search", query="Platform", kind="team")["structuredContent"]["results"]
    assert team[0]["id"] == cast.platform.pk


def _sync(cast, **options):
    return rhythm.create_cadence_from_template(
        cast.org,
        None,
        "weekly-sync",
        team=cast.platform,
        start_date=timezone.localdate() - dt.timedelta(days=14),
        owner=cast.member,
        **options,
    )


def test_a_teams_next_meeting_agenda_is_built_from_live_data_as_its_page_builds_it(cast):
    sync = _sync(cast)
    late = decisions.create_action_item(
        cast.org,
        None,
        "Rotate the signing keys",
        cast.member,
        due_on=timezone.localdate() - dt.timedelta(days=3),
        team=cast.platform,
    )
    client = client_of(cast.leader)
    result = ok(client, "meeting_agenda", team=cast.platform.slug)
    data = result["structuredContent"]
    assert data["cadence"]["id"] == sync.pk and data["state"] == "live"
    occ = rhythm_queries.next_occurrences([sync])[sync.pk]
    assert data["occurrence"] == occ.key
    built = agenda.build(
        cast.org,
        sync,
        Meeting(cadence=sync, occurrence_start=occ.original_start, scheduled_start=occ.start),
        limit=30,
    )
    for section in built:
        shown = [i["title"] for i in data[f"agenda_{section['key']}"]]
        assert shown == [i["title"] for i in section["items"]], section["key"]
    assert late.title in result["text"] and f"/decisions/actions/{late.pk}/" in result["text"]
    # The same by cadence, and by the occurrence's key.
    for arguments in ({"cadence_id": sync.pk}, {"cadence_id": sync.pk, "occurrence": occ.key}):
        again = ok(client, "meeting_agenda", **arguments)["structuredContent"]
        assert again["occurrence"] == occ.key, arguments
    text = refused(client, "meeting_agenda")
    assert "team_id" in text
    other = refused(client, "meeting_agenda", cadence_id=sync.pk, occurrence="20000103T090000Z")
    assert "has no occurrence" in other


def test_a_teams_action_items_are_listed_and_paged(cast):
    today = timezone.localdate()
    items = [
        decisions.create_action_item(
            cast.org,
            None,
            f"Platform chore {n:02}",
            cast.member,
            due_on=today + dt.timedelta(days=n),
            team=cast.platform,
        )
        for n in range(65)
    ]
    decisions.complete_action_item(cast.org, None, items[0])
    mine = decisions.create_action_item(cast.org, None, "Leader's own", cast.leader)
    client = client_of(cast.leader)
    first = ok(client, "list_action_items", team_id=cast.platform.pk)
    data = first["structuredContent"]
    assert [i["id"] for i in data["action_items"]] == [i.pk for i in items[1:61]]
    assert data["action_items_more"] == 4 and data["action_items_next_offset"] == 60
    assert (
        f"… 4 more: call list_action_items again with team_id={cast.platform.pk}, "
        'status="open", offset=60' in first["text"]
    )
    rest = ok(client, "list_action_items", team_id=cast.platform.pk, offset=60)
    assert [i["id"] for i in rest["structuredContent"]["action_items"]] == [
        i.pk for i in items[61:]
    ]
    assert "more" not in rest["text"]
    done = ok(client, "list_action_items", team=cast.platform.slug, status="done")
    assert [i["id"] for i in done["structuredContent"]["action_items"]] == [items[0].pk]
    own = ok(client, "list_action_items")["structuredContent"]["action_items"]
    assert [i["id"] for i in own] == [mine.pk]


def test_an_action_item_is_changed_within_the_tokens_scope(cast):
    own = decisions.create_action_item(
        cast.org, None, "Update the runbook", cast.member, team=cast.platform
    )
    others = decisions.create_action_item(
        cast.org, None, "Renew the licence", cast.admin, team=cast.platform
    )
    report = client_of(cast.member, scope="report")
    member = client_of(cast.member)
    before = events()
    assert (
        "Done."
        in ok(report, "change_action_item", action_item_id=own.pk, action="complete")["text"]
    )
    own.refresh_from_db()
    assert own.status == "done"
    ok(report, "change_action_item", action_item_id=own.pk, action="reopen")
    text = refused(report, "change_action_item", action_item_id=others.pk, action="drop")
    assert "only on what its own person owns" in text
    text = refused(
        report,
        "change_action_item",
        action_item_id=own.pk,
        action="reassign",
        owner_id=cast.admin.pk,
    )
    assert "scope is report" in text and "needs member" in text
    assert list(Event.objects.order_by("-pk").values_list("verb", flat=True)[:2]) == [
        "reopened",
        "completed",
    ]
    later = timezone.localdate() + dt.timedelta(days=9)
    ok(member, "change_action_item", action_item_id=own.pk, action="redate", due_on=str(later))
    ok(
        member,
        "change_action_item",
        action_item_id=own.pk,
        action="reassign",
        owner_id=cast.admin.pk,
    )
    own.refresh_from_db()
    assert (own.due_on, own.owner_id) == (later, cast.admin.pk)
    assert events() == before + 4
    missing = refused(member, "change_action_item", action_item_id=own.pk, action="redate")
    assert "due_on: Required to redate." in missing
    viewer = client_of(cast.viewer)
    assert refused(viewer, "change_action_item", action_item_id=own.pk, action="complete")


def test_answers_share_their_room_after_measuring_it():
    """A long list takes the room the short ones leave (not a fixed quarter each), and a
    cut list says how to read on with offset, not a page's address."""
    long = Section(
        "signals", "Signals", next_call='what_is_at_risk again with only="signals"', total=200
    )
    for n in range(200):
        long.add("x" * 250 + f" {n}", {"id": n, "text": "y" * 250})
    short = [Section(key, key.title()) for key in ("dependencies", "key_results", "decisions")]
    for s in short:
        s.add("one item", {"id": 1})
    result = answer("At risk.", sections=[long, *short])
    text = result.content[0].text
    data = result.structured_content
    assert len(text) <= MAX_CHARS and len(json.dumps(data)) <= MAX_CHARS
    assert len(data["signals"]) >= 50, len(data["signals"])  # 14 of 200 with a fixed share
    assert all(data[s.key] == [{"id": 1}] for s in short)
    shown = len(data["signals"])
    assert data["signals_more"] == 200 - shown and data["signals_next_offset"] == shown
    assert f'call what_is_at_risk again with only="signals", offset={shown}' in text
    assert "http" not in text


def test_what_is_at_risk_pages_one_list_with_offset(cast, objective):
    alignment.set_objective_confidence(cast.org, None, objective, 2)
    krs = [
        alignment.create_key_result(
            cast.org, None, objective, name=f"Off-track measure {n:02}", target=200, current=100
        )
        for n in range(65)
    ]
    client = client_of(cast.member)
    first = ok(client, "what_is_at_risk", team_id=cast.platform.pk)
    data = first["structuredContent"]
    assert [k["id"] for k in data["key_results"]] == [k.pk for k in krs[:60]]
    assert data["key_results"][0]["progress"] == 50
    hint = f'call what_is_at_risk again with team_id={cast.platform.pk}, only="key_results"'
    assert f"… 5 more: {hint}, offset=60" in first["text"]
    rest = ok(client, "what_is_at_risk", team_id=cast.platform.pk, only="key_results", offset=60)
    data = rest["structuredContent"]
    assert [k["id"] for k in data["key_results"]] == [k.pk for k in krs[60:]]
    assert set(data) == {"team", "date", "key_results", "key_results_offset"}
    text = refused(client, "what_is_at_risk", severity="dreadful")
    assert "severity" in text


def _checkins(cast, rrule: str = "FREQ=DAILY", **options):
    cadence = rhythm.create_cadence(
        cast.org,
        None,
        name="Daily build note",
        rrule=rrule,
        time=dt.time(23, 30),
        timezone_name="UTC",
        kind="checkin",
        team=cast.platform,
        start_date=timezone.localdate() - dt.timedelta(days=6),
        owner=cast.member,
        **options,
    )
    # Owed since a week ago: the cadence and the member's term began then.
    week_ago = timezone.now() - dt.timedelta(days=7)
    type(cadence).objects.filter(pk=cadence.pk).update(created_at=week_ago)
    Membership.objects.filter(person=cast.member, team=cast.platform).update(created_at=week_ago)
    cadence.refresh_from_db()
    return cadence


def test_a_check_in_without_an_occurrence_goes_to_the_window_open_now(cast):
    cadence = _checkins(cast)
    now = timezone.now()
    # Given on time, three days ago: its window has closed since.
    past = rhythm_queries.occurrences_of(cadence, now - dt.timedelta(days=4), now)[0]
    assert cadence.window(past)[1] < now
    rhythm.submit_checkin(
        cast.org,
        cast.member,
        cadence,
        past.original_start,
        highlights="Then",
        now=past.start - dt.timedelta(hours=1),
    )
    client = client_of(cast.member)
    result = ok(client, "submit_check_in", cadence_id=cadence.pk, highlights="Now")
    given = CheckIn.objects.get(pk=result["structuredContent"]["id"])
    opens, closes = cadence.window(rhythm_queries.occurrence(cadence, given.occurrence_start))
    assert given.occurrence_start != past.original_start
    assert opens <= now <= closes and given.highlights == "Now"


def _weekday(days_ahead: int) -> str:
    return ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][
        (timezone.localdate() + dt.timedelta(days=days_ahead)).weekday()
    ]


def test_a_check_in_without_an_occurrence_may_be_given_early_as_the_page_offers(cast):
    # Due in three days, its window two hours long: the round before closed four days ago,
    # so the page offers "Check in early", and the assistant gives that one, on time.
    cadence = _checkins(
        cast, f"FREQ=WEEKLY;BYDAY={_weekday(3)}", window_opens_hours=2, late_after_hours=1
    )
    client = client_of(cast.member)
    result = ok(client, "submit_check_in", cadence_id=cadence.pk, highlights="Early")
    given = CheckIn.objects.get(pk=result["structuredContent"]["id"])
    assert given.occurrence_start > timezone.now() + dt.timedelta(days=2)
    assert given.status == CheckInStatus.ON_TIME and given.highlights == "Early"


def test_a_check_in_with_no_window_open_says_when_the_next_opens(cast):
    # Every other week, due in ten days: more than a week ahead, too early even to give early.
    cadence = _checkins(
        cast,
        f"FREQ=WEEKLY;INTERVAL=2;BYDAY={_weekday(10)}",
        window_opens_hours=2,
        late_after_hours=1,
    )
    type(cast.member).objects.filter(pk=cast.member.pk).update(timezone="Asia/Kolkata")
    client = client_of(cast.member)
    before = events()
    text = refused(client, "submit_check_in", cadence_id=cadence.pk, highlights="Early")
    assert "No check-in window of Daily build note is open for you now." in text, text
    assert "The next window opens" in text and "(Asia/Kolkata)" in text, text
    assert "closed" not in text
    assert events() == before


def test_my_week_says_times_in_the_persons_zone(cast):
    rhythm.create_cadence(
        cast.org,
        None,
        name="Build review",
        rrule="FREQ=DAILY",
        time=dt.time(9, 0),
        timezone_name="UTC",
        team=cast.platform,
        start_date=timezone.localdate(),
        owner=cast.member,
    )
    type(cast.member).objects.filter(pk=cast.member.pk).update(timezone="Asia/Kolkata")
    week = ok(client_of(cast.member), "my_week")
    assert "Times are in Asia/Kolkata" in week["text"]
    assert re.search(r"Build review: \w{3} \d+ \w{3} \d{4}, 14:30", week["text"]), week["text"]
    assert "UTC" not in week["text"]
    assert week["structuredContent"]["meetings"][0]["starts_at"].endswith("+05:30")


def test_refusals_name_the_arguments_the_tools_take(cast):
    agent = org_services.add_agent(cast.org, cast.member, name="Build bot", owner=cast.member)
    client = client_of(cast.admin)
    text = refused(client, "log_decision", question="Ship on Friday?", approver_id=agent.pk)
    assert "- approver_id:" in text and "- approver:" not in text, text
    initiative = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Artifact cache", owner=cast.member
    )
    dep = coordination.create_dependency(
        cast.org,
        None,
        requester_initiative=initiative,
        provider_team=cast.root,
        title="Storage quota",
        need_by=timezone.localdate() + dt.timedelta(days=20),
    )
    text = refused(
        client,
        "answer_dependency",
        dependency_id=dep.pk,
        action="accept",
        committed_date=str(timezone.localdate() + dt.timedelta(days=15)),
    )
    assert "- provider_initiative_id: Required to accept." in text, text


def test_descriptions_say_what_each_argument_and_action_does(cast):
    tools = {
        t["name"]: t for t in send(client_of(cast.viewer), "tools/list", {})["result"]["tools"]
    }
    answer_dep = tools["answer_dependency"]["description"]
    for action in ("counter", "agree", "confirm_delivery", "not_delivered", "mark_delivered"):
        assert f"`{action}`" in answer_dep, action
    assert "optionally with" not in answer_dep
    assert "`accept` needs `provider_initiative_id`" in answer_dep
    statuses = tools["submit_check_in"]["inputSchema"]["properties"]["initiatives"]
    assert "proposed, active, paused, done, dropped" in json.dumps(statuses)
    assert "stays open until its approver decides it" in tools["log_decision"]["description"]
    for name in ("record_key_result_value", "request_dependency", "log_decision"):
        again = tools[name]["inputSchema"]["properties"]["again"]
        assert again["default"] is False and "on purpose" in again["description"], name
    for name in ("add_action_item", "raise_issue"):
        assert "again" in tools[name]["inputSchema"]["properties"], name


def test_the_structured_keys_are_snake_case(cast, objective):
    client = client_of(cast.member)
    for name, arguments in (
        ("my_week", {}),
        ("what_is_at_risk", {"team_id": cast.platform.pk}),
        ("get_team", {"team_id": cast.platform.pk}),
    ):
        keys = set(ok(client, name, **arguments)["structuredContent"])
        assert all(re.fullmatch(r"[a-z][a-z0-9_]*", k) for k in keys), (name, keys)
    week = ok(client, "my_week")["structuredContent"]
    assert {"checkins_owed", "requests_to_answer", "action_items_due", "time_zone"} <= set(week)


def test_a_team_of_another_organization_is_a_resource_not_found(cast):
    body = send(
        client_of(cast.admin), "resources/read", {"uri": f"accord://teams/{cast.other_team.pk}"}
    )
    assert body["error"]["code"] == -32602, body  # not -32603, an internal error
    assert body["error"]["message"] == f"No team {cast.other_team.pk} in Acme."
    assert body["error"]["data"]["uri"] == f"accord://teams/{cast.other_team.pk}"


def test_what_changed_is_about_the_persons_teams_and_names_an_agent_with_its_owner(cast):
    bot = org_services.add_agent(cast.org, cast.member, name="Triage bot", owner=cast.member)
    org_services.add_membership(
        cast.org, None, person=bot, team=cast.platform, role="member", allocation=10
    )
    decisions.raise_issue(cast.org, bot, cast.platform, "Nightly build red")
    sales = org_services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    decisions.raise_issue(cast.org, cast.admin, sales, "Quote tool down")
    body = send(
        client_of(cast.member),
        "prompts/get",
        {"name": "summarize_what_changed", "arguments": {"days": "7"}},
    )
    said = body["result"]["messages"][0]["content"]["text"]
    assert "Nightly build red" in said
    assert "Triage bot (agent, on behalf of Mia Member)" in said
    assert "Quote tool down" not in said
    assert "Latest changes in my teams" in said


def test_a_retried_write_is_refused_naming_the_one_made_unless_again(cast, objective):
    kr = alignment.create_key_result(cast.org, None, objective, name="Green builds", target=10)
    initiative = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Merge queue", owner=cast.member
    )
    need_by = str(timezone.localdate() + dt.timedelta(days=20))
    client = client_of(cast.member)
    for name, arguments in (
        ("record_key_result_value", {"key_result_id": kr.pk, "value": 4, "note": "week 2"}),
        (
            "request_dependency",
            {
                "requester_initiative_id": initiative.pk,
                "provider_team_id": cast.root.pk,
                "title": "Runner images",
                "need_by": need_by,
            },
        ),
        ("log_decision", {"question": "Squash merges?", "approver_id": cast.admin.pk}),
        ("add_action_item", {"title": "Write the merge policy"}),
        ("raise_issue", {"team_id": cast.platform.pk, "title": "Queue stalls"}),
    ):
        ok(client, name, **arguments)
        before = events()
        text = refused(client, name, **arguments)
        assert "Its id: " in text and "- again: Send again=true" in text, (name, text)
        assert events() == before, name
        ok(client, name, **arguments, again=True)
        assert events() > before, name


def test_a_check_in_sent_again_keeps_what_it_leaves_out(cast):
    """As through the API: sent again without highlights or blockers, a check-in keeps what
    it said; "" clears it."""
    cadence = _checkins(cast)
    client = client_of(cast.member)
    first = ok(
        client, "submit_check_in", cadence_id=cadence.pk, highlights="Shipped", blockers="VPN"
    )
    pk = first["structuredContent"]["id"]
    ok(client, "submit_check_in", cadence_id=cadence.pk, blockers="")
    given = CheckIn.objects.get(pk=pk)
    assert given.highlights == "Shipped" and given.blockers == ""
