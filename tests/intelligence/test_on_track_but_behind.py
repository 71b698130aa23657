"""An objective its owner rates on track while its key results lag (green outside, red
inside): a signal when at least half of the key results counted are behind, as the
key-result detectors decide (off pace, projected to miss, outside their limit), critical
when two or more are counted and all lag; gone when the owner lowers the confidence or the
key results catch up."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.alignment import services as alignment
from accord.intelligence import services
from accord.intelligence.evaluate import detect
from accord.org.models import Role
from tests.conftest import login, make_person
from tests.intelligence.world import build_org, evaluate_on, live

D = dt.date
KIND = "objectives.on_track_but_behind"
# 20 Feb: 50 of Q1's 89 days gone (56%): a key result at 10 of 100 is 46 points behind
# pace (off pace, not yet critical), one at 60 is on pace.
DAY = D(2026, 2, 20)
LAGS = "10 where 56.18 would be on pace"  # 56.18: 50 / 89 of the way to 100
RECORDED, RATED = D(2026, 2, 16), D(2026, 2, 2)


def world(slug: str, count: int):
    """Web's objective with `count` key results from 0 to 100 (its first the world's own
    "Web metric"), all added on 5 Jan."""
    w = build_org(slug, {"Web": 2}, checkins=False)
    web = w["Web"]
    krs = [web.kr]
    for n in range(1, count):
        krs.append(
            alignment.create_key_result(
                w.org, None, web.objective, name=f"Web result {n + 1}", start=0, target=100
            )
        )
    return w, web, krs


def record(w, clock, krs, values, day=RECORDED):
    clock.at(day, 9)
    for kr, value in zip(krs, values, strict=True):
        alignment.record_key_result_value(w.org, None, kr, value)


def rate(w, clock, objective, confidence, day=RATED):
    clock.at(day, 9)
    alignment.set_objective_confidence(w.org, None, objective, confidence)


def test_an_objective_rated_on_track_with_half_its_key_results_behind_is_flagged(db, clock):
    w, web, krs = world("melonco", 2)
    record(w, clock, krs, (10, 60))
    rate(w, clock, web.objective, 8)
    evaluate_on(w, clock, DAY)
    [signal] = live(w.org, KIND, web.objective)
    assert signal.severity == "warning"
    assert signal.title == "Web goal is rated on track while one of its key results lags"
    assert signal.explanation == (
        "Confidence in Web goal is 8 of 10, on track, on 2 Feb 2026, but 1 of its 2 key "
        f"results lag: Web metric is behind pace ({LAGS})."
    )
    assert signal.next_step == (
        "Ask Web Lead whether the confidence or the key results are out of date."
    )
    assert signal.owner_id == web.lead.pk
    assert {t.pk for t in signal.teams.all()} == {web.team.pk}
    objective, metric = str(web.objective.pk), str(krs[0].pk)
    evidence = [(e["label"], e["value"], e["target_type"], e["target_id"]) for e in signal.evidence]
    assert evidence == [
        ("Confidence on 2 Feb 2026", "8 of 10, on track", "alignment.objective", objective),
        ("Web metric", f"behind pace: {LAGS}", "alignment.keyresult", metric),
    ]
    assert (signal.numbers["confidence"], signal.numbers["behind"]) == (8, 1)
    assert signal.numbers["key_results"] == 2
    # "Behind" is what the key-result detector says: the same key result, and only it.
    assert [s.subject_id for s in live(w.org, "key_results.off_pace")] == [str(krs[0].pk)]


def test_not_when_the_owner_rates_it_at_risk(db, clock):
    w, web, krs = world("riskco", 2)
    record(w, clock, krs, (10, 60))
    rate(w, clock, web.objective, 6)
    evaluate_on(w, clock, DAY)
    assert live(w.org, "key_results.off_pace")  # the key result lags all the same
    assert live(w.org, KIND) == []


def test_not_when_its_key_results_are_on_pace_or_reached(db, clock):
    w, web, krs = world("paceco", 3)
    rate(w, clock, web.objective, 9)
    # On pace and reached: nothing lags.
    record(w, clock, krs, (60, 100, 60))
    evaluate_on(w, clock, DAY)
    assert live(w.org, KIND) == []
    # One of three behind: under half.
    record(w, clock, krs, (60, 70, 10), day=D(2026, 2, 17))
    evaluate_on(w, clock, DAY)
    assert live(w.org, KIND) == []


def test_a_key_result_reached_or_too_young_to_judge_is_not_counted(db, clock):
    w, web, krs = world("youngco", 2)
    record(w, clock, krs, (10, 100))
    rate(w, clock, web.objective, 8)
    clock.at(D(2026, 2, 15), 9)  # added five days ago: off pace's 14 days of grace
    alignment.create_key_result(w.org, None, web.objective, name="New result", target=100)
    evaluate_on(w, clock, DAY)
    [signal] = live(w.org, KIND, web.objective)
    # Of the three, only the lagging one is counted: it lags, but alone it is a warning
    # (the key result has its own signal).
    assert signal.severity == "warning"
    assert "but its one key result lags (2 more reached or too early to judge): " in (
        signal.explanation
    )
    assert signal.numbers["key_results"] == 1 and signal.numbers["behind"] == 1
    assert signal.title.endswith("is rated on track while its key result lags")


def test_critical_when_every_key_result_lags_and_each_says_how(db, clock):
    w, web, krs = world("allco", 2)
    lo = alignment.create_key_result(
        w.org, None, web.objective, name="Uptime", direction="above", start=99.9, target=99.5
    )
    record(w, clock, [*krs, lo], (10, 20, 98))
    rate(w, clock, web.objective, 7)
    evaluate_on(w, clock, DAY)
    [signal] = live(w.org, KIND, web.objective)
    assert signal.severity == "critical"
    assert "but all 3 of its key results lag: " in signal.explanation
    assert "Uptime is outside its limit (98, to stay above 99.5)" in signal.explanation
    assert [e["label"] for e in signal.evidence] == [
        "Confidence on 2 Feb 2026",
        "Web metric",
        "Web result 2",
        "Uptime",
    ]
    assert signal.numbers["behind"] == signal.numbers["key_results"] == 3


def flagged(clock, slug: str, values=(10, 60)):
    """A world whose objective is rated 8 of 10 while its two key results stand at
    `values` (the first behind pace): flagged on DAY."""
    w, web, krs = world(slug, 2)
    record(w, clock, krs, values)
    rate(w, clock, web.objective, 8)
    evaluate_on(w, clock, DAY)
    assert live(w.org, KIND, web.objective)
    return w, web, krs


def test_it_resolves_when_the_owner_lowers_the_confidence(db, clock):
    w, web, _ = flagged(clock, "lowerco")
    rate(w, clock, web.objective, 5, day=D(2026, 2, 21))
    evaluate_on(w, clock, D(2026, 2, 21))
    assert live(w.org, KIND, web.objective) == []


def test_it_resolves_when_the_key_results_catch_up(db, clock):
    w, web, krs = flagged(clock, "catchco")
    record(w, clock, krs[:1], (80,), day=D(2026, 2, 21))
    evaluate_on(w, clock, D(2026, 2, 21))
    assert live(w.org, KIND, web.objective) == []


def test_a_closed_period_is_a_record(db, clock):
    w, _, _ = flagged(clock, "closedco", (10, 20))
    clock.at(D(2026, 2, 21), 9)
    alignment.close_period(w.org, None, w.period)
    evaluate_on(w, clock, D(2026, 2, 22))
    assert live(w.org, KIND) == []
    assert KIND in {f.kind for f in detect(w.org, DAY).values()}  # as of before, as it was


def test_its_settings_and_those_of_the_key_result_detectors_take_effect(db, clock):
    w, web, _ = flagged(clock, "settingsco")

    def with_settings(detectors) -> list:
        services.update_settings(w.org, w.admin, detectors=detectors)
        evaluate_on(w, clock, DAY, hour=18)
        return live(w.org, KIND, web.objective)

    # Every key result must lag: one of two no longer does.
    assert with_settings({KIND: {"share": 1}}) == []
    # On track from 9 of 10: an 8 is not rated on track enough.
    assert with_settings({KIND: {"on_track_from": 9}}) == []
    assert with_settings({}) != []
    # Behind pace from 50 points: the key result at 10 is not behind (46), by either.
    assert with_settings({"key_results.off_pace": {"tolerance": 0.5}}) == []
    assert live(w.org, "key_results.off_pace") == []
    # Off pace switched off: it judges nothing, so nothing lags.
    assert with_settings({"key_results.off_pace": {"enabled": False}}) == []
    assert with_settings({KIND: {"enabled": False}}) == []


def test_the_objectives_page_shows_it_beside_the_confidence(db, clock):
    w, web, krs = world("pageco", 2)
    record(w, clock, krs, (10, 60))
    rate(w, clock, web.objective, 8)
    url = f"/o/{w.org.slug}/alignment/objectives/{web.objective.pk}/"
    reader = make_person(w.org, "Rita Reader", Role.MEMBER)
    assert 'id="signals-h"' not in login(reader).get(url).content.decode()
    evaluate_on(w, clock, DAY)
    [signal] = live(w.org, KIND, web.objective)
    html = login(reader).get(url).content.decode()
    assert 'id="signals-h"' in html
    assert f'/insights/signals/{signal.pk}/">{signal.title}</a>' in html


def test_its_settings_are_checked_like_every_others():
    from accord.alignment import confidence as bands
    from accord.core.errors import ServiceError
    from accord.intelligence import config

    defaults = config.defaults().detectors[KIND]
    assert defaults == {"enabled": True, "share": 0.5, "on_track_from": bands.ON_TRACK.low}
    for name, value, message in (
        ("on_track_from", 6, "Enter a whole number from 7 to 10."),  # on track only
        ("share", 1.5, "Enter a share from 0 to 1 (0.25 is 25%)."),
    ):
        with pytest.raises(ServiceError) as refused:
            config.validate({KIND: {name: value}}, {})
        assert refused.value.fields[f"{KIND}.{name}"] == [message]
