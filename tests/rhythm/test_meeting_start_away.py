"""Starting a meeting marks its participants present, but not who is away on its day (their
time off, as the check-in round knows it): they start unticked, and the attendance list
says "away" beside them, on the running page and in the minutes."""

from __future__ import annotations

import datetime as dt

from accord.rhythm import services
from accord.rhythm.models import Attendance
from tests.conftest import at, login
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

STARTS = utc(2026, 11, 9, 9, 0)  # the weekly sync, Monday 10:00 in Berlin
URL = "/o/acme/rhythm/cadences/{}/20261109T090000Z/"


def _attendance(page: str) -> str:
    return page[page.index('id="att-h"') :].split("</section>")[0]


def test_who_is_away_that_day_starts_unticked_and_is_said_away(cast, rhythm):  # noqa: F811
    services.set_away(
        cast.org, cast.member, cast.member,
        starts_on=dt.date(2026, 11, 6), ends_on=dt.date(2026, 11, 13),
    )  # fmt: skip
    # Someone away another week is present as usual.
    services.set_away(
        cast.org, cast.leader, cast.leader,
        starts_on=dt.date(2026, 11, 10), ends_on=dt.date(2026, 11, 12),
    )  # fmt: skip
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    m = services.start_meeting(cast.org, cast.leader, m, now=STARTS)
    present = dict(Attendance.objects.filter(meeting=m).values_list("person_id", "present"))
    assert present[cast.member.pk] is False
    assert present[cast.leader.pk] is True

    client = login(cast.leader)
    url = URL.format(rhythm.sync.pk)
    with at(STARTS + dt.timedelta(minutes=5)):
        running = _attendance(client.get(url).content.decode())
    box = running[running.index(f'value="{cast.member.pk}"') :].split("</li>")[0]
    assert "checked" not in box and '<span class="tag">away</span>' in box
    leader_box = running[running.index(f'value="{cast.leader.pk}"') :].split("</li>")[0]
    assert "checked" in leader_box and "away" not in leader_box

    services.finish_meeting(cast.org, cast.leader, m, now=STARTS + dt.timedelta(hours=1))
    with at(STARTS + dt.timedelta(hours=2)):
        minutes = _attendance(client.get(url).content.decode())
    line = minutes[minutes.index(cast.member.name) :].split("</li>")[0]
    assert '<span class="tag">away</span>' in line and "absent" not in line
    # The minutes e-mail says so too: away, not absent.
    from accord.rhythm.notifications import minutes_of

    mail = minutes_of(cast.org, m)
    assert cast.member.name in mail["away"] and cast.member.name not in mail["absent"]
    assert cast.leader.name in mail["present"]
