"""A dependency its provider said was delivered is no longer overdue from that day: the
signal resolves, and the snapshot of an earlier day still has it late."""

from __future__ import annotations

import datetime as dt

from accord.coordination import services as coordination
from accord.intelligence import snapshot
from tests.intelligence.world import build_org, evaluate_on, live

D = dt.date


def test_marked_delivered_stops_the_overdue_signal_from_that_day(db, clock):
    w = build_org("markco", {"Platform": 2, "Web": 4})
    clock.at(D(2026, 1, 5), 10)
    dep = coordination.create_dependency(
        w.org,
        None,
        requester_initiative=w["Web"].initiative,
        provider_team=w["Platform"].team,
        title="API for Web",
        need_by=D(2026, 1, 20),
    )
    dep = coordination.transition(
        w.org,
        None,
        dep,
        "accept",
        committed_date=D(2026, 1, 20),
        provider_initiative=w["Platform"].initiative,
    )
    evaluate_on(w, clock, D(2026, 1, 22))
    assert len(live(w.org, "dependencies.overdue")) == 1
    clock.at(D(2026, 1, 23), 10)
    coordination.transition(w.org, w["Platform"].lead, dep, "mark_delivered")
    evaluate_on(w, clock, D(2026, 1, 23))
    assert live(w.org, "dependencies.overdue") == []
    before = snapshot.load(w.org, D(2026, 1, 22)).dependencies[dep.pk]
    after = snapshot.load(w.org, D(2026, 1, 24)).dependencies[dep.pk]
    assert before.marked_delivered_on is None and before.is_late(D(2026, 1, 22))
    assert after.marked_delivered_on == D(2026, 1, 23) and not after.is_late(D(2026, 1, 24))
