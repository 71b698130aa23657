"""A closed period's objectives and key results are a record: once it is closed (before
its end), they raise no live-progress signal (off pace, projected miss, stale, orphaned,
confidence, rated on track while behind), and none that names the closed period; the
period's signals before it closed stay as they were on those days."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.intelligence.evaluate import detect
from tests.intelligence.world import build_org, evaluate_on, live

D = dt.date
PROGRESS = (
    "key_results.off_pace",
    "key_results.projected_miss",
    "key_results.stale",
    "objectives.orphaned",
    "objectives.confidence_falling",
    "objectives.on_track_but_behind",
)


def test_a_closed_quarter_raises_no_progress_signals(db, clock):
    w = build_org("closeco")
    objective = w["Web"].objective
    clock.at(D(2026, 1, 5), 9)
    kr = alignment.create_key_result(
        w.org, None, objective, name="Fleet downtime", direction="decrease", start=40, target=20
    )
    lonely = alignment.create_objective(
        w.org, None, title="Nobody serves this", period=w.period, team=w["Web"].team
    )
    clock.at(D(2026, 1, 6), 9)
    alignment.set_objective_confidence(w.org, None, objective, 2)
    evaluate_on(w, clock, D(2026, 3, 6))
    before = {k for k in PROGRESS if live(w.org, k, kr) or live(w.org, k, objective)}
    before |= {k for k in PROGRESS if live(w.org, k, lonely)}
    assert {"key_results.off_pace", "objectives.orphaned"} <= before, before
    clock.at(D(2026, 3, 6), 18)
    alignment.close_period(w.org, None, w.period)  # 25 days before its end
    evaluate_on(w, clock, D(2026, 3, 7))
    for kind in PROGRESS:
        assert live(w.org, kind, kr) == [] and live(w.org, kind, objective) == [], kind
        assert live(w.org, kind, lonely) == [], kind
    now = detect(w.org, D(2026, 3, 7))
    assert not [f for f in now.values() if w.period.name in f.explanation]
    # As of a day before it closed, the signals are as they were.
    assert {f.kind for f in detect(w.org, D(2026, 3, 5)).values()} & set(PROGRESS) >= {
        "key_results.off_pace"
    }
