"""The API describes itself: /api/v1/openapi.json and the docs page."""

from __future__ import annotations

from django.test import Client


def test_the_openapi_description_is_json_listing_every_path(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Accord API"
    paths = schema["paths"]
    for path in (
        "/api/v1/me",
        "/api/v1/teams",
        "/api/v1/teams/{team_id}",
        "/api/v1/people",
        "/api/v1/people/{person_id}",
        "/api/v1/memberships",
        "/api/v1/memberships/{membership_id}",
        "/api/v1/events",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/teams/{team_id}"]) >= {"get", "patch", "delete"}
    assert not any("{rest}" in p for p in paths)  # the JSON 404 fallback is not an endpoint
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme") == "bearer" for s in schemes.values())


def test_the_docs_page_answers(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    assert "openapi.json" in response.content.decode()


def test_the_api_root_says_where_the_description_and_docs_are(db):
    response = Client().get("/api/v1/")
    assert response.status_code == 200
    assert response.json() == {
        "name": "Accord API",
        "version": "1",
        "openapi": "http://testserver/api/v1/openapi.json",
        "docs": "http://testserver/api/v1/docs",
    }
