"""What both sides agree in a negotiation is what the dependency says afterwards: the
agreed scope becomes its description and the agreed date its commitment, and a date later
than the need-by becomes the need-by (the requester agreed to need it then), so nothing
keeps saying it will come late against a date nobody holds any more. Each change is in
the event of the transition."""

from __future__ import annotations

import datetime as dt

from accord.activity.models import Event
from accord.alignment import milestones
from accord.coordination import queries, services
from accord.coordination.models import Dependency, State


def _days(world, n: int) -> dt.date:
    return world.today + dt.timedelta(days=n)


def _propose(world, dep, *, days: int, scope: str):
    return services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=_days(world, days),
        proposed_scope=scope,
    )


def _event(dep, verb: str) -> Event:
    return Event.objects.for_target("coordination.dependency", dep.pk).get(verb=verb)


def test_the_requester_agreeing_to_a_later_date_and_scope_moves_the_need_by(world):
    dep = world.request(need_by=_days(world, 30), description="Every product")
    _propose(world, dep, days=44, scope="Only the top 20 products")
    services.transition(world.org, world.asker, dep, "agree")

    dep = Dependency.objects.get(pk=dep.pk)
    assert dep.state == State.ACCEPTED
    assert (dep.committed_date, dep.need_by) == (_days(world, 44), _days(world, 44))
    assert dep.description == "Only the top 20 products"
    assert queries.decorate([dep])[0].risk_reasons == []
    event = _event(dep, "agreed")
    assert event.before["need_by"] == _days(world, 30).isoformat()
    assert event.after["need_by"] == _days(world, 44).isoformat()
    assert event.after["description"] == "Only the top 20 products"


def test_the_provider_accepting_the_requesters_counter_keeps_its_scope_and_date(world):
    dep = world.request(need_by=_days(world, 30), description="Every product")
    _propose(world, dep, days=50, scope="Only the top 20 products")
    services.transition(
        world.org,
        world.asker,
        dep,
        "counter",
        proposed_date=_days(world, 40),
        proposed_scope="The top 50 products",
    )
    services.transition(world.org, world.giver, dep, "accept")

    dep = Dependency.objects.get(pk=dep.pk)
    assert dep.state == State.ACCEPTED
    assert (dep.committed_date, dep.need_by) == (_days(world, 40), _days(world, 40))
    assert dep.description == "The top 50 products"
    event = _event(dep, "accepted")
    assert event.after["need_by"] == _days(world, 40).isoformat()
    assert event.after["description"] == "The top 50 products"


def test_an_earlier_agreed_date_or_one_the_requester_did_not_propose_keeps_the_need_by(world):
    early = world.request(need_by=_days(world, 30), title="Early")
    _propose(world, early, days=25, scope="")
    services.transition(world.org, world.asker, early, "agree")
    early = Dependency.objects.get(pk=early.pk)
    assert (early.committed_date, early.need_by) == (_days(world, 25), _days(world, 30))

    # The requester counters with day 35; the provider accepts but commits to day 45.
    other = world.request(need_by=_days(world, 30), title="Other")
    _propose(world, other, days=50, scope="")
    services.transition(world.org, world.asker, other, "counter", proposed_date=_days(world, 35))
    services.transition(world.org, world.giver, other, "accept", committed_date=_days(world, 45))
    other = Dependency.objects.get(pk=other.pk)
    assert (other.committed_date, other.need_by) == (_days(world, 45), _days(world, 30))
    assert queries.decorate([other])[0].at_risk  # committed after it is needed


def test_a_need_by_that_follows_a_milestone_stays_the_milestones(world, cast):
    freeze = milestones.create_milestone(
        world.org, cast.leader, name="Freeze", kind="feature_freeze", date=_days(world, 30)
    )
    dep = world.request(need_by=None, need_by_milestone=freeze)
    _propose(world, dep, days=44, scope="")
    services.transition(world.org, world.asker, dep, "agree")
    dep = Dependency.objects.get(pk=dep.pk)
    assert (dep.committed_date, dep.need_by) == (_days(world, 44), freeze.date)
    assert dep.need_by_milestone_id == freeze.pk
