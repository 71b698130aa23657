"""Each event carries the team its subject belongs to (`activity.teams`), set where events
are recorded: a team is its own, an objective, initiative, action item, issue, measurable or
membership its `team`'s, a key result its objective's, a check-in or meeting its cadence's,
a headline its meeting's, a dependency the asking team's, a decision or milestone its first
team's, a comment that of what it is on; the organization's own things have none. An event
of what concerns two teams carries the second too: a dependency's providing team (and a
comment on it), the team a move took its subject from. A deleted team's events become its
parent's. Events recorded before (`accord fill-event-teams`) and generated ones (`accord
generate`) get the teams by the same rule."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.activity import services as activity
from accord.activity.models import Event
from accord.activity.teams import fill_event_teams, team_of
from accord.alignment import milestones
from accord.alignment import services as alignment
from accord.conversation import services as conversation
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.org.models import Team
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import services as rhythm


def events_of(obj) -> list[Event]:
    kind = f"{obj._meta.app_label}.{obj._meta.model_name}"
    return list(Event.objects.filter(target_type=kind, target_id=str(obj.pk)).order_by("id"))


def teams_of_events(obj) -> set[int | None]:
    return {e.team_id for e in events_of(obj)}


def other_teams_of_events(obj) -> set[int | None]:
    return {e.other_team_id for e in events_of(obj)}


def _snapshot(org) -> dict[int, tuple[int | None, int | None]]:
    return {
        pk: (team, other)
        for pk, team, other in Event.objects.for_org(org).values_list(
            "pk", "team_id", "other_team_id"
        )
    }


@pytest.fixture
def world(cast):
    """Acme > Engineering > Web, and Acme > Sales; one of everything, made through the
    services (as Accord, `actor` None)."""
    org, lead = cast.org, cast.leader
    eng = org_services.create_team(org, None, name="Engineering", parent=cast.root)
    web = org_services.create_team(org, None, name="Web", parent=eng)
    sales = org_services.create_team(org, None, name="Sales", parent=cast.root)
    today = timezone.localdate()
    period = alignment.create_period(
        org,
        None,
        name="This quarter",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        is_current=True,
    )
    company = alignment.create_objective(
        org, None, title="Company goal", period=period, level="org", owner=cast.admin
    )
    objective = alignment.create_objective(
        org, None, title="Web goal", period=period, team=web, owner=lead
    )
    kr = alignment.create_key_result(org, None, objective, name="Web metric", target=10)
    company_kr = alignment.create_key_result(org, None, company, name="Company metric", target=3)
    initiative = alignment.create_initiative(org, None, team=web, title="Web rollout", owner=lead)
    sales_work = alignment.create_initiative(org, None, team=sales, title="Sales push", owner=lead)
    dependency = coordination.create_dependency(
        org,
        None,
        requester_initiative=initiative,
        provider_team=sales,
        title="Web needs pricing",
        need_by=today + dt.timedelta(days=20),
    )
    decision = decisions.create_decision(
        org, None, "Which vendor?", approver=cast.admin, teams=[sales, web]
    )
    item = decisions.create_action_item(org, None, "Paperwork", lead, team=web)
    issue = decisions.raise_issue(org, None, web, "Outage", raised_by=lead)
    start = today - dt.timedelta(days=15)
    checkins = rhythm.create_cadence_from_template(
        org, None, "weekly-checkin", team=web, start_date=start, owner=lead
    )
    sync = rhythm.create_cadence_from_template(
        org, None, "weekly-sync", team=web, start_date=start, owner=lead, name="Web sync"
    )
    now = timezone.now()
    past = rhythm_queries.occurrences_of(checkins, now - dt.timedelta(days=14), now)
    checkin = rhythm.submit_checkin(
        org,
        None,
        checkins,
        past[-1].original_start,
        person=lead,
        highlights="Shipped",
        now=past[-1].start - dt.timedelta(hours=1),
    )
    occ = rhythm_queries.occurrences_of(sync, now - dt.timedelta(days=14), now)[-1]
    meeting = rhythm.open_meeting(org, None, sync, occ.original_start)
    meeting = rhythm.start_meeting(org, None, meeting, now=occ.start)
    measurable = rhythm.create_measurable(
        org, None, team=web, name="Tickets", goal_rule="at_most", goal_high=5
    )
    milestone = milestones.create_milestone(
        org, None, name="Release", kind="release", date=today + dt.timedelta(days=40), teams=[web]
    )
    comment = conversation.post_comment(org, cast.admin, initiative, "Looks good")
    return {
        "eng": eng,
        "web": web,
        "sales": sales,
        "company": company,
        "company_kr": company_kr,
        "period": period,
        "objective": objective,
        "kr": kr,
        "initiative": initiative,
        "sales_work": sales_work,
        "dependency": dependency,
        "decision": decision,
        "item": item,
        "issue": issue,
        "checkins": checkins,
        "checkin": checkin,
        "meeting": meeting,
        "measurable": measurable,
        "milestone": milestone,
        "comment": comment,
    }


def test_each_kind_of_subject_gives_its_events_its_team(cast, world):
    w = world
    web, sales = w["web"].pk, w["sales"].pk
    assert teams_of_events(w["eng"]) == {w["eng"].pk}  # a team is its own
    assert teams_of_events(w["objective"]) == {web}
    assert teams_of_events(w["kr"]) == {web}  # its objective's
    assert teams_of_events(w["initiative"]) == {web}
    assert teams_of_events(w["sales_work"]) == {sales}
    assert teams_of_events(w["dependency"]) == {web}  # the asking team's, not Sales'
    assert teams_of_events(w["decision"]) == {min(web, sales)}  # its first team
    assert teams_of_events(w["item"]) == {web}
    assert teams_of_events(w["issue"]) == {web}
    assert teams_of_events(w["checkins"]) == {web}  # a cadence of one team
    assert teams_of_events(w["checkin"]) == {web}  # its cadence's
    assert teams_of_events(w["meeting"]) == {web}  # its cadence's
    assert teams_of_events(w["measurable"]) == {web}
    assert teams_of_events(w["milestone"]) == {web}  # its first team
    assert teams_of_events(w["comment"]) == {web}  # that of what it is on
    membership = org_services.add_membership(cast.org, None, person=cast.viewer, team=w["web"])
    assert teams_of_events(membership) == {web}
    # The organization's own things belong to no team.
    assert teams_of_events(w["company"]) == {None}
    assert teams_of_events(w["company_kr"]) == {None}
    assert teams_of_events(w["period"]) == {None}
    assert teams_of_events(cast.viewer) == {None}
    # Only a dependency concerns a second team among them: the providing one.
    assert other_teams_of_events(w["dependency"]) == {sales}
    for kind in ("eng", "objective", "kr", "initiative", "decision", "issue", "comment"):
        assert other_teams_of_events(w[kind]) == {None}, kind


def test_a_dependency_is_the_providing_teams_too_from_request_to_delivery(cast, world):
    w = world
    today = timezone.localdate()
    dep = coordination.transition(
        cast.org,
        None,
        w["dependency"],
        "accept",
        committed_date=today + dt.timedelta(days=15),
        provider_initiative=w["sales_work"],
    )
    dep = coordination.transition(cast.org, None, dep, "confirm_delivery")
    comment = conversation.post_comment(cast.org, cast.admin, dep, "Thanks, Sales")
    verbs = [(e.verb, e.team_id, e.other_team_id) for e in events_of(dep)]
    web, sales = w["web"].pk, w["sales"].pk
    assert verbs == [("created", web, sales), ("accepted", web, sales), ("delivered", web, sales)]
    assert (teams_of_events(comment), other_teams_of_events(comment)) == ({web}, {sales})


def test_a_move_is_the_team_it_left_too(cast, world):
    """An initiative handed to another team, an issue escalated, a team put under another
    parent: the event is where its subject is now, and the team it left."""
    w = world
    alignment.update_initiative(cast.org, None, w["sales_work"], team=w["web"])
    handed = events_of(w["sales_work"])[-1]
    assert (handed.team_id, handed.other_team_id) == (w["web"].pk, w["sales"].pk)
    decisions.escalate_issue(cast.org, None, w["issue"], "Needs Engineering")
    escalated = events_of(w["issue"])[-1]
    assert (escalated.team_id, escalated.other_team_id) == (w["eng"].pk, w["web"].pk)
    org_services.update_team(cast.org, None, w["web"], parent=w["sales"])
    moved = events_of(w["web"])[-1]
    assert (moved.verb, moved.team_id, moved.other_team_id) == (
        "moved",
        w["web"].pk,
        w["eng"].pk,
    )
    renamed = org_services.update_team(cast.org, None, w["web"], name="Website")
    assert events_of(renamed)[-1].other_team_id is None  # nothing moved


def test_a_headline_and_a_cadence_of_a_set_of_teams(cast, world):
    w = world
    headline = rhythm.add_headline(cast.org, None, w["meeting"], "We shipped")
    assert teams_of_events(headline) == {w["web"].pk}  # its meeting's
    review = rhythm.create_cadence(
        cast.org,
        None,
        name="Joint review",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        timezone_name="UTC",
        time=dt.time(10),
        scope="teams",
        teams=[w["sales"], w["web"]],
    )
    assert teams_of_events(review) == {min(w["sales"].pk, w["web"].pk)}


def test_an_escalated_issue_is_the_team_it_sits_at_then(cast, world):
    issue = decisions.escalate_issue(cast.org, None, world["issue"], "Needs Engineering")
    raised, escalated = events_of(issue)
    assert raised.team_id == world["web"].pk
    assert escalated.team_id == world["eng"].pk


def test_a_deleted_teams_events_become_its_parents(cast, world):
    """The department still reads the history of a team it no longer has: the team's own
    events, its members', and those it was the second team of, in one UPDATE; the
    deletion's event says where they went and how many."""
    eng, web = world["eng"], world["web"]
    gone = org_services.create_team(cast.org, None, name="Short-lived", parent=eng)
    org_services.update_team(cast.org, None, gone, description="Soon gone")
    joined = org_services.add_membership(cast.org, None, person=cast.viewer, team=gone)
    # Work handed from it to a team below the parent, and to the parent itself.
    to_web = alignment.create_initiative(cast.org, None, team=gone, title="To Web", owner=None)
    to_eng = alignment.create_initiative(cast.org, None, team=gone, title="To Eng", owner=None)
    alignment.update_initiative(cast.org, None, to_web, team=web)
    alignment.update_initiative(cast.org, None, to_eng, team=eng)
    stayed = _snapshot(cast.org)
    with CaptureQueriesContext(connection) as sql:
        org_services.delete_team(cast.org, cast.admin, gone)
    created, updated, deleted = events_of(gone)
    assert (created.team_id, updated.team_id, deleted.team_id) == (eng.pk, eng.pk, eng.pk)
    assert teams_of_events(joined) == {eng.pk}
    assert [(e.team_id, e.other_team_id) for e in events_of(to_web)] == [
        (eng.pk, None),  # created in the team gone
        (web.pk, eng.pk),  # handed from it to Web: Web's, and the parent's
    ]
    assert [(e.team_id, e.other_team_id) for e in events_of(to_eng)] == [
        (eng.pk, None),
        (eng.pk, None),  # handed to the parent: the parent's alone, never twice
    ]
    assert deleted.after == {"history_moved_to": eng.pk, "events_moved": 7}
    # The rest of the log is untouched, and the events were moved in one statement.
    after = _snapshot(cast.org)
    moved = {pk for pk in stayed if after[pk] != stayed[pk]}
    assert len(moved) == 7
    updates = [q["sql"] for q in sql.captured_queries if q["sql"].startswith("UPDATE")]
    assert len([q for q in updates if '"activity_event"' in q and "CASE" in q]) == 1, updates
    connection.check_constraints()


