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
