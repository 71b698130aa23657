"""A current team with members and no current lead raises "no lead"; its evidence links to
the team, a backtest before the lead's term ended sees none, and naming a lead resolves it."""

from __future__ import annotations

import datetime as dt

from accord.intelligence import snapshot
from accord.intelligence.models import Signal
from accord.org import services as org_services
from accord.org.models import Membership
from tests.intelligence.world import build_org, evaluate_on, live

D = dt.date


def test_a_team_whose_lead_left_raises_no_lead_until_a_new_one_is_named(db, clock):
    w = build_org("leadco", {"Web": 3, "Data": 3}, checkins=False)
    web = w["Web"]
    evaluate_on(w, clock, D(2026, 1, 20))
    assert live(w.org, "org.no_lead") == []

    clock.at(D(2026, 2, 2), 9)
    term = Membership.objects.get(person=web.lead, team=web.team)
    org_services.end_term(w.org, None, term, on=D(2026, 2, 2))
    org_services.open_vacancy(w.org, None, web.team, role="lead")
    evaluate_on(w, clock, D(2026, 2, 3))
    [signal] = live(w.org, "org.no_lead")
    assert signal.subject_id == str(web.team.pk)
    assert signal.evidence[0]["target_type"] == "org.team"
    assert signal.evidence[0]["target_id"] == str(web.team.pk)
    assert "2 members" in signal.explanation

    # Seen as of a day before the term ended (a backtest), the team had its lead.
    earlier = snapshot.load(w.org, as_of=dt.datetime(2026, 1, 25, 12, tzinfo=dt.UTC))
    assert earlier.teams[web.team.pk].leads == {web.lead.pk}

    clock.at(D(2026, 2, 4), 9)
    promoted = Membership.objects.get(person=web.members[0], team=web.team)
    org_services.update_membership(w.org, None, promoted, role="lead")
    evaluate_on(w, clock, D(2026, 2, 4))
    assert live(w.org, "org.no_lead") == []


def test_a_retired_team_or_one_without_members_raises_nothing(db, clock):
    w = build_org("quietleads", {"Web": 2}, checkins=False)
    web = w["Web"]
    clock.at(D(2026, 2, 2), 9)
    org_services.end_term(w.org, None, Membership.objects.get(person=web.lead), on=D(2026, 2, 2))
    org_services.retire_team(w.org, None, web.team, on=D(2026, 2, 2))
    evaluate_on(w, clock, D(2026, 2, 3))
    assert not Signal.objects.filter(org=w.org, kind="org.no_lead").exists()
