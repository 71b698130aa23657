"""Signals and health read a check-in as owed by who was in the team when it was due, and a
meeting as due once its cadence was set up: someone who joins is not charged with the
rounds before, a cadence set up with a past start is not "not held" before it existed, and
a change of zone leaves the meetings held where they were."""

from __future__ import annotations

import datetime as dt

from accord.intelligence import evaluate, snapshot
from accord.intelligence.models import HealthScore
from accord.org import services as org_services
from accord.rhythm import services as rhythm
from tests.intelligence.world import build_org, check_in, evaluate_on, live

D = dt.date


def test_someone_who_joins_owes_only_the_check_ins_due_after(db, clock):
    w = build_org("joinco")
    web = w["Web"]
    for friday in (D(2026, 1, 9), D(2026, 1, 16), D(2026, 1, 23)):
        clock.at(friday, 10)
        check_in(w.org, web.checkin, web.people, clock)
    evaluate_on(w, clock, D(2026, 1, 24), hour=17)
    rhythm_before = HealthScore.objects.get(team=web.team, date=D(2026, 1, 24)).rhythm
    # A newcomer joins the next day, from the page or a file, the term starting that day.
    clock.at(D(2026, 1, 25), 9)
    nia = org_services.add_person(w.org, None, name="Nia Newcomer")
    org_services.add_membership(w.org, None, person=nia, team=web.team, started_on=D(2026, 1, 25))
    evaluate_on(w, clock, D(2026, 1, 25))
    assert live(w.org, "checkins.missed_in_a_row", nia) == []
    assert live(w.org, "checkins.missed_in_a_row", web.team) == []
    assert HealthScore.objects.get(team=web.team, date=D(2026, 1, 25)).rhythm == rhythm_before
    snap = snapshot.load(w.org)
    assert all(nia.pk not in o.status for o in snap.cadences[web.checkin.pk].occurrences)
    assert evaluate.measures(snap)[web.team.pk]["late_checkin_share"] == 0
    # The rounds after she joined are hers: she misses two, the others check in.
    for friday in (D(2026, 1, 30), D(2026, 2, 6)):
        clock.at(friday, 10)
        check_in(w.org, web.checkin, web.people, clock)
    evaluate_on(w, clock, D(2026, 2, 7))
    [signal] = live(w.org, "checkins.missed_in_a_row", nia)
    assert "(30 Jan 2026, 6 Feb 2026)" in signal.explanation


def test_a_cadence_set_up_with_a_past_start_is_not_unheld_before_it_existed(db, clock):
    w = build_org("newsync", checkins=False)
    web = w["Web"]
    clock.at(D(2026, 2, 5), 12)  # a Thursday, after its 10:00
    sync = rhythm.create_cadence(
        w.org,
        None,
        name="Merge sync",
        rrule="FREQ=WEEKLY;BYDAY=TH",
        time=dt.time(10),
        timezone_name="UTC",
        team=web.team,
        start_date=D(2026, 1, 8),
    )
    evaluate_on(w, clock, D(2026, 2, 5), hour=18)
    assert snapshot.load(w.org).cadences[sync.pk].meetings == []
    assert live(w.org, "rhythm.meetings_not_held") == []
    # Set up today, it owes from today: two Thursdays missed are two not held.
    evaluate_on(w, clock, D(2026, 2, 12), hour=18)
    assert live(w.org, "rhythm.meetings_not_held") == []  # one so far
    evaluate_on(w, clock, D(2026, 2, 19), hour=18)
    [signal] = live(w.org, "rhythm.meetings_not_held")
    assert "(12 Feb 2026, 19 Feb 2026)" in signal.explanation


def test_a_change_of_zone_raises_no_meetings_not_held(db, clock):
    w = build_org("zoneco", checkins=False)
    web = w["Web"]
    clock.at(D(2026, 1, 5), 8)
    sync = rhythm.create_cadence(
        w.org,
        None,
        name="Web sync",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(10),
        timezone_name="America/Chicago",
        team=web.team,
        start_date=D(2026, 1, 5),
    )
    for monday in (D(2026, 1, 5), D(2026, 1, 12), D(2026, 1, 19)):
        start = dt.datetime.combine(monday, dt.time(16), dt.UTC)  # 10:00 in Chicago
        clock.now = start
        m = rhythm.open_meeting(w.org, None, sync, start)
        m = rhythm.start_meeting(w.org, None, m, now=start)
        rhythm.finish_meeting(w.org, None, m, now=start + dt.timedelta(hours=1))
    clock.at(D(2026, 1, 20), 9)
    rhythm.update_cadence(w.org, None, sync, timezone_name="America/Los_Angeles")
    evaluate_on(w, clock, D(2026, 1, 20), hour=12)
    assert live(w.org, "rhythm.meetings_not_held") == []
    held = [h for _, h, _ in snapshot.load(w.org).cadences[sync.pk].meetings]
    assert held == [True, True, True]
    assert HealthScore.objects.get(team=web.team, date=D(2026, 1, 20)).rhythm == 100
