"""A new organization's Rhythm page: with no cadence yet it says so, and offers those who
may set one up the way to the first (as Alignment offers the first period)."""

from __future__ import annotations

import datetime as dt

from accord.rhythm import services
from tests.conftest import login

URL = "/o/acme/rhythm/"
NEW = 'href="/o/acme/rhythm/cadences/new/"'


def test_with_no_cadence_the_page_leads_to_the_first(cast):
    page = login(cast.leader).get(URL).content.decode()
    assert "No cadence yet" in page and NEW in page and "Set up the first cadence" in page
    # Someone who may not set one up is told so, with no link that would be refused.
    page = login(cast.viewer).get(URL).content.decode()
    assert "No cadence yet" in page and NEW not in page


def test_once_there_is_a_cadence_the_page_is_the_week(cast):
    services.create_cadence(
        cast.org,
        cast.admin,
        name="Weekly sync",
        rrule="FREQ=WEEKLY;BYDAY=MO",
        timezone_name="UTC",
        time=dt.time(10),
        scope="team",
        team=cast.platform,
        start_date=dt.date(2026, 11, 2),
    )
    page = login(cast.leader).get(URL).content.decode()
    assert "No cadence yet" not in page and NEW not in page
