"""Invalid input is a 422 naming each field, and changes nothing."""

from __future__ import annotations

import json

import pytest

from accord.activity.models import Event
from accord.org.models import Membership, Person, Team
from tests.conftest import api_client


def counts() -> tuple[int, int, int, int]:
    return (
        Team.objects.count(),
        Person.objects.count(),
        Membership.objects.count(),
        Event.objects.count(),
    )


def send(client, method: str, url: str, body):
    raw = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(url, raw, content_type="application/json")


CASES = [
    ("post", "/api/v1/teams", {}, "name", "Field required"),
    ("post", "/api/v1/teams", {"name": ""}, "name", "at least 1 character"),
    ("post", "/api/v1/teams", {"name": "X" * 201}, "name", "at most 200 characters"),
    ("post", "/api/v1/teams", {"name": "Ops", "slug": "no spaces"}, "slug", "match pattern"),
    ("post", "/api/v1/teams", {"name": "Ops", "slug": "platform"}, "slug", "Already in use."),
    ("post", "/api/v1/teams", {"name": "   "}, "name", "Required."),
    ("post", "/api/v1/people", {"name": "Al", "email": "al-at-home"}, "email", "valid e-mail"),
    ("post", "/api/v1/people", {"name": "Al", "role": "king"}, "role", "Input should be"),
    ("post", "/api/v1/people", {"name": "Al", "timezone": "Mars/Base"}, "timezone", "Unknown"),
    ("post", "/api/v1/memberships", {"team_id": 1}, "person_id", "Field required"),
    ("patch", "/api/v1/teams/{platform}", {"name": None}, "name", "Cannot be null."),
    ("patch", "/api/v1/teams/{platform}", {"description": None}, "description", "Cannot be null."),
    ("patch", "/api/v1/people/{member}", {"is_active": "maybe"}, "is_active", "valid boolean"),
    ("patch", "/api/v1/memberships/{membership}", {"allocation": -5}, "allocation", "greater"),
    ("patch", "/api/v1/memberships/{membership}", {"role": "boss"}, "role", "Unknown role"),
]


@pytest.mark.parametrize(("method", "url", "body", "field", "text"), CASES)
def test_invalid_input_is_a_422_on_the_field(cast, method, url, body, field, text):
    client = api_client(cast.admin)
    membership = Membership.objects.get(person=cast.member)
    url = url.format(platform=cast.platform.pk, member=cast.member.pk, membership=membership.pk)
    before = counts()
    response = send(client, method, url, body)
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert error["code"] in ("invalid", "duplicate")
    assert field in error["fields"], error
    assert any(text in message for message in error["fields"][field]), error
    assert error["message"]
    assert counts() == before


def test_a_body_that_is_not_json_is_a_400(cast):
    response = send(api_client(cast.admin), "post", "/api/v1/teams", "{not json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"


def test_a_path_id_that_is_not_a_number_is_a_422(cast):
    response = api_client(cast.admin).get("/api/v1/teams/abc")
    assert response.status_code == 422
    assert "team_id" in response.json()["error"]["fields"]


def test_an_unknown_endpoint_is_a_json_404(cast):
    response = api_client(cast.admin).get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("token", [True, False])
def test_a_method_a_path_does_not_take_is_a_json_405_naming_what_it_takes(cast, token):
    from django.test import Client

    client = api_client(cast.admin) if token else Client()
    before = counts()
    response = client.put("/api/v1/teams", "{}", content_type="application/json")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "method_not_allowed" and "PUT is not allowed" in error["message"]
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    assert all(m in error["message"] for m in ("GET", "POST"))
    assert counts() == before


@pytest.mark.parametrize("foreign", [False, True])
def test_an_unknown_or_foreign_id_in_a_body_is_a_422_on_that_field(cast, foreign):
    client = api_client(cast.admin)
    team_id = cast.other_team.pk if foreign else 999_999
    person_id = cast.outsider.pk if foreign else 999_999
    before = counts()
    cases = [
        ("post", "/api/v1/teams", {"name": "Ops", "parent_id": team_id}, "parent_id"),
        ("patch", f"/api/v1/teams/{cast.platform.pk}", {"parent_id": team_id}, "parent_id"),
        (
            "post",
            "/api/v1/memberships",
            {"person_id": person_id, "team_id": cast.root.pk},
            "person_id",
        ),
        (
            "post",
            "/api/v1/memberships",
            {"person_id": cast.viewer.pk, "team_id": team_id},
            "team_id",
        ),
    ]
    for method, url, body, field in cases:
        response = send(client, method, url, body)
        assert response.status_code == 422, (url, body)
        error = response.json()["error"]
        assert error["code"] == "unknown_reference"
        assert list(error["fields"]) == [field]
        assert "in this organization" in error["message"]
    assert counts() == before
