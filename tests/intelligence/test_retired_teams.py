"""A retired team raises no signal and leaves the health roll-up; its past stays."""

from __future__ import annotations

import datetime as dt

from accord.intelligence.models import HealthScore
from accord.org import services as org_services
from tests.intelligence.world import build_org, check_in, evaluate_on, live

D = dt.date


def test_retiring_a_silent_team_resolves_its_signals_and_drops_its_health(db, clock):
    w = build_org("quietco")
    web = w["Web"]
    for friday in (D(2026, 1, 9), D(2026, 1, 16)):
        clock.at(friday, 10)
        check_in(w.org, web.checkin, web.people, clock)
    evaluate_on(w, clock, D(2026, 1, 31))
    assert live(w.org, "checkins.missed_in_a_row", web.team) != []
    assert HealthScore.objects.filter(org=w.org, team=web.team, date=D(2026, 1, 31)).exists()

    clock.at(D(2026, 2, 2), 9)
    org_services.retire_team(w.org, None, web.team, on=D(2026, 2, 2))
    evaluate_on(w, clock, D(2026, 2, 2))
    assert live(w.org, "checkins.missed_in_a_row", web.team) == []
    # No team signal names it any more, and it has no score of its own that day ...
    assert not [s for s in live_of(w) if web.team.pk in s]
    today = HealthScore.objects.filter(org=w.org, date=D(2026, 2, 2))
    assert not today.filter(team=web.team).exists()
    assert today.filter(team=w.root).exists()
    # ... while its score of the day before stays, as history.
    assert HealthScore.objects.filter(org=w.org, team=web.team, date=D(2026, 1, 31)).exists()


def live_of(w) -> list[set[int]]:
    from accord.intelligence.models import Signal, SignalState, SignalTeam

    ids = Signal.objects.filter(org=w.org).exclude(state=SignalState.RESOLVED).values("pk")
    out: dict[int, set[int]] = {}
    for sid, tid in SignalTeam.objects.filter(signal_id__in=ids).values_list(
        "signal_id", "team_id"
    ):
        out.setdefault(sid, set()).add(tid)
    return list(out.values())


def test_a_scope_counts_and_a_team_page_counts_current_sub_teams_as_the_directory_does(cast):
    from accord.org import services as org_services
    from tests.conftest import login

    org_services.create_team(cast.org, None, name="Tools", parent=cast.platform)
    gone = org_services.create_team(cast.org, None, name="Old guild", parent=cast.platform)
    org_services.retire_team(cast.org, cast.admin, gone)
    client = login(cast.admin)
    insights = client.get(f"/o/acme/insights/?scope={cast.platform.pk}").content.decode()
    assert "Platform and the 1 team below it" in insights  # Tools, not the retired guild
    page = client.get("/o/acme/teams/platform/").content.decode()
    assert "1 sub-team</a>" in page and "(1 retired)" in page
