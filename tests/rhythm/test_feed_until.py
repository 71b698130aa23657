"""A cadence with an end date: its calendar feed writes UNTIL in UTC (…Z) beside a start in
the cadence's zone, as RFC 5545 (3.3.10) requires, and a calendar client expanding the feed
(`recurring-ical-events`) finds the occurrences Accord computes, the last one included,
whether the end was chosen on the form (the day's last second on the cadence's clock) or
given as a UTC moment (through the API or an organization file)."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import recurring_ical_events
from django.test import Client

from accord.rhythm import picker, queries, services
from accord.rhythm.models import Cadence

LO = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
HI = dt.datetime(2027, 6, 1, tzinfo=dt.UTC)


def _feed(cast, cadence: Cadence) -> icalendar.Calendar:
    _, token = services.create_feed(cast.org, cast.leader, team=cast.platform)
    response = Client().get(f"/api/v1/rhythm/calendar/{token}.ics")
    assert response.status_code == 200
    return icalendar.Calendar.from_ical(response.content)


def _expanded(cal: icalendar.Calendar, name: str) -> list:
    events = recurring_ical_events.of(cal).between(LO, HI)
    out = [e["DTSTART"].dt for e in events if str(e["SUMMARY"]) == name]
    return sorted(x.astimezone(dt.UTC) if isinstance(x, dt.datetime) else x for x in out)


def _cadence(cast, name: str, rrule: str, zone: str, **kw) -> Cadence:
    return services.create_cadence(
        cast.org,
        None,
        name=name,
        rrule=rrule,
        timezone_name=zone,
        team=cast.platform,
        start_date=dt.date(2026, 10, 1),
        **kw,
    )


@pytest.mark.parametrize(
    ("zone", "clock", "last"),
    [
        # 20:00 in New York is 01:00 UTC the next day: after a floating 23:59:59.
        ("America/New_York", dt.time(20), dt.datetime(2027, 4, 16, 0, tzinfo=dt.UTC)),
        # 16:00 in Berlin, 10:00 in Sydney: before it.
        ("Europe/Berlin", dt.time(16), dt.datetime(2027, 4, 15, 14, tzinfo=dt.UTC)),
        ("Australia/Sydney", dt.time(10), dt.datetime(2027, 4, 15, 0, tzinfo=dt.UTC)),
    ],
)
def test_an_end_chosen_on_the_form_keeps_the_last_occurrence_in_the_feed(cast, zone, clock, last):
    rule = picker.with_until("FREQ=WEEKLY;BYDAY=TH", dt.date(2027, 4, 15))
    cadence = _cadence(cast, "Thursday review", rule, zone, time=clock, duration_minutes=30)
    ours = [o.start for o in queries.occurrences_of(cadence, LO, HI)]
    assert ours[-1] == last

    cal = _feed(cast, cadence)
    [event] = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Thursday review"]
    assert event["DTSTART"].params["TZID"] == zone
    assert event["RRULE"]["UNTIL"][0].tzinfo is not None  # written …Z
    assert "Z" in event["RRULE"].to_ical().decode().split("UNTIL=")[1].split(";")[0]
    assert _expanded(cal, "Thursday review") == ours


def test_a_utc_end_is_read_as_that_moment_in_the_cadences_zone(cast):
    # 00:00 UTC on 15 Apr is 10:00 in Sydney: the meeting at 09:00 that day is before it.
    rule = "FREQ=WEEKLY;BYDAY=TH;UNTIL=20270415T000000Z"
    cadence = _cadence(
        cast, "Sydney sync", rule, "Australia/Sydney", time=dt.time(9), duration_minutes=30
    )
    ours = [o.start for o in queries.occurrences_of(cadence, LO, HI)]
    assert ours[-1] == dt.datetime(2027, 4, 14, 23, tzinfo=dt.UTC)  # 09:00 on 15 Apr there
    assert _expanded(_feed(cast, cadence), "Sydney sync") == ours


def test_an_all_day_cadence_ends_on_its_date_in_the_feed(cast):
    rule = picker.with_until("FREQ=WEEKLY;BYDAY=FR", dt.date(2027, 4, 16))
    cadence = _cadence(cast, "Week's notes due", rule, "Asia/Tokyo", all_day=True)
    tz = cadence.schedule.tz
    ours = [o.start.astimezone(tz).date() for o in queries.occurrences_of(cadence, LO, HI)]
    assert ours[-1] == dt.date(2027, 4, 16)
    cal = _feed(cast, cadence)
    [event] = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Week's notes due"]
    assert event["RRULE"]["UNTIL"] == [dt.date(2027, 4, 16)]
    assert _expanded(cal, "Week's notes due") == ours
