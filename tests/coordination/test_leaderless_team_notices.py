"""What is meant for the leads of a team that has no lead yet goes to the leads of the
nearest team above it that has one, else to the organization's admins; and every sentence
that says who was told says whom (a new organization starts with no lead anywhere)."""

from __future__ import annotations

import datetime as dt
import html as htmllib

import pytest
from django.utils import timezone
from freezegun import freeze_time

from accord.activity.models import Notification
from accord.conversation.models import InboxItem
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.core.errors import ServiceError
from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import login, make_person


@pytest.fixture
def tree(world, cast):
    """Engineering (led by Eve) above Infra (Max, a member: no lead) above Pipelines (led
    by Pat)."""
    org = world.org
    eng = org_services.create_team(org, None, name="Engineering", slug="eng", parent=cast.root)
    infra = org_services.create_team(org, None, name="Infra", slug="infra", parent=eng)
    pipes = org_services.create_team(org, None, name="Pipelines", slug="pipes", parent=infra)
    eve = make_person(org, "Eve Engineer", Role.MEMBER)
    maxi = make_person(org, "Max Member", Role.MEMBER)
    pat = make_person(org, "Pat Pipes", Role.MEMBER)
    for person, team, role in (
        (eve, eng, MembershipRole.LEAD),
        (maxi, infra, MembershipRole.MEMBER),
        (pat, pipes, MembershipRole.LEAD),
    ):
        org_services.add_membership(org, None, person=person, team=team, role=role)
    world.eng, world.infra, world.pipes = eng, infra, pipes
    world.eve, world.maxi, world.pat = eve, maxi, pat
    return world


def _ask(client, w, team):
    return client.post(
        "/o/acme/coordination/new/",
        {
            "requester_initiative": w.launch.pk,
            "provider_team": team.pk,
            "title": "Build agents",
            "priority": "medium",
            "need_by": (w.today + dt.timedelta(days=30)).isoformat(),
        },
        follow=True,
    )


def _open(dep, person):
    return InboxItem.objects.filter(
        target_type="coordination.dependency",
        target_id=dep.pk,
        person=person,
        done_at__isnull=True,
    )


def test_a_request_to_a_team_with_no_lead_reaches_the_lead_above_and_says_so(tree):
    w = tree
    client = login(w.asker)
    # Named before it is sent: the form says where it will go.
    form = htmllib.unescape(
        client.get(f"/o/acme/coordination/new/?provider_team={w.infra.pk}").text
    )
    assert "Infra has no lead yet: what is asked of it goes to Engineering's leads." in form
    page = htmllib.unescape(_ask(client, w, w.infra).text)
    assert "Asked Infra: Build agents. Infra has no lead: Engineering's leads were told." in page
    dep = Dependency.objects.get(title="Build agents")
    assert list(_open(dep, w.eve).values_list("kind", "key")) == [
        ("request", f"dependency:{dep.pk}")
    ]
    assert not InboxItem.objects.filter(target_id=dep.pk, person=w.maxi).exists()
    mail = Notification.objects.get(kind="dependency_requested", channel="email")
    assert mail.person == w.eve
    # The page: asked a moment ago, it names who was told, not "its leads".
    assert "its leads were told" not in page
    assert "Infra has no lead: Engineering's leads were told in their inbox" in page
    # A day later the reminder goes to them too, and says so.
    with freeze_time(timezone.now() + dt.timedelta(days=1, minutes=1)):
        detail = htmllib.unescape(client.get(f"/o/acme/coordination/d/{dep.pk}/").text)
        assert "Infra has no lead: each lead of Engineering gets it" in detail
        done = htmllib.unescape(
            client.post(f"/o/acme/coordination/d/{dep.pk}/remind/", follow=True).text
        )
    assert "Reminded Engineering's leads to answer “Build agents”: Infra has no lead." in done
    assert _open(dep, w.eve).filter(key__startswith=f"dependency:{dep.pk}:").count() == 1


