"""The as-of loader: a bounded number of queries whatever the size, and values rewound to
the moment asked for."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.coordination.models import Dependency
from accord.decisions import services as decisions
from accord.intelligence import snapshot
from accord.org import services as org_services
from tests.intelligence.world import Clock, build_org, controlled


def queries_of_load(org, as_of=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        snapshot.load(org, as_of)
    return len(ctx.captured_queries)


def test_loading_costs_the_same_queries_for_three_teams_and_for_twelve(db):
    clock = Clock()
    with controlled(clock):
        small = build_org("smallco", {"A": 3, "B": 3, "C": 3})
        big = build_org("bigco", {f"T{i}": 5 for i in range(12)})
        for w in (small, big):
            teams = list(w.teams.values())
            for a, b in itertools.pairwise(teams):
                coordination.create_dependency(
                    w.org, None, requester_initiative=a.initiative, provider_team=b.team,
                    title=f"{a.team.name} needs {b.team.name}", need_by=dt.date(2026, 2, 1),
                )  # fmt: skip
                decisions.create_decision(w.org, None, f"{a.team.name}?", a.lead)
        clock.advance(days=20)
        assert queries_of_load(small.org) == queries_of_load(big.org)
        past = dt.date(2026, 1, 10)
        assert queries_of_load(small.org, past) == queries_of_load(big.org, past)
        assert queries_of_load(big.org) <= 40


def test_values_are_those_of_the_moment_asked_for(db):
    clock = Clock()
    with controlled(clock):
        w = build_org("rewindco", {"A": 3, "B": 3})
        a, b = w["A"], w["B"]
        clock.at(dt.date(2026, 1, 6), 10)
        dep = coordination.create_dependency(
            w.org, None, requester_initiative=a.initiative, provider_team=b.team,
            title="Feed", need_by=dt.date(2026, 2, 1),
        )  # fmt: skip
        clock.at(dt.date(2026, 1, 8), 10)
        coordination.transition(
            w.org, None, dep, "accept", committed_date=dt.date(2026, 2, 3),
            provider_initiative=b.initiative,
        )  # fmt: skip
        clock.at(dt.date(2026, 1, 12), 10)
        alignment.replan_initiative(w.org, None, b.initiative, dt.date(2026, 4, 1), "Slip")
        decision = decisions.create_decision(w.org, None, "Go?", w.admin)
        clock.at(dt.date(2026, 1, 14), 10)
        decisions.decide(w.org, None, decision, "Yes", "Fine")
        org_services.create_team(w.org, None, name="Later", parent=w.root)
        clock.at(dt.date(2026, 1, 20), 10)

        def at(day):
            return snapshot.load(w.org, dt.date(2026, 1, day))

        assert dep.pk not in at(5).dependencies
        assert at(7).dependencies[dep.pk].state == "requested"
        assert at(7).dependencies[dep.pk].committed_date is None
        assert at(9).dependencies[dep.pk].state == "accepted"
        assert at(9).dependencies[dep.pk].due == dt.date(2026, 2, 3)
        assert at(11).initiatives[b.initiative.pk].target_date == dt.date(2026, 3, 20)
        assert at(11).initiatives[b.initiative.pk].replans == []
        assert at(13).initiatives[b.initiative.pk].target_date == dt.date(2026, 4, 1)
        assert len(at(13).initiatives[b.initiative.pk].replans) == 1
        assert at(13).decisions[decision.pk].undecided
        assert at(13).decisions[decision.pk].decided_at is None
        assert not at(15).decisions[decision.pk].undecided
        assert "Later" not in {t.name for t in at(13).teams.values()}
        assert "Later" in {t.name for t in at(15).teams.values()}


def test_a_past_decision_loaded_later_was_decided_from_its_decision_date(db):
    """An import or the demo records a past decision's events when it loads it: the decision
    counts as decided from its own `decided_at`, not from the day its event was recorded."""
    clock = Clock()
    with controlled(clock):
        w = build_org("importco", {"A": 3})
        clock.at(dt.date(2026, 1, 20), 10)  # the day of the import
        decision = decisions.create_decision(
            w.org, None, "Which carrier?", w.admin,
            opened_at=dt.datetime(2026, 1, 6, 9, tzinfo=dt.UTC),
            decide_by=dt.date(2026, 1, 12),
        )  # fmt: skip
        decisions.decide(
            w.org, None, decision, "The cheaper one", "Same service",
            decided_at=dt.datetime(2026, 1, 9, 15, tzinfo=dt.UTC),
        )  # fmt: skip

        def at(day):
            return snapshot.load(w.org, dt.date(2026, 1, day)).decisions[decision.pk]

        assert at(8).undecided
        assert at(8).decided_at is None
        assert not at(10).undecided
        assert at(10).status == "decided"
        assert at(10).decided_at == dt.datetime(2026, 1, 9, 15, tzinfo=dt.UTC)
        assert not at(15).undecided  # past its decide-by date, yet not overdue: decided


def test_past_action_items_and_issues_loaded_later_are_closed_from_their_own_dates(db):
    clock = Clock()
    with controlled(clock):
        w = build_org("importco", {"A": 3})
        a = w["A"]
        clock.at(dt.date(2026, 1, 20), 10)  # the day of the import
        item = decisions.create_action_item(
            w.org, None, "Book the venue", a.lead, team=a.team, due_on=dt.date(2026, 1, 9),
            created_at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC),
        )  # fmt: skip
        decisions.complete_action_item(
            w.org, None, item, done_at=dt.datetime(2026, 1, 8, 16, tzinfo=dt.UTC)
        )
        issue = decisions.raise_issue(
            w.org, None, a.team, "Printer jammed",
            opened_at=dt.datetime(2026, 1, 6, 9, tzinfo=dt.UTC),
        )  # fmt: skip
        decisions.solve_issue(
            w.org, None, issue, "New printer", at=dt.datetime(2026, 1, 11, 9, tzinfo=dt.UTC)
        )

        def at(day):
            return snapshot.load(w.org, dt.date(2026, 1, day))

        assert at(7).action_items[item.pk].status == "open"
        assert at(7).action_items[item.pk].done_at is None
        assert at(9).action_items[item.pk].status == "done"
        assert at(9).action_items[item.pk].done_at == dt.datetime(2026, 1, 8, 16, tzinfo=dt.UTC)
        assert at(10).issues[issue.pk].status == "open"
        assert at(12).issues[issue.pk].status == "solved"


def test_a_dependency_loaded_with_its_past_keeps_its_states_from_its_own_dates(db):
    """A dependency dated back to when it was requested (as the demo does) whose transitions
    were recorded when it was loaded: accepted from its request on, delivered from its
    `closed_at`, and nothing of it before it was requested."""
    clock = Clock()
    with controlled(clock):
        w = build_org("importco", {"A": 3, "B": 3})
        a, b = w["A"], w["B"]
        clock.at(dt.date(2026, 1, 20), 10)  # the day of the load
        kept = coordination.create_dependency(
            w.org, None, requester_initiative=a.initiative, provider_team=b.team,
            title="Feed", need_by=dt.date(2026, 2, 1),
        )  # fmt: skip
        coordination.transition(
            w.org, None, kept, "accept", committed_date=dt.date(2026, 2, 3),
            provider_initiative=b.initiative,
        )  # fmt: skip
        given = coordination.create_dependency(
            w.org, None, requester_initiative=a.initiative, provider_team=b.team,
            title="Report", need_by=dt.date(2026, 1, 16),
        )  # fmt: skip
        coordination.transition(
            w.org, None, given, "accept", committed_date=dt.date(2026, 1, 16),
            provider_initiative=b.initiative,
        )  # fmt: skip
        coordination.transition(w.org, None, given, "confirm_delivery")
        requested = dt.datetime(2026, 1, 6, tzinfo=dt.UTC)
        Dependency.objects.filter(pk=kept.pk).update(created_at=requested)
        Dependency.objects.filter(pk=given.pk).update(
            created_at=requested, closed_at=dt.datetime(2026, 1, 14, tzinfo=dt.UTC)
        )

        def at(day):
            return snapshot.load(w.org, dt.date(2026, 1, day)).dependencies

        assert kept.pk not in at(5) and given.pk not in at(5)
        assert at(8)[kept.pk].state == "accepted"
        assert at(8)[kept.pk].due == dt.date(2026, 2, 3)
        assert at(8)[given.pk].state == "accepted"
        assert at(8)[given.pk].closed_at is None
        assert at(15)[given.pk].state == "delivered"
        assert at(21)[kept.pk].state == "accepted"
        assert at(21)[given.pk].state == "delivered"


def test_links_loaded_with_their_work_held_since_it_was_created_and_later_ones_since_made(db):
    """Work dated back to when the story has it exist (as the demo does) was loaded with its
    links, recorded on the day of the load: they held since the work existed. A link made
    that day to work Accord saw created earlier holds from that day only."""
    from accord.alignment.models import Initiative, Objective, ObjectiveLink

    clock = Clock()
    with controlled(clock):
        w = build_org("linkco", {"A": 3, "B": 3})
        a, b = w["A"], w["B"]
        clock.at(dt.date(2026, 1, 20), 10)  # the day of the load
        loaded = alignment.create_initiative(
            w.org, None, team=a.team, title="Loaded work", owner=a.lead, status="active",
            start_date=dt.date(2026, 1, 5), target_date=dt.date(2026, 3, 1),
            key_results=[b.kr],
        )  # fmt: skip
        child = alignment.create_objective(
            w.org, None, title="Loaded goal", period=w.period, team=a.team, owner=a.lead
        )
        alignment.link_objective(w.org, None, child, b.objective)
        alignment.link_initiative(w.org, None, a.initiative, key_result=b.kr)  # made today
        since = dt.datetime(2026, 1, 6, tzinfo=dt.UTC)
        Initiative.objects.filter(pk=loaded.pk).update(created_at=since)
        Objective.objects.filter(pk=child.pk).update(created_at=since)
        ObjectiveLink.objects.filter(child=child).update(created_at=since)

        def at(day):
            return snapshot.load(w.org, dt.date(2026, 1, day))

        assert loaded.pk not in at(5).initiatives and child.pk not in at(5).objectives
        then = at(10)
        assert then.initiatives[loaded.pk].key_result_ids == {b.kr.pk}
        assert then.objectives[child.pk].parent_ids == [b.objective.pk]
        assert b.kr.pk not in then.initiatives[a.initiative.pk].key_result_ids
        assert b.kr.pk in at(21).initiatives[a.initiative.pk].key_result_ids
