"""GET /api/v1/events?kind=…: the events of one kind (`org.team.updated`) or of one kind of
object (`org.team.`), read in order from the log's index."""

from __future__ import annotations

import pytest
from django.db import connection

from accord.activity.api import _of_kind
from accord.activity.models import Event
from accord.org import services
from tests.conftest import api_client, sqlite_plan


def kinds(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/events?limit=200&{query}")
    assert response.status_code == 200, response.content
    return [e["kind"] for e in response.json()["items"]]


def test_it_filters_by_exact_kind_by_object_kind_and_by_area(cast):
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    client = api_client(cast.admin)
    assert kinds(client, "kind=org.team.updated") == ["org.team.updated"]
    assert set(kinds(client, "kind=org.team.")) == {"org.team.updated", "org.team.created"}
    assert kinds(client, "kind=decisions.decision.decided") == []
    both = kinds(client, f"kind=org.team.&actor_id={cast.leader.pk}")
    assert both == ["org.team.updated"]


@pytest.mark.parametrize("kind", ["org", "org.team", "Org.team.updated", "org..", "nope.", "%."])
def test_a_kind_that_is_neither_a_kind_nor_a_prefix_is_a_422_naming_it(cast, kind):
    response = api_client(cast.admin).get("/api/v1/events", {"kind": kind})
    assert response.status_code == 422, response.content
    assert list(response.json()["error"]["fields"]) == ["kind"]


def test_a_whole_area_is_refused_naming_its_kinds_of_object(cast):
    response = api_client(cast.admin).get("/api/v1/events", {"kind": "org."})
    assert response.status_code == 422
    assert "org.team." in response.json()["error"]["message"]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.parametrize("kind", ["decisions.decision.decided", "decisions.decision."])
def test_each_form_reads_the_kind_index_not_the_whole_log(cast, kind):
    qs = _of_kind(Event.objects.for_org(cast.org), kind).order_by("-created_at", "-id")[:50]
    sql, params = qs.query.sql_with_params()
    plan = sqlite_plan(sql, params)
    assert "activity_event_kind_order" in plan, plan
    assert "SCAN activity_event " not in plan + " ", plan
