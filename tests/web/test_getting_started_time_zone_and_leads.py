"""Home's getting-started guide asks for the organization's time zone and each team's lead.

A new customer's organization stayed on UTC ("Every week on Friday at 16:00 UTC", every new
person in UTC) with nothing asking to change it, and the guide never spoke of team leads:
everyone was a member and what other teams asked of a team reached nobody of its own. The
guide's first step is the time zone (done once it is another than UTC, or an admin changed
it, for an organization that means UTC); after adding people comes naming each team's
lead, linking to the first team without one, done once every team has a lead.
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accord.activity.models import Event
from accord.interchange import csvio
from accord.org import services
from accord.org.models import Membership, Organization, Person, Role
from tests.conftest import login, make_person
from tests.web.test_getting_started import home, step_states

PASSWORD = "a long and unguessable passphrase"


@pytest.fixture
def newco(db):
    org = services.create_organization("Newco", "newco")
    return org, make_person(org, "Nora Newadmin", Role.ADMIN)


def _step(html: str, key: str) -> str:
    """The HTML of one step of the card."""
    start = html.index(f'data-step="{key}"')
    return html[start : html.index("</li>", start)]


def test_the_time_zone_is_the_first_step_and_links_to_the_settings(newco):
    _org, admin = newco
    html = home(admin)
    assert next(iter(step_states(html))) == "timezone"
    assert step_states(html)["timezone"] == "To do"
    step = _step(html, "timezone")
    assert "Set the organization&#x27;s time zone" in step
    assert 'href="/o/newco/settings/organization/"' in step


def test_an_organization_that_works_in_utc_ticks_the_step_by_saving_it(newco):
    org, admin = newco
    services.set_organization_timezone(org, admin, "UTC")  # unchanged: not a choice made
    assert step_states(home(admin))["timezone"] == "To do"
    client = login(admin)
    response = client.post(
        "/o/newco/settings/organization/", {"action": "timezone", "timezone": "UTC"}, follow=True
    )
    assert "The time zone stays UTC." in response.content.decode()
    assert step_states(home(admin))["timezone"] == "Done"
    # Saved again, it is recorded once.
    client.post("/o/newco/settings/organization/", {"action": "timezone", "timezone": "UTC"})
    confirmed = Event.objects.filter(org=org, verb="timezone_confirmed")
    assert confirmed.count() == 1 and confirmed.get().after == {"timezone": "UTC"}
    assert "confirmed the time zone of" in login(admin).get("/o/newco/activity/").content.decode()


def test_the_time_zone_step_is_done_once_set_and_stays_done_back_on_utc(newco):
    org, admin = newco
    services.set_organization_timezone(org, admin, "UTC")  # unchanged: not a choice made
    assert step_states(home(admin))["timezone"] == "To do"
    response = login(admin).post(
        "/o/newco/settings/organization/", {"action": "timezone", "timezone": "America/Sao_Paulo"}
    )
    assert response.status_code == 302
    assert Organization.objects.get(pk=org.pk).timezone == "America/Sao_Paulo"
    assert step_states(home(admin))["timezone"] == "Done"
    # An organization that works in UTC: set back, it was chosen, and stays done.
    services.set_organization_timezone(Organization.objects.get(pk=org.pk), admin, "UTC")
    assert Organization.objects.get(pk=org.pk).timezone == "UTC"
    assert step_states(home(admin))["timezone"] == "Done"


def test_an_organization_created_with_a_time_zone_has_that_step_done(db):
    out = StringIO()
    call_command(
        "createadmin",
        *("--email", "ana@lisbon.example", "--create-org", "Lisbon Labs"),
        *("--timezone", "Europe/Lisbon", "--password", PASSWORD),
        stdout=out,
    )
    org = Organization.objects.get(slug="lisbon-labs")
    admin = Person.objects.get(org=org)
    states = step_states(home(admin))
    assert states["timezone"] == "Done" and states["teams"] == "To do"


def test_naming_each_teams_lead_comes_after_people_and_links_to_a_team_without_one(newco):
    org, admin = newco
    keys = list(step_states(home(admin)))
    assert keys.index("leads") == keys.index("people") + 1
    assert step_states(home(admin))["leads"] == "To do"  # no team yet: nothing led

    platform = services.create_team(org, admin, name="Platform")
    mia = make_person(org, "Mia Member", Role.MEMBER)
    services.add_membership(org, admin, person=mia, team=platform)
    html = home(admin)
    assert step_states(html)["leads"] == "To do"
    step = _step(html, "leads")
    assert "Name each team&#x27;s lead" in step
    assert '<a href="/o/newco/teams/platform/">Name the lead of Platform</a>' in step
    assert 'href="/o/newco/teams/"' in step

    term = services.update_membership(
        org, admin, Membership.objects.get(person=mia, team=platform), role="lead"
    )
    assert step_states(home(admin))["leads"] == "Done"

    # A second team without a lead: to do again, linking to that one.
    data = services.create_team(org, admin, name="Data")
    html = home(admin)
    assert step_states(html)["leads"] == "To do"
    assert '<a href="/o/newco/teams/data/">Name the lead of Data</a>' in _step(html, "leads")
    # A retired team needs none.
    services.retire_team(org, admin, data)
    assert step_states(home(admin))["leads"] == "Done"

    # A lead whose term ended leads no more.
    services.end_term(org, admin, term)
    assert step_states(home(admin))["leads"] == "To do"
    # A co-lead or chair leads too.
    services.add_membership(org, admin, person=admin, team=platform, role="chair")
    assert step_states(home(admin))["leads"] == "Done"


def test_a_people_csv_with_team_roles_names_the_leads(newco):
    org, admin = newco
    services.create_team(org, admin, name="Platform")
    services.create_team(org, admin, name="Field Sales")
    assert step_states(home(admin))["leads"] == "To do"
    outcome = csvio.import_csv(
        (
            b"Name,Email,Team,Team role\r\n"
            b"Pia Lead,pia@newco.example,Platform,Lead\r\n"
            b"Sam Seller,sam@newco.example,Field Sales,member\r\n"
        ),
        org_slug="newco",
        filename="people.csv",
    )
    assert outcome.applied, outcome.as_text()
    html = home(admin)
    assert step_states(html)["leads"] == "To do"  # Field Sales still has none
    assert "Name the lead of Field Sales" in _step(html, "leads")
    csvio.import_csv(
        b"email,team,team_role\r\nsam@newco.example,field sales,co-lead\r\n",
        org_slug="newco",
        filename="people.csv",
    )
    assert step_states(home(admin))["leads"] == "Done"
