"""GET /api/v1/events?target_type=…: an object kind no event can have is a 422 naming what
it may mean, not an empty list that reads as "nothing happened"."""

from __future__ import annotations

import pytest

from accord.org import services
from tests.conftest import api_client


@pytest.mark.parametrize("asked", ["decisions.decisoin", "decision", "Decisions.decision"])
def test_an_unknown_target_type_is_a_422_naming_the_close_one(cast, asked):
    response = api_client(cast.admin).get("/api/v1/events", {"target_type": asked})
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert list(error["fields"]) == ["target_type"]
    assert "decisions.decision" in error["fields"]["target_type"][0]
    assert "/api/v1/event-kinds" in error["message"]


def test_one_like_nothing_names_the_list_of_object_kinds(cast):
    response = api_client(cast.admin).get(
        "/api/v1/events", {"target_type": "zzz.qqq", "team_id": cast.platform.pk}
    )
    assert response.status_code == 422, response.content
    assert "object kinds look like" in response.json()["error"]["fields"]["target_type"][0]


def test_a_known_target_type_still_filters(cast):
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    response = api_client(cast.admin).get("/api/v1/events", {"target_type": "org.team"})
    assert response.status_code == 200, response.content
    kinds = {e["kind"] for e in response.json()["items"]}
    assert "org.team.updated" in kinds and all(k.startswith("org.team.") for k in kinds)
