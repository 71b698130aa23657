"""A signal's stored severity rank (computed by the database on every write) equals the
rank of its severity after any sequence of writes, and ranked lists come in the order
the pages promise: most severe, widest reach, newest."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accord.intelligence import queries
from accord.intelligence.evaluate import _update_rows
from accord.intelligence.models import SEVERITY_RANK, Signal, SignalSeverity
from accord.org import services as org_services

pytestmark = pytest.mark.django_db

SEVERITIES = [s.value for s in SignalSeverity]
NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)

writes = st.lists(
    st.tuples(
        st.sampled_from(("create", "save", "update", "raw")),
        st.integers(0, 30),
        st.sampled_from(SEVERITIES),
        st.integers(0, 3),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=25,
)


def _apply(org, op, i, severity, reach, days):
    signals = list(Signal.objects.filter(org=org).order_by("pk"))
    if op == "create" or not signals:
        Signal.objects.create(
            org=org,
            kind="test.rank",
            severity=severity,
            subject_type="org.team",
            subject_id=str(len(signals) + i * 100),
            title="A signal",
            explanation="For the ranking test.",
            reach_teams=reach,
            reach_people=days,
            first_seen=NOW,
            last_seen=NOW - dt.timedelta(days=days),
        )
        return
    target = signals[i % len(signals)]
    if op == "save":  # through the model, as the services do
        target.severity, target.reach_teams = severity, reach
        target.save()
    elif op == "update":
        Signal.objects.filter(pk=target.pk).update(severity=severity, reach_people=reach)
    else:  # as an evaluation rewrites rows, without models
        _update_rows(Signal, [(target.pk, {"severity": severity, "last_seen": NOW})])


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=writes)
def test_the_stored_rank_follows_every_write(steps):
    with transaction.atomic():
        org = org_services.create_organization("Rankers", "rankers")
        for step in steps:
            _apply(org, *step)
        rows = list(
            Signal.objects.filter(org=org).values_list(
                "pk", "severity", "severity_rank", "reach_people", "reach_teams", "last_seen"
            )
        )
        for _pk, severity, rank, *_ in rows:
            assert rank == SEVERITY_RANK[SignalSeverity(severity)]
        expected = sorted(
            rows,
            key=lambda r: (SEVERITY_RANK[SignalSeverity(r[1])], r[3], r[4], r[5], r[0]),
            reverse=True,
        )
        got = list(queries.ranked(Signal.objects.filter(org=org)).values_list("pk", flat=True))
        assert got == [r[0] for r in expected]
        transaction.set_rollback(True)


def test_a_new_signal_knows_its_rank_once_saved():
    org = org_services.create_organization("Rankers", "rankers")
    signal = Signal.objects.create(
        org=org,
        kind="test.rank",
        severity="critical",
        subject_type="org.team",
        subject_id="1",
        title="A signal",
        explanation="For the ranking test.",
        first_seen=NOW,
        last_seen=NOW,
    )
    signal.refresh_from_db()
    assert signal.severity_rank == 2
