"""All-day cadences: dates the organization works to (a release day), not meetings.

Through every surface: the service rules, the form (without script), the pages, the API,
the calendar feeds (parsed with `icalendar`), the organization file's round trip, and the
analysis, which never reports one as a meeting "not held"."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import recurring_ical_events
from django.templatetags.static import static
from django.test import Client
from django.utils import timezone

from accord.core.errors import ServiceError
from accord.intelligence import snapshot
from accord.intelligence.registry import discover
from accord.interchange import services as interchange
from accord.rhythm import queries, services
from accord.rhythm.models import Cadence, CadenceKind, Meeting, Scope
from tests.conftest import api_client, at, login
from tests.rhythm.conftest import utc

BERLIN = "Europe/Berlin"


def release_day(cast, **kwargs) -> Cadence:
    """Every six weeks from Tuesday 3 March 2026, all day in Berlin."""
    return services.create_cadence(
        cast.org,
        cast.admin,
        name="Release day",
        kind=kwargs.pop("kind", CadenceKind.CUSTOM),
        scope=Scope.ORG,
        rrule="FREQ=WEEKLY;INTERVAL=6",
        all_day=True,
        timezone_name=BERLIN,
        start_date=kwargs.pop("start_date", dt.date(2026, 3, 3)),
        **kwargs,
    )


# --- the model and its services --------------------------------------------------------------


def test_an_all_day_cadence_has_dates_from_midnight_to_midnight_in_its_zone(cast):
    cadence = release_day(cast)
    assert cadence.all_day and cadence.time is None and cadence.duration_minutes is None
    occs = queries.occurrences_of(cadence, utc(2026, 3, 1), utc(2026, 5, 1))
    assert [o.day for o in occs] == [dt.date(2026, 3, 3), dt.date(2026, 4, 14)]
    assert all(o.all_day for o in occs)
    # Midnight in Berlin: CET before the clocks change on 29 March, CEST after.
    assert [o.start for o in occs] == [utc(2026, 3, 2, 23), utc(2026, 4, 13, 22)]
    assert [o.end - o.start for o in occs] == [dt.timedelta(days=1)] * 2
    # The occurrence looked up by its key is the same date.
    one = queries.occurrence(cadence, occs[1].original_start)
    assert one is not None and one.all_day and one.day == dt.date(2026, 4, 14)


def test_the_day_the_clocks_change_lasts_23_hours(cast):
    cadence = release_day(cast, start_date=dt.date(2026, 3, 29))
    [occ] = queries.occurrences_of(cadence, utc(2026, 3, 28), utc(2026, 3, 30))
    assert occ.end - occ.start == dt.timedelta(hours=23)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"time": dt.time(10)}, "time"),
        ({"duration_minutes": 60}, "duration_minutes"),
        ({"kind": CadenceKind.CHECKIN}, "all_day"),
    ],
)
def test_an_all_day_cadence_with_a_time_or_a_duration_or_as_a_checkin_is_refused(
    cast, extra, field
):
    with pytest.raises(ServiceError) as exc:
        release_day(cast, **extra)
    assert field in exc.value.fields
    assert not Cadence.objects.filter(org=cast.org).exists()


def test_switching_between_all_day_and_a_meeting_keeps_the_fields_in_step(cast):
    cadence = release_day(cast)
    with pytest.raises(ServiceError) as exc:
        services.update_cadence(cast.org, cast.admin, cadence, all_day=False)
    assert "time" in exc.value.fields
    with pytest.raises(ServiceError):
        services.update_cadence(cast.org, cast.admin, cadence, time=dt.time(9))
    cadence = services.update_cadence(cast.org, cast.admin, cadence, all_day=False, time=dt.time(9))
    assert (cadence.all_day, cadence.time, cadence.duration_minutes) == (False, dt.time(9), 60)
    cadence = services.update_cadence(cast.org, cast.admin, cadence, all_day=True)
    assert (cadence.all_day, cadence.time, cadence.duration_minutes) == (True, None, None)


def test_an_all_day_occurrence_moves_to_another_date_and_is_no_meeting_to_start(cast):
    cadence = release_day(cast)
    occ = queries.occurrences_of(cadence, utc(2026, 4, 1), utc(2026, 5, 1))[0]
    # However the new date is given, it moves to that date's midnight in Berlin.
    services.move_occurrence(
        cast.org, cast.admin, cadence, occ.original_start, utc(2026, 4, 15, 9), now=utc(2026, 3, 1)
    )
    moved = queries.occurrence(cadence, occ.original_start)
    assert moved is not None and moved.moved and moved.day == dt.date(2026, 4, 15)
    assert moved.start == utc(2026, 4, 14, 22)
    meeting = services.open_meeting(cast.org, cast.admin, cadence, occ.original_start)
    with pytest.raises(ServiceError, match="not meetings"):
        services.start_meeting(cast.org, cast.admin, meeting, early=True)
    assert Meeting.objects.get(pk=meeting.pk).started_at is None


# --- the analysis ------------------------------------------------------------------------------


def _not_held(org) -> list:
    snap = snapshot.load(org, timezone.now())
    det = discover()["rhythm.meetings_not_held"]
    return list(det.func(snap, {"in_a_row": 2})), snap


def test_an_all_day_cadence_is_never_a_meeting_not_held(cast):
    start = timezone.localdate() - dt.timedelta(days=60)
    Cadence.objects.filter(pk=release_day(cast, start_date=start).pk).update(
        created_at=timezone.now() - dt.timedelta(days=90)
    )
    meeting = services.create_cadence(
        cast.org,
        cast.admin,
        name="Weekly sync",
        team=cast.platform,
        rrule="FREQ=WEEKLY",
        time=dt.time(10),
        timezone_name=BERLIN,
        start_date=start,
    )
    Cadence.objects.filter(pk=meeting.pk).update(created_at=timezone.now() - dt.timedelta(days=90))
    found, snap = _not_held(cast.org)
    # The weekly meeting nobody held is reported; the release days, just as unheld, are not.
    assert [f.subject_label for f in found] == ["Weekly sync"]
    release = next(c for c in snap.cadences.values() if c.name == "Release day")
    assert release.all_day and release.meetings == []
    [adh] = queries.adherence(cast.org, [Cadence.objects.get(name="Release day")])
    assert adh.occurrences and adh.held_share is None
    assert {o.held for o in adh.occurrences} == {None}


# --- the pages ---------------------------------------------------------------------------------


def test_the_form_sets_up_an_all_day_cadence_ignoring_a_time_left_in_view(cast):
    client = login(cast.admin)
    page = client.get(f"/o/{cast.org.slug}/rhythm/cadences/new/")
    assert b'name="all_day"' in page.content
    assert static("rhythm/all_day.js").encode() in page.content
    # Without script the time field stays visible and may hold a value: it is ignored.
    r = client.post(
        f"/o/{cast.org.slug}/rhythm/cadences/new/",
        {
            "name": "Planning day",
            "kind": "planning",
            "scope": "org",
            "repeat": "custom",
            "rrule": "FREQ=MONTHLY;BYDAY=1WE",
            "all_day": "on",
            "time": "10:00",
            "duration_minutes": "90",
            "timezone": BERLIN,
            "start_date": "2026-01-01",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    cadence = Cadence.objects.get(org=cast.org, name="Planning day")
    assert (cadence.all_day, cadence.time, cadence.duration_minutes) == (True, None, None)
    # The edit form turns it back into a meeting once given a time, and refuses without one.
    edit = f"/o/{cast.org.slug}/rhythm/cadences/{cadence.pk}/edit/"
    form = {
        "name": "Planning day",
        "scope": "org",
        "repeat": "custom",
        "rrule": "FREQ=MONTHLY;BYDAY=1WE",
        "timezone": BERLIN,
        "checkin_owed_by": "everyone",
        "window_opens_hours": "48",
        "late_after_hours": "24",
        "is_active": "on",
        "version": cadence.version,
    }
    r = client.post(edit, form)
    assert r.status_code == 200 and "or mark it all day" in r.content.decode()
    assert Cadence.objects.get(pk=cadence.pk).all_day
    r = client.post(edit, {**form, "time": "09:30"})
    assert r.status_code == 302
    cadence.refresh_from_db()
    assert (cadence.all_day, cadence.time, cadence.duration_minutes) == (False, dt.time(9, 30), 60)


def test_pages_show_all_day_occurrences_as_dates(cast):
    start = timezone.localdate() - dt.timedelta(days=40)
    cadence = release_day(cast, start_date=start, owner=cast.member)
    nxt = queries.next_occurrence(cadence, timezone.now())
    label = f"{nxt.day:%a} {nxt.day.day} {nxt.day:%b %Y} (all day)"
    client = login(cast.member)
    base = f"/o/{cast.org.slug}/rhythm"
    listing = client.get(f"{base}/cadences/").content.decode()
    assert label in listing
    week = client.get(f"{base}/").content.decode()
    assert label in week
    detail = client.get(f"{base}/cadences/{cadence.pk}/").content.decode()
    assert "all day" in detail and "Dates reached" in detail
    assert "Adherence" not in detail and "held" not in detail
    past = queries.occurrences_of(cadence, utc(2000, 1, 1), timezone.now())[-1]
    occ_page = client.get(f"{base}/cadences/{cadence.pk}/{past.key}/").content.decode()
    assert "a date, not a meeting" in occ_page and "Start meeting" not in occ_page
    ics = icalendar.Calendar.from_ical(
        client.get(f"{base}/cadences/{cadence.pk}/{past.key}/ics/").content
    )
    [ev] = ics.walk("VEVENT")
    assert ev["DTSTART"].dt == past.day and ev["DTEND"].dt == past.day + dt.timedelta(days=1)


# --- the API -----------------------------------------------------------------------------------


def test_the_api_creates_reads_and_changes_an_all_day_cadence(cast):
    client = api_client(cast.admin)
    body = {
        "name": "Release day",
        "scope": "org",
        "rrule": "FREQ=WEEKLY;INTERVAL=6",
        "start_date": "2026-03-03",
        "timezone": BERLIN,
        "all_day": True,
    }
    refused = client.post(
        "/api/v1/rhythm/cadences", {**body, "time": "10:00"}, content_type="application/json"
    )
    assert refused.status_code in (400, 422), refused.content
    assert "An all-day cadence has no time of day" in refused.content.decode()
    assert not Cadence.objects.filter(org=cast.org).exists()
    r = client.post("/api/v1/rhythm/cadences", body, content_type="application/json")
    assert r.status_code == 201, r.content
    made = r.json()
    assert (made["all_day"], made["time"], made["duration_minutes"]) == (True, None, None)
    occ = client.get(
        f"/api/v1/rhythm/cadences/{made['id']}/occurrences",
        {"start": "2026-03-01T00:00:00Z", "end": "2026-05-01T00:00:00Z"},
    ).json()
    assert [(o["all_day"], o["date"], o["start"]) for o in occ] == [
        (True, "2026-03-03", "2026-03-02T23:00:00Z"),
        (True, "2026-04-14", "2026-04-13T22:00:00Z"),
    ]
    url = f"/api/v1/rhythm/cadences/{made['id']}"
    r = client.patch(url, {"time": "09:00"}, content_type="application/json")
    assert r.status_code in (400, 422) and "no time of day" in r.content.decode()
    r = client.patch(url, {"all_day": False, "time": "09:00"}, content_type="application/json")
    assert r.status_code == 200, r.content
    changed = r.json()
    assert (changed["all_day"], changed["time"][:5], changed["duration_minutes"]) == (
        False,
        "09:00",
        60,
    )
    r = client.patch(url, {"all_day": True}, content_type="application/json")
    assert (r.json()["all_day"], r.json()["time"]) == (True, None)
    assert client.get(url).json()["all_day"] is True


# --- the calendar feed -------------------------------------------------------------------------


def test_the_feed_states_all_day_cadences_as_dates(cast):
    cadence = release_day(cast)
    occs = queries.occurrences_of(cadence, utc(2026, 3, 1), utc(2026, 9, 1))
    services.cancel_occurrence(cast.org, cast.admin, cadence, occs[1].original_start)
    _, token = services.create_feed(cast.org, cast.member, person=cast.member)
    body = Client().get(f"/api/v1/rhythm/calendar/{token}.ics").content
    assert b"DTSTART;VALUE=DATE:20260303" in body
    cal = icalendar.Calendar.from_ical(body)
    [base] = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]) == "Release day"]
    assert base["DTSTART"].dt == dt.date(2026, 3, 3)
    assert base["EXDATE"].dts[0].dt == dt.date(2026, 4, 14)
    expanded = recurring_ical_events.of(cal).between(dt.date(2026, 3, 1), dt.date(2026, 9, 1))
    days = sorted(e["DTSTART"].dt for e in expanded if str(e["SUMMARY"]) == "Release day")
    assert days == [o.day for o in occs if o.original_start != occs[1].original_start]
    assert all(not isinstance(d, dt.datetime) for d in days)


# --- the organization file ---------------------------------------------------------------------

FILE = """\
accord: 1
organization: {name: Initech, slug: initech}
teams:
  - slug: initech
    name: Initech
