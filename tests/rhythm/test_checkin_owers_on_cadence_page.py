"""A check-in cadence's page names who owes each round as the round and My week count
them: its teams' people (and those added to it), not its owner outside those teams, who
takes part without owing one."""

from __future__ import annotations

import html
import re

from accord.org import services as org_services
from accord.org.models import MembershipRole
from accord.rhythm import queries, services
from tests.conftest import at, login
from tests.rhythm.conftest import utc

SET_UP = utc(2026, 12, 7, 9)  # Monday
NOW = utc(2026, 12, 10, 12)  # Thursday: Friday's round is open
FRIDAY = utc(2026, 12, 11, 15)  # 16:00 in Berlin


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())))


def test_the_owner_outside_the_team_takes_part_but_owes_no_checkin(cast):
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    with at(SET_UP):
        checkin = services.create_cadence_from_template(
            cast.org,
            cast.admin,
            "weekly-checkin",
            team=cast.platform,
            timezone_name="Europe/Berlin",
            owner=cast.admin,  # Ada, an admin in no team
            name="Weekly team check-in · Platform",
        )
    key = FRIDAY.strftime("%Y%m%dT%H%M%SZ")
    ada = login(cast.admin)
    with at(NOW):
        page = _text(ada.get(f"/o/acme/rhythm/cadences/{checkin.pk}/"))
        week = _text(ada.get("/o/acme/rhythm/"))
        adas_form = _text(ada.get(f"/o/acme/rhythm/cadences/{checkin.pk}/{key}/checkin/"))
        tally = queries.open_round(cast.org, queries.cadences(cast.org).get(pk=checkin.pk))
    assert tally is not None and (tally.given, tally.owed) == (0, 2)
    # The page counts and names the two who owe it, as the round does.
    assert "2 owe each round" in page
    assert "participants" not in page.split("Agenda template")[0]
    owers = page.split("Who owes a check-in")[1].split("Taking part")[0]
    assert "Leo Leader" in owers and "Mia Member" in owers and "Ada Admin" not in owers
    assert "Taking part without owing one (in none of its teams): Ada Admin (owner)." in page
    assert "owed by everyone in its teams (its owner only as one of them)" in page
    assert "No check-ins owed this week" in week  # Ada owes none
    # Her form says so, beside the same count.
    assert "This round: 0 of 2 in" in adas_form
    assert "You owe no check-in in this round" in adas_form and "as its owner" in adas_form
    # Mia does owe it, on her week.
    mia = login(cast.member)
    with at(NOW):
        mias = _text(mia.get("/o/acme/rhythm/"))
        form = _text(mia.get(f"/o/acme/rhythm/cadences/{checkin.pk}/{key}/checkin/"))
    assert "This round: 0 of 2 in" in form and "You owe no check-in" not in form
    assert "No check-ins owed this week" not in mias
    assert "Weekly team check-in · Platform" in mias


def test_a_round_from_before_it_was_set_up_says_nobody_owes_it(cast):
    """Set up on Thursday with a start date the Monday before (to record the meetings
    held since), last Friday's round is owed by nobody: Mia, in its team, is told that,
    not that she takes part from outside its teams."""
    with at(NOW):
        checkin = services.create_cadence_from_template(
            cast.org,
            cast.admin,
            "weekly-checkin",
            team=cast.platform,
            timezone_name="Europe/Berlin",
            start_date=utc(2026, 11, 30).date(),
            name="Weekly team check-in · Platform",
        )
        earlier = FRIDAY.replace(day=4).strftime("%Y%m%dT%H%M%SZ")
        form = _text(
            login(cast.member).get(f"/o/acme/rhythm/cadences/{checkin.pk}/{earlier}/checkin/")
        )
        this_week = _text(
            login(cast.member).get(
                f"/o/acme/rhythm/cadences/{checkin.pk}/{FRIDAY.strftime('%Y%m%dT%H%M%SZ')}/checkin/"
            )
        )
    assert "is from before Weekly team check-in · Platform was set up, so nobody owes it" in form
    assert "outside them" not in form
    assert "nobody owes it" not in this_week and "You owe no check-in" not in this_week
