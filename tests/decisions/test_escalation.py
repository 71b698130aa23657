"""Issues climb the team tree one level at a time; the root refuses; who may escalate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import queries, services
from accord.decisions.models import IssueEscalation
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.decisions.helpers import counts


@pytest.fixture
def squad(cast):
    """Acme > Platform > Payments squad, with the member in the squad."""
    team = org_services.create_team(cast.org, None, name="Payments", parent=cast.platform)
    org_services.add_membership(
        cast.org, None, person=cast.member, team=team, role=MembershipRole.LEAD, allocation=50
    )
    return team


def test_escalation_walks_up_the_tree_and_stops_at_the_root(cast, squad):
    issue = services.raise_issue(cast.org, cast.member, squad, "Card fees doubled", severity="high")
    services.escalate_issue(cast.org, cast.member, issue, "Needs budget")
    issue.refresh_from_db()
    assert issue.team == cast.platform and issue.raised_in == squad

    services.escalate_issue(cast.org, cast.leader, issue, "Needs the exec team")
    issue.refresh_from_db()
    assert issue.team == cast.root

    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.escalate_issue(cast.org, cast.leader, issue, "Higher!")
    assert exc.value.code == "at_root" and "top of the team tree" in exc.value.message
    assert counts(cast.org) == before
    history = list(
        IssueEscalation.objects.filter(issue=issue).values_list(
            "from_team__name", "to_team__name", "reason"
        )
    )
    assert history == [
        ("Payments", "Platform", "Needs budget"),
        ("Platform", "Acme", "Needs the exec team"),
    ]


def test_only_people_of_the_team_or_leaders_may_escalate(cast, squad):
    issue = services.raise_issue(cast.org, cast.member, cast.root, "Too many meetings")
    sub = services.raise_issue(cast.org, cast.member, squad, "Flaky CI")
    before = counts(cast.org)
    with pytest.raises(PermissionDenied):  # the member is not in the root team
        services.escalate_issue(cast.org, cast.member, issue, "Up")
    with pytest.raises(PermissionDenied):  # a viewer changes nothing
        services.escalate_issue(cast.org, cast.viewer, sub, "Up")
    assert counts(cast.org) == before
    services.escalate_issue(cast.org, cast.member, sub, "We cannot fix CI alone")


def test_escalation_needs_a_reason(cast, squad):
    issue = services.raise_issue(cast.org, cast.member, squad, "Flaky CI")
    before = counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        services.escalate_issue(cast.org, cast.member, issue, "  ")
    assert "reason" in exc.value.fields
    assert counts(cast.org) == before


def test_a_solved_issue_cannot_be_escalated(cast, squad):
    issue = services.raise_issue(cast.org, cast.member, squad, "Flaky CI")
    services.solve_issue(cast.org, cast.member, issue, "Pinned the runner image")
    issue.refresh_from_db()
    assert issue.status == "solved" and issue.resolution == "Pinned the runner image"
    with pytest.raises(ServiceError):
        services.escalate_issue(cast.org, cast.member, issue, "Up")


def test_an_issue_open_too_long_at_one_level_is_flagged(cast, squad):
    old = timezone.now() - dt.timedelta(days=20)
    stale = services.raise_issue(cast.org, None, squad, "Old", opened_at=old)
    fresh = services.raise_issue(cast.org, None, squad, "New")
    assert stale.is_stale() and not fresh.is_stale()
    assert list(queries.stale_issues(cast.org)) == [stale]
    services.escalate_issue(cast.org, None, stale, "Nobody here can fix it")
    stale.refresh_from_db()
    assert not stale.is_stale()  # the clock restarts at the new level
    assert stale.escalations.get().days_at_level == 20


def test_open_issues_for_an_agenda_are_those_at_the_teams_level(cast, squad):
    here = services.raise_issue(cast.org, None, squad, "Here")
    services.raise_issue(cast.org, None, cast.platform, "There")
    assert list(queries.open_issues(cast.org, [squad.pk])) == [here]
