"""A retired team's cadences stop: no occurrences in my week or the calendar feeds, no
reminders, no missed check-ins recorded; reactivating the team brings them back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accord.org import services as org_services
from accord.rhythm import notifications, queries, services
from accord.rhythm.models import CalendarFeed, Scope
from tests.conftest import login
from tests.rhythm.conftest import DUE

OPENS = DUE - dt.timedelta(hours=48)  # the check-in window of Fri 6 Nov opens


@pytest.fixture
def set_sync(cast, rhythm):
    """A sync of a set of teams: Platform alone."""
    return services.create_cadence(
        cast.org,
        None,
        name="Platform guild",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        timezone_name="UTC",
        time=dt.time(9),
        scope=Scope.TEAMS,
        teams=[cast.platform],
        start_date=dt.date(2026, 10, 1),
    )


def _what_runs(cast, rhythm, set_sync) -> dict:
    org, member = cast.org, cast.member
    # One live address per person: the second look regenerates it.
    live = CalendarFeed.objects.filter(person=member, revoked_at__isnull=True).first()
    _, token = (
        services.regenerate_feed(org, member, live)
        if live
        else services.create_feed(org, member, person=member)
    )
    feed = Client().get(f"/api/v1/rhythm/calendar/{token}.ics").content.decode()
    week = login(member).get(f"/o/{org.slug}/rhythm/").content.decode()
    return {
        "running": {c.pk for c in queries.cadences(org)},
        "mine": {c.pk for c in queries.person_cadences(org, member)},
        "in_feed": {c.name for c in (rhythm.sync, set_sync) if c.name in feed},
        "in_week": {c.name for c in (rhythm.sync, set_sync) if c.name in week},
        "reminders": notifications.plan(org, OPENS + dt.timedelta(minutes=5)),
    }


def test_a_retired_teams_cadences_stop_and_come_back_with_it(cast, rhythm, set_sync):
    ours = {rhythm.checkin.pk, rhythm.sync.pk, set_sync.pk}
    names = {rhythm.sync.name, set_sync.name}
    org_services.retire_team(cast.org, cast.admin, cast.platform)
    stopped = _what_runs(cast, rhythm, set_sync)
    assert stopped == {
        "running": set(),
        "mine": set(),
        "in_feed": set(),
        "in_week": set(),
        "reminders": 0,
    }
    assert services.record_missed_checkins(cast.org, now=DUE + dt.timedelta(days=2)) == 0
    # Its own page still reads, and says why nothing is coming.
    page = login(cast.admin).get(f"/o/{cast.org.slug}/rhythm/cadences/{rhythm.sync.pk}/")
    assert "has stopped" in page.content.decode()

    org_services.reactivate_team(cast.org, cast.admin, cast.platform)
    # Retiring ended its terms; its members come back when added again.
    org_services.add_membership(cast.org, cast.admin, person=cast.member, team=cast.platform)
    back = _what_runs(cast, rhythm, set_sync)
    assert back["running"] == ours and back["mine"] == ours
    assert back["in_feed"] == names and back["in_week"] == names
    assert back["reminders"] > 0
    assert services.record_missed_checkins(cast.org, now=DUE + dt.timedelta(days=2)) > 0


def test_a_set_of_teams_runs_while_one_of_them_is_current(cast, rhythm, set_sync):
    other = org_services.create_team(cast.org, None, name="Data", slug="data", parent=cast.root)
    services.update_cadence(cast.org, None, set_sync, teams=[cast.platform, other])
    org_services.retire_team(cast.org, cast.admin, cast.platform)
    assert {c.pk for c in queries.cadences(cast.org)} == {set_sync.pk}


def test_jobs_read_every_cadence_as_pages_do_a_chunk_at_a_time(
    cast, rhythm, set_sync, monkeypatch, django_assert_num_queries
):
    """`every_cadence` (the jobs' whole-organization read) holds what `cadences` holds,
    with the teams, extra participants and exceptions read per chunk of cadences."""
    guest = services.create_cadence(
        cast.org,
        None,
        name="Open office hours",
        rrule="FREQ=WEEKLY;BYDAY=WE",
        timezone_name="UTC",
        time=dt.time(15),
        scope=Scope.TEAM,
        team=cast.platform,
        extra_participants=[cast.leader],
        start_date=dt.date(2026, 10, 1),
    )
    services.cancel_occurrence(
        cast.org, None, guest, dt.datetime(2026, 11, 4, 15, tzinfo=dt.UTC), note="Away"
    )

    def read(cads) -> dict:
        return {
            c.pk: (
                sorted(t.pk for t in c.teams.all()),
                sorted(p.pk for p in c.extra_participants.all()),
                [(e.original_start, e.cancelled) for e in c.exceptions.all()],
            )
            for c in cads
        }

    expected = read(queries.cadences(cast.org))
    monkeypatch.setattr(queries, "EVERY_CADENCE_CHUNK", 2)
    with django_assert_num_queries(1 + 3 * 2):  # the cadences; 3 reads for each of 2 chunks
        got = read(queries.every_cadence(cast.org))
    assert got == expected
    assert got[set_sync.pk][0] == [cast.platform.pk]
    assert got[guest.pk][1] == [cast.leader.pk] and len(got[guest.pk][2]) == 1
