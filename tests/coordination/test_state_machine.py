"""Every legal transition of a dependency, and a refusal for every illegal one."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.coordination import services
from accord.coordination.models import TRANSITIONS, Dependency, Flag, Side, State
from accord.core.errors import ServiceError

# (name, state, awaiting, flag) — every situation a dependency can be in.
SITUATIONS = [
    ("requested", State.REQUESTED, Side.PROVIDER, Flag.NONE),
    ("negotiating, provider's turn", State.NEGOTIATING, Side.PROVIDER, Flag.NONE),
    ("negotiating, requester's turn", State.NEGOTIATING, Side.REQUESTER, Flag.NONE),
    ("accepted", State.ACCEPTED, Side.PROVIDER, Flag.NONE),
    ("accepted and at risk", State.ACCEPTED, Side.PROVIDER, Flag.AT_RISK),
    ("accepted and blocked", State.ACCEPTED, Side.PROVIDER, Flag.BLOCKED),
    ("accepted, said delivered", State.ACCEPTED, Side.REQUESTER, Flag.NONE),
    ("declined", State.DECLINED, Side.REQUESTER, Flag.NONE),
    ("delivered", State.DELIVERED, Side.PROVIDER, Flag.NONE),
    ("cancelled", State.CANCELLED, Side.PROVIDER, Flag.NONE),
]

SAID_DELIVERED = {"accepted, said delivered"}  # the provider marked it delivered

# situation -> {action: resulting state}; every action not listed must be refused.
LEGAL = {
    "requested": {
        "accept": State.ACCEPTED,
        "decline": State.DECLINED,
        "propose": State.NEGOTIATING,
        "cancel": State.CANCELLED,
        "flag_at_risk": State.REQUESTED,
        "flag_blocked": State.REQUESTED,
    },
    "negotiating, provider's turn": {
        "accept": State.ACCEPTED,
        "decline": State.DECLINED,
        "propose": State.NEGOTIATING,
        "cancel": State.CANCELLED,
        "flag_at_risk": State.NEGOTIATING,
        "flag_blocked": State.NEGOTIATING,
    },
    "negotiating, requester's turn": {
        "counter": State.NEGOTIATING,
        "agree": State.ACCEPTED,
        "cancel": State.CANCELLED,
        "flag_at_risk": State.NEGOTIATING,
        "flag_blocked": State.NEGOTIATING,
    },
    "accepted": {
        "propose": State.NEGOTIATING,
        "confirm_delivery": State.DELIVERED,
        "mark_delivered": State.ACCEPTED,
        "cancel": State.CANCELLED,
        "flag_at_risk": State.ACCEPTED,
        "flag_blocked": State.ACCEPTED,
    },
    "accepted and at risk": {
        "propose": State.NEGOTIATING,
        "confirm_delivery": State.DELIVERED,
        "mark_delivered": State.ACCEPTED,
        "cancel": State.CANCELLED,
        "flag_blocked": State.ACCEPTED,
        "clear_flag": State.ACCEPTED,
    },
    "accepted and blocked": {
        "propose": State.NEGOTIATING,
        "confirm_delivery": State.DELIVERED,
        "mark_delivered": State.ACCEPTED,
        "cancel": State.CANCELLED,
        "flag_at_risk": State.ACCEPTED,
        "clear_flag": State.ACCEPTED,
    },
    # The requester's move: confirm it, say it is not delivered yet, or cancel.
    "accepted, said delivered": {
        "confirm_delivery": State.DELIVERED,
        "not_delivered": State.ACCEPTED,
        "cancel": State.CANCELLED,
    },
    "declined": {},
    "delivered": {},
    "cancelled": {},
}

CASES = [
    (name, action, LEGAL[name].get(action)) for name, *_ in SITUATIONS for action in TRANSITIONS
]


def _put(world, state, awaiting, flag, said=False) -> Dependency:
    dep = world.request()
    dep.state, dep.awaiting, dep.flag = state, awaiting, flag
    dep.marked_delivered_on = world.today if said else None
    if state in (State.ACCEPTED, State.NEGOTIATING):
        dep.provider_initiative = world.warehouse
        dep.committed_date = world.today + dt.timedelta(days=25)
    if state == State.NEGOTIATING:
        dep.proposed_date = world.today + dt.timedelta(days=40)
        dep.proposed_initiative = world.warehouse
    dep.save()
    return dep


def _args(world, action):
    """What a person would fill in for each action."""
    return {
        "accept": {
            "provider_initiative": world.warehouse,
            "committed_date": world.today + dt.timedelta(days=28),
        },
        "decline": {"note": "No capacity this quarter."},
        "propose": {
            "provider_initiative": world.warehouse,
            "proposed_date": world.today + dt.timedelta(days=45),
        },
        "counter": {"proposed_date": world.today + dt.timedelta(days=35)},
        "cancel": {"note": "Launch moved."},
        "not_delivered": {"note": "The export has no refunds in it."},
        "flag_at_risk": {"note": "Supplier is late."},
        "flag_blocked": {"note": "Waiting on customs."},
    }.get(action, {})


def _actor(world, action):
    side = TRANSITIONS[action].side
    return world.giver if side in (Side.PROVIDER, "either") else world.asker


@pytest.mark.parametrize(("situation", "action", "result"), CASES)
def test_the_state_machine(world, situation, action, result):
    _, state, awaiting, flag = next(s for s in SITUATIONS if s[0] == situation)
    dep = _put(world, state, awaiting, flag, said=situation in SAID_DELIVERED)
    events_before = Event.objects.for_org(world.org).count()
    version = dep.version
    if result is not None:
        dep = services.transition(
            world.org, _actor(world, action), dep, action, **_args(world, action)
        )
        dep.refresh_from_db()
        assert dep.state == result
        assert dep.version == version + 1
        event = Event.objects.for_org(world.org).first()
        assert event.verb == services.VERBS[action]
        assert event.target_id == str(dep.pk)
        assert event.actor == _actor(world, action)
        note = _args(world, action).get("note")
        if note:
            assert event.after["note"] == note
    else:
        with pytest.raises(ServiceError) as exc:
            services.transition(
                world.org, _actor(world, action), dep, action, **_args(world, action)
            )
        assert exc.value.code == "illegal_transition"
        allowed = sorted(LEGAL[situation])
        message = exc.value.message
        if allowed:
            assert all(a in message for a in allowed), message
        else:
            assert "none (it is closed)" in message
        dep.refresh_from_db()
        assert (dep.state, dep.awaiting, dep.flag, dep.version) == (state, awaiting, flag, version)
        assert Event.objects.for_org(world.org).count() == events_before


def test_every_legal_action_appears_in_the_allowed_list(world):
    for name, state, awaiting, flag in SITUATIONS:
        said = world.today if name in SAID_DELIVERED else None
        dep = Dependency(state=state, awaiting=awaiting, flag=flag, marked_delivered_on=said)
        assert sorted(dep.allowed_actions()) == sorted(LEGAL[name]), name


def test_a_full_negotiation_ends_with_the_agreed_date_and_initiative(world):
    dep = world.request()
    proposed = world.today + dt.timedelta(days=50)
    countered = world.today + dt.timedelta(days=40)
    services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        proposed_date=proposed,
        provider_initiative=world.warehouse,
        note="We can do it after the warehouse opens.",
    )
    services.transition(
        world.org, world.asker, dep, "counter", proposed_date=countered, note="Too late for us."
    )
    dep.refresh_from_db()
    assert (dep.state, dep.awaiting, dep.proposed_date) == (
        State.NEGOTIATING,
        Side.PROVIDER,
        countered,
    )
    services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        proposed_date=countered,
        proposed_scope="Only the top 20 products",
    )
    services.transition(world.org, world.asker, dep, "agree")
    dep.refresh_from_db()
    assert dep.state == State.ACCEPTED
    assert dep.committed_date == countered
    assert dep.provider_initiative == world.warehouse
    assert dep.description == "Only the top 20 products"
    verbs = list(
        Event.objects.for_org(world.org)
        .for_target("coordination.dependency", dep.pk)
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "proposed", "countered", "proposed", "agreed"]


def test_accepting_needs_an_initiative_of_the_provider_and_a_date(world):
    dep = world.request()
    with pytest.raises(ServiceError) as exc:
        services.transition(
            world.org,
            world.giver,
            dep,
            "accept",
            provider_initiative=world.launch,
            committed_date=world.today,
        )
    assert "provider_initiative" in exc.value.fields
    with pytest.raises(ServiceError) as exc:
        services.transition(
            world.org, world.giver, dep, "accept", provider_initiative=world.warehouse
        )
    assert "committed_date" in exc.value.fields
    dep.refresh_from_db()
    assert dep.state == State.REQUESTED and dep.provider_initiative is None


def test_declining_and_cancelling_need_a_reason(world):
    dep = world.request()
    for action, actor in (("decline", world.giver), ("cancel", world.asker)):
        with pytest.raises(ServiceError) as exc:
            services.transition(world.org, actor, dep, action, note="  ")
        assert "note" in exc.value.fields
    dep.refresh_from_db()
    assert dep.state == State.REQUESTED
