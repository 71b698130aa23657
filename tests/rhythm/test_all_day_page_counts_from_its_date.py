"""An all-day date's page counts the days to what is near from its own date, as a
meeting's page does from its day: in the cadence's zone, not from the UTC day its
midnight falls on (the day before, east of Greenwich)."""

from __future__ import annotations

import datetime as dt
import html

from accord.alignment import milestones
from accord.rhythm import queries, services
from accord.rhythm.models import Scope
from tests.conftest import at, login
from tests.rhythm.conftest import utc

NOW = utc(2026, 12, 7, 20, 15)  # Monday evening


def test_an_all_day_dates_page_counts_from_its_own_date(cast):
    with at(utc(2026, 12, 7, 20, 5)):
        hack = services.create_cadence(
            cast.org,
            cast.admin,
            name="Hack day",
            scope=Scope.ORG,
            rrule="FREQ=WEEKLY;BYDAY=TU",
            all_day=True,
            timezone_name="Europe/Berlin",
        )
        sync = services.create_cadence(
            cast.org,
            cast.admin,
            name="Hardware sync",
            scope=Scope.ORG,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10),
            timezone_name="Europe/Berlin",
        )
    milestones.create_milestone(
        cast.org, None, name="Plan 2027", kind="planning", date=dt.date(2026, 12, 24)
    )
    [tuesday] = queries.occurrences_of(hack, utc(2026, 12, 7, 12), utc(2026, 12, 9))
    [monday] = queries.occurrences_of(sync, utc(2026, 12, 14), utc(2026, 12, 15))
    client = login(cast.admin)
    with at(NOW):
        date_page = client.get(f"/o/acme/rhythm/cadences/{hack.pk}/{tuesday.key}/")
        meeting_page = client.get(f"/o/acme/rhythm/cadences/{sync.pk}/{monday.key}/")
    date_page = html.unescape(date_page.content.decode())
    assert "Tue 8 Dec 2026" in date_page
    # 24 Dec is 16 days after Tuesday 8 Dec (not 17: from the 7th, today or the UTC day).
    assert "Planning day · 24 Dec 2026 · in 16 days" in date_page
    assert "in 17 days" not in date_page
    # As a meeting's page counts from its own day: 24 Dec is 10 days after Monday 14 Dec.
    assert "Planning day · 24 Dec 2026 · in 10 days" in html.unescape(meeting_page.content.decode())
