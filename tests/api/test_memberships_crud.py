"""Add, read, change and remove memberships through the API."""

from __future__ import annotations

from tests.api.conftest import send
from tests.conftest import api_client


def test_a_membership_is_added_changed_and_removed(cast):
    client = api_client(cast.leader)
    created = send(
        client,
        "post",
        "/api/v1/memberships",
        {"person_id": cast.viewer.pk, "team_id": cast.root.pk, "role": "lead", "allocation": 40},
    )
    assert created.status_code == 201
    m = created.json()
    assert m | {"id": 0} == {
        "id": 0,
        "person_id": cast.viewer.pk,
        "team_id": cast.root.pk,
        "role": "lead",
        "allocation": 40,
        "started_on": None,
        "ended_on": None,
        "version": 1,
    }
    url = f"/api/v1/memberships/{m['id']}"
    assert send(client, "get", url).json() == m
    changed = send(client, "patch", url, {"allocation": 60, "role": "member"})
    assert changed.status_code == 200
    assert (changed.json()["allocation"], changed.json()["role"]) == (60, "member")
    assert send(client, "delete", url).status_code == 204
    assert send(client, "get", url).status_code == 404


def test_adding_someone_twice_to_a_team_is_refused(cast):
    client = api_client(cast.admin)
    body = {"person_id": cast.member.pk, "team_id": cast.platform.pk, "allocation": 10}
    response = send(client, "post", "/api/v1/memberships", body)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "duplicate"
    assert "Mia Member is already in Platform" in response.json()["error"]["message"]


def test_memberships_are_filtered_by_team_and_person(cast):
    client = api_client(cast.member)
    by_team = send(client, "get", f"/api/v1/memberships?team_id={cast.platform.pk}").json()
    assert [(m["person_id"], m["allocation"]) for m in by_team["items"]] == [(cast.member.pk, 50)]
    by_person = send(client, "get", f"/api/v1/memberships?person_id={cast.viewer.pk}").json()
    assert by_person == {"items": [], "count": 0}


def test_the_terms_of_deactivated_people_are_listed_only_when_asked_for(cast):
    """As the team page and the people list count them."""
    from accord.org import services

    api = api_client(cast.admin)
    url = f"/api/v1/memberships?team_id={cast.platform.pk}"
    assert [m["person_id"] for m in api.get(url).json()["items"]] == [cast.member.pk]
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    assert api.get(url).json()["items"] == []
    people = api.get(f"/api/v1/people?team_id={cast.platform.pk}").json()["items"]
    assert people == []
    # Deactivating ended the term: it is kept as a past one.
    assert api.get(url + "&include_inactive=true").json()["items"] == []
    kept = api.get(url + "&include_inactive=true&terms=past").json()["items"]
    assert [m["person_id"] for m in kept] == [cast.member.pk]
