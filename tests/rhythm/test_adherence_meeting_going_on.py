"""Adherence (meetings held of those due) counts a meeting by its occurrence's end: one
going on and not started is not yet due, and one started is being held, not missed, until
it is finished, even past its end."""

from __future__ import annotations

import datetime as dt

from accord.rhythm import queries, services
from tests.conftest import api_client, at
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

# The 90-minute weekly sync: Monday 9 Nov 2026, 09:00 to 10:30 UTC (10:00 in Berlin).
STARTS = utc(2026, 11, 9, 9, 0)
MIN = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)


def _trend(cast, cadence) -> list[tuple[str, bool]]:
    """The cadence's adherence over its last 3 occurrences, as the API gives it."""
    body = api_client(cast.leader).get(f"/api/v1/rhythm/cadences/{cadence.pk}/adherence").json()
    return [(row["start"][:16], row["held"]) for row in body["trend"][-3:]]


def test_a_meeting_going_on_is_not_missed(cast, rhythm):  # noqa: F811
    sync = rhythm.sync
    # 30 minutes in, not started: not yet due. The last one due is 2 Nov's.
    with at(STARTS + 30 * MIN):
        [adh] = queries.adherence(cast.org, [sync])
        assert adh.occurrences[-1].occurrence.start == utc(2026, 11, 2, 9, 0)
        assert ("2026-11-09T09:00", False) not in _trend(cast, sync)
    meeting = services.open_meeting(cast.org, cast.leader, sync, STARTS)
    services.start_meeting(cast.org, cast.leader, meeting, now=STARTS + 5 * MIN)
    # Started: it is being held.
    with at(STARTS + 30 * MIN):
        [adh] = queries.adherence(cast.org, [sync])
        newest = adh.occurrences[-1]
        assert newest.occurrence.start == STARTS and newest.held is True
        assert _trend(cast, sync)[-1] == ("2026-11-09T09:00", True)
    # Running past its end (10:30): still held, not missed.
    with at(STARTS + 100 * MIN):
        [adh] = queries.adherence(cast.org, [sync])
        assert adh.occurrences[-1].occurrence.start == STARTS
        assert adh.occurrences[-1].held is True
    # Never started: once its occurrence ended, it is due, and missed.
    services.reopen_meeting(cast.org, cast.leader, meeting, reason="Wrong week")
    with at(STARTS + 91 * MIN):
        assert _trend(cast, sync)[-1] == ("2026-11-09T09:00", False)
    with at(STARTS + 89 * MIN):
        assert ("2026-11-09T09:00", False) not in _trend(cast, sync)


def test_the_signal_agrees_a_started_meeting_is_held(cast, rhythm):  # noqa: F811
    """The "has not met" signal reads meetings as adherence does: the 2 Nov meeting held and
    9 Nov's started and left running (never finished) are not "not held"."""
    from accord.intelligence import snapshot
    from accord.intelligence.detectors import meetings_not_held

    sync = rhythm.sync
    week_before = utc(2026, 11, 2, 9, 0)
    started = {}
    for when in (week_before, STARTS):
        m = services.open_meeting(cast.org, cast.leader, sync, when)
        started[when] = services.start_meeting(cast.org, cast.leader, m, now=when)
    services.finish_meeting(cast.org, cast.leader, started[week_before], now=week_before + HOUR)
    later = STARTS + dt.timedelta(hours=6)
    with at(later):
        [adh] = queries.adherence(cast.org, [sync])
        snap = snapshot.load(cast.org)
    assert [f.held for f in adh.occurrences[-2:]] == [True, True]
    meetings = [(s, held) for s, held, _ in snap.cadences[sync.pk].meetings]
    assert meetings[-2:] == [(utc(2026, 11, 2, 9), True), (STARTS, True)]
    assert not list(meetings_not_held(snap, {"in_a_row": 2}))