def test_a_deleted_top_teams_events_become_the_organizations_own(cast, world):
    side = org_services.create_team(cast.org, None, name="Side project")
    org_services.delete_team(cast.org, cast.admin, side)
    created, deleted = events_of(side)
    assert (created.team_id, deleted.team_id) == (None, None)
    assert deleted.after == {"history_moved_to": None, "events_moved": 1}


def test_events_held_back_in_a_batch_go_to_the_parent_of_a_team_deleted_meanwhile(cast, world):
    """An organization file that removes a team records its events in one batch, inserted
    after the team is gone: they go to its parent, as the log's own do."""
    gone = org_services.create_team(cast.org, None, name="Short-lived", parent=world["eng"])
    with transaction.atomic(), activity.batched():
        org_services.update_team(cast.org, None, gone, description="Soon gone")
        org_services.delete_team(cast.org, cast.admin, gone)
    created, updated, deleted = events_of(gone)
    eng = world["eng"].pk
    assert (created.team_id, updated.team_id, deleted.team_id) == (eng, eng, eng)
    connection.check_constraints()  # no event names a team that is not there


def test_a_refused_deletion_in_a_batch_leaves_the_teams_events_its_own(cast, world):
    """A file whose removal of a team is refused (the team still has work) rolls that
    write back: the team's events held in the batch stay the team's."""
    from accord.core.errors import ServiceError

    gone = org_services.create_team(cast.org, None, name="Busy", parent=world["eng"])
    alignment.create_initiative(cast.org, None, team=gone, title="Keeps it", owner=None)
    with transaction.atomic(), activity.batched():
        org_services.update_team(cast.org, None, gone, description="Still here")
        mark = activity.event_mark()
        with pytest.raises(ServiceError), transaction.atomic():
            org_services.delete_team(cast.org, cast.admin, gone)
        activity.discard_events(mark)
    assert teams_of_events(gone) == {gone.pk}


