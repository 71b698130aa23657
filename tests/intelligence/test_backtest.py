"""A quarter replayed day by day: a healthy control organization raises nothing worse than
info; a key result that ends the quarter missed was predicted weeks ahead; and what the
catalogue finds as of a past date is exactly what the evaluation of that date stored."""

from __future__ import annotations

import datetime as dt
import re

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.intelligence import evaluate, queries
from accord.intelligence.models import HealthScore, Signal, SignalEpisode
from accord.org import services as org_services
from accord.org.models import Membership, MembershipRole
from tests.intelligence.world import (
    Q1,
    Clock,
    OrgW,
    build_org,
    check_in,
    evaluate_on,
    pace_value,
)

D = dt.date
SIZES = {"Platform": 4, "Web": 4, "Data": 4}


def run_healthy_weeks(w: OrgW, clock: Clock, weeks: int, *, evaluate_days=("mon", "fri")):
    """The weekly rhythm of a healthy organization: everyone checks in on time, key
    results move on pace, confidence holds, requests are accepted with room to spare and
    decisions are taken within days."""
    platform, web = w["Platform"], w["Web"]
    dep = coordination.create_dependency(
        w.org,
        None,
        requester_initiative=web.initiative,
        provider_team=platform.team,
        title="Search API",
        need_by=D(2026, 3, 10),
    )
    coordination.transition(
        w.org, None, dep, "accept", committed_date=D(2026, 3, 6),
        provider_initiative=platform.initiative,
    )  # fmt: skip
    alignment.replan_initiative(w.org, None, platform.initiative, D(2026, 3, 2), "Room to spare")
    found_on = {}
    monday = D(2026, 1, 5)
    for week in range(weeks):
        mon = monday + dt.timedelta(weeks=week)
        clock.at(mon, 9)
        for t in w.teams.values():
            alignment.record_key_result_value(w.org, None, t.kr, pace_value(mon))
            alignment.set_objective_confidence(w.org, None, t.objective, 8)
        d = decisions.create_decision(w.org, None, f"Week {week} call?", w.admin)
        found_on[mon] = evaluate_on(w, clock, mon)
        clock.at(mon + dt.timedelta(days=2), 10)
        decisions.decide(w.org, None, d, "Yes", "Clear enough.")
        fri = mon + dt.timedelta(days=4)
        clock.at(fri, 10)
        for t in w.teams.values():
            check_in(w.org, t.checkin, t.people, clock)
        found_on[fri] = evaluate_on(w, clock, fri)
    return found_on


def test_a_healthy_organization_of_the_same_size_and_rhythm_raises_no_warning(db, clock):
    w = build_org("calmco", SIZES)
    run_healthy_weeks(w, clock, 8)
    # Every episode ever stored, not only what holds at the end.
    worse = SignalEpisode.objects.filter(org=w.org).exclude(severity="info")
    assert [
        (e.signal.kind, e.signal.subject_label, e.started_at.date(), e.explanation)
        for e in worse.select_related("signal")
    ] == []
    latest = HealthScore.objects.filter(org=w.org, team=w.root).order_by("-date").first()
    assert latest.rollup_overall >= 90


def test_a_key_result_that_ends_the_period_missed_was_predicted_three_weeks_ahead(db, clock):
    """Lead time measured here: the first prediction fired on 2026-02-09, 50 days before the
    quarter's end (the test prints it)."""
    w = build_org("missco", SIZES)
    kr = w["Data"].kr
    # A good start, then the value stalls at 30 and the quarter ends with 30 of 100.
    day = D(2026, 1, 5)
    value = 0.0
    first_prediction = None
    while day <= Q1[1]:
        if day.weekday() == 0:
            value = min(30.0, value + 9)
            clock.at(day, 9)
            alignment.record_key_result_value(w.org, None, kr, value)
        if day.weekday() in (0, 3):
            evaluate_on(w, clock, day)
            predicted = Signal.objects.filter(
                org=w.org,
                subject_type="alignment.keyresult",
                subject_id=str(kr.pk),
                kind__in=("key_results.projected_miss", "key_results.off_pace"),
            ).exclude(state="resolved")
            if first_prediction is None and predicted.exists():
                first_prediction = day
        day += dt.timedelta(days=1)
    assert kr.__class__.objects.get(pk=kr.pk).current == 30  # missed: 30 of 100
    assert first_prediction is not None
    lead = (Q1[1] - first_prediction).days
    print(f"lead time: first prediction {first_prediction}, {lead} days before {Q1[1]}")
    assert lead >= 21, lead
    assert first_prediction == D(2026, 2, 9)
    # Its numbers read as every page writes them: at most two decimals, grouped.
    miss = Signal.objects.filter(org=w.org, kind="key_results.projected_miss").latest("pk")
    projected = re.search(
        r"ends .+? at (\S+) \(\d+% of the way from \S+ to (\S+)\); 1 day is left\.",
        miss.explanation,
    )
    assert projected and projected[2] == "100", miss.explanation
    assert re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d{1,2})?", projected[1]), miss.explanation


