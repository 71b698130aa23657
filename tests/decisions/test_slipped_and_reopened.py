"""An action item re-dated once it was overdue has slipped: done, it counts late on the
date it missed, whatever its new date (the page says so, the API's figures agree, and the
stored tallies equal a recount); re-planned before it was due, it counts against its new
date. Reopened, an item is back with its owner (their inbox and home) as before it was
closed, told who reopened it."""

from __future__ import annotations

import datetime as dt
import importlib
import re

from django.apps import apps
from django.utils import timezone

from accord.conversation.models import InboxItem
from accord.decisions import followthrough, queries, services
from accord.decisions.models import ActionItem, FollowTally
from accord.web.templatetags.dates import day
from tests.conftest import api_client, at, login
from tests.decisions.helpers import recorded_long_ago


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _stored(org) -> dict:
    rows = FollowTally.objects.filter(org=org).values_list(
        "kind", "subject", "day", *followthrough.COLUMNS
    )
    return {(k, s, day): list(c) for k, s, day, *c in rows if any(c)}


def _figures(ft) -> tuple:
    return (ft.due, ft.on_time, ft.late, ft.overdue, ft.undated_done, ft.undated_open)


def _page_figures(client, person) -> tuple[str, str]:
    page = client.get("/o/acme/decisions/actions/", {"person": person.pk}).content.decode()
    on_time = re.search(r"<dt>On time / due \(30 d\)</dt><dd>([^<]*)</dd>", page).group(1)
    late = re.search(r"<dt>Done late \(30 d\)</dt><dd>([^<]*)</dd>", page).group(1)
    return on_time, late


