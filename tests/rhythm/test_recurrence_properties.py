"""Properties of the recurrence engine over many rules, zones and windows (hypothesis)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.rhythm import recurrence
from accord.rhythm.recurrence import Schedule

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
RULES = [
    "FREQ=DAILY",
    "FREQ=WEEKLY;BYDAY=MO",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH",
    "FREQ=MONTHLY;BYDAY=1TU",
    "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "FREQ=MONTHLY;BYMONTHDAY=15",
]


@settings(max_examples=60, deadline=None)
@given(
    rule=st.sampled_from(RULES),
    zone=st.sampled_from(ZONES),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 15, 30, 45]),
    start=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    split=st.integers(1, 120),
)
def test_occurrences_keep_local_time_and_split_windows_add_up(
    rule, zone, hour, minute, start, split
):
    s = Schedule(rule, start, dt.time(hour, minute), zone, 30)
    lo = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    hi = lo + dt.timedelta(days=200)
    occs = recurrence.occurrences(s, lo, hi)
    starts = [o.start for o in occs]
    assert starts == sorted(set(starts))
    tz = ZoneInfo(zone)
    for o in occs:
        local = o.start.astimezone(tz)
        # The wall-clock time is kept, except where it does not exist that day (DST gap).
        assert (
            local.time() == dt.time(hour, minute)
            or local.dst() != (local - dt.timedelta(hours=3)).dst()
        )
        assert lo <= o.start < hi
    # Asking for two adjacent windows gives the same occurrences as one window.
    mid = lo + dt.timedelta(days=split)
    parts = recurrence.occurrences(s, lo, mid) + recurrence.occurrences(s, mid, hi)
    assert [o.start for o in parts] == starts


@settings(max_examples=60, deadline=None)
@given(
    rule=st.sampled_from([*RULES, "FREQ=YEARLY;BYMONTH=3", "FREQ=MONTHLY;INTERVAL=3"]),
    zone=st.sampled_from(ZONES),
    start=st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    after_days=st.integers(-30, 500),
    moves=st.lists(st.tuples(st.integers(0, 40), st.integers(-60, 60), st.booleans()), max_size=4),
)
def test_the_next_occurrence_is_the_first_of_the_whole_horizon(
    rule, zone, start, after_days, moves
):
    """Looking a few weeks ahead first never changes which occurrence comes next, with
    occurrences moved (into or out of those weeks) or cancelled."""
    s = Schedule(rule, start, dt.time(9, 30), zone, 30)
    after = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) + dt.timedelta(days=after_days)
    rule_starts = recurrence.rule_instants(
        s, after - dt.timedelta(days=90), after + dt.timedelta(days=400)
    )
    exceptions = []
    for index, shift_days, cancel in moves:
        if index < len(rule_starts):
            original = rule_starts[index]
            new = None if cancel else original + dt.timedelta(days=shift_days)
            exceptions.append(recurrence.ExceptionSpec(original, new, cancel))
    # However far the next is: beyond the year too (a yearly rule), as the whole shows it.
    whole = recurrence.occurrences(s, after, after + dt.timedelta(days=3000), exceptions)
    found = recurrence.next_occurrence(s, after, exceptions)
    assert found == (whole[0] if whole else None)
