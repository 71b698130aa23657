"""The many spellings of a meeting's frequency, day, time and zone."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.interchange.meetings import parse_schedule, parse_time, parse_zone


@pytest.mark.parametrize(
    ("frequency", "day", "rule", "start"),
    [
        ("biweekly", "Tuesday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU", None),
        (
            "bi-weekly",
            "Tuesday (starting September 10th 2024)",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            dt.date(2024, 9, 10),
        ),
        ("Biweekly", "Wednesday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", None),
        (
            "weekly",
            "Thursdays (starting February 15th 2024)",
            "FREQ=WEEKLY;BYDAY=TH",
            dt.date(2024, 2, 15),
        ),
        ("every four weeks", "Wednesday", "FREQ=WEEKLY;INTERVAL=4;BYDAY=WE", None),
        ("monthly - third Tuesday", "Tuesday", "FREQ=MONTHLY;BYDAY=3TU", None),
        ("monthly - last Wednesday every month", "Wednesday", "FREQ=MONTHLY;BYDAY=-1WE", None),
        ("Monthly on 4th Thursday", "Thursday", "FREQ=MONTHLY;BYDAY=4TH", None),
        ("monthly", "first Wednesday", "FREQ=MONTHLY;BYDAY=1WE", None),
        (
            "monthly 2020 start date: Jan. 7th",
            "Tuesday",
            "FREQ=MONTHLY;BYDAY=1TU",
            dt.date(2020, 1, 7),
        ),
        (
            "biweekly starting Tuesday Oct 28, 2025",
            "Tuesday",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
            dt.date(2025, 10, 28),
        ),
    ],
)
def test_it_reads_frequency_spellings(frequency, day, rule, start):
    parsed = parse_schedule(frequency, day)
    assert not parsed.error
    assert (parsed.value.rrule, parsed.value.start) == (rule, start)


@pytest.mark.parametrize(
    ("frequency", "day"),
    [
        ("monthly", "Thursday"),
        ("monthly - Wednesday, after the fourth Tuesday, every month", "Wednesday"),
        ("whenever", "Tuesday"),
        ("weekly", "someday"),
        ("", "Monday"),
    ],
)
def test_it_refuses_what_it_cannot_read(frequency, day):
    parsed = parse_schedule(frequency, day)
    assert parsed.value is None and parsed.error


def test_it_notes_text_it_ignored():
    parsed = parse_schedule(
        "biweekly, you must be signed into a free zoom account to join", "Monday"
    )
    assert parsed.value.rrule == "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"
    assert "zoom" in parsed.notes[0]


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("9:00", "09:00"),
        ("09:00", "09:00"),
        ("2PM", "14:00"),
        ("12:15", "12:15"),
        ("12am", "00:00"),
    ],
)
def test_it_reads_times(raw, value):
    assert parse_time(raw).value == value


@pytest.mark.parametrize("raw", ["25:00", "noon", "", "9", "13pm"])
def test_it_refuses_impossible_times(raw):
    assert parse_time(raw).error


@pytest.mark.parametrize(
    ("raw", "zone"),
    [
        ("PT (Pacific Time)", "America/Los_Angeles"),
        ("Eastern Time (ET)", "America/New_York"),
        ("EST (Eastern Time)", "America/New_York"),
        ("CET (Central European Time)", "Europe/Berlin"),
        ("Poland", "Europe/Warsaw"),
        ("UTC", "UTC"),
        ("Asia/Kolkata", "Asia/Kolkata"),
    ],
)
def test_it_reads_time_zones(raw, zone):
    assert parse_zone(raw).value == zone


def test_it_refuses_ambiguous_and_unknown_zones():
    assert "ambiguous" in parse_zone("IST").error
    assert "unknown" in parse_zone("Mars/Olympus").error
