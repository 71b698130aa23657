"""Whoever raised an issue is told when it is solved, dropped or decided on (through the one
delivery path); a team's closed list points to the issues it raised that were closed higher
up, as its open list points to those that sit higher up."""

from __future__ import annotations

from accord.activity.models import Notification
from accord.decisions import services
from accord.decisions.models import ActionItem
from tests.conftest import login


def _told(cast, kind):
    return list(Notification.objects.for_org(cast.org).filter(kind=kind).order_by("id"))


def test_the_raiser_is_told_when_it_is_solved_or_dropped(cast):
    solved = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    dropped = services.raise_issue(cast.org, cast.member, cast.platform, "Slow laptops")
    services.solve_issue(cast.org, cast.leader, solved, "Quarantined them")
    services.drop_issue(cast.org, cast.leader, dropped, "New laptops came")
    first, second = _told(cast, "issue_closed")
    assert (first.person, second.person) == (cast.member, cast.member)
    assert first.subject == "Solved: Flaky tests" and second.subject == "Dropped: Slow laptops"
    assert "How: Quarantined them" in first.body_text
    assert "Why: New laptops came" in second.body_text
    assert f"/decisions/issues/{solved.pk}/" in first.link


def test_the_raiser_is_not_told_of_what_they_did_themselves(cast):
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    services.solve_issue(cast.org, cast.member, issue, "Quarantined them")
    assert _told(cast, "issue_closed") == []


def test_the_raiser_is_told_when_a_decision_about_it_is_taken(cast):
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    d = services.create_decision(
        cast.org,
        cast.leader,
        "Quarantine flaky tests?",
        approver=cast.leader,
        links=[("decisions.issue", issue.pk, "")],
    )
    services.decide(cast.org, cast.leader, d, outcome="Yes, for a week", rationale="Trust")
    [notice] = _told(cast, "issue_decided")
    assert notice.person == cast.member and notice.subject == "Decided on your issue: Flaky tests"
    assert "Leo Leader decided “Quarantine flaky tests?”: Yes, for a week" in notice.body_text


def test_solved_with_a_decision_in_a_meeting_the_raiser_is_told_once(cast):
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    services.solve_issue_with_decision(cast.org, cast.leader, issue, outcome="Quarantine them")
    assert _told(cast, "issue_decided") == []
    [notice] = _told(cast, "issue_closed")
    assert "Solved by the decision “How do we solve “Flaky tests”?”" in notice.body_text
    assert ActionItem.objects.for_org(cast.org).count() == 0


def test_deciding_while_solving_one_issue_still_tells_the_other_raisers(cast):
    """Only the issue being solved is left out (its raiser is told it is solved); the
    raisers of the other open issues the decision is about are told it was decided."""
    solved = services.raise_issue(cast.org, cast.member, cast.platform, "Flaky tests")
    other = services.raise_issue(cast.org, cast.admin, cast.platform, "Slow CI")
    d = services.create_decision(
        cast.org,
        cast.leader,
        "Quarantine flaky tests?",
        approver=cast.leader,
        links=[("decisions.issue", solved.pk, ""), ("decisions.issue", other.pk, "")],
    )
    services.decide(cast.org, cast.leader, d, outcome="Yes", rationale="Trust", solving=solved)
    [notice] = _told(cast, "issue_decided")
    assert notice.person == cast.admin and notice.subject == "Decided on your issue: Slow CI"


def test_the_closed_list_points_to_issues_the_team_raised_closed_higher_up(cast):
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "Card fees doubled")
    services.escalate_issue(cast.org, cast.member, issue, "Budget")
    services.solve_issue(cast.org, cast.leader, issue, "Negotiated")
    page = login(cast.member).get("/o/acme/decisions/issues/?team=platform&show=closed").text
    assert "1 issue raised here was closed higher up: follow what Platform raised" in page
    assert "raised=1&amp;show=closed" in page
    listed = (
        login(cast.member).get("/o/acme/decisions/issues/?team=platform&raised=1&show=closed").text
    )
    assert "Card fees doubled" in listed
