"""What someone leaves (every kind of open thing they own, counted) and handing all of it to
another person in one go: each change through its app's own service (its rules and its
event), what cannot be handed said with why, the receiver told once with the list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accord.activity.models import Event, Notification
from accord.alignment import services as alignment
from accord.alignment.models import Initiative, KeyResult, Objective
from accord.api import services as tokens
from accord.api.models import TokenScope
from accord.coordination import services as coordination
from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions.models import ActionItem
from accord.org import leaving, services
from accord.rhythm.models import Cadence
from tests.conftest import api_client, login, make_person


@pytest.fixture
def owned(cast, mias_work):
    """Mia Member owns one of each kind of open work, and asked Platform's neighbour."""
    org, mia = cast.org, cast.member
    today = dt.date.today()
    period = alignment.create_period(
        org,
        None,
        name="This quarter",
        start=today - dt.timedelta(days=10),
        end=today + dt.timedelta(days=80),
        state="active",
        is_current=True,
    )
    objective = alignment.create_objective(
        org, None, title="Faster checkout", period=period, team=cast.platform, owner=mia
    )
    kr = alignment.create_key_result(
        org, None, objective, name="New wholesale accounts signed", target=10, owner=mia
    )
    initiative = alignment.create_initiative(
        org, None, team=cast.platform, title="One-page checkout", owner=mia, status="active"
    )
    return objective, kr, initiative, mias_work.item, mias_work.cadence


def test_what_they_leave_counts_cadences_key_results_and_requests(cast, owned):
    other = cast.root
    asked = alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Needs data", status="active"
    )
    coordination.create_dependency(
        cast.org,
        cast.member,
        requester_initiative=asked,
        provider_team=other,
        title="Nightly export",
        need_by=dt.date.today() + dt.timedelta(days=30),
    )
    leaves = {x.label: (x.count, x.names) for x in leaving.person_leaves(cast.org, cast.member)}
    assert leaves["key result they own"] == (1, ["New wholesale accounts signed"])
    assert leaves["active cadence they own"] == (1, ["Platform weekly"])
    assert leaves["open request they asked of another team"] == (1, ["Nightly export"])


def test_all_of_it_is_handed_on_with_an_event_each_and_one_notice(cast, owned):
    objective, kr, initiative, item, cadence = owned
    done = leaving.hand_over(cast.org, cast.admin, cast.member, cast.leader)
    assert done.refused == []
    assert done.handed == [
        ("open action item", ["Write the runbook"]),
        ("open objective", ["Faster checkout"]),
        ("key result they own", ["New wholesale accounts signed"]),
        ("open initiative", ["One-page checkout"]),
        ("active cadence they own", ["Platform weekly"]),
    ]
    for model, obj in (
        (Objective, objective),
        (KeyResult, kr),
        (Initiative, initiative),
        (ActionItem, item),
        (Cadence, cadence),
    ):
        assert model.objects.get(pk=obj.pk).owner == cast.leader
        assert Event.objects.filter(
            target_type=model._meta.label_lower, target_id=str(obj.pk), actor=cast.admin
        ).exists()
    notices = Notification.objects.filter(person=cast.leader, kind="work_handed_to_you")
    assert notices.count() == 1
    # The one summary tells them: not an e-mail more per action item given on the way.
    assert not Notification.objects.filter(person=cast.leader, kind="action_assigned").exists()
    text = notices.get().body_text
    assert notices.get().link.startswith("http")  # an e-mail's link works outside Accord
    assert "Ada Admin handed you what Mia Member owned:" in text
    assert "- 1 key result they own: New wholesale accounts signed" in text
    assert "- 1 active cadence they own: Platform weekly" in text


def test_what_the_receiver_may_not_own_stays_and_is_said(cast, owned):
    *_, cadence = owned
    done = leaving.hand_over(cast.org, cast.admin, cast.member, cast.viewer)
    refused = dict(done.refused)
    assert "Platform weekly" in refused  # a viewer owns no cadence
    assert Cadence.objects.get(pk=cadence.pk).owner == cast.member
    for _label, names in done.handed:
        assert "Platform weekly" not in names


