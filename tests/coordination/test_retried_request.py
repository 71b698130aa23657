"""A request sent twice through the API reaches the other team once: the second is
refused (code `duplicate`, naming the first) as the ask form asks about it, unless sent
with `"again": true`."""

from __future__ import annotations

import datetime as dt

from accord.coordination.models import Dependency
from tests.conftest import api_client


def test_the_same_request_sent_twice_is_asked_once_unless_sent_again(world):
    api = api_client(world.asker)
    body = {
        "requester_initiative_id": world.launch.pk,
        "provider_team_id": world.ops.pk,
        "title": "Pallets for the launch",
        "need_by": (world.today + dt.timedelta(days=20)).isoformat(),
    }
    first = api.post("/api/v1/dependencies", body, content_type="application/json")
    assert first.status_code == 201, first.content
    again = api.post("/api/v1/dependencies", body, content_type="application/json")
    assert again.status_code == 422, again.content
    error = again.json()["error"]
    assert error["code"] == "duplicate" and error["existing_id"] == first.json()["id"]
    assert "Operations was already asked for this for Spring launch" in error["message"]
    assert Dependency.objects.filter(title="Pallets for the launch").count() == 1
    sent = api.post(
        "/api/v1/dependencies", {**body, "again": True}, content_type="application/json"
    )
    assert sent.status_code == 201, sent.content
    assert Dependency.objects.filter(title="Pallets for the launch").count() == 2
