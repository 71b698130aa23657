"""An action item's page says its times in one zone, and says which: "recorded … on 4 Oct
2026, 18:50 (times in America/New_York)" beside the meeting it came from, whose name says
the meeting's own day, in its cadence's zone, named when it is another. Before, a reader in
New York read "recorded on 4 Oct" beside "From meeting Weekly sync · 5 Oct 2026"."""

from __future__ import annotations

import datetime as dt

from accord.decisions import services
from accord.decisions.models import ActionSource
from accord.rhythm import services as rhythm
from tests.conftest import login

# Monday 00:30 in Berlin: Sunday evening in New York.
MEETING = dt.datetime(2026, 10, 4, 22, 30, tzinfo=dt.UTC)


def _about(page: str) -> str:
    return page.split('id="about-h"')[1].split("</section>")[0]


def _item(cast):
    sync = rhythm.create_cadence(
        cast.org,
        None,
        name="Weekly sync",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        time=dt.time(0, 30),
        timezone_name="Europe/Berlin",
        team=cast.platform,
        start_date=dt.date(2026, 9, 1),
    )
    meeting = rhythm.open_meeting(cast.org, None, sync, MEETING)
    return services.create_action_item(
        cast.org,
        cast.admin,
        "Send the notes",
        cast.member,
        team=cast.platform,
        source_type=ActionSource.MEETING,
        source_id=meeting.pk,
        created_at=MEETING + dt.timedelta(minutes=20),
    )


def test_a_reader_in_new_york_reads_the_recorded_time_and_its_zone(cast):
    item = _item(cast)
    cast.member.timezone = "America/New_York"
    cast.member.save(update_fields=["timezone"])
    about = _about(login(cast.member).get(f"/o/acme/decisions/actions/{item.pk}/").text)
    assert "recorded by Ada Admin on 4 Oct 2026, 18:50" in about
    assert "(times in America/New_York)" in about
    assert "Weekly sync · 5 Oct 2026</a>" in about  # the meeting's own day
    assert "(its day in Europe/Berlin)" in about


def test_a_reader_in_the_meetings_zone_is_not_told_it_twice(cast):
    item = _item(cast)
    cast.member.timezone = "Europe/Berlin"
    cast.member.save(update_fields=["timezone"])
    about = _about(login(cast.member).get(f"/o/acme/decisions/actions/{item.pk}/").text)
    assert "recorded by Ada Admin on 5 Oct 2026, 00:50" in about
    assert "(times in Europe/Berlin)" in about
    assert "Weekly sync · 5 Oct 2026</a>." in about and "its day in" not in about
