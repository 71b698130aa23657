"""Insights tells one story of days for a reader east of UTC just after their midnight
(still the day before in UTC), and for one west of it in the evening (already the next day
in UTC): the figures' day is a UTC day, said so in one sentence with the reader's own date
when it is another; when they were computed is in the reader's zone, named, and so is when
the signals were; the day the page can be pinned to ends at today in UTC, not at the
reader's date."""

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
    return re.sub(r"<[^>]+>", "", re.search(r"· health for .*?</p>", html, re.S).group(0))


def test_the_health_day_is_said_in_utc_and_when_it_was_computed_in_the_readers_zone(reader):
    with at(READ):
        html = reader.get(URL, {"scope": "all"}).content.decode()
    header = _header(html)
    assert header == (
        f"· health for the UTC day {day(DAY)} ({day(NEXT)} where you are), computed at "
        "00:10 your time (Asia/Kolkata)"
    )
    assert f"Signals as of {day(NEXT)}, 00:10 (Asia/Kolkata)," in html


def test_a_reader_west_of_utc_reads_their_own_date_beside_the_utc_day(cast):
    """Evaluated at 00:00 UTC: 16:00 the day before in Los Angeles (8 hours west, winter)."""
    evaluated = dt.datetime.combine(NEXT, dt.time(0, 0), tzinfo=dt.UTC)
    with at(evaluated):
        evaluate.evaluate(cast.org, None, announce=False)
    cast.leader.timezone = "America/Los_Angeles"
    cast.leader.save(update_fields=["timezone"])
    with at(evaluated + dt.timedelta(minutes=5)):
        html = login(cast.leader).get(URL, {"scope": "all"}).content.decode()
    local = (evaluated.astimezone(dt.timezone(dt.timedelta(hours=-8)))).date()
    assert _header(html) == (
        f"· health for the UTC day {day(NEXT)} ({day(local)} where you are), computed at "
        "16:00 your time (America/Los_Angeles)"
    )
    assert "computed at 16:00 your time" in html
    assert f"Signals as of {day(local)}, 16:00 (America/Los_Angeles)," in html


def test_a_reader_in_utc_reads_one_date(reader, cast):
    cast.leader.timezone = "UTC"
    cast.leader.save(update_fields=["timezone"])
    with at(READ):
        html = reader.get(URL, {"scope": "all"}).content.decode()
    assert _header(html) == f"· health for {day(DAY)} (UTC), computed at {day(DAY)}, 18:40 UTC"


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
