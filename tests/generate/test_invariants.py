"""A generated organization satisfies every invariant the services enforce, checked with
the project's own query functions, at 30 and 200 teams."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.apps import apps
from django.db.models import Max, Min

from accord.activity.models import Event
from accord.alignment import queries as alignment
from accord.alignment.models import (
    Initiative,
    InitiativeKeyResult,
    InitiativeObjective,
    KeyResult,
    KeyResultValue,
    Objective,
    ObjectiveLink,
    Period,
)
from accord.alignment.progress import kr_progress
from accord.coordination import graph
from accord.coordination.models import Dependency, State
from accord.decisions import queries as decisions
from accord.decisions.models import ActionItem, Decision, Issue, IssueEscalation
from accord.org import queries as org_queries
from accord.org.models import Membership, OrgScoped, Person, Team
from accord.rhythm import queries as rhythm
from accord.rhythm.models import Attendance, Cadence, CheckIn, Meeting
from tests.conftest import GENERATED_NOW as NOW


def test_the_team_tree_is_five_to_seven_deep_and_each_parent_has_three_to_ten_teams(org):
    parents = org_queries.parent_map(org)
    roots = [t for t, p in parents.items() if p is None]
    assert len(roots) == 1
    depths = {t: len(org_queries.ancestors_of(t, parents)) for t in parents}
    assert 5 <= max(depths.values()) + 1 <= 7
    assert org_queries.descendants_of(roots[0], parents) == set(parents) - set(roots)
    fan_out = Counter(p for p in parents.values() if p is not None)
    assert all(3 <= n <= 10 for n in fan_out.values()), fan_out
    nodes = org_queries.flatten(org_queries.team_tree(org))
    assert len(nodes) == len(parents)


def test_about_ten_people_a_team_each_in_one_to_three_teams_never_over_100_percent(org):
    teams = Team.objects.for_org(org).count()
    people = org_queries.people_with_allocation(org)
    assert 8 * teams <= people.count() <= 12 * teams
    assert max(p.allocation_total for p in people) <= 100
    per_person = Counter(Membership.objects.for_org(org).values_list("person_id", flat=True))
    assert set(per_person.values()) <= {1, 2, 3}
    assert len(per_person) == people.count()
    assert Counter(per_person.values())[2] > 0
    leads = Counter(
        Membership.objects.for_org(org).filter(role="lead").values_list("team_id", flat=True)
    )
    assert len(leads) == teams and set(leads.values()) == {1}
    assert Person.objects.for_org(org).filter(role="admin").exists()


def test_one_current_period_holds_today_past_ones_are_closed_with_frozen_values(org):
    current = alignment.current_period(org, today=NOW.date())
    assert current is not None and current.start <= NOW.date() <= current.end
    assert Period.objects.for_org(org).filter(is_current=True).count() == 1
    closed = Period.objects.for_org(org).filter(state="closed")
    assert closed.count() >= 2
    assert all(p.end < NOW.date() and p.closed_at for p in closed)
    previous = closed.order_by("-start").first()
    krs = KeyResult.objects.for_org(org).filter(objective__period=previous)
    assert krs.exists()
    assert all(kr.frozen.value == kr.current for kr in krs.select_related("frozen"))
    statuses = set(
        Objective.objects.for_org(org).filter(period=previous).values_list("status", flat=True)
    )
    assert statuses <= {"achieved", "missed", "dropped"} and "achieved" in statuses


def test_objectives_cascade_to_shallower_teams_of_the_same_period_without_loops(org):
    parents = org_queries.parent_map(org)
    depth = {t: len(org_queries.ancestors_of(t, parents)) for t in parents}
    objectives = {o.pk: o for o in Objective.objects.for_org(org)}
    links = ObjectiveLink.objects.for_org(org)
    assert links.count() > 0.7 * len([o for o in objectives.values() if o.team_id])
    for link in links:
        child, parent = objectives[link.child_id], objectives[link.parent_id]
        assert child.period_id == parent.period_id
        assert child.team_id != parent.team_id
        assert parent.team_id is None or depth[parent.team_id] < depth[child.team_id]
    some = list(objectives)[:: max(1, len(objectives) // 50)]
    for oid in some:
        assert oid not in alignment.objective_ancestors(org, oid)
    assert Objective.objects.for_org(org).filter(level="org", team=None).count() >= 3


def test_key_results_have_weekly_histories_ending_in_their_current_value(org):
    current = alignment.current_period(org, today=NOW.date())
    krs = KeyResult.objects.for_org(org).filter(objective__period=current)
    history = alignment.value_history([kr.pk for kr in krs])
    assert len(history) > 0.8 * krs.count()
    for kr in krs:
        values = history.get(kr.pk)
        if values:
            assert values[-1][1] == kr.current
            assert all(NOW - dt.timedelta(weeks=12) <= at <= NOW for at, _ in values)
        assert 0 <= kr_progress(kr) <= 100
    directions = set(krs.values_list("direction", flat=True))
    assert {"increase", "decrease"} <= directions
    rollup = alignment.rollup(org, current)
    assert rollup is not None
    assert Objective.objects.for_org(org).exclude(confidence=None).exists()


def test_stacks_rank_active_initiatives_one_to_n_and_some_work_serves_nothing(org):
    for team in Team.objects.for_org(org)[:60]:
        stack = alignment.priority_stack(org, team)
        assert [i.rank for i in stack.items] == list(range(1, len(stack.items) + 1))
        next_up = alignment.next_up(org, team)
        assert [i.next_rank for i in next_up] == list(range(1, len(next_up) + 1))
    assert not Initiative.objects.for_org(org).exclude(status="active").exclude(rank=None).exists()
    proposed = Initiative.objects.for_org(org).filter(status="proposed")
    assert proposed.exists() and not proposed.filter(next_rank=None).exists()
    assert (
        not Initiative.objects.for_org(org)
        .exclude(status="proposed")
        .exclude(next_rank=None)
        .exists()
    )
    assert alignment.unaligned_initiatives(org).exists()
    aligned = InitiativeKeyResult.objects.for_org(org).count()
    aligned += InitiativeObjective.objects.for_org(org).count()
    assert aligned > 0.5 * Initiative.objects.for_org(org).count()
    for i in Initiative.objects.for_org(org).exclude(baseline_target_date=None):
        if i.replan_count == 0:
            assert i.target_date == i.baseline_target_date
        else:
            assert i.replans.count() == i.replan_count
        if i.start_date and i.target_date and i.status != "proposed":
            assert i.start_date <= i.baseline_target_date


def test_initiatives_blocked_from_day_is_stored_as_the_services_keep_it(org):
    """Rows are bulk-inserted without the services: the generator fills the stored figure."""
    from accord.alignment import blocked

    stored = dict(Initiative.objects.for_org(org).values_list("id", "blocked_from"))
    assert stored == blocked.computed(org.pk)
    assert any(v is not None for v in stored.values())


def test_follow_through_tallies_are_stored_as_the_services_keep_them(org):
    """Items are bulk-inserted without the services: the generator fills the tallies."""
    from accord.decisions import followthrough
    from accord.decisions.models import FollowTally

    rows = FollowTally.objects.filter(org=org).values_list(
        "kind", "subject", "day", *followthrough.COLUMNS
    )
    stored = {(k, s, day): list(c) for k, s, day, *c in rows}
    assert stored == followthrough.computed(org.pk)
    root = Team.objects.for_org(org).filter(parent__isnull=True).first()
    today = NOW.date()
    ft = decisions.follow_through(org, team=root, subtree=True, days=90, today=today)
    counted = decisions.counted_follow_through(
        org, team_ids=org_queries.subtree_ids(root), days=90, today=today
    )
    assert ft == counted and ft.due > 0


def test_dependencies_in_every_state_consistent_with_their_dates_mostly_between_neighbours(org):
    deps = list(Dependency.objects.for_org(org).select_related("provider_initiative"))
    states = Counter(d.state for d in deps)
    assert set(states) == {
        "requested",
        "negotiating",
        "accepted",
        "declined",
        "delivered",
        "cancelled",
    }
    flags = Counter(d.flag for d in deps if d.is_active)
    assert flags["at_risk"] and flags["blocked"]
    assert any(d.is_late(NOW.date()) for d in deps)
    logged = set(
        Event.objects.for_org(org)
        .filter(target_type="coordination.dependency")
        .values_list("target_id", flat=True)
    )
    for d in deps:
        assert d.requester_team_id != d.provider_team_id
        assert d.requester_initiative.team_id == d.requester_team_id
        if d.state in ("accepted", "delivered"):
            assert d.committed_date and d.provider_initiative.team_id == d.provider_team_id
        if d.state == "negotiating":
            assert d.proposed_date and d.awaiting in ("requester", "provider")
        if d.is_active:
            assert d.closed_at is None
        else:
            assert d.created_at <= d.closed_at <= NOW
        assert str(d.pk) in logged, d
    parents = org_queries.parent_map(org)
    near = 0
    for d in deps:
        a, b = d.requester_team_id, d.provider_team_id
        family_a = {a, *org_queries.ancestors_of(a, parents)[:2]}
        family_b = {b, *org_queries.ancestors_of(b, parents)[:2]}
        near += bool(family_a & family_b)
    assert near > 0.7 * len(deps)
    # Pages read the cycles the intelligence engine stored; count them from the rows here.
    edges = [
        (d.requester_initiative_id, d.provider_initiative_id)
        for d in deps
        if d.state == State.ACCEPTED and d.provider_initiative_id
    ]
    found = graph.cycles({i for e in edges for i in e}, edges)
    assert 1 <= len(found) <= max(3, len(parents) // 100)


def test_cadences_have_valid_rules_and_check_in_and_meeting_histories(org):
    cadences = list(Cadence.objects.for_org(org))
    assert len(cadences) == 2 * Team.objects.for_org(org).count() + 1
    for c in cadences:
        c.schedule.validate()
    checkins = CheckIn.objects.for_org(org).select_related("cadence")
    assert {"on_time", "late", "missed"} == set(checkins.values_list("status", flat=True))
    for ci in checkins[:500]:
        occ = rhythm.occurrence(ci.cadence, ci.occurrence_start)
        assert occ is not None and ci.due_at == occ.start
        if ci.status == "missed":
            assert ci.submitted_at is None
        else:
            assert rhythm.checkin_status_at(ci.cadence, occ, ci.submitted_at) == ci.status
            assert ci.submitted_at <= NOW
    meetings = Meeting.objects.for_org(org)
    assert meetings.exists() and set(meetings.values_list("status", flat=True)) == {"finished"}
    for m in meetings.select_related("cadence")[:300]:
        assert rhythm.occurrence(m.cadence, m.occurrence_start) is not None
        assert m.occurrence_start <= m.started_at < m.ended_at <= NOW
    ratings = (
        Attendance.objects.for_org(org)
        .exclude(rating=None)
        .aggregate(lo=Min("rating"), hi=Max("rating"))
    )
    assert 1 <= ratings["lo"] <= ratings["hi"] <= 10
    team = Team.objects.for_org(org).order_by("id")[1]
    figures = rhythm.adherence(org, rhythm.team_cadences(org, team), now=NOW)
    assert figures


def test_decisions_action_items_and_issues_follow_their_lifecycles(org):
    ds = list(Decision.objects.for_org(org))
    assert {"open", "proposed", "decided", "reversed"} <= {d.status for d in ds}
    for d in ds:
        assert d.approver_id is not None
        if d.decided_at:
            assert d.opened_at < d.decided_at <= NOW and d.latency.total_seconds() > 0
    assert decisions.overdue_decisions(org, NOW.date()).exists()
    assert decisions.overdue_action_items(org, today=NOW.date()).exists()
    items = ActionItem.objects.for_org(org)
    assert {"open", "done", "dropped"} == set(items.values_list("status", flat=True))
    assert not items.filter(status="done", done_at=None).exists()
    assert items.exclude(source_type="").exists()
    parents = org_queries.parent_map(org)
    for issue in Issue.objects.for_org(org):
        assert issue.team_id == issue.raised_in_id or issue.team_id in org_queries.ancestors_of(
            issue.raised_in_id, parents
        )
        assert issue.escalations.count() == len(
            org_queries.ancestors_of(issue.raised_in_id, parents)
        ) - len(org_queries.ancestors_of(issue.team_id, parents))
    assert IssueEscalation.objects.for_org(org).exists()
    assert decisions.open_issues(org).exists()
    # Each escalation's event names both teams, as `escalate_issue`'s does: the issue's new
    # team, and the team it came from (so the lower team's feed shows it left).
    moves = {
        (str(e.issue_id), e.at): (e.to_team_id, e.from_team_id)
        for e in IssueEscalation.objects.for_org(org)
    }
    events = Event.objects.for_org(org).filter(target_type="decisions.issue", verb="escalated")
    assert {(e.target_id, e.created_at): (e.team_id, e.other_team_id) for e in events} == moves


def test_every_reference_stays_inside_the_organization(org):
    """Tenancy: every foreign key of every row of the organization names one of its rows."""
    owned: dict = defaultdict(set)
    scoped = [m for m in apps.get_models() if issubclass(m, OrgScoped)]
    for model in scoped:
        owned[model] = set(model.objects.filter(org=org).values_list("pk", flat=True))
    for model in scoped:
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model in owned and f.name != "org":
                ids = set(
                    model.objects.filter(org=org)
                    .exclude(**{f.attname: None})
                    .values_list(f.attname, flat=True)
                )
                assert ids <= owned[f.related_model], (model, f.name)
        for f in model._meta.many_to_many:
            through = f.remote_field.through
            rows = through.objects.filter(**{f"{f.m2m_field_name()}__in": owned[model]})
            ids = set(rows.values_list(f.m2m_reverse_name(), flat=True))
            assert ids <= owned[f.related_model], (model, f.name)


def test_the_event_log_holds_the_history_with_real_past_timestamps(org):
    events = Event.objects.for_org(org)
    span = events.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["last"] <= NOW
    assert NOW - span["first"] > dt.timedelta(weeks=12)
    per_week = events.filter(created_at__gte=NOW - dt.timedelta(weeks=12)).count() / 12
    assert per_week > 8 * Team.objects.for_org(org).count()
    kinds = set(events.order_by().values_list("target_type", flat=True).distinct())
    assert {
        "org.team",
        "alignment.keyresult",
        "coordination.dependency",
        "rhythm.checkin",
        "rhythm.meeting",
        "decisions.decision",
        "decisions.actionitem",
    } <= kinds
    assert (
        events.filter(verb="value_recorded").count() == KeyResultValue.objects.for_org(org).count()
    )
    for model, target in ((Team, "org.team"), (Dependency, "coordination.dependency")):
        ids = set(
            events.filter(target_type=target, verb="created").values_list("target_id", flat=True)
        )
        assert ids == {str(pk) for pk in model.objects.for_org(org).values_list("pk", flat=True)}