def test_only_leaders_and_admins_hand_work_on_and_not_to_the_same_person(cast, owned):
    with pytest.raises(PermissionDenied):
        leaving.hand_over(cast.org, cast.member, cast.member, cast.leader)
    with pytest.raises(ServiceError, match="Choose someone other than Mia Member"):
        leaving.hand_over(cast.org, cast.admin, cast.member, cast.member)


def test_the_handover_page_hands_it_on_and_says_what_went(cast, owned):
    client = login(cast.leader)
    page = client.get(f"/o/acme/people/{cast.member.pk}/handover/").content.decode()
    assert "Hand all of it to" in page
    assert "1 key result they own" in page
    answer = client.post(
        f"/o/acme/people/{cast.member.pk}/handover/", {"to": cast.admin.pk}, follow=True
    )
    assert "Handed to Ada Admin: 1 open action item; 1 open objective;" in answer.content.decode()
    assert ActionItem.objects.get(pk=owned[3].pk).owner == cast.admin
    assert login(cast.member).get(f"/o/acme/people/{cast.member.pk}/handover/").status_code == 403


def _hand_over(person, whose, body):
    return api_client(person).post(
        f"/api/v1/people/{whose.pk}/handover", body, content_type="application/json"
    )


def test_the_api_hands_it_on_as_the_page_does(cast, owned):
    objective, kr, initiative, item, cadence = owned
    # A viewer may own none of it: all of it stays, each said with why.
    answer = _hand_over(cast.leader, cast.member, {"to_id": cast.viewer.pk})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["count"] == 0 and body["handed"] == []
    not_handed = {row["name"]: row["reason"] for row in body["not_handed"]}
    assert "Platform weekly" in not_handed and all(not_handed.values())
    assert ActionItem.objects.get(pk=item.pk).owner == cast.member

    answer = _hand_over(cast.leader, cast.member, {"to_id": cast.admin.pk})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["person_id"] == cast.member.pk and body["to_id"] == cast.admin.pk
    assert body["count"] == 5 and body["not_handed"] == []
    assert [(h["kind"], h["label"], h["ids"], h["names"]) for h in body["handed"]] == [
        ("action_item", "1 open action item", [item.pk], ["Write the runbook"]),
        ("objective", "1 open objective", [objective.pk], ["Faster checkout"]),
        ("key_result", "1 key result they own", [kr.pk], ["New wholesale accounts signed"]),
        ("initiative", "1 open initiative", [initiative.pk], ["One-page checkout"]),
        ("cadence", "1 active cadence they own", [cadence.pk], ["Platform weekly"]),
    ]
    for model, obj in ((ActionItem, item), (Objective, objective), (Cadence, cadence)):
        assert model.objects.get(pk=obj.pk).owner == cast.admin
        assert Event.objects.filter(
            target_type=model._meta.label_lower, target_id=str(obj.pk), actor=cast.leader
        ).exists()
    assert Notification.objects.filter(person=cast.admin, kind="work_handed_to_you").count() == 1


