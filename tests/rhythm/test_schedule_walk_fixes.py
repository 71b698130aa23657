"""What a walk through the operating rhythm found, fixed: no occurrence is moved into the
past; the next occurrence is the same however far it is (the cadence list, its page); a
paused cadence says so and its meetings are neither started nor take headlines; all-day
dates sort by the day the viewer sees; "In 1 day" counts days in the viewer's zone; a
check-in not open yet says when it opens before the form."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from accord.core.errors import ServiceError
from accord.org import services as org_services
from accord.rhythm import queries, recurrence, services
from accord.rhythm.models import CadenceKind, Meeting, OccurrenceException, Scope
from tests.conftest import api_client, at, login
from tests.rhythm.conftest import utc

# Sunday 6 December 2026, 12:00 UTC (13:00 in Berlin, 04:00 in Los Angeles).
NOW = utc(2026, 12, 6, 12)
LA = "America/Los_Angeles"


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _custom(cast, name, rrule, **kwargs):
    # Set up at the tests' "now": a cadence set up later than the moment a test looks
    # from has no meetings before it was set up (`queries.occurrences_of`).
    with at(NOW):
        return services.create_cadence(
            cast.org,
            cast.admin,
            name=name,
            kind=CadenceKind.CUSTOM,
            scope=Scope.ORG,
            rrule=rrule,
            timezone_name=kwargs.pop("timezone_name", "Europe/Berlin"),
            start_date=kwargs.pop("start_date", dt.date(2026, 1, 1)),
            **kwargs,
        )


# --- 1. not moved into the past ------------------------------------------------------------


def test_an_occurrence_is_not_moved_into_the_past_by_the_form_the_api_or_the_service(cast, rhythm):
    sync = rhythm.sync
    with at(NOW):
        occ = queries.occurrence(sync, utc(2026, 12, 14, 9))  # Mon 14 Dec, 10:00 Berlin
        page = f"/o/acme/rhythm/cadences/{sync.pk}/"
        client = login(cast.leader)
        r = client.post(
            f"{page}{occ.key}/move/",
            {"action": "move", "new_start": "2026-11-01T10:00", "note": ""},
            follow=True,
        )
        said = _text(r.content.decode())
        assert "Occurrence moved." not in said
        assert "Sun 1 Nov 2026, 10:00 (Europe/Berlin) has already passed" in said
        assert OccurrenceException.objects.count() == 0
        r = api_client(cast.leader).post(
            f"/api/v1/rhythm/cadences/{sync.pk}/occurrences/{occ.key}/move",
            {"new_start": "2026-12-06T11:00:00Z"},
            content_type="application/json",
        )
        assert r.status_code == 422 and r.json()["error"]["code"] == "in_the_past"
        with pytest.raises(ServiceError) as exc:
            services.move_occurrence(
                cast.org, cast.leader, sync, occ.original_start, NOW - dt.timedelta(minutes=1)
            )
        assert exc.value.code == "in_the_past"
        assert OccurrenceException.objects.count() == 0
        # A time still ahead moves it, as before.
        services.move_occurrence(
            cast.org, cast.leader, sync, occ.original_start, NOW + dt.timedelta(hours=1)
        )
        assert queries.occurrence(sync, occ.original_start).start == NOW + dt.timedelta(hours=1)


def test_an_all_day_date_may_move_to_today_but_not_to_yesterday(cast):
    day = _custom(cast, "Release day", "FREQ=WEEKLY;BYDAY=TU", all_day=True)
    with at(NOW):
        occ = queries.next_occurrence(day, NOW)
        with pytest.raises(ServiceError) as exc:
            services.move_occurrence(cast.org, None, day, occ.original_start, utc(2026, 12, 5, 12))
        assert exc.value.code == "in_the_past"
        services.move_occurrence(cast.org, None, day, occ.original_start, NOW)
        assert queries.occurrence(day, occ.original_start).day == dt.date(2026, 12, 6)


# --- 2. one next occurrence, however far ---------------------------------------------------


def test_the_next_occurrence_is_found_beyond_the_year():
    leap = recurrence.Schedule(
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", dt.date(2026, 1, 1), dt.time(10), "UTC", 60
    )
    found = recurrence.next_occurrence(leap, NOW)
    assert found is not None and found.start == utc(2028, 2, 29, 10)
    after = recurrence.next_occurrence(leap, found.start + dt.timedelta(seconds=1))
    assert after.start == utc(2032, 2, 29, 10)
    # Cancelled, the one after it is next; moved a year on, it is next where it went.
    cancel = recurrence.ExceptionSpec(found.start, None, True)
    assert recurrence.next_occurrence(leap, NOW, [cancel]).start == utc(2032, 2, 29, 10)
    moved = recurrence.ExceptionSpec(found.start, utc(2029, 3, 1, 10))
    assert recurrence.next_occurrence(leap, NOW, [moved]).start == utc(2029, 3, 1, 10)
    # A rule that has ended: one moved past its last occurrence is still ahead.
    once = recurrence.Schedule("FREQ=YEARLY;COUNT=1", dt.date(2026, 12, 10), dt.time(10), "UTC")
    late = recurrence.ExceptionSpec(utc(2026, 12, 10, 10), utc(2028, 1, 5, 10))
    assert recurrence.next_occurrence(once, NOW, [late]).start == utc(2028, 1, 5, 10)
    assert recurrence.next_occurrence(once, utc(2028, 1, 6), [late]) is None


@pytest.mark.parametrize(
    "rrule, start, day",
    [
        ("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=15", dt.date(2026, 1, 1), dt.date(2027, 6, 15)),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", dt.date(2026, 1, 1), dt.date(2028, 2, 29)),
        ("FREQ=WEEKLY;BYDAY=MO", dt.date(2999, 12, 30), dt.date(2999, 12, 30)),
    ],
)
def test_the_cadence_page_and_the_list_show_the_same_next_date(cast, rrule, start, day):
    cadence = _custom(
        cast, "Far date", rrule, start_date=start, time=dt.time(10), duration_minutes=60
    )
    shown = f"{day:%a} {day.day} {day:%b %Y}"
    with at(NOW):
        nxt = queries.next_occurrences([cadence], NOW)[cadence.pk]
        assert nxt is not None and nxt.day == day
        client = login(cast.admin)
        listed = _text(client.get("/o/acme/rhythm/cadences/").content.decode())
        page = _text(client.get(f"/o/acme/rhythm/cadences/{cadence.pk}/").content.decode())
    assert shown in listed
    assert "No upcoming occurrences" not in page and shown in page
    if start > NOW.date():  # its first occurrence is still ahead
        assert f"Starts on {shown}" in page
    else:
        assert "Starts on" not in page


# --- 3. a paused cadence ----------------------------------------------------------------------


def test_a_paused_cadence_says_so_and_its_meetings_neither_start_nor_take_headlines(cast, rhythm):
    sync = services.update_cadence(cast.org, cast.leader, rhythm.sync, is_active=False)
    client = login(cast.leader)
    with at(NOW):
        occ = queries.occurrence(sync, utc(2026, 12, 7, 9))  # Mon 7 Dec, 10:00 Berlin
        page = client.get(f"/o/acme/rhythm/cadences/{sync.pk}/").content.decode()
        assert 'id="paused-tag">Paused</span>' in page
        assert "This cadence is paused" in _text(page)
        assert "No upcoming occurrences: the cadence is paused." in page
        assert occ.key not in page
        assert "Share headline" not in page
        url = f"/o/acme/rhythm/cadences/{sync.pk}/{occ.key}/"
        page = client.get(url).content.decode()
        assert "Start meeting" not in page and 'id="share-headline"' not in page
        assert "this meeting will not happen" in _text(page)
        m = services.open_meeting(cast.org, cast.leader, sync, occ.original_start)
        with pytest.raises(ServiceError) as exc:
            services.start_meeting(cast.org, cast.leader, m, now=NOW)
        assert exc.value.code == "cadence_paused"
        assert "is paused: its meeting on 7 Dec 2026 will not happen" in exc.value.message
        m.delete()
        r = client.post(url + "headline/", {"text": "We shipped"}, follow=True)
        assert "is paused" in _text(r.content.decode())
        assert not Meeting.objects.filter(cadence=sync).exists()
        # Active again, it starts as before.
        sync = services.update_cadence(cast.org, cast.leader, sync, is_active=True)
        m = services.open_meeting(cast.org, cast.leader, sync, occ.original_start)
        assert services.start_meeting(cast.org, cast.leader, m, now=NOW, early=True).started_at


# --- 4 and 5. the viewer's days ---------------------------------------------------------------


@pytest.fixture
def in_la(cast):
    org_services.update_person(cast.org, None, cast.member, timezone=LA)
    cast.member.refresh_from_db()
    return cast.member


def test_an_all_day_date_sorts_by_the_day_the_viewer_sees(cast, in_la):
    # Tue 8 Dec all day in Berlin starts Mon 7 Dec 23:00 UTC; the sync, Mon 7 Dec 20:00 in
    # Los Angeles, is Tue 8 Dec 04:00 UTC: later in UTC, a day earlier for the viewer.
    _custom(cast, "Release day", "FREQ=WEEKLY;BYDAY=TU", all_day=True)
    _custom(
        cast,
        "Evening sync",
        "FREQ=WEEKLY;BYDAY=MO",
        timezone_name=LA,
        time=dt.time(20),
        duration_minutes=30,
    )
    with at(NOW):
        mine = queries.person_cadences(cast.org, in_la)
        got = queries.meetings_between(cast.org, mine, NOW, NOW + dt.timedelta(days=3), tz_name=LA)
        assert [u.cadence.name for u in got] == ["Evening sync", "Release day"]
        client = login(in_la)
        for page in ("/o/acme/rhythm/", "/o/acme/"):
            said = _text(client.get(page).content.decode())
            assert said.index("Evening sync") < said.index("Release day"), page


def test_days_early_are_counted_in_the_viewers_zone(cast, in_la):
    # Mon 7 Dec 05:00 in Berlin is Sun 6 Dec 20:00 in Los Angeles: later the same day there.
    early = _custom(
        cast,
        "Early sync",
        "FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(5),
        duration_minutes=30,
    )
    with at(NOW):
        occ = queries.next_occurrence(early, NOW)
        page = login(in_la).get(f"/o/acme/rhythm/cadences/{early.pk}/{occ.key}/")
        said = _text(page.content.decode())
        assert "Sun 6 Dec 2026" in said and "In 1 day" not in said
        m = services.open_meeting(cast.org, in_la, early, occ.original_start)
        assert services.days_early(m, NOW, LA) == 0
        assert services.days_early(m, NOW) == 1  # in Berlin it is tomorrow
        # Started by the viewer in Los Angeles: the same day, nothing to confirm.
        assert services.start_meeting(cast.org, in_la, m, now=NOW).started_at == NOW


# --- 6. a check-in not open yet ---------------------------------------------------------------


def test_a_check_in_not_open_yet_says_when_first(cast, rhythm):
    occ = queries.next_occurrence(rhythm.checkin, NOW + dt.timedelta(days=4))
    # Before it may be given at all, early (the round before still open).
    first = queries.early_from(rhythm.checkin, occ)
    with at(first - dt.timedelta(hours=1)):
        page = login(cast.member).get(
            f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{occ.key}/checkin/"
        )
    page = page.content.decode()
    local = first.astimezone(dt.UTC)
    when = f"{local:%a} {local.day} {local:%b %Y, %H:%M}"
    said = page.index(f"You can check in from {when} (UTC)")
    assert said < page.index('<form method="post" class="checkin')
    assert "Submit check-in" not in page
