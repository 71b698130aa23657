"""What someone leaves (every kind of open thing they own, counted) and handing all of it to
another person in one go: each change through its app's own service (its rules and its
event), what cannot be handed said with why, the receiver told once with the list."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event, Notification
from accord.alignment import services as alignment
from accord.alignment.models import Initiative, KeyResult, Objective
from accord.coordination import services as coordination
from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem
from accord.org import leaving
from accord.rhythm import services as rhythm
from accord.rhythm.models import Cadence
from tests.conftest import login


@pytest.fixture
def owned(cast):
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
    item = decisions.create_action_item(org, None, "Write the runbook", mia, team=cast.platform)
    cadence = rhythm.create_cadence(
        org,
        None,
        name="Platform weekly",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(9),
        timezone_name="UTC",
        team=cast.platform,
        owner=mia,
        start_date=today,
    )
    return objective, kr, initiative, item, cadence


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
