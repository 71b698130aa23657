"""A retired team is not asked: a new request to one is refused by the service, with the
reason, on the page, by the API (and by MCP, tests/mcp/test_edit_dependency.py), as a
request sent on to one already is (test_edit_request.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.core.errors import ServiceError
from accord.org import services as org_services
from tests.conftest import api_client, login


@pytest.fixture
def retired(world):
    """Logistics, a team that has stopped working."""
    team = org_services.create_team(
        world.org, None, name="Logistics", slug="logistics", parent=world.ops.parent
    )
    org_services.retire_team(world.org, None, team)
    return team


def _nothing_asked(world) -> None:
    assert not Dependency.objects.filter(org=world.org).exists()
    assert not Event.objects.filter(org=world.org, target_type="coordination.dependency").exists()


def test_the_service_refuses_to_ask_a_retired_team(world, retired):
    with pytest.raises(ServiceError, match="Logistics is retired; ask a team") as caught:
        world.request(provider_team=retired)
    assert caught.value.code == "retired_team"
    assert caught.value.fields == {"provider_team": ["Logistics is retired."]}
    _nothing_asked(world)
    # Accord itself (an actor of None) is refused too: no one asks a retired team.
    with pytest.raises(ServiceError, match="Logistics is retired"):
        services.create_dependency(
            world.org,
            None,
            requester_initiative=world.launch,
            provider_team=retired,
            title="Racks",
            need_by=world.today + dt.timedelta(days=9),
        )
    _nothing_asked(world)


def test_the_api_refuses_a_retired_team_naming_the_field_it_was_given_in(world, retired):
    client = api_client(world.asker)
    body = {
        "requester_initiative_id": world.launch.pk,
        "title": "Racks",
        "need_by": (world.today + dt.timedelta(days=9)).isoformat(),
    }
    r = client.post(
        "/api/v1/dependencies", {**body, "provider_team_id": retired.pk}, "application/json"
    )
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert "Logistics is retired; ask a team that is still working." in error["message"]
    assert error["fields"] == {"provider_team_id": ["Logistics is retired."]}
    _nothing_asked(world)
    # The asking team itself, too, is named as the body names it.
    r = client.post(
        "/api/v1/dependencies", {**body, "provider_team_id": world.sales.pk}, "application/json"
    )
    assert r.status_code == 422 and "provider_team_id" in r.json()["error"]["fields"]
    _nothing_asked(world)


def test_the_page_says_the_team_has_retired_when_it_retired_while_the_form_was_open(world, retired):
    """The team search offers no retired team; one chosen before it retired (the form open
    meanwhile) is refused with the reason, not as an unknown choice."""
    client = login(world.asker)
    url = f"/o/{world.org.slug}/coordination/new/"
    r = client.post(
        url,
        {
            "requester_initiative": world.launch.pk,
            "provider_team": retired.pk,
            "title": "Racks",
            "priority": "medium",
            "need_by": (world.today + dt.timedelta(days=9)).isoformat(),
        },
    )
    assert r.status_code == 200
    page = r.content.decode()
    assert "Logistics is retired; ask a team that is still working." in page
    _nothing_asked(world)
