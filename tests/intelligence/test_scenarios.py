"""The scenario library: a history built through the services under a controlled clock;
each expected signal appears on the expected day with the expected evidence, not the day
before, and resolves when the cause is fixed."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.intelligence.models import Signal, SignalState
from tests.intelligence.world import (
    build_org,
    check_in,
    evaluate_on,
    live,
)

D = dt.date


def labels(signal: Signal) -> list[str]:
    return [e["label"] for e in signal.evidence]


def test_a_team_that_stops_checking_in_is_flagged_after_its_second_missed_checkin(db, clock):
    w = build_org("stopco")
    web = w["Web"]
    for friday in (D(2026, 1, 9), D(2026, 1, 16)):
        clock.at(friday, 10)
        check_in(w.org, web.checkin, web.people, clock)
        evaluate_on(w, clock, friday)
    # Nobody checks in on Jan 23 nor Jan 30. The second miss counts once its window
    # closes (Saturday 16:00): evaluated each day at 17:00.
    for day in (D(2026, 1, 23), D(2026, 1, 24), D(2026, 1, 30)):
        evaluate_on(w, clock, day)
        assert live(w.org, "checkins.missed_in_a_row", web.team) == [], day
    evaluate_on(w, clock, D(2026, 1, 31))
    [signal] = live(w.org, "checkins.missed_in_a_row", web.team)
    assert signal.first_seen.date() == D(2026, 1, 31)
    assert signal.severity in ("warning", "critical")
    assert labels(signal) == ["Check-in due 23 Jan 2026", "Check-in due 30 Jan 2026"]
    assert all(e["value"] == "4 owed, 0 given" for e in signal.evidence)
    assert "Nobody in Web (4 people)" in signal.explanation
    assert signal.owner_id == web.lead.pk
    # The other teams checked in as usual? They did not either: only Web is asserted on.
    clock.at(D(2026, 2, 6), 10)
    check_in(w.org, web.checkin, web.people, clock)
    evaluate_on(w, clock, D(2026, 2, 6))
    assert live(w.org, "checkins.missed_in_a_row", web.team) != []  # not closed yet
    evaluate_on(w, clock, D(2026, 2, 7))
    assert live(w.org, "checkins.missed_in_a_row", web.team) == []
    signal.refresh_from_db()
    assert signal.state == SignalState.RESOLVED
    assert signal.resolved_at.date() == D(2026, 2, 7)


def test_a_provider_that_takes_on_more_than_it_can_serve_is_overloaded_then_late(db, clock):
    w = build_org("loadco", {"Platform": 2, "Web": 4, "Data": 4, "Mobile": 4})
    platform = w["Platform"]
    need_by = D(2026, 1, 20)
    deps = []
    for name in ("Web", "Data", "Mobile"):
        deps.append(
            coordination.create_dependency(
                w.org,
                None,
                requester_initiative=w[name].initiative,
                provider_team=platform.team,
                title=f"API for {name}",
                need_by=need_by,
            )
        )
    # Platform's own work ends before the need-by date: nothing predicted late.
    alignment.replan_initiative(w.org, None, platform.initiative, D(2026, 1, 16), "Sooner")
    for i, dep in enumerate(deps):
        day = D(2026, 1, 6 + i)
        clock.at(day, 10)
        coordination.transition(
            w.org,
            None,
            dep,
            "accept",
            committed_date=need_by,
            provider_initiative=platform.initiative,
        )
        evaluate_on(w, clock, day)
        if i < 2:
            assert live(w.org, "load.overloaded", platform.team) == [], day
    [signal] = live(w.org, "load.overloaded", platform.team)
    assert signal.first_seen.date() == D(2026, 1, 8)
    assert signal.severity == "warning"
    assert signal.explanation == (
        "Platform accepted 3 requests due within the month with 2 people."
    )
    # Each request by its own name, saying whose it is and when it is due.
    assert sorted(labels(signal)) == ["API for Data", "API for Mobile", "API for Web"]
    assert {e["label"]: e["value"] for e in signal.evidence}["API for Data"] == (
        "Accepted request: Data needs it from Platform, due 20 Jan 2026"
    )
    assert {e["target_id"] for e in signal.evidence} == {str(d.pk) for d in deps}
    assert signal.reach_teams == 4  # Platform and the three requesters
    # The need-by date passes with nothing delivered: the commitments slip.
    evaluate_on(w, clock, need_by)
    signal.refresh_from_db()
    assert signal.severity == "warning"
    evaluate_on(w, clock, need_by + dt.timedelta(days=1))
    signal.refresh_from_db()
    assert signal.severity == "critical"
    assert signal.explanation.endswith("; 3 are already late.")
    assert len(live(w.org, "dependencies.overdue")) == 3
    # Delivered: the cause is gone.
    clock.at(D(2026, 1, 22), 10)
    for dep in deps:
        dep.refresh_from_db()
        coordination.transition(w.org, None, dep, "confirm_delivery")
    evaluate_on(w, clock, D(2026, 1, 22))
    assert live(w.org, "load.overloaded", platform.team) == []
    assert live(w.org, "dependencies.overdue") == []


def test_confidence_falling_three_weeks_running_is_flagged_on_the_third_update(db, clock):
    w = build_org("confco")
    data = w["Data"]
    mondays = [D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19)]
    for monday, confidence in zip(mondays, (8, 7, 6), strict=True):
        if monday == mondays[-1]:  # the day before the third update: two steps, no signal
            evaluate_on(w, clock, D(2026, 1, 18))
            assert live(w.org, "objectives.confidence_falling", data.objective) == []
        clock.at(monday, 11)
        alignment.set_objective_confidence(w.org, None, data.objective, confidence)
        evaluate_on(w, clock, monday)
        if monday != mondays[-1]:
            assert live(w.org, "objectives.confidence_falling", data.objective) == []
    [signal] = live(w.org, "objectives.confidence_falling", data.objective)
    assert signal.first_seen.date() == D(2026, 1, 19)
    assert labels(signal) == [
        "Confidence on 5 Jan 2026",
        "Confidence on 12 Jan 2026",
        "Confidence on 19 Jan 2026",
    ]
    assert [e["value"] for e in signal.evidence] == [8, 7, 6]
    assert "went 8 → 7 → 6" in signal.explanation
    assert signal.owner_id == data.lead.pk
    clock.at(D(2026, 1, 26), 11)
    alignment.set_objective_confidence(w.org, None, data.objective, 8)
    evaluate_on(w, clock, D(2026, 1, 26))
    assert live(w.org, "objectives.confidence_falling", data.objective) == []


def test_decisions_piling_up_on_one_approver_are_flagged_at_the_fourth(db, clock):
    w = build_org("deciderco")
    approver = w.admin
    opened = []
    for i in range(4):
        day = D(2026, 1, 5 + i)
        clock.at(day, 10)
        opened.append(
            decisions.create_decision(
                w.org, None, f"Question {i + 1}?", approver, teams=[w["Web"].team]
            )
        )
        evaluate_on(w, clock, day)
        if i < 3:
            assert live(w.org, "decisions.approver_bottleneck", approver) == [], day
    [signal] = live(w.org, "decisions.approver_bottleneck", approver)
    assert signal.first_seen.date() == D(2026, 1, 8)
    assert signal.owner_id == approver.pk
    assert labels(signal) == ["Waiting"] * 4
    assert {e["target_id"] for e in signal.evidence} == {str(d.pk) for d in opened}
    assert signal.explanation.startswith(f"4 decisions wait for {approver.name}")
    clock.at(D(2026, 1, 9), 10)
    decisions.decide(w.org, None, opened[0], "Yes", "Because.")
    evaluate_on(w, clock, D(2026, 1, 9))
    assert live(w.org, "decisions.approver_bottleneck", approver) == []


def test_a_key_result_that_flat_lines_falls_off_pace_on_the_day_the_gap_passes_the_tolerance(
    db, clock
):
    w = build_org("flatco")
    kr = alignment.update_key_result(w.org, None, w["Web"].kr, unit="k€")
    # On pace until Feb 2 (36 of 100), then the same value every week.
    values = {
        D(2026, 1, 5): 5,
        D(2026, 1, 12): 12,
        D(2026, 1, 19): 20,
        D(2026, 1, 26): 28,
        D(2026, 2, 2): 36,
    }
    for week in range(1, 5):
        values[D(2026, 2, 2) + dt.timedelta(weeks=week)] = 36
    for day, value in sorted(values.items()):
        clock.at(day, 9)
        alignment.record_key_result_value(w.org, None, kr, value)
    # 36% with 54 of 89 days gone is a gap of 24.7 points (tolerance 25); day 55: 25.8.
    evaluate_on(w, clock, D(2026, 2, 24))
    assert live(w.org, "key_results.off_pace", kr) == []
    evaluate_on(w, clock, D(2026, 2, 25))
    [signal] = live(w.org, "key_results.off_pace", kr)
    assert signal.first_seen.date() == D(2026, 2, 25)
    assert [(e["label"], e["value"]) for e in signal.evidence] == [
        ("Progress", "36%"),
        ("Period elapsed", "62%"),
        ("Current value", 36),
    ]
    assert signal.explanation == (
        "Web metric has come 36% of the way from 0 k€ to 100 k€ with 62% of Q1 2026 gone "
        "(now 36 k€)."
    )
    clock.at(D(2026, 2, 26), 9)
    alignment.record_key_result_value(w.org, None, kr, 70)
    evaluate_on(w, clock, D(2026, 2, 26))
    assert live(w.org, "key_results.off_pace", kr) == []


def test_priorities_that_churn_are_flagged_when_rerankings_pass_three_a_week(db, clock):
    w = build_org("churnco")
    web = w["Web"]
    extra = [
        alignment.create_initiative(
            w.org, None, team=web.team, title=f"Web bet {i}", status="active",
            key_results=[web.kr],
        )
        for i in range(2)
    ]  # fmt: skip
    by_id = {i.pk: i for i in (web.initiative, *extra)}
    order = [web.initiative.pk, *(i.pk for i in extra)]
    # 13 re-rankings over four weeks is 3.25 a week: the 13th crosses the line.
    moves = 0
    for week in range(4):
        if week == 3:  # the day before the 13th: 12 in four weeks is 3.0 a week, no signal
            evaluate_on(w, clock, D(2026, 1, 25))
            assert live(w.org, "priorities.churn", web.team) == []
        for i in range(4 if week < 3 else 1):
            day = D(2026, 1, 5) + dt.timedelta(weeks=week, days=i)
            clock.at(day, 10)
            order = alignment.move_in_stack(w.org, None, by_id[order[-1]], 1)  # bottom to top
            moves += 1
            evaluate_on(w, clock, day)
            if moves < 13:
                assert live(w.org, "priorities.churn", web.team) == [], (day, moves)
    assert moves == 13
    [signal] = live(w.org, "priorities.churn", web.team)
    assert signal.first_seen.date() == D(2026, 1, 26)
    assert signal.evidence[0]["label"] == "Re-rankings"
    assert signal.evidence[0]["value"] == 13
    assert "re-ranked 13 times in the last 4 weeks (3.2 a week)" in signal.explanation
    # A quiet week later the rate falls back under the threshold.
    evaluate_on(w, clock, D(2026, 2, 3))
    assert live(w.org, "priorities.churn", web.team) == []


def test_a_late_dependency_says_whose_date_it_missed(db, clock):
    """Past the provider's committed date, the provider's word is the date; unanswered,
    the requester's need-by date is."""
    w = build_org("lateco", {"Platform": 2, "Web": 2, "Data": 2})
    platform = w["Platform"]
    clock.at(D(2026, 1, 5), 10)
    deps = {
        name: coordination.create_dependency(
            w.org,
            None,
            requester_initiative=w[name].initiative,
            provider_team=platform.team,
            title=f"API for {name}",
            need_by=D(2026, 1, 20),
        )
        for name in ("Web", "Data")
    }
    coordination.transition(
        w.org,
        None,
        deps["Web"],
        "accept",
        committed_date=D(2026, 1, 27),
        provider_initiative=platform.initiative,
    )
    evaluate_on(w, clock, D(2026, 1, 30))
    said = {s.title: s.explanation for s in live(w.org, "dependencies.overdue")}
    assert said == {
        "API for Web is 3 days late": (
            "Platform committed to deliver API for Web to Web by 27 Jan 2026; it is 3 days late."
        ),
        "API for Data is 10 days late": (
            "Data needed API for Data from Platform by 20 Jan 2026; it is 10 days late."
        ),
    }


