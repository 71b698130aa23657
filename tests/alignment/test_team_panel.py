"""The alignment panel of a team page: the team's objectives of the current period and, at
the top of the tree, the organization's own."""

from __future__ import annotations

import datetime as dt

from accord.alignment import services as alignment
from tests.conftest import login


def panel(cast, team) -> str:
    page = login(cast.member).get(f"/o/acme/teams/{team.slug}/").content.decode()
    return page.split('id="team-align-h"')[1].split("</section>")[0]


def test_the_top_team_shows_the_organizations_objectives_a_team_below_does_not(cast):
    period = alignment.create_period(
        cast.org, None, name="Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
    )
    alignment.set_current_period(cast.org, None, period)
    assert "No objectives of Acme itself in Q4." in panel(cast, cast.root)
    for n in range(9):
        alignment.create_objective(cast.org, None, title=f"Grow {n}", period=period, level="org")
    alignment.create_objective(
        cast.org, None, title="Ship the platform", period=period, team=cast.platform
    )
    top = panel(cast, cast.root)
    assert "No objectives" not in top and "The organization's objectives" in top
    assert [f"Grow {n}" in top for n in range(9)] == [True] * 8 + [False]
    assert "All of them on the alignment tree" in top and "Ship the platform" not in top
    below = panel(cast, cast.platform)
    assert "Ship the platform" in below and "Grow 0" not in below
    assert "The organization's" not in below
