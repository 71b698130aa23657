"""My week of whoever runs a check-in cadence without owing it (an operations lead who set
up a team's check-in, in none of its teams): its round this week is there, with its date,
and while it is open, who is in; who both runs and owes one sees it where they owe it."""

from __future__ import annotations

import datetime as dt
import html
import re

from accord.rhythm import queries, services
from tests.conftest import at, login
from tests.rhythm.conftest import DUE, existed_since

H = dt.timedelta(hours=1)
BEFORE_OPEN = DUE - 72 * H  # Tuesday 3 Nov: the round due Friday 6 Nov is not open yet
IN_WINDOW = DUE - 46 * H  # Wednesday 4 Nov: it is open


def _checkin(cast, owner):
    cadence = services.create_cadence_from_template(
        cast.org,
        None,
        "weekly-checkin",
        team=cast.platform,
        timezone_name="Europe/Berlin",
        start_date=dt.date(2026, 10, 1),
        owner=owner,
    )
    existed_since(cast.org)
    return cadence


def _week(person) -> str:
    """My week as read on screen (a button's words for a screen reader left out)."""
    page = html.unescape(login(person).get("/o/acme/rhythm/").content.decode())
    return re.sub(r'<span class="visually-hidden">[^<]*</span>', "", page)


def _round_link(cadence) -> str:
    occ = queries.occurrence(cadence, DUE)
    return f'<a href="/o/acme/rhythm/cadences/{cadence.pk}/{occ.key}/checkins/">'


def test_an_owner_outside_the_teams_sees_the_round_she_runs_with_its_date(cast):
    cadence = _checkin(cast, cast.admin)  # Ada is in none of Platform's teams
    with at(BEFORE_OPEN):
        page = _week(cast.admin)
        assert "No check-ins owed this week." in page  # she owes none
        section = page.split('id="run-next-h"', 1)[1].split("</ul>", 1)[0]
        assert "Rounds you run, this week" in page
        assert _round_link(cadence) + cadence.name + "</a>" in section, section
        # Due Friday 16:00 in Berlin, read in her zone (UTC): 15:00.
        assert re.search(r"next round due Fri[^<]*15:00", section), section
        # Its round page answers before it opens.
        occ = queries.occurrence(cadence, DUE)
        url = f"/o/acme/rhythm/cadences/{cadence.pk}/{occ.key}/checkins/"
        assert login(cast.admin).get(url).status_code == 200
        # A member who owes it sees no section of it.
        assert 'id="run-next-h"' not in _week(cast.member)
    # A week before, the round is not this week's.
    with at(DUE - 8 * 24 * H):
        assert 'id="run-next-h"' not in _week(cast.admin)


def test_an_owner_who_owes_the_checkin_sees_it_once(cast):
    from accord.org import services as org_services
    from accord.org.models import MembershipRole

    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    cadence = _checkin(cast, cast.leader)
    with at(BEFORE_OPEN):
        page = _week(cast.leader)
        assert 'id="run-next-h"' not in page
        assert page.count(cadence.name) == 1  # under the check-ins he owes
        assert "No check-ins owed this week." not in page
    assert cadence.owner_id == cast.leader.pk


def test_an_open_round_says_how_many_are_in_for_an_owner_outside_the_teams(cast):
    cadence = _checkin(cast, cast.admin)
    services.submit_checkin(cast.org, cast.member, cadence, DUE, now=IN_WINDOW - H)
    with at(IN_WINDOW):
        page = _week(cast.admin)
        assert "Rounds you run, open now" in page
        assert _round_link(cadence) + cadence.name + "</a>" in page
        assert "1 of 1 in" in page
        # Listed once: open, it is not among the rounds to come.
        assert 'id="run-next-h"' not in page
        assert page.count(cadence.name) == 1