def test_a_signal_whose_text_changes_daily_held_once_on_its_page(db, clock):
    """An overdue dependency is a day later each day: each day's evaluation ends one
    episode (its text changed) and starts the next. Its page says when it held as one
    stretch per severity, not one line per day."""
    from accord.intelligence.models import SignalEpisode
    from tests.conftest import login, make_person

    w = build_org("dailyco", {"Platform": 2, "Web": 2})
    clock.at(D(2026, 1, 5), 10)
    dep = coordination.create_dependency(
        w.org, None, requester_initiative=w["Web"].initiative, provider_team=w["Platform"].team,
        title="Feed", need_by=D(2026, 1, 20),
    )  # fmt: skip
    for day in range(21, 31):  # 1 to 10 days late; critical from the 8th day
        evaluate_on(w, clock, D(2026, 1, day))
    [signal] = live(w.org, "dependencies.overdue")
    assert SignalEpisode.objects.filter(signal=signal).count() == 10
    reader = make_person(w.org, "Rea Reader", "member")
    page = login(reader).get(f"/o/dailyco/insights/signals/{signal.pk}/").content.decode()
    held = page.split('id="episodes-h"')[1].split("</section>")[0]
    assert held.count("<li>") == 2, held
    assert "28 Jan 2026</time> to now · critical" in held
    assert "21 Jan 2026</time> to <time" in held and "28 Jan 2026</time> · warning" in held
    assert dep.title in signal.title


