"""The stored roll-up (each objective's progress, covered and orphaned flags, each
initiative's aligned flag) equals a full recomputation after any sequence of writes
through the services."""

from __future__ import annotations

import math

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accord.alignment import queries, rollups
from accord.alignment import services as s
from accord.alignment.models import Initiative, KeyResult, KeyResultValue, Objective
from accord.core.errors import ServiceError

OPS = (
    "objective",
    "key_result",
    "value",
    "kr_weight",
    "link",
    "unlink",
    "status",
    "initiative",
    "initiative_status",
    "serve",
    "unserve",
    "delete_kr",
    "delete_objective",
    "delete_initiative",
    "import_values",
    "void_value",
    "backdated_value",
)
STATUSES = ("active", "draft", "dropped", "achieved")
DIRECTIONS = ("increase", "decrease", "above", "below", "range")

steps = st.lists(
    st.tuples(
        st.sampled_from(OPS),
        st.integers(0, 50),
        st.integers(0, 50),
        st.floats(-50, 150, allow_nan=False),
    ),
    min_size=1,
    max_size=25,
)


def _pick(items, i):
    return items[i % len(items)] if items else None


def _apply(org, plan, op, a, b, x):
    objectives = list(Objective.objects.for_org(org).order_by("id"))
    krs = list(KeyResult.objects.for_org(org).order_by("id"))
    initiatives = list(Initiative.objects.for_org(org).order_by("id"))
    teams = [plan.sales, *{o.team for o in objectives if o.team}]
    if op == "objective":
        period = plan.year if a % 4 == 0 else plan.q1
        parents = [p for p in [_pick(objectives, b)] if p and p.period.encloses(period)]
        s.create_objective(
            org, None, title=f"O{a}", period=period, team=_pick(teams, a), parents=parents
        )
    elif op == "key_result" and objectives:
        direction = DIRECTIONS[a % len(DIRECTIONS)]
        extra = {"range_low": x - 10, "range_high": x + 10} if direction == "range" else {}
        s.create_key_result(
            org,
            None,
            _pick(objectives, a),
            name=f"K{a}",
            direction=direction,
            start=b,
            target=x,
            is_milestone=a % 7 == 0,
            weight=1 + b % 3,
            **extra,
        )
    elif op == "value" and krs:
        kr = _pick(krs, a)
        s.record_key_result_value(org, None, kr, (b % 2) if kr.is_milestone else x)
    elif op == "import_values" and krs:
        kr = _pick(krs, a)
        import datetime as dt

        at = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
        s.import_key_result_values(org, None, kr, [(at, b % 2 if kr.is_milestone else x)])
    elif op == "backdated_value" and krs:
        kr = _pick(krs, a)
        import datetime as dt

        at = dt.datetime(2026, 2, 1, tzinfo=dt.UTC) + dt.timedelta(hours=b)
        s.record_key_result_value(org, None, kr, (b % 2) if kr.is_milestone else x, at=at)
    elif op == "void_value" and krs:
        kr = _pick(krs, a)
        values = list(KeyResultValue.objects.filter(key_result=kr).order_by("id"))
        s.void_key_result_value(org, None, _pick(values, b))
    elif op == "kr_weight" and krs:
        s.update_key_result(org, None, _pick(krs, a), weight=0.5 + b % 4)
    elif op == "link" and len(objectives) > 1:
        s.link_objective(org, None, _pick(objectives, a), _pick(objectives, b), 0.5 + a % 3)
    elif op == "unlink" and objectives:
        child = _pick(objectives, a)
        link = child.parent_links.first()
        if link:
            s.unlink_objective(org, None, child, link.parent)
    elif op == "status" and objectives:
        s.update_objective(org, None, _pick(objectives, a), status=STATUSES[b % len(STATUSES)])
    elif op == "initiative":
        s.create_initiative(
            org,
            None,
            team=_pick(teams, a),
            title=f"I{a}",
            status="active" if b % 2 else "proposed",
            key_results=[k for k in [_pick(krs, b)] if k and a % 3 == 0],
            objectives=[o for o in [_pick(objectives, b)] if o and a % 3 == 1],
        )
    elif op == "initiative_status" and initiatives:
        s.set_initiative_status(
            org, None, _pick(initiatives, a), ("active", "paused", "done", "proposed")[b % 4]
        )
    elif op == "serve" and initiatives:
        target = (
            {"key_result": _pick(krs, b)} if a % 2 and krs else {"objective": _pick(objectives, b)}
        )
        if all(target.values()):
            s.link_initiative(org, None, _pick(initiatives, a), **target)
    elif op == "unserve" and initiatives:
        i = _pick(initiatives, a)
        link = i.kr_links.first() or i.objective_links.first()
        if link:
            kind = "key_result" if hasattr(link, "key_result_id") else "objective"
            s.unlink_initiative(org, None, i, **{kind: getattr(link, kind)})
    elif op == "delete_kr" and krs:
        s.delete_key_result(org, None, _pick(krs, a))
    elif op == "delete_objective" and len(objectives) > 3:
        s.delete_objective(org, None, _pick(objectives, a))
    elif op == "delete_initiative" and initiatives:
        s.delete_initiative(org, None, _pick(initiatives, a))


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, abs_tol=1e-9)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
# Sequences worth trying every time: work that stops, a value recorded, a link removed.
@example(
    steps=[("key_result", 0, 0, 10.0), ("initiative", 0, 1, 0.0), ("initiative_status", 0, 1, 0.0)]
)
@example(steps=[("key_result", 0, 0, 10.0), ("value", 0, 0, 5.0)])
# a mistaken value voided: the key result falls back to the one before, the figures follow
@example(steps=[("key_result", 1, 20, 10.0), ("value", 0, 0, 15.0), ("void_value", 0, 1, 0.0)])
# a value dated before the newest: history only, the current value and figures stay
@example(steps=[("key_result", 1, 20, 10.0), ("value", 0, 0, 15.0), ("backdated_value", 0, 1, 0.0)])
@example(steps=[("initiative", 1, 1, 0.0), ("unserve", 0, 0, 0.0), ("delete_objective", 0, 0, 0.0)])
@example(steps=[("status", 1, 2, 0.0), ("link", 2, 0, 0.0), ("unlink", 2, 0, 0.0)])
def test_stored_figures_equal_a_full_recomputation(plan, cast, steps):
    org = cast.org
    with transaction.atomic():
        for op, a, b, x in steps:
            try:
                with transaction.atomic():
                    _apply(org, plan, op, a, b, x)
            except ServiceError:
                pass  # a refused write changes nothing
            # after every write, not only at the end: a later write may hide a stale figure
            _assert_stored_equal_computed(org)
            _assert_current_is_the_latest_value(org)
        # The figures a period's page used to compute on every request agree too.
        stored = {
            o["id"]: o
            for o in Objective.objects.for_org(org).values("id", "period_id", *rollups.STORED)
        }
        for period in (plan.q1, plan.year):
            r = queries.rollup(org, period)
            orphaned_ids = set(queries.orphaned_ids(org, r, period))
            for oid, row in stored.items():
                if row["period_id"] == period.pk:
                    assert _same(row["rollup_progress"], r.objective_progress.get(oid))
                    assert row["orphaned"] == (oid in orphaned_ids)
        transaction.set_rollback(True)


