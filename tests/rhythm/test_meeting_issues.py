"""Solving issues from inside the meeting page: vote, owner and rank, solve with a decision
and action items, keep, escalate; only while the meeting runs, only its teams' issues,
never by a viewer or another organization."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem, DecisionLink, Issue, IssueStatus, IssueVote
from accord.org import services as org_services
from accord.rhythm import services
from tests.conftest import login
from tests.rhythm.conftest import utc

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin


@pytest.fixture
def meeting(cast, rhythm):
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    return services.start_meeting(cast.org, cast.leader, m, now=FIRST)


@pytest.fixture
def url(rhythm, meeting):
    return f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{meeting.key}/"


@pytest.fixture
def issues(cast):
    sales = org_services.create_team(cast.org, None, name="Sales", slug="sales", parent=cast.root)
    return {
        "flaky": decisions.raise_issue(cast.org, cast.member, cast.platform, "Flaky builds"),
        "reviews": decisions.raise_issue(cast.org, cast.member, cast.platform, "Slow reviews"),
        "sales": decisions.raise_issue(cast.org, cast.member, sales, "Pricing page is stale"),
    }


def _post(client, url, issue, step, **data):
    return client.post(url + "issue/", {"issue": issue.pk, "step": step, **data}, follow=True)


def test_the_meeting_lists_its_teams_issues_by_rank_then_votes(cast, url, issues):
    client = login(cast.member)
    _post(client, url, issues["reviews"], "vote", value="1")
    page = client.get(url).content.decode()
    assert "Issues to solve" in page and "Pricing page is stale" not in page
    assert page.index("Slow reviews") < page.index("Flaky builds")
    r = _post(client, url, issues["flaky"], "arrange", owner=cast.member.pk, rank="1")
    assert "“Flaky builds” arranged." in r.content.decode()
    page = client.get(url).content.decode()
    assert page.index("Flaky builds") < page.index("Slow reviews")
    flaky = Issue.objects.get(pk=issues["flaky"].pk)
    assert (flaky.owner, flaky.rank) == (cast.member, 1)


def test_a_vote_from_the_page_is_one_per_person_and_changeable(cast, url, issues):
    client = login(cast.member)
    _post(client, url, issues["flaky"], "vote", value="1")
    page = client.get(url).content.decode()
    assert 'aria-pressed="true"' in page
    _post(client, url, issues["flaky"], "vote", value="-1")
    (vote,) = IssueVote.objects.all()
    assert (vote.person, vote.value) == (cast.member, -1)
    _post(client, url, issues["flaky"], "vote", value="0")
    assert not IssueVote.objects.exists()


def test_solving_from_the_page_records_the_decision_and_action_items(cast, url, meeting, issues):
    r = _post(
        login(cast.leader),
        url,
        issues["flaky"],
        "solve",
        outcome="Quarantine flaky tests",
        action_title_1="Write the quarantine job",
        action_owner_1=cast.member.pk,
        action_due_1="2026-11-13",
        action_title_2="",
    )
    assert "Solved: “Flaky builds”." in r.content.decode()
    flaky = Issue.objects.get(pk=issues["flaky"].pk)
    assert flaky.status == IssueStatus.SOLVED and flaky.decision.outcome == "Quarantine flaky tests"
    assert DecisionLink.objects.filter(
        decision=flaky.decision, target_type="rhythm.meeting", target_id=meeting.pk
    ).exists()
    (item,) = ActionItem.objects.all()
    assert (item.title, item.owner, str(item.due_on)) == (
        "Write the quarantine job",
        cast.member,
        "2026-11-13",
    )
    assert "Flaky builds" not in login(cast.leader).get(url).content.decode().split("ids-h")[1]


def test_keep_and_escalate_from_the_page(cast, url, issues):
    client = login(cast.member)
    r = _post(client, url, issues["reviews"], "keep")
    assert "kept for next time" in r.content.decode()
    assert Issue.objects.get(pk=issues["reviews"].pk).kept_count == 1
    r = _post(client, url, issues["flaky"], "escalate", reason="")
    assert "Reason is required." in r.content.decode()
    r = _post(client, url, issues["flaky"], "escalate", reason="Needs budget")
    assert Issue.objects.get(pk=issues["flaky"].pk).team == cast.root
    assert Event.objects.filter(verb="escalated", target_id=issues["flaky"].pk).exists()


def test_a_bad_step_changes_nothing(cast, url, issues, meeting):
    client = login(cast.member)
    events = Event.objects.count()
    r = _post(client, url, issues["flaky"], "solve", outcome="Do it", action_title_1="No owner")
    assert "Action item 1: An action item needs an owner." in r.content.decode()
    r = _post(client, url, issues["sales"], "keep")
    assert "is not an issue of" in r.content.decode()
    r = _post(client, url, issues["flaky"], "arrange", rank="zero")
    assert "A rank is a whole number" in r.content.decode()
    r = _post(client, url, issues["flaky"], "dance")
    assert "Unknown step" in r.content.decode()
    assert Event.objects.count() == events
    assert Issue.objects.get(pk=issues["flaky"].pk).status == IssueStatus.OPEN


def test_viewers_other_organizations_and_meetings_not_running_are_refused(
    cast, rhythm, url, issues, meeting
):
    events = Event.objects.count()
    assert _post(login(cast.viewer), url, issues["flaky"], "vote", value="1").status_code == 403
    other = decisions.raise_issue(cast.other_org, None, cast.other_team, "Theirs")
    assert _post(login(cast.member), url, other, "keep").status_code == 404
    assert (
        login(cast.outsider).post(url + "issue/", {"issue": issues["flaky"].pk}).status_code == 404
    )
    services.finish_meeting(cast.org, cast.leader, meeting)
    events = Event.objects.count()
    r = _post(login(cast.member), url, issues["flaky"], "keep")
    assert "its minutes are final" in r.content.decode()
    assert Event.objects.count() == events and not IssueVote.objects.exists()
