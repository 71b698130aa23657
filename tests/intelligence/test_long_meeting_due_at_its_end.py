"""Insights counts a meeting's occurrence as due when it ends, as the adherence figure does
(`rhythm.queries.meeting_due`): a three-hour meeting is not "not held" two and a half hours
in, and is once it has ended unheld. One started counts as held while it goes on."""

from __future__ import annotations

import datetime as dt

from accord.intelligence import evaluate, snapshot
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import services as rhythm
from tests.intelligence.world import build_org, live

D = dt.date
# A Thursday's planning, 10:00 to 13:00 UTC: the second one, a week after the first.
FIRST = dt.datetime(2026, 2, 5, 10, tzinfo=dt.UTC)
SECOND = FIRST + dt.timedelta(weeks=1)
HALF_PAST_TWO_HOURS_IN = SECOND + dt.timedelta(hours=2, minutes=30)
AFTER_ITS_END = SECOND + dt.timedelta(hours=3, minutes=1)


def _planning(w, clock):
    clock.at(D(2026, 2, 2), 9)  # set up the Monday before the first
    return rhythm.create_cadence(
        w.org,
        None,
        name="Quarter planning",
        rrule="FREQ=WEEKLY;BYDAY=TH",
        time=dt.time(10),
        duration_minutes=180,
        timezone_name="UTC",
        team=w["Web"].team,
        start_date=FIRST.date(),
    )


def _in_insights(w, cadence, now) -> list[tuple[dt.datetime, bool]]:
    return [
        (start, held) for start, held, _ in snapshot.load(w.org, now).cadences[cadence.pk].meetings
    ]


def _in_adherence(w, cadence, now) -> list[tuple[dt.datetime, bool]]:
    [fig] = rhythm_queries.adherence(w.org, [cadence], now=now)
    return [(row.occurrence.start, row.held) for row in fig.occurrences]


def test_a_three_hour_meeting_is_not_due_before_it_ends(db, clock):
    w = build_org("longco", {"Web": 3}, checkins=False)
    planning = _planning(w, clock)
    # Two and a half hours into the second, unheld like the first: only the first is due.
    clock.now = HALF_PAST_TWO_HOURS_IN
    assert _in_insights(w, planning, clock.now) == [(FIRST, False)]
    assert _in_adherence(w, planning, clock.now) == _in_insights(w, planning, clock.now)
    evaluate.evaluate(w.org)
    assert live(w.org, "rhythm.meetings_not_held") == []  # one not held so far
    # Once it has ended unheld, both are "not held", in Insights as in adherence.
    clock.now = AFTER_ITS_END
    assert _in_insights(w, planning, clock.now) == [(FIRST, False), (SECOND, False)]
    assert _in_adherence(w, planning, clock.now) == _in_insights(w, planning, clock.now)
    evaluate.evaluate(w.org)
    [signal] = live(w.org, "rhythm.meetings_not_held")
    assert "(5 Feb 2026, 12 Feb 2026)" in signal.explanation


def test_a_long_meeting_started_counts_as_held_while_it_goes_on(db, clock):
    w = build_org("startedco", {"Web": 3}, checkins=False)
    planning = _planning(w, clock)
    clock.now = SECOND + dt.timedelta(minutes=5)
    m = rhythm.open_meeting(w.org, None, planning, SECOND)
    rhythm.start_meeting(w.org, None, m, now=clock.now)
    clock.now = HALF_PAST_TWO_HOURS_IN
    assert _in_insights(w, planning, clock.now) == [(FIRST, False), (SECOND, True)]
    assert _in_adherence(w, planning, clock.now) == _in_insights(w, planning, clock.now)
