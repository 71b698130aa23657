"""When a cadence's schedule changes, moves and cancellations of occurrences that no
longer exist are dropped with one event naming them, never left dangling; exceptions
the new schedule still has are kept."""

from __future__ import annotations

import datetime as dt

from accord.activity.models import Event
from accord.rhythm import queries, services
from accord.rhythm.models import OccurrenceException
from tests.rhythm.conftest import utc

MON_9 = utc(2026, 11, 9, 9)  # Monday 10:00 in Berlin
MON_16 = utc(2026, 11, 16, 9)


def _exceptions(cadence):
    services.cancel_occurrence(cadence.org, None, cadence, MON_9, note="Offsite")
    services.move_occurrence(
        cadence.org, None, cadence, MON_16, MON_16 + dt.timedelta(hours=3), now=MON_16
    )


def test_changing_the_rule_drops_exceptions_of_vanished_occurrences(cast, rhythm):
    sync = rhythm.sync
    _exceptions(sync)
    sync = services.update_cadence(cast.org, cast.leader, sync, rrule="FREQ=WEEKLY;BYDAY=TU")
    assert OccurrenceException.objects.filter(cadence=sync).count() == 0
    event = Event.objects.for_target("rhythm.cadence", sync.pk).get(verb="exceptions_dropped")
    dropped = event.before["exceptions"]
    assert [d["cancelled"] for d in dropped] == [True, False]
    assert dropped[0]["note"] == "Offsite"
    # The new Tuesdays are all there, none cancelled or moved.
    occs = queries.occurrences_of(sync, utc(2026, 11, 9), utc(2026, 11, 21))
    assert [o.start for o in occs] == [utc(2026, 11, 10, 9), utc(2026, 11, 17, 9)]


def test_changing_the_time_or_zone_drops_them_too(cast, rhythm):
    _exceptions(rhythm.sync)
    services.update_cadence(cast.org, cast.leader, rhythm.sync, timezone_name="Europe/London")
    assert OccurrenceException.objects.filter(cadence=rhythm.sync).count() == 0
    assert Event.objects.filter(verb="exceptions_dropped").count() == 1


def test_exceptions_the_new_schedule_still_has_are_kept(cast, rhythm):
    sync = rhythm.sync
    _exceptions(sync)
    services.update_cadence(cast.org, cast.leader, sync, rrule="FREQ=WEEKLY;BYDAY=MO,TH")
    sync = services.update_cadence(cast.org, cast.leader, sync, duration_minutes=45, name="Sync")
    assert OccurrenceException.objects.filter(cadence=sync).count() == 2
    assert not Event.objects.filter(verb="exceptions_dropped").exists()
    [still_cancelled] = queries.occurrences_of(
        sync, MON_9, MON_9 + dt.timedelta(hours=1), include_cancelled=True
    )
    assert still_cancelled.cancelled
