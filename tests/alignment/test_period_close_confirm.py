"""Closing a period asks first, on its own page; closing the current one, or one before its
end, says so and how many of its objectives are still open."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.utils import timezone

from accord.alignment import services as s
from accord.web.templatetags.dates import day
from tests.conftest import at, login


def _asked(client, period) -> str:
    """What the Close page of `period` says, as read."""
    page = client.get(f"/o/acme/alignment/periods/{period.pk}/close/").content.decode()
    page = page.split('id="close"')[1].split("</section>")[0]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def test_closing_the_current_period_early_says_so(cast, plan):
    # Mid-November 2026: inside the plan's year 2026, after its Q1.
    with at(dt.datetime(2026, 11, 16, 12, tzinfo=dt.UTC)):
        org, today = cast.org, timezone.localdate()
        now = s.create_period(
            org,
            None,
            name="Now",
            start=today - dt.timedelta(days=30),
            end=today + dt.timedelta(days=30),
        )
        s.set_current_period(org, cast.leader, now)
        s.create_objective(
            org, None, title="Ship it", period=now, team=cast.platform, status="active"
        )
        s.create_objective(
            org, None, title="Plan it", period=now, team=cast.platform, status="draft"
        )
        s.create_objective(
            org, None, title="Done", period=now, team=cast.platform, status="achieved"
        )
        later = s.create_period(
            org,
            None,
            name="Later",
            start=today + dt.timedelta(days=31),
            end=today + dt.timedelta(days=90),
        )
        client = login(cast.leader)
        asked = _asked(client, now)
        assert f"Now runs until {day(now.end)}. Closing it now stops judging its 2 open " in asked
        assert "0 complete" not in asked  # all unfinished: no part of none
        # the year 2026, open, holds today: it is current once Now is closed
        assert "Now is the current period; after closing, 2026 becomes the current period." in asked
        assert "Close it before its end anyway, and stop judging its 2 open objectives" in asked
        asked = _asked(client, later)
        assert f"Later runs until {day(later.end)}. Closing it now ends it early." in asked
        assert "Now stays the current period." in asked
        # a period that has ended and is not current: no tick to give
        assert plan.q1.end < today
        asked = _asked(client, plan.q1)
        assert "runs until" not in asked and "before its end anyway" not in asked
        assert (
            "Q1 2026 · 1 Jan 2026 \N{EN DASH} 31 Mar 2026 Its key-result values will be frozen"
            in asked
        )
