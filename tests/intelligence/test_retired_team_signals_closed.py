"""Signals that go away because their team was retired are closed, not resolved: Insights'
"Resolved since last week" does not list them as if retiring had fixed anything."""

from __future__ import annotations

import datetime as dt

from accord.intelligence import pages
from accord.intelligence.models import CLOSED_TEAM_RETIRED, Signal, SignalState
from accord.intelligence.snapshot import as_moment
from accord.org import services as org_services
from tests.conftest import api_client, login
from tests.intelligence.world import build_org, check_in, evaluate_on, live

D = dt.date
KIND = "checkins.missed_in_a_row"


def silent_web_team(clock):
    w = build_org("quietco")
    web = w["Web"]
    for friday in (D(2026, 1, 9), D(2026, 1, 16)):
        clock.at(friday, 10)
        check_in(w.org, web.checkin, web.people, clock)
    evaluate_on(w, clock, D(2026, 1, 31))
    [signal] = live(w.org, KIND, web.team)
    return w, web, signal


def test_a_signal_of_a_retired_team_is_closed_not_resolved(db, clock):
    w, web, signal = silent_web_team(clock)
    clock.at(D(2026, 2, 2), 9)
    org_services.retire_team(w.org, None, web.team, on=D(2026, 2, 2))
    evaluate_on(w, clock, D(2026, 2, 2))

    signal.refresh_from_db()
    assert signal.state == SignalState.RESOLVED
    assert signal.closed_reason == CLOSED_TEAM_RETIRED
    week_before = as_moment(D(2026, 1, 26))
    assert signal not in pages.resolved_since(w.org, None, week_before, limit=100)
    # Its own page says why it went away.
    admin = w.admin
    admin.user = org_services.ensure_user("admin@quietco.example", None, name=admin.name)
    admin.save(update_fields=["user"])
    page = login(admin).get(f"/o/quietco/insights/signals/{signal.pk}/").content.decode()
    assert "Closed: team retired" in page and ">Resolved<" not in page
    # And the API says so.
    answer = api_client(admin).get(f"/api/v1/signals/{signal.pk}").json()
    assert (answer["state"], answer["closed_reason"]) == ("resolved", "team_retired")


def test_a_signal_whose_cause_went_away_is_resolved_and_listed(db, clock):
    w, web, signal = silent_web_team(clock)
    for day in (D(2026, 2, 6), D(2026, 2, 13)):
        clock.at(day, 10)
        check_in(w.org, web.checkin, web.people, clock)
    evaluate_on(w, clock, D(2026, 2, 13))

    signal.refresh_from_db()
    assert (signal.state, signal.closed_reason) == (SignalState.RESOLVED, "")
    assert signal in pages.resolved_since(w.org, None, as_moment(D(2026, 2, 6)), limit=100)


def test_a_closed_signal_found_again_opens_without_its_reason(db, clock):
    w, _web, signal = silent_web_team(clock)
    # As a retirement left it (say the team came back with its silent members).
    Signal.objects.filter(pk=signal.pk).update(
        state=SignalState.RESOLVED, resolved_at=as_moment(D(2026, 1, 31)),
        closed_reason=CLOSED_TEAM_RETIRED,
    )  # fmt: skip
    evaluate_on(w, clock, D(2026, 1, 31), hour=18)

    signal.refresh_from_db()  # still silent: found again, open, and no longer "closed"
    assert (signal.state, signal.closed_reason) == (SignalState.OPEN, "")
