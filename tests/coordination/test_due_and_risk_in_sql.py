"""The stored due date and the SQL filters for late and at risk agree with the rules in
Python (`Dependency.due_date`, `queries.decorate`) after any sequence of writes.

Lists sort and filter in the database (the overview, the API's `late` and `at_risk`
filters), pages explain each row in Python: both must say the same of every dependency.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accord.coordination import queries, services
from accord.coordination.models import Dependency
from accord.core.errors import ServiceError
from tests.coordination.conftest import initiative

ACTIONS = (
    "accept",
    "propose",
    "counter",
    "agree",
    "decline",
    "cancel",
    "confirm_delivery",
    "flag_at_risk",
    "flag_blocked",
    "clear_flag",
)

step = st.one_of(
    st.tuples(st.just("create"), st.booleans(), st.integers(0, 3), st.integers(1, 60)),
    st.tuples(st.sampled_from(ACTIONS), st.integers(0, 20), st.integers(0, 3), st.integers(1, 90)),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=14))
# Accepted onto a paused initiative.
@example(steps=[("create", True, 0, 10), ("accept", 0, 2, 20)])
# Accepted onto an initiative that is itself blocked by what it asked for.
@example(
    steps=[
        ("create", False, 0, 10),
        ("flag_blocked", 0, 0, 1),
        ("create", True, 0, 10),
        ("accept", 1, 0, 15),
    ]
)
# Accepted onto an initiative that targets a date after the commitment.
@example(steps=[("create", True, 0, 10), ("accept", 0, 1, 20)])
def test_sql_and_python_agree_on_due_late_and_at_risk(world, steps):
    with transaction.atomic():
        _play(world, steps)
        transaction.set_rollback(True)


def _play(world, steps):
    org, today = world.org, world.today
    # Initiatives of both teams: on time, late against a commitment, paused.
    mine = {
        world.sales: [
            world.launch,
            initiative(org, world.sales, "Sales later", target=today + dt.timedelta(days=90)),
        ],
        world.ops: [
            world.warehouse,
            initiative(org, world.ops, "Ops later", target=today + dt.timedelta(days=80)),
            initiative(org, world.ops, "Ops paused", status="paused"),
        ],
    }
    people = {world.sales: world.asker, world.ops: world.giver}
    deps: list[Dependency] = []
    for kind, a, b, days in steps:
        try:
            if kind == "create":
                asks, gives = (world.sales, world.ops) if a else (world.ops, world.sales)
                deps.append(
                    services.create_dependency(
                        org,
                        people[asks],
                        requester_initiative=mine[asks][b % len(mine[asks])],
                        provider_team=gives,
                        title=f"Thing {len(deps)}",
                        need_by=today + dt.timedelta(days=days),
                    )
                )
                continue
            if not deps:
                continue
            dep = Dependency.objects.get(pk=deps[a % len(deps)].pk)
            provider = dep.provider_team
            side = (
                provider
                if kind in ("accept", "propose", "decline")
                or (kind.startswith("flag") and b % 2)
                or (kind == "clear_flag" and b % 2)
                else dep.requester_team
            )
            choice = mine[provider][b % len(mine[provider])]
            services.transition(
                org,
                people[side],
                dep,
                kind,
                note="Because",
                committed_date=today + dt.timedelta(days=days),
                provider_initiative=choice,
                proposed_date=today + dt.timedelta(days=days),
            )
        except ServiceError:
            pass  # an illegal move changes nothing; the rules must still agree
    for on in (today, today + dt.timedelta(days=30), today + dt.timedelta(days=75)):
        rows = queries.decorate(queries.base(org), on)
        for d in rows:
            assert d.due == d.due_date, d
        assert {d.pk for d in rows if d.late} == set(
            queries.filtered(org, late=True, on=on).values_list("id", flat=True)
        )
        assert {d.pk for d in rows if d.at_risk} == set(
            queries.filtered(org, at_risk=True, on=on).values_list("id", flat=True)
        )
        assert {d.pk for d in rows if not d.at_risk} == set(
            queries.filtered(org, at_risk=False, on=on).values_list("id", flat=True)
        )
        ordered = list(queries.filtered(org, on=on).values_list("id", flat=True))
        assert ordered == [d.pk for d in sorted(rows, key=lambda d: (d.due_date, d.pk))]
