"""The top team's meetings review what belongs to the whole organization: its objectives
(with or without a team) and their key results; a team below sees only its own."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.alignment import services as alignment
from accord.org import services as org_services
from accord.rhythm import agenda, services
from tests.rhythm.conftest import utc

NOW = utc(2026, 12, 1, 9)  # two thirds into Q4: a key result at 0% is behind
SET = utc(2026, 10, 1, 9)  # its key results measured from the quarter's start


@pytest.fixture
def okrs(cast):
    q4 = alignment.create_period(
        cast.org,
        None,
        name="Q4",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        state="active",
        is_current=True,
    )
    company = alignment.create_objective(
        cast.org, None, title="Grow revenue", period=q4, level="org", owner=cast.leader
    )
    alignment.create_key_result(cast.org, None, company, name="Revenue", start=0, target=10, at=SET)
    alignment.set_objective_confidence(cast.org, None, company, "at_risk")
    team = alignment.create_objective(
        cast.org, None, title="Faster deploys", period=q4, team=cast.platform, parents=[company]
    )
    alignment.create_key_result(cast.org, None, team, name="Deploys", start=0, target=10, at=SET)
    alignment.set_objective_confidence(cast.org, None, team, 3)
    # Last quarter's, closed while behind and off track: history, not for review.
    q3 = alignment.create_period(
        cast.org,
        None,
        name="Q3",
        start=dt.date(2026, 7, 1),
        end=dt.date(2026, 9, 30),
        state="active",
    )
    for owner_team in (None, cast.root, cast.platform):
        old = alignment.create_objective(
            cast.org,
            None,
            title=f"Old {owner_team or 'company'}",
            period=q3,
            team=owner_team,
            level="org" if owner_team is None else "team",
        )
        alignment.create_key_result(cast.org, None, old, name=f"Old KR {owner_team}", target=10)
        alignment.set_objective_confidence(cast.org, None, old, 2)
    alignment.close_period(cast.org, None, q3)
    return company, team


def sync_of(cast, team, scope="team"):
    return services.create_cadence_from_template(
        cast.org,
        None,
        "weekly-sync",
        team=team,
        scope=scope,
        timezone_name="UTC",
        start_date=dt.date(2026, 10, 1),
        name=f"{team.name} sync ({scope})",
    )


def section(built, key):
    [s] = [s for s in built if s["key"] == key]
    return [i["title"] for i in s["items"]]


@pytest.mark.parametrize("scope", ["team", "subtree"])
def test_the_root_teams_sync_reviews_the_organizations_objectives(cast, okrs, scope):
    built = agenda.build(cast.org, sync_of(cast, cast.root, scope), now=NOW)
    assert "Revenue" in section(built, "priorities")
    assert "Grow revenue" in section(built, "confidence")
    if scope == "subtree":  # and everything below it
        assert "Deploys" in section(built, "priorities")
        assert "Faster deploys" in section(built, "confidence")
    else:
        assert "Deploys" not in section(built, "priorities")


def test_a_closed_periods_objectives_and_key_results_are_left_out(cast, okrs):
    for cadence in (sync_of(cast, cast.root, "subtree"), sync_of(cast, cast.platform)):
        built = agenda.build(cast.org, cadence, now=NOW)
        assert not [t for t in section(built, "priorities") if t.startswith("Old")]
        assert not [t for t in section(built, "confidence") if t.startswith("Old")]


def test_a_team_below_the_root_sees_only_its_own(cast, okrs):
    built = agenda.build(cast.org, sync_of(cast, cast.platform), now=NOW)
    assert section(built, "priorities") == ["Deploys"]
    assert section(built, "confidence") == ["Faster deploys"]


def test_a_teams_sync_reviews_the_objectives_at_risk_of_the_teams_below_it(cast, okrs):
    # The leadership's meeting (the only team at the top, scope "team") reviews every
    # team's objectives at risk, as it reviews every team's dependencies; its key results
    # stay the organization's own.
    built = agenda.build(cast.org, sync_of(cast, cast.root), now=NOW)
    confidence = next(s for s in built if s["key"] == "confidence")["items"]
    assert [i["title"] for i in confidence] == ["Faster deploys", "Grow revenue"]
    assert confidence[0]["detail"] == (
        "confidence 3/10 (off track) · 1 of 1 key result behind pace · Platform"
    )
    assert "Deploys" not in section(built, "priorities")
    # A department's meeting: its own and its teams' objectives, not those beside or above.
    web = org_services.create_team(cast.org, None, name="Web", slug="web", parent=cast.platform)
    q4 = okrs[1].period
    shop = alignment.create_objective(cast.org, None, title="Faster shop", period=q4, team=web)
    alignment.set_objective_confidence(cast.org, None, shop, 5)
    calm = alignment.create_objective(cast.org, None, title="Calm shop", period=q4, team=web)
    alignment.set_objective_confidence(cast.org, None, calm, 8)  # on track: not at risk
    assert section(agenda.build(cast.org, sync_of(cast, cast.platform), now=NOW), "confidence") == [
        "Faster deploys",
        "Faster shop",
    ]
    assert section(agenda.build(cast.org, sync_of(cast, web), now=NOW), "confidence") == [
        "Faster shop"
    ]
