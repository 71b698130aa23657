"""Deleting a team never destroys its history: a team with issues, decisions, action items,
requests, cadences that met… is refused (retire it instead); one made by mistake goes, and
its page says beforehand what goes with it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from accord.core.errors import ServiceError
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem, Issue
from accord.org import services
from accord.org.models import Team
from accord.rhythm import services as rhythm
from accord.rhythm.models import Cadence, Meeting
from tests.conftest import login


def _new_team(cast, name="Shopping WG"):
    return services.create_team(cast.org, cast.admin, name=name, parent=cast.root)


def _cadence(cast, team, name="Weekly sync"):
    return rhythm.create_cadence(
        cast.org,
        None,
        name=name,
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(10),
        timezone_name="UTC",
        team=team,
        start_date=dt.date(2026, 10, 1),
    )


def _met(cast, cadence):
    at = timezone.now() - dt.timedelta(days=7)
    Meeting.objects.create(
        org=cast.org, cadence=cadence, occurrence_start=at, scheduled_start=at, status="ended"
    )


def test_a_team_with_an_open_issue_is_not_deleted_and_keeps_it(cast):
    team = _new_team(cast)
    issue = decisions.raise_issue(cast.org, cast.member, team, "Checkout is slow")
    with pytest.raises(ServiceError) as refused:
        services.delete_team(cast.org, cast.admin, team)
    assert refused.value.code == "has_history"
    assert refused.value.message == (
        "Shopping WG has 1 issue: retire it instead, which keeps its history."
    )
    assert Issue.objects.filter(pk=issue.pk).exists()
    assert Team.objects.filter(pk=team.pk).exists()


def test_the_refusal_counts_each_kind_of_history(cast):
    team = _new_team(cast)
    for title in ("One", "Two", "Three"):
        decisions.raise_issue(cast.org, cast.member, team, title)
    decisions.create_action_item(cast.org, None, "Write it up", cast.member, team=team)
    for name in ("Weekly sync", "Monthly review"):
        _met(cast, _cadence(cast, team, name))
    _cadence(cast, team, "Never met")  # goes with it: not history
    with pytest.raises(ServiceError) as refused:
        services.delete_team(cast.org, cast.admin, team)
    assert refused.value.message == (
        "Shopping WG has 3 issues, 1 action item and 2 cadences with minutes or check-ins: "
        "retire it instead, which keeps its history."
    )


def test_a_retired_team_with_history_stays_retired(cast):
    team = _new_team(cast)
    decisions.create_action_item(cast.org, None, "Hand over", cast.member, team=team)
    services.retire_team(cast.org, cast.admin, team)
    with pytest.raises(ServiceError, match="it stays retired, which keeps its history"):
        services.delete_team(cast.org, cast.admin, team)


def test_an_issue_escalated_through_a_team_keeps_it(cast):
    team = _new_team(cast)
    issue = decisions.raise_issue(cast.org, cast.member, team, "Needs the department")
    decisions.escalate_issue(cast.org, cast.admin, issue, reason="Beyond us")
    issue.refresh_from_db()
    assert issue.team_id != team.pk  # it sits above now; its way up stays
    with pytest.raises(ServiceError, match="has 1 issue"):
        services.delete_team(cast.org, cast.admin, team)


def test_a_team_made_by_mistake_is_deleted_with_its_terms_and_unmet_cadences(cast):
    team = _new_team(cast)
    services.add_membership(cast.org, None, person=cast.member, team=team, allocation=20)
    cadence = _cadence(cast, team)
    services.delete_team(cast.org, cast.admin, team)
    assert not Team.objects.filter(pk=team.pk).exists()
    assert not Cadence.objects.filter(pk=cadence.pk).exists()


def test_the_database_refuses_to_cascade_issues_and_action_items(cast):
    team = _new_team(cast)
    decisions.raise_issue(cast.org, cast.member, team, "Kept")
    with pytest.raises(ProtectedError):
        Team.objects.filter(pk=team.pk).delete()
    other = _new_team(cast, "Other WG")
    decisions.create_action_item(cast.org, None, "Kept too", cast.member, team=other)
    with pytest.raises(ProtectedError):
        Team.objects.filter(pk=other.pk).delete()
    assert ActionItem.objects.filter(title="Kept too", team=other).exists()


def test_the_team_page_offers_retire_instead_of_delete_for_a_team_with_history(cast):
    team = _new_team(cast)
    decisions.raise_issue(cast.org, cast.member, team, "Checkout is slow")
    page = login(cast.admin).get(f"/o/acme/teams/{team.slug}/").content.decode()
    assert "Shopping WG cannot be deleted: it has 1 issue." in page
    assert f'href="/o/acme/teams/{team.slug}/retire/">Retire it instead</a>' in page
    assert "Delete team</button>" not in page


def test_the_delete_confirmation_lists_what_goes_with_the_team(cast):
    team = _new_team(cast)
    services.add_membership(cast.org, None, person=cast.member, team=team, allocation=20)
    _cadence(cast, team)
    page = login(cast.admin).get(f"/o/acme/teams/{team.slug}/").content.decode()
    assert (
        'data-confirm="Delete Shopping WG? 1 term in it and 1 cadence that never met go with it."'
        in page
    )


def test_deleting_from_the_page_says_why_it_was_refused(cast):
    team = _new_team(cast)
    decisions.raise_issue(cast.org, cast.member, team, "Checkout is slow")
    client = login(cast.admin)
    answer = client.post(f"/o/acme/teams/{team.slug}/delete/", follow=True)
    assert "Shopping WG has 1 issue: retire it instead, which keeps its history." in (
        answer.content.decode()
    )
    assert Team.objects.filter(pk=team.pk).exists()
