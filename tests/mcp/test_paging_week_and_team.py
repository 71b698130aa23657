"""`my_week` and `get_team` read on in a cut list as `what_is_at_risk` does: the answer
names the same call with `only` (that list) and `offset`, and that call gives the items
after the ones shown, whether the list was cut at the 60 items a list reads or by the
room of the answer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.org import services as org_services
from tests.mcp.test_lead_review import client_of, ok, refused


def test_my_week_reads_on_in_one_list_with_offset(cast):
    today = timezone.localdate()
    items = [
        decisions.create_action_item(
            cast.org, None, f"Chore {n:02}", cast.member, due_on=today + dt.timedelta(days=n % 7)
        )
        for n in range(65)
    ]
    in_order = sorted(items, key=lambda a: (a.due_on, a.pk))
    client = client_of(cast.member)
    first = ok(client, "my_week")
    data = first["structuredContent"]
    assert [a["id"] for a in data["action_items_due"]] == [a.pk for a in in_order[:60]]
    assert data["action_items_due_more"] == 5 and data["action_items_due_next_offset"] == 60
    assert '… 5 more: call my_week again with only="action_items_due", offset=60' in first["text"]
    rest = ok(client, "my_week", only="action_items_due", offset=60)
    data = rest["structuredContent"]
    assert [a["id"] for a in data["action_items_due"]] == [a.pk for a in in_order[60:]]
    assert set(data) == {
        "person",
        "today",
        "time_zone",
        "action_items_due",
        "action_items_due_offset",
    }
    assert "more" not in rest["text"]
    beyond = ok(client, "my_week", only="action_items_due", offset=80)
    assert "none after the first 80" in beyond["text"]
    assert "only" in refused(client, "my_week", only="everything")


def test_my_week_lists_every_request_awaiting_the_team_not_the_first_20(cast):
    org_services.add_membership(cast.org, None, person=cast.leader, team=cast.platform, role="lead")
    asking = alignment.create_initiative(
        cast.org, None, team=cast.root, title="Launch", owner=cast.admin
    )
    need_by = timezone.localdate() + dt.timedelta(days=30)
    asked = [
        coordination.create_dependency(
            cast.org,
            None,
            requester_initiative=asking,
            provider_team=cast.platform,
            title=f"Request {n:02} " + "with a long explanation of what is needed " * 6,
            need_by=need_by,
        )
        for n in range(25)
    ]
    client = client_of(cast.leader)
    first = ok(client, "my_week", only="requests_to_answer")
    data = first["structuredContent"]
    shown = len(data["requests_to_answer"])
    assert 0 < shown <= 25
    assert shown + data.get("requests_to_answer_more", 0) == 25
    seen = [d["id"] for d in data["requests_to_answer"]]
    while data.get("requests_to_answer_more"):
        at = data["requests_to_answer_next_offset"]
        assert f'call my_week again with only="requests_to_answer", offset={at}' in first["text"]
        first = ok(client, "my_week", only="requests_to_answer", offset=at)
        data = first["structuredContent"]
        seen += [d["id"] for d in data["requests_to_answer"]]
    assert seen == [d.pk for d in asked]


def test_get_team_reads_on_in_a_list_cut_by_the_room_of_the_answer(cast):
    issues = [
        decisions.raise_issue(
            cast.org, cast.member, cast.platform, f"Issue {n:02}: " + "the build is slow " * 14
        )
        for n in range(40)
    ]
    for n in range(65):
        org_services.create_team(
            cast.org, None, name=f"Squad {n:02}", slug=f"squad-{n:02}", parent=cast.platform
        )
    client = client_of(cast.member)
    whole = ok(client, "get_team", team=cast.platform.slug)["structuredContent"]
    # One list alone reads its first 60, and says how to read the rest.
    subs = ok(client, "get_team", team=cast.platform.slug, only="sub_teams")
    assert len(subs["structuredContent"]["sub_teams"]) == 60
    hint = f'call get_team again with team_id={cast.platform.pk}, only="sub_teams"'
    assert f"… 5 more: {hint}, offset=60" in subs["text"]
    rest = ok(client, "get_team", team_id=cast.platform.pk, only="sub_teams", offset=60)
    assert [t["name"] for t in rest["structuredContent"]["sub_teams"]] == [
        f"Squad {n:02}" for n in range(60, 65)
    ]
    assert "open_issues" not in rest["structuredContent"]
    # The issues did not fit beside the rest: read on in that list, from where it was cut.
    data = whole
    seen = [i["id"] for i in data["open_issues"]]
    assert 0 < len(seen) < 40 and data["open_issues_more"] == 40 - len(seen)
    while data.get("open_issues_more"):
        at = data["open_issues_next_offset"]
        page = ok(client, "get_team", team_id=cast.platform.pk, only="open_issues", offset=at)
        data = page["structuredContent"]
        assert data["open_issues_offset"] == at
        seen += [i["id"] for i in data["open_issues"]]
    assert seen == [i.pk for i in issues]