def test_the_api_refuses_bad_input_and_changes_nothing(cast, owned):
    item = owned[3]
    gone = make_person(cast.org, "Gus Gone", "member")
    services.update_person(cast.org, cast.admin, gone, is_active=False)
    for body, why in (
        ({"to_id": 999999}, "No person with id 999999"),
        ({"to_id": cast.outsider.pk}, f"No person with id {cast.outsider.pk}"),  # Globex's
        ({"to_id": cast.member.pk}, "Choose someone other than Mia Member"),
        ({"to_id": gone.pk}, "Gus Gone is deactivated"),
    ):
        answer = _hand_over(cast.admin, cast.member, body)
        assert answer.status_code == 422, (body, answer.content)
        error = answer.json()["error"]
        assert why in error["message"] and "to_id" in error["fields"], error
    for body in ({}, {"to_id": "Leo"}, {"to": cast.leader.pk}):
        answer = _hand_over(cast.admin, cast.member, body)
        assert answer.status_code == 422, (body, answer.content)
    # Someone of another organization, or nobody, is not found; a member may not.
    assert _hand_over(cast.admin, cast.outsider, {"to_id": cast.leader.pk}).status_code == 404
    nobody = api_client(cast.admin).post(
        "/api/v1/people/999999/handover", {"to_id": cast.leader.pk}, content_type="application/json"
    )
    assert nobody.status_code == 404
    refused = _hand_over(cast.member, cast.member, {"to_id": 999999})
    assert refused.status_code == 403  # the right first, whatever the body
    assert "Leader role" in refused.json()["error"]["message"]
    _, raw = tokens.create_token(cast.org, cast.admin, "reader", scope=TokenScope.READ)
    read_only = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        f"/api/v1/people/{cast.member.pk}/handover",
        {"to_id": cast.leader.pk},
        content_type="application/json",
    )
    assert read_only.status_code == 403
    # An agent, whatever its role, hands no one's work on: a person decides who takes it.
    bot = services.add_agent(cast.org, cast.admin, name="Ops bot", owner=cast.admin, role="leader")
    _, raw = tokens.create_token(cast.org, bot, "ops", scope=TokenScope.MEMBER, actor=cast.admin)
    by_agent = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        f"/api/v1/people/{cast.member.pk}/handover",
        {"to_id": cast.leader.pk},
        content_type="application/json",
    )
    assert by_agent.status_code == 403 and "agent" in by_agent.json()["error"]["message"]
    assert ActionItem.objects.get(pk=item.pk).owner == cast.member
    assert not Notification.objects.filter(kind="work_handed_to_you").exists()


def test_undecided_decisions_they_approve_or_drive_go_to_the_successor(cast, owned):
    from accord.decisions import services as decisions
    from accord.decisions.models import Decision

    org, mia = cast.org, cast.member
    approve = decisions.create_decision(org, cast.admin, "Which region first?", mia)
    drive = decisions.create_decision(
        org, cast.admin, "Buy or build the queue?", cast.admin, driver=mia
    )
    proposed = decisions.create_decision(org, cast.admin, "Freeze the API?", mia, driver=mia)
    decisions.propose(org, mia, proposed, "Freeze it for a quarter")
    decided = decisions.create_decision(org, cast.admin, "Keep Fridays free?", mia, driver=mia)
    decisions.decide(org, mia, decided, "Yes", rationale="Focus time matters.")

    done = leaving.hand_over(org, cast.admin, mia, cast.leader)

    handed = dict(done.handed)
    assert handed["undecided decisions they approve"] == ["Freeze the API?", "Which region first?"]
    assert handed["undecided decisions they drive"] == [
        "Buy or build the queue?",
        "Freeze the API?",
    ]
    assert Decision.objects.get(pk=approve.pk).approver == cast.leader
    assert Decision.objects.get(pk=drive.pk).driver == cast.leader
    both = Decision.objects.get(pk=proposed.pk)
    assert (both.approver, both.driver, both.status) == (cast.leader, cast.leader, "proposed")
    settled = Decision.objects.get(pk=decided.pk)  # decided: its record stays as it was
    assert (settled.approver, settled.driver) == (mia, mia)
    for d in (approve, drive, proposed):
        assert Event.objects.filter(
            target_type="decisions.decision", target_id=str(d.pk), verb="updated", actor=cast.admin
        ).exists()
    text = Notification.objects.get(person=cast.leader, kind="work_handed_to_you").body_text
    assert "- 2 undecided decisions they approve: Freeze the API?, Which region first?" in text
    assert "- 2 undecided decisions they drive: Buy or build the queue?, Freeze the API?" in text
    # What stays to hand on is none of these (the page's list comes from the same place).
    left = {x.label for x in leaving.person_leaves(org, mia)}
    assert not left & {"undecided decision they approve", "undecided decisions they approve"}


