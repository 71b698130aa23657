"""A lead of a team acts for every team below it, an admin for any team; each such move is
recorded as acting for that team, and the pages say why someone may not act."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.coordination import queries, services
from accord.coordination.models import Dependency
from accord.core.errors import PermissionDenied
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import login, make_person


@pytest.fixture
def head(world, cast):
    """Hana Head leads Acme, the team above Sales and Operations."""
    person = make_person(world.org, "Hana Head", Role.MEMBER)
    org_services.add_membership(
        world.org, None, person=person, team=cast.root, role=MembershipRole.LEAD, allocation=100
    )
    return person


def _event(verb, dep):
    return Event.objects.for_target("coordination.dependency", dep.pk).get(verb=verb)


def _accept(world, actor, dep):
    return services.transition(
        world.org,
        actor,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=25),
    )


def test_a_lead_of_the_team_above_raises_a_request_for_a_team_below(world, head):
    dep = services.create_dependency(
        world.org,
        head,
        requester_initiative=world.launch,
        provider_team=world.ops,
        title="Forecast",
        need_by=world.today + dt.timedelta(days=10),
    )
    event = _event("created", dep)
    assert event.actor == head
    assert event.after["acting_for"] == {
        "team_id": world.sales.pk,
        "team": "Sales",
        "as": "lead of Acme",
    }


def test_a_lead_of_a_team_two_levels_up_answers_for_the_team_below(world, head):
    # Operations moves under Supply, under Acme: Hana leads two levels up.
    supply = org_services.create_team(
        world.org, None, name="Supply", slug="supply", parent=world.sales.parent
    )
    world.ops.parent = supply
    world.ops.save()
    dep = world.request()
    _accept(world, head, dep)
    dep.refresh_from_db()
    assert dep.state == "accepted"
    event = _event("accepted", dep)
    assert event.actor == head
    assert event.after["acting_for"]["team"] == "Operations"
    assert event.after["acting_for"]["as"] == "lead of Acme"


def test_an_admin_acts_for_any_team(world, cast):
    dep = world.request()
    services.transition(world.org, cast.admin, dep, "decline", note="Not this quarter")
    event = _event("declined", dep)
    assert event.after["acting_for"] == {
        "team_id": world.ops.pk,
        "team": "Operations",
        "as": "admin",
    }
    mine = services.create_dependency(
        world.org,
        cast.admin,
        requester_initiative=world.launch,
        provider_team=world.ops,
        title="Again",
        need_by=world.today,
    )
    assert _event("created", mine).after["acting_for"]["as"] == ("admin")


def test_a_member_acting_for_their_own_team_records_no_acting_for(world):
    dep = world.request()
    _accept(world, world.giver, dep)
    assert "acting_for" not in _event("accepted", dep).after
    assert "acting_for" not in _event("created", dep).after


@pytest.mark.parametrize("who", ["plain_member_above", "lead_below", "leader", "viewer_admin"])
def test_only_leads_above_and_admins_act_for_others(world, cast, who):
    org = world.org
    if who == "plain_member_above":
        person = make_person(org, "Pat Plain", Role.MEMBER)
        org_services.add_membership(org, None, person=person, team=cast.root, allocation=10)
    elif who == "lead_below":
        below = org_services.create_team(org, None, name="Ops East", slug="east", parent=world.ops)
        person = make_person(org, "Lee Below", Role.MEMBER)
        org_services.add_membership(
            org, None, person=person, team=below, role=MembershipRole.LEAD, allocation=10
        )
    elif who == "leader":
        person = cast.leader  # a leader's role alone leads no team
    else:
        person = make_person(org, "Val Viewer", Role.VIEWER)
        org_services.add_membership(
            org, None, person=person, team=cast.root, role=MembershipRole.LEAD, allocation=10
        )
    dep = world.request()
    events = Event.objects.count()
    with pytest.raises(PermissionDenied) as exc:
        _accept(world, person, dep)
    assert "leads of a team above, or an admin" in exc.value.message
    assert exc.value.message.startswith("“Accept” is for the provider (")  # names the side
    with pytest.raises(PermissionDenied):
        services.create_dependency(
            org,
            person,
            requester_initiative=world.launch,
            provider_team=world.ops,
            title="x",
            need_by=world.today,
        )
    dep.refresh_from_db()
    assert dep.state == "requested" and Event.objects.count() == events
    assert Dependency.objects.count() == 1


def test_the_standing_of_many_teams_takes_one_query(world, head, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = queries.standing(world.org, head, [world.sales.pk, world.ops.pk, world.sales.pk])
    assert {t: s.as_text for t, s in found.items()} == {
        world.sales.pk: "lead of Acme",
        world.ops.pk: "lead of Acme",
    }


def test_the_pages_let_a_lead_above_act_and_say_so(world, head):
    dep = world.request()
    client = login(head)
    html = client.get(f"/o/acme/coordination/teams/ops/#dep-{dep.pk}").content.decode()
    assert f"/coordination/d/{dep.pk}/accept/" in html
    assert "You act here for Operations as lead of Acme" in html
    html = client.get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    # Both sides are below the head's team: one line for both.
    assert html.count("You act here for") == 1
    assert "You act here for Sales and Operations as lead of Acme" in html
    assert "recorded as acting for the side it concerns" in html
    form = client.get("/o/acme/coordination/new/?team=sales").content.decode()
    assert "Spring launch (Sales)" in form
    r = client.post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {
            "provider_initiative": world.warehouse.pk,
            "committed_date": (world.today + dt.timedelta(days=25)).isoformat(),
        },
    )
    assert r.status_code == 302
    html = client.get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    assert "(for Operations, as lead of Acme)" in html
    # The history's changes say whom, not "3 items".
    history = html.split('id="history-h"')[1]
    assert "Operations, as lead of Acme" in history and "3 items" not in history


def test_the_pages_say_why_someone_may_not_act(world, cast):
    dep = world.request()
    html = login(world.viewer).get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    assert "You are a viewer: you can read everything here but act for no team." in html
    html = login(cast.leader).get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    assert (
        "Only members of Sales or Operations, leads of a team above, or an admin may act on it"
        in html
    )
    html = login(cast.leader).get("/o/acme/coordination/teams/ops/").content.decode()
    assert "You cannot answer for Operations." in html
    assert f"/coordination/d/{dep.pk}/accept/" not in html
