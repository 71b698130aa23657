"""Dates at the ends of the calendar get a clear refusal naming the supported years
(1900 to 2999), from one place, and no date arithmetic overflows on the way."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accord.core.errors import ServiceError
from accord.rhythm import recurrence, services
from accord.rhythm.models import Away, Cadence, OccurrenceException
from accord.rhythm.recurrence import Schedule
from tests.conftest import api_client, login

RANGE = "1900 to 2999"
FIRST_SYNC = "20261005T080000Z"  # Monday 5 Oct 2026, 10:00 Berlin


@pytest.mark.parametrize("start", ["0001-01-01", "1899-12-31", "3000-01-01", "9999-12-31"])
def test_a_cadence_starting_outside_the_supported_years_is_refused(cast, start):
    r = api_client(cast.leader).post(
        "/api/v1/rhythm/cadences",
        {
            "name": "Sync",
            "rrule": "FREQ=WEEKLY",
            "time": "23:59",
            "timezone": "Pacific/Kiritimati",
            "team_id": cast.platform.pk,
            "start_date": start,
        },
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "out_of_range" and RANGE in error["message"]
    assert RANGE in error["fields"]["start_date"][0]
    assert not Cadence.objects.exists()


@pytest.mark.parametrize("until", ["00010101", "18991231T000000Z", "99991231T235959Z"])
def test_an_until_outside_the_supported_years_is_refused(cast, until):
    with pytest.raises(ServiceError) as exc:
        Schedule(f"FREQ=DAILY;UNTIL={until}", dt.date(2026, 1, 1), dt.time(9), "UTC").validate()
    assert RANGE in exc.value.message and f"UNTIL={until}" in exc.value.message


def test_the_ends_of_the_supported_years_are_fine():
    for start in (dt.date(1900, 1, 1), dt.date(2999, 12, 31)):
        s = Schedule("FREQ=DAILY", start, dt.time(23, 59), "Pacific/Kiritimati")
        s.validate()
        lo = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC) - dt.timedelta(days=3)
        assert recurrence.occurrences(s, lo, lo + dt.timedelta(days=10))
        assert recurrence.previous_occurrence(s, lo + dt.timedelta(days=6)) is not None


@pytest.mark.parametrize("new_start", ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z"])
def test_moving_an_occurrence_off_the_calendar_is_refused(cast, rhythm, new_start):
    r = api_client(cast.leader).post(
        f"/api/v1/rhythm/cadences/{rhythm.sync.pk}/occurrences/{FIRST_SYNC}/move",
        {"new_start": new_start},
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert r.json()["error"]["code"] == "out_of_range" and RANGE in r.json()["error"]["message"]
    assert not OccurrenceException.objects.exists()


def test_an_occurrence_moved_years_away_answers_with_its_new_time(cast, rhythm):
    r = api_client(cast.leader).post(
        f"/api/v1/rhythm/cadences/{rhythm.sync.pk}/occurrences/{FIRST_SYNC}/move",
        {"new_start": "2999-12-31T12:00:00Z"},
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert r.json()["start"] == "2999-12-31T12:00:00Z" and r.json()["moved"] is True


@pytest.mark.parametrize(
    "method,path",
    [
        ("post", "/move"),
        ("post", "/checkin"),
        ("post", "/meeting"),
    ],
)
@pytest.mark.parametrize("key", ["99991231T235959Z", "00010101T000000Z"])
def test_an_occurrence_key_off_the_calendar_is_refused(cast, rhythm, method, path, key):
    cadence = rhythm.checkin if path == "/checkin" else rhythm.sync
    body = {"new_start": "2026-10-06T08:00:00Z"} if path == "/move" else {}
    r = getattr(api_client(cast.leader), method)(
        f"/api/v1/rhythm/cadences/{cadence.pk}/occurrences/{key}{path}",
        body,
        content_type="application/json",
    )
    assert r.status_code == 422, r.content
    assert r.json()["error"]["code"] == "out_of_range" and RANGE in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        {"start": "9999-12-31T00:00:00Z"},
        {"start": "0001-01-01T00:00:00Z", "end": "0001-01-05T00:00:00Z"},
        {"start": "2999-12-20T00:00:00Z", "end": "3000-01-05T00:00:00Z"},
    ],
)
def test_listing_occurrences_off_the_calendar_is_refused(cast, rhythm, query):
    r = api_client(cast.leader).get(f"/api/v1/rhythm/cadences/{rhythm.sync.pk}/occurrences", query)
    assert r.status_code == 422, r.content
    assert RANGE in r.json()["error"]["message"]


def test_the_move_form_refuses_a_date_off_the_calendar(cast, rhythm):
    Cadence.objects.filter(pk=rhythm.sync.pk).update(timezone="America/New_York")
    rhythm.sync.refresh_from_db()
    [key] = [
        o.key
        for o in recurrence.occurrences(
            rhythm.sync.schedule,
            dt.datetime(2026, 10, 5, tzinfo=dt.UTC),
            dt.datetime(2026, 10, 6, tzinfo=dt.UTC),
        )
    ]
    client = login(cast.leader)
    r = client.post(
        f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{key}/move/",
        {"action": "move", "new_start": "9999-12-31T23:59"},
        follow=True,
    )
    assert r.status_code == 200 and RANGE in r.content.decode()
    assert not OccurrenceException.objects.exists()


@pytest.mark.parametrize("key", ["99991231T235959Z", "00010101T000000Z"])
def test_pages_of_an_occurrence_off_the_calendar_are_not_found(cast, rhythm, key):
    client = login(cast.leader)
    for suffix in ("", "checkin/", "ics/"):
        r = client.get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{key}/{suffix}")
        assert r.status_code in (302, 404), (suffix, r.status_code)


def test_the_cadence_form_refuses_a_start_off_the_calendar(cast):
    page = login(cast.leader).post(
        "/o/acme/rhythm/cadences/new/",
        {
            "template": "daily-standup",
            "scope": "team",
            "team": cast.platform.pk,
            "timezone": "UTC",
            "start_date": "9999-12-31",
        },
    )
    assert page.status_code == 200 and RANGE in page.content.decode()
    assert not Cadence.objects.exists()


def test_time_off_and_scorecard_weeks_off_the_calendar_are_refused(cast):
    with pytest.raises(ServiceError) as exc:
        services.set_away(
            cast.org,
            cast.member,
            cast.member,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(9999, 12, 31),
        )
    assert RANGE in exc.value.message and not Away.objects.exists()
    m = services.create_measurable(
        cast.org, cast.leader, team=cast.platform, name="Leads", goal_rule="at_least", goal_low=5
    )
    r = api_client(cast.leader).put(
        f"/api/v1/rhythm/measurables/{m.pk}/values",
        {"week": "0001-01-01", "value": 3},
        content_type="application/json",
    )
    assert r.status_code == 422 and RANGE in r.json()["error"]["message"]


def test_a_feed_survives_an_exception_stored_at_the_end_of_time(cast, rhythm):
    _, token = services.create_feed(cast.org, cast.leader, person=cast.leader)
    OccurrenceException.objects.create(
        org=cast.org,
        cadence=rhythm.sync,
        original_start=dt.datetime(2026, 10, 5, 8, tzinfo=dt.UTC),
        new_start=dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC),
    )
    assert Client().get(f"/api/v1/rhythm/calendar/{token}.ics").status_code == 200
    for url in ("/o/acme/rhythm/", f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/"):
        assert login(cast.leader).get(url).status_code == 200, url


def test_a_feed_survives_due_dates_at_the_end_of_the_calendar(cast, rhythm):
    from accord.decisions import services as decisions
    from accord.decisions.models import ActionItem

    item = decisions.create_action_item(cast.org, None, "Someday", cast.leader, team=cast.platform)
    ActionItem.objects.filter(pk=item.pk).update(due_on=dt.date(9999, 12, 31))
    _, token = services.create_feed(cast.org, cast.leader, person=cast.leader)
    feed = Client().get(f"/api/v1/rhythm/calendar/{token}.ics")
    assert feed.status_code == 200 and b"Due: Someday" in feed.content