cadences:
  - id: release-day
    name: Release day
    kind: custom
    scope: org
    rrule: FREQ=WEEKLY;INTERVAL=6
    start_date: 2026-03-03
    all_day: true
    timezone: Europe/Berlin
  - id: weekly-sync
    name: Weekly sync
    team: initech
    rrule: FREQ=WEEKLY;BYDAY=MO
    start_date: 2026-03-02
    time: "10:00"
    timezone: Europe/Berlin
"""


def test_an_all_day_cadence_round_trips_through_the_organization_file(db):
    outcome = interchange.apply_file(FILE)
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    release = Cadence.objects.get(name="Release day")
    assert (release.all_day, release.time, release.duration_minutes) == (True, None, None)
    sync = Cadence.objects.get(name="Weekly sync")
    assert (sync.all_day, sync.time, sync.duration_minutes) == (False, dt.time(10), 60)
    exported = interchange.export_text(release.org)
    assert "all_day: true" in exported
    again = interchange.apply_file(exported, org_slug="initech-copy")
    assert again.ok and not again.report, again.report.as_text()
    copy = Cadence.objects.get(org__slug="initech-copy", name="Release day")
    assert (copy.all_day, copy.time, copy.duration_minutes) == (True, None, None)
    assert interchange.plan_file(exported, org=release.org).changes == []
    assert interchange.plan_file(FILE, org=release.org).changes == []


def test_a_file_giving_an_all_day_cadence_a_time_skips_it_with_the_reason(db):
    text = FILE.replace("    all_day: true\n", '    all_day: true\n    time: "09:00"\n')
    outcome = interchange.apply_file(text)
    [problem] = outcome.report.problems
    assert problem.path == "cadences[0].time" and "no time of day" in problem.why
    assert list(Cadence.objects.values_list("name", flat=True)) == ["Weekly sync"]


def test_an_all_day_cadence_sends_no_agenda_before_its_date(cast):
    from accord.rhythm import notifications

    cadence = release_day(cast)
    # Two hours before midnight in Berlin, when a meeting's agenda would go out.
    assert notifications._moments(cadence, utc(2026, 4, 13, 20, 30)) == []


def test_a_briefing_says_a_coming_release_day_is_a_date(cast):
    from accord.briefings import compose
    from accord.briefings import services as briefings

    with at(utc(2026, 2, 20, 9)):  # set up before the weeks it speaks of
        cadence = release_day(cast)
    # The week of 6 April 2026: next week holds the release day of Tuesday 14 April.
    content = briefings.build_for(cast.org, compose.parse_week("2026-W15"), person=cast.admin)
    [section] = [s for s in content["sections"] if s["key"] == "coming_up"]
    texts = [i["text"] for i in section["items"] if i["target_id"] == str(cadence.pk)]
    assert texts == ["Release day: Tue 14 Apr 2026 (all day)."]
