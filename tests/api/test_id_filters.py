"""A list filtered by an id the organization does not have is a 404 naming that id, on every
list: not an empty page, which would read as "nothing matches"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.api.common import ID_FILTERS, NOT_ID_FILTERS
from accord.api.main import api, query_names
from tests.conftest import api_client

LISTS = [
    "/api/v1/action-items?team_id={}",
    "/api/v1/issues?team_id={}",
    "/api/v1/decisions?team_id={}",
    "/api/v1/dependencies?team_id={}",
    "/api/v1/signals?team_id={}",
    "/api/v1/people?team_id={}",
    "/api/v1/memberships?team_id={}",
    "/api/v1/initiatives?team_id={}",
    "/api/v1/objectives?team_id={}",
    "/api/v1/events?actor_id={}",
    "/api/v1/action-items?owner_id={}",
    "/api/v1/memberships?person_id={}",
    "/api/v1/key-results?objective_id={}",
    "/api/v1/initiatives?period_id={}",
    "/api/v1/rhythm/meetings?cadence_id={}",
]


@pytest.mark.parametrize("url", LISTS)
def test_an_unknown_id_in_a_list_filter_is_a_404_naming_it(cast, url):
    response = api_client(cast.admin).get(url.format(99999))
    assert response.status_code == 404, response.content
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert "with id 99999" in error["message"]
    name = url.split("?")[1].split("=")[0]
    assert list(error["fields"]) == [name]


def test_another_organizations_team_is_unknown_too(cast):
    response = api_client(cast.admin).get(f"/api/v1/people?team_id={cast.other_team.pk}")
    assert response.status_code == 404
    assert f"No team with id {cast.other_team.pk}." == response.json()["error"]["message"]


def test_a_known_id_still_filters(cast):
    client = api_client(cast.admin)
    people = client.get(f"/api/v1/people?team_id={cast.platform.pk}")
    assert people.status_code == 200
    assert [p["id"] for p in people.json()["items"]] == [cast.member.pk]
    assert client.get(f"/api/v1/events?actor_id={cast.admin.pk}").status_code == 200


def test_the_check_is_one_query_per_filter(cast):
    client = api_client(cast.admin)
    client.get("/api/v1/people")  # warm up the token's lookups
    with CaptureQueriesContext(connection) as seen:
        client.get("/api/v1/people?team_id=99999")
    checks = [q["sql"] for q in seen.captured_queries if '"org_team"' in q["sql"]]
    assert len(checks) == 1
    assert "LIMIT 1" in checks[0] and '"org_id"' in checks[0]  # existence within the org


def test_every_id_filter_of_a_list_is_checked():
    unchecked = sorted(
        (name, path)
        for _prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        if "GET" in operation.methods
        for name in query_names(operation)
        if name.endswith("_id") and name not in ID_FILTERS and name not in NOT_ID_FILTERS
    )
    assert unchecked == [], "add these to accord.api.common.ID_FILTERS"
