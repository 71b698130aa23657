"""A briefing names the owner of what is coming up as the pages do: someone who had left by
the end of its week reads "(left)" (`snapshot.person_name`, the shared `name_of`)."""

from __future__ import annotations

import datetime as dt

from accord.briefings import compose, render, services
from accord.org import services as org_services
from tests.briefings.world import WEEK, build_story


def test_an_action_owner_who_left_reads_left_in_the_briefing(db, clock):
    s = build_story(clock)
    w = s.w
    plat = w["Platform"]
    line = "Action “Write the on-call runbook” ({}) is due"
    before = render.text(services.build_for(w.org, compose.parse_week(WEEK), person=w.admin))
    assert line.format("Platform Lead") in before
    clock.at(dt.date(2026, 1, 16), 12)  # within the week
    org_services.update_person(w.org, w.admin, plat.lead, is_active=False)
    clock.at(dt.date(2026, 1, 19), 9)
    after = render.text(services.build_for(w.org, compose.parse_week(WEEK), person=w.admin))
    assert line.format("Platform Lead (left)") in after
