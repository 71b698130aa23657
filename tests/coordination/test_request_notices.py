"""A new request reaches the team asked at once: each of its leads by inbox item and
e-mail (kind `dependency_requested`, which they can mute on their settings page) and the
team's chat by a post; the asker is not told of their own request. A reminder chases an
answer the team has had a day to give, so none goes within a day of the request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import Event, Notification
from accord.conversation.models import InboxItem
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.core.errors import ServiceError
from accord.web.templatetags.dates import at_moment, day
from tests.conftest import api_client, login
from tests.rhythm.servers import good_hook  # noqa: F401 (fixture)


def test_a_new_request_is_mailed_to_the_leads_asked_and_posted_to_their_chat(
    world,
    good_hook,  # noqa: F811
):
    w = world
    delivery.add_chat_webhook(w.org, None, w.ops, url=good_hook.url, flavor="slack")
    need_by = w.today + dt.timedelta(days=30)
    dep = w.request(priority="high", description="Pallets for the **spring** range.")
    subject = (
        "High priority · Sales asks Operations: Stock for the spring launch "
        f"(needed by {day(need_by)})"
    )

    mail = Notification.objects.get(kind="dependency_requested", channel="email")
    assert (mail.person, mail.subject) == (w.giver, subject)
    assert "Pallets for the **spring** range." in mail.body_text
    assert f"/o/{w.org.slug}/coordination/d/{dep.pk}/" in mail.body_text
    chat = Notification.objects.get(kind="dependency_requested", channel="chat")
    assert (chat.webhook.team, chat.subject) == (w.ops, subject)
    # The inbox item is there as before; the asker hears nothing of their own request.
    assert InboxItem.objects.filter(person=w.giver, key=f"dependency:{dep.pk}").exists()
    assert not Notification.objects.filter(person=w.asker).exists()


def test_a_lead_who_muted_new_requests_gets_no_e_mail_of_one(world):
    w = world
    page = login(w.giver).get(f"/o/{w.org.slug}/rhythm/settings/").text
    assert "Another team asks yours for something (a new dependency request)" in page
    delivery.set_preferences(w.org, w.giver, w.giver, muted_kinds=["dependency_requested"])
    dep = w.request()
    assert InboxItem.objects.filter(person=w.giver, key=f"dependency:{dep.pk}").exists()
    assert not Notification.objects.filter(kind="dependency_requested").exists()


def test_no_reminder_within_a_day_of_the_request(world):
    w = world
    dep = w.request()
    page = f"/o/{w.org.slug}/coordination/d/{dep.pk}/"
    ready = at_moment(dep.created_at + dt.timedelta(days=1))
    why = (
        f"Operations was asked {at_moment(dep.created_at)}, and its leads were told in their "
        f"inbox and by e-mail, as each chose; a reminder can go a day after they were asked: "
        f"{ready}."
    )
    with pytest.raises(ServiceError) as refused:
        services.remind(w.org, w.asker, dep)
    assert (refused.value.code, refused.value.message) == ("asked_recently", why)
    r = api_client(w.asker).post(f"/api/v1/dependencies/{dep.pk}/remind")
    assert r.status_code == 422, r.content
    assert r.json()["error"]["code"] == "asked_recently"
    html = login(w.asker).get(page).text
    assert "Remind Operations" not in html
    assert "a reminder can go a day after they were asked" in html
    assert not Event.objects.filter(verb="reminded").exists()
    assert not Notification.objects.filter(kind="dependency_reminded").exists()
    # A day on, the asker may chase the answer.
    Dependency.objects.filter(pk=dep.pk).update(
        created_at=timezone.now() - dt.timedelta(days=1, minutes=1)
    )
    dep.refresh_from_db()
    assert "Remind Operations" in login(w.asker).get(page).text
    services.remind(w.org, w.asker, dep)
    assert Notification.objects.filter(kind="dependency_reminded", person=w.giver).exists()
