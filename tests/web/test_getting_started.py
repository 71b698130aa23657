"""Home's "Getting started" card: an admin who signs in to a new, empty organization is
shown the steps that set it up, each done or not and linked to the page that does it; the
steps turn done as the organization fills, and the card goes when all are done, when an
admin hides it, or once the organization is past its first months. Nobody else sees it."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord import demo
from accord.activity.models import ChatWebhook, Event
from accord.alignment import services as alignment
from accord.org import services
from accord.org.models import Organization, Person, Role
from accord.rhythm import services as rhythm
from accord.web import getting_started
from tests.conftest import login, make_person
from tests.web.test_background_notice import worker_ticked

CARD = 'data-testid="getting-started"'
STEPS = ["timezone", "teams", "people", "leads", "objectives", "cadence", "messages", "worker"]


@pytest.fixture
def newco(db):
    """A new organization as `accord createadmin --create-org` leaves it: one admin."""
    org = services.create_organization("Newco", "newco")
    return org, make_person(org, "Nora Newadmin", Role.ADMIN)


def home(person) -> str:
    response = login(person).get(f"/o/{person.org.slug}/")
    assert response.status_code == 200
    return response.content.decode()


def step_states(html: str) -> dict[str, str]:
    """Each step of the card: "Done" or "To do"."""
    card = re.search(r'data-testid="getting-started".*?</section>', html, re.S)
    assert card, "no getting-started card"
    found = re.findall(r'data-step="([a-z]+)">\s*<span class="tag [^"]*">([^<]+)</span>', card[0])
    return dict(found)


def test_an_admin_of_a_new_empty_organization_is_shown_every_step_to_do(newco):
    _org, admin = newco
    html = home(admin)
    assert CARD in html
    assert step_states(html) == dict.fromkeys(STEPS, "To do")
    assert "0 of 8 steps done" in html
    # Each step links to the page that does it.
    for href in (
        "/o/newco/settings/organization/",
        "/o/newco/teams/new/",
        "/o/newco/interchange/",
        "/o/newco/people/new/",
        "/o/newco/alignment/periods/",
        "/o/newco/alignment/objectives/new/",
        "/o/newco/rhythm/cadences/new/",
    ):
        assert f'href="{href}"' in html, href
    assert "<code>accord worker</code>" in html


def test_the_steps_turn_done_as_the_organization_fills_and_the_card_goes(newco):
    org, admin = newco
    team = services.create_team(org, admin, name="Platform")
    assert step_states(home(admin))["teams"] == "Done"
    colleague = make_person(org, "Carl Colleague", Role.MEMBER)
    services.add_membership(org, admin, person=colleague, team=team, allocation=50)
    states = step_states(home(admin))
    assert states["people"] == "Done" and states["objectives"] == "To do"
    assert states["leads"] == "To do"
    services.add_membership(org, admin, person=admin, team=team, role="lead", allocation=50)
    services.set_organization_timezone(org, admin, "Europe/Berlin")
    states = step_states(home(admin))
    assert states["leads"] == "Done" and states["timezone"] == "Done"
    # The chat step links to a team's Rhythm page, where a chat webhook is added.
    assert 'href="/o/newco/rhythm/teams/platform/"' in home(admin)

    period = alignment.create_period(
        org, admin, name="Q1", start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31)
    )
    html = home(admin)
    assert 'href="/o/newco/alignment/periods/"' not in html  # a period is set
    assert step_states(html)["objectives"] == "To do"
    alignment.create_objective(org, admin, title="Ship it", period=period, team=team)
    assert step_states(home(admin))["objectives"] == "Done"

    rhythm.create_cadence(
        org, admin, name="Weekly sync", rrule="FREQ=WEEKLY;BYDAY=MO", timezone_name="UTC",
        time=dt.time(10, 0), team=team, start_date=dt.date(2027, 1, 4),
    )  # fmt: skip
    assert step_states(home(admin))["cadence"] == "Done"
    ChatWebhook.objects.create(
        org=org, team=team, url="https://hooks.example.com/x", flavor="slack"
    )
    states = step_states(home(admin))
    assert states["messages"] == "Done" and states["worker"] == "To do"
    assert "7 of 8 steps done" in home(admin)

    worker_ticked(time.time())
    assert CARD not in home(admin)  # every step done


def test_a_stopped_worker_is_a_step_to_do(newco):
    _org, admin = newco
    worker_ticked(time.time() - 3600)  # an hour ago, and nothing since
    assert step_states(home(admin))["worker"] == "To do"
    worker_ticked(time.time())
    assert step_states(home(admin))["worker"] == "Done"


def test_nobody_but_an_admin_sees_it(newco):
    org, admin = newco
    for role in (Role.LEADER, Role.MEMBER, Role.VIEWER):
        person = make_person(org, f"Someone {role}", role)
        assert CARD not in home(person), role
        # Nor may they hide it.
        response = login(person).post("/o/newco/getting-started/hide/")
        assert response.status_code == 403, role
    assert not Event.objects.filter(org=org, verb=getting_started.HIDDEN).exists()
    assert CARD in home(admin)


def test_an_admin_hides_it_for_every_admin_and_settings_bring_it_back(newco):
    org, admin = newco
    other_admin = make_person(org, "Olga Otheradmin", Role.ADMIN)
    client = login(admin)
    response = client.post("/o/newco/getting-started/hide/")
    assert response.status_code == 302 and response["Location"] == "/o/newco/"
    assert CARD not in home(admin) and CARD not in home(other_admin)
    hidden = Event.objects.filter(org=org, verb=getting_started.HIDDEN)
    assert [e.actor_id for e in hidden] == [admin.pk]
    client.post("/o/newco/getting-started/hide/")  # again: nothing more recorded
    assert hidden.count() == 1

    settings_page = client.get("/o/newco/settings/organization/").content.decode()
    assert "The getting-started guide is hidden from home." in settings_page
    client.post("/o/newco/getting-started/show/")
    assert CARD in home(other_admin)


def test_an_established_organization_is_not_shown_it(newco):
    org, admin = newco
    days = getting_started.YOUNG_DAYS
    Organization.objects.filter(pk=org.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days - 1)
    )
    assert CARD in home(Person.objects.get(pk=admin.pk))  # still in its first months
    Organization.objects.filter(pk=org.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days + 1)
    )
    assert CARD not in home(Person.objects.get(pk=admin.pk))


def test_the_demo_is_not_a_new_organization(db):
    """Northwind's story is 26 weeks old: nobody there is shown the guide, its admin
    neither, though its worker and chat are not set up."""
    org = demo.load()
    assert timezone.now() - org.created_at > dt.timedelta(weeks=25)
    for role in (Role.ADMIN, Role.MEMBER):
        person = Person.objects.filter(org=org, role=role, user__isnull=False).first()
        assert CARD not in home(person), role


def test_the_card_reads_a_few_rows_whatever_the_organization_holds(newco):
    """The card asks the same few questions (each an exists(), nothing counted) of an
    organization of one team as of one of thirty, with thirty more people."""
    from accord.org.queries import headcount

    org, admin = newco

    def card_queries() -> list[str]:
        counts = headcount(org)
        with CaptureQueriesContext(connection) as ctx:
            assert getting_started.card(org, admin, counts) is not None
        return [q["sql"] for q in ctx.captured_queries]

    team = services.create_team(org, admin, name="Platform")
    make_person(org, "Person first", Role.MEMBER)
    small = card_queries()
    for n in range(30):
        services.create_team(org, admin, name=f"Team {n}", parent=team)
        make_person(org, f"Person {n}", Role.MEMBER)
    large = card_queries()
    assert len(small) == len(large) <= 10, (small, large)
    assert not [q for q in large if "COUNT(" in q]


def test_without_email_set_up_the_chat_or_email_step_says_what_to_set(newco, settings, monkeypatch):
    """The step said e-mail "goes out through the server's SMTP settings" on a server that
    sends none."""
    _org, admin = newco
    monkeypatch.delenv("EMAIL_HOST", raising=False)
    monkeypatch.delenv("EMAIL_BACKEND", raising=False)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "localhost"
    html = home(admin)
    assert step_states(html)["messages"] == "To do"
    assert "This server sends no e-mail yet: whoever runs it sets <code>EMAIL_HOST</code>" in html
    assert "e-mail goes out through" not in html
