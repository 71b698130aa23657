"""Retiring a team closes what cannot go on without it: its open requests are cancelled,
those asked of it declined (or, accepted, flagged blocked for the asker), its open issues go
up to the team above, each with "<team> was retired"; the retire page says so beforehand,
for each kind of open work."""

from __future__ import annotations

import datetime as dt

from accord.conversation.models import InboxItem
from accord.coordination import services
from accord.coordination.models import Flag, State
from accord.decisions import services as decisions
from accord.decisions.models import IssueEscalation
from accord.org import services as org_services
from tests.conftest import login


def _accepted(world, dep):
    return services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=20),
    )


def test_a_retired_teams_request_is_cancelled_and_the_asked_team_told(world, cast):
    dep = world.request()
    org_services.retire_team(world.org, cast.admin, world.sales)
    dep.refresh_from_db()
    assert dep.state == State.CANCELLED
    assert dep.resolution == "Sales was retired"
    asked = InboxItem.objects.get(person=world.giver, key=f"dependency:{dep.pk}")
    assert asked.done_at is not None  # no more "Accept?" for Operations
    told = InboxItem.objects.filter(person=world.giver, target_id=dep.pk, done_at=None)
    assert [i.title for i in told] == [
        "Sales cancels the request: Stock for the spring launch. Reason: Sales was retired"
    ]


def test_a_request_asked_of_a_retired_team_is_declined_or_flagged_for_the_asker(world):
    waiting = world.request(title="Pallets")
    accepted = _accepted(world, world.request(title="Forklifts"))
    org_services.retire_team(world.org, None, world.ops)
    waiting.refresh_from_db()
    accepted.refresh_from_db()
    assert waiting.state == State.DECLINED
    assert waiting.resolution == "Operations was retired: ask another team."
    assert accepted.state == State.ACCEPTED and accepted.flag == Flag.BLOCKED
    assert accepted.flag_note == "Operations was retired: ask another team, or cancel the request."
    assert InboxItem.objects.filter(
        person=world.asker,
        target_id=waiting.pk,
        title__startswith="Operations declines: Pallets. Reason: Operations was retired",
    ).exists()


def test_a_retired_teams_open_issues_go_up_to_the_team_above(world):
    issue = decisions.raise_issue(world.org, world.asker, world.sales, "Returns pile up")
    org_services.retire_team(world.org, None, world.sales)
    issue.refresh_from_db()
    assert issue.team == world.sales.parent
    assert IssueEscalation.objects.get(issue=issue).reason == "Sales was retired"


def test_the_retire_page_says_what_happens_to_each_kind_of_open_work(world, cast):
    world.request()
    decisions.raise_issue(world.org, world.asker, world.sales, "Returns pile up")
    decisions.create_action_item(world.org, None, "Call the buyers", world.asker, team=world.sales)
    page = login(cast.admin).get("/o/acme/teams/sales/retire/").content.decode()
    assert "1 open request to another team</strong>: Stock for the spring launch" in page
    assert "Cancelled, with the reason “Sales was retired”; the teams asked are told." in page
    assert "1 open action item filed to it</strong>: Call the buyers" in page
    assert "Stay open with their owners: hand them on if they go on." in page
    assert "1 open issue</strong>: Returns pile up" in page
    assert "Escalated to Acme, with the reason “Sales was retired”." in page
