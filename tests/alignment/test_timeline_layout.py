"""The timeline's arithmetic: dates to x, the axis clamped to a sensible span, bars from a
start (or the creation) to a target, late overruns, dependency marks and arrows, and
milestones drawn where a row has them. Plain values, no database."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass

from accord.alignment import timeline as tl

TODAY = dt.date(2026, 12, 2)


@dataclass
class Item:
    pk: int
    start_date: dt.date | None = None
    target_date: dt.date | None = None
    status: str = "active"
    created_at: dt.datetime = dt.datetime(2026, 10, 5, 9, 30, tzinfo=dt.UTC)


@dataclass
class Dep:
    pk: int
    requester_initiative_id: int
    provider_initiative_id: int | None
    need_by: dt.date
    state: str = "accepted"
    committed_date: dt.date | None = None
    marked_delivered_on: dt.date | None = None  # said delivered by the team asked

    @property
    def due(self) -> dt.date:
        return self.committed_date or self.need_by


def d(y: int, m: int, day: int) -> dt.date:
    return dt.date(y, m, day)


def test_the_axis_spans_the_dates_and_today_in_whole_months():
    axis = tl.make_axis([d(2026, 11, 15), d(2027, 2, 10)], TODAY)
    assert (axis.start, axis.end) == (d(2026, 11, 1), d(2027, 3, 1))
    assert axis.x(axis.start) == tl.PAD_LEFT
    assert axis.x(axis.end) == axis.right
    assert axis.x(d(2026, 12, 1)) < axis.x(TODAY) < axis.x(d(2027, 1, 1))


def test_dates_outside_the_axis_are_clamped_to_its_edges():
    axis = tl.make_axis([d(2026, 11, 15), d(2027, 2, 10)], TODAY)
    assert axis.x(d(2001, 1, 1)) == tl.PAD_LEFT
    assert axis.x(dt.date.max) == axis.right


def test_the_axis_reaches_a_year_back_and_spans_three_years_at_most():
    axis = tl.make_axis([d(2019, 5, 1), d(2040, 1, 1)], TODAY)
    assert axis.start == d(2025, 12, 1)  # the month of today less 365 days
    assert (axis.end - axis.start).days <= tl.MAX_SPAN_DAYS + 62  # rounded to whole months
    assert tl.MIN_PLOT_W <= axis.width <= tl.MAX_PLOT_W


def test_without_dates_the_axis_is_the_months_around_today():
    axis = tl.make_axis([None, None], TODAY)
    assert axis.contains(TODAY)
    assert (axis.end - axis.start).days >= tl.MIN_SPAN_DAYS
    assert axis.start < TODAY - dt.timedelta(days=20)  # some room behind, most ahead
    assert axis.width == tl.MIN_PLOT_W


def test_month_labels_name_the_year_on_the_first_and_on_january():
    axis = tl.make_axis([d(2026, 11, 15), d(2027, 2, 10)], TODAY)
    labels = [t.label for t in tl.month_ticks(axis)]
    assert labels == ["Nov 2026", "Dec", "Jan 2027", "Feb"]


def test_narrow_months_leave_some_unlabelled_but_keep_their_lines():
    axis = tl.make_axis([d(2025, 12, 15), d(2028, 11, 1)], TODAY)
    ticks = tl.month_ticks(axis)
    assert len(ticks) > 30
    labelled = [t for t in ticks if t.label]
    assert 0 < len(labelled) < len(ticks)
    gaps = [b.x - a.x for a, b in itertools.pairwise(labelled)]
    assert min(gaps) >= tl.MIN_LABEL_GAP - 1


def test_a_bar_runs_from_the_start_date_through_the_target_day():
    chart = tl.layout([Item(1, d(2026, 11, 10), d(2027, 1, 20))], today=TODAY)
    bar = chart.rows[0].bar
    axis = chart.axis
    assert bar.start_known and bar.x == axis.x(d(2026, 11, 10))
    assert bar.right == axis.x(d(2027, 1, 21))
    assert not (bar.late or bar.cut_start or bar.cut_end)


def test_without_a_start_date_the_bar_begins_on_the_day_it_was_created():
    chart = tl.layout([Item(1, None, d(2027, 1, 20))], today=TODAY)
    bar = chart.rows[0].bar
    assert (bar.start, bar.start_known) == (d(2026, 10, 5), False)
    assert chart.guessed_starts


def test_ongoing_work_runs_to_the_edge_of_the_axis():
    chart = tl.layout([Item(1, d(2026, 11, 10), None), Item(2, None, d(2027, 3, 1))], today=TODAY)
    bar = chart.rows[0].bar
    assert bar.end is None and bar.ongoing and bar.cut_end and bar.right == chart.axis.right


def test_closed_work_without_a_target_shows_its_start_alone_not_as_ongoing():
    done = Item(1, d(2026, 9, 1), None, status="done")
    dropped = Item(2, None, None, status="dropped")
    chart = tl.layout([done, dropped], today=TODAY)
    for row in chart.rows:
        bar = row.bar
        assert not (bar.ongoing or bar.cut_end), row.item
        assert bar.right < chart.axis.right and bar.width == 3.0


def test_an_open_initiative_past_its_target_is_late_up_to_today():
    late = Item(1, d(2026, 10, 1), d(2026, 11, 20))
    done = Item(2, d(2026, 10, 1), d(2026, 11, 20), status="done")
    chart = tl.layout([late, done], today=TODAY)
    bar = chart.rows[0].bar
    assert bar.late and bar.overrun_x == bar.right
    assert bar.overrun_x + bar.overrun_width == chart.today_x
    assert not chart.rows[1].bar.late and chart.rows[1].bar.overrun_width == 0


def test_a_target_before_the_start_is_drawn_as_its_target_day():
    chart = tl.layout([Item(1, d(2027, 2, 1), d(2027, 1, 10))], today=TODAY)
    bar = chart.rows[0].bar
    assert bar.start == d(2027, 1, 10) and bar.width >= 3


def test_a_target_far_beyond_the_axis_is_cut_at_its_edge():
    chart = tl.layout([Item(1, d(2026, 11, 1), dt.date(9999, 12, 31))], today=TODAY)
    bar = chart.rows[0].bar
    assert bar.cut_end and bar.right == chart.axis.right
    assert len(chart.rows[0].cut_marks) == 1


def test_rows_follow_the_page_order_one_below_the_other():
    items = [Item(n, d(2026, 11, n), d(2027, 1, n)) for n in range(1, 6)]
    chart = tl.layout(items, today=TODAY)
    assert [r.item.pk for r in chart.rows] == [1, 2, 3, 4, 5]
    assert [r.y for r in chart.rows] == [tl.HEAD_H + n * tl.ROW_H for n in range(5)]
    assert chart.height == tl.HEAD_H + 5 * tl.ROW_H + 2


def test_a_need_by_date_is_marked_on_the_requesting_row_with_an_arrow_from_the_provider():
    asker = Item(1, d(2026, 11, 1), d(2027, 2, 1))
    giver = Item(2, d(2026, 11, 1), d(2027, 1, 10))
    dep = Dep(7, requester_initiative_id=1, provider_initiative_id=2, need_by=d(2027, 1, 15))
    chart = tl.layout([asker, giver], [dep], today=TODAY)
    (mark,) = chart.dependencies
    assert mark.side == "needs" and mark.y == chart.rows[0].mid
    assert mark.x == chart.axis.x(d(2027, 1, 15))
    start = f"M{chart.rows[1].bar.right:g} {chart.rows[1].mid:g}"
    assert mark.connector.startswith(start)
    assert mark.connector.endswith(f"{mark.x - 7:g} {chart.rows[0].mid:g}")
    assert chart.connectors == [mark] and not mark.late


def test_a_dependency_with_one_side_off_the_page_gets_a_mark_but_no_arrow():
    asker = Item(1, d(2026, 11, 1), d(2027, 2, 1))
    deps = [
        Dep(7, requester_initiative_id=1, provider_initiative_id=99, need_by=d(2027, 1, 15)),
        Dep(8, requester_initiative_id=98, provider_initiative_id=1, need_by=d(2027, 1, 5)),
        Dep(9, requester_initiative_id=1, provider_initiative_id=None, need_by=d(2027, 1, 9)),
        Dep(10, requester_initiative_id=97, provider_initiative_id=96, need_by=d(2030, 1, 1)),
    ]
    chart = tl.layout([asker], deps, today=TODAY)
    assert [(m.dep.pk, m.side, m.connector) for m in chart.dependencies] == [
        (7, "needs", ""),
        (8, "gives", ""),  # another page's row asks it of this one
        (9, "needs", ""),
    ]
    assert chart.axis.end < d(2028, 1, 1)  # the dependency touching nothing shown is ignored


def test_an_active_dependency_past_its_due_date_is_late_and_a_closed_one_is_not():
    asker = Item(1, d(2026, 11, 1), d(2027, 2, 1))
    deps = [
        Dep(7, 1, None, need_by=d(2026, 11, 20)),
        Dep(8, 1, None, need_by=d(2026, 11, 20), state="delivered"),
        Dep(9, 1, None, need_by=d(2026, 11, 20), committed_date=d(2026, 12, 20)),
        Dep(10, 1, None, need_by=d(2026, 11, 20), marked_delivered_on=d(2026, 11, 19)),
    ]
    chart = tl.layout([asker], deps, today=TODAY)
    assert [m.late for m in chart.dependencies] == [True, False, False, False]


def test_milestones_are_drawn_on_their_rows_and_stretch_the_axis():
    items = [Item(1, d(2026, 11, 1), d(2027, 1, 10)), Item(2, d(2026, 11, 1), d(2027, 1, 10))]
    beta = tl.Milestone(d(2027, 4, 20), "Beta")
    chart = tl.layout(items, milestones={1: [beta]}, today=TODAY)
    assert chart.has_milestones
    assert [(m.milestone, m.x) for m in chart.rows[0].milestones] == [
        (beta, chart.axis.x(beta.day))
    ]
    assert chart.rows[1].milestones == []
    assert chart.axis.end == d(2027, 5, 1)


def test_no_model_has_dated_milestones_yet():
    assert tl.page_milestones(None, [1, 2]) == {}


def test_a_status_label_sits_inside_a_wide_bar_and_beside_a_narrow_one():
    wide = Item(1, d(2026, 11, 1), d(2027, 2, 1))
    narrow = Item(2, d(2026, 12, 1), d(2026, 12, 3))
    edge = Item(3, d(2027, 2, 27), d(2027, 2, 28))
    chart = tl.layout([wide, narrow, edge], today=TODAY)
    rows = chart.rows
    assert rows[0].bar.x < rows[0].label_x < rows[0].bar.right
    assert rows[1].label_x > rows[1].bar.right and not rows[1].label_end
    assert rows[2].label_end and rows[2].label_x < rows[2].bar.x


def test_closed_work_without_dates_is_pinned_at_the_start_and_does_not_stretch_the_axis():
    long_ago = dt.datetime(2026, 6, 7, 9, 0, tzinfo=dt.UTC)
    active = Item(1, d(2026, 11, 10), d(2027, 2, 10))
    done = Item(2, None, None, status="done", created_at=long_ago)
    dropped = Item(3, None, None, status="dropped", created_at=long_ago)
    chart = tl.layout([active, done, dropped], today=TODAY)
    assert chart.axis.start == d(2026, 11, 1)  # not June, when the closed ones were created
    assert chart.has_undated and not chart.guessed_starts
    for row in chart.rows[1:]:
        bar = row.bar
        assert bar.undated and bar.x == tl.PAD_LEFT and bar.width == 3.0
        assert not (bar.cut_start or bar.cut_end or bar.late) and row.cut_marks == []
    assert not chart.rows[0].bar.undated


def test_recent_closed_work_widens_the_axis_and_old_closed_work_does_not():
    active = Item(1, d(2026, 11, 10), d(2027, 2, 10))
    recent = Item(2, d(2026, 9, 20), d(2026, 10, 20), status="done")
    old = Item(3, d(2026, 3, 1), d(2026, 5, 1), status="done")
    chart = tl.layout([active, old], today=TODAY)
    assert chart.axis.start == d(2026, 11, 1)
    assert chart.rows[1].bar.cut_start and chart.rows[1].bar.x == tl.PAD_LEFT
    chart = tl.layout([active, recent, old], today=TODAY)
    assert chart.axis.start == d(2026, 9, 1)  # its start and target are within 90 days
    # Settled requests as well: an old delivered one does not widen it, an open one does.
    deps = [Dep(7, 1, None, need_by=d(2026, 4, 1), state="delivered")]
    assert tl.layout([active], deps, today=TODAY).axis.start == d(2026, 11, 1)
    deps = [Dep(7, 1, None, need_by=d(2026, 8, 1))]
    assert tl.layout([active], deps, today=TODAY).axis.start == d(2026, 8, 1)


@dataclass
class Marker:
    name: str
    date: dt.date
    kind: str = "other"


def test_milestone_labels_that_would_run_into_each_other_are_not_all_written():
    chart = tl.layout([Item(1, d(2026, 11, 10), d(2027, 3, 10))], today=TODAY)
    per_day = chart.axis.width / chart.axis.days
    release = Marker("Release 2027.1", d(2027, 2, 1), "release")
    freeze = Marker("Feature freeze 2027.1", d(2027, 1, 4), "feature_freeze")
    tl.place_markers(chart, [freeze, release])
    # 28 days apart is more than 110 px, yet less than "Feature freeze 2027.1" needs.
    assert 28 * per_day > 110
    assert [(k.milestone.name, k.labelled) for k in chart.markers] == [
        ("Feature freeze 2027.1", False),
        ("Release 2027.1", True),
    ]
    far = Marker("Kickoff", d(2026, 11, 20))
    tl.place_markers(chart, [far, freeze, release])
    assert [k.labelled for k in chart.markers] == [True, False, True]
