"""Add, read, change and deactivate people through the API."""

from __future__ import annotations

from accord.org.models import Person
from tests.api.conftest import send
from tests.conftest import api_client


def test_a_person_is_added_changed_and_deactivated(cast):
    client = api_client(cast.admin)
    created = send(
        client,
        "post",
        "/api/v1/people",
        {
            "name": "Nia New",
            "email": "nia@acme.example",
            "title": "Analyst",
            "timezone": "Europe/Oslo",
        },
    )
    assert created.status_code == 201
    person = created.json()
    assert person | {"id": 0} == {
        "id": 0,
        "name": "Nia New",
        "email": "nia@acme.example",
        "title": "Analyst",
        "role": "member",
        "timezone": "Europe/Oslo",
        "is_active": True,
        "version": 1,
        "kind": "person",
        "owner_id": None,
        "paused": False,
        "emails": [],
        "handles": [],
    }
    url = f"/api/v1/people/{person['id']}"
    changed = send(client, "patch", url, {"role": "leader", "title": "Lead analyst"})
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["version"]) == ("leader", 2)

    assert send(client, "delete", url).status_code == 204
    assert send(client, "get", url).json()["is_active"] is False
    assert Person.objects.filter(pk=person["id"]).exists()  # history is kept
    listed = send(client, "get", "/api/v1/people?limit=200").json()
    assert person["id"] not in [p["id"] for p in listed["items"]]
    with_inactive = send(client, "get", "/api/v1/people?include_inactive=true&limit=200").json()
    assert person["id"] in [p["id"] for p in with_inactive["items"]]


def test_people_are_filtered_by_text_role_and_team(cast):
    client = api_client(cast.member)

    def names(query: str) -> list[str]:
        return [p["name"] for p in send(client, "get", f"/api/v1/people?{query}").json()["items"]]

    assert names("q=leo") == ["Leo Leader"]
    assert names("q=acme.example") == ["Ada Admin", "Leo Leader", "Mia Member", "Vic Viewer"]
    assert names("role=viewer") == ["Vic Viewer"]
    assert names(f"team_id={cast.platform.pk}") == ["Mia Member"]
