"""The stored decision latency: the figures of the last 30, 90 and 365 days.

Latency (`queries.decision_latency`) is a median, mean and longest time from opened to
decided over the decisions decided in a period, for the organization, per team and per
approver. A median is not a sum: it cannot be kept as daily tallies and added up, and
the pages rank thousands of teams and approvers by it. Computed on each view, a
10,000-team organization's 90 days (27,000 decisions) took most of a second. So the
figures of each period are computed in one pass over the period's decisions and stored,
one row per subject (`models.LatencyFigure`), by the evaluation that keeps signals and
health (after writes, debounced, and every hour: `intelligence.evaluate`) and by
`accord generate` after its bulk inserts. Pages and the API read a screen of them,
slowest first, with the moment they were computed.

An organization with nothing stored yet (before its first evaluation) gets its figures
computed on the request, not stored: a page view writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accord.decisions import queries
from accord.decisions.models import LatencyFigure
from accord.org.models import Organization, Person, Team

PERIODS = (30, 90, 365)  # days
DEFAULT_PERIOD = 90
ORG, TEAM, APPROVER = "org", "team", "approver"


def period_of(value: object) -> int:
    """A period asked for (a page's `?days=`): one of PERIODS, else the default."""
    try:
        days = int(str(value))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


def _figure(org, period, kind, subject, stats: queries.Latency, at) -> LatencyFigure:
    return LatencyFigure(
        org=org,
        period=period,
        kind=kind,
        subject=subject,
        count=stats.count,
        median=stats.median,
        mean=stats.mean,
        longest=stats.max,
        computed_at=at,
    )


def _rows(org, report: queries.LatencyReport, period, at) -> list[LatencyFigure]:
    """The organization's row first, then a row per team and approver, by id."""
    rows = [_figure(org, period, ORG, 0, report.overall, at)]
    for kind, per in ((TEAM, report.per_team), (APPROVER, report.per_approver)):
        rows += [_figure(org, period, kind, k, per[k], at) for k in sorted(per)]
    return rows


def computed(
    org: Organization, period: int, *, today: dt.date | None = None, at: dt.datetime | None = None
) -> list[LatencyFigure]:
    """The figures of the `period` days up to `today`, unsaved, as computed `at` (now)."""
    today = today or timezone.localdate()
    report = queries.decision_latency(org, since=today - dt.timedelta(days=period))
    return _rows(org, report, period, at or timezone.now())


FIGURES = ("count", "median", "mean", "longest")
CHUNK = 2000  # rows a statement writes or deletes


def store(org: Organization, rows: list[LatencyFigure]) -> int:
    """Make the organization's stored figures of the periods `rows` are of equal `rows`,
    writing only what changed: after a write most teams' figures are the same, and at
    10,000 teams replacing all 51,000 rows held the evaluation's write transaction for
    2 s. The organization's own rows are written each time (their `computed_at` is the
    figures' moment). The caller holds the organization's evaluation lock (or is alone,
    as `accord generate` is). Returns the rows written or deleted."""
    periods = {r.period for r in rows}
    held = {
        (period, kind, subject): (pk, tuple(values))
        for pk, period, kind, subject, *values in LatencyFigure.objects.filter(
            org=org, period__in=periods
        ).values_list("pk", "period", "kind", "subject", *FIGURES)
    }
    write = []
    for r in rows:
        key = (r.period, r.kind, r.subject)
        _, values = held.pop(key, (None, None))
        if r.kind == ORG or values != tuple(getattr(r, f) for f in FIGURES):
            write.append(r)
    gone = [pk for pk, _ in held.values()]  # subjects with no decision in the period now
    with transaction.atomic():
        for i in range(0, len(gone), CHUNK):
            LatencyFigure.objects.filter(pk__in=gone[i : i + CHUNK]).delete()
        LatencyFigure.objects.bulk_create(
            write,
            batch_size=CHUNK,
            update_conflicts=True,
            unique_fields=["org", "period", "kind", "subject"],
            update_fields=[*FIGURES, "computed_at"],
        )
    return len(write) + len(gone)


def compute_all(
    org: Organization, *, today: dt.date | None = None, at: dt.datetime | None = None
) -> list[LatencyFigure]:
    """The figures of every period, unsaved (what `store` takes)."""
    return [row for p in PERIODS for row in computed(org, p, today=today, at=at)]


def refresh(
    org: Organization, *, today: dt.date | None = None, at: dt.datetime | None = None
) -> int:
    """Compute and store every period's figures. Returns the rows written or deleted."""
    return store(org, compute_all(org, today=today, at=at))


@dataclass
class Ranked:
    """A screen of one kind of subject, slowest first: (name, id, figure) rows of `total`."""

    rows: list[tuple[str, int, LatencyFigure]]
    total: int


@dataclass
class Figures:
    period: int | None  # None: a range's or a team's report (`of_report`)
    overall: LatencyFigure
    teams: Ranked
    approvers: Ranked
    computed_at: dt.datetime | None  # None: computed on this request, nothing stored yet


def of_report(
    org: Organization,
    report: queries.LatencyReport,
    *,
    limit: int,
    offset: int = 0,
    period: int | None = None,
) -> Figures:
    """A report computed on request (a range, a team, or a period not stored yet) as
    `read` gives stored figures: a screen of the slowest, nothing stored."""
    rows = _rows(org, report, None, None)
    names = {TEAM: report.team_names, APPROVER: report.approver_names}
    ranked = {}
    for kind in (TEAM, APPROVER):
        mine = sorted(
            (r for r in rows if r.kind == kind),
            key=lambda f: (-(f.median or 0), -f.count, f.subject),
        )
        screen = mine[offset : offset + limit]
        ranked[kind] = Ranked([(names[kind][f.subject], f.subject, f) for f in screen], len(mine))
    return Figures(period, rows[0], ranked[TEAM], ranked[APPROVER], None)


def read(org: Organization, period: int, *, limit: int = 25, offset: int = 0) -> Figures:
    """The figures of `period` (one of PERIODS) with a screen of the slowest teams and
    approvers: stored ones in a few queries, else computed now."""
    # By its unique key, unordered: `.first()` would order by id, and SQLite then walked
    # the whole table in id order.
    found = LatencyFigure.objects.filter(org=org, period=period, kind=ORG, subject=0)[:1]
    overall = next(iter(found), None)
    if overall is None:
        since = timezone.localdate() - dt.timedelta(days=period)
        report = queries.decision_latency(org, since=since)
        return of_report(org, report, limit=limit, offset=offset, period=period)
    screens = {}
    for kind, model in ((TEAM, Team), (APPROVER, Person)):
        stored = LatencyFigure.objects.filter(org=org, period=period, kind=kind)
        page = list(stored.order_by("-median", "-count", "subject")[offset : offset + limit])
        # Unordered: by the models' name order, SQLite read every person of the
        # organization from the name index to find a screen of them (11 ms at 100,000).
        ids = [f.subject for f in page]
        names = dict(model.objects.filter(org=org, pk__in=ids).order_by().values_list("pk", "name"))
        gone = "A team since deleted" if kind == TEAM else "Someone since removed"
        screens[kind] = Ranked(
            [(names.get(f.subject, gone), f.subject, f) for f in page], stored.count()
        )
    # One moment for the whole set: the organization's row is stored with the rest.
    return Figures(period, overall, screens[TEAM], screens[APPROVER], overall.computed_at)
