"""Solving issues from inside the meeting page: vote, owner and rank, solve with a decision
and action items, keep, escalate; only while the meeting runs, only its teams' issues,
never by a viewer or another organization."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem, DecisionLink, Issue, IssueStatus, IssueVote
from accord.org import services as org_services
from accord.rhythm import services
from tests.conftest import login
from tests.rhythm.conftest import utc

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin
DUE = timezone.localdate() + dt.timedelta(days=4)  # a new action item is due today or later


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
        rationale="Red builds block releases",
        action_title_1="Write the quarantine job",
        action_owner_1=cast.member.pk,
        action_due_1=DUE.isoformat(),
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
        DUE.isoformat(),
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
    r = _post(
        client, url, issues["flaky"], "solve", outcome="Do it", rationale="Why", action_title_1="X"
    )
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


def _solve_form(page: str, issue) -> str:
    start = page.index(f'<li class="ids__issue" id="issue-{issue.pk}">')
    return page[start:].split("</details>")[1]  # after "Owner and rank": the solve form


def test_the_solve_form_asks_for_the_rationale(cast, url, issues):
    form = _solve_form(login(cast.leader).get(url).content.decode(), issues["flaky"])
    field = form.split(f'id="rationale-{issues["flaky"].pk}"')[1].split(">")[0]
    assert "required" in field
    label = form.split(f'<label for="rationale-{issues["flaky"].pk}">')[1].split("</label>")[0]
    assert label.startswith("Rationale") and label.endswith('<span aria-hidden="true">*</span>')
    assert "Why this decision. Required: it is decided now, and final." in form


@pytest.mark.parametrize("rationale", ["", "   "])
def test_solving_without_a_rationale_is_refused_as_typed_and_changes_nothing(
    cast, url, issues, rationale
):
    from tests.decisions.helpers import counts

    before = counts(cast.org)
    r = _post(
        login(cast.leader),
        url,
        issues["flaky"],
        "solve",
        outcome="Quarantine flaky tests",
        rationale=rationale,
        action_title_1="Write the quarantine job",
        action_owner_1=cast.member.pk,
        action_due_1="2026-11-13",
    )
    assert r.status_code == 422
    page = r.content.decode()
    assert "A decision needs a rationale; nothing was decided." in page
    form = _solve_form(page, issues["flaky"])
    assert form.lstrip().startswith("<details open>")  # the solve form, opened
    assert ">Quarantine flaky tests</textarea>" in form  # what was typed stays
    assert 'value="Write the quarantine job"' in form and 'value="2026-11-13"' in form
    assert cast.member.name in form.split('name="action_due_1"')[0].split("Owner of action 1")[1]
    pk = issues["flaky"].pk
    assert (
        f'<small class="error" id="rationale-{pk}-error">Say why this outcome: the record' in form
    )
    assert Issue.objects.get(pk=pk).status == IssueStatus.OPEN
    assert counts(cast.org) == before  # no decision, no action item, no event
    # Given, it solves.
    r = _post(
        login(cast.leader),
        url,
        issues["flaky"],
        "solve",
        outcome="Quarantine flaky tests",
        rationale="Red builds block releases",
    )
    flaky = Issue.objects.get(pk=pk)
    assert flaky.status == IssueStatus.SOLVED
    assert flaky.decision.rationale == "Red builds block releases"