def test_recompute_repairs_figures_written_without_the_services(plan, cast):
    Objective.objects.filter(pk=plan.company.pk).update(rollup_progress=42.0, orphaned=False)
    assert rollups.recompute(cast.org.pk) == 1
    company = Objective.objects.get(pk=plan.company.pk)
    assert company.rollup_progress is None and company.orphaned


def _assert_current_is_the_latest_value(org) -> None:
    """Each key result's current value (and a milestone's done) is its latest recorded
    value by date, ties to the latest recorded: what the figures are computed from."""
    latest: dict[int, float] = {}
    for kr_id, value in (
        KeyResultValue.objects.filter(org=org)
        .order_by("recorded_at", "id")
        .values_list("key_result_id", "value")
    ):
        latest[kr_id] = value
    for kr in KeyResult.objects.for_org(org):
        assert kr.current == latest[kr.pk], kr
        if kr.is_milestone:
            assert kr.done == (latest[kr.pk] == 1.0), kr


def _assert_stored_equal_computed(org) -> None:
    expected = rollups.computed(org.pk)
    stored = {
        row[0]: row[1:] for row in Objective.objects.for_org(org).values_list("id", *rollups.STORED)
    }
    assert set(stored) == set(expected)
    for oid, (progress, covered, orphaned) in expected.items():
        got_progress, got_covered, got_orphaned = stored[oid]
        assert _same(got_progress, progress) and (got_covered, got_orphaned) == (
            covered,
            orphaned,
        ), oid
    aligned = dict(Initiative.objects.for_org(org).values_list("id", "aligned"))
    assert aligned == rollups.computed_aligned(org.pk)


def test_an_imported_organization_has_its_figures_stored(db):
    """Imports (accord/interchange) write through the services, so the copy of the demo
    organization they build has the same stored figures as a recomputation."""
    from accord import demo
    from accord.interchange import services as interchange
    from accord.org.models import Organization

    org = demo.load()
    _assert_stored_equal_computed(org)
    outcome = interchange.apply_file(interchange.export_text(org), org_slug="northwind-copy")
    assert outcome.ok, outcome.report.as_text()
    copy = Organization.objects.get(slug="northwind-copy")
    _assert_stored_equal_computed(copy)
    assert Objective.objects.for_org(copy).filter(orphaned=True).count() == (
        Objective.objects.for_org(org).filter(orphaned=True).count()
    )
