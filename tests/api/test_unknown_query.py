"""A query parameter an operation does not take is a 422 naming it and the ones it takes, on
every operation: a misspelt filter (`?stauts=done`) must not silently read everything."""

from __future__ import annotations

import pytest

from accord.api.main import UNKNOWN_PARAMETER, _operations, accepted_query, api
from tests.conftest import api_client, login


@pytest.mark.parametrize(
    ("url", "unknown", "meant"),
    [
        ("/api/v1/action-items?stauts=done", "stauts", "status"),
        ("/api/v1/objectives?team=17", "team", "team_id"),
        ("/api/v1/dependencies?status=delivered", "status", "state"),
        ("/api/v1/initiatives?q=platform", "q", "team_id"),
    ],
)
def test_a_misspelt_filter_is_a_422_naming_it_and_what_the_list_takes(cast, url, unknown, meant):
    response = api_client(cast.admin).get(url)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [unknown]
    (message,) = error["fields"][unknown]
    assert message.startswith(UNKNOWN_PARAMETER)
    assert meant in message.split("It takes:")[1]
    assert f"Unknown query parameter {unknown};" in error["message"]


def test_several_unknown_parameters_are_all_named(cast):
    response = api_client(cast.admin).get("/api/v1/action-items?stauts=done&ownr=3&limit=5")
    assert response.status_code == 422, response.content
    assert sorted(response.json()["error"]["fields"]) == ["ownr", "stauts"]


def test_declared_filters_and_pagination_are_still_taken(cast):
    client = api_client(cast.admin)
    for url in (
        "/api/v1/action-items?status=done&limit=5&offset=0",
        f"/api/v1/objectives?team_id={cast.platform.pk}",
        "/api/v1/dependencies?state=delivered",
        "/api/v1/events?kind=org.team.&limit=1",
        "/api/v1/alignment-tree?depth=2&limit=3",
    ):
        assert client.get(url).status_code == 200, (url, client.get(url).content)


def test_a_read_of_one_object_takes_no_query_parameter(cast):
    response = api_client(cast.admin).get(f"/api/v1/teams/{cast.platform.pk}?expand=all")
    assert response.status_code == 422, response.content
    assert response.json()["error"]["fields"]["expand"][0].endswith("It takes: none.")


def test_a_write_refuses_an_unknown_parameter_and_changes_nothing(cast):
    from tests.api.conftest import send

    client = api_client(cast.admin)
    before = client.get(f"/api/v1/teams/{cast.platform.pk}").json()
    response = send(
        client, "patch", f"/api/v1/teams/{cast.platform.pk}?dry_run=true", {"name": "Renamed"}
    )
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == ["dry_run"]
    assert client.get(f"/api/v1/teams/{cast.platform.pk}").json()["name"] == before["name"]


def test_the_unknown_parameter_wins_over_an_unknown_id_filter(cast):
    response = api_client(cast.admin).get("/api/v1/objectives?team_id=99999&stauts=x")
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == ["stauts"]


REQUIRED = {"/search": "q=x&"}  # the query a list cannot go without


def test_every_list_of_the_api_refuses_an_unknown_parameter(cast):
    """Every GET without a path parameter: one rule, not per endpoint."""
    client = api_client(cast.admin)
    paths = sorted(
        {
            path
            for _prefix, router in api._routers
            for path, view in router.path_operations.items()
            if "{" not in path and any("GET" in op.methods for op in view.operations)
        }
    )
    assert len(paths) > 30
    for path in paths:
        if path == "/":
            continue
        required = REQUIRED.get(path, "")
        response = client.get(f"/api/v1{path}?{required}zz_not_a_parameter=1")
        assert response.status_code == 422, (path, response.content)
        assert list(response.json()["error"]["fields"]) == ["zz_not_a_parameter"], path


def test_every_operation_knows_what_it_takes():
    ops = list(_operations())
    lists = [op for op in ops if "limit" in accepted_query(op)]
    assert lists and all("offset" in accepted_query(op) for op in lists)
    assert "ninja_pagination" not in set().union(*(accepted_query(op) for op in ops))


def test_an_unknown_path_is_still_a_404_whatever_its_query(cast):
    response = api_client(cast.admin).get("/api/v1/no-such-thing?stauts=done")
    assert response.status_code == 404, response.content


def test_web_pages_are_not_affected(cast):
    response = login(cast.admin).get(f"/o/{cast.org.slug}/settings/webhooks/?utm_source=mail")
    assert response.status_code == 200
