"""Only the right team's members may take each action; a viewer may take none."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.coordination import services
from accord.coordination.models import TRANSITIONS, Dependency, Flag, Side, State
from accord.core.errors import PermissionDenied

# A situation in which each action is legal.
SETUP = {
    "accept": (State.REQUESTED, Side.PROVIDER, Flag.NONE),
    "decline": (State.REQUESTED, Side.PROVIDER, Flag.NONE),
    "propose": (State.REQUESTED, Side.PROVIDER, Flag.NONE),
    "counter": (State.NEGOTIATING, Side.REQUESTER, Flag.NONE),
    "agree": (State.NEGOTIATING, Side.REQUESTER, Flag.NONE),
    "confirm_delivery": (State.ACCEPTED, Side.PROVIDER, Flag.NONE),
    "mark_delivered": (State.ACCEPTED, Side.PROVIDER, Flag.NONE),
    "not_delivered": (State.ACCEPTED, Side.REQUESTER, Flag.NONE),  # said delivered
    "cancel": (State.ACCEPTED, Side.PROVIDER, Flag.NONE),
    "flag_at_risk": (State.ACCEPTED, Side.PROVIDER, Flag.NONE),
    "flag_blocked": (State.ACCEPTED, Side.PROVIDER, Flag.NONE),
    "clear_flag": (State.ACCEPTED, Side.PROVIDER, Flag.AT_RISK),
}


def _dep(world, action) -> Dependency:
    state, awaiting, flag = SETUP[action]
    dep = world.request()
    dep.state, dep.awaiting, dep.flag = state, awaiting, flag
    if state != State.REQUESTED:
        dep.provider_initiative = world.warehouse
        dep.committed_date = world.today + dt.timedelta(days=25)
        dep.proposed_date = world.today + dt.timedelta(days=40)
        dep.proposed_initiative = world.warehouse
    if action == "not_delivered":
        dep.marked_delivered_on = world.today
    dep.save()
    return dep


ARGS = {
    "accept": lambda w: {"provider_initiative": w.warehouse, "committed_date": w.today},
    "decline": lambda w: {"note": "No."},
    "propose": lambda w: {"provider_initiative": w.warehouse, "proposed_date": w.today},
    "counter": lambda w: {"proposed_date": w.today},
    "cancel": lambda w: {"note": "Not needed."},
    "not_delivered": lambda w: {"note": "Half of it."},
    "flag_at_risk": lambda w: {"note": "Hmm."},
    "flag_blocked": lambda w: {"note": "Stuck."},
}


def test_every_action_is_covered():
    assert set(SETUP) == set(TRANSITIONS)


@pytest.mark.parametrize("action", sorted(TRANSITIONS))
def test_only_the_right_side_may_act(world, action):
    side = TRANSITIONS[action].side
    allowed = {
        Side.PROVIDER: ["giver"],
        Side.REQUESTER: ["asker"],
        "either": ["giver", "asker"],
    }[side]
    refused = [p for p in ("giver", "asker", "bystander", "viewer") if p not in allowed]
    args = ARGS.get(action, lambda w: {})(world)
    for who in refused:
        dep = _dep(world, action)
        count = Event.objects.for_org(world.org).count()
        with pytest.raises(PermissionDenied):
            services.transition(world.org, getattr(world, who), dep, action, **args)
        dep.refresh_from_db()
        assert dep.state == SETUP[action][0] and dep.version == 1, who
        assert Event.objects.for_org(world.org).count() == count
    for who in allowed:
        dep = _dep(world, action)
        services.transition(world.org, getattr(world, who), dep, action, **args)
        assert Event.objects.for_org(world.org).first().actor == getattr(world, who)


def test_a_viewer_in_the_requesting_team_cannot_ask_for_anything(world):
    with pytest.raises(PermissionDenied):
        services.create_dependency(
            world.org,
            world.viewer,
            requester_initiative=world.launch,
            provider_team=world.ops,
            title="x",
            need_by=world.today,
        )
    assert not Dependency.objects.exists()


def test_only_members_of_the_requesting_team_may_ask(world):
    with pytest.raises(PermissionDenied):
        services.create_dependency(
            world.org,
            world.giver,
            requester_initiative=world.launch,
            provider_team=world.ops,
            title="x",
            need_by=world.today,
        )
    assert not Dependency.objects.exists()
