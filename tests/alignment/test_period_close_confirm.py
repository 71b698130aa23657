"""Closing a period asks first; closing the current one, or one before its end, says so
and how many of its objectives are still open."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.utils import timezone

from accord.alignment import services as s
from accord.web.templatetags.dates import day
from tests.conftest import login


def _confirms(page: str) -> dict[str, str]:
    """Each Close form's question, by the period it names."""
    texts = [html.unescape(t) for t in re.findall(r'data-confirm="([^"]*)"', page)]
    return {t.split("?")[0].removeprefix("Close "): t for t in texts if t.startswith("Close ")}


def test_closing_the_current_period_early_says_so(cast, plan):
    org, today = cast.org, timezone.localdate()
    now = s.create_period(
        org,
        None,
        name="Now",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=30),
    )
    s.set_current_period(org, cast.leader, now)
    s.create_objective(org, None, title="Ship it", period=now, team=cast.platform, status="active")
    s.create_objective(org, None, title="Plan it", period=now, team=cast.platform, status="draft")
    s.create_objective(org, None, title="Done", period=now, team=cast.platform, status="achieved")
    later = s.create_period(
        org,
        None,
        name="Later",
        start=today + dt.timedelta(days=31),
        end=today + dt.timedelta(days=90),
    )
    asked = _confirms(login(cast.leader).get("/o/acme/alignment/periods/").content.decode())
    end = day(now.end)
    assert asked["Now"] == (
        f"Close Now? Its key-result values are frozen. Now is the current period and runs to "
        f"{end}: closing it now leaves no current period; 2 objectives are still open: "
        "score each afterwards (its row's Score its objectives)."
    )
    assert asked["Later"] == (
        f"Close Later? Its key-result values are frozen. Later runs to {day(later.end)}: "
        f"closing it now ends it early."
    )
    # a period that has ended and is not current: the question as before
    assert plan.q1.end < today
    assert asked["Q1 2026"] == "Close Q1 2026? Its key-result values are frozen."
