"""Need-by, proposed and committed dates lie in 1900 to 2999 (the one rule of
accord.core.dates): refused by the page beside the field, by the API and by the services,
with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.coordination import services
from accord.coordination.models import Dependency, State
from accord.core.errors import ServiceError
from tests.conftest import api_client, login

RANGE = "1900 to 2999"


@pytest.mark.parametrize("day", [dt.date(9999, 12, 31), dt.date(3000, 1, 1)])
def test_a_need_by_date_outside_the_supported_years_is_refused(world, day):
    with pytest.raises(ServiceError) as exc:
        world.request(need_by=day)
    assert exc.value.code == "out_of_range" and RANGE in exc.value.message
    assert "need_by" in exc.value.fields
    assert not Dependency.objects.exists()


def test_the_api_refuses_a_need_by_date_in_year_9999(world):
    client = api_client(world.asker)
    response = client.post(
        "/api/v1/dependencies",
        {
            "requester_initiative_id": world.launch.pk,
            "provider_team_id": world.ops.pk,
            "title": "Stock",
            "need_by": "9999-12-31",
        },
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert "need_by" in response.json()["error"]["fields"]
    assert not Dependency.objects.exists()


def test_proposing_another_date_in_year_9999_is_refused_on_the_page(world):
    dep = world.request()
    events = Event.objects.count()
    response = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/propose/",
        {"proposed_date": "9999-12-31", "note": "Later", "version": dep.version},
    )
    assert response.status_code == 422
    assert f"Dates are supported from {RANGE}." in response.content.decode()
    dep.refresh_from_db()
    assert dep.state == State.REQUESTED and dep.proposed_date is None
    assert Event.objects.count() == events


def test_proposing_another_date_in_year_9999_is_refused_by_the_service(world):
    dep = world.request()
    with pytest.raises(ServiceError) as exc:
        services.transition(
            world.org,
            world.giver,
            dep,
            "propose",
            proposed_date=dt.date(9999, 12, 31),
            note="Later",
        )
    assert "proposed_date" in exc.value.fields and RANGE in exc.value.message
    dep.refresh_from_db()
    assert dep.state == State.REQUESTED and dep.proposed_date is None


def test_a_recorded_dependency_with_a_committed_date_in_year_1_is_refused(world):
    with pytest.raises(ServiceError) as exc:
        services.record_dependency(
            world.org,
            None,
            requester_initiative=world.launch,
            provider_team=world.ops,
            title="From a file",
            need_by=world.today,
            state=State.ACCEPTED,
            provider_initiative=world.warehouse,
            committed_date=dt.date(1, 1, 1),
        )
    assert "committed_date" in exc.value.fields and "(0001-01-01)" in exc.value.message
    assert not Dependency.objects.exists()
