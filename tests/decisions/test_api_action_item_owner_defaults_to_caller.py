"""`POST /api/v1/action-items` without `owner_id` gives the item to the caller, as MCP's
`add_action_item` does; a viewer is refused as before."""

from __future__ import annotations

from accord.decisions.models import ActionItem
from tests.conftest import api_client


def test_without_an_owner_it_is_the_callers(cast):
    r = api_client(cast.member).post(
        "/api/v1/action-items", {"title": "Write the runbook"}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    assert r.json()["owner_id"] == cast.member.pk
    assert ActionItem.objects.get().owner == cast.member


def test_a_viewer_is_still_refused(cast):
    r = api_client(cast.viewer).post(
        "/api/v1/action-items", {"title": "Write the runbook"}, content_type="application/json"
    )
    assert r.status_code == 403
    assert not ActionItem.objects.exists()


def test_the_schema_says_the_caller_is_the_default(cast):
    schema = api_client(cast.member).get("/api/v1/openapi.json").json()
    props = schema["components"]["schemas"]["ActionItemIn"]["properties"]
    assert "owner_id" not in schema["components"]["schemas"]["ActionItemIn"].get("required", [])
    assert "the caller" in props["owner_id"]["description"]
