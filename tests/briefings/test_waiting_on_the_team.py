"""What a lead's briefing says waits on their teams' answer ("What needs you") is what their
home counts under "Waiting for your teams' answer" (coordination's
`waiting_on_teams_led`): requests and counter-proposals asked of the team, proposals on
what it asked, and deliveries said made to it, not only the requests not yet answered."""

from __future__ import annotations

import datetime as dt

from accord.briefings import compose, services
from accord.coordination import queries
from accord.coordination import services as coordination
from tests.intelligence.world import build_org

D = dt.date


def test_the_leads_briefing_lists_what_their_home_counts_as_waiting(db, clock):
    clock.at(D(2026, 1, 5), 9)
    w = build_org("waits", {"Platform": 2, "Mobile": 2}, checkins=False)
    org, plat, mob = w.org, w["Platform"], w["Mobile"]
    clock.at(D(2026, 1, 13), 10)

    def ask(requester, provider, title):
        return coordination.create_dependency(
            org, None, requester_initiative=requester.initiative, provider_team=provider.team,
            title=title, need_by=D(2026, 3, 2),
        )  # fmt: skip

    asked = ask(mob, plat, "Push tokens")  # a request asked of Platform
    countered = ask(mob, plat, "Offline sync endpoints")
    coordination.transition(
        org, None, countered, "propose", provider_initiative=plat.initiative,
        proposed_date=D(2026, 3, 20), proposed_scope="Reads only",
    )  # fmt: skip
    countered.refresh_from_db()
    coordination.transition(
        org, None, countered, "counter", proposed_date=D(2026, 3, 9), proposed_scope=None
    )  # Mobile's counter-proposal: Platform's move
    delivered = ask(plat, mob, "Crash reports")
    coordination.transition(
        org, None, delivered, "accept", provider_initiative=mob.initiative,
        committed_date=D(2026, 2, 20),
    )  # fmt: skip
    delivered.refresh_from_db()
    coordination.transition(org, None, delivered, "mark_delivered")  # Platform to confirm
    proposed = ask(plat, mob, "Deep links")
    coordination.transition(
        org, None, proposed, "propose", provider_initiative=mob.initiative,
        proposed_date=D(2026, 3, 30), proposed_scope=None,
    )  # fmt: skip  # Mobile's proposal on what Platform asked: Platform's move
    ask(plat, mob, "Not Platform's move")  # asked of Mobile: waits on Mobile

    home = {d.pk for d in queries.waiting_on_teams_led(org, plat.lead)}
    assert home == {asked.pk, countered.pk, delivered.pk, proposed.pk}
    clock.at(D(2026, 1, 19), 9)
    content = services.build_for(org, compose.parse_week("2026-W03"), person=plat.lead)
    [needs] = [s for s in content["sections"] if s["key"] == "needs_you"]
    shown = {
        int(i["target_id"]): i["text"]
        for i in needs["items"]
        if i["target_type"] == "coordination.dependency"
    }
    assert set(shown) == home
    assert shown[asked.pk].endswith("no answer yet.")
    assert shown[countered.pk] == (
        "Mobile counter-proposed on “Offline sync endpoints” (need by Mon 2 Mar 2026): "
        "waiting for Platform's answer."
    )
    assert shown[delivered.pk].endswith("was delivered: waiting for Platform to confirm.")
    assert "proposed another date or scope" in shown[proposed.pk]
