"""Insights tells one story of days for a reader east of UTC just after their midnight
(still the day before in UTC): the figures' day is a UTC day, said so beside the health's
date; when they were computed is in the reader's zone, named; and the day the page can be
pinned to ends at today in UTC, not at the reader's date."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from accord.intelligence import evaluate
from accord.web.templatetags.dates import day
from tests.conftest import at, login

pytestmark = pytest.mark.django_db

URL = "/o/acme/insights/"
# After the cast was made (now): evaluated at 18:40 UTC, read half an hour later, when it is
# 00:40 the next day in Kolkata (5:30 east of UTC).
DAY = dt.date.today() + dt.timedelta(days=3)
EVALUATED = dt.datetime.combine(DAY, dt.time(18, 40), tzinfo=dt.UTC)
READ = EVALUATED + dt.timedelta(minutes=30)
NEXT = DAY + dt.timedelta(days=1)


@pytest.fixture
def reader(cast):
    with at(EVALUATED):
        evaluate.evaluate(cast.org, None, announce=False)
    cast.leader.timezone = "Asia/Kolkata"
    cast.leader.save(update_fields=["timezone"])
    return login(cast.leader)


def _header(html: str) -> str:
    return re.search(r"· health as of .*?</p>", html, re.S).group(0)


def test_the_health_day_is_said_in_utc_and_when_it_was_computed_in_the_readers_zone(reader):
    with at(READ):
        html = reader.get(URL, {"scope": "all"}).content.decode()
    header = _header(html)
    assert f"health as of {day(DAY)} (UTC)," in header
    assert f"computed at {day(NEXT)}, 00:10 (Asia/Kolkata)" in header


def test_the_day_field_ends_at_today_in_utc(reader):
    with at(READ):
        html = reader.get(URL, {"scope": "all"}).content.decode()
    field = re.search(r'<input type="date" id="pin-day"[^>]*>', html).group(0)
    assert f'max="{DAY.isoformat()}"' in field


def test_the_readers_date_after_todays_in_utc_is_left_out_not_called_today(reader):
    with at(READ):
        html = reader.get(URL, {"scope": "all", "as_of": NEXT.isoformat()}).content.decode()
    assert (
        f"Left out, not understood: as of ({NEXT.isoformat()} is after today in UTC "
        f"({DAY.isoformat()}); nothing is known of it yet)"
    ) in html
    assert "Today is not over" not in html
    with at(READ):
        pinned = reader.get(URL, {"scope": "all", "as_of": DAY.isoformat()}).content.decode()
    assert f"As of the end of {day(DAY)}</strong> (UTC)" in pinned
    assert "Today is not over" in pinned
