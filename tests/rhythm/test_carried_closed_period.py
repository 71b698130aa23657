"""What a meeting left unfinished carries forward, except objectives and key results whose
period has closed since: they are history."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.rhythm import services
from tests.rhythm.conftest import utc

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin
SECOND = utc(2026, 11, 16, 9)


def test_a_closed_periods_objectives_and_key_results_are_not_carried_forward(cast, rhythm):
    q = alignment.create_period(
        cast.org,
        None,
        name="Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        state="active",
    )
    low = alignment.create_objective(cast.org, None, title="Low", period=q, team=cast.platform)
    alignment.set_objective_confidence(cast.org, None, low, 3)
    alignment.create_key_result(  # measured since the quarter began: behind by November
        cast.org, None, low, name="Behind", target=10, at=utc(2026, 10, 1, 9)
    )
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    refs = {i["ref"] for s in m.agenda_snapshot for i in s["items"]}
    assert f"objective:{low.pk}" in refs and any(r.startswith("kr:") for r in refs)
    services.finish_meeting(cast.org, cast.leader, m)
    alignment.close_period(cast.org, None, q)
    nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
    nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    assert nxt.carried_in == []
