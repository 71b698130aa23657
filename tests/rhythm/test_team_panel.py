"""A team page's Rhythm panel lists the team's own cadences first, then those it inherits
from the teams above and the whole organization, and says how many more there are."""

from __future__ import annotations

import datetime as dt
import re

from accord.rhythm import queries, services
from tests.conftest import login


def _cadence(cast, name: str, **scope) -> None:
    services.create_cadence(
        cast.org,
        cast.admin,
        name=name,
        rrule="FREQ=WEEKLY;BYDAY=WE",
        time=dt.time(15),
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 12, 1),
        **scope,
    )


def test_the_teams_own_sync_comes_first_and_the_rest_are_counted(cast, rhythm):
    # Names that sort before the team's own "Weekly …" cadences.
    for name in ("Architecture review", "Budget review", "Cross-team review", "Demo day"):
        _cadence(cast, name, scope="org")
    _cadence(cast, "All hands of Acme", scope="subtree", team=cast.root)
    _cadence(cast, "Platform and friends", scope="teams", teams=[cast.platform])
    names = [c.name for c in queries.team_cadences(cast.org, cast.platform)]
    own = sorted([rhythm.checkin.name, rhythm.sync.name])
    assert names == [
        *own,
        "Platform and friends",
        "All hands of Acme",
        "Architecture review",
        "Budget review",
        "Cross-team review",
        "Demo day",
    ]
    page = login(cast.member).get("/o/acme/teams/platform/").content.decode()
    panel = page[page.index('id="rhythm-team-h"') :]
    panel = panel[: panel.index("</section>")]
    listed = re.findall(r'/rhythm/cadences/\d+/">([^<]+)</a>', panel)
    assert listed == names[:6]
    assert '<a href="/o/acme/rhythm/teams/platform/">+2 more</a>' in panel


def test_no_more_link_when_everything_is_listed(cast, rhythm):
    page = login(cast.member).get("/o/acme/teams/platform/").content.decode()
    panel = page[page.index('id="rhythm-team-h"') :]
    panel = panel[: panel.index("</section>")]
    assert rhythm.sync.name in panel and "more</a>" not in panel
