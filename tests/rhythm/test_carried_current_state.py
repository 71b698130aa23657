"""What a meeting carries forward from the last one: dependencies declined, cancelled or
delivered since stop carrying, and a carried item shows its state at this meeting beside
the one it had then."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.org import services as org_services
from accord.rhythm import services
from tests.conftest import at, login
from tests.rhythm.conftest import utc

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin
SECOND = utc(2026, 11, 16, 9)
ASKED = utc(2026, 11, 5, 12)  # between the sync of 2 Nov and FIRST: new on FIRST's agenda


@pytest.fixture
def world(cast, rhythm):
    org = cast.org
    with at(ASKED):
        data = org_services.create_team(org, None, name="Data", slug="data", parent=cast.root)
        mine = alignment.create_initiative(
            org, None, team=cast.platform, title="Checkout", start_date=dt.date(2026, 10, 1)
        )
        theirs = alignment.create_initiative(
            org, None, team=data, title="Pipeline", start_date=dt.date(2026, 10, 1)
        )
        deps = {
            title: coordination.create_dependency(
                org,
                None,
                requester_initiative=mine,
                provider_team=data,
                title=title,
                need_by=dt.date(2026, 12, 20),
            )
            for title in ("Quote PDF", "Webhook", "Ledger", "Offline sync")
        }
    m = services.open_meeting(org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(org, cast.leader, m, now=FIRST)
    on_agenda = {i["title"] for s in m.agenda_snapshot for i in s["items"]}
    assert set(deps) <= on_agenda  # all four new then, none ticked off
    services.finish_meeting(org, cast.leader, m, now=FIRST + dt.timedelta(hours=1))
    # Since: one declined, one cancelled, one delivered, one accepted for a date.
    coordination.transition(org, None, deps["Quote PDF"], "decline", note="No capacity")
    coordination.transition(org, None, deps["Webhook"], "cancel", note="Not needed")
    coordination.transition(
        org,
        None,
        deps["Ledger"],
        "accept",
        provider_initiative=theirs,
        committed_date=dt.date(2026, 12, 1),
    )
    coordination.transition(org, None, deps["Ledger"], "confirm_delivery")
    coordination.transition(
        org,
        None,
        deps["Offline sync"],
        "accept",
        provider_initiative=theirs,
        committed_date=dt.date(2026, 12, 18),
    )
    return deps


def test_closed_dependencies_stop_carrying_and_open_ones_show_their_state_now(cast, rhythm, world):
    nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
    nxt = services.start_meeting(cast.org, cast.leader, nxt, now=SECOND)
    deps = [i for i in nxt.carried_in if i["ref"].startswith("dependency:")]
    assert [i["title"] for i in deps] == ["Offline sync"]
    (offline,) = deps
    assert offline["as_of"] == "9 Nov 2026"
    assert offline["detail"].endswith("· requested · new")  # what it said then
    assert offline["current"] == "accepted · committed for 18 Dec 2026"  # and at this one
    page = login(cast.member).get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{nxt.key}/")
    text = page.content.decode()
    assert "on 9 Nov 2026: " in text
    assert "→ at this meeting: accepted · committed for 18 Dec 2026" in text
    assert "Quote PDF" not in text and "Webhook" not in text and "Ledger" not in text


def test_the_live_agenda_says_now(cast, rhythm, world):
    nxt = services.open_meeting(cast.org, cast.leader, rhythm.sync, SECOND)
    with at(SECOND - dt.timedelta(hours=1)):  # read before it, while 18 Dec is ahead
        text = login(cast.member).get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{nxt.key}/")
    text = text.content.decode()
    assert "→ now: accepted · committed for 18 Dec 2026" in text
    assert "Quote PDF" not in text
