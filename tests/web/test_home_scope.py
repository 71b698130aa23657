"""One rule for "the viewer's home team" (`org.queries.home_team`) and for a list that
opens on it when the address names no team (`web.helpers.team_scope`)."""

from __future__ import annotations

import pytest
from django.http import Http404
from django.test import RequestFactory

from accord.intelligence.queries import default_scope
from accord.org import services as org_services
from accord.org.models import MembershipRole
from accord.org.queries import home_team
from accord.web.helpers import team_scope


def _request(cast, person, query: str = ""):
    request = RequestFactory().get(f"/o/acme/decisions/issues/{query}")
    request.org, request.person = cast.org, person
    return request


@pytest.fixture
def teams(cast):
    """Acme > Platform > Payments, and Acme > Design."""
    payments = org_services.create_team(cast.org, None, name="Payments", parent=cast.platform)
    design = org_services.create_team(cast.org, None, name="Design", parent=cast.root)
    return {"payments": payments, "design": design}


def _join(cast, person, team, lead=False):
    org_services.add_membership(
        cast.org, None, person=person, team=team, allocation=25,
        role=MembershipRole.LEAD if lead else MembershipRole.MEMBER,
    )  # fmt: skip


def test_the_highest_team_led_else_the_first_team_by_name(cast, teams):
    leo = cast.leader
    assert home_team(leo) is None  # in no team
    _join(cast, leo, teams["payments"])
    _join(cast, leo, teams["design"])
    assert home_team(leo) == teams["design"]  # first by name: Design before Payments
    _join(cast, leo, cast.platform)
    assert home_team(leo) == teams["design"]
    _join(cast, leo, cast.root, lead=True)
    assert home_team(leo) == cast.root  # led, wherever its name sorts


def test_of_several_teams_led_the_highest_as_insights_opens_on(cast, teams):
    leo = cast.leader
    _join(cast, leo, teams["payments"], lead=True)
    _join(cast, leo, cast.platform, lead=True)
    assert home_team(leo) == cast.platform  # above Payments, though Payments sorts first
    assert home_team(leo).pk == default_scope(cast.org, leo)


def test_a_retired_team_is_no_home(cast, teams):
    _join(cast, cast.leader, teams["design"], lead=True)
    _join(cast, cast.leader, teams["payments"])
    org_services.retire_team(cast.org, None, teams["design"])
    assert home_team(cast.leader) == teams["payments"]


def test_a_list_opens_on_the_home_scope_unless_the_address_names_a_team(cast, teams):
    member = cast.member  # in Platform
    assert team_scope(_request(cast, member)) == (cast.platform, False, True)
    assert team_scope(_request(cast, member, "?show=closed&only=1")) == (cast.platform, True, True)
    # Named: obeyed; named empty: every team.
    assert team_scope(_request(cast, member, "?team=design")) == (teams["design"], False, False)
    assert team_scope(_request(cast, member, "?team=")) == (None, False, False)
    with pytest.raises(Http404):
        team_scope(_request(cast, member, "?team=nope"))


def test_in_no_team_or_at_the_top_it_is_every_team(cast, teams):
    assert team_scope(_request(cast, cast.admin)) == (None, False, False)
    _join(cast, cast.leader, cast.root, lead=True)  # Acme and the teams below: every team
    assert team_scope(_request(cast, cast.leader)) == (None, False, False)
