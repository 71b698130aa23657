"""The periods list says which period is current, as every other page takes it
(`alignment.queries.current_period`): the one marked current, else the open one containing
today. That one reads "current" and offers no "Make current"; a planning period still does."""

from __future__ import annotations

import datetime as dt
import re

from accord.alignment import services as alignment
from tests.conftest import login


def _row(html: str, name: str) -> str:
    rows = re.split(r"<tr[\s>]", html)
    return re.sub(r"\s+", " ", next(r for r in rows if f">{name}</a>" in r))


def test_the_active_period_containing_today_reads_current(cast, clock):
    clock.at(dt.date(2026, 11, 16))
    alignment.create_period(
        cast.org,
        cast.leader,
        name="Q4 2026",
        start="2026-10-01",
        end="2026-12-31",
        state="active",
    )
    alignment.create_period(
        cast.org, cast.leader, name="Q1 2027", start="2027-01-01", end="2027-03-31"
    )
    html = login(cast.leader).get("/o/acme/alignment/periods/").content.decode()
    q4, q1 = _row(html, "Q4 2026"), _row(html, "Q1 2027")
    assert ">current</span>" in q4 and "Make current" not in q4
    assert ">current</span>" not in q1 and "Make current" in q1


def test_a_period_marked_current_reads_current_and_no_other_does(cast, clock):
    clock.at(dt.date(2026, 11, 16))
    alignment.create_period(
        cast.org,
        cast.leader,
        name="Q4 2026",
        start="2026-10-01",
        end="2026-12-31",
        state="active",
    )
    alignment.create_period(
        cast.org,
        cast.leader,
        name="Q1 2027",
        start="2027-01-01",
        end="2027-03-31",
        is_current=True,
    )
    html = login(cast.leader).get("/o/acme/alignment/periods/").content.decode()
    q4, q1 = _row(html, "Q4 2026"), _row(html, "Q1 2027")
    assert ">current</span>" in q1 and "Make current" not in q1
    assert ">current</span>" not in q4 and "Make current" in q4


def test_a_planning_period_taken_as_current_may_still_be_made_current(cast, clock):
    """With no period marked and none open today, the latest is taken as current; if it is
    still planning, "Make current" (which starts it) stays offered."""
    clock.at(dt.date(2026, 11, 16))
    alignment.create_period(
        cast.org, cast.leader, name="Q1 2027", start="2027-01-01", end="2027-03-31"
    )
    html = login(cast.leader).get("/o/acme/alignment/periods/").content.decode()
    q1 = _row(html, "Q1 2027")
    assert ">current</span>" in q1 and "Make current" in q1
