"""The follow-through signal counts a team's action items as its action-items page does:
an item that slipped (re-dated once overdue) and was then done is late on the day it
missed, whatever its new date, and "done on the due date" is judged by one moment for
everyone, whatever the site's or the reader's zone: before the due day has ended everywhere
on Earth (12:00 UTC the next day, `followthrough.done_in_time`)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.test import override_settings

from accord.decisions import queries
from accord.decisions import services as decisions
from accord.intelligence import snapshot
from accord.intelligence.snapshot import ActionItemS
from tests.intelligence.test_detector_thresholds import (
    AS_OF,
    LEAD,
    PAT,
    PLATFORM,
    TODAY,
    defaults,
    evidence,
    found,
    one,
    org,
)
from tests.intelligence.world import Clock, build_org, controlled, evaluate_on, live

KIND = "actions.follow_through"


def test_a_team_whose_items_slipped_is_signalled_though_each_was_done_before_its_new_date(db):
    clock = Clock()
    with controlled(clock):
        w = build_org("slipco", {"Platform": 3}, checkins=False)
        p = w["Platform"]
        due = [dt.date(2026, 1, d) for d in (12, 13, 14, 15, 16)]  # Monday to Friday
        items = [
            decisions.create_action_item(w.org, None, f"Item {n + 1}", p.lead, d, team=p.team)
            for n, d in enumerate(due)
        ]
        for item in items[:2]:  # done on their due dates
            clock.at(item.due_on, 15)
            decisions.complete_action_item(w.org, None, item)
        clock.at(dt.date(2026, 1, 19), 10)  # the other three are overdue: re-dated
        slipped = [
            decisions.update_action_item(w.org, p.lead, item, due_on=dt.date(2026, 1, 23))
            for item in items[2:]
        ]
        assert [i.slipped_from for i in slipped] == due[2:]
        clock.at(dt.date(2026, 1, 21), 15)  # done two days before their new date
        for item in slipped:
            decisions.complete_action_item(w.org, None, item)

        # Before the slip, the snapshot knows nothing of it; after, it does.
        before = snapshot.load(w.org, dt.date(2026, 1, 18)).action_items
        after = snapshot.load(w.org, dt.date(2026, 1, 26)).action_items
        assert [before[i.pk].slipped_from for i in items] == [None] * 5
        assert [after[i.pk].slipped_from for i in items] == [None, None, *due[2:]]

        evaluate_on(w, clock, dt.date(2026, 1, 26))
        (signal,) = live(w.org, KIND, p.team)
        page = queries.follow_through(
            w.org, team=p.team, days=int(defaults(KIND)["days"]), today=dt.date(2026, 1, 26)
        )
    assert (page.due, page.on_time, page.late) == (5, 2, 3)
    assert signal.title == "Platform follows through on 40% of its action items"
    assert (signal.numbers["due"], signal.numbers["on_time"]) == (page.due, page.on_time)
    assert [e["value"] for e in signal.evidence] == ["Item 3", "Item 4", "Item 5"]


def slipped_items(slipped_from: list[dt.date]) -> dict[int, ActionItemS]:
    """Platform's items that slipped from those days, re-dated to yesterday and done the
    day before it: before their new date."""
    new_due = TODAY - dt.timedelta(days=1)
    done = dt.datetime.combine(new_due - dt.timedelta(days=1), dt.time(12), dt.UTC)
    out = {}
    for n, day in enumerate(slipped_from):
        out[100 + n] = ActionItemS(
            100 + n, f"Slipped {n + 1}", PAT, PLATFORM, "done", new_due, done,
            AS_OF - dt.timedelta(days=60), slipped_from=day,
        )  # fmt: skip
    return out


def test_a_slipped_item_counts_late_on_the_day_it_missed_inside_the_window_only():
    days = int(defaults(KIND)["days"])
    snap = org()
    snap.action_items.update(
        slipped_items([TODAY - dt.timedelta(days=d) for d in (days, 20, 10, 5)])
    )
    f = one(KIND, snap)
    assert f.numbers == {"due": 4, "on_time": 0, "share": 0.0}
    assert f.severity == "warning" and f.owner_id == LEAD[PLATFORM]
    # Slipped from a day before the window: not counted there, though now due inside it.
    snap.action_items[100].slipped_from = TODAY - dt.timedelta(days=days + 1)
    assert found(KIND, snap) == []  # 3 items: fewer than the fewest counted


def evening_items(done_local: list[dt.time | None]) -> dict[int, ActionItemS]:
    """Platform's items due on consecutive days before today, done on their due day at the
    given local (New York) time, or, None, still open."""
    ny = ZoneInfo("America/New_York")
    out = {}
    for n, at in enumerate(done_local):
        due = TODAY - dt.timedelta(days=1 + n)
        done = None if at is None else dt.datetime.combine(due, at, ny).astimezone(dt.UTC)
        out[n + 1] = ActionItemS(
            n + 1, f"Item {n + 1}", PAT, PLATFORM, "done" if done else "open", due, done,
            AS_OF - dt.timedelta(days=60),
        )  # fmt: skip
    return out


@override_settings(TIME_ZONE="America/New_York")
def test_an_item_done_on_its_due_day_is_on_time_by_the_organizations_day_whatever_the_site():
    snap = org()
    evening = dt.time(18, 30)  # 23:30 UTC: still the due day for the organization
    snap.action_items.update(evening_items([evening, evening, None, None, None]))
    f = one(KIND, snap)
    assert f.numbers == {"due": 5, "on_time": 2, "share": 0.4}
    assert evidence(f) == [("Not done on time", f"Item {n}") for n in (3, 4, 5)]
    # Done after UTC's midnight, still the due day in New York (20:30 there): on time.
    snap.action_items[1].done_at += dt.timedelta(hours=2)
    assert snap.action_items[1].done_at.date() > snap.action_items[1].due_on  # in UTC
    assert one(KIND, snap).numbers == {"due": 5, "on_time": 2, "share": 0.4}
    # Once the due day has ended everywhere (12:00 UTC the next day) it is late, as on the
    # team's page.
    snap.action_items[1].done_at += dt.timedelta(hours=12, minutes=30)
    assert one(KIND, snap).numbers == {"due": 5, "on_time": 1, "share": 0.2}
