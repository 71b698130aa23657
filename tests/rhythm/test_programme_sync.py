"""A programme's weekly sync, set up and run by the programme manager (a member who owns
the cross-team initiative): its owner changes it; the New cadence page is refused up front
to whoever may set up nothing; it brings together the teams' leads only; its agenda is the
initiative's requests, decisions and action items; a decision recorded in it has a
decide-by date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import services as decisions
from accord.decisions.models import Decision
from accord.org import services as org_services
from accord.org.models import MembershipRole, Person
from accord.rhythm import agenda, queries, services
from accord.rhythm.models import Cadence, Participation, Scope
from tests.conftest import api_client, login, make_person

SOON = timezone.localdate() + dt.timedelta(days=30)


@dataclass
class Programme:
    """Priya (a member) owns the launch, an initiative of Product, which asks Storefront
    and Fulfilment for their part; each team has a lead and a member. Ops is not in it."""

    priya: Person
    launch: object
    product: object
    storefront: object
    fulfilment: object
    ops: object
    leads: dict
    members: dict
    asked: dict


@pytest.fixture
def programme(cast) -> Programme:
    org = cast.org
    priya = make_person(org, "Priya Pm", "member")
    teams, leads, members = {}, {}, {}
    for name in ("Product", "Storefront", "Fulfilment", "Ops"):
        team = org_services.create_team(org, None, name=name, slug=name.lower(), parent=cast.root)
        teams[name] = team
        leads[name] = make_person(org, f"{name} Lead", "member")
        members[name] = make_person(org, f"{name} Dev", "member")
        org_services.add_membership(
            org, None, person=leads[name], team=team, role=MembershipRole.LEAD
        )
        org_services.add_membership(org, None, person=members[name], team=team)
    org_services.add_membership(org, None, person=priya, team=teams["Product"])
    launch = alignment.create_initiative(
        org, None, team=teams["Product"], title="Spring launch", owner=priya, status="active"
    )
    asked = {
        name: coordination.create_dependency(
            org,
            None,
            requester_initiative=launch,
            provider_team=teams[name],
            title=f"{name} part of the launch",
            need_by=SOON,
        )
        for name in ("Storefront", "Fulfilment")
    }
    return Programme(
        priya,
        launch,
        teams["Product"],
        teams["Storefront"],
        teams["Fulfilment"],
        teams["Ops"],
        leads,
        members,
        asked,
    )


def _sync(cast, p: Programme, actor=None, **overrides) -> Cadence:
    kwargs = {
        "scope": Scope.TEAMS,
        "teams": [p.product, p.storefront, p.fulfilment],
        "name": "Spring launch sync",
        "timezone_name": "Europe/Berlin",
        "owner": p.priya,
        "participation": Participation.LEADS,
        "initiatives": [p.launch],
    }
    kwargs.update(overrides)
    return services.create_cadence_from_template(
        cast.org, actor or p.priya, "weekly-sync", **kwargs
    )


# --- who may set it up and change it ---------------------------------------------------------


def test_the_initiatives_owner_sets_up_its_sync_of_the_teams_leads(cast, programme):
    p = programme
    sync = _sync(cast, p)
    assert sync.owner == p.priya and list(sync.initiatives.all()) == [p.launch]
    people = set(queries.participants_query(cast.org, sync))
    assert people == {p.priya, p.leads["Product"], p.leads["Storefront"], p.leads["Fulfilment"]}


def test_the_initiatives_owner_may_not_invite_everyone_or_teams_beyond_its_requests(
    cast, programme
):
    p = programme
    with pytest.raises(PermissionDenied, match="The teams' leads only"):
        _sync(cast, p, participation=Participation.EVERYONE)
    with pytest.raises(PermissionDenied, match="Ops is neither the team of Spring launch"):
        _sync(cast, p, teams=[p.product, p.storefront, p.ops])
    with pytest.raises(PermissionDenied, match="Only a leader or an admin"):
        _sync(cast, p, initiatives=[])
    with pytest.raises(PermissionDenied, match="Only a leader or an admin"):
        _sync(cast, p, scope=Scope.ORG, teams=[])
    assert not Cadence.objects.filter(name="Spring launch sync").exists()


def test_a_cadence_owner_changes_it_though_a_leader_set_it_up(cast, programme):
    p = programme
    sync = _sync(cast, p, actor=cast.leader, participation=Participation.EVERYONE, initiatives=[])
    assert queries.participants_query(cast.org, sync).count() == 7  # everyone in 3 teams
    # Priya renames it, makes it the launch's sync of the leads only, and moves a meeting.
    services.update_cadence(
        cast.org,
        p.priya,
        sync,
        name="Launch sync",
        participation=Participation.LEADS,
        initiatives=[p.launch],
    )
    sync.refresh_from_db()
    assert sync.name == "Launch sync" and sync.participation == Participation.LEADS
    assert queries.participants_query(cast.org, sync).count() == 4
    occ = queries.next_occurrence(sync, timezone.now())
    services.move_occurrence(
        cast.org, p.priya, sync, occ.original_start, occ.start + dt.timedelta(hours=2)
    )
    page = login(p.priya).get(f"/o/acme/rhythm/cadences/{sync.pk}/edit/")
    assert page.status_code == 200


def test_the_owner_may_not_widen_it_beyond_what_they_could_set_up(cast, programme):
    p = programme
    sync = _sync(cast, p)
    with pytest.raises(PermissionDenied, match="Ops is neither"):
        services.update_cadence(
            cast.org, p.priya, sync, teams=[p.product, p.storefront, p.fulfilment, p.ops]
        )
    with pytest.raises(PermissionDenied, match="The teams' leads only"):
        services.update_cadence(cast.org, p.priya, sync, participation=Participation.EVERYONE)
    sync.refresh_from_db()
    assert sync.teams.count() == 3 and sync.participation == Participation.LEADS
    # Someone else, not its owner, changes nothing of it.
    with pytest.raises(PermissionDenied, match="Only its owner, a leader or an admin"):
        services.update_cadence(cast.org, p.leads["Storefront"], sync, name="Mine now")
    refused = login(p.leads["Storefront"]).get(f"/o/acme/rhythm/cadences/{sync.pk}/edit/")
    assert refused.status_code == 403


def test_the_owners_widening_on_the_edit_page_is_said_on_the_form(cast, programme):
    p = programme
    sync = _sync(cast, p)
    url = f"/o/acme/rhythm/cadences/{sync.pk}/edit/"
    client = login(p.priya)
    form = {
        "name": "Launch sync (typed)",
        "kind": "sync",
        "owner": p.priya.pk,
        "scope": "teams",
        "teams": [p.product.pk, p.storefront.pk, p.fulfilment.pk],
        "participation": "everyone",
        "initiatives": [p.launch.pk],
        "repeat": "custom",
        "rrule": sync.rrule,
        "time": "15:00",
        "duration_minutes": 60,
        "timezone": "Europe/Berlin",
        "start_date": sync.start_date.isoformat(),
        "checkin_owed_by": "everyone",
        "window_opens_hours": 48,
        "late_after_hours": 24,
        "is_active": "on",
        "agenda": "Check-in | none | 5",
        "version": sync.version,
    }
    response = client.post(url, form)
    assert response.status_code == 200
    page = response.content.decode()
    said = "The sync of an initiative you own (Spring launch) has the teams' leads only"
    assert said in page.replace("&#x27;", "'")
    assert 'value="Launch sync (typed)"' in page
    sync.refresh_from_db()
    assert sync.name == "Spring launch sync"
    form["participation"] = "leads"
    assert client.post(url, form).status_code == 302
    sync.refresh_from_db()
    assert sync.name == "Launch sync (typed)"


def test_the_new_cadence_page_is_refused_up_front_to_who_may_set_up_nothing(cast, programme):
    response = login(cast.member).get("/o/acme/rhythm/cadences/new/")
    assert response.status_code == 403
    page = response.content.decode().replace("&#x27;", "'")
    assert "You may not set up cadences in Acme." in page
    assert "an initiative's owner, its sync" in page
    listing = login(cast.member).get("/o/acme/rhythm/cadences/").content.decode()
    assert "/rhythm/cadences/new/" not in listing
    # The launch's owner is offered the form, and its sync is its start.
    offered = login(programme.priya).get(
        f"/o/acme/rhythm/cadences/new/?initiative={programme.launch.pk}"
    )
    assert offered.status_code == 200
    page = offered.content.decode()
    assert 'value="Spring launch sync"' in page
    assert '<option value="leads" selected>' in page


def test_a_shape_the_owner_may_not_set_up_is_said_on_the_form_as_typed(cast, programme):
    p = programme
    response = login(p.priya).post(
        "/o/acme/rhythm/cadences/new/",
        {
            "template": "weekly-sync",
            "name": "Launch sync with everyone",
            "scope": "teams",
            "teams": [p.product.pk, p.storefront.pk],
            "participation": "everyone",
            "initiatives": [p.launch.pk],
            "timezone": "Europe/Berlin",
        },
    )
    assert response.status_code == 200
    page = response.content.decode().replace("&#x27;", "'")
    assert "choose “The teams' leads only”" in page
    assert 'value="Launch sync with everyone"' in page
    assert not Cadence.objects.filter(name="Launch sync with everyone").exists()
    created = login(p.priya).post(
        "/o/acme/rhythm/cadences/new/",
        {
            "template": "weekly-sync",
            "name": "Launch sync",
            "scope": "teams",
            "teams": [p.product.pk, p.storefront.pk],
            "participation": "leads",
            "initiatives": [p.launch.pk],
            "timezone": "Europe/Berlin",
        },
    )
    assert created.status_code == 302
    assert Cadence.objects.get(name="Launch sync").owner == p.priya  # whoever set it up


# --- leads only -------------------------------------------------------------------------------


def test_the_teams_leads_only_take_part_everywhere_it_is_read(cast, programme):
    p = programme
    sync = _sync(cast, p, actor=cast.leader, owner=cast.leader, initiatives=[])
    lead, dev = p.leads["Storefront"], p.members["Storefront"]
    assert queries.is_participant(cast.org, sync, lead)
    assert not queries.is_participant(cast.org, sync, dev)
    roster = queries.Roster.load(cast.org)
    assert lead.pk in roster.participant_ids(sync) and dev.pk not in roster.participant_ids(sync)
    assert sync in queries.person_cadences(cast.org, lead)
    assert sync not in queries.person_cadences(cast.org, dev)
    # The whole organization's leads: every team's, nobody else.
    org_wide = services.create_cadence_from_template(
        cast.org,
        cast.leader,
        "weekly-sync",
        scope=Scope.ORG,
        name="Leads' sync",
        participation=Participation.LEADS,
    )
    people = set(queries.participants_query(cast.org, org_wide))
    assert set(p.leads.values()) <= people and not set(p.members.values()) & people
    assert not queries.is_participant(cast.org, org_wide, dev)
    ctx = agenda.context(cast.org, org_wide, None)
    assert ctx.person_ids is not None and dev.pk not in set(ctx.person_ids)


def test_leads_only_is_refused_for_one_team_and_for_check_ins(cast, programme):
    with pytest.raises(ServiceError, match="for a cadence of several teams"):
        services.create_cadence_from_template(
            cast.org, None, "weekly-sync", team=programme.product, participation="leads"
        )
    with pytest.raises(ServiceError, match="owed by"):
        services.create_cadence_from_template(
            cast.org,
            None,
            "weekly-checkin",
            scope=Scope.TEAMS,
            teams=[programme.product],
            participation="leads",
        )


# --- its agenda ------------------------------------------------------------------------------


def test_its_agenda_is_the_initiatives_requests_decisions_and_action_items(cast, programme):
    org, p = cast.org, programme
    # Fulfilment declines; Storefront accepts with an initiative due after the need-by.
    coordination.transition(
        org, p.leads["Fulfilment"], p.asked["Fulfilment"], "decline", note="Stock lands late."
    )
    store_work = alignment.create_initiative(
        org,
        None,
        team=p.storefront,
        title="Spring landing pages",
        status="active",
        target_date=SOON + dt.timedelta(days=7),
    )
    coordination.transition(
        org,
        p.leads["Storefront"],
        p.asked["Storefront"],
        "accept",
        committed_date=SOON,
        provider_initiative=store_work,
    )
    # Between two of its teams, nothing to do with the launch.
    other = alignment.create_initiative(org, None, team=p.storefront, title="Checkout revamp")
    coordination.create_dependency(
        org,
        None,
        requester_initiative=other,
        provider_team=p.fulfilment,
        title="Unrelated returns flow",
        need_by=SOON,
    )
    about = decisions.create_decision(
        org,
        None,
        "Move the launch a week?",
        p.priya,
        links=[("alignment.initiative", p.launch.pk, "")],
        decide_by=SOON,
    )
    followup = decisions.create_action_item(
        org,
        None,
        "Ask Supply Chain to expedite",
        p.leads["Fulfilment"],
        due_on=SOON,
        source_type="decisions.decision",
        source_id=about.pk,
    )
    # A lead's action item of their own team's, due now: not the launch's business.
    decisions.create_action_item(
        org, None, "Storefront's own chores", p.leads["Storefront"], due_on=timezone.localdate()
    )
    sync = _sync(cast, p)
    built = {s["source"]: s for s in agenda.build(org, sync)}
    assert "dependencies" not in built
    work = built["initiative_work"]
    assert work["title"] == "Spring launch: requests, decisions, action items"
    lines = {i["ref"]: i for i in work["items"]}
    declined = lines[f"dependency:{p.asked['Fulfilment'].pk}"]
    assert "declined: Stock lands late." in declined["detail"] and declined["tone"] == "bad"
    accepted = lines[f"dependency:{p.asked['Storefront'].pk}"]["detail"]
    assert "Spring landing pages: active, target" in accepted
    assert "after it is needed" in accepted
    assert f"decision:{about.pk}" in lines and f"action:{followup.pk}" in lines
    assert "Unrelated returns flow" not in {i["title"] for i in work["items"]}
    chores = [i["title"] for i in built["action_items"]["items"]]
    assert "Storefront's own chores" not in chores
    # The cadence's page names its initiative and says where the section comes from.
    page = login(p.priya).get(f"/o/acme/rhythm/cadences/{sync.pk}/").content.decode()
    assert "Its initiatives" in page and f"/alignment/initiatives/{p.launch.pk}/" in page
    assert "Spring launch: requests, decisions, action items" in page


def test_a_cadence_naming_no_initiative_keeps_its_team_wide_dependencies(cast, programme):
    p = programme
    sync = _sync(cast, p, actor=cast.leader, initiatives=[])
    sources = [s["source"] for s in agenda.build(cast.org, sync)]
    assert "dependencies" in sources and "initiative_work" not in sources


def test_the_initiatives_page_names_its_sync(cast, programme):
    p = programme
    url = f"/o/acme/alignment/initiatives/{p.launch.pk}/"
    before = login(p.priya).get(url).content.decode()
    assert "Set up its sync" in before
    assert f"/o/acme/rhythm/cadences/new/?initiative={p.launch.pk}" in before
    sync = _sync(cast, p)
    page = login(p.leads["Storefront"]).get(url).content.decode()
    assert "Its sync" in page and "Spring launch sync" in page
    assert f"/o/acme/rhythm/cadences/{sync.pk}/" in page


# --- a decision's decide-by in a meeting ------------------------------------------------------


def test_a_decision_recorded_in_a_meeting_has_a_decide_by_date(cast, started_sync):
    client = login(cast.leader)
    by = timezone.localdate() + dt.timedelta(days=5)
    client.post(
        started_sync + "decision/",
        {"question": "Move the launch?", "approver": cast.admin.pk, "decide_by": by.isoformat()},
    )
    assert Decision.objects.get(question="Move the launch?").decide_by == by
    past = timezone.localdate() - dt.timedelta(days=1)
    refused = client.post(
        started_sync + "decision/",
        {"question": "Too late?", "approver": cast.admin.pk, "decide_by": past.isoformat()},
    )
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "Give the decision a decide-by date from today on." in page
    assert "The date is in the past; choose today or later." in page
    assert not Decision.objects.filter(question="Too late?").exists()


def test_the_api_records_a_meetings_decision_with_its_decide_by(cast, rhythm):
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    api = api_client(cast.leader)
    meeting = api.post(
        f"/api/v1/rhythm/cadences/{rhythm.sync.pk}/occurrences/{occ.key}/meeting"
    ).json()
    api.post(f"/api/v1/rhythm/meetings/{meeting['id']}/start?early=true")
    by = timezone.localdate() + dt.timedelta(days=3)
    made = api.post(
        f"/api/v1/rhythm/meetings/{meeting['id']}/decisions",
        {"question": "Ship it?", "approver_id": cast.admin.pk, "decide_by": by.isoformat()},
        content_type="application/json",
    )
    assert made.status_code == 201
    assert Decision.objects.get(pk=made.json()["id"]).decide_by == by


def test_the_api_sets_up_and_reads_its_participants_and_initiatives(cast, programme):
    p = programme
    api = api_client(p.priya)
    body = {
        "template": "weekly-sync",
        "name": "Launch sync",
        "scope": "teams",
        "team_ids": [p.product.pk, p.fulfilment.pk],
        "participation": "leads",
        "initiative_ids": [p.launch.pk],
    }
    made = api.post("/api/v1/rhythm/cadences", body, content_type="application/json")
    assert made.status_code == 201, made.content
    out = made.json()
    assert out["participation"] == "leads" and out["initiative_ids"] == [p.launch.pk]
    refused = api.post(
        "/api/v1/rhythm/cadences",
        {**body, "name": "Everyone", "participation": "everyone"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    changed = api.patch(
        f"/api/v1/rhythm/cadences/{out['id']}",
        {"name": "Launch weekly", "initiative_ids": []},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["initiative_ids"] == [] and changed.json()["name"] == "Launch weekly"


def test_the_owner_may_not_reach_more_people_through_extras_or_who_owes_check_ins(cast, programme):
    p = programme
    ops_dev = p.members["Ops"]
    # Extra participants beyond the teams' leads: a leader's call, on setting up or after.
    with pytest.raises(PermissionDenied, match="Ops Dev as well"):
        _sync(cast, p, extra_participants=[ops_dev])
    sync = _sync(cast, p)
    with pytest.raises(PermissionDenied, match="Ops Dev as well"):
        services.update_cadence(cast.org, p.priya, sync, extra_participants=[ops_dev])
    assert not sync.extra_participants.exists()
    # An organization's check-in a leader gave Priya: who owes it stays the leader's call.
    checkin = services.create_cadence_from_template(
        cast.org,
        cast.leader,
        "weekly-checkin",
        scope=Scope.ORG,
        owner=p.priya,
        checkin_owed_by="leads",
    )
    services.update_cadence(cast.org, p.priya, checkin, name="Leads' check-in")  # hers
    with pytest.raises(PermissionDenied):
        services.update_cadence(cast.org, p.priya, checkin, checkin_owed_by="everyone")
    checkin.refresh_from_db()
    assert checkin.checkin_owed_by == "leads" and checkin.name == "Leads' check-in"


def test_a_dropped_initiatives_owner_sets_up_no_sync(cast, programme):
    p = programme
    alignment.set_initiative_status(cast.org, None, p.launch, "dropped", "Called off")
    p.launch.refresh_from_db()
    with pytest.raises(PermissionDenied, match="Only a leader or an admin"):
        _sync(cast, p)