def test_events_held_back_in_a_batch_forget_a_team_gone_otherwise(cast, world):
    """A team gone without `delete_team` (with its organization): the log's events of it
    are cleared (`on_delete`), and so are those a batch still holds."""
    gone = org_services.create_team(cast.org, None, name="Short-lived", parent=world["eng"])
    with transaction.atomic(), activity.batched():
        org_services.update_team(cast.org, None, gone, description="Soon gone")
        Team._base_manager.filter(pk=gone.pk).delete()
    created, updated = events_of(gone)
    assert (created.team_id, updated.team_id) == (None, None)
    connection.check_constraints()


def test_a_caller_may_name_the_team(cast, world):
    with transaction.atomic():
        event = activity.record(cast.org, None, "noted", world["objective"], team=world["sales"])
        none = activity.record(cast.org, None, "noted", world["objective"], team=None)
        by_id = activity.record(cast.org, None, "noted", world["objective"], team=world["eng"].pk)
    assert event.team_id == world["sales"].pk
    assert none.team_id is None
    assert by_id.team_id == world["eng"].pk
    assert team_of(world["objective"]) == world["web"].pk


def test_the_fill_gives_older_events_the_teams_recording_gives_now(cast, world):
    org = cast.org
    conversation.post_comment(org, cast.admin, world["dependency"], "When?")
    recorded = _snapshot(org)
    assert sum(1 for t, _ in recorded.values() if t is not None) > 20
    assert sum(1 for _, o in recorded.values() if o is not None) == 2  # asked, commented on
    # As before events had a team (the log is append-only for the product, not for this).
    Event._base_manager.filter(org=org).update(team=None, other_team=None)
    other = Event._base_manager.filter(org=cast.other_org)
    other_before = _snapshot(cast.other_org)
    given = fill_event_teams(org, batch=7)  # several batches
    assert given == sum(1 for t, o in recorded.values() if t is not None or o is not None)
    assert _snapshot(org) == recorded
    assert _snapshot(cast.other_org) == other_before  # another org untouched
    assert other.exists()
    assert fill_event_teams(org) == 0  # nothing left to do


