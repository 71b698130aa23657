"""The stored decision latency: the figures of the last 30, 90 and 365 days.

Latency (`queries.decision_latency`) is a median, mean and longest time from opened to
decided over the decisions decided in a period, for the organization, per team and per
approver. A median is not a sum: it cannot be kept as daily tallies and added up, and
the pages rank thousands of teams and approvers by it. Computed on each view, a
10,000-team organization's 90 days (27,000 decisions) took most of a second. So the
figures of every period are computed from one read of the year's decisions and stored,
one row per subject (`models.LatencyFigure`), by the evaluation that keeps signals and
health (after writes, debounced, and every hour: `intelligence.evaluate`) and by
`accord generate` after its bulk inserts. Pages and the API read a screen of them,
slowest first, with the moment they were computed.

"Slowest" ranks the teams and approvers of at least MIN_DECISIONS decisions in the
period first, then the others (`few`): a median of one decision says little.

An organization with nothing stored yet (before its first evaluation) gets its figures
computed on the request, not stored: a page view writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from accord.decisions import queries
from accord.decisions.models import LatencyFigure
from accord.org.models import Organization, Person, Team

PERIODS = (30, 90, 365)  # days
DEFAULT_PERIOD = 90
ORG, TEAM, APPROVER = "org", "team", "approver"
# A team or approver with fewer decisions in the period is ranked after the others: the
# median of one or two decisions says little, and would head every "slowest" list.
MIN_DECISIONS = 3


def period_of(value: object) -> int:
    """A period asked for (a page's `?days=`): one of PERIODS, else the default."""
    try:
        days = int(str(value))
    except ValueError:
        return DEFAULT_PERIOD
    return days if days in PERIODS else DEFAULT_PERIOD


class Figure(NamedTuple):
    """One subject's figures of a period, as computed (a stored one is a `LatencyFigure`
    of the same fields): tuples, because a large organization has 50,000 of them and
    only those that changed are written."""

    period: int | None
    kind: str
    subject: int
    count: int
    median: float | None
    mean: float | None
    longest: float | None
    few: bool


def _figure(period, kind, subject, stats: queries.Latency) -> Figure:
    c = stats.count
    return Figure(period, kind, subject, c, stats.median, stats.mean, stats.max, c < MIN_DECISIONS)


def _rows(report: queries.LatencyReport, period: int | None) -> list[Figure]:
    """The organization's row first, then a row per team and approver, by id."""
    rows = [_figure(period, ORG, 0, report.overall)]
    for kind, per in ((TEAM, report.per_team), (APPROVER, report.per_approver)):
        rows += [_figure(period, kind, k, per[k]) for k in sorted(per)]
    return rows


FIGURES = Figure._fields[3:]  # count, median, mean, longest, few
CHUNK = 2000  # rows a statement writes or deletes


def store(org: Organization, figures: list[Figure], *, at: dt.datetime | None = None) -> int:
    """Make the organization's stored figures, of the periods `figures` are of, equal
    `figures`, as computed `at` (now), writing only what changed: after a write most
    teams' figures are the same, and at 10,000 teams replacing all 51,000 rows held the
    evaluation's write transaction for 2 s. The organization's own rows are written each time (their
    `computed_at` is the figures' moment). The caller holds the organization's evaluation
    lock (or is alone, as `accord generate` is). Returns the rows written or deleted."""
    at = at or timezone.now()
    periods = {f.period for f in figures}
    held = {
        (period, kind, subject): (pk, tuple(values))
        for pk, period, kind, subject, *values in LatencyFigure.objects.filter(
            org=org, period__in=periods
        ).values_list("pk", "period", "kind", "subject", *FIGURES)
    }
    write = []
    for f in figures:
        _, values = held.pop((f.period, f.kind, f.subject), (None, None))
        if f.kind == ORG or values != f[3:]:
            write.append(LatencyFigure(org=org, computed_at=at, **f._asdict()))
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


def compute_all(org: Organization, *, today: dt.date | None = None) -> list[Figure]:
    """The figures of every period up to `today` (what `store` takes): the longest
    period's decisions are read once, and each shorter period keeps those decided in it."""
    today = today or timezone.localdate()
    starts = [queries.day_start(today - dt.timedelta(days=p)) for p in PERIODS]
    year = queries.latency_rows(org, since=today - dt.timedelta(days=max(PERIODS)), marks=starts)
    out = []
    for mark, period in enumerate(PERIODS):
        out += _rows(queries.latency_report(year.decided_since(mark)), period)
    return out


def refresh(
    org: Organization, *, today: dt.date | None = None, at: dt.datetime | None = None
) -> int:
    """Compute and store every period's figures. Returns the rows written or deleted."""
    return store(org, compute_all(org, today=today), at=at)


@dataclass
class Ranked:
    """A screen of one kind of subject, slowest first: (name, id, figure) rows of `total`."""

    rows: list[tuple[str, int, LatencyFigure | Figure]]
    total: int
    few: int  # of the total, those with fewer than MIN_DECISIONS decisions (ranked last)


@dataclass
class Figures:
    period: int | None  # None: a range's or a team's report (`of_report`)
    overall: LatencyFigure | Figure
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
    ranked = {}
    subjects = ((TEAM, Team, report.per_team), (APPROVER, Person, report.per_approver))
    for kind, model, per in subjects:
        # Ranked by median alone; the screen's other figures are computed for it only.
        order = sorted(
            (len(s.days) < MIN_DECISIONS, -(s.median or 0), -len(s.days), k) for k, s in per.items()
        )
        screen = [k for *_, k in order[offset : offset + limit]]
        names = _names(org, model, screen)
        ranked[kind] = Ranked(
            [(names[k], k, _figure(period, kind, k, per[k])) for k in screen],
            len(order),
            sum(few for few, *_ in order),
        )
    overall = _figure(period, ORG, 0, report.overall)
    return Figures(period, overall, ranked[TEAM], ranked[APPROVER], None)


def _names(org: Organization, model: type[Team | Person], ids: list[int]) -> dict[int, str]:
    """The names of a screen's teams or approvers, by id (one read of a screen, not of
    every subject ranked); a figure's subject deleted since has a name that says so."""
    # Unordered: by the models' name order, SQLite read every person of the organization
    # from the name index to find a screen of them (11 ms at 100,000).
    found = dict(model.objects.filter(org=org, pk__in=ids).order_by().values_list("pk", "name"))
    gone = "A team since deleted" if model is Team else "Someone since removed"
    return {i: found.get(i, gone) for i in ids}


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
        page = list(stored.order_by("few", "-median", "-count", "subject")[offset : offset + limit])
        names = _names(org, model, [f.subject for f in page])
        counts = stored.aggregate(n=Count("pk"), few=Count("pk", filter=Q(few=True)))
        screens[kind] = Ranked(
            [(names[f.subject], f.subject, f) for f in page], counts["n"], counts["few"]
        )
    # One moment for the whole set: the organization's row is stored with the rest.
    return Figures(period, overall, screens[TEAM], screens[APPROVER], overall.computed_at)
