"""An initiative that changes team takes the dependency sides it anchors with it: the
requesting team of what it needs, the providing team of what it delivers. The new team
acts on them, sees them on its pages and is asked in its inbox; a move that would make a
team depend on itself is refused and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.alignment.models import Initiative
from accord.conversation.models import InboxItem
from accord.coordination import services
from accord.coordination.models import Dependency, Side
from accord.core.errors import ServiceError
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.web.templatetags.dates import day
from tests.conftest import api_client, login, make_person
from tests.coordination.conftest import initiative


@pytest.fixture
def retail(world):
    """A third team, led by Rita, which takes work over from Sales or Operations."""
    team = org_services.create_team(world.org, None, name="Retail", slug="retail")
    rita = make_person(world.org, "Rita Retail", Role.MEMBER)
    org_services.add_membership(
        world.org, None, person=rita, team=team, role=MembershipRole.LEAD, allocation=100
    )
    team.lead = rita
    return team


def _move(world, actor, item, team):
    return alignment.update_initiative(world.org, actor, item, team=team)


def _moves(dep) -> list[Event]:
    return list(
        Event.objects.filter(target_type="coordination.dependency", target_id=str(dep.pk))
        .filter(verb="moved")
        .order_by("id")
    )


def _accept(world, dep, initiative=None):
    return services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=initiative or world.warehouse,
        committed_date=world.today + dt.timedelta(days=25),
    )


def test_what_a_moved_initiative_needs_is_asked_by_its_new_team(cast, world, retail):
    dep = world.request()
    _move(world, cast.admin, world.launch, retail)
    dep.refresh_from_db()
    assert dep.requester_team_id == retail.pk
    assert dep.provider_team_id == world.ops.pk
    (event,) = _moves(dep)
    assert event.actor_id == cast.admin.pk
    assert event.before == {"requester_team": world.sales.pk}
    assert event.after["requester_team"] == retail.pk
    assert "Spring launch moved from Sales to Retail" in event.after["note"]
    # The new team acts for it; the team it left no longer does.
    assert Side.REQUESTER in services.sides_of(retail.lead, dep)
    assert services.sides_of(world.asker, dep) == {}
    services.transition(world.org, retail.lead, dep, "cancel", note="Done in-house")


def test_what_a_moved_initiative_delivers_or_is_proposed_for_is_delivered_by_its_new_team(
    cast, world, retail
):
    accepted = _accept(world, world.request(title="Racks"))
    proposed = services.transition(
        world.org,
        world.giver,
        world.request(title="Shelves"),
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=world.today + dt.timedelta(days=40),
    )
    untouched = world.request(title="Bins")
    _move(world, cast.admin, world.warehouse, retail)
    for dep in (accepted, proposed):
        dep.refresh_from_db()
        assert (dep.requester_team_id, dep.provider_team_id) == (world.sales.pk, retail.pk)
        (event,) = _moves(dep)
        assert event.before == {"provider_team": world.ops.pk}
        assert "Retail delivers it now" in event.after["note"]
    untouched.refresh_from_db()
    assert untouched.provider_team_id == world.ops.pk and _moves(untouched) == []
    # The requester agrees: the commitment is the new team's.
    services.transition(world.org, world.asker, proposed, "agree")
    proposed.refresh_from_db()
    assert proposed.provider_initiative_id == world.warehouse.pk
    assert proposed.provider_team_id == Initiative.objects.get(pk=world.warehouse.pk).team_id


def test_closed_dependencies_follow_too_as_the_record_of_the_initiative(cast, world, retail):
    cancelled = world.request(title="Forklifts")
    services.transition(world.org, world.asker, cancelled, "cancel", note="Not needed")
    declined = world.request(title="Trucks")
    services.transition(world.org, world.giver, declined, "decline", note="No capacity")
    _move(world, cast.admin, world.launch, retail)
    for dep in (cancelled, declined):
        dep.refresh_from_db()
        assert dep.requester_team_id == retail.pk
        assert len(_moves(dep)) == 1


def test_a_move_that_would_make_a_team_depend_on_itself_is_refused_and_changes_nothing(cast, world):
    dep = _accept(world, world.request(title="Racks"))
    other = world.request(title="Pallets")
    events = Event.objects.count()
    with pytest.raises(ServiceError) as refused:
        _move(world, cast.admin, world.launch, world.ops)
    assert refused.value.code == "self_dependency"
    message = refused.value.message
    assert "'Spring launch' cannot move to Operations" in message
    assert "Operations would depend on itself for 'Racks' (accepted), 'Pallets' (requested)" in (
        message
    )
    assert Initiative.objects.get(pk=world.launch.pk).team_id == world.sales.pk
    for d in (dep, other):
        d.refresh_from_db()
        assert (d.requester_team_id, d.provider_team_id) == (world.sales.pk, world.ops.pk)
    assert Event.objects.count() == events
    # The delivering side too: Operations' warehouse cannot move into Sales.
    with pytest.raises(ServiceError, match="Sales would depend on itself for 'Racks'"):
        _move(world, cast.admin, world.warehouse, world.sales)
    assert Initiative.objects.get(pk=world.warehouse.pk).team_id == world.ops.pk


def test_the_edit_page_says_why_a_move_is_refused(cast, world):
    world.request(title="Racks")
    url = f"/o/{world.org.slug}/alignment/initiatives/{world.launch.pk}/edit/"
    assert b"Its dependencies move with it" in login(cast.admin).get(url).content
    page = login(cast.admin).post(
        url,
        {
            "title": world.launch.title,
            "team": world.ops.pk,
            "start_date": world.launch.start_date.isoformat(),
            "target_date": world.launch.target_date.isoformat(),
            "progress": 0,
            "version": Initiative.objects.get(pk=world.launch.pk).version,
        },
    )
    assert b"Operations would depend on itself for &#x27;Racks&#x27; (requested)" in page.content
    assert Initiative.objects.get(pk=world.launch.pk).team_id == world.sales.pk


def test_a_closed_dependency_that_would_join_a_team_to_itself_keeps_its_teams(cast, world):
    dep = world.request(title="Racks")
    services.transition(world.org, world.asker, dep, "cancel", note="Not needed")
    _move(world, cast.admin, world.launch, world.ops)
    assert Initiative.objects.get(pk=world.launch.pk).team_id == world.ops.pk
    dep.refresh_from_db()
    assert (dep.requester_team_id, dep.provider_team_id) == (world.sales.pk, world.ops.pk)
    assert _moves(dep) == []


def test_a_proposal_naming_another_initiative_than_the_delivering_one_refuses_the_move(
    cast, world, retail
):
    depot = initiative(world.org, world.ops, "Depot")
    dep = _accept(world, world.request(title="Racks"))
    services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        provider_initiative=depot,
        proposed_date=world.today + dt.timedelta(days=50),
    )
    with pytest.raises(ServiceError, match="'Racks' \\(negotiating\\) is being negotiated"):
        _move(world, cast.admin, world.warehouse, retail)
    dep.refresh_from_db()
    assert dep.provider_team_id == world.ops.pk


def test_the_open_request_in_the_inbox_follows_the_move(cast, world, retail):
    dep = world.request(title="Racks")
    (item,) = InboxItem.objects.filter(target_id=dep.pk, person=world.giver)
    assert item.title == f"Sales asks Operations by {day(dep.need_by)}: Racks"
    _move(world, cast.admin, world.launch, retail)
    item.refresh_from_db()
    assert item.done_at is None
    assert item.title == f"Retail asks Operations by {day(dep.need_by)}: Racks"


def test_a_question_for_the_provider_goes_to_the_leads_of_its_new_team(cast, world, retail):
    dep = services.transition(
        world.org,
        world.giver,
        world.request(title="Racks"),
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=world.today + dt.timedelta(days=40),
    )
    services.transition(
        world.org,
        world.asker,
        dep,
        "counter",
        proposed_date=world.today + dt.timedelta(days=35),
    )
    (asked,) = InboxItem.objects.filter(target_id=dep.pk, person=world.giver, done_at=None)
    _move(world, cast.admin, world.warehouse, retail)
    asked.refresh_from_db()
    assert asked.done_at is not None  # Operations is no longer asked
    (item,) = InboxItem.objects.filter(target_id=dep.pk, person=retail.lead, done_at=None)
    assert item.title == "Sales counter-proposes: Racks"
    assert item.link == f"/o/{world.org.slug}/coordination/d/{dep.pk}/"


def test_the_pages_show_the_dependency_with_the_team_that_now_owns_the_work(cast, world, retail):
    dep = world.request(title="Racks")
    _move(world, cast.admin, world.launch, retail)
    org_services.retire_team(world.org, cast.admin, world.sales)
    client = login(retail.lead)
    page = client.get(f"/o/{world.org.slug}/coordination/d/{dep.pk}/").content.decode()
    assert "Asked by" in page and "Retail" in page
    assert "Nothing for you to do" not in page
    assert "moved it with its initiative" in page
    team_page = client.get(f"/o/{world.org.slug}/coordination/teams/retail/").content.decode()
    assert "Racks" in team_page
    graph = client.get(f"/o/{world.org.slug}/coordination/map.json?team=retail").json()
    assert any(f"{retail.pk}-{world.ops.pk}" in e["data"]["id"] for e in graph["edges"])
    # Operations is asked by Retail, not by the retired Sales.
    ops_page = login(world.giver).get(f"/o/{world.org.slug}/coordination/teams/ops/")
    assert "Retail needs it by" in ops_page.content.decode()


def test_a_move_through_the_api_takes_the_dependencies_along(cast, world, retail):
    dep = world.request(title="Racks")
    r = api_client(cast.admin).patch(
        f"/api/v1/initiatives/{world.launch.pk}",
        {"team_id": retail.pk},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert Dependency.objects.get(pk=dep.pk).requester_team_id == retail.pk
    refused = api_client(cast.admin).patch(
        f"/api/v1/initiatives/{world.launch.pk}",
        {"team_id": world.ops.pk},
        content_type="application/json",
    )
    assert refused.status_code in (400, 409, 422), refused.content
    assert "Operations would depend on itself" in refused.content.decode()
    assert Initiative.objects.get(pk=world.launch.pk).team_id == retail.pk


def test_a_look_back_before_a_move_sees_the_dependency_between_the_teams_of_then(
    cast, world, retail
):
    from django.utils import timezone

    from accord.intelligence import snapshot

    dep = world.request()
    before_the_move = timezone.now()
    _move(world, cast.admin, world.launch, retail)
    then = snapshot.load(world.org, before_the_move).dependencies[dep.pk]
    assert (then.requester_team_id, then.provider_team_id) == (world.sales.pk, world.ops.pk)
    now = snapshot.load(world.org).dependencies[dep.pk]
    assert now.requester_team_id == retail.pk