def test_with_no_lead_all_the_way_up_the_admins_are_told(world, cast):
    w = world
    # Platform and Acme above it have no lead: Ada, the admin, is told (not Globex's).
    page = htmllib.unescape(_ask(login(w.asker), w, cast.platform).text)
    assert "Asked Platform: Build agents. Platform has no lead: the admins were told." in page
    dep = Dependency.objects.get(title="Build agents")
    assert list(
        InboxItem.objects.filter(
            target_id=dep.pk, target_type="coordination.dependency"
        ).values_list("person_id", flat=True)
    ) == [cast.admin.pk]


def test_nobody_to_remind_when_the_asker_is_the_only_one_who_answers(tree):
    w = tree
    # Analytics, with no lead, is below Sales, which the asker alone leads: a request to
    # it reaches nobody but them.
    team = org_services.create_team(w.org, None, name="Analytics", parent=w.sales)
    dep = w.request(provider_team=team)
    Dependency.objects.filter(pk=dep.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    dep.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        services.check_remind(w.asker, dep)
    assert refused.value.code == "no_lead"
    assert (
        "Nobody to remind: Analytics has no lead and you answer for it (lead of Sales)"
        in refused.value.message
    )


def test_an_issue_escalated_to_a_team_with_no_lead_reaches_the_lead_above(tree):
    w = tree
    issue = decisions.raise_issue(w.org, w.pat, w.pipes, "Runners are slow")
    client = login(w.pat)
    page = htmllib.unescape(
        client.post(
            f"/o/acme/decisions/issues/{issue.pk}/escalate/", {"reason": "Budget"}, follow=True
        ).text
    )
    assert "Escalated to Infra. Infra has no lead: Engineering's leads were told." in page
    items = InboxItem.objects.filter(target_type="decisions.issue", target_id=issue.pk)
    assert list(items.filter(done_at__isnull=True).values_list("person_id", "key")) == [
        (w.eve.pk, f"issue:{issue.pk}:team{w.infra.pk}")
    ]
    # Raised with a team with no lead, its confirmation says who was told.
    page = htmllib.unescape(
        login(w.maxi)
        .post(
            "/o/acme/decisions/issues/new/",
            {"title": "Disks fill up", "team": w.infra.pk, "severity": "medium"},
            follow=True,
        )
        .text
    )
    assert "Issue raised for Infra. Infra has no lead: Engineering's leads were told." in page
    raised = InboxItem.objects.filter(target_type="decisions.issue", title__contains="Disks")
    assert list(raised.values_list("person_id", flat=True)) == [w.eve.pk]


def test_a_request_sent_from_a_team_with_no_lead_to_a_led_one_moves_its_items(tree):
    w = tree
    dep = w.request(provider_team=w.infra)
    assert _open(dep, w.eve).count() == 1
    client = login(w.asker)
    page = htmllib.unescape(
        client.post(
            f"/o/acme/coordination/d/{dep.pk}/edit/",
            {
                "requester_initiative": w.launch.pk,
                "provider_team": w.ops.pk,
                "title": dep.title,
                "priority": dep.priority,
                "need_by": dep.need_by.isoformat(),
                "version": dep.version,
            },
            follow=True,
        ).text
    )
    dep.refresh_from_db()
    assert dep.provider_team == w.ops, page
    # Eve answered for Infra: her request is done, and she is told where it went.
    assert not _open(dep, w.eve).filter(kind="request").exists()
    assert list(_open(dep, w.eve).values_list("kind", flat=True)) == ["update"]
    assert list(_open(dep, w.giver).values_list("kind", flat=True)) == ["request"]
    # And back again: Gil's is done, Eve has the request again.
    services.update_dependency(w.org, w.asker, dep, provider_team=w.infra)
    assert not _open(dep, w.giver).filter(kind="request").exists()
    assert _open(dep, w.eve).filter(kind="request").count() == 1
