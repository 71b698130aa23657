"""A team's meeting keeps the issues it raised after they were escalated beyond it, saying
where each is now, and its action items list what falls due now before an old backlog:
first those not overdue yet, soonest due first (today, tomorrow), then the overdue ones,
the most recently due first."""

from __future__ import annotations

import datetime as dt

from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.rhythm import agenda, services
from tests.conftest import at


def _details(sections, key):
    return {i["title"]: i["detail"] for s in sections if s["key"] == key for i in s["items"]}


def _titles(sections, key):
    return [i["title"] for s in sections if s["key"] == key for i in s["items"]]


# Monday 7 Dec 2026, 08:00 UTC: the sync meets at 10:00 Berlin that day.
NOW = dt.datetime(2026, 12, 7, 8, tzinfo=dt.UTC)
TODAY = NOW.date()


def _sync(cast):
    return services.create_cadence(
        cast.org,
        None,
        name="Platform sync",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(10),
        timezone_name="Europe/Berlin",
        team=cast.platform,
        start_date=dt.date(2026, 11, 1),
        agenda=[
            {"key": "issues", "title": "Issues", "source": "issues"},
            {"key": "todos", "title": "Action items", "source": "action_items"},
        ],
    )


def test_an_issue_the_team_raised_and_escalated_stays_on_its_agenda_marked_where_it_is(cast):
    org = cast.org
    with at(NOW - dt.timedelta(days=3)):
        sync = _sync(cast)
        outage = decisions.raise_issue(
            org, None, cast.platform, "Login outage", severity="critical"
        )
        decisions.escalate_issue(org, None, outage, "Needs Security and the head's call.")
        decisions.raise_issue(org, None, cast.platform, "Flaky builds")
        sibling = org_services.create_team(org, None, name="Data", slug="data", parent=cast.root)
        decisions.raise_issue(org, None, sibling, "Not ours", severity="critical")
    with at(NOW):
        built = agenda.build(org, sync, None, now=NOW)
    details = _details(built, "issues")
    assert _titles(built, "issues") == ["Login outage", "Flaky builds"]
    assert details["Login outage"].startswith("Platform · now at Acme · critical · raised by")
    assert details["Flaky builds"].startswith("Platform · medium · raised by")
    # The meeting of the team it sits with now lists it as its own.
    with at(NOW - dt.timedelta(days=3)):
        top = services.create_cadence(
            org,
            None,
            name="Acme staff",
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(11),
            timezone_name="Europe/Berlin",
            team=cast.root,
            start_date=dt.date(2026, 11, 1),
            agenda=[{"key": "issues", "title": "Issues", "source": "issues"}],
        )
    with at(NOW):
        built = agenda.build(org, top, None, now=NOW)
    assert _details(built, "issues")["Login outage"].startswith("Acme · critical")


def test_action_items_due_now_come_before_the_overdue_backlog(cast):
    org = cast.org
    with at(NOW - dt.timedelta(days=120)):
        sync = _sync(cast)
    # A backlog of long-overdue items, enough to fill the first screen by itself.
    for n in range(agenda.FIRST_SCREEN + 2):
        with at(NOW - dt.timedelta(days=100)):
            decisions.create_action_item(
                org, None, f"Old {n}", cast.member, due_on=TODAY - dt.timedelta(days=90 - n)
            )
    with at(NOW - dt.timedelta(days=7)):
        decisions.create_action_item(
            org, None, "Last week's", cast.member, due_on=TODAY - dt.timedelta(days=2)
        )
        decisions.create_action_item(
            org, None, "Tomorrow's", cast.member, due_on=TODAY + dt.timedelta(days=1)
        )
        decisions.create_action_item(org, None, "Today's", cast.member, due_on=TODAY)
    with at(NOW):
        built = agenda.build(org, sync, None, now=NOW)
    shown = _titles(built, "todos")
    assert len(shown) == agenda.FIRST_SCREEN  # bounded as before: the rest on "show more"
    assert shown[:4] == ["Today's", "Tomorrow's", "Last week's", "Old 11"]
    details = _details(built, "todos")
    assert details["Today's"].endswith(f"due {TODAY.day} Dec 2026 (today)")
    assert details["Tomorrow's"].endswith(f"due {TODAY.day + 1} Dec 2026 (tomorrow)")
    assert details["Last week's"].endswith(" · overdue")
    # Opened whole, every item is there once, the oldest last.
    with at(NOW):
        whole = agenda.build(org, sync, None, now=NOW, limit=agenda.MORE_MAX)
    everything = _titles(whole, "todos")
    assert len(everything) == len(set(everything)) == agenda.FIRST_SCREEN + 5
    assert everything[-1] == "Old 0"
