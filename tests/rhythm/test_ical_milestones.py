"""The iCalendar feeds carry milestones as all-day events that parse with `icalendar`:
the organization's and those of the feed's teams, moved when the milestone moves."""

from __future__ import annotations

import datetime as dt

import icalendar
from django.test import Client
from django.utils import timezone

from accord.alignment import milestones
from accord.alignment.models import Milestone
from accord.org import services as org_services
from accord.rhythm import services


def _events(client, token) -> dict[str, icalendar.Event]:
    response = client.get(f"/api/v1/rhythm/calendar/{token}.ics")
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


def test_feeds_include_milestones_as_all_day_events(cast):
    org, today = cast.org, timezone.localdate()
    data = org_services.create_team(org, None, name="Data", slug="data", parent=cast.root)
    release = milestones.create_milestone(
        org, None, name="Release 4", kind="release", date=today + dt.timedelta(days=30)
    )
    milestones.create_milestone(
        org,
        None,
        name="Freeze 4",
        kind="feature_freeze",
        anchor=release,
        offset_days=-28,
        teams=[cast.platform],
        description="No new features after this.",
    )
    milestones.create_milestone(org, None, name="Data day", date=today, teams=[data])
    Milestone.objects.create(org=cast.other_org, name="Globex day", date=today)

    client = Client()
    _, person_token = services.create_feed(org, cast.member, person=cast.member)
    _, team_token = services.create_feed(org, cast.leader, team=cast.platform)
    for token in (person_token, team_token):
        events = _events(client, token)
        assert "Release: Release 4" in events and "Feature freeze: Freeze 4" in events
        assert not any("Data day" in s or "Globex" in s for s in events)
        freeze = events["Feature freeze: Freeze 4"]
        start = freeze["DTSTART"].dt
        assert start == today + dt.timedelta(days=2) and not isinstance(start, dt.datetime)
        assert freeze["DTEND"].dt == start + dt.timedelta(days=1)
        assert "Release 4 -4 weeks" in str(freeze["DESCRIPTION"])
        assert "No new features" in str(freeze["DESCRIPTION"])

    milestones.move_milestone(org, None, release, today + dt.timedelta(days=44))
    freeze = _events(client, team_token)["Feature freeze: Freeze 4"]
    assert freeze["DTSTART"].dt == today + dt.timedelta(days=16)
