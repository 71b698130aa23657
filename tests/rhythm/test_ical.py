"""The feeds parse with `icalendar`, expand with `recurring-ical-events` to exactly the
occurrences Accord computes (across DST, with moved and cancelled ones), and a revoked
feed URL answers 404."""

from __future__ import annotations

import datetime as dt

import icalendar
import recurring_ical_events
from django.test import Client
from django.utils import timezone

from accord.decisions import services as decisions
from accord.rhythm import queries, services
from tests.rhythm.conftest import utc

LO, HI = utc(2026, 10, 1), utc(2027, 4, 30)


def expand(body: bytes, summary: str) -> list[dt.datetime]:
    cal = icalendar.Calendar.from_ical(body)
    events = recurring_ical_events.of(cal).between(LO, HI)
    return sorted(
        e["DTSTART"].dt.astimezone(dt.UTC) for e in events if str(e["SUMMARY"]) == summary
    )


def test_a_person_feed_expands_to_the_occurrences_accord_shows(cast, rhythm):
    sync = rhythm.sync
    occs = queries.occurrences_of(sync, LO, HI)
    services.cancel_occurrence(cast.org, None, sync, occs[3].original_start)
    services.move_occurrence(
        cast.org, None, sync, occs[5].original_start, occs[5].start + dt.timedelta(hours=26), now=LO
    )
    planning = services.create_cadence_from_template(
        cast.org,
        None,
        "quarterly-planning",
        timezone_name="America/New_York",
        start_date=dt.date(2026, 10, 1),
    )
    decisions.create_action_item(
        cast.org, None, "Write the runbook", cast.member, due_on=dt.date(2026, 12, 1)
    )
    _, token = services.create_feed(cast.org, cast.member, person=cast.member)
    response = Client().get(f"/api/v1/rhythm/calendar/{token}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content
    cal = icalendar.Calendar.from_ical(body)
    assert {str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")} >= {
        "Europe/Berlin",
        "America/New_York",
    }
    for cadence in (queries.cadences(cast.org).get(pk=sync.pk), rhythm.checkin, planning):
        cadence = queries.cadences(cast.org).get(pk=cadence.pk)
        expected = [o.start for o in queries.occurrences_of(cadence, LO, HI)]
        summary = f"Check-in due: {cadence.name}" if cadence.is_checkin else cadence.name
        assert expand(body, summary) == expected, cadence.name
    # The Berlin sync keeps 10:00 local on both sides of the DST change.
    sync_times = expand(body, sync.name)
    assert utc(2026, 10, 19, 8) in sync_times and utc(2026, 11, 30, 9) in sync_times
    assert occs[3].start not in sync_times
    due = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Due: Write the runbook"]
    assert due and due[0]["DTSTART"].dt == dt.date(2026, 12, 1)


def test_a_team_feed_has_the_teams_cadences(cast, rhythm):
    _, token = services.create_feed(cast.org, cast.leader, team=cast.platform)
    body = Client().get(f"/api/v1/rhythm/calendar/{token}.ics").content
    names = {str(e["SUMMARY"]) for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert names == {rhythm.sync.name, f"Check-in due: {rhythm.checkin.name}"}


def test_a_revoked_feed_is_gone(cast, rhythm):
    feed, token = services.create_feed(cast.org, cast.member, person=cast.member)
    url = f"/api/v1/rhythm/calendar/{token}.ics"
    assert Client().get(url).status_code == 200
    services.revoke_feed(cast.org, cast.member, feed)
    assert Client().get(url).status_code == 404
    assert Client().get("/api/v1/rhythm/calendar/not-a-token.ics").status_code == 404


def test_nobody_creates_a_feed_of_someone_else(cast):
    import pytest

    from accord.core.errors import PermissionDenied
    from accord.rhythm.models import CalendarFeed

    with pytest.raises(PermissionDenied):
        services.create_feed(cast.org, cast.member, person=cast.leader)
    assert not CalendarFeed.objects.exists()


def test_the_meeting_download_is_one_event_at_the_right_time(cast, rhythm, as_admin):
    occ = queries.occurrences_of(rhythm.sync, utc(2026, 11, 9), utc(2026, 11, 10))[0]
    response = as_admin.get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/ics/")
    assert response.status_code == 200
    [ev] = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert ev["DTSTART"].dt.astimezone(dt.UTC) == utc(2026, 11, 9, 9)
    assert str(ev["DTSTART"].params["TZID"]) == "Europe/Berlin"


def test_a_person_feed_owes_no_check_in_while_away_and_links_back_to_accord(cast, rhythm):
    """Check-ins falling on a person's time off are left out of their feed (the settings
    page says nothing is owed then); meetings stay. Each entry links to its page."""
    lo = timezone.now() + dt.timedelta(days=1)
    hi = lo + dt.timedelta(days=60)

    def starts(body: bytes, summary: str) -> list[dt.datetime]:
        # The feed's occurrences that start in the window, as `occurrences_of` reads it
        # (`between` also returns one under way at `lo`: a sync at 09:00 when the test runs
        # at 09:05 the day before).
        events = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(lo, hi)
        return sorted(
            start
            for e in events
            if str(e["SUMMARY"]) == summary and (start := e["DTSTART"].dt.astimezone(dt.UTC)) >= lo
        )

    checkin = queries.cadences(cast.org).get(pk=rhythm.checkin.pk)
    owed = queries.occurrences_of(checkin, lo, hi)
    away_day = owed[2].local_start().date()
    services.set_away(cast.org, cast.member, cast.member, starts_on=away_day, ends_on=away_day)
    _, token = services.create_feed(cast.org, cast.member, person=cast.member)
    body = Client().get(f"/api/v1/rhythm/calendar/{token}.ics").content
    expected = [o.start for o in owed if o.start != owed[2].start]
    assert starts(body, f"Check-in due: {checkin.name}") == expected
    sync = queries.cadences(cast.org).get(pk=rhythm.sync.pk)
    assert starts(body, sync.name) == [o.start for o in queries.occurrences_of(sync, lo, hi)]
    cal = icalendar.Calendar.from_ical(body)
    [event] = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == sync.name]
    assert str(event["URL"]).endswith(f"/o/acme/rhythm/cadences/{sync.pk}/")
    assert str(event["URL"]) in str(event["DESCRIPTION"])
