"""A cadence set up at 20:05 to start today has no meeting that morning: its page does not
list the 10:00 meeting first or offer to start it, nor does My week, while its adherence
has nothing to measure yet. One set up with a start date in the past keeps those, to
record the meetings held then."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from accord.core.errors import ServiceError
from accord.org import services as org_services
from accord.org.models import MembershipRole
from accord.rhythm import queries, services
from accord.rhythm.models import Scope
from tests.conftest import at, login
from tests.rhythm.conftest import utc

SET_UP = utc(2026, 12, 7, 19, 5)  # Monday 7 Dec, 20:05 in Berlin
NOW = utc(2026, 12, 7, 19, 15)
THIS_MORNING = utc(2026, 12, 7, 9)  # 10:00 in Berlin
NEXT_MONDAY = utc(2026, 12, 14, 9)


def _sync(cast, name: str, **kwargs):
    with at(SET_UP):
        return services.create_cadence(
            cast.org,
            cast.admin,
            name=name,
            scope=Scope.TEAM,
            team=cast.platform,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10),
            timezone_name="Europe/Berlin",
            **kwargs,
        )


def _key(instant: dt.datetime) -> str:
    return instant.strftime("%Y%m%dT%H%M%SZ")


def test_a_cadence_set_up_this_evening_has_no_meeting_this_morning(cast):
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    sync = _sync(cast, "Hardware sync")
    client = login(cast.leader)
    with at(NOW):
        page = html.unescape(client.get(f"/o/acme/rhythm/cadences/{sync.pk}/").content.decode())
        morning = client.get(f"/o/acme/rhythm/cadences/{sync.pk}/{_key(THIS_MORNING)}/")
        week = client.get("/o/acme/rhythm/").content.decode()
        upcoming = queries.meetings_ahead(cast.org, [sync], NOW - dt.timedelta(hours=12), NOW)
    assert "Nothing to measure yet" in page
    schedule = page[page.index('id="sched-h"') :]
    assert _key(THIS_MORNING) not in schedule  # not its next meeting
    assert schedule.index(_key(NEXT_MONDAY)) < schedule.index("</tbody>")
    # Its page says why (in the reader's zone, UTC), and offers nothing to start.
    morning = html.unescape(morning.content.decode())
    assert morning.count("Start meeting") == 0
    assert "Hardware sync was set up Mon 7 Dec 2026, 19:05, after this time" in morning
    assert upcoming == []  # nor is it on anyone's week going on or ahead
    assert _key(THIS_MORNING) not in week
    # Its next Monday is a meeting like any other.
    with at(NOW):
        ahead = client.get(f"/o/acme/rhythm/cadences/{sync.pk}/{_key(NEXT_MONDAY)}/")
    assert "Start meeting" in ahead.content.decode()
    # Nor is this morning's started another way (the API, a script).
    m = services.open_meeting(cast.org, cast.leader, sync, THIS_MORNING)
    with pytest.raises(ServiceError) as refused:
        services.start_meeting(cast.org, cast.leader, m, now=NOW)
    assert refused.value.code == "before_set_up"
    assert "Hardware sync was set up on 7 Dec 2026, after this meeting's time" in str(refused.value)


def test_a_cadence_started_in_the_past_still_records_the_meetings_held_then(cast):
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    sync = _sync(cast, "Firmware sync", start_date=dt.date(2026, 11, 2))
    with at(NOW):
        page = html.unescape(
            login(cast.leader)
            .get(f"/o/acme/rhythm/cadences/{sync.pk}/{_key(THIS_MORNING)}/")
            .content.decode()
        )
        listed = queries.occurrences_of(sync, NOW - dt.timedelta(hours=12), NOW, since_created=True)
    assert "Start meeting" in page and "after this time" not in page
    m = services.open_meeting(cast.org, cast.leader, sync, THIS_MORNING)
    m = services.start_meeting(cast.org, cast.leader, m, now=NOW)
    assert m.started_at == NOW  # recorded late, as any meeting held then
    assert listed == []  # history, not coming up
