"""A key result added mid-period is paced from the day it was added (or its baseline date)
to the period's end, not from the period's start, and is not judged in its first two weeks:
a key result created in December in Q4 was flagged critical at once ("0% of the way with
73% of Q4 gone")."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.org.models import Role
from tests.conftest import login, make_person
from tests.intelligence.world import build_org, evaluate_on, live

D = dt.date


def downtime(w, clock, day, **extra):
    clock.at(day, 9)
    return alignment.create_key_result(
        w.org,
        None,
        w["Web"].objective,
        name="Fleet downtime",
        direction="decrease",
        start=40,
        target=20,
        **extra,
    )


def test_a_key_result_added_late_in_the_period_is_not_flagged_at_once(db, clock):
    w = build_org("lateco")
    kr = downtime(w, clock, D(2026, 3, 1))  # 59 of 89 days of Q1 gone
    evaluate_on(w, clock, D(2026, 3, 5))
    assert live(w.org, "key_results.off_pace", kr) == []
    # Past its two weeks' grace, still judged from the day it was added: 15 of 30 days.
    evaluate_on(w, clock, D(2026, 3, 16))
    [signal] = live(w.org, "key_results.off_pace", kr)
    assert "with 50% of its time gone (from 1 Mar 2026, when it was added" in signal.explanation


def test_a_key_result_added_mid_period_is_paced_from_the_day_it_was_added(db, clock):
    w = build_org("midco")
    kr = downtime(w, clock, D(2026, 2, 1))
    clock.at(D(2026, 2, 20), 9)
    alignment.record_key_result_value(w.org, None, kr, 35)  # a quarter of the way
    # 28 of its 58 days gone (48%), 25% done: within the tolerance. From the period's
    # start it would be 59 of 89 days (66%), 41 points behind.
    evaluate_on(w, clock, D(2026, 3, 1))
    assert live(w.org, "key_results.off_pace", kr) == []
    evaluate_on(w, clock, D(2026, 3, 10))  # 37 of 58 days: 64%
    [signal] = live(w.org, "key_results.off_pace", kr)
    assert signal.severity == "warning"
    assert signal.explanation == (
        "Fleet downtime has come 25% of the way from 40 to 20 with 64% of its time gone "
        "(from 1 Feb 2026, when it was added, to the end of Q1 2026) (now 35)."
    )
    assert [(e["label"], e["value"]) for e in signal.evidence] == [
        ("Progress", "25%"),
        ("Time elapsed since 1 Feb 2026", "64%"),
        ("Current value", 35),
    ]
    # The key result's page counts its pace the same way.
    reader = make_person(w.org, "Rita Reader", Role.MEMBER)
    page = login(reader).get(f"/o/midco/alignment/key-results/{kr.pk}/").content.decode()
    assert "25% done with 64% of its time gone, from 1 Feb 2026 to the end of Q1 2026" in page


def test_a_baseline_date_sets_where_the_pace_starts(db, clock):
    w = build_org("baseco")
    kr = downtime(w, clock, D(2026, 2, 1), baseline_date=D(2026, 1, 1))
    clock.at(D(2026, 2, 20), 9)
    alignment.record_key_result_value(w.org, None, kr, 35)
    evaluate_on(w, clock, D(2026, 3, 1))  # measured since 1 Jan: 59 of 89 days
    [signal] = live(w.org, "key_results.off_pace", kr)
    assert "with 66% of Q1 2026 gone" in signal.explanation
