"""Someone in no team (a board member reading as a viewer) finds on home what the
organization looks like: its coordination health and top signals, its key results at
risk and its own objectives; and no suggestion that a viewer join a team. Someone in a
team is shown their own, as before."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.alignment.models import ObjectiveLevel
from accord.org import services as org_services
from tests.conftest import login
from tests.intelligence.fixtures_pages import signal


@pytest.fixture
def org_view(cast):
    today = timezone.localdate()
    period = alignment.create_period(
        cast.org, None, name="This quarter", start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60), is_current=True,
    )  # fmt: skip
    alignment.create_objective(
        cast.org, None, title="Delight every customer", period=period, level=ObjectiveLevel.ORG
    )
    alignment.create_objective(
        cast.org, None, title="Platform's own aim", period=period, team=cast.platform
    )
    signal(cast.org, [cast.platform], kind="key_results.off_pace", title="Revenue is behind pace")
    signal(cast.org, [cast.platform], title="Platform is overloaded", severity="critical")
    return cast


def home(person) -> str:
    response = login(person).get("/o/acme/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_viewer_in_no_team_sees_the_organizations_view(org_view):
    cast = org_view
    page = home(cast.viewer)
    # Its health and top signals: the top team's panel, loaded once the page is shown.
    assert f"/o/acme/insights/teams/{cast.root.pk}/panel/" in page
    assert "Key results at risk" in page and "Revenue is behind pace" in page
    assert "Objectives of Acme" in page and "Delight every customer" in page
    assert "Platform's own aim" not in page  # a team's, not the organization's
    assert "You are in no team" in page
    assert "not in a team yet" not in page  # a viewer cannot join one


def test_with_two_teams_at_the_top_the_organizations_top_signals_are_listed(org_view):
    cast = org_view
    org_services.create_team(cast.org, None, name="Labs", slug="labs")
    page = home(cast.viewer)
    assert "/insights/teams/" not in page
    assert "Signals across Acme" in page
    assert page.index("Platform is overloaded") < page.index("Revenue is behind pace")


def test_someone_in_a_team_is_shown_their_own_not_the_organizations(org_view):
    cast = org_view
    page = home(cast.member)  # in Platform, leads nothing, owns nothing
    assert "Key results at risk" not in page and "Objectives of Acme" not in page
    assert f"/insights/teams/{cast.root.pk}/panel/" not in page
    assert "You are in no team" not in page


def test_a_member_in_no_team_is_still_pointed_to_the_team_directory(org_view):
    page = home(org_view.leader)  # a leader in no team: may be added to one
    assert "You are not in a team yet" in page
    assert "Key results at risk" in page  # and sees the organization meanwhile


def test_a_key_result_signal_dismissed_is_no_longer_at_risk_on_home(org_view):
    """Home's key results at risk are the open ones, as Insights lists them: a dismissed
    one was said not to matter here."""
    from accord.intelligence import services as signal_services
    from accord.intelligence.models import Signal

    cast = org_view
    off_pace = Signal.objects.get(org=cast.org, title="Revenue is behind pace")
    assert "Key results at risk" in home(cast.viewer)
    signal_services.dismiss(cast.org, cast.admin, off_pace, "Seasonal: it catches up in Q1.")
    assert "Key results at risk" not in home(cast.viewer)  # it was the only one
