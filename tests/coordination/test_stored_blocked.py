"""The initiatives' stored "blocked from" day equals a full recomputation after any
sequence of dependency writes through the services, and the initiatives list's "blocked"
filter built on it picks exactly the initiatives `blocked_reasons` calls blocked, on any
day."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.alignment import blocked, queries
from accord.alignment import services as alignment
from accord.alignment.models import OPEN_INITIATIVE_STATUSES, Initiative
from accord.coordination import queries as coordination
from accord.coordination import services
from accord.coordination.models import TRANSITIONS, Dependency
from accord.core.errors import ServiceError
from tests.coordination.conftest import initiative

ACTIONS = tuple(TRANSITIONS)
STATES = ("requested", "negotiating", "accepted", "declined", "delivered", "cancelled")

steps = st.lists(
    st.tuples(
        st.sampled_from(("create", "record", "act", "act", "act", "status")),
        st.integers(0, 50),
        st.integers(0, 50),
        st.integers(-20, 40),  # days from today
    ),
    min_size=1,
    max_size=15,
)


def _pick(items, i):
    return items[i % len(items)] if items else None


def _apply(world, initiatives, op, a, b, days):
    org, today = world.org, world.today
    day = today + dt.timedelta(days=days)
    requester = _pick(initiatives, a)
    provider = world.ops if requester.team_id == world.sales.pk else world.sales
    deps = list(Dependency.objects.for_org(org).order_by("id"))
    if op == "create":
        services.create_dependency(
            org,
            None,
            requester_initiative=requester,
            provider_team=provider,
            title=f"D{a}",
            need_by=day,
        )
    elif op == "record":
        state = STATES[b % len(STATES)]
        giver = world.warehouse if provider == world.ops else world.launch
        services.record_dependency(
            org,
            None,
            requester_initiative=requester,
            provider_team=provider,
            title=f"R{a}",
            need_by=day,
            state=state,
            committed_date=day + dt.timedelta(days=b % 7) if b % 3 == 0 else None,
            provider_initiative=giver if state != "requested" else None,
            flag="blocked" if b % 5 == 0 and state in ("requested", "accepted") else "",
            flag_note="stuck" if b % 5 == 0 else "",
        )
    elif op == "act" and deps:
        dep = _pick(deps, a)
        giver = world.warehouse if dep.provider_team_id == world.ops.pk else world.launch
        services.transition(
            org,
            None,
            dep,
            ACTIONS[b % len(ACTIONS)],
            note="because",
            committed_date=day,
            provider_initiative=giver,
            proposed_date=day,
        )
    elif op == "status":
        # The initiative's own status is read live, not stored: still exact.
        alignment.set_initiative_status(
            org,
            None,
            requester,
            ("active", "paused", "done", "proposed")[b % 4],
            override_reason="Shipped without it",
        )


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_stored_blocked_day_equals_a_full_recomputation(world, steps):
    org = world.org
    with transaction.atomic():
        third = initiative(org, world.sales, "Partner portal")
        initiatives = [world.launch, world.warehouse, third]
        for op, a, b, days in steps:
            try:
                with transaction.atomic():
                    _apply(world, initiatives, op, a, b, days)
            except ServiceError:
                pass  # refused writes change nothing
        stored = dict(Initiative.objects.for_org(org).values_list("id", "blocked_from"))
        assert stored == blocked.computed(org.pk)
        open_ids = list(
            Initiative.objects.for_org(org)
            .filter(status__in=OPEN_INITIATIVE_STATUSES)
            .values_list("id", flat=True)
        )
        for shift in (-30, 0, 1, 10, 50):
            on = world.today + dt.timedelta(days=shift)
            expected = set(coordination.blocked_reasons(org, open_ids, on))
            f = queries.InitiativeFilters(blocked=True)
            assert set(queries.initiative_list(org, f, today=on).values_list("id", flat=True)) == (
                expected
            )
            f = queries.InitiativeFilters(blocked=False)
            assert set(queries.initiative_list(org, f, today=on).values_list("id", flat=True)) == (
                set(stored) - expected
            )
        transaction.set_rollback(True)


def test_recompute_repairs_a_figure_written_without_the_services(world):
    dep = world.request()
    services.transition(world.org, None, dep, "flag_blocked", note="No stock")
    world.launch.refresh_from_db()
    assert world.launch.blocked_from == dt.date.min
    Initiative.objects.filter(pk=world.launch.pk).update(blocked_from=None)
    assert blocked.recompute(world.org.pk) == 1
    world.launch.refresh_from_db()
    assert world.launch.blocked_from == dt.date.min
    services.transition(world.org, None, dep, "clear_flag")
    world.launch.refresh_from_db()
    assert world.launch.blocked_from == world.today + dt.timedelta(days=31)


def test_a_delivered_dependency_past_its_date_blocks_nothing(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=2))
    services.transition(
        world.org,
        None,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=2),
    )
    services.transition(world.org, None, dep, "confirm_delivery")
    later = world.today + dt.timedelta(days=10)
    assert coordination.blocked_reasons(world.org, [world.launch.pk], later) == {}
    f = queries.InitiativeFilters(blocked=True)
    assert not queries.initiative_list(world.org, f, today=later).exists()


def test_a_need_by_tied_to_a_milestone_moves_the_blocked_day_with_it(world, cast):
    """Tying a need-by to a milestone, and moving that milestone, change the day a
    dependency is late, so the day its requesting initiative counts as blocked."""
    from accord.alignment import milestones

    def stored():
        world.launch.refresh_from_db()
        return world.launch.blocked_from

    dep = world.request(need_by=world.today + dt.timedelta(days=30))
    assert stored() == world.today + dt.timedelta(days=31)
    freeze = milestones.create_milestone(
        world.org, cast.admin, name="Freeze", date=world.today + dt.timedelta(days=10)
    )
    services.tie_to_milestone(world.org, world.asker, dep, freeze)
    assert (
        stored()
        == world.today + dt.timedelta(days=11)
        == blocked.computed(world.org.pk)[world.launch.pk]
    )
    milestones.move_milestone(world.org, cast.admin, freeze, world.today - dt.timedelta(days=2))
    assert stored() == world.today - dt.timedelta(days=1)
    assert blocked.computed(world.org.pk)[world.launch.pk] == stored()
    f = queries.InitiativeFilters(blocked=True)
    assert world.launch.pk in set(
        queries.initiative_list(world.org, f).values_list("id", flat=True)
    )
