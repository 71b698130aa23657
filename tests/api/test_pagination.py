"""Lists answer {"items", "count"} and take limit (at most 200) and offset."""

from __future__ import annotations

from accord.org import services
from accord.org.models import Team
from tests.conftest import api_client
from tests.pillars_fixtures import DOCUMENTS


def test_lists_are_paginated_with_limit_offset_and_count(cast):
    for i in range(60):
        services.create_team(cast.org, None, name=f"Squad {i:02d}")
    client = api_client(cast.member)
    total = Team.objects.for_org(cast.org).count()
    first = client.get("/api/v1/teams").json()
    assert first["count"] == total == 62
    assert len(first["items"]) == 50  # the default page
    page = client.get("/api/v1/teams?limit=10&offset=20").json()
    assert page["count"] == total
    names = [t["name"] for t in client.get("/api/v1/teams?limit=200").json()["items"]]
    assert [t["name"] for t in page["items"]] == names[20:30]
    last = client.get("/api/v1/teams?limit=10&offset=60").json()
    assert [t["name"] for t in last["items"]] == names[60:]
    beyond = client.get("/api/v1/teams?offset=500").json()
    assert beyond == {"items": [], "count": total}


def test_a_limit_above_200_or_below_1_is_refused(cast):
    client = api_client(cast.member)
    for query, field in (("limit=201", "limit"), ("limit=0", "limit"), ("offset=-1", "offset")):
        response = client.get(f"/api/v1/people?{query}")
        assert response.status_code == 422, query
        assert field in response.json()["error"]["fields"]
    assert client.get("/api/v1/people?limit=200").status_code == 200


def test_every_list_endpoint_is_paginated_and_answers(cast):
    client = api_client(cast.admin)
    schema = client.get("/api/v1/openapi.json").json()
    lists = [
        path
        for path, ops in schema["paths"].items()
        if "get" in ops
        and "{" not in path
        and any(p["name"] == "limit" for p in ops["get"].get("parameters", []))
        and path not in DOCUMENTS
    ]
    assert {"/api/v1/teams", "/api/v1/people", "/api/v1/memberships", "/api/v1/events"} <= set(
        lists
    )
    for path in lists:
        response = client.get(f"{path}?limit=1")
        assert response.status_code == 200, (path, response.content[:300])
        body = response.json()
        assert set(body) == {"items", "count"}, path
        assert len(body["items"]) <= 1


def test_the_largest_lists_count_to_a_limit(cast, monkeypatch):
    """Memberships (130,000 at 10,000 teams), people, check-ins and meetings are counted up
    to the API's limit, as the events and decisions are: beyond it `count` is null, and
    paging on with `offset` still reaches every item."""
    from accord.api import common

    for person in (cast.admin, cast.leader, cast.viewer):
        services.add_membership(cast.org, None, person=person, team=cast.root, allocation=0)
    client = api_client(cast.admin)
    every = client.get("/api/v1/memberships?limit=200").json()
    assert every["count"] == len(every["items"]) > 3
    monkeypatch.setattr(common, "LIST_COUNT_UP_TO", 3)
    first = client.get("/api/v1/memberships?limit=2").json()
    assert first["count"] is None and len(first["items"]) == 2
    rest = client.get("/api/v1/memberships?limit=200&offset=2").json()["items"]
    assert first["items"] + rest == every["items"]
    people = client.get("/api/v1/people?limit=2").json()  # 100,000 at 10,000 teams
    assert people["count"] is None and len(people["items"]) == 2
