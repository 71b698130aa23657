"""The briefing of the week before a cadence was set up lists, under "Coming up", only the
meetings it has from then on: not the Monday 10:00 that passed before it was made at 20:05."""

from __future__ import annotations

import datetime as dt

from accord.briefings import compose
from accord.briefings import services as briefings
from accord.rhythm import services
from accord.rhythm.models import Scope
from tests.conftest import at
from tests.rhythm.conftest import utc


def test_coming_up_has_no_meeting_from_before_the_cadence_was_set_up(cast):
    with at(utc(2026, 12, 7, 20, 5)):
        sync = services.create_cadence(
            cast.org,
            cast.admin,
            name="Hardware sync",
            scope=Scope.TEAM,
            team=cast.platform,
            rrule="FREQ=WEEKLY;BYDAY=MO,TH",
            time=dt.time(10),
            timezone_name="UTC",
        )
    with at(utc(2026, 12, 7, 20, 15)):
        built = briefings.build_for(cast.org, compose.parse_week("2026-W49"), person=cast.admin)
    coming = next(s for s in built["sections"] if s["key"] == "coming_up")["items"]
    ours = [i["text"] for i in coming if i["target_id"] == str(sync.pk)]
    # Thursday's is coming up; Monday's 10:00 had passed when it was set up.
    assert any("Thu 10 Dec 2026" in t for t in ours)
    assert not any("Mon 7 Dec 2026" in t for t in ours)
