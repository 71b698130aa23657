"""The stored roll-up: each objective's rolled-up progress and whether work serves it.

Pages and the API read three stored columns of `Objective` instead of recomputing the
whole period on every request:

- `rollup_progress`: the weighted mean of its key results and its counted (not dropped)
  contributing objectives, over the whole alignment graph (see `progress.py` and
  `queries.objective_progress`); None when nothing counts;
- `covered`: a proposed or active initiative (`SERVING_INITIATIVE_STATUSES`: work planned
  or under way) serves it, one of its key results, or an objective that
  contributes to it (directly or not);
- `orphaned`: active, not covered, and of a period still open (a closed period's
  objectives are history: nothing is missing from them any more);

and one of `Initiative`: `aligned`, it serves at least one key result or objective (the
unaligned ones are the open initiatives that are not).

Every service that changes one of these inputs calls `refresh` with the objectives it
touched, inside its transaction; `refresh` recomputes them and their ancestors, children
first, in a number of queries bounded by the depth of the graph (not by the size of the
organization). `recompute` rebuilds a whole organization (bulk writers such as
`accord generate`, and the migration that added the columns); `computed` is the same full
recomputation without writing, which tests compare with the stored figures.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef

from accord.alignment.models import SERVING_INITIATIVE_STATUSES
from accord.alignment.progress import kr_progress, weighted_mean

KR_FIELDS = (
    "id",
    "objective_id",
    "direction",
    "start",
    "target",
    "current",
    "range_low",
    "range_high",
    "is_milestone",
    "done",
    "weight",
)
STORED = ("rollup_progress", "covered", "orphaned")
DROPPED, ACTIVE, CLOSED = "dropped", "active", "closed"


def _models(apps: Any = None) -> dict[str, type[models.Model]]:
    if apps is None:
        from django.apps import apps as live

        apps = live
    names = ("Objective", "ObjectiveLink", "KeyResult", "InitiativeKeyResult", "Initiative")
    out = {n: apps.get_model("alignment", n) for n in names}
    out["InitiativeObjective"] = apps.get_model("alignment", "InitiativeObjective")
    return out


def _served(m: dict, objective_ids: Iterable[int] | None, org_id: int | None) -> set[int]:
    """Objectives a proposed or active initiative serves directly or through one of their
    key results."""
    serving = {"initiative__status__in": SERVING_INITIATIVE_STATUSES}
    direct = m["InitiativeObjective"].objects.filter(**serving)
    through = m["InitiativeKeyResult"].objects.filter(**serving)
    if org_id is not None:
        direct, through = direct.filter(org_id=org_id), through.filter(org_id=org_id)
    if objective_ids is not None:
        ids = list(objective_ids)
        direct = direct.filter(objective_id__in=ids)
        through = through.filter(key_result__objective_id__in=ids)
    out = set(direct.values_list("objective_id", flat=True))
    out |= set(through.values_list("key_result__objective_id", flat=True))
    return out


def _figures(
    order: list[int],
    status: dict[int, str],
    krs_of: dict[int, list[tuple[float, float]]],
    children: dict[int, list[tuple[int, float]]],
    served: set[int],
    known: dict[int, tuple[float | None, bool]],
    closed: set[int],
) -> dict[int, tuple[float | None, bool, bool]]:
    """(progress, covered, orphaned) of each objective of `order`, children first.

    `known` holds the figures of objectives outside `order` (read from storage); `closed`
    the objectives of closed periods (never orphaned)."""
    out: dict[int, tuple[float | None, bool, bool]] = {}
    memo: dict[int, tuple[float | None, bool]] = dict(known)
    visiting: set[int] = set()
    for root in order:
        stack: list[tuple[int, bool]] = [(root, False)]
        while stack:
            oid, expanded = stack.pop()
            if oid in memo or oid not in status:
                continue
            if expanded:
                visiting.discard(oid)
                items: list[tuple[float | None, float]] = list(krs_of.get(oid, []))
                covered = oid in served
                for c, w in children.get(oid, []):
                    value, c_covered = memo.get(c, (None, False))
                    covered = covered or c_covered
                    if status.get(c) != DROPPED:
                        items.append((value, w))
                progress = weighted_mean(items)
                memo[oid] = (progress, covered)
                orphaned = status[oid] == ACTIVE and not covered and oid not in closed
                out[oid] = (progress, covered, orphaned)
                continue
            if oid in visiting:  # a cycle slipped in: cut it rather than loop
                continue
            visiting.add(oid)
            stack.append((oid, True))
            for c, _ in children.get(oid, []):
                if c in status and c not in memo and c not in visiting:
                    stack.append((c, False))
    return out


def _kr_items(rows: Iterable[dict[str, Any]]) -> dict[int, list[tuple[float, float]]]:
    krs_of: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for kr in rows:
        krs_of[kr["objective_id"]].append((kr_progress(kr), kr["weight"]))
    return krs_of


def computed(org_id: int, *, apps: Any = None) -> dict[int, tuple[float | None, bool, bool]]:
    """The full recomputation for one organization: objective id -> (progress, covered,
    orphaned), from the key results, links and initiatives alone (never the stored figures)."""
    m = _models(apps)
    rows = list(
        m["Objective"].objects.filter(org_id=org_id).values_list("id", "status", "period__state")
    )
    status = {oid: s for oid, s, _ in rows}
    closed = {oid for oid, _, state in rows if state == CLOSED}
    krs = (
        m["KeyResult"]
        .objects.filter(org_id=org_id)
        .order_by("position", "id")
        .values(*KR_FIELDS, "position")
    )
    children: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for child, parent, weight in (
        m["ObjectiveLink"]
        .objects.filter(org_id=org_id)
        .order_by("id")
        .values_list("child_id", "parent_id", "weight")
    ):
        children[parent].append((child, weight))
    served = _served(m, None, org_id)
    return _figures(list(status), status, _kr_items(krs), children, served, {}, closed)


def recompute(org_id: int, *, apps: Any = None) -> int:
    """Rebuild the stored figures of a whole organization; returns how many objectives
    changed."""
    m = _models(apps)
    figures = computed(org_id, apps=apps)
    _set_aligned(m, m["Initiative"].objects.filter(org_id=org_id))
    return _store(m["Objective"], figures)


def _aligned_expression(m: dict):
    return Exists(m["InitiativeKeyResult"].objects.filter(initiative_id=OuterRef("pk"))) | Exists(
        m["InitiativeObjective"].objects.filter(initiative_id=OuterRef("pk"))
    )


def _set_aligned(m: dict, initiatives) -> None:
    initiatives.update(aligned=_aligned_expression(m))


class _Deferred:
    """Objectives and initiatives whose refresh waits for `flush` (see `deferred`)."""

    def __init__(self) -> None:
        self.objectives: set[int] = set()
        self.initiatives: set[int] = set()


def _pending() -> _Deferred | None:
    return getattr(transaction.get_connection(), "_accord_rollups_deferred", None)


@contextmanager
def deferred() -> Iterator[_Deferred]:
    """Within this block (inside a transaction), `refresh` and `refresh_aligned` only note
    what they were given; `flush()` (called at the end of the block, and by a writer of
    many objects before each commit) recomputes it all at once. A bulk writer (applying an
    organization file) so refreshes each objective once instead of once per write."""
    conn = transaction.get_connection()
    if getattr(conn, "_accord_rollups_deferred", None) is not None:
        yield conn._accord_rollups_deferred  # nested: the outer block flushes
        return
    pending = conn._accord_rollups_deferred = _Deferred()
    try:
        yield pending
        flush()
    finally:
        conn._accord_rollups_deferred = None


def flush() -> None:
    """Refresh what a `deferred` block noted so far (nothing outside one)."""
    pending = _pending()
    if pending is None:
        return
    objectives, initiatives = pending.objectives, pending.initiatives
    pending.objectives, pending.initiatives = set(), set()
    conn = transaction.get_connection()
    conn._accord_rollups_deferred = None
    try:
        refresh(objectives)
        refresh_aligned(initiatives)
    finally:
        conn._accord_rollups_deferred = pending


def refresh_aligned(initiative_ids: Iterable[int]) -> None:
    """Recompute `aligned` of these initiatives (after their links changed), in one query."""
    ids = [i for i in initiative_ids if i is not None]
    pending = _pending()
    if pending is not None:
        pending.initiatives.update(ids)
        return
    if ids:
        m = _models()
        _set_aligned(m, m["Initiative"].objects.filter(pk__in=ids))


def computed_aligned(org_id: int) -> dict[int, bool]:
    """The full recomputation of `aligned` for one organization (for tests)."""
    m = _models()
    return dict(
        m["Initiative"]
        .objects.filter(org_id=org_id)
        .annotate(really=_aligned_expression(m))
        .values_list("id", "really")
    )


def _store(model, figures: dict[int, tuple[float | None, bool, bool]]) -> int:
    if not figures:
        return 0
    current = {
        row[0]: row[1:]
        for row in model.objects.filter(pk__in=list(figures)).values_list("id", *STORED)
    }
    changed = []
    for oid, values in figures.items():
        if oid in current and current[oid] != values:
            changed.append(model(pk=oid, **dict(zip(STORED, values, strict=True))))
    model.objects.bulk_update(changed, list(STORED), batch_size=500)
    return len(changed)


def ancestors(objective_ids: Iterable[int]) -> set[int]:
    """Ids of the objectives that `objective_ids` contribute to, directly or not: one query
    per level of the graph."""
    from accord.alignment.models import ObjectiveLink

    seen: set[int] = set()
    frontier = set(objective_ids)
    while frontier:
        parents = set(
            ObjectiveLink.objects.filter(child_id__in=frontier).values_list("parent_id", flat=True)
        )
        frontier = parents - seen
        seen |= frontier
    return seen


def refresh(objective_ids: Iterable[int]) -> None:
    """Recompute the stored figures of `objective_ids` and of everything they roll into.

    Call inside the transaction of the write that changed their inputs (key results,
    links, weights, statuses, the initiatives serving them); objectives already deleted
    are skipped."""
    from accord.alignment.models import KeyResult, Objective, ObjectiveLink

    touched = {oid for oid in objective_ids if oid is not None}
    pending = _pending()
    if pending is not None:
        pending.objectives |= touched
        return
    if not touched:
        return
    affected = touched | ancestors(touched)
    rows = list(
        Objective.objects.filter(pk__in=affected).values_list("id", "status", "period__state")
    )
    status = {oid: s for oid, s, _ in rows}
    closed = {oid for oid, _, state in rows if state == CLOSED}
    if not status:
        return
    ids = list(status)
    krs = (
        KeyResult.objects.filter(objective_id__in=ids).order_by("position", "id").values(*KR_FIELDS)
    )
    children: dict[int, list[tuple[int, float]]] = defaultdict(list)
    known: dict[int, tuple[float | None, bool]] = {}
    status_outside: dict[int, str] = {}
    for child, parent, weight, c_status, c_progress, c_covered in (
        ObjectiveLink.objects.filter(parent_id__in=ids)
        .order_by("id")
        .values_list(
            "child_id",
            "parent_id",
            "weight",
            "child__status",
            "child__rollup_progress",
            "child__covered",
        )
    ):
        children[parent].append((child, weight))
        if child not in status:
            known[child] = (c_progress, c_covered)
            status_outside[child] = c_status
    all_status = {**status_outside, **status}
    served = _served(_models(), ids, None)
    figures = _figures(ids, all_status, _kr_items(krs), children, served, known, closed)
    _store(Objective, {oid: f for oid, f in figures.items() if oid in status})