def test_the_fill_gives_events_that_had_a_team_their_second_team(cast, world):
    """Events recorded while events had a team but no second one (between the two
    versions), or given their team by an earlier fill, get their second team; their team
    stays as it is."""
    org, dependency = cast.org, world["dependency"]
    coordination.transition(
        org,
        None,
        dependency,
        "accept",
        provider_initiative=world["sales_work"],
        committed_date=timezone.localdate() + dt.timedelta(days=15),
    )
    recorded = _snapshot(org)
    Event._base_manager.filter(org=org).update(other_team=None)
    asked = events_of(dependency)[0]
    Event._base_manager.filter(pk=asked.pk).update(team=world["eng"])  # as the log has it
    assert fill_event_teams(org) == 2
    assert _snapshot(org) == recorded | {asked.pk: (world["eng"].pk, world["sales"].pk)}
    assert fill_event_teams(org) == 0


def test_the_fill_gives_a_move_the_team_it_left(cast, world):
    w, org = world, cast.org
    alignment.update_initiative(org, None, w["sales_work"], team=w["web"])
    decisions.escalate_issue(org, None, w["issue"], "Needs Engineering")
    org_services.update_team(org, None, w["web"], parent=w["sales"])
    moves = [events_of(w[name])[-1] for name in ("sales_work", "issue", "web")]
    Event._base_manager.filter(org=org).update(team=None, other_team=None)
    fill_event_teams(org)
    moves = [Event.objects.get(pk=e.pk) for e in moves]
    assert [(e.team_id, e.other_team_id) for e in moves] == [
        (w["web"].pk, w["sales"].pk),
        (w["eng"].pk, w["web"].pk),
        (w["web"].pk, w["eng"].pk),
    ]


