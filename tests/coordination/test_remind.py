"""The asking side chases an unanswered request: the person who asked or a lead of the team
asking reminds the team asked (each of its leads: an inbox item and an e-mail, one
`reminded` event), at most once a day per dependency; the page says how long it has gone
unanswered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from freezegun import freeze_time

from accord.activity.models import Event, Notification
from accord.conversation.models import InboxItem
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import services as org_services
from accord.org.models import Role
from accord.web.templatetags.dates import at_moment
from tests.conftest import api_client, login, make_person


@pytest.fixture
def asked(world):
    """Priya, a member of Sales (no lead), asked Operations (led by Gil) six days ago."""
    priya = make_person(world.org, "Priya Programme", Role.MEMBER)
    org_services.add_membership(world.org, None, person=priya, team=world.sales)
    dep = services.create_dependency(
        world.org,
        priya,
        requester_initiative=world.launch,
        provider_team=world.ops,
        title="Spring stock pick-ready",
        need_by=world.today + dt.timedelta(days=30),
    )
    Dependency.objects.filter(pk=dep.pk).update(
        created_at=timezone.now() - dt.timedelta(days=6, hours=1)
    )
    dep.refresh_from_db()
    world.priya, world.dep = priya, dep
    return world


def _reminders(dep):
    return Event.objects.filter(verb="reminded").for_target("coordination.dependency", dep.pk)


def test_the_asker_reminds_the_leads_of_the_team_asked_by_inbox_and_e_mail(asked):
    w = asked
    page = f"/o/{w.org.slug}/coordination/d/{w.dep.pk}/"
    client = login(w.priya)
    html = client.get(page).text
    assert "Unanswered for 6 days" in html
    assert "Remind Operations" in html

    r = client.post(page + "remind/", follow=True)
    assert "Reminded the leads of Operations to answer" in r.text
    [event] = _reminders(w.dep)
    assert (event.actor, event.after) == (w.priya, {"waiting_days": 6})
    title = (
        "Priya Programme reminds Operations: Sales waits for an answer on Spring stock "
        "pick-ready, asked 6 days ago"
    )
    items = InboxItem.objects.filter(target_id=w.dep.pk, key=f"dependency:{w.dep.pk}:{event.pk}")
    assert list(items.values_list("person_id", "kind", "title")) == [(w.giver.pk, "request", title)]
    mail = Notification.objects.get(kind="dependency_reminded", channel="email")
    assert (mail.person, mail.subject) == (w.giver, title)
    assert f"/o/{w.org.slug}/coordination/d/{w.dep.pk}/" in mail.body_text
    # The page now says when the next one can go, instead of offering it.
    html = client.get(page).text
    assert "Remind Operations" not in html
    assert "one reminder a day" in html


def test_a_second_reminder_within_a_day_is_refused_saying_when_the_last_went(asked):
    w = asked
    event = services.remind(w.org, w.priya, w.dep)
    r = api_client(w.asker).post(f"/api/v1/dependencies/{w.dep.pk}/remind")
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "reminded_recently"
    assert error["message"] == (
        f"Operations was reminded {at_moment(event.created_at)} by Priya Programme; one "
        "reminder a day: the next can go "
        f"{at_moment(event.created_at + dt.timedelta(days=1))}."
    )
    assert _reminders(w.dep).count() == 1
    assert Notification.objects.filter(kind="dependency_reminded").count() == 1
    # A day later, a lead of the team asking may send the next.
    with freeze_time(timezone.now() + dt.timedelta(days=1, minutes=1)):
        r = api_client(w.asker).post(f"/api/v1/dependencies/{w.dep.pk}/remind")
    assert r.status_code == 200, r.content
    assert r.json()["waiting_days"] == 7
    assert _reminders(w.dep).count() == 2


def test_only_the_asking_side_reminds_and_only_while_the_answer_is_awaited(asked, cast):
    w = asked
    # The team asked, or anyone else, does not chase its own answer.
    for who in (w.giver, w.bystander, w.viewer):
        with pytest.raises(PermissionDenied):
            services.remind(w.org, who, w.dep)
    url = f"/api/v1/dependencies/{w.dep.pk}/remind"
    assert api_client(w.bystander).post(url).status_code == 403
    page = login(w.giver).get(f"/o/{w.org.slug}/coordination/d/{w.dep.pk}/").text
    assert "Remind Operations" not in page
    services.transition(
        w.org,
        w.giver,
        w.dep,
        "accept",
        provider_initiative=w.warehouse,
        committed_date=w.today + dt.timedelta(days=20),
    )
    with pytest.raises(ServiceError) as refused:
        services.remind(w.org, w.priya, w.dep)
    assert refused.value.code == "not_waiting"
    assert not _reminders(w.dep).exists()
    # Another organization does not find it.
    other = api_client(cast.outsider).post(f"/api/v1/dependencies/{w.dep.pk}/remind")
    assert other.status_code == 404
