"""A person's other e-mail addresses and handles: kept normalised, never shared by two people
of an organization, changed by admins or the person themself, recorded, and offered by the
API and the person's page."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.core.errors import Conflict, PermissionDenied, ServiceError
from accord.org import queries, services
from accord.org.models import Person, PersonIdentity
from tests.api.conftest import send
from tests.conftest import api_client, login


def _pairs(person: Person) -> list[tuple[str, str]]:
    return sorted(person.identities.values_list("kind", "value"))


def test_addresses_and_handles_are_kept_normalised_and_recorded(cast):
    person = services.update_person(
        cast.org,
        cast.admin,
        cast.member,
        emails=[" Mia@Home.Example ", cast.member.email.upper()],  # the primary is not repeated
        handles=["GitHub:@MiaCodes", "matrix:@mia:example.org", "github:miacodes"],
    )
    assert _pairs(person) == [
        ("email", "mia@home.example"),
        ("github", "miacodes"),
        ("matrix", "mia:example.org"),
    ]
    assert queries.identity_lists(person) == {
        "emails": ["mia@home.example"],
        "handles": ["github:miacodes", "matrix:mia:example.org"],
    }
    event = Event.objects.filter(org=cast.org, target_id=str(person.pk)).latest("id")
    assert event.after == {
        "emails": ["mia@home.example"],
        "handles": ["github:miacodes", "matrix:mia:example.org"],
    }
    assert person.version == 2


def test_someone_elses_main_address_is_refused_in_any_case_from_the_form_and_the_api(cast):
    """One human is one person: a main address already someone's (any case) is refused
    when a person is added from the web form or edited through the API; nothing changes."""
    before = Person.objects.count()
    page = login(cast.admin).post(
        "/o/acme/people/new/",
        {"name": "Mia Clone", "email": cast.member.email.upper(), "role": "member",
         "timezone": "UTC"},
    )  # fmt: skip
    assert page.status_code in (200, 422)
    assert f"is the address of {cast.member.name}" in page.content.decode()
    assert Person.objects.count() == before
    api = api_client(cast.admin)
    response = api.patch(
        f"/api/v1/people/{cast.viewer.pk}",
        {"email": cast.member.email},
        content_type="application/json",
    )
    assert response.status_code == 409, response.content
    assert "is the address of Mia Member" in response.json()["error"]["message"]
    cast.viewer.refresh_from_db()
    assert cast.viewer.email != cast.member.email
    # One's own address, in another case, is one's own.
    services.update_person(cast.org, cast.admin, cast.member, email=cast.member.email.title())


def test_an_address_or_handle_of_someone_else_is_refused_naming_them_and_changes_nothing(cast):
    services.update_person(
        cast.org, None, cast.leader, emails=["leo@home.example"], handles=["slack:leo"]
    )
    events = Event.objects.count()
    for change in (
        {"emails": ["LEO@home.example"]},
        {"emails": [cast.admin.email]},  # another person's primary address
        {"handles": ["slack:@Leo"]},
        {"emails": ["fine@home.example"], "handles": ["slack:leo"]},
    ):
        with pytest.raises(Conflict, match=r"belongs to (Leo Leader|Ada Admin)"):
            services.update_person(cast.org, cast.admin, cast.member, **change)
    with pytest.raises(Conflict, match="is an address of Leo Leader"):
        services.update_person(cast.org, cast.admin, cast.member, email="leo@home.example")
    with pytest.raises(Conflict, match="belongs to Leo Leader"):
        services.add_person(cast.org, cast.admin, name="Leo Two", handles=["slack:leo"])
    assert _pairs(cast.member) == []
    assert Event.objects.count() == events
    assert not Person.objects.filter(name="Leo Two").exists()
    # Another organization is another namespace.
    services.update_person(cast.other_org, None, cast.outsider, handles=["slack:leo"])
    assert queries.find_person(cast.org, handles=[("slack", "leo")]) == cast.leader
    assert queries.find_person(cast.other_org, handles=[("slack", "leo")]) == cast.outsider


@pytest.mark.parametrize(
    "change, message",
    [
        ({"emails": ["not an address"]}, "not an e-mail address"),
        ({"handles": ["ada"]}, "write it as kind:name"),
        ({"handles": ["myspace:ada"]}, "Unknown kind of handle"),
        ({"handles": ["github:"]}, "no name after github"),
        ({"handles": ["github:two words"]}, "no name after github"),
        ({"emails": "ada@home.example"}, "must be a list"),
    ],
)
def test_bad_addresses_and_handles_are_refused(cast, change, message):
    with pytest.raises(ServiceError, match=message):
        services.update_person(cast.org, cast.admin, cast.member, **change)
    assert _pairs(cast.member) == []


def test_only_admins_and_the_person_themself_change_them(cast):
    with pytest.raises(PermissionDenied):
        services.update_person(cast.org, cast.leader, cast.member, handles=["github:x"])
    with pytest.raises(PermissionDenied):
        services.update_person(cast.org, cast.viewer, cast.viewer, handles=["github:x"])
    services.update_person(cast.org, cast.admin, cast.member, handles=["github:x"])
    assert _pairs(cast.member) == [("github", "x")]


def test_an_extra_address_that_becomes_the_primary_one_is_no_longer_extra(cast):
    services.update_person(cast.org, cast.admin, cast.member, emails=["mia@home.example"])
    person = services.update_person(cast.org, cast.admin, cast.member, email="Mia@Home.example")
    assert person.email == "Mia@Home.example"
    assert _pairs(person) == []


# --- API ---------------------------------------------------------------------------------


def test_the_api_adds_finds_and_replaces_addresses_and_handles(cast):
    client = api_client(cast.admin)
    created = send(
        client,
        "post",
        "/api/v1/people",
        {
            "name": "Nia New",
            "email": "nia@acme.example",
            "emails": ["Nia@Home.example"],
            "handles": ["github:@nia", "irc:nia_", "other:NiaOnTheForum"],
        },
    )
    assert created.status_code == 201, created.json()
    nia = created.json()
    assert (nia["emails"], nia["handles"]) == (
        ["nia@home.example"],
        ["github:nia", "irc:nia_", "other:NiaOnTheForum"],
    )

    for query in ("email=NIA@home.example", "email=nia@acme.example", "handle=github:NIA"):
        found = send(client, "get", f"/api/v1/people?{query}").json()["items"]
        assert [p["id"] for p in found] == [nia["id"]], query
    # A handle without its kind matches any kind but e-mail, in any case.
    for query in ("handle=nia_", "handle=NIA_", "handle=@Nia", "handle=niaontheforum"):
        found = send(client, "get", f"/api/v1/people?{query}").json()["items"]
        assert [p["id"] for p in found] == [nia["id"]], query
    assert send(client, "get", "/api/v1/people?handle=nia@home.example").json()["items"] == []
    assert send(client, "get", "/api/v1/people?email=no@one.example").json()["items"] == []

    url = f"/api/v1/people/{nia['id']}"
    changed = send(client, "patch", url, {"handles": ["slack:nia"]})
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["emails"], changed.json()["handles"]) == (
        ["nia@home.example"],
        ["slack:nia"],
    )
    bad = send(client, "patch", url, {"handles": ["nope"]})
    assert bad.status_code == 422 and "kind:name" in bad.json()["error"]["message"]


def test_the_api_refuses_a_second_person_for_one_human_with_409(cast):
    services.update_person(cast.org, None, cast.member, emails=["mia@home.example"])
    client = api_client(cast.admin)
    count = Person.objects.filter(org=cast.org).count()
    for body in (
        {"name": "Mia Again", "email": "MIA@home.example"},
        {"name": "Mia Again", "email": cast.member.email},
        {"name": "Mia Again", "email": "mia2@acme.example", "emails": ["mia@home.example"]},
    ):
        answer = send(client, "post", "/api/v1/people", body)
        assert answer.status_code == 409, body
        error = answer.json()["error"]
        assert error["code"] == "conflict"
        assert f"belongs to Mia Member (person {cast.member.pk})" in error["message"]
    assert Person.objects.filter(org=cast.org).count() == count


# --- pages -------------------------------------------------------------------------------


def test_an_admin_adds_someones_addresses_on_their_page_and_they_remove_their_own(cast):
    admin = login(cast.admin)
    page = f"/o/acme/people/{cast.member.pk}/"
    url = page + "identities/"
    added = admin.post(url, {"action": "add", "kind": "github", "value": "@MiaCodes"})
    assert added.status_code == 302
    admin.post(url, {"action": "add", "kind": "email", "value": "mia@home.example"})
    shown = admin.get(page).content.decode()
    assert "miacodes" in shown and "mia@home.example" in shown
    assert "GitHub miacodes added." in shown

    taken = admin.post(
        url, {"action": "add", "kind": "email", "value": cast.leader.email}, follow=True
    )
    assert "belongs to Leo Leader" in taken.content.decode()

    client = login(cast.member)
    handle = PersonIdentity.objects.get(person=cast.member, kind="github")
    client.post(url, {"action": "remove", "identity": handle.pk})
    assert _pairs(cast.member) == [("email", "mia@home.example")]


def test_a_member_cannot_claim_an_address_that_would_make_them_someone_else(cast):
    """An address names a person to imports and single sign-on: a member who could add a
    newcomer's address to themself would be renamed and given the newcomer's role by the
    newcomer's import, and receive their sign-on."""
    client = login(cast.member)
    page = f"/o/acme/people/{cast.member.pk}/"
    refused = client.post(
        page + "identities/",
        {"action": "add", "kind": "email", "value": "jane.new@acme.example"},
        follow=True,
    )
    assert "Only an admin adds an address or handle" in refused.content.decode()
    api = api_client(cast.member).patch(
        f"/api/v1/people/{cast.member.pk}",
        {"handles": ["github:someone-else"]},
        content_type="application/json",
    )
    assert api.status_code == 403
    assert _pairs(cast.member) == []
    assert 'name="value"' not in client.get(page).content.decode()


def test_others_cannot_change_someones_addresses_and_see_no_form(cast):
    services.update_person(cast.org, None, cast.member, handles=["github:mia"])
    handle = cast.member.identities.get()
    client = login(cast.leader)
    url = f"/o/acme/people/{cast.member.pk}/identities/"
    assert client.post(url, {"action": "remove", "identity": handle.pk}).status_code == 403
    assert client.post(url, {"action": "add", "kind": "irc", "value": "x"}).status_code == 403
    shown = client.get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    assert "mia" in shown and 'name="value"' not in shown
    assert _pairs(cast.member) == [("github", "mia")]
    # Another organization's admin does not reach it at all.
    outsider = login(cast.outsider)
    assert outsider.post(url, {"action": "remove", "identity": handle.pk}).status_code in (
        403,
        404,
    )
    assert _pairs(cast.member) == [("github", "mia")]


def test_a_new_person_starts_in_the_time_zone_of_the_admin_adding_them(cast):
    services.update_person(cast.org, cast.admin, cast.admin, timezone="Europe/Berlin")
    page = login(cast.admin).get("/o/acme/people/new/").content.decode()
    assert '<option value="Europe/Berlin" selected>' in page
