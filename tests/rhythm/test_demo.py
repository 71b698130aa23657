"""The demo organization gets a lived-in rhythm: history with late and missed check-ins,
meetings with minutes, and every kind of cadence."""

from __future__ import annotations

import time

from accord import demo
from accord.rhythm import queries
from accord.rhythm.models import Cadence, CheckIn, Meeting, MeetingStatus


def test_the_demo_has_check_in_history_meetings_with_minutes_and_every_template(db):
    t0 = time.monotonic()
    org = demo.load()
    elapsed = time.monotonic() - t0
    cads = Cadence.objects.for_org(org)
    assert set(cads.values_list("template", flat=True)) == {
        "weekly-checkin",
        "weekly-sync",
        "monthly-review",
        "quarterly-planning",
        "daily-standup",
    }
    statuses = set(CheckIn.objects.for_org(org).values_list("status", flat=True))
    assert statuses == {"on_time", "late", "missed"}
    weeks = CheckIn.objects.for_org(org).values("occurrence_start").distinct().count()
    assert weeks >= 8
    finished = Meeting.objects.for_org(org).filter(status=MeetingStatus.FINISHED)
    assert finished.count() >= 10
    assert any(m.notes for m in finished)
    platform = cads.get(template="weekly-checkin", team__slug="platform")
    [a] = queries.adherence(org, [platform])
    assert a.totals["missed"] > 0 and a.totals["on_time"] > a.totals["late"]
    print(f"demo loaded in {elapsed:.1f}s")
