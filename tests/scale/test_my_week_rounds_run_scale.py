"""My week of whoever runs check-ins in no team of theirs (the rounds they run, open now or
due this week) reads as many queries at 30 teams as at 200."""

from __future__ import annotations

import datetime as dt
import html

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.org import services as org_services
from accord.org.models import Role
from accord.rhythm import services
from accord.rhythm.models import CadenceKind
from tests.conftest import login, make_person

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def _runner(org):
    """Rita runs two check-ins of a team she is not in: one due in a day (its round open),
    one due in three (not open yet)."""
    rita = make_person(org, "Rita Runner", Role.LEADER)
    rex = make_person(org, "Rex Runs", Role.MEMBER)
    team = org_services.create_team(org, None, name="Run team", parent=None)
    org_services.add_membership(org, None, person=rex, team=team, allocation=0)
    today = timezone.now().astimezone(dt.UTC).date()
    for name, days in (("Open round", 1), ("Round ahead", 3)):
        services.create_cadence(
            org,
            None,
            name=name,
            kind=CadenceKind.CHECKIN,
            rrule=f"FREQ=WEEKLY;BYDAY={BYDAY[(today + dt.timedelta(days=days)).weekday()]}",
            time=dt.time(9, 0),
            timezone_name="UTC",
            team=team,
            owner=rita,
            start_date=today - dt.timedelta(days=14),
        )
    return rita


def _measure(org) -> tuple[int, str]:
    client = login(_runner(org))
    client.get(f"/o/{org.slug}/rhythm/")  # warm the session and caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/o/{org.slug}/rhythm/")
    assert response.status_code == 200
    return len(ctx.captured_queries), html.unescape(response.content.decode())


def test_my_week_of_who_runs_rounds_does_not_grow_with_the_organization(generated, db):
    small, small_page = _measure(generated["small"])
    large, large_page = _measure(generated["large"])
    assert small == large, (small, large)
    for page in (small_page, large_page):
        opened = page.split("Rounds you run, open now", 1)[1].split("</ul>", 1)[0]
        ahead = page.split("Rounds you run, this week", 1)[1].split("</ul>", 1)[0]
        assert "Open round</a>" in opened and "0 of 1 in" in opened
        assert "Round ahead</a>" in ahead and "next round due" in ahead
