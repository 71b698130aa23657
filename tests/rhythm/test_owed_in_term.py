"""A check-in is owed by who was in the cadence's scope when it was due, and a cadence owes
nothing from before it was set up: someone who joins today is not charged with the rounds
before (pages, worker, My week), someone who left keeps their history, and a round's page
and its cadence's page count it alike."""

from __future__ import annotations

import datetime as dt
import re
from unittest import mock

from django.utils import timezone

from accord.org import services as org_services
from accord.org.models import Membership, Role
from accord.rhythm import queries, services
from accord.rhythm.models import CheckIn, CheckInStatus
from tests.conftest import login, make_person
from tests.rhythm.conftest import DUE, utc

H = dt.timedelta(hours=1)
WEEK = dt.timedelta(days=7)


def _figures(cast, cadence) -> dict[str, tuple[int, int, int]]:
    cadence = queries.cadences(cast.org).get(pk=cadence.pk)
    [a] = queries.adherence(cast.org, [cadence])
    return {f.occurrence.key: (f.on_time, f.late, f.missed) for f in a.occurrences}


def _round(client, cadence, key: str) -> tuple[tuple[int, int, int], str]:
    page = client.get(f"/o/acme/rhythm/cadences/{cadence.pk}/{key}/checkins/").content.decode()
    got = dict(
        (label, int(n)) for n, label in re.findall(r'"figure">(\d+)</span> ([a-z ]+)</p>', page)
    )
    return (got["on time"], got["late"], got["missed"]), page


def _newcomer(cast, name: str = "Nia Newcomer"):
    nia = make_person(cast.org, name, Role.MEMBER)
    org_services.add_membership(
        cast.org, None, person=nia, team=cast.platform, started_on=timezone.localdate()
    )
    return nia


def test_someone_who_joins_today_is_charged_with_none_of_the_rounds_before(cast, rhythm):
    services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, now=DUE - H)
    services.submit_checkin(cast.org, cast.leader, rhythm.checkin, DUE, now=DUE + H)
    before = _figures(cast, rhythm.checkin)
    nia = _newcomer(cast)
    # The cadence's page does not rewrite its history...
    assert _figures(cast, rhythm.checkin) == before
    # ...and each round's page counts as it does, with nobody "not in yet" once closed.
    client = login(cast.leader)
    for key, figures in before.items():
        shown, page = _round(client, rhythm.checkin, key)
        assert shown == figures, key
        assert "not in yet" not in page and nia.name not in page
    assert before[DUE.strftime("%Y%m%dT%H%M%SZ")] == (1, 1, 0)
    assert before[(DUE - WEEK).strftime("%Y%m%dT%H%M%SZ")] == (0, 0, 2)
    # The worker records no miss of hers before she joined.
    services.record_missed_checkins(cast.org, lookback_days=60)
    assert not CheckIn.objects.filter(person=nia).exists()
    assert CheckIn.objects.filter(person=cast.member, status=CheckInStatus.MISSED).exists()


def test_a_newcomer_owes_the_rounds_due_after_they_joined(cast, rhythm):
    nia = _newcomer(cast)
    now = timezone.now()
    owed = queries.owed_checkins(cast.org, nia, now - 14 * 24 * H, now + 14 * 24 * H)
    assert owed and all(o.occurrence.start > now for o in owed)
    member = queries.owed_checkins(cast.org, cast.member, now - 14 * 24 * H, now)
    assert member  # those before are owed by who was there
    # The worker, a week on: her first round is hers.
    later = queries.next_occurrence(rhythm.checkin, now)
    services.record_missed_checkins(cast.org, now=later.start + 25 * H)
    assert list(CheckIn.objects.filter(person=nia).values_list("occurrence_start", "status")) == [
        (later.original_start, CheckInStatus.MISSED)
    ]


