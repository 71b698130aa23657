"""A request now asked of another team (its asker re-routes it, or the initiative that is
to deliver it moves) reaches that team as a new request does: each of its leads by e-mail
(kind `dependency_requested`, saying it is theirs now) and its chat by a post. A reminder
can go a day after the team now asked was asked, not a day after the request was made,
and the refusal says how its leads were told (by e-mail only where e-mail is set up)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Event, Notification
from accord.alignment import services as alignment
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.core.errors import ServiceError
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from accord.web.templatetags.dates import at_moment, day
from tests.conftest import at, make_person
from tests.rhythm.servers import good_hook  # noqa: F401 (fixture)


@pytest.fixture
def retail(world):
    """A third team, led by Rita, which the request may go to instead."""
    team = org_services.create_team(world.org, None, name="Retail", slug="retail")
    rita = make_person(world.org, "Rita Retail", Role.MEMBER)
    org_services.add_membership(
        world.org, None, person=rita, team=team, role=MembershipRole.LEAD, allocation=100
    )
    team.lead = rita
    return team


def _requested(kind="dependency_requested"):
    return Notification.objects.filter(kind=kind)


def test_a_request_sent_to_another_team_is_mailed_to_its_leads_and_posted_to_its_chat(
    world,
    retail,
    good_hook,  # noqa: F811
):
    delivery.add_chat_webhook(world.org, None, retail, url=good_hook.url, flavor="slack")
    dep = world.request(priority="high", description="Pallets for the spring range.")
    _requested().delete()  # the new request's, to Operations
    services.update_dependency(world.org, world.asker, dep, provider_team=retail)
    subject = (
        "High priority · Sales asks Retail now, instead of Operations: "
        f"Stock for the spring launch (needed by {day(dep.need_by)})"
    )
    mail = _requested().get(channel="email")
    assert (mail.person, mail.subject) == (retail.lead, subject)
    assert "Pallets for the spring range." in mail.body_text
    assert f"/o/{world.org.slug}/coordination/d/{dep.pk}/" in mail.body_text
    chat = _requested().get(channel="chat")
    assert (chat.webhook.team, chat.subject) == (retail, subject)
    assert not Notification.objects.filter(person=world.asker).exists()


def test_a_counter_proposal_whose_initiative_moves_is_mailed_to_the_new_team(world, retail):
    dep = services.transition(
        world.org,
        world.giver,
        world.request(title="Racks"),
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=world.today + dt.timedelta(days=40),
    )
    services.transition(
        world.org, world.asker, dep, "counter", proposed_date=world.today + dt.timedelta(days=35)
    )
    _requested().delete()  # the request's, to Operations
    alignment.update_initiative(world.org, None, world.warehouse, team=retail)
    mail = _requested().get(channel="email")
    assert mail.person == retail.lead
    assert mail.subject == "Sales counter-proposes to Retail now, instead of Operations: Racks"
    assert f"Proposed for {day(world.today + dt.timedelta(days=35))}." in mail.body_text
    assert "New warehouse moved from Operations to Retail" in mail.body_text


def test_a_reminder_waits_a_day_from_when_the_team_now_asked_was_asked(world, retail):
    dep = world.request()
    made = timezone.now() - dt.timedelta(days=3)
    Dependency.objects.filter(pk=dep.pk).update(created_at=made)
    dep.refresh_from_db()
    services.update_dependency(world.org, world.asker, dep, provider_team=retail)
    dep.refresh_from_db()
    moved = Event.objects.filter(verb="updated").for_target("coordination.dependency", dep.pk)
    (event,) = moved
    with pytest.raises(ServiceError) as refused:
        services.remind(world.org, world.asker, dep)
    assert refused.value.code == "asked_recently"
    assert refused.value.message == (
        f"Retail was asked {at_moment(event.created_at)}, and its leads were told in their "
        "inbox and by e-mail, as each chose; a reminder can go a day after they were asked: "
        f"{at_moment(event.created_at + dt.timedelta(days=1))}."
    )
    # Without e-mail set up, it says the inbox only.
    dummy = "django.core.mail.backends.dummy.EmailBackend"
    with override_settings(EMAIL_BACKEND=dummy), pytest.raises(ServiceError) as refused:
        services.remind(world.org, world.asker, dep)
    assert "its leads were told in their inbox; a reminder" in refused.value.message
    # A day after the move, the asker may chase Retail's answer.
    with at(event.created_at + dt.timedelta(days=1, minutes=1)):
        services.remind(world.org, world.asker, dep)
    assert _requested("dependency_reminded").filter(person=retail.lead).exists()
