"""Whether an action item was done on time is decided the same for everyone
(`followthrough.done_in_time`; its tallies on the organization's day, `core.days`),
whoever marks it done or reopens it and wherever they are: an item due on the 7th done on
Sydney's morning of the 8th is on time for a reader in Berlin, one in Sydney and the API
alike, and reopening it by someone in another zone takes off exactly what its completion
added."""

from __future__ import annotations

import datetime as dt
import importlib
import re

from django.apps import apps
from django.utils import timezone

from accord.decisions import followthrough, queries, services
from accord.decisions.models import ActionItem, FollowTally
from accord.org.models import Person
from tests.conftest import api_client, at, login

SET_UP = dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
DUE = dt.date(2026, 12, 7)
# 07:00 on the 8th in Sydney, 21:00 on the 7th in Berlin, 15:00 in New York.
DONE = dt.datetime(2026, 12, 7, 20, tzinfo=dt.UTC)


def _stored(org) -> dict:
    rows = FollowTally.objects.filter(org=org).values_list(
        "kind", "subject", "day", *followthrough.COLUMNS
    )
    return {(k, s, day): list(c) for k, s, day, *c in rows if any(c)}


def _tag(client, item) -> str:
    with at(DONE + dt.timedelta(minutes=5)):
        page = client.get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    return re.search(r'<div class="actions"><span class="tag[^"]*">([^<]+)</span>', page).group(1)


def _zones(cast) -> None:
    Person.objects.filter(pk=cast.member.pk).update(timezone="Australia/Sydney")
    Person.objects.filter(pk=cast.admin.pk).update(timezone="Europe/Berlin")
    Person.objects.filter(pk=cast.leader.pk).update(timezone="America/New_York")


def _item(cast) -> ActionItem:
    with at(SET_UP):
        return services.create_action_item(
            cast.org, None, "Send the contract", cast.member, DUE, cast.platform
        )


def test_done_on_sydneys_morning_is_on_time_for_every_reader(cast):
    _zones(cast)
    item = _item(cast)
    with at(DONE):
        done = login(cast.member).post(f"/o/acme/decisions/actions/{item.pk}/complete/")
        assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"

    for reader in (cast.member, cast.admin, cast.leader):
        assert _tag(login(reader), item) == "done", reader.name
    for zone in ("UTC", "Australia/Sydney", "Pacific/Kiritimati"):
        with timezone.override(zone):
            assert ActionItem.objects.get(pk=item.pk).done_on_time is True
    ft = queries.follow_through(cast.org, person=cast.member, today=DUE + dt.timedelta(days=1))
    assert (ft.due, ft.on_time, ft.late) == (1, 1, 0)
    with at(DONE + dt.timedelta(hours=12)):  # the next day's figures count the 7th
        api = api_client(cast.admin).get(
            "/api/v1/action-items/follow-through", {"person_id": cast.member.pk}
        )
    assert (api.json()["on_time"], api.json()["late"]) == (1, 0)


def test_reopened_in_berlin_after_being_done_in_sydney_counts_nothing_below_zero(cast):
    _zones(cast)
    item = _item(cast)
    with at(DONE):
        login(cast.member).post(f"/o/acme/decisions/actions/{item.pk}/complete/")
    with at(DONE + dt.timedelta(hours=1)):
        login(cast.admin).post(f"/o/acme/decisions/actions/{item.pk}/reopen/")
    assert ActionItem.objects.get(pk=item.pk).status == "open"
    stored = _stored(cast.org)
    assert all(c >= 0 for counts in stored.values() for c in counts), stored
    assert stored == followthrough.computed(cast.org.pk)

    # Done again through the API (no zone of its own), reopened on the web in New York.
    with at(DONE + dt.timedelta(hours=2)):
        done = api_client(cast.member).post(f"/api/v1/action-items/{item.pk}/complete")
        assert done.status_code == 200, done.content
        login(cast.leader).post(f"/o/acme/decisions/actions/{item.pk}/reopen/")
    stored = _stored(cast.org)
    assert all(c >= 0 for counts in stored.values() for c in counts), stored
    assert stored == followthrough.computed(cast.org.pk)


def test_the_migration_counts_stored_follow_through_anew(cast):
    item = _item(cast)
    with timezone.override("Australia/Sydney"):
        services.complete_action_item(cast.org, None, item, done_at=DONE)
    # As the stored counts were left by a reopen in another zone before this release.
    FollowTally.objects.filter(org=cast.org).update(on_time=-1, late=1)

    importlib.import_module(
        "accord.decisions.migrations.0018_follow_through_on_the_organizations_day"
    ).recount(apps, None)

    assert _stored(cast.org) == followthrough.computed(cast.org.pk)
    ft = queries.follow_through(cast.org, person=cast.member, today=DUE + dt.timedelta(days=1))
    assert (ft.due, ft.on_time, ft.late) == (1, 1, 0)