def test_the_organizations_own_key_result_off_pace_concerns_the_top_team(db, clock):
    """A key result of an objective of the organization itself (no team) is the top
    team's concern: its signal names that team, reaches its people and is counted in the
    top team's health like any other."""
    from accord.intelligence.models import HealthScore

    w = build_org("topco")
    company = alignment.create_objective(
        w.org, None, title="Grow the company", period=w.period, level="org", owner=w.admin
    )
    kr = alignment.create_key_result(
        w.org, None, company, name="Revenue", start=0, target=100, owner=w.admin
    )
    clock.at(D(2026, 1, 5), 9)
    alignment.record_key_result_value(w.org, None, kr, 1)
    evaluate_on(w, clock, D(2026, 2, 25))
    [signal] = live(w.org, "key_results.off_pace", kr)
    assert {t.team_id for t in signal.team_links.all()} == {w.root.pk}
    top = HealthScore.objects.filter(org=w.org, team=w.root).latest("date")
    assert top.rollup_open_critical + top.rollup_open_warning >= 1
    assert top.open_critical + top.open_warning >= 1  # the top team's own, not only below


def test_a_company_key_result_off_pace_reaches_the_teams_aligned_beneath_it(db, clock):
    """Reach follows the cascade: the organization's key result falling behind touches the
    teams whose objectives align under its objective and the teams whose work serves it,
    and each person is counted once however many of those teams they are in."""
    from accord.org import services as org_services

    w = build_org("cascadeco")  # Platform, Web and Data: four people each
    company = alignment.create_objective(
        w.org, None, title="Grow the company", period=w.period, level="org", owner=w.admin
    )
    kr = alignment.create_key_result(
        w.org, None, company, name="Revenue", start=0, target=100, owner=w.admin
    )
    alignment.link_objective(w.org, None, w["Web"].objective, company)  # Web aligns beneath
    alignment.link_initiative(w.org, None, w["Platform"].initiative, key_result=kr)  # serves
    org_services.add_membership(
        w.org, None, person=w["Web"].lead, team=w["Platform"].team, allocation=0
    )
    clock.at(D(2026, 1, 5), 9)
    alignment.record_key_result_value(w.org, None, kr, 1)
    evaluate_on(w, clock, D(2026, 2, 25))
    [signal] = live(w.org, "key_results.off_pace", kr)
    assert signal.reach_teams == 3  # the top team, Web and Platform; not Data
    assert signal.reach_people == 1 + 4 + 4  # the admin, Web's and Platform's, once each
    # Data's own key result touches Data alone.
    [data] = live(w.org, "key_results.off_pace", w["Data"].kr)
    assert (data.reach_teams, data.reach_people) == (1, 4)
