"""Create, read, change, move and delete teams through the API."""

from __future__ import annotations

from accord.activity.models import Event
from accord.org.models import Team
from tests.api.conftest import send
from tests.conftest import api_client


def test_a_team_goes_through_its_whole_life(cast):
    client = api_client(cast.leader)
    created = send(
        client, "post", "/api/v1/teams", {"name": "Data Science", "parent_id": cast.root.pk}
    )
    assert created.status_code == 201
    team = created.json()
    assert team["name"] == "Data Science" and team["slug"] == "data-science"
    assert team["parent_id"] == cast.root.pk and team["version"] == 1
    url = f"/api/v1/teams/{team['id']}"
    assert send(client, "get", url).json() == team

    changed = send(client, "patch", url, {"description": "Models", "slug": "ds"})
    assert changed.status_code == 200
    assert changed.json()["description"] == "Models" and changed.json()["slug"] == "ds"
    assert changed.json()["version"] == 2

    moved = send(client, "patch", url, {"parent_id": cast.platform.pk})
    assert moved.json()["parent_id"] == cast.platform.pk

    assert send(client, "delete", url).status_code == 204
    assert send(client, "get", url).status_code == 404
    verbs = list(
        Event.objects.for_target("org.team", team["id"])
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == ["created", "updated", "moved", "deleted"]


def test_teams_are_listed_and_filtered(cast):
    client = api_client(cast.viewer)
    everything = send(client, "get", "/api/v1/teams").json()
    assert [t["name"] for t in everything["items"]] == ["Acme", "Platform"]
    children = send(client, "get", f"/api/v1/teams?parent_id={cast.root.pk}").json()
    assert [t["id"] for t in children["items"]] == [cast.platform.pk]
    found = send(client, "get", "/api/v1/teams?q=plat").json()
    assert found["count"] == 1


def test_a_team_with_a_given_slug_keeps_it(cast):
    client = api_client(cast.admin)
    response = send(client, "post", "/api/v1/teams", {"name": "Site Reliability", "slug": "sre"})
    assert response.json()["slug"] == "sre"
    assert Team.objects.get(org=cast.org, slug="sre").name == "Site Reliability"
