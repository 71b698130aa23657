"""The other side of a dependency hears of its answers and flags: the requesting team's
leads (and whoever asked) when it is accepted, declined, agreed or delivered; both teams'
leads when either side flags it at risk or blocked, or clears the flag. Each in the inbox
and as an e-mail (unless muted); never the person who acted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from accord import demo
from accord.activity import delivery
from accord.activity.models import Notification
from accord.alignment import services as alignment
from accord.conversation.models import InboxItem
from accord.coordination import services as coordination
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.web.templatetags.dates import day
from tests.conftest import make_person


@pytest.fixture
def asked(world):
    """Acme (led by Ada, who asks) needs an API of Platform (led by Leo and Pia)."""
    org = world.org
    org_services.add_membership(
        org, None, person=world.admin, team=world.root, role=MembershipRole.LEAD
    )
    world.pia = make_person(org, "Pia Colead", Role.MEMBER)
    org_services.add_membership(
        org, None, person=world.pia, team=world.platform, role=MembershipRole.LEAD
    )
    mine = alignment.create_initiative(org=org, actor=None, team=world.root, title="Launch")
    world.work = alignment.create_initiative(
        org=org, actor=None, team=world.platform, title="API work"
    )
    world.dep = coordination.create_dependency(
        org,
        world.admin,
        requester_initiative=mine,
        provider_team=world.platform,
        title="An API for the launch",
        need_by=timezone.localdate() + dt.timedelta(days=14),
    )
    return world


def open_news(person) -> list[str]:
    return list(
        InboxItem.objects.filter(person=person, kind="update", done_at__isnull=True)
        .order_by("id")
        .values_list("title", flat=True)
    )


def mailed(kind: str) -> set[int]:
    return set(
        Notification.objects.filter(kind=kind, channel="email").values_list("person_id", flat=True)
    )


def test_the_requester_hears_that_the_provider_accepted_and_the_acceptor_does_not(asked):
    w = asked
    when = timezone.localdate() + dt.timedelta(days=12)
    coordination.transition(
        w.org, w.leader, w.dep, "accept", provider_initiative=w.work, committed_date=when
    )
    assert open_news(w.admin) == [f"Platform accepts, for {day(when)}: An API for the launch"]
    (item,) = InboxItem.objects.filter(person=w.admin, kind="update")
    assert item.link == f"/o/acme/coordination/d/{w.dep.pk}/" and item.actor == w.leader
    assert open_news(w.leader) == []  # who acted is not told of it
    # Leo and Pia's request is answered: done for both, and no news of their own team's act.
    assert not InboxItem.objects.filter(person__in=[w.leader, w.pia], done_at=None).exists()
    assert mailed("dependency_answered") == {w.admin.pk}


def test_a_decline_reaches_the_requester_with_its_reason(asked):
    w = asked
    coordination.transition(w.org, w.pia, w.dep, "decline", note="No capacity this quarter")
    assert open_news(w.admin) == [
        "Platform declines: An API for the launch. Reason: No capacity this quarter"
    ]
    assert mailed("dependency_answered") == {w.admin.pk}
    body = Notification.objects.get(person=w.admin).body_text
    assert "No capacity this quarter" in body and f"/o/acme/coordination/d/{w.dep.pk}/" in body


def test_the_provider_hears_that_the_requester_agreed_and_confirmed_delivery(asked):
    w = asked
    later = timezone.localdate() + dt.timedelta(days=30)
    dep = coordination.transition(
        w.org, w.leader, w.dep, "propose", proposed_date=later, provider_initiative=w.work
    )
    dep = coordination.transition(w.org, w.admin, dep, "agree")
    title = f"Acme agrees to the proposal, for {day(later)}: An API for the launch"
    assert open_news(w.leader) == open_news(w.pia) == [title]
    assert open_news(w.admin) == []
    coordination.transition(w.org, w.admin, dep, "confirm_delivery", note="Works, thanks")
    done = "Acme confirms the delivery: An API for the launch. Note: Works, thanks"
    assert open_news(w.leader) == open_news(w.pia) == [done]  # the agreement's item is done
    # Ada was asked to answer the proposal by e-mail too; Leo and Pia hear of her answers.
    assert mailed("dependency_answered") == {w.admin.pk, w.leader.pk, w.pia.pk}
    assert not Notification.objects.filter(person=w.admin, subject__contains="Acme").exists()


def test_a_flag_reaches_both_sides_and_a_newer_flag_replaces_it(asked):
    w = asked
    dep = coordination.transition(
        w.org,
        w.leader,
        w.dep,
        "accept",
        provider_initiative=w.work,
        committed_date=timezone.localdate() + dt.timedelta(days=12),
    )
    [accepted] = open_news(w.admin)
    dep = coordination.transition(w.org, w.leader, dep, "flag_blocked", note="Vendor is down")
    blocked = "Leo Leader flags blocked: An API for the launch. Reason: Vendor is down"
    assert open_news(w.admin) == [accepted, blocked]  # the requester, who waits on it
    assert open_news(w.pia) == [blocked]  # the flagger's fellow lead
    assert open_news(w.leader) == []  # not the flagger
    assert mailed("dependency_flagged") == {w.admin.pk, w.pia.pk}
    coordination.transition(w.org, w.admin, dep, "clear_flag")
    cleared = "Ada Admin clears the flag: An API for the launch"
    assert open_news(w.admin) == [accepted]
    assert open_news(w.leader) == open_news(w.pia) == [cleared]


def test_a_muted_kind_sends_no_e_mail_but_still_lands_in_the_inbox(asked):
    w = asked
    delivery.set_preferences(w.org, w.admin, w.admin, muted_kinds=["dependency_flagged"])
    coordination.transition(w.org, w.leader, w.dep, "flag_at_risk", note="Short-staffed")
    assert open_news(w.admin) == [
        "Leo Leader flags at risk: An API for the launch. Reason: Short-staffed"
    ]
    assert mailed("dependency_flagged") == {w.pia.pk}


def test_the_demo_story_fills_inboxes_but_sends_no_e_mail(asked):
    w = asked
    sent = Notification.objects.count()  # the fixture's request, made outside the story
    with transaction.atomic(), demo._dating():
        assert demo.loading()
        coordination.transition(w.org, w.leader, w.dep, "decline", note="Not now")
    assert not demo.loading()
    assert len(open_news(w.admin)) == 1
    assert Notification.objects.count() == sent


def test_a_note_is_said_once_in_the_e_mail_and_the_chat_post(asked, settings):
    """The chat post is the subject then the text: the note belongs to one of them only."""
    w = asked
    settings.OUTBOUND_ALLOW_PRIVATE = True
    delivery.add_chat_webhook(w.org, w.admin, w.root, url="http://127.0.0.1:9/", flavor="slack")
    when = timezone.localdate() + dt.timedelta(days=12)
    coordination.transition(
        w.org,
        w.leader,
        w.dep,
        "accept",
        provider_initiative=w.work,
        committed_date=when,
        note="SAML lands with the initiative",
    )
    assert open_news(w.admin) == [
        f"Platform accepts, for {day(when)}: An API for the launch. "
        "Note: SAML lands with the initiative"
    ]
    post = Notification.objects.get(channel="chat").body_text
    assert post.count("SAML lands") == 1 and "Note: SAML lands with the initiative" in post
    mail = Notification.objects.get(channel="email", person=w.admin)
    assert mail.subject == f"Platform accepts, for {day(when)}: An API for the launch"
    assert mail.body_text.count("SAML lands") == 1


def test_a_proposal_reaches_the_person_who_asked_in_the_inbox_and_by_e_mail(asked):
    """A member who is no lead asks; the provider proposes another date and scope: the
    asker is asked to answer (inbox and e-mail), as the requesting team's leads are; a
    counter-proposal goes to the providing team's leads the same way."""
    w = asked
    priya = make_person(w.org, "Priya Programme", Role.MEMBER)
    org_services.add_membership(w.org, None, person=priya, team=w.root)
    dep = coordination.create_dependency(
        w.org,
        priya,
        requester_initiative=w.dep.requester_initiative,
        provider_team=w.platform,
        title="Catalogue API",
        need_by=timezone.localdate() + dt.timedelta(days=14),
    )
    later = timezone.localdate() + dt.timedelta(days=30)
    dep = coordination.transition(
        w.org,
        w.leader,
        dep,
        "propose",
        proposed_date=later,
        proposed_scope="Read-only first",
        provider_initiative=w.work,
        note="Review takes a week",
    )
    title = "Platform proposes another date or scope: Catalogue API"
    mine = InboxItem.objects.filter(person=priya, done_at__isnull=True)
    assert list(mine.values_list("kind", "title", "link")) == [
        ("request", title, f"/o/acme/coordination/d/{dep.pk}/")
    ]
    mail = Notification.objects.get(person=priya, channel="email")
    assert (mail.kind, mail.subject) == ("dependency_answered", title)
    assert f"Proposed for {day(later)}." in mail.body_text
    assert (
        "Scope: Read-only first" in mail.body_text and "Note: Review takes a week" in mail.body_text
    )
    proposed = set(Notification.objects.filter(subject=title).values_list("person_id", flat=True))
    assert proposed == {priya.pk, w.admin.pk}  # the asker and Acme's lead, not the proposer

    coordination.transition(w.org, priya, dep, "counter", proposed_date=later - dt.timedelta(3))
    assert not mine.exists()  # answered: her question is done
    countered = "Acme counter-proposes: Catalogue API"
    assert set(
        Notification.objects.filter(subject=countered).values_list("person_id", flat=True)
    ) == {w.leader.pk, w.pia.pk}
