"""A team depending on itself, need-by in the past, unknown or foreign initiatives: refused,
with a clear error, and nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.core.errors import ServiceError
from tests.conftest import api_client
from tests.coordination.conftest import initiative


@pytest.fixture
def counted(world):
    def check():
        assert not Dependency.objects.exists()
        assert not Event.objects.filter(target_type="coordination.dependency").exists()

    return check


def test_it_refuses_a_team_depending_on_itself(world, counted):
    with pytest.raises(ServiceError) as exc:
        world.request(provider_team=world.sales)
    assert "cannot depend on itself" in exc.value.message
    assert "provider_team" in exc.value.fields
    counted()


def test_it_refuses_a_need_by_date_in_the_past(world, counted):
    with pytest.raises(ServiceError) as exc:
        world.request(need_by=world.today - dt.timedelta(days=1))
    assert "in the past" in exc.value.message
    assert "need_by" in exc.value.fields
    counted()


def test_it_refuses_an_initiative_of_another_organization(world, cast, counted):
    foreign = initiative(cast.other_org, cast.other_team, "Globex secret plan")
    with pytest.raises(ServiceError) as exc:
        world.request(requester_initiative=foreign)
    assert "requester_initiative" in exc.value.fields
    counted()


def test_it_refuses_a_provider_team_of_another_organization(world, cast, counted):
    with pytest.raises(ServiceError):
        world.request(provider_team=cast.other_team)
    counted()


def test_it_refuses_an_empty_title_and_an_unknown_priority(world, counted):
    with pytest.raises(ServiceError):
        world.request(title="   ")
    with pytest.raises(ServiceError):
        world.request(priority="urgent!!")
    counted()


def test_the_api_refuses_unknown_and_foreign_initiatives(world, cast, counted):
    client = api_client(world.asker)
    foreign = initiative(cast.other_org, cast.other_team, "Globex secret plan")
    base = {
        "provider_team_id": world.ops.pk,
        "title": "Stock",
        "need_by": (world.today + dt.timedelta(days=9)).isoformat(),
    }
    for bad in (999_999, foreign.pk):
        r = client.post(
            "/api/v1/dependencies",
            {**base, "requester_initiative_id": bad},
            content_type="application/json",
        )
        assert r.status_code == 422, r.content
        assert "requester_initiative_id" in r.json()["error"]["fields"]
    r = client.post(
        "/api/v1/dependencies",
        {
            **base,
            "requester_initiative_id": world.launch.pk,
            "provider_team_id": cast.other_team.pk,
        },
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "provider_team_id" in r.json()["error"]["fields"]
    r = client.post(
        "/api/v1/dependencies",
        {**base, "requester_initiative_id": world.launch.pk, "need_by": "2001-01-01"},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert "need_by" in r.json()["error"]["fields"]
    counted()


def test_accepting_with_another_teams_initiative_is_refused(world):
    dep = world.request()
    with pytest.raises(ServiceError) as exc:
        services.transition(
            world.org,
            world.giver,
            dep,
            "accept",
            provider_initiative=world.launch,
            committed_date=world.today,
        )
    assert "belongs to another team" in exc.value.message
    dep.refresh_from_db()
    assert dep.state == "requested"