def test_an_interrupted_fill_goes_on_where_it_stopped(cast, world):
    org = cast.org
    recorded = _snapshot(org)
    Event._base_manager.filter(org=org).update(team=None, other_team=None)

    def stop(done: int, given: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fill_event_teams(org, batch=10, progress=stop)
    first = _snapshot(org)
    filled = {pk for pk, teams in first.items() if teams != (None, None)}
    assert 0 < len(filled) <= 10  # the first batch was kept
    read: list[int] = []
    fill_event_teams(org, batch=10, progress=lambda done, given: read.append(done))
    assert _snapshot(org) == recorded
    assert read[-1] <= len(recorded) - len(filled)  # what was given is not read again


def test_the_command_fills_every_organization(cast, world):
    from django.core.management import call_command

    Event._base_manager.filter(org__in=[cast.org, cast.other_org]).update(team=None)
    out = io.StringIO()
    call_command("fill_event_teams", "--quiet", stdout=out)
    assert "events given the teams of their subject" in out.getvalue()
    assert Event.objects.filter(org=cast.other_org, team=cast.other_team).exists()
    assert Event.objects.filter(org=cast.org, team=world["web"]).exists()


def test_generated_events_carry_the_team_the_rule_gives(generated):
    """`accord generate` writes its history in bulk, not through `record`: each event's team
    is the one the rule gives now, but for an issue's, which moves up the tree as it is
    escalated (each event is the team it sat at then)."""
    from accord.activity.teams import OTHER_TEAM_FIELDS, _teams_for

    org = generated["small"]
    rows = list(Event.objects.for_org(org).values_list("pk", "target_type", "target_id", "team_id"))
    rule = dict(_teams_for([(pk, kind, target) for pk, kind, target, _ in rows]))
    kinds = {kind for _, kind, _, _ in rows}
    assert {"rhythm.checkin", "decisions.decision", "coordination.dependency"} <= kinds
    wrong = [
        (kind, target, team, rule.get(pk))
        for pk, kind, target, team in rows
        if kind != "decisions.issue" and rule.get(pk) != team
    ]
    assert wrong == []
    with_team = sum(1 for *_, team in rows if team is not None)
    assert (
        with_team
        > 0.9 * len(rows) - Event.objects.filter(org=org, target_type="org.person").count()
    )
    # A dependency's events are its providing team's too, as `record` makes them.
    provided = dict(
        Event.objects.for_org(org)
        .filter(target_type="coordination.dependency")
        .values_list("pk", "other_team_id")
    )
    dependencies = [r for r in rows if r[1] == "coordination.dependency"]
    second = dict(_teams_for([r[:3] for r in dependencies], OTHER_TEAM_FIELDS))
    assert provided == second and None not in provided.values()
