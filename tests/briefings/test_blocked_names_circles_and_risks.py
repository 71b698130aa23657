""" "Blocked between teams" says what holds work up between the teams at the week's end:
after requests blocked or late, initiatives that depend on each other in a circle (none
can finish first) and requests at risk — flagged so, or predicted late by the provider's
own plan. It said "Nothing blocked: no request between teams is blocked or late" beneath
a critical circle "What is at risk" opened with, and with requests predicted late."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from accord.briefings import compose, render, services
from accord.coordination import services as coordination
from accord.intelligence import evaluate
from accord.intelligence.models import Signal
from tests.briefings.world import WEEK
from tests.intelligence.world import build_org

D = dt.date


def ask(w, asks, gives, title, need_by, provider_initiative):
    dep = coordination.create_dependency(
        w.org, None, requester_initiative=asks.initiative, provider_team=gives.team,
        title=title, need_by=need_by,
    )  # fmt: skip
    return coordination.transition(
        w.org, None, dep, "accept", committed_date=need_by,
        provider_initiative=provider_initiative,
    )  # fmt: skip


def test_a_circle_and_requests_at_risk_are_said_under_blocked_between_teams(db, clock):
    clock.at(D(2026, 1, 5), 9)
    w = build_org("circles", {"Platform": 3, "Web": 3, "Data": 3}, checkins=False)
    platform, web, data = w["Platform"], w["Web"], w["Data"]
    # Platform and Web each need the other's main work (due 20 March, needed by the 25th):
    # a circle, and neither request is predicted late on its own.
    ask(w, platform, web, "Web widgets", D(2026, 3, 25), web.initiative)
    ask(w, web, platform, "Platform API", D(2026, 3, 25), platform.initiative)
    # Data needs a metrics export by 10 February; Platform plans it for the 20th.
    pipeline = alignment.create_initiative(
        w.org, None, team=platform.team, title="Metrics pipeline", status="active",
        target_date=D(2026, 2, 20), key_results=[platform.kr],
    )  # fmt: skip
    ask(w, data, platform, "Metrics export", D(2026, 2, 10), pipeline)
    # Web needs Data's event schema by the 25th of March, and Data flags it at risk.
    schema = ask(w, web, data, "Event schema", D(2026, 3, 25), data.initiative)
    clock.at(D(2026, 1, 14), 10)
    coordination.transition(w.org, None, schema, "flag_at_risk", note="Two people out.")
    clock.at(D(2026, 1, 18), 20)
    evaluate.evaluate(w.org)
    cycle = Signal.objects.get(org=w.org, kind="dependencies.cycle")

    clock.at(D(2026, 1, 20), 9)
    content = services.build_for(w.org, compose.parse_week(WEEK), person=w.admin)
    at_risk = next(s for s in content["sections"] if s["key"] == "at_risk")
    assert any("in a circle" in it["text"] for it in at_risk["items"])
    blocked = next(s for s in content["sections"] if s["key"] == "blocked")
    assert not blocked.get("empty")
    texts = [it["text"] for it in blocked["items"]]
    assert texts == [
        cycle.explanation,
        "Data waits on Platform for “Metrics export”: at risk, Platform plans to finish "
        "“Metrics pipeline” on Fri 20 Feb 2026, 10 days after it is needed "
        "(Tue 10 Feb 2026).",
        "Web waits on Data for “Event schema”: flagged at risk.",
    ]
    assert blocked["items"][0]["url"] == f"/o/circles/insights/signals/{cycle.pk}/"
    text = render.text(content, absolute=False)
    assert "Nothing blocked" not in text
    assert f"Blocked between teams\n- {cycle.explanation}" in text
