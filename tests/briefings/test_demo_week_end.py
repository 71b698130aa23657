"""Northwind's briefings of last week, as the demo stores them on first start: what was at
risk "at the week's end" is what the engine found at the end of that Sunday (the demo
evaluated its history a whole number of weeks before the day it was loaded, so a week's
briefing read the Monday it began), and a leader reads the week's decisions, slips and
their own meetings among the lines shown."""

from __future__ import annotations

import datetime as dt

import pytest

from accord import demo
from accord.alignment.models import Period
from accord.alignment.progress import pace_elapsed
from accord.briefings import compose, queries, services
from accord.intelligence.models import Evaluation, HealthScore
from accord.org.models import Person, Team
from tests.intelligence.world import Clock, controlled

MONDAY = dt.date(2026, 12, 7)  # the demo started early on a Monday


@pytest.fixture
def northwind(db):
    clock = Clock(dt.datetime.combine(MONDAY, dt.time(5), tzinfo=dt.UTC))
    with controlled(clock):
        org = demo.load(today=MONDAY)
        yield org, clock


def test_last_weeks_briefing_reads_the_risks_and_health_of_the_weeks_end(northwind, monkeypatch):
    org, clock = northwind
    maya = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
    week = compose.last_complete_week(clock.now, maya.timezone)
    assert week.label == "2026-W49"  # 30 Nov to 6 Dec
    # The evaluation the briefing reads as the week ended is the one of that moment.
    read = Evaluation.objects.filter(org=org, as_of__lte=week.signals_at).order_by("-as_of")
    assert read.first().as_of == week.signals_at
    monkeypatch.setattr(compose, "TOP_SIGNALS", 1000)
    content = services.build_for(org, week, person=maya)
    # The headline's health is the top team's of the week's last day, as Insights has it.
    root = Team.objects.get(org=org, parent=None)
    score = HealthScore.objects.get(org=org, team=root, date=week.last_day)
    assert content["headline"]["health"] == round(score.rollup_overall, 1)
    # "With N% of Q4 2026 gone": gone by the week's end, not by the Monday it began.
    q4 = Period.objects.get(org=org, name="Q4 2026")
    share = f"with {pace_elapsed(week.last_day, q4.start, q4.end):.0%} of Q4 2026 gone"
    at_risk = next(s for s in content["sections"] if s["key"] == "at_risk")
    gone = [i["text"] for i in at_risk["items"] if " of Q4 2026 gone" in i["text"]]
    assert gone and all(share in text for text in gone), (share, gone)


def test_a_leaders_stored_briefing_shows_the_weeks_decisions_slips_and_own_meetings(northwind):
    org, _ = northwind
    maya = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
    last = queries.briefings_of(org, maya)[0].content
    sections = {s["key"]: s for s in last["sections"]}
    changed = [i["text"] for i in sections["changed"]["items"]]
    assert any(t.startswith("Decided") for t in changed), changed
    assert any(t.startswith("Reversed") for t in changed), changed
    assert any(" slipped to " in t for t in changed), changed
    assert len(changed) <= compose.MAX_ITEMS
    # The critical issue at the top team's level leads what needs her.
    assert sections["needs_you"]["items"][0]["text"] == (
        "Critical issue at the level of Northwind Outfitters, for you: "
        "“Payment provider fees doubled”."
    )
    # A department head's Leadership sync (the top team's) is in their coming week.
    hana = Person.objects.get(org=org, email="hana.okafor@northwind.example")
    coming = next(
        s for s in queries.briefings_of(org, hana)[0].content["sections"] if s["key"] == "coming_up"
    )
    assert coming["items"][0]["text"].startswith("Leadership sync: ")
