"""An action item done before its due day has ended everywhere on Earth (12:00 UTC the next
day) is done on time, for every reader: Omar in Los Angeles, finishing at 17:30 on his due
day (01:30 UTC the next day), is not counted late, on his item's page, in the action items'
figures, the API's, the team's follow-through signal and the stored tallies. Done at 12:30
UTC the next day, it is late everywhere. No reader's zone enters it, so the figures stay
the same for all."""

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
IN_TIME = dt.datetime(2026, 12, 8, 1, 30, tzinfo=dt.UTC)  # 17:30 on the 7th in Los Angeles
TOO_LATE = dt.datetime(2026, 12, 8, 12, 30, tzinfo=dt.UTC)  # the 7th is over everywhere
READ = dt.datetime(2026, 12, 9, 15, tzinfo=dt.UTC)


def _stored(org) -> dict:
    rows = FollowTally.objects.filter(org=org).values_list(
        "kind", "subject", "day", *followthrough.COLUMNS
    )
    return {(k, s, day): list(c) for k, s, day, *c in rows if any(c)}


def _tag(client, item) -> str:
    with at(READ):
        page = client.get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    return re.search(r'<div class="actions"><span class="tag[^"]*">([^<]+)</span>', page).group(1)


def _done(cast, when: dt.datetime) -> ActionItem:
    Person.objects.filter(pk=cast.member.pk).update(timezone="America/Los_Angeles")
    Person.objects.filter(pk=cast.admin.pk).update(timezone="Asia/Tokyo")
    with at(SET_UP):
        item = services.create_action_item(
            cast.org, None, "Send the contract", cast.member, DUE, cast.platform
        )
    with at(when):
        done = login(cast.member).post(f"/o/acme/decisions/actions/{item.pk}/complete/")
        assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.done_at == when
    return item


def _figures(cast) -> list[tuple[int, int, int]]:
    """(due, on time, late) for the owner and the team, as the queries, the API and the
    stored tallies' recount say them, read the day after."""
    today = DUE + dt.timedelta(days=2)
    out = []
    for ft in (
        queries.follow_through(cast.org, person=cast.member, today=today),
        queries.follow_through(cast.org, team=cast.platform, today=today),
    ):
        out.append((ft.due, ft.on_time, ft.late))
    with at(READ):
        for params in ({"person_id": cast.member.pk}, {"team_id": cast.platform.pk}):
            ft = api_client(cast.admin).get("/api/v1/action-items/follow-through", params).json()
            out.append((ft["due"], ft["on_time"], ft["late"]))
    return out


def test_done_on_the_due_evening_in_los_angeles_is_on_time_for_everyone(cast):
    item = _done(cast, IN_TIME)
    assert followthrough.done_in_time(IN_TIME, DUE)
    for zone in ("UTC", "America/Los_Angeles", "Asia/Tokyo", "Pacific/Kiritimati"):
        with timezone.override(zone):
            assert ActionItem.objects.get(pk=item.pk).done_on_time is True, zone
    for reader in (cast.member, cast.admin, cast.leader):
        assert _tag(login(reader), item) == "done", reader.name
    assert set(_figures(cast)) == {(1, 1, 0)}
    assert _stored(cast.org) == followthrough.computed(cast.org.pk)


def test_done_once_the_due_day_has_ended_everywhere_is_late(cast):
    item = _done(cast, TOO_LATE)
    assert not followthrough.done_in_time(TOO_LATE, DUE)
    for zone in ("UTC", "America/Los_Angeles", "Pacific/Kiritimati"):
        with timezone.override(zone):
            assert ActionItem.objects.get(pk=item.pk).done_on_time is False, zone
    for reader in (cast.member, cast.admin):
        assert _tag(login(reader), item) == "done late", reader.name
    assert set(_figures(cast)) == {(1, 0, 1)}
    assert _stored(cast.org) == followthrough.computed(cast.org.pk)


def test_the_last_moment_of_the_due_day_anywhere(cast):
    end = dt.datetime(2026, 12, 8, 12, tzinfo=dt.UTC)  # midnight ending the 7th at UTC-12
    assert followthrough.done_in_time(end - dt.timedelta(seconds=1), DUE)
    assert not followthrough.done_in_time(end, DUE)
    # Sydney's morning of the 8th (the 7th in UTC) stays on time, as before.
    assert followthrough.done_in_time(dt.datetime(2026, 12, 7, 20, tzinfo=dt.UTC), DUE)


def _signal(cast) -> dict:
    """The numbers of the Insights signal `actions.follow_through` for Platform, read at
    `READ` (its threshold raised so that it speaks whatever the share)."""
    from accord.intelligence import detectors, snapshot

    with at(READ):
        snap = snapshot.load(cast.org)
    cfg = {"days": followthrough.WINDOW_DAYS, "threshold": 1.01, "min_items": 1}
    [found] = [
        f for f in detectors.follow_through(snap, cfg) if f.subject_id == str(cast.platform.pk)
    ]
    return found.numbers


def test_the_team_signal_counts_with_the_same_rule(cast):
    _done(cast, IN_TIME)
    assert _signal(cast) == {"due": 1, "on_time": 1, "share": 1.0}
    ActionItem.objects.update(done_at=TOO_LATE)
    assert _signal(cast) == {"due": 1, "on_time": 0, "share": 0.0}


def test_re_dated_on_the_due_evening_in_los_angeles_has_not_slipped(cast):
    with at(SET_UP):
        item = services.create_action_item(
            cast.org, None, "Send the contract", cast.member, DUE, cast.platform
        )
    with at(IN_TIME):
        services.update_action_item(cast.org, None, item, due_on=DUE + dt.timedelta(days=3))
    item.refresh_from_db()
    assert item.slipped_from is None
    with at(TOO_LATE + dt.timedelta(days=3)):
        services.update_action_item(cast.org, None, item, due_on=DUE + dt.timedelta(days=9))
    item.refresh_from_db()
    assert item.slipped_from == DUE + dt.timedelta(days=3)


def test_the_migration_counts_stored_follow_through_anew(cast):
    with at(SET_UP):
        item = services.create_action_item(
            cast.org, None, "Send the contract", cast.member, DUE, cast.platform
        )
    services.complete_action_item(cast.org, None, item, done_at=IN_TIME)
    # As the stored counts were left by the rule before this release: late.
    FollowTally.objects.filter(org=cast.org, day=DUE).update(on_time=0, late=1)
    assert _stored(cast.org) != followthrough.computed(cast.org.pk)

    importlib.import_module(
        "accord.decisions.migrations.0020_follow_through_on_time_anywhere_on_earth"
    ).recount(apps, None)

    assert _stored(cast.org) == followthrough.computed(cast.org.pk)
    ft = queries.follow_through(cast.org, person=cast.member, today=DUE + dt.timedelta(days=2))
    assert (ft.due, ft.on_time, ft.late) == (1, 1, 0)