def _slipped(page: str) -> str:
    """The item page's line saying it slipped, as read."""
    found = re.search(r"<p data-slipped>(.*?)</p>", page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def test_an_overdue_item_moved_to_a_later_date_and_done_by_it_counts_late(cast):
    org, today = cast.org, timezone.localdate()
    missed = today - dt.timedelta(days=10)
    item = services.create_action_item(
        org,
        cast.leader,
        "Send the report",
        cast.member,
        missed,
        team=cast.platform,
        **recorded_long_ago(),
    )
    client = api_client(cast.member)
    later = today + dt.timedelta(days=10)
    resp = client.patch(
        f"/api/v1/action-items/{item.pk}", {"due_on": later.isoformat()}, "application/json"
    )
    assert resp.status_code == 200, resp.content
    assert resp.json()["slipped_from"] == missed.isoformat()
    assert client.post(f"/api/v1/action-items/{item.pk}/complete").status_code == 200

    # Done today, well before its new date: late all the same, on the day it missed.
    ft = client.get("/api/v1/action-items/follow-through", {"person_id": cast.member.pk}).json()
    assert (ft["due"], ft["on_time"], ft["late"], ft["overdue_now"]) == (1, 0, 1, 0)
    team = client.get("/api/v1/action-items/follow-through", {"team_id": cast.platform.pk}).json()
    assert (team["due"], team["on_time"], team["late"]) == (1, 0, 1)
    # And still late once the new date has passed.
    after = queries.follow_through(org, person=cast.member, today=later + dt.timedelta(days=5))
    assert (after.due, after.on_time, after.late) == (1, 0, 1)
    web = login(cast.member)
    assert _page_figures(web, cast.member) == ("0 / 1", "1")

    page = web.get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    assert _slipped(page) == (
        f"slipped Was due {day(missed)}, moved to {day(later)} after it was overdue: "
        "follow-through counts it done late."
    )
    assert ">done late</span>" in page

    assert _stored(org) == followthrough.computed(org.pk)
    for t in (today, later + dt.timedelta(days=5)):
        stored = queries.follow_through(org, person=cast.member, today=t)
        assert _figures(stored) == _figures(
            queries.counted_follow_through(org, person=cast.member, today=t)
        )


def test_an_overdue_item_whose_due_date_is_taken_away_counts_late_once_done(cast):
    org, today = cast.org, timezone.localdate()
    missed = today - dt.timedelta(days=4)
    item = services.create_action_item(
        org, cast.leader, "Call back", cast.member, missed, **recorded_long_ago()
    )
    item = services.update_action_item(org, cast.member, item, due_on=None)
    assert item.slipped_from == missed
    services.complete_action_item(org, cast.member, item)

    ft = queries.follow_through(org, person=cast.member)
    assert (ft.due, ft.on_time, ft.late, ft.undated_done) == (1, 0, 1, 0)
    counted = queries.counted_follow_through(org, person=cast.member)
    assert _figures(ft) == _figures(counted)
    assert _stored(org) == followthrough.computed(org.pk)
    page = login(cast.member).get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    assert _slipped(page) == (
        f"slipped Was due {day(missed)}, its due date taken away after it was overdue: "
        "follow-through counts it done late."
    )


def test_an_item_re_planned_before_it_was_due_counts_against_its_new_date(cast):
    org, today = cast.org, timezone.localdate()
    first = today - dt.timedelta(days=6)
    item = services.create_action_item(
        org, cast.leader, "Book the room", cast.member, first,
        created_at=timezone.now() - dt.timedelta(days=14),  # never due before it was recorded
    )  # fmt: skip
    # Re-planned nine days ago, three days before it was due, to two days ago...
    with at(_at(today - dt.timedelta(days=9))):
        item = services.update_action_item(
            org, cast.member, item, due_on=today - dt.timedelta(days=2)
        )
    assert item.slipped_from is None
    # ...and done three days ago: after the first date, by the new one.
    services.complete_action_item(org, cast.member, item, done_at=_at(today - dt.timedelta(3)))

    ft = api_client(cast.member).get(
        "/api/v1/action-items/follow-through", {"person_id": cast.member.pk}
    )
    assert (ft.json()["due"], ft.json()["on_time"], ft.json()["late"]) == (1, 1, 0)
    assert _page_figures(login(cast.member), cast.member) == ("1 / 1", "0")
    page = login(cast.member).get(f"/o/acme/decisions/actions/{item.pk}/").content.decode()
    assert _slipped(page) == "" and ">done</span>" in page
    assert _stored(org) == followthrough.computed(org.pk)


def test_an_item_re_dated_again_keeps_the_date_it_first_missed(cast):
    org, today = cast.org, timezone.localdate()
    missed = today - dt.timedelta(days=20)
    item = services.create_action_item(
        org, cast.leader, "Renew the cert", cast.member, missed,
        created_at=timezone.now() - dt.timedelta(days=30),  # never due before it was recorded
    )  # fmt: skip
    item = services.update_action_item(org, cast.member, item, due_on=today - dt.timedelta(3))
    item = services.update_action_item(org, cast.member, item, due_on=today + dt.timedelta(9))
    assert item.slipped_from == missed
    # Open, it is what its current date makes it: not overdue now.
    assert queries.overdue_now_by(org, "owner", [cast.member.pk]) == {}
    assert _stored(org) == followthrough.computed(org.pk)


def test_the_migration_marks_the_items_whose_events_show_they_slipped(cast):
    org, today = cast.org, timezone.localdate()
    missed = today - dt.timedelta(days=8)
    slipped = services.create_action_item(
        org, cast.leader, "Slipped", cast.member, missed, **recorded_long_ago()
    )
    services.update_action_item(org, cast.member, slipped, due_on=today + dt.timedelta(5))
    services.complete_action_item(org, cast.member, slipped)
    planned = services.create_action_item(org, cast.leader, "Planned", cast.member, today)
    services.update_action_item(org, cast.member, planned, due_on=today + dt.timedelta(5))
    # As before the field: nothing marked, the tallies counted without it.
    ActionItem.objects.filter(org=org).update(slipped_from=None)
    followthrough.recompute(org.pk)
    assert queries.follow_through(org, person=cast.member).on_time == 0  # due in the future

    importlib.import_module("accord.decisions.migrations.0015_action_item_slipped_from").slipped(
        apps, None
    )

    assert ActionItem.objects.get(pk=slipped.pk).slipped_from == missed
    assert ActionItem.objects.get(pk=planned.pk).slipped_from is None
    assert _stored(org) == followthrough.computed(org.pk)
    ft = queries.follow_through(org, person=cast.member)
    assert (ft.due, ft.late) == (1, 1)


# --- reopened ------------------------------------------------------------------------------


def _inbox(person) -> list[InboxItem]:
    return list(InboxItem.objects.filter(person=person, kind="action", done_at__isnull=True))


def _home_items(client) -> str:
    page = client.get("/o/acme/").content.decode()
    part = re.search(r'id="work-items-h".*?</ul>', page, re.S)
    return part.group(0) if part else ""


def test_undoing_a_done_brings_the_item_back_to_its_owner_as_it_was(cast):
    org, today = cast.org, timezone.localdate()
    item = services.create_action_item(
        org,
        cast.leader,
        "Fix the alerts",
        cast.member,
        today - dt.timedelta(days=3),
        **recorded_long_ago(),
    )
    (before,) = _inbox(cast.member)
    client = login(cast.member)
    assert "Fix the alerts" in _home_items(client)
    client.post(f"/o/acme/decisions/actions/{item.pk}/complete/")
    assert _inbox(cast.member) == [] and "Fix the alerts" not in _home_items(client)

    client.post(f"/o/acme/decisions/actions/{item.pk}/reopen/")  # the message's Undo

    (after,) = _inbox(cast.member)
    assert (after.pk, after.title, after.read_at, after.created_at) == (
        before.pk,
        before.title,
        before.read_at,
        before.created_at,
    )
    home = _home_items(client)
    assert "Fix the alerts" in home and "overdue" in home
    inbox = client.get("/o/acme/inbox/").content.decode()
    assert "Action item for you: Fix the alerts" in inbox


def test_an_item_reopened_by_someone_else_is_back_in_its_owners_inbox_saying_who(cast):
    org, today = cast.org, timezone.localdate()
    for close in (services.complete_action_item, services.drop_action_item):
        item = services.create_action_item(
            org,
            cast.leader,
            f"Rotate keys {close.__name__}",
            cast.member,
            today - dt.timedelta(2),
            **recorded_long_ago(),
        )
        InboxItem.objects.filter(person=cast.member).update(read_at=timezone.now())
        close(org, cast.member, item)
        assert _inbox(cast.member) == []

        services.reopen_action_item(org, cast.admin, item)

        (back,) = _inbox(cast.member)
        assert back.title == f"Reopened by Ada Admin: {item.title} (due {day(item.due_on)})"
        assert back.read_at is None and back.actor_id == cast.admin.pk
        assert back.link == f"/o/acme/decisions/actions/{item.pk}/"
        client = login(cast.member)
        assert (
            f"Reopened by Ada Admin: {item.title}" in client.get("/o/acme/inbox/").content.decode()
        )
        assert item.title in _home_items(client)
        services.complete_action_item(org, cast.member, item)