def _lead(cast, person, team, role="lead"):
    from accord.org.models import Membership

    term = Membership.objects.filter(person=person, team=team).first()
    if term is None:
        return services.add_membership(
            cast.org, None, person=person, team=team, role=role, allocation=None
        )
    return services.update_membership(cast.org, None, term, role=role)


def test_the_successor_becomes_a_lead_of_the_teams_they_lead(cast, owned):
    from accord.org.models import Membership

    _lead(cast, cast.member, cast.platform, "co-lead")
    done = leaving.hand_over(cast.org, cast.admin, cast.member, cast.leader)
    assert done.handed[0] == ("team they lead", ["Platform"])
    assert ("team_lead", [cast.platform.pk]) in done.handed_ids
    term = Membership.objects.get(person=cast.leader, team=cast.platform)
    # In the role the leaver held, with a share of time for the team to set.
    assert (term.role, term.allocation) == ("co-lead", None)
    assert Event.objects.filter(
        target_type="org.membership", target_id=str(term.pk), verb="created", actor=cast.admin
    ).exists()
    text = Notification.objects.get(person=cast.leader, kind="work_handed_to_you").body_text
    assert "- 1 team they lead: Platform" in text


def test_a_member_of_the_team_is_made_its_lead_keeping_their_share(cast, owned):
    from accord.org.models import Membership

    services.add_membership(cast.org, None, person=cast.leader, team=cast.platform, allocation=40)
    _lead(cast, cast.member, cast.platform)
    leaving.hand_over(cast.org, cast.admin, cast.member, cast.leader)
    term = Membership.objects.get(person=cast.leader, team=cast.platform)
    assert (term.role, term.allocation) == ("lead", 40)


def test_after_they_left_their_teams_without_a_lead_get_the_successor_as_lead(cast, owned):
    from accord.org.models import Membership

    led_before = services.create_team(cast.org, None, name="Billing", slug="billing")
    old = _lead(cast, cast.member, led_before)
    services.end_term(cast.org, None, old, on=dt.date.today() - dt.timedelta(days=30))
    _lead(cast, cast.member, cast.platform)
    other = services.create_team(cast.org, None, name="Search", slug="search")
    _lead(cast, cast.member, other)
    mia = services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    _lead(cast, cast.admin, other)  # Search has had a lead since
    assert not Membership.objects.filter(team=cast.platform).leading().exists()
    left = {x.label: x.names for x in leaving.person_leaves(cast.org, mia)}
    assert left["team they led, without a lead since"] == ["Platform"]

    done = leaving.hand_over(cast.org, cast.admin, mia, cast.leader)
    assert done.handed[0] == ("team they led, without a lead since", ["Platform"])
    assert Membership.objects.get(team=cast.platform, person=cast.leader).role == "lead"
    assert not Membership.objects.filter(team=led_before).exists()  # led long ago: not theirs
    assert not Membership.objects.filter(team=other, person=cast.leader).exists()


def test_a_viewer_leads_no_team_and_it_stays_without_one(cast, owned):
    from accord.org.models import Membership

    _lead(cast, cast.member, cast.platform)
    mia = services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    done = leaving.hand_over(cast.org, cast.admin, mia, cast.viewer)
    assert "cannot lead a team" in dict(done.refused)["Platform"]
    assert not Membership.objects.filter(team=cast.platform).leading().exists()


def test_a_team_the_successor_leads_already_is_said_not_handed(cast, owned):
    _lead(cast, cast.member, cast.platform)
    _lead(cast, cast.leader, cast.platform, "co-lead")
    done = leaving.hand_over(cast.org, cast.admin, cast.member, cast.leader)
    assert "team they lead" not in [label for label, _ in done.handed]
    assert dict(done.refused)["Platform"] == f"{cast.leader.name} already leads Platform."
