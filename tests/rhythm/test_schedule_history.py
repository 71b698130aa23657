"""A change of a cadence's time, zone, rule or start moves only what is ahead: the meetings
held and the check-ins given before it keep their place, their pages and their figures
(the schedules a cadence had are kept, `queries.eras`)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accord.rhythm import queries, services
from accord.rhythm.models import Cadence, CheckIn, CheckInStatus, Meeting
from tests.conftest import at, login
from tests.rhythm.conftest import DUE, utc

H = dt.timedelta(hours=1)
# Mondays 10:00 in Berlin (CET): the sync's occurrences in November.
MONDAYS = [utc(2026, 11, d, 9) for d in (2, 9, 16, 23, 30)]
# Today, in every test here: Thursday 3 Dec 2026, 13:00 in Berlin. November's Mondays are
# the sync's last five occurrences, the nine Mondays since October all behind, and its
# next is Monday 7 Dec, ahead (whatever the day and hour the tests are run).
TODAY = utc(2026, 12, 3, 12)


@pytest.fixture(autouse=True)
def today():
    with at(TODAY):
        yield


def _hold(cast, sync, start: dt.datetime) -> Meeting:
    m = services.open_meeting(cast.org, cast.leader, sync, start)
    m = services.start_meeting(cast.org, cast.leader, m, now=start)
    services.save_notes(cast.org, cast.leader, m, "issues", f"Minutes of {start:%d %b}")
    return services.finish_meeting(cast.org, cast.leader, m, now=start + H)


def _held(cast, cadence: Cadence) -> dict[str, bool]:
    cadence = queries.cadences(cast.org).get(pk=cadence.pk)
    [a] = queries.adherence(cast.org, [cadence], last=5)
    return {f.occurrence.key: f.held for f in a.occurrences}


def _held_figure(page: str) -> str:
    found = re.search(r'<span class="figure">([^<]*)</span> held', page)
    assert found, "no held figure"
    return found.group(1)


def _edit_form(cast, **changes) -> dict:
    return {
        "name": "Weekly team sync",
        "scope": "team",
        "team": cast.platform.pk,
        "rrule": "FREQ=WEEKLY;BYDAY=MO",
        "time": "10:00",
        "duration_minutes": 60,
        "timezone": "Europe/Berlin",
        "checkin_owed_by": "everyone",
        "window_opens_hours": 48,
        "late_after_hours": 24,
        "is_active": "on",
        "agenda": "Issues | issues | 40",
        **changes,
    }


def test_changing_the_zone_in_the_form_keeps_the_meetings_held_and_their_minutes(cast, rhythm):
    for start in MONDAYS[:2] + MONDAYS[3:]:  # 16 Nov was not held
        _hold(cast, rhythm.sync, start)
    keys = [s.strftime("%Y%m%dT%H%M%SZ") for s in MONDAYS]
    before = _held(cast, rhythm.sync)
    assert before == dict(zip(keys, [True, True, False, True, True], strict=True))
    client = login(cast.leader)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/"
    share = _held_figure(client.get(url).content.decode())
    assert share == "44%"  # 4 of the 9 Mondays since October
    saved = client.post(url + "edit/", _edit_form(cast, timezone="America/Chicago"), follow=True)
    page = saved.content.decode()
    assert "Weekly team sync saved." in page and "10:00 America/Chicago" in page
    # The cadence's page: as held as before, the same days, linking to the same meetings.
    assert _held(cast, rhythm.sync) == before
    assert _held_figure(page) == share
    for key in keys:
        assert f'href="{url}{key}/"' in page
    # The minutes are where they were; the new zone's 2 Nov is no occurrence.
    minutes = client.get(f"{url}{keys[0]}/").content.decode()
    assert "Minutes of 02 Nov" in minutes and "Start meeting" not in minutes
    assert "10:00 in Europe/Berlin" in minutes  # when it was, on its own clock
    assert client.get(f"{url}20261102T160000Z/").status_code == 404
    # What is ahead follows the new zone: 10:00 in Chicago.
    nxt = queries.next_occurrence(queries.cadences(cast.org).get(pk=rhythm.sync.pk))
    assert nxt.local_start().hour == 10 and nxt.timezone == "America/Chicago"
    assert nxt.start > MONDAYS[-1] and nxt.start.astimezone(dt.UTC).hour == 16


def test_changing_the_rule_or_the_time_keeps_the_past_and_moves_what_is_ahead(cast, rhythm):
    for start in MONDAYS:
        _hold(cast, rhythm.sync, start)
    sync = services.update_cadence(cast.org, cast.leader, rhythm.sync, rrule="FREQ=DAILY")
    assert all(_held(cast, sync).values()) and len(_held(cast, sync)) == 5
    sync = services.update_cadence(cast.org, cast.leader, sync, time=dt.time(15))
    held = _held(cast, sync)
    assert list(held) == [s.strftime("%Y%m%dT%H%M%SZ") for s in MONDAYS] and all(held.values())
    # The weekly schedule is kept (the daily one at 10:00 never ran: nothing to keep); each
    # meeting is an occurrence of the schedule of its day.
    assert [(e.schedule.rrule, e.schedule.time) for e in queries.eras(sync)] == [
        ("FREQ=WEEKLY;BYDAY=MO", dt.time(10)),
        ("FREQ=DAILY", dt.time(15)),
    ]
    for start in MONDAYS:
        occ = queries.occurrence(sync, start)
        assert occ is not None and occ.start == start
    assert queries.occurrence(sync, utc(2026, 11, 3, 9)) is None  # no daily before the change
    now = timezone.now()
    ahead = queries.occurrences_of(sync, now, now + 3 * 24 * H)
    assert ahead and all(o.local_start().hour == 15 for o in ahead)


def test_a_change_keeps_the_past_cancellations_and_moves(cast, rhythm):
    _hold(cast, rhythm.sync, MONDAYS[0])
    services.cancel_occurrence(cast.org, cast.leader, rhythm.sync, MONDAYS[1], note="Offsite")
    services.move_occurrence(
        cast.org, cast.leader, rhythm.sync, MONDAYS[2], MONDAYS[2] + 3 * H, now=MONDAYS[0]
    )
    _hold(cast, rhythm.sync, MONDAYS[2])
    services.update_cadence(cast.org, cast.leader, rhythm.sync, rrule="FREQ=WEEKLY;BYDAY=TU")
    held = _held(cast, rhythm.sync)
    key = MONDAYS[1].strftime("%Y%m%dT%H%M%SZ")
    assert key not in held  # cancelled then, cancelled still: not "not held"
    moved = queries.occurrence(queries.cadences(cast.org).get(pk=rhythm.sync.pk), MONDAYS[2])
    assert moved.moved and moved.start == MONDAYS[2] + 3 * H
    assert held[MONDAYS[2].strftime("%Y%m%dT%H%M%SZ")] is True


def test_no_meetings_not_held_signal_after_a_change_of_zone(cast, rhythm):
    from accord.intelligence import snapshot
    from accord.intelligence.detectors import meetings_not_held

    for start in MONDAYS:
        _hold(cast, rhythm.sync, start)
    services.update_cadence(cast.org, cast.leader, rhythm.sync, timezone_name="Asia/Tokyo")
    snap = snapshot.load(cast.org)
    meetings = snap.cadences[rhythm.sync.pk].meetings
    recent = [(start, held) for start, held, _ in meetings if start >= MONDAYS[0]]
    assert recent == [(start, True) for start in MONDAYS]
    assert not list(meetings_not_held(snap, {"in_a_row": 2}))


def test_check_ins_given_before_a_change_of_time_stay_given_and_no_miss_is_made_up(cast, rhythm):
    services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, now=DUE - H)
    services.submit_checkin(cast.org, cast.leader, rhythm.checkin, DUE, now=DUE + H)
    checkin = services.update_cadence(cast.org, cast.leader, rhythm.checkin, time=dt.time(9))
    [a] = queries.adherence(cast.org, [queries.cadences(cast.org).get(pk=checkin.pk)])
    [that_week] = [f for f in a.occurrences if f.occurrence.original_start == DUE]
    assert (that_week.on_time, that_week.late, that_week.missed) == (1, 1, 0)
    # The worker records misses of the occurrences that were, not of the new time's past.
    services.record_missed_checkins(cast.org, now=DUE + 7 * 24 * H + 25 * H)
    missed = CheckIn.objects.filter(status=CheckInStatus.MISSED)
    assert {c.occurrence_start for c in missed} == {DUE + 7 * 24 * H}
    url = f"/o/acme/rhythm/cadences/{checkin.pk}/20261106T150000Z/checkins/"
    page = login(cast.member).get(url).content.decode()
    assert re.search(r'"figure">1</span> on time.*"figure">1</span> late', page, re.S)


def test_a_meeting_kept_from_before_earlier_schedules_were_kept_stays_reachable_and_held(
    cast, rhythm
):
    """A change made before Accord kept a cadence's schedules left its meetings at instants
    no schedule has: their pages still answer, and they count as held, where they were."""
    _hold(cast, rhythm.sync, MONDAYS[0])
    Cadence.objects.filter(pk=rhythm.sync.pk).update(timezone="America/Chicago")
    sync = queries.cadences(cast.org).get(pk=rhythm.sync.pk)
    assert queries.occurrence(sync, MONDAYS[0]) is None
    page = login(cast.leader).get(f"/o/acme/rhythm/cadences/{sync.pk}/20261102T090000Z/")
    assert page.status_code == 200 and "Minutes of 02 Nov" in page.content.decode()
    [a] = queries.adherence(cast.org, [sync])
    assert {f.occurrence.key: f.held for f in a.occurrences}["20261102T090000Z"] is True


def test_the_migration_rebuilds_the_schedules_kept_from_the_events(cast, rhythm):
    """Cadences changed before Accord kept their schedules get them from their events."""
    from importlib import import_module

    from django.apps import apps

    rebuild = import_module("accord.rhythm.migrations.0009_rebuild_past_schedules").rebuild
    for start in MONDAYS[:1] + MONDAYS[2:]:
        _hold(cast, rhythm.sync, start)
    services.cancel_occurrence(cast.org, cast.leader, rhythm.sync, MONDAYS[1])
    services.update_cadence(cast.org, cast.leader, rhythm.sync, timezone_name="America/Chicago")
    kept = Cadence.objects.get(pk=rhythm.sync.pk).past_schedules
    held = _held(cast, rhythm.sync)
    assert [held[s.strftime("%Y%m%dT%H%M%SZ")] for s in MONDAYS[2:]] == [True, True, True]
    Cadence.objects.filter(pk=rhythm.sync.pk).update(past_schedules=[])  # as before the fix
    assert _held(cast, rhythm.sync) != held
    rebuild(apps, None)
    rebuilt = Cadence.objects.get(pk=rhythm.sync.pk).past_schedules
    assert [{k: v for k, v in r.items() if k != "until"} for r in rebuilt] == [
        {k: v for k, v in r.items() if k != "until"} for r in kept
    ]
    assert _held(cast, rhythm.sync) == held


SYNC_FILE = """\
cadences:
  - id: eng-sync
    name: Engineering sync
    kind: sync
    team: eng
    rrule: FREQ=WEEKLY;BYDAY=MO
    start_date: 2026-10-05
    time: "10:00"
    timezone: {zone}
