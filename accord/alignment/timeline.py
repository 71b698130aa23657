"""The initiatives timeline: a page of initiatives on a time axis, drawn as server-side SVG.

`layout()` is pure arithmetic over plain values (dates to pixels): one row per initiative
with its bar, the months along the top, the "today" line, each dependency's need-by mark on
the requesting initiative's row and an arrow from the providing initiative's bar, and the
row's milestones. `build()` adds the page's reads: its dependencies in one query, its
rows' milestones (none yet: no model carries a dated checkpoint of one initiative;
`page_milestones` is the one place to load them when one does), and the organization's
milestones (feature freeze, release, …) for the page's teams, drawn as vertical markers
across every row (`place_markers`).

Dependencies are read by name, as `blocked.py` does, so alignment does not import
coordination.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Sizes in SVG pixels. Rows are as tall as the HTML labels beside them (timeline.css).
ROW_H = 40
HEAD_H = 34
BAR_H = 14
PAD_LEFT, PAD_RIGHT = 10, 24
PX_PER_DAY = 2.4  # about 73 px a month
MIN_PLOT_W, MAX_PLOT_W = 680, 1600
MIN_SPAN_DAYS = 90  # a short span is widened to about three months
MAX_BACK_DAYS = 365  # the axis reaches at most a year before today ...
MAX_SPAN_DAYS = 3 * 365  # ... and spans at most three years
RECENT_CLOSED_DAYS = 90  # closed work's dates stretch the axis back this far at most
MARKER_LABEL_GAP = 12  # px between two milestones' labels at least, else the later has none
MARKER_CHAR_W = 6.5  # px a character of a milestone's label takes (10px bold, timeline.css)
MARKER_WEIGHT = {"release": 0, "code_freeze": 1, "feature_freeze": 2, "release_candidate": 3}
MIN_LABEL_GAP = 52  # px between two month labels at least ("Jan 2027" fits)
DEPENDENCIES_SHOWN = 300  # dependencies a page draws at most (fetched one more to tell)

# coordination's states and flags, by name (its models hold the labels).
ACTIVE_DEPENDENCY_STATES = ("requested", "negotiating", "accepted")
SHOWN_STATES = (*ACTIVE_DEPENDENCY_STATES, "declined", "delivered")  # not cancelled ones
OPEN_STATUSES = ("proposed", "active", "paused")


@dataclass(frozen=True)
class Milestone:
    """A dated checkpoint on an initiative's row (none of the models has one yet)."""

    day: dt.date
    label: str
    url: str = ""
    done: bool = False


@dataclass(frozen=True)
class Axis:
    """Days from `start` to `end` (exclusive) over `width` pixels, from `PAD_LEFT`."""

    start: dt.date
    end: dt.date
    width: float

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    def contains(self, day: dt.date) -> bool:
        return self.start <= day <= self.end

    def x(self, day: dt.date) -> float:
        """The x of a day, clamped to the axis."""
        offset = min(max((day - self.start).days, 0), self.days)
        return round(PAD_LEFT + offset / self.days * self.width, 1)

    @property
    def right(self) -> float:
        return PAD_LEFT + self.width

    @property
    def last(self) -> dt.date:
        """The last day it shows."""
        return self.end - dt.timedelta(days=1)


