"""A briefing of a week before any signals were stored says the date they were recorded
from in its reader's zone, as it says every other date: in Auckland, the first evaluation
at 23:30 UTC on 14 Jan was on 15 Jan. A team's briefing is built in UTC, as its week is,
and its page says the date in the zone of whoever reads it."""

from __future__ import annotations

import datetime as dt

from accord.briefings import compose, services
from accord.intelligence import evaluate
from accord.org import services as org_services
from tests.conftest import login
from tests.intelligence.world import build_org

D = dt.date
AUCKLAND = "Pacific/Auckland"
BEFORE = "2026-W01"  # 29 Dec 2025 - 4 Jan 2026: before the first evaluation


def _world(clock):
    w = build_org("kiwi", {"Web": 2}, checkins=False)
    kiwi = org_services.update_person(w.org, None, w.admin, timezone=AUCKLAND)
    here = org_services.update_person(w.org, None, w["Web"].lead, timezone="UTC")
    for person in (kiwi, here):  # each signs in
        person.user = org_services.ensure_user(f"p{person.pk}@kiwi.example", None)
        person.save(update_fields=["user"])
    # The first evaluation: 23:30 UTC on Wednesday 14 Jan, 12:30 on the 15th in Auckland.
    clock.at(D(2026, 1, 14), 23, 30)
    evaluate.evaluate(w.org)
    clock.at(D(2026, 1, 20), 9)
    return w, kiwi, here


def test_a_persons_briefing_says_the_date_in_their_zone(db, clock):
    w, kiwi, _ = _world(clock)
    briefing = services.build_on_request(w.org, compose.parse_week(BEFORE, AUCKLAND), person=kiwi)
    headline = briefing.content["headline"]["text"]
    assert "signals were recorded from 15 Jan 2026 on, after this week" in headline, headline
    page = login(kiwi).get(f"/o/kiwi/briefings/{briefing.pk}/").content.decode()
    assert "signals were recorded from 15 Jan 2026 on" in page
    assert "14 Jan 2026" not in page


def test_a_teams_briefing_says_the_date_in_the_zone_of_who_reads_it(db, clock):
    w, kiwi, here = _world(clock)
    team = w["Web"].team
    briefing = services.build_on_request(w.org, compose.parse_week(BEFORE), team=team)
    # Stored in UTC, as its week (and its chat summary) is.
    assert "recorded from 14 Jan 2026 on" in briefing.content["headline"]["text"]
    url = f"/o/kiwi/briefings/teams/{team.pk}/?week={BEFORE}"
    page = login(kiwi).get(url).content.decode()
    assert "signals were recorded from 15 Jan 2026 on" in page
    assert "14 Jan 2026" not in page
    page = login(here).get(url).content.decode()
    assert "signals were recorded from 14 Jan 2026 on" in page
