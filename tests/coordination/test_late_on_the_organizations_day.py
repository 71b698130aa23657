"""What is late is a figure of the organization: counted on its day (`core.days`, the day
the worker evaluates the dependency signals on), a dependency needed by 6 Dec reads the same
for a reader in Berlin, still on 6 Dec, one in Kolkata, already on 7 Dec, the API and the
job that announces late ones, whatever the site's time zone. A date a person types is still
"in the past" by their own day."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.core.errors import ServiceError
from accord.org.models import Person
from tests.conftest import api_client, at, login

NEEDED = dt.date(2026, 12, 6)
READ = dt.datetime(2026, 12, 6, 19, 10, tzinfo=dt.UTC)  # 20:10 in Berlin, 00:40 in Kolkata


@pytest.fixture
def needed_today(world):
    dep = world.request()
    Dependency.objects.filter(pk=dep.pk).update(need_by=NEEDED)
    Person.objects.filter(pk=world.asker.pk).update(timezone="Asia/Kolkata")
    Person.objects.filter(pk=world.giver.pk).update(timezone="Europe/Berlin")
    world.asker.refresh_from_db()
    world.giver.refresh_from_db()
    return dep


def _read(person, url: str):
    with at(READ):
        response = login(person).get(url)
    assert response.status_code == 200, url
    return response.context


def test_the_pages_read_it_not_late_yet_in_berlin_and_in_kolkata(world, needed_today):
    base = f"/o/{world.org.slug}/coordination"
    for reader in (world.giver, world.asker):
        detail = _read(reader, f"{base}/d/{needed_today.pk}/")
        assert detail["dep"].late is False, reader.timezone
        overview = _read(reader, f"{base}/?team=")
        assert overview["late_count"] == 0 and list(overview["late"]) == [], reader.timezone
        team = _read(reader, f"{base}/teams/{world.sales.slug}/")
        assert [d.late for d in team["outbound"]] == [False], reader.timezone
    # The next day of the organization, it is late for both.
    with at(READ + dt.timedelta(hours=5)):
        for reader in (world.giver, world.asker):
            response = login(reader).get(f"{base}/d/{needed_today.pk}/")
            assert response.context["dep"].late is True, reader.timezone


def test_the_api_and_the_announcement_count_on_the_organizations_day(world, needed_today, settings):
    settings.TIME_ZONE = "Asia/Kolkata"  # a site whose own clock is already on 7 Dec
    with at(READ):
        body = api_client(world.asker).get(f"/api/v1/dependencies/{needed_today.pk}").json()
        assert body["late"] is False
        assert services.announce_late(world.org) == 0
    assert not Event.objects.filter(verb="became_late").exists()


def test_said_delivered_is_stamped_with_the_organizations_day(world, needed_today, settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    dep = services.transition(
        world.org,
        None,
        needed_today,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=NEEDED,
    )
    with at(READ):
        dep = services.transition(world.org, world.giver, dep, "mark_delivered")
    assert dep.marked_delivered_on == NEEDED


def test_a_date_typed_in_is_in_the_past_by_the_readers_own_day(world, settings):
    settings.TIME_ZONE = "Asia/Kolkata"  # the person's day: 7 Dec, the organization's: 6 Dec
    with at(READ), pytest.raises(ServiceError) as refused:
        world.request(need_by=NEEDED)
    assert refused.value.code == "past_date"