def _month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def make_axis(dates: Iterable[dt.date | None], today: dt.date) -> Axis:
    """An axis spanning `dates` and today, whole months, clamped: it starts at most
    `MAX_BACK_DAYS` before today, spans at most `MAX_SPAN_DAYS` and at least
    `MIN_SPAN_DAYS`. Without dates it is the months around today."""
    known = [d for d in dates if d is not None]
    lo = min([*known, today])
    hi = max([*known, today])
    lo = max(lo, today - dt.timedelta(days=MAX_BACK_DAYS))
    hi = min(hi, lo + dt.timedelta(days=MAX_SPAN_DAYS))
    short = MIN_SPAN_DAYS - (hi - lo).days
    if short > 0:
        lo -= dt.timedelta(days=short // 3)  # most of the room ahead, where work is going
        hi = lo + dt.timedelta(days=MIN_SPAN_DAYS)
    start, end = _month_start(lo), _next_month(hi)
    width = min(max((end - start).days * PX_PER_DAY, MIN_PLOT_W), MAX_PLOT_W)
    return Axis(start, end, round(width, 1))


@dataclass(frozen=True)
class Tick:
    day: dt.date
    x: float
    label: str  # empty for a month left unlabelled when months are narrow


def month_ticks(axis: Axis) -> list[Tick]:
    """The first of every month on the axis; labels every month there is room for, with
    the year on January and on the first label."""
    days: list[dt.date] = []
    day = axis.start
    while day < axis.end:
        days.append(day)
        day = _next_month(day)
    per_month = axis.width / max(len(days), 1)
    step = 1
    while per_month * step < MIN_LABEL_GAP:
        step += 1
    out = []
    for n, day in enumerate(days):
        label = ""
        if n % step == 0:
            label = day.strftime("%b")
            if n == 0 or day.month == 1:
                label += f" {day.year}"
        out.append(Tick(day, axis.x(day), label))
    return out


@dataclass
class Bar:
    x: float
    width: float
    start: dt.date
    start_known: bool  # False: the initiative has no start date; drawn from its creation
    end: dt.date | None  # the target date; None without one (open work: drawn to the edge)
    cut_start: bool  # begins before the axis
    cut_end: bool  # ends after the axis (or is ongoing)
    late: bool  # open and past its target date
    ongoing: bool = False  # open without a target date
    undated: bool = False  # closed without a start or target date: pinned at the axis start
    overrun_x: float = 0.0  # a late bar's overrun: from its target to today
    overrun_width: float = 0.0

    @property
    def right(self) -> float:
        return round(self.x + self.width, 1)


@dataclass
class MilestoneMark:
    milestone: Milestone
    x: float


LABEL_INSIDE_MIN = 72  # a bar at least this wide carries its status inside
LABEL_ROOM = 64  # px a status label needs beside a bar


@dataclass
class Row:
    item: Any  # the initiative
    index: int
    y: float  # the row's top
    bar: Bar
    milestones: list[MilestoneMark] = field(default_factory=list)
    label_x: float = 0.0  # where its status label is written (the text names it too)
    label_end: bool = False  # True: the label ends at label_x (left of the bar)
    start_text: str = ""  # the bar's dates in words (`build` writes them)
    end_text: str = ""

    @property
    def mid(self) -> float:
        return self.y + ROW_H / 2

    @property
    def bar_y(self) -> float:
        return self.mid - BAR_H / 2

    @property
    def text_y(self) -> float:
        return self.mid + 4

    @property
    def guess_path(self) -> str:
        """A dashed tick across the start of a bar begun at its creation date."""
        return f"M{self.bar.x:g} {self.bar_y - 3:g}v{BAR_H + 6}"

    @property
    def cut_marks(self) -> list[str]:
        """Chevrons (path data) on the ends of a bar that runs past the axis."""
        b, top, h = self.bar, self.bar_y, BAR_H
        out = []
        if b.cut_start:
            out.append(f"M{b.x + 6:g} {top:g}l-6 {h / 2:g}l6 {h / 2:g}z")
        if b.cut_end:
            out.append(f"M{b.right - 6:g} {top:g}l6 {h / 2:g}l-6 {h / 2:g}z")
        return out


@dataclass
class DependencyMark:
    """A dependency drawn on the page: its need-by mark on the requesting initiative's row
    (or, with that row elsewhere, on the providing one's as an outgoing mark) and, when both
    are on the page, an arrow from the provider's bar end to the need-by mark."""

    dep: Any
    side: str  # "needs": on the requester's row; "gives": on the provider's row only
    x: float
    y: float
    late: bool
    connector: str = ""  # SVG path data, empty without one
    cut: bool = False  # its need-by date lies outside the axis

    @property
    def diamond(self) -> str:
        r = 5.5
        return (
            f"M{self.x:g} {self.y - r:g}L{self.x + r:g} {self.y:g}"
            f"L{self.x:g} {self.y + r:g}L{self.x - r:g} {self.y:g}Z"
        )


@dataclass(frozen=True)
class MarkerLine:
    """An organization's milestone across the whole chart: a vertical line at its date."""

    milestone: Any  # alignment.models.Milestone
    x: float
    label_end: bool = False  # near the right edge: the label reads leftwards
    labelled: bool = True  # False when too near the previous label (its title still says)


@dataclass
class Timeline:
    axis: Axis
    ticks: list[Tick]
    rows: list[Row]
    dependencies: list[DependencyMark]
    today: dt.date
    today_x: float
    more_dependencies: bool = False  # more than DEPENDENCIES_SHOWN touch the page
    markers: list[MarkerLine] = field(default_factory=list)

    @property
    def width(self) -> float:
        return round(self.axis.right + PAD_RIGHT, 1)

    @property
    def height(self) -> int:
        return HEAD_H + ROW_H * len(self.rows) + 2

    @property
    def bar_h(self) -> int:
        return BAR_H

    @property
    def head_h(self) -> int:
        return HEAD_H

    @property
    def row_h(self) -> int:
        return ROW_H

    @property
    def connectors(self) -> list[DependencyMark]:
        return [d for d in self.dependencies if d.connector]

    @property
    def has_milestones(self) -> bool:
        return any(r.milestones for r in self.rows)

    @property
    def guessed_starts(self) -> bool:
        return any(not r.bar.start_known and not r.bar.undated for r in self.rows)

    @property
    def has_undated(self) -> bool:
        return any(r.bar.undated for r in self.rows)


def dependency_late(dep: Any, today: dt.date) -> bool:
    """Active, past its committed (else need-by) date, and not said delivered by the team
    asked: coordination's rule (`Dependency.is_late`), over the plain data `layout` takes
    (`state`, `due`, `marked_delivered_on`)."""
    return dep.state in ACTIVE_DEPENDENCY_STATES and dep.due < today and not dep.marked_delivered_on


def bar_start(item: Any) -> tuple[dt.date, bool]:
    """Where an initiative's bar begins: its start date, else the day it was created."""
    if item.start_date is not None:
        return item.start_date, True
    created = item.created_at
    return (created.date() if isinstance(created, dt.datetime) else created), False


def is_undated(item: Any) -> bool:
    """Closed work without a start or a target date: when it ran is not known (its creation
    says when it was written down, not when it was done), so it has no place in time."""
    return item.status not in OPEN_STATUSES and item.start_date is None and item.target_date is None


def axis_dates(item: Any, today: dt.date) -> list[dt.date]:
    """The dates of an initiative that the axis is chosen from: open work's start (or
    creation) and target; closed work's known dates of the last `RECENT_CLOSED_DAYS` only.
    Old or undated closed work does not stretch the axis back: it is cut at its start, or
    pinned there (`is_undated`)."""
    if item.status in OPEN_STATUSES:
        return [d for d in (bar_start(item)[0], item.target_date) if d is not None]
    since = today - dt.timedelta(days=RECENT_CLOSED_DAYS)
    return [d for d in (item.start_date, item.target_date) if d is not None and d >= since]


def _bar(item: Any, axis: Axis, today: dt.date) -> Bar:
    if is_undated(item):
        start, _known = bar_start(item)
        return Bar(
            x=axis.x(axis.start),
            width=3.0,
            start=start,
            start_known=False,
            end=None,
            cut_start=False,
            cut_end=False,
            late=False,
            undated=True,
        )
    start, known = bar_start(item)
    end = item.target_date
    if end is not None and end < start:  # a target before the start: a bar of one day
        start = end
    is_open = item.status in OPEN_STATUSES
    ongoing = end is None and is_open
    x0 = axis.x(start)
    # A bar covers its target day; one ending beyond the axis (or ongoing) runs to its edge.
    # Closed work without a target shows its start alone: when it ended is not known.
    if ongoing or (end is not None and end >= axis.end):
        x1 = axis.right
    elif end is None:
        x1 = x0
    else:
        x1 = axis.x(end + dt.timedelta(days=1))
    late = bool(is_open and end is not None and end < today)
    bar = Bar(
        x=x0,
        width=round(max(x1 - x0, 3.0), 1),
        start=start,
        start_known=known,
        end=end,
        cut_start=start < axis.start,
        cut_end=ongoing or (end is not None and end >= axis.end),
        late=late,
        ongoing=ongoing,
    )
    if late:
        tx = axis.x(today)
        bar.overrun_x, bar.overrun_width = bar.right, round(max(tx - bar.right, 0.0), 1)
    return bar


def _place_label(row: Row, axis: Axis) -> None:
    """Inside a wide bar; else after it (and its overrun), or before it near the edge."""
    b = row.bar
    after = max(b.right, b.overrun_x + b.overrun_width) + 4
    if b.width >= LABEL_INSIDE_MIN:
        row.label_x = b.x + (12 if b.cut_start else 5)
    elif after + LABEL_ROOM <= axis.right + PAD_RIGHT:
        row.label_x = after
    else:
        row.label_x, row.label_end = b.x - 4, True


def _connector(x0: float, y0: float, x1: float, y1: float) -> str:
    """A curve from a provider's bar end (x0, y0) to a need-by mark (x1, y1), ending just
    before the mark, heading right into it."""
    end = x1 - 7
    bend = min(max(abs(end - x0) / 2, 16), 40)  # leaves and enters level, never loops wide
    return f"M{x0:g} {y0:g}C{x0 + bend:g} {y0:g} {end - bend:g} {y1:g} {end:g} {y1:g}"


def layout(
    items: Sequence[Any],
    dependencies: Iterable[Any] = (),
    milestones: dict[int, list[Milestone]] | None = None,
    *,
    today: dt.date,
    more_dependencies: bool = False,
) -> Timeline:
    """Rows for `items` (initiatives: `pk`, `start_date`, `created_at`, `target_date`,
    `status`) in their order, on an axis spanning what is worth seeing (open work's bars,
    recent closed work's dates: `axis_dates`), the dependencies' need-by dates and their
    milestones; marks for `dependencies` (`requester_initiative_id`,
    `provider_initiative_id`, `need_by`, `due`, `state`) touching them."""
    milestones = milestones or {}
    dependencies = list(dependencies)
    dates: list[dt.date | None] = []
    for item in items:
        dates += axis_dates(item, today)
    dates += [m.day for ms in milestones.values() for m in ms]
    ids = {item.pk for item in items}
    dependencies = [
        d
        for d in dependencies
        if d.requester_initiative_id in ids or d.provider_initiative_id in ids
    ]
    since = today - dt.timedelta(days=RECENT_CLOSED_DAYS)
    dates += [  # settled requests, as closed work, count while recent
        d.need_by for d in dependencies if d.state in ACTIVE_DEPENDENCY_STATES or d.need_by >= since
    ]
    axis = make_axis(dates, today)
    rows: list[Row] = []
    at: dict[int, Row] = {}
    for n, item in enumerate(items):
        row = Row(item=item, index=n, y=HEAD_H + n * ROW_H, bar=_bar(item, axis, today))
        _place_label(row, axis)
        row.milestones = [
            MilestoneMark(m, axis.x(m.day))
            for m in sorted(milestones.get(item.pk, []), key=lambda m: m.day)
        ]
        rows.append(row)
        at[item.pk] = row
    marks = []
    for dep in dependencies:
        requester = at.get(dep.requester_initiative_id)
        provider = at.get(dep.provider_initiative_id) if dep.provider_initiative_id else None
        x = axis.x(dep.need_by)
        mark = DependencyMark(
            dep=dep,
            side="needs" if requester is not None else "gives",
            x=x,
            y=(requester or provider).mid,  # type: ignore[union-attr]
            late=dependency_late(dep, today),
            cut=not axis.contains(dep.need_by),
        )
        if requester is not None and provider is not None and provider is not requester:
            mark.connector = _connector(provider.bar.right, provider.mid, x, requester.mid)
        marks.append(mark)
    return Timeline(
        axis=axis,
        ticks=month_ticks(axis),
        rows=rows,
        dependencies=marks,
        today=today,
        today_x=axis.x(today),
        more_dependencies=more_dependencies,
    )


# --- the page's reads --------------------------------------------------------------------


def page_dependencies(org: Any, initiative_ids: Sequence[int]) -> tuple[list[Any], bool]:
    """The dependencies (but cancelled ones) that the initiatives ask for or provide, with
    both teams and initiatives, soonest needed first: one query, at most
    `DEPENDENCIES_SHOWN`; True as well when there are more."""
    ids = list(initiative_ids)
    if not ids:
        return [], False
    rows = list(dependencies_of(org, ids)[: DEPENDENCIES_SHOWN + 1])
    return rows[:DEPENDENCIES_SHOWN], len(rows) > DEPENDENCIES_SHOWN


def dependencies_of(org: Any, ids: list[int]) -> Any:
    """The query of `page_dependencies`, unsliced."""
    from django.apps import apps
    from django.db.models import Q

    model = apps.get_model("coordination", "Dependency")
    return (
        # Each side names its states and the organization itself, so the database answers
        # from the two (initiative, state, organization) indexes rather than walking the
        # organization's dependencies.
        model.objects.filter(
            Q(requester_initiative_id__in=ids, state__in=SHOWN_STATES, org_id=org.pk)
            | Q(provider_initiative_id__in=ids, state__in=SHOWN_STATES, org_id=org.pk)
        )
        .select_related(
            "requester_team", "provider_team", "requester_initiative", "provider_initiative"
        )
        .order_by("need_by", "id")
    )


def page_milestones(org: Any, initiative_ids: Sequence[int]) -> dict[int, list[Milestone]]:
    """Dated milestones per initiative of the page. Neither initiatives nor key results
    carry a dated milestone yet (a milestone key result is done or not, without a date),
    so there are none; when a model gains them, read them here in one query."""
    return {}


def place_markers(chart: Timeline, milestones: Iterable[Any]) -> None:
    """Vertical markers for `milestones` (`date`) that fall on the chart's axis."""
    edge = chart.axis.right - 120
    shown = [(m, chart.axis.x(m.date)) for m in milestones if chart.axis.contains(m.date)]

    def span(m: Any, x: float) -> tuple[float, float]:
        """Where its label is written: rightwards from its line, leftwards near the edge."""
        w = len(m.name) * MARKER_CHAR_W
        return (x - 4 - w, x) if x > edge else (x, x + 4 + w)

    # Labels where there is room, the weightiest milestones first (releases, freezes); a
    # label that would run into one already written is left out (its title still says).
    taken: list[tuple[float, float]] = []
    labelled: set[int] = set()
    for n, (m, x) in sorted(
        enumerate(shown), key=lambda nmx: (MARKER_WEIGHT.get(nmx[1][0].kind, 9), nmx[1][1])
    ):
        a, b = span(m, x)
        if all(b + MARKER_LABEL_GAP <= a2 or b2 + MARKER_LABEL_GAP <= a for a2, b2 in taken):
            taken.append((a, b))
            labelled.add(n)
    chart.markers = [
        MarkerLine(m, x, label_end=x > edge, labelled=n in labelled)
        for n, (m, x) in enumerate(shown)
    ]


def describe_dependency(dep: Any, today: dt.date) -> str:
    """Its state in words: "Accepted · late · flagged blocked"."""
    words = [dep.get_state_display()]
    if dependency_late(dep, today):
        words.append("late")
    if dep.flag and dep.state in ACTIVE_DEPENDENCY_STATES:
        words.append(f"flagged {dep.get_flag_display().lower()}")
    return " · ".join(words)


def build(org: Any, items: Sequence[Any], *, today: dt.date) -> Timeline:
    """The timeline of a page of initiatives: their dependencies in one query, each
    described (`.state_text`, `.late`), laid out, with its dates in words once each
    (`.start_text`, `.end_text` on rows; `.need_by_text`, `.committed_text` on
    dependencies): a page repeats few dates many times."""
    from accord.web.templatetags.dates import day

    ids = [i.pk for i in items]
    deps, more = page_dependencies(org, ids)
    words = functools.lru_cache(maxsize=None)(day)
    for dep in deps:
        dep.state_text = describe_dependency(dep, today)
        dep.late = dependency_late(dep, today)
        dep.need_by_text = words(dep.need_by)
        moved = dep.committed_date and dep.committed_date != dep.need_by
        dep.committed_text = words(dep.committed_date) if moved else ""
    chart = layout(items, deps, page_milestones(org, ids), today=today, more_dependencies=more)
    from accord.alignment.queries import milestones_between

    team_ids = {i.team_id for i in items}
    place_markers(
        chart, milestones_between(org, chart.axis.start, chart.axis.last, team_ids=team_ids)
    )
    for row in chart.rows:
        row.start_text = words(row.bar.start)
        row.end_text = words(row.bar.end) if row.bar.end else ""
    return chart
