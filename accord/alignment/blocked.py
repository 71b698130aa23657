"""The stored "blocked" figure of an initiative: `Initiative.blocked_from`.

An open initiative is blocked on a day when one of the dependencies it needs (and its
provider has not said was delivered) is flagged blocked, is late (its due date, the
committed one or else the need-by, is before that day), or was declined while nothing
else is planned to get it (the same rule as `coordination.queries.blocked_reasons` and
the `dependencies.declined_unplanned` signal, all three through `unplanned_declines`).

A declined request has something else planned to get it only when the initiative asked
again after the decline: a request of the same initiative, of any team, made since it was
declined and still active or delivered. The initiative's other requests, made before,
are for other needs and plan nothing for this one.

Lateness moves with the calendar, so a yes/no flag could not stay exact without a daily
job. The stored figure is instead the first day on which the initiative counts as
blocked given its dependencies as they stand, which only a write can change:

- `date.min` when an active dependency is flagged blocked, or one was declined and
  nothing asked since replaced it (blocked whatever the day);
- else the day after the earliest due date of its active dependencies;
- else None (nothing it needs can block it).

So "blocked on `day`" is `status` open and `blocked_from <= day`: one indexed column
read by the initiatives list's filter, with no correlated subqueries per row.

The coordination services call `refresh` with the requesting initiatives of every
dependency they create or change, inside their transaction; `recompute` rebuilds a
whole organization (bulk writers such as `accord generate`, and the migration that added
the column); `computed` is the full recomputation without writing, which tests compare
with the stored figure. Dependencies are read by name, so alignment does not import
coordination.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypeVar

ACTIVE = ("requested", "negotiating", "accepted")
DECLINED = "declined"
DELIVERED = "delivered"
FLAG_BLOCKED = "blocked"
ALWAYS = dt.date.min
_DAY = dt.timedelta(days=1)
K = TypeVar("K")


def _models(apps: Any = None):
    if apps is None:
        from django.apps import apps as live

        apps = live
    return apps.get_model("alignment", "Initiative"), apps.get_model("coordination", "Dependency")


def unplanned_declines(
    rows: Iterable[tuple[K, str, dt.datetime, dt.datetime | None]],
) -> set[K]:
    """The declined requests among one initiative's requests, given as (key, state,
    created_at, closed_at), that nothing replaced: no request of that initiative made
    after it was declined (of any team) is active or delivered. The one rule for the stored
    figure, `coordination.queries.blocked_reasons` and the `dependencies.declined_unplanned`
    signal. A declined request without a closing moment counts from its asking."""
    rows = list(rows)
    asked = [made for _, state, made, _ in rows if state in ACTIVE or state == DELIVERED]
    last = max(asked, default=None)
    return {
        key
        for key, state, made, closed in rows
        if state == DECLINED and (last is None or last <= (closed or made))
    }


def blocked_from(
    rows: Iterable[tuple[str, str, dt.date | None, dt.date, dt.datetime, dt.datetime | None]],
) -> dt.date | None:
    """The stored figure from one initiative's dependencies as (state, flag,
    committed_date, need_by, created_at, closed_at) rows."""
    rows = list(rows)
    first: dt.date | None = None
    for state, flag, committed, need_by, _, _ in rows:
        if state in ACTIVE:
            if flag == FLAG_BLOCKED:
                return ALWAYS
            day = (committed or need_by) + _DAY
            first = day if first is None else min(first, day)
    if unplanned_declines((i, r[0], r[4], r[5]) for i, r in enumerate(rows)):
        return ALWAYS
    return first


def _computed(Dependency, **filters) -> dict[int, dt.date | None]:
    # One its provider said was delivered counts as delivered, as coordination's `late_q`
    # has it (the field is newer than the migration that first filled the figure).
    said = ["marked_delivered_on"] if hasattr(Dependency, "marked_delivered_on") else []
    rows = (
        Dependency.objects.filter(state__in=(*ACTIVE, DECLINED, DELIVERED), **filters)
        .order_by()
        .values_list(
            "requester_initiative_id",
            *("state", "flag", "committed_date", "need_by", "created_at", "closed_at"),
            *said,
        )
    )
    by_initiative: dict[int, list[tuple]] = {}
    for init_id, state, *rest in rows:
        if said and rest.pop() is not None and state in ACTIVE:
            state = DELIVERED
        by_initiative.setdefault(init_id, []).append((state, *rest))
    return {i: blocked_from(r) for i, r in by_initiative.items()}


def computed(org_id: int, *, apps: Any = None) -> dict[int, dt.date | None]:
    """The full recomputation for one organization: every initiative's figure."""
    Initiative, Dependency = _models(apps)
    found = _computed(Dependency, org_id=org_id)
    ids = Initiative.objects.filter(org_id=org_id).values_list("id", flat=True)
    return {i: found.get(i) for i in ids}


def _store(Initiative, figures: dict[int, dt.date | None], current: dict) -> int:
    changed = [i for i, v in figures.items() if current.get(i) != v]
    by_value: dict[dt.date | None, list[int]] = {}
    for i in changed:
        by_value.setdefault(figures[i], []).append(i)
    for value, ids in by_value.items():
        for start in range(0, len(ids), 500):
            Initiative.objects.filter(pk__in=ids[start : start + 500]).update(blocked_from=value)
    return len(changed)


def refresh(initiative_ids: Iterable[int | None]) -> None:
    """Recompute the figure of these initiatives (after their dependencies changed): two
    queries and one update per distinct value."""
    ids = sorted({i for i in initiative_ids if i is not None})
    if not ids:
        return
    Initiative, Dependency = _models()
    found = _computed(Dependency, requester_initiative_id__in=ids)
    current = dict(Initiative.objects.filter(pk__in=ids).values_list("id", "blocked_from"))
    _store(Initiative, {i: found.get(i) for i in ids}, current)


def recompute(org_id: int, *, apps: Any = None) -> int:
    """Rebuild the figure of a whole organization; returns how many initiatives changed."""
    Initiative, _ = _models(apps)
    figures = computed(org_id, apps=apps)
    current = dict(Initiative.objects.filter(org_id=org_id).values_list("id", "blocked_from"))
    return _store(Initiative, figures, current)