def test_signals_as_of_a_past_date_equal_what_the_evaluation_of_that_date_stored(db, clock):
    w = build_org("honestco", SIZES)
    platform, web, data = w["Platform"], w["Web"], w["Data"]
    stored: dict[dt.datetime, dict[tuple, tuple]] = {}
    owners: dict[dt.datetime, dict[tuple, int | None]] = {}
    dep = None
    side: list = []

    def membership(team_w, person):
        return Membership.objects.get(team=team_w.team, person=person)

    for n, day in enumerate(D(2026, 1, 5) + dt.timedelta(days=i) for i in range(0, 42, 2)):
        clock.at(day, 9)
        # A history with changes of every kind the snapshot rewinds.
        if n == 1:
            # Two pieces of work that serve nothing: unaligned work, and over the WIP limit.
            dates = {"start_date": D(2026, 1, 5), "target_date": D(2026, 3, 27)}
            side = [
                alignment.create_initiative(
                    w.org, None, team=platform.team, title=f"Side {x}", status="active", **dates
                )
                for x in "AB"
            ]
            alignment.set_wip_limit(w.org, None, platform.team, 2)
        if n == 10:  # a link made after the earlier days, and a limit raised
            alignment.link_initiative(w.org, None, side[0], objective=platform.objective)
            alignment.set_wip_limit(w.org, None, platform.team, 5)
        if n == 12:  # a member leaves, another's allocation changes
            org_services.remove_membership(w.org, None, membership(web, web.members[0]))
            org_services.update_membership(
                w.org, None, membership(web, web.members[1]), allocation=40
            )
        if n == 13:  # a link removed after the earlier days: Data's goal loses its work
            alignment.unlink_initiative(w.org, None, data.initiative, key_result=data.kr)
        if n == 14:  # a lead steps down to member; someone leaves the organization
            org_services.update_membership(
                w.org, None, membership(platform, platform.lead), role=MembershipRole.MEMBER
            )
            org_services.update_person(w.org, None, data.members[0], is_active=False)
        if n == 16:  # an objective link made: Platform's goal now contributes to Data's
            alignment.link_objective(w.org, None, platform.objective, data.objective)
        if n == 18:  # and removed again
            alignment.unlink_objective(w.org, None, platform.objective, data.objective)
        if n == 1:
            dep = coordination.create_dependency(
                w.org, None, requester_initiative=web.initiative,
                provider_team=platform.team, title="Feed", need_by=D(2026, 1, 20),
            )  # fmt: skip
        if n == 4:
            coordination.transition(
                w.org, None, dep, "accept", committed_date=D(2026, 1, 22),
                provider_initiative=platform.initiative,
            )  # fmt: skip
        if n == 6:
            dep.refresh_from_db()
            coordination.transition(w.org, None, dep, "flag_blocked", note="Waiting on a vendor")
        if n == 9:
            dep.refresh_from_db()
            coordination.transition(w.org, None, dep, "clear_flag")
        if n % 3 == 0:
            alignment.set_objective_confidence(w.org, None, data.objective, max(2, 9 - n))
        if n in (2, 5, 8, 11):
            decisions.create_decision(
                w.org, None, f"Q{n}?", w.admin, decide_by=day + dt.timedelta(days=3)
            )
        if n in (7, 12):
            alignment.replan_initiative(
                w.org, None, web.initiative, D(2026, 3, 20) + dt.timedelta(weeks=n), "Slip"
            )
        if n % 2 == 0:
            alignment.record_key_result_value(w.org, None, web.kr, n)
        run = evaluate_on(w, clock, day)
        live = Signal.objects.filter(org=w.org).exclude(state="resolved")
        stored[run.as_of] = {
            (s.kind, s.subject_type, s.subject_id): (s.severity, s.explanation, s.evidence)
            for s in live
        }
        owners[run.as_of] = {(s.kind, s.subject_type, s.subject_id): s.owner_id for s in live}
    assert sum(len(v) for v in stored.values()) > 40  # the history did raise signals
    # The links, limits and memberships changed what was found along the way.
    kinds = [{k[0] for k in found} for found in stored.values()]
    for kind in ("initiatives.unaligned", "load.overloaded", "objectives.orphaned"):
        assert any(kind in k for k in kinds) and not all(kind in k for k in kinds), kind
    for moment, expected in stored.items():
        found = evaluate.detect(w.org, moment)
        recomputed = {ident: (f.severity, f.explanation, f.evidence) for ident, f in found.items()}
        assert recomputed == expected, moment
        assert {ident: f.owner_id for ident, f in found.items()} == owners[moment], moment
        as_stored = {
            (s.kind, s.subject_type, s.subject_id): (s.severity, s.explanation, s.evidence)
            for s in queries.signals_as_of(w.org, moment)
        }
        assert as_stored == expected, moment


def test_backfill_computes_weekly_health_from_the_organizations_own_history(db, clock):
    w = build_org("pastco", SIZES)
    platform, web = w["Platform"], w["Web"]
    clock.at(D(2026, 1, 6), 10)
    dep = coordination.create_dependency(
        w.org, None, requester_initiative=web.initiative, provider_team=platform.team,
        title="Late feed", need_by=D(2026, 1, 13),
    )  # fmt: skip
    clock.at(D(2026, 2, 16), 10)
    coordination.transition(w.org, None, dep, "cancel", note="Not needed any more")
    evaluate.evaluate(w.org)
    evaluate.backfill(w.org, weeks=5, today=D(2026, 2, 16))
    history = queries.health_history(w.org, platform.team.pk, weeks=6)
    assert [h.date for h in history] == [
        D(2026, 1, 12), D(2026, 1, 19), D(2026, 1, 26), D(2026, 2, 2), D(2026, 2, 9),
        D(2026, 2, 16),
    ]  # fmt: skip
    # The request waited unanswered from Jan 6: it costs Platform points in the weeks it
    # was open and nothing once cancelled.
    deps = [h.dependencies for h in history]
    assert deps[-1] == 100
    assert all(d < 100 for d in deps[1:-1]), deps
    assert all(0 <= h.overall <= 100 for h in history)
    # The signals themselves were left alone by the backfill.
    assert not Signal.objects.filter(org=w.org, kind="dependencies.unanswered").exists()
