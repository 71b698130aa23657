"""An organization's time zone: set by an admin on Organization settings (checked as every
zone is), it is where new people (added, invited, through the API, signing on) and agents
start. An organization that never set one keeps UTC; nobody's own zone changes with it."""

from __future__ import annotations

import json
import re

import pytest

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import services
from accord.org.models import Organization, Person
from tests.conftest import api_client, login

URL = "/o/acme/settings/organization/"


def zone_of(org) -> str:
    return Organization.objects.get(pk=org.pk).timezone


def test_an_organization_starts_in_utc(cast):
    assert zone_of(cast.org) == "UTC"
    org = services.create_organization("Initech", "initech")
    assert zone_of(org) == "UTC"


def test_an_admin_sets_it_on_the_settings_page_and_it_is_recorded(cast):
    client = login(cast.admin)
    html = client.get(URL).content.decode()
    assert re.search(r'<option value="UTC" selected>', html)
    response = client.post(URL, {"action": "timezone", "timezone": "Europe/Berlin"})
    assert response.status_code == 302
    assert zone_of(cast.org) == "Europe/Berlin"
    assert Organization.objects.get(pk=cast.org.pk).name == "Acme"  # the name form untouched
    [event] = Event.objects.filter(target_type="org.organization", verb="updated")
    assert (event.before, event.after) == ({"timezone": "UTC"}, {"timezone": "Europe/Berlin"})
    html = client.get(URL).content.decode()
    assert "New people now start in Europe/Berlin" in html
    assert re.search(r'<option value="Europe/Berlin" selected>', html)
    # Nobody's own zone changed.
    assert set(Person.objects.filter(org=cast.org).values_list("timezone", flat=True)) == {"UTC"}


@pytest.mark.parametrize("zone", ["EST", "Mars/Olympus", ""])
def test_a_zone_that_is_not_a_place_is_refused(cast, zone):
    response = login(cast.admin).post(URL, {"action": "timezone", "timezone": zone})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error"' in html or "form-errors" in html
    assert zone_of(cast.org) == "UTC"
    with pytest.raises(ServiceError):
        services.set_organization_timezone(cast.org, cast.admin, zone)


def test_only_an_admin_sets_it(cast):
    with pytest.raises(PermissionDenied):
        services.set_organization_timezone(cast.org, cast.leader, "Europe/Berlin")
    with pytest.raises(PermissionDenied):
        services.set_organization_timezone(cast.org, cast.outsider, "Europe/Berlin")
    refused = login(cast.leader).post(URL, {"action": "timezone", "timezone": "Asia/Tokyo"})
    assert refused.status_code == 403
    assert zone_of(cast.org) == "UTC"


@pytest.fixture
def berlin(cast):
    return services.set_organization_timezone(cast.org, cast.admin, "Europe/Berlin")


def test_new_people_and_agents_start_in_it(cast, berlin):
    ada = services.add_person(berlin, cast.admin, name="Ada", email="ada@acme.example")
    assert ada.timezone == "Europe/Berlin"
    [bob] = services.add_people(berlin, cast.admin, [{"name": "Bob", "email": "bob@acme.example"}])
    assert bob.timezone == "Europe/Berlin"
    bot = services.add_agent(berlin, cast.member, name="Release bot", owner=cast.member)
    assert bot.timezone == "Europe/Berlin"
    # A zone given still wins.
    cy = services.add_person(berlin, cast.admin, name="Cy", timezone="Asia/Tokyo")
    assert cy.timezone == "Asia/Tokyo"


def test_the_add_person_form_offers_it_and_invitations_use_it(cast, berlin):
    client = login(cast.admin)
    form = client.get("/o/acme/people/new/").content.decode()
    assert re.search(r'<option value="Europe/Berlin" selected>', form)
    services.invite_people(berlin, cast.admin, "Dee <dee@acme.example>", send=False)
    assert Person.objects.get(email="dee@acme.example").timezone == "Europe/Berlin"


def test_the_invite_page_uses_it_not_the_inviters_zone(cast, berlin):
    services.update_person(cast.org, cast.admin, cast.admin, timezone="America/Chicago")
    client = login(cast.admin)
    data = {"people": "Eve <eve@acme.example>", "role": "member", "role_in_team": "member"}
    answer = client.post("/o/acme/people/invite/", {"action": "preview", **data})
    previewed = re.search(r'name="previewed" value="([^"]+)"', answer.content.decode()).group(1)
    done = client.post(
        "/o/acme/people/invite/", {**data, "action": "confirm", "previewed": previewed}
    )
    assert done.status_code == 302, done.content.decode()[:1000]
    assert Person.objects.get(email="eve@acme.example").timezone == "Europe/Berlin"


def test_the_api_adds_people_in_it_when_none_is_given(cast, berlin):
    response = api_client(cast.admin).post(
        "/api/v1/people",
        json.dumps({"name": "Fay", "email": "fay@acme.example"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["timezone"] == "Europe/Berlin"


def test_while_it_is_utc_the_add_person_form_offers_the_adders_zone(cast):
    services.update_person(cast.org, cast.admin, cast.admin, timezone="America/Chicago")
    form = login(cast.admin).get("/o/acme/people/new/").content.decode()
    assert re.search(r'<option value="America/Chicago" selected>', form)
    # The service, with no page around it, uses the organization's.
    assert services.add_person(cast.org, cast.admin, name="Gus").timezone == "UTC"


def test_ones_own_profile_offers_the_devices_zone(cast):
    from django.contrib.staticfiles import finders

    assert finders.find("org/device_zone.js")
    own = login(cast.member).get(f"/o/acme/people/{cast.member.pk}/edit/").content.decode()
    script = re.compile(r'<script src="[^"]*/org/device_zone(\.[0-9a-f]+)?\.js" defer>')
    assert 'data-device-zone="id_timezone"' in own and script.search(own)
    other = login(cast.admin).get(f"/o/acme/people/{cast.member.pk}/edit/").content.decode()
    assert "data-device-zone" not in other and not script.search(other)


def test_a_cadence_from_a_template_meets_in_it_unless_told(cast, berlin):
    from accord.rhythm import services as rhythm

    sync = rhythm.create_cadence_from_template(
        berlin, cast.admin, "weekly-sync", team=cast.platform
    )
    assert sync.timezone == "Europe/Berlin"
    told = rhythm.create_cadence_from_template(
        berlin, cast.admin, "weekly-sync", team=cast.platform, timezone_name="Asia/Tokyo"
    )
    assert told.timezone == "Asia/Tokyo"