"""


def test_a_change_of_zone_from_an_organization_file_keeps_the_meetings_held(db):
    from accord.interchange import services as interchange
    from tests.interchange.helpers import ORG_FILE

    interchange.apply_file(ORG_FILE + SYNC_FILE.format(zone="Europe/Berlin"), org_slug="initech")
    sync = Cadence.objects.get(name="Engineering sync")
    Cadence.objects.filter(pk=sync.pk).update(created_at=utc(2026, 10, 1))
    sync = queries.cadences(sync.org).get(pk=sync.pk)
    for start in MONDAYS:
        m = services.open_meeting(sync.org, None, sync, start)
        m = services.start_meeting(sync.org, None, m, now=start)
        services.finish_meeting(sync.org, None, m, now=start + H)
    [before] = queries.adherence(sync.org, [sync], last=5)
    assert before.held_share == 1
    outcome = interchange.apply_file(
        ORG_FILE + SYNC_FILE.format(zone="America/New_York"), org_slug="initech"
    )
    assert outcome.applied
    sync = queries.cadences(sync.org).get(pk=sync.pk)
    assert sync.timezone == "America/New_York"
    [after] = queries.adherence(sync.org, [sync], last=5)
    assert [(f.occurrence.original_start, f.held) for f in after.occurrences] == [
        (start, True) for start in MONDAYS
    ]
    assert all(queries.occurrence(sync, start) is not None for start in MONDAYS)
