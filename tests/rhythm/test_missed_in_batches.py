"""Recording missed check-ins writes in short transactions (batches): a request can write
between two of them rather than wait for the whole organization's, and a run stopped
midway keeps whole batches, the next run recording the rest and nothing twice."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity import services as activity
from accord.activity.models import Event
from accord.org.models import Team
from accord.rhythm import services
from accord.rhythm.models import CheckIn, CheckInStatus
from tests.between_batches import a_write_meanwhile
from tests.rhythm.conftest import DUE, existed_since
from tests.rhythm.test_checkin_windows import _checkin_cadences

AFTER = DUE + dt.timedelta(hours=25)  # this week's window closed: 20 missed, two weeks back


def _owed(cast) -> None:
    _checkin_cadences(cast, 4)
    existed_since(cast.org)


@pytest.mark.django_db(transaction=True)
def test_a_request_writes_between_two_batches(cast, rhythm, monkeypatch):
    _owed(cast)
    monkeypatch.setattr(services, "MISSED_BATCH", 2)

    def rename() -> None:  # a request's write, on a connection of its own
        Team.objects.filter(pk=cast.platform.pk).update(name="Platform and payments")

    with a_write_meanwhile("missed", rename) as seen:
        assert services.record_missed_checkins(cast.org, now=AFTER) == 20
    assert seen[0] is False and seen[-1] is True


def test_a_run_stopped_midway_is_finished_by_the_next_without_repeats(cast, rhythm, monkeypatch):
    _owed(cast)
    monkeypatch.setattr(services, "MISSED_BATCH", 5)

    class Stopped(Exception):
        pass

    heard: list[int] = []

    def stop_in_the_second_batch(event) -> None:
        if event.verb == "missed":
            heard.append(1)
            if len(heard) == 6:
                raise Stopped  # the process dies as the second batch is written

    activity.LISTENERS.append(stop_in_the_second_batch)
    try:
        with pytest.raises(Stopped):
            services.record_missed_checkins(cast.org, now=AFTER)
    finally:
        activity.LISTENERS.remove(stop_in_the_second_batch)
    missed = CheckIn.objects.filter(status=CheckInStatus.MISSED)
    assert missed.count() == 5  # the first batch, committed; the second's rolled back
    assert services.record_missed_checkins(cast.org, now=AFTER) == 15
    assert services.record_missed_checkins(cast.org, now=AFTER) == 0
    assert missed.count() == 20
    assert Event.objects.filter(verb="missed").count() == 20
