"""Occurrences follow the local wall clock of the cadence's zone across DST changes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from accord.core.errors import ServiceError
from accord.rhythm import recurrence
from accord.rhythm.recurrence import ExceptionSpec, Schedule
from accord.rhythm.templates_catalog import TEMPLATES

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def schedule_for(template: str, tz: str, start: dt.date) -> Schedule:
    t = TEMPLATES[template]
    return Schedule(t.rrule, start, t.time, tz, t.duration_minutes)


# Europe/Berlin leaves summer time on 25 Oct 2026; America/New_York on 1 Nov 2026;
# both enter it in March 2027 (Berlin 28 Mar, New York 14 Mar).
WINDOWS = [
    ("Europe/Berlin", dt.date(2026, 9, 1), utc(2026, 9, 1), utc(2027, 5, 1)),
    ("America/New_York", dt.date(2026, 9, 1), utc(2026, 9, 1), utc(2027, 5, 1)),
]


@pytest.mark.parametrize("tz,start_date,lo,hi", WINDOWS)
@pytest.mark.parametrize("slug", list(TEMPLATES))
def test_every_template_keeps_its_local_time_across_dst(slug, tz, start_date, lo, hi):
    schedule = schedule_for(slug, tz, start_date)
    occs = recurrence.occurrences(schedule, lo, hi)
    assert occs, f"{slug} produced nothing"
    zone = ZoneInfo(tz)
    local_times = {o.start.astimezone(zone).time() for o in occs}
    assert local_times == {TEMPLATES[slug].time}
    # ...while the UTC time of day moves with the offset (only for rules that meet often
    # enough to straddle a change).
    if len(occs) > 3:
        assert len({o.start.time() for o in occs}) == 2
    for o in occs:
        assert o.end - o.start == dt.timedelta(minutes=TEMPLATES[slug].duration_minutes)


def test_a_weekly_berlin_meeting_moves_one_hour_in_utc_after_the_clocks_go_back():
    s = Schedule("FREQ=WEEKLY;BYDAY=MO", dt.date(2026, 10, 1), dt.time(10, 0), "Europe/Berlin")
    occs = recurrence.occurrences(s, utc(2026, 10, 19), utc(2026, 11, 3))
    assert [o.start for o in occs] == [
        utc(2026, 10, 19, 8),
        utc(2026, 10, 26, 9),
        utc(2026, 11, 2, 9),
    ]


def test_a_new_york_meeting_keeps_nine_thirty_local_across_the_spring_change():
    s = Schedule(
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", dt.date(2027, 3, 1), dt.time(9, 30), "America/New_York"
    )
    occs = recurrence.occurrences(s, utc(2027, 3, 11), utc(2027, 3, 17))
    assert [o.start for o in occs] == [
        utc(2027, 3, 11, 14, 30),  # Thu, EST (UTC-5)
        utc(2027, 3, 12, 14, 30),  # Fri
        utc(2027, 3, 15, 13, 30),  # Mon, EDT (UTC-4)
        utc(2027, 3, 16, 13, 30),
    ]


def test_a_time_that_does_not_exist_on_the_change_day_lands_after_the_gap():
    s = Schedule("FREQ=DAILY", dt.date(2027, 3, 27), dt.time(2, 30), "Europe/Berlin")
    occs = recurrence.occurrences(s, utc(2027, 3, 27), utc(2027, 3, 30))
    local = [o.start.astimezone(BERLIN).strftime("%d %H:%M") for o in occs]
    assert local == ["27 02:30", "28 03:30", "29 02:30"]


def test_the_last_business_day_of_each_quarter():
    t = TEMPLATES["quarterly-planning"]
    s = Schedule(t.rrule, dt.date(2026, 1, 1), t.time, "Europe/Berlin")
    occs = recurrence.occurrences(s, utc(2026, 1, 1), utc(2027, 1, 1))
    assert [o.start.astimezone(BERLIN).date() for o in occs] == [
        dt.date(2026, 3, 31),
        dt.date(2026, 6, 30),
        dt.date(2026, 9, 30),
        dt.date(2026, 12, 31),
    ]


def test_the_first_tuesday_and_every_other_week():
    s = Schedule("FREQ=MONTHLY;BYDAY=1TU", dt.date(2026, 1, 1), dt.time(14), "UTC")
    days = [o.start.day for o in recurrence.occurrences(s, utc(2026, 1, 1), utc(2026, 4, 1))]
    assert days == [6, 3, 3]
    s = Schedule("FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", dt.date(2026, 11, 4), dt.time(9), "UTC")
    days = [o.start.date() for o in recurrence.occurrences(s, utc(2026, 11, 1), utc(2026, 12, 10))]
    assert days == [dt.date(2026, 11, 4), dt.date(2026, 11, 18), dt.date(2026, 12, 2)]


def test_a_participant_in_another_zone_sees_their_own_local_time():
    s = Schedule("FREQ=WEEKLY;BYDAY=MO", dt.date(2026, 10, 1), dt.time(16, 0), "Europe/Berlin")
    before, between, after = recurrence.occurrences(s, utc(2026, 10, 19), utc(2026, 11, 3))
    # 16:00 Berlin is 10:00 in New York, except in the week between the two DST changes.
    assert before.local_start("America/New_York").strftime("%a %H:%M") == "Mon 10:00"
    assert between.local_start("America/New_York").strftime("%a %H:%M") == "Mon 11:00"
    assert after.local_start("America/New_York").strftime("%a %H:%M") == "Mon 10:00"
    assert after.local_start("Asia/Kolkata").strftime("%a %H:%M") == "Mon 20:30"
    assert after.local_start().strftime("%H:%M") == "16:00"


def test_exceptions_move_and_cancel_single_occurrences_without_touching_the_rule():
    s = Schedule("FREQ=WEEKLY;BYDAY=MO", dt.date(2026, 11, 1), dt.time(10), "Europe/Berlin")
    first, second, third = (
        o.start for o in recurrence.occurrences(s, utc(2026, 11, 1), utc(2026, 11, 20))
    )
    moved_to = utc(2026, 11, 11, 13)  # Wednesday
    exceptions = [
        ExceptionSpec(first, None, cancelled=True),
        ExceptionSpec(second, moved_to),
    ]
    occs = recurrence.occurrences(s, utc(2026, 11, 1), utc(2026, 11, 20), exceptions)
    assert [(o.start, o.original_start, o.moved) for o in occs] == [
        (moved_to, second, True),
        (third, third, False),
    ]
    shown = recurrence.occurrences(
        s, utc(2026, 11, 1), utc(2026, 11, 20), exceptions, include_cancelled=True
    )
    assert [o.cancelled for o in shown] == [True, False, False]


def test_an_occurrence_moved_into_the_window_from_outside_it_is_found():
    s = Schedule("FREQ=WEEKLY;BYDAY=MO", dt.date(2026, 11, 1), dt.time(10), "UTC")
    exceptions = [ExceptionSpec(utc(2026, 11, 9, 10), utc(2026, 11, 6, 10))]
    occs = recurrence.occurrences(s, utc(2026, 11, 5), utc(2026, 11, 8), exceptions)
    assert [(o.start, o.original_start) for o in occs] == [
        (utc(2026, 11, 6, 10), utc(2026, 11, 9, 10))
    ]
    # ...and is no longer where the rule put it.
    assert recurrence.occurrences(s, utc(2026, 11, 9), utc(2026, 11, 10), exceptions) == []


def test_occurrence_keys_round_trip():
    s = Schedule("FREQ=DAILY", dt.date(2026, 11, 1), dt.time(9), "Europe/Berlin")
    occ = recurrence.occurrences(s, utc(2026, 11, 2), utc(2026, 11, 3))[0]
    assert occ.key == "20261102T080000Z"
    assert recurrence.parse_key(occ.key) == occ.original_start


@pytest.mark.parametrize(
    "rule,message",
    [
        ("", "required"),
        ("BYDAY=MO", "FREQ is missing"),
        ("FREQ=HOURLY", "not supported"),
        ("FREQ=WEEKLY;BYDAY=XX", "not valid"),
        ("FREQ=WEEKLY;BYHOUR=9", "set by the cadence's time"),
        ("FREQ=WEEKLY;BYDAY", "NAME=VALUE"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never produces"),
    ],
)
def test_it_refuses_an_invalid_rule_with_a_clear_message(rule, message):
    s = Schedule(rule, dt.date(2026, 1, 1), dt.time(9), "UTC")
    with pytest.raises(ServiceError) as exc:
        s.validate()
    assert message in exc.value.message
    assert exc.value.fields == {"rrule": [exc.value.fields["rrule"][0]]}
    assert exc.value.code == "invalid_rrule"


def test_it_refuses_an_unknown_zone():
    s = Schedule("FREQ=DAILY", dt.date(2026, 1, 1), dt.time(9), "Europe/Atlantis")
    with pytest.raises(ServiceError) as exc:
        s.validate()
    assert "Unknown time zone 'Europe/Atlantis'" in exc.value.message
    assert "timezone" in exc.value.fields


def test_an_until_in_utc_is_accepted():
    s = Schedule(
        "FREQ=DAILY;UNTIL=20260105T235959Z", dt.date(2026, 1, 1), dt.time(9), "Europe/Berlin"
    )
    assert len(recurrence.occurrences(s, utc(2025, 12, 1), utc(2026, 2, 1))) == 5
