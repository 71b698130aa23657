"""Organization settings: an admin renames the organization from the web or the API (its
address stays), sees its facts and the way to every other settings page; nobody else may."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import services
from accord.org.models import Organization
from tests.api.conftest import send
from tests.conftest import api_client, login

URL = "/o/acme/settings/organization/"
API = "/api/v1/organization"


def renamed_events(org):
    return Event.objects.filter(org=org, target_type="org.organization", verb="renamed")


def test_an_admin_renames_the_organization_and_its_address_stays(cast):
    client = login(cast.admin)
    page = client.get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Acme"' in html and "<code>/o/acme/</code>" in html
    response = client.post(URL, {"name": "  Acme Industries  "})
    assert response.status_code == 302 and response["Location"] == URL
    org = Organization.objects.get(pk=cast.org.pk)
    assert (org.name, org.slug) == ("Acme Industries", "acme")
    [event] = renamed_events(org)
    assert event.actor_id == cast.admin.pk
    assert (event.before, event.after) == ({"name": "Acme"}, {"name": "Acme Industries"})
    html = client.get(URL).content.decode()
    assert "Renamed to “Acme Industries”. Its address /o/acme/ stays" in html
    assert "renamed this organization" in html  # its history
    # Every page says the new name; the old links still answer.
    assert "<title>Home · Acme Industries</title>" in client.get("/o/acme/").content.decode()


@pytest.mark.parametrize("name", ["", "   ", "x" * 201, "bad\x00name"])
def test_an_empty_or_overlong_name_is_refused_and_nothing_changes(cast, name):
    client = login(cast.admin)
    response = client.post(URL, {"name": name})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error"' in html or "form-errors" in html
    assert Organization.objects.get(pk=cast.org.pk).name == "Acme"
    assert not renamed_events(cast.org).exists()


def test_the_service_refuses_the_same_way(cast):
    for name in ("", "x" * 201):
        with pytest.raises(ServiceError):
            services.rename_organization(cast.org, cast.admin, name)
    with pytest.raises(PermissionDenied):
        services.rename_organization(cast.org, cast.leader, "Leo's Acme")
    with pytest.raises(PermissionDenied):  # an admin of another organization
        services.rename_organization(cast.org, cast.outsider, "Globex's Acme")
    assert Organization.objects.get(pk=cast.org.pk).name == "Acme"
    assert not renamed_events(cast.org).exists()


def test_the_same_name_again_records_nothing(cast):
    response = login(cast.admin).post(URL, {"name": "Acme"})
    assert response.status_code == 302
    assert not renamed_events(cast.org).exists()


def test_nobody_but_an_admin_sees_or_changes_it(cast):
    for person in (cast.leader, cast.member, cast.viewer):
        client = login(person)
        assert client.get(URL).status_code == 403, person.role
        assert client.post(URL, {"name": "Taken over"}).status_code == 403, person.role
        assert f'href="{URL}"' not in client.get("/o/acme/").content.decode()
    assert Organization.objects.get(pk=cast.org.pk).name == "Acme"
    assert not renamed_events(cast.org).exists()
    # Another organization's admin finds no such page here.
    assert login(cast.outsider).get(URL).status_code in (403, 404)


def test_it_shows_the_facts_and_the_way_to_every_other_settings_page(cast):
    client = login(cast.admin)
    html = client.get(URL).content.decode()
    assert "<code>acme</code>" in html
    assert ">2 current teams</a>" in html and ">4 active people</a>" in html
    for href in (
        "/o/acme/settings/tokens/",
        "/o/acme/settings/webhooks/",
        "/o/acme/sources/integrations/",
        "/o/acme/insights/settings/",
        "/o/acme/interchange/",
        "/o/acme/teams/kinds/",
    ):
        assert f'href="{href}"' in html, href
        assert client.get(href).status_code == 200, href
    # The admin finds the page in the navigation.
    assert f'href="{URL}"' in client.get("/o/acme/").content.decode()


def test_an_admin_renames_it_through_the_api(cast):
    response = send(api_client(cast.admin), "patch", API, {"name": "  Acme Industries  "})
    assert response.status_code == 200, response.content
    assert response.json() == {"name": "Acme Industries", "slug": "acme"}
    org = Organization.objects.get(pk=cast.org.pk)
    assert (org.name, org.slug) == ("Acme Industries", "acme")
    [event] = renamed_events(org)
    assert event.actor_id == cast.admin.pk
    assert (event.before, event.after) == ({"name": "Acme"}, {"name": "Acme Industries"})


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": None},
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 201},
        {"name": "bad\x00name"},
    ],
)
def test_the_api_refuses_an_empty_or_overlong_name_and_changes_nothing(cast, body):
    response = send(api_client(cast.admin), "patch", API, body)
    assert response.status_code == 422, response.content
    assert "name" in response.json()["error"]["fields"]
    assert Organization.objects.get(pk=cast.org.pk).name == "Acme"
    assert not renamed_events(cast.org).exists()


def test_the_api_lets_nobody_but_an_admin_rename_it(cast):
    for person in (cast.leader, cast.member, cast.viewer):
        response = send(api_client(person), "patch", API, {"name": "Taken over"})
        assert response.status_code == 403, person.role
        assert response.json()["error"]["code"] == "forbidden"
    assert Organization.objects.get(pk=cast.org.pk).name == "Acme"
    assert not renamed_events(cast.org).exists()
