"""Solving an issue in a meeting agrees action items there: they are the meeting's (its
page, its minutes, the API) and carry forward while open, and the issue's agenda line says
it was solved there. Read through the decision the meeting recorded, not the items' source."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.decisions import services as decisions
from accord.decisions.models import ActionItem
from accord.rhythm import services
from tests.conftest import api_client, login
from tests.rhythm.conftest import utc

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin
SECOND = utc(2026, 11, 16, 9)


@pytest.fixture
def solved(cast, rhythm):
    """Platform's sync, started with an open issue on its agenda; the issue solved there
    with two action items, one action item added as usual; then finished."""
    disk = decisions.raise_issue(cast.org, cast.member, cast.platform, "Database at 85% disk")
    other = decisions.raise_issue(cast.org, cast.member, cast.platform, "Slow reviews")
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{m.key}/"
    r = login(cast.leader).post(
        url + "issue/",
        {
            "issue": disk.pk,
            "step": "solve",
            "outcome": "Expand the volume",
            "rationale": "Cheaper than moving the data",
            "action_title_1": "Expand the volume to 2 TB",
            "action_owner_1": cast.member.pk,
            # after the next sync (a week after this one, in the past): carried, not due
            "action_due_1": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
            "action_title_2": "Archive old partitions",
            "action_owner_2": cast.leader.pk,
        },
        follow=True,
    )
    assert "Solved: “Database at 85% disk”." in r.content.decode()
    services.add_action_item(cast.org, cast.leader, m, title="Add disk alerts", owner=cast.member)
    return {"meeting": m, "url": url, "disk": disk, "other": other}


def _actions_section(page: str) -> str:
    return page.split('id="actions-h"', 1)[1].split("</section>", 1)[0]


def test_the_running_meeting_and_its_minutes_list_the_solves_action_items(cast, solved):
    client = login(cast.member)

    def listed() -> str:
        actions = _actions_section(client.get(solved["url"]).content.decode())
        assert "Add disk alerts" in actions
        assert "Expand the volume to 2 TB" in actions and "Archive old partitions" in actions
        assert "from solving “Database at 85% disk”" in actions
        return actions

    listed()  # while it runs
    services.finish_meeting(cast.org, cast.leader, solved["meeting"])
    assert 'tag--ok">Minutes' in client.get(solved["url"]).content.decode()
    listed()  # in the minutes


def test_the_issues_agenda_line_says_it_was_solved_there(cast, solved):
    services.finish_meeting(cast.org, cast.leader, solved["meeting"])
    page = login(cast.member).get(solved["url"]).content.decode()
    agenda = page.split('id="section-issues"', 1)[1].split('class="card agenda__section"')[0]
    line = agenda.split("Database at 85% disk", 1)[1].split("</li>", 1)[0]
    assert "solved here" in line
    other = agenda.split("Slow reviews", 1)[1].split("</li>", 1)[0]
    assert "solved here" not in other


def test_the_api_minutes_name_every_action_item_of_the_meeting(cast, solved):
    m = solved["meeting"]
    r = api_client(cast.member).get(f"/api/v1/rhythm/meetings/{m.pk}")
    assert r.status_code == 200, r.content
    titles = set(
        ActionItem.objects.filter(pk__in=r.json()["action_item_ids"]).values_list(
            "title", flat=True
        )
    )
    assert titles == {"Add disk alerts", "Expand the volume to 2 TB", "Archive old partitions"}


def test_the_solves_open_action_items_carry_forward(cast, rhythm, solved):
    services.finish_meeting(cast.org, cast.leader, solved["meeting"])
    archive = ActionItem.objects.get(title="Archive old partitions")
    decisions.complete_action_item(cast.org, None, archive)
    nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
    nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    # First under the next meeting's action items (agreed in the last one, still open),
    # and so not carried forward as well.
    (todos,) = [s for s in nxt.agenda_snapshot if s["source"] == "action_items"]
    agreed = [i["title"] for i in todos["items"] if "agreed on" in i["detail"]]
    assert sorted(agreed) == ["Add disk alerts", "Expand the volume to 2 TB"]
    carried = {i["title"] for i in nxt.carried_in}
    assert not {"Add disk alerts", "Expand the volume to 2 TB"} & carried
    assert "Archive old partitions" not in carried
    assert "Database at 85% disk" not in carried  # solved: not carried


def test_an_issue_solved_elsewhere_is_not_the_meetings(cast, rhythm, solved):
    decisions.solve_issue_with_decision(
        cast.org,
        cast.leader,
        solved["other"],
        outcome="Pair on reviews",
        # A new action item is due today or later (`decisions.create_action_item`).
        actions=[
            {
                "title": "Set up pairing",
                "owner": cast.member,
                "due_on": timezone.localdate() + dt.timedelta(days=5),
            }
        ],
    )
    actions = _actions_section(login(cast.member).get(solved["url"]).content.decode())
    assert "Set up pairing" not in actions