def test_my_week_shows_no_check_in_overdue_from_before_joining(cast, rhythm):
    """Saturday after a Friday's check-in: the member's is overdue; a newcomer added on
    Saturday owes none."""
    saturday = DUE + 19 * H
    with mock.patch("django.utils.timezone.now", return_value=saturday):
        nia = make_person(cast.org, "Nia Newcomer", Role.MEMBER)
        org_services.add_membership(
            cast.org, None, person=nia, team=cast.platform, started_on=saturday.date()
        )
        mine = login(cast.member).get("/o/acme/rhythm/").content.decode()
        my_home = login(cast.member).get("/o/acme/").content.decode()
        theirs = login(nia).get("/o/acme/rhythm/").content.decode()
        home = login(nia).get("/o/acme/").content.decode()
    overdue = '<span class="tag tag--warn">Overdue</span>'
    assert overdue in mine and '<span class="tag tag--warn">overdue</span>' in my_home
    assert overdue not in theirs and '<span class="tag tag--warn">overdue</span>' not in home


def test_someone_who_left_keeps_their_history(cast, rhythm):
    services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, now=DUE - H)
    before = _figures(cast, rhythm.checkin)
    term = Membership.objects.get(person=cast.member, team=cast.platform)
    org_services.end_term(cast.org, None, term)
    assert _figures(cast, rhythm.checkin) == before
    shown, page = _round(login(cast.leader), rhythm.checkin, DUE.strftime("%Y%m%dT%H%M%SZ"))
    assert shown == (1, 0, 1) and cast.member.name in page
    # Nor do they owe what comes after.
    now = timezone.now()
    assert queries.owed_checkins(cast.org, cast.member, now, now + 14 * 24 * H) == []


def test_a_term_owes_from_the_day_it_started_when_that_is_later_than_its_record(cast, rhythm):
    term = Membership.objects.get(person=cast.member, team=cast.platform)
    Membership.objects.filter(pk=term.pk).update(started_on=dt.date(2026, 11, 1))
    figures = _figures(cast, rhythm.checkin)
    owed = {k: sum(v) for k, v in figures.items()}
    assert owed["20261030T150000Z"] == 1  # the lead only
    assert owed[DUE.strftime("%Y%m%dT%H%M%SZ")] == 2


def test_a_cadence_set_up_with_a_past_start_owes_nothing_before_it_was(cast):
    org_services.add_membership(cast.org, None, person=cast.leader, team=cast.platform)
    sync = services.create_cadence(
        cast.org,
        cast.admin,
        name="Merge sync",
        rrule="FREQ=WEEKLY;BYDAY=TH",
        time=dt.time(10),
        timezone_name="Europe/Berlin",
        team=cast.platform,
        start_date=dt.date(2026, 11, 12),
    )
    checkin = services.create_cadence_from_template(
        cast.org,
        None,
        "weekly-checkin",
        team=cast.platform,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
        name="New check-in",
    )
    page = login(cast.leader).get(f"/o/acme/rhythm/cadences/{sync.pk}/").content.decode()
    assert "not held" not in page and "0% held" not in page
    [a] = queries.adherence(cast.org, [queries.cadences(cast.org).get(pk=sync.pk)])
    assert a.occurrences == []  # its Thursdays since 12 Nov were before it was set up
    assert services.record_missed_checkins(cast.org, lookback_days=60) == 0
    assert not CheckIn.objects.filter(cadence=checkin).exists()
    # A meeting recorded for a date before it was set up still counts, as held.
    m = services.open_meeting(cast.org, cast.leader, sync, utc(2026, 11, 26, 9))
    m = services.start_meeting(cast.org, cast.leader, m, now=utc(2026, 11, 26, 9))
    services.finish_meeting(cast.org, cast.leader, m, now=utc(2026, 11, 26, 10))
    [a] = queries.adherence(cast.org, [queries.cadences(cast.org).get(pk=sync.pk)])
    assert [(f.occurrence.key, f.held) for f in a.occurrences] == [("20261126T090000Z", True)]
