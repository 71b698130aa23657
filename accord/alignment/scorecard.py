"""A period's scorecard of a department: each objective of the period of the team and the
teams below it (or of the whole organization), with its progress, its confidence now and
as it was when the period began, its status, and what slipped during the period (the
work serving it re-planned to a later target date). The page, its CSV and its print read
the same rows (`rows`): a few queries whatever the number of objectives, at most
`ROWS_MAX` of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from accord.alignment.models import (
    ConfidenceUpdate,
    InitiativeKeyResult,
    InitiativeObjective,
    Objective,
    Period,
    Replan,
)
from accord.core.days import org_day, org_day_start
from accord.org.models import Organization, Team
from accord.org.queries import subtree_ids

ROWS_MAX = 500
CSV_COLUMNS = [
    "objective_id",
    "objective",
    "team",
    "owner",
    "status",
    "progress",
    "confidence_at_start",
    "confidence_first_given_on",
    "confidence_now",
    "slipped",
]


@dataclass
class Slip:
    """One re-planning of a piece of work serving the objective, to a later date."""

    initiative: str
    was: dt.date
    now: dt.date
    at: dt.datetime
    reason: str


@dataclass
class Row:
    objective: Objective
    # Confidence as it stood at the end of the period's first day; where none was given by
    # then, the first given during the period, on `start_given` (None: none in it either).
    confidence_start: int | None
    slipped: list[Slip] = field(default_factory=list)
    start_given: dt.datetime | None = None

    @property
    def confidence_now(self) -> int | None:
        return self.objective.confidence

    @property
    def confidence_change(self) -> int | None:
        if self.confidence_start is None or self.confidence_now is None:
            return None
        return self.confidence_now - self.confidence_start


class Rows(list):
    """The rows a scorecard shows, with `total`: how many objectives the period has in its
    scope, more than the rows when they were cut at the limit (the page says "the first
    500 of 2,007", not "500")."""

    total: int = 0


def rows(
    org: Organization, period: Period, team: Team | None = None, *, limit: int = ROWS_MAX
) -> tuple[Rows, bool]:
    """The scorecard's rows, by team and title (`Rows`, with how many there are in all),
    and whether there were more than `limit`. Five queries (six with a team; one more to
    count them all when there are more)."""
    qs = Objective.objects.for_org(org).filter(period=period)
    if team is not None:
        qs = qs.filter(team_id__in=subtree_ids(team))
    found = list(
        qs.select_related("team", "owner").order_by("team__name", "title", "id")[: limit + 1]
    )
    more = len(found) > limit
    total = qs.count() if more else len(found)
    found = found[:limit]
    ids = [o.pk for o in found]
    if not ids:
        return Rows(), more
    # Confidence when the period began: the last given by the end of its first day, else
    # the first given during the period (with when).
    began = org_day_start(period.start + dt.timedelta(days=1))
    ended = org_day_start(period.end + dt.timedelta(days=1))
    start: dict[int, tuple[int, dt.datetime | None]] = {}
    for oid, value, at in (
        ConfidenceUpdate.objects.filter(org=org, objective_id__in=ids, at__lt=ended)
        .order_by("objective_id", "at", "id")
        .values_list("objective_id", "confidence", "at")
    ):
        if at < began:
            start[oid] = (value, None)
        elif oid not in start:
            start[oid] = (value, at)
    # What slipped: the work serving each objective (directly or through one of its key
    # results) re-planned during the period to a later target date.
    serves: dict[int, set[int]] = {}
    for iid, oid in InitiativeObjective.objects.filter(org=org, objective_id__in=ids).values_list(
        "initiative_id", "objective_id"
    ):
        serves.setdefault(iid, set()).add(oid)
    for iid, oid in InitiativeKeyResult.objects.filter(
        org=org, key_result__objective_id__in=ids
    ).values_list("initiative_id", "key_result__objective_id"):
        serves.setdefault(iid, set()).add(oid)
    slipped: dict[int, list[Slip]] = {}
    if serves:
        for r in (
            Replan.objects.filter(
                org=org,
                initiative_id__in=list(serves),
                at__gte=org_day_start(period.start),
                at__lt=org_day_start(period.end + dt.timedelta(days=1)),
                old_target_date__isnull=False,
                new_target_date__isnull=False,
            )
            .select_related("initiative")
            .order_by("at", "id")
        ):
            if r.new_target_date > r.old_target_date:
                slip = Slip(
                    r.initiative.title, r.old_target_date, r.new_target_date, r.at, r.reason
                )
                for oid in serves[r.initiative_id]:
                    slipped.setdefault(oid, []).append(slip)
    out = Rows()
    out.total = total
    for o in found:
        value, given = start.get(o.pk, (None, None))
        out.append(Row(o, value, slipped.get(o.pk, []), given))
    return out, more


def csv_rows(found: list[Row]) -> Iterator[list[str]]:
    """The scorecard as a CSV's rows, its header first."""
    yield CSV_COLUMNS
    for row in found:
        o = row.objective
        yield [
            str(o.pk),
            o.title,
            o.team.name if o.team else "",
            o.owner.name if o.owner else "",
            o.get_status_display(),
            "" if o.rollup_progress is None else f"{o.rollup_progress:.0f}",
            "" if row.confidence_start is None else str(row.confidence_start),
            org_day(row.start_given).isoformat() if row.start_given else "",
            "" if row.confidence_now is None else str(row.confidence_now),
            "; ".join(
                f"{s.initiative}: {s.was.isoformat()} to {s.now.isoformat()}" for s in row.slipped
            ),
        ]
