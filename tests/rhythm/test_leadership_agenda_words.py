"""What a reviewer found on the leadership meeting's agenda: "Objectives at risk" lists only
what the confidence bands call at risk, saying why (an objective that dropped from 8 to 7 is
still on track); an overdue decision says so in words, not by a red dot alone; the
leadership's scorecard reviews the top of the tree, and an empty scorecard says why and
where to add measurables instead of "Nothing to discuss here"."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord.alignment import services as alignment
from accord.decisions import services as decisions
from accord.rhythm import agenda, queries, services
from tests.conftest import at, login
from tests.rhythm.conftest import utc

BEFORE = utc(2026, 11, 2, 12)  # set-up
SINCE = utc(2026, 11, 30, 12)  # after the last sync (Monday 30 Nov, 10:00 UTC)
NOW = utc(2026, 12, 1, 9)  # Tuesday 1 Dec: two thirds into Q4


def sync_of(cast, team):
    with at(BEFORE):
        return services.create_cadence_from_template(
            cast.org,
            None,
            "weekly-sync",
            team=team,
            timezone_name="UTC",
            start_date=dt.date(2026, 10, 1),
            name=f"{team.name} sync",
        )


def section(built, key) -> dict:
    [s] = [s for s in built if s["key"] == key]
    return s


def details(built, key) -> dict[str, str]:
    return {i["title"]: i["detail"] for i in section(built, key)["items"]}


@pytest.fixture
def q4(cast):
    return alignment.create_period(
        cast.org,
        None,
        name="Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        state="active",
        is_current=True,
    )


def test_objectives_at_risk_lists_only_what_the_bands_call_at_risk_saying_why(cast, q4):
    sync = sync_of(cast, cast.platform)

    def objective(title, before, after):
        with at(BEFORE):
            o = alignment.create_objective(
                cast.org, None, title=title, period=q4, team=cast.platform
            )
            alignment.set_objective_confidence(cast.org, None, o, before)
            alignment.create_key_result(cast.org, None, o, name=f"{title} 1", target=10)
            alignment.create_key_result(cast.org, None, o, name=f"{title} 2", target=10, current=9)
        with at(SINCE):
            alignment.set_objective_confidence(cast.org, None, o, after)

    objective("Still on track", 8, 7)  # dropped, but 7 is on track: not at risk
    objective("Slipping", 6, 5)
    with at(NOW):
        built = agenda.build(cast.org, sync, now=NOW)
    shown = details(built, "confidence")
    assert list(shown) == ["Slipping"]
    # Why: its band, its drop since the last meeting, its key results behind pace (one of
    # two at 0% with two thirds of the quarter gone).
    assert shown["Slipping"] == (
        "confidence 5/10 (at risk), down from 6 · 1 of 2 key results behind pace"
    )


def test_an_overdue_decision_says_so_in_words_beside_its_colour(cast, rhythm):
    with at(BEFORE):
        late = decisions.create_decision(
            cast.org, None, "Which CI vendor?", cast.member, decide_by=dt.date(2026, 11, 30)
        )
        decisions.create_decision(
            cast.org, None, "Which logo?", cast.member, decide_by=dt.date(2026, 12, 10)
        )
    occ = queries.next_occurrence(rhythm.sync, NOW)
    with at(NOW):
        built = agenda.build(cast.org, rhythm.sync, now=NOW)
        page = (
            login(cast.leader)
            .get(f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/")
            .content.decode()
        )
    shown = details(built, "decisions")
    # Overdue from the day after its deadline, as its page and Insights say.
    assert shown["Which CI vendor?"] == "approver Mia Member · overdue since 1 Dec 2026"
    assert shown["Which logo?"] == "approver Mia Member · decide by 10 Dec 2026"
    # On the page: the words, and the red dot as a second cue.
    line = re.search(rf'<li[^>]*id="item-[^"]*decision-{late.pk}"[^>]*>.*?</li>', page, re.S)
    assert line, page
    assert "overdue since 1 Dec 2026" in line.group(0) and "dot--bad" in line.group(0)


def test_the_leadership_scorecard_reviews_the_top_of_the_tree(cast):
    """The top team's own meeting is the organization's (it reviews every team's
    objectives at risk and dependencies): its scorecard, as a whole-organization
    meeting's, is the top team's and the teams' just below it."""
    services.create_measurable(
        cast.org, None, team=cast.platform, name="Deploys", goal_rule="at_least", goal_low=5
    )
    with at(NOW):
        built = agenda.build(cast.org, sync_of(cast, cast.root), now=NOW)
    assert [i["title"] for i in section(built, "metrics")["items"]] == ["Deploys (Platform)"]


def test_an_empty_scorecard_says_why_and_where_to_add_measurables(cast):
    leadership, platform = sync_of(cast, cast.root), sync_of(cast, cast.platform)
    client = login(cast.admin)
    for cadence, why, link in (
        (
            leadership,
            "No measurables on the scorecards of Acme or the teams just below it",
            "Add them to the scorecard of Acme",
        ),
        (
            platform,
            "No measurables on the scorecard of Platform yet",
            "Add them to the scorecard of Platform",
        ),
    ):
        occ = queries.next_occurrence(cadence, NOW)
        with at(NOW):
            page = client.get(f"/o/acme/rhythm/cadences/{cadence.pk}/{occ.key}/").content.decode()
        scorecard = re.search(r'id="section-metrics".*?</li>', page, re.S).group(0)
        assert "Nothing to discuss here" not in scorecard
        assert why in scorecard
        team = cast.root if cadence is leadership else cast.platform
        assert f'<a href="/o/acme/rhythm/teams/{team.slug}/#score-h">{link}</a>' in scorecard
