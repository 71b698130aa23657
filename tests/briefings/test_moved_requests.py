"""A request the asking team sends on to another team (`coordination.services.
update_dependency`) is a new request for the team it went to, in the week it moved, as a
request made that week is; the team it left no longer reads of it."""

from __future__ import annotations

import datetime as dt

from accord.briefings import compose, render, services
from accord.coordination import services as coordination
from tests.briefings.test_sections import items
from tests.intelligence.world import build_org

D = dt.date
LINK = "coordination.dependency"


def _briefing(w, week: str, *, person=None, team=None) -> dict:
    return services.build_for(w.org, compose.parse_week(week), person=person, team=team)


def rate_limits_asked(clock, slug: str, *teams: str):
    """An organization of Platform, Web and `teams` (two people each) built on Monday 5 Jan
    2026, where Web asks Platform for "Rate limits" on Tuesday 6 Jan (week 2026-W02)."""
    clock.at(D(2026, 1, 5), 9)
    w = build_org(slug, {name: 2 for name in ("Platform", "Web", *teams)}, checkins=False)
    clock.at(D(2026, 1, 6), 10)
    dep = coordination.create_dependency(
        w.org, w["Web"].lead, requester_initiative=w["Web"].initiative,
        provider_team=w["Platform"].team, title="Rate limits", need_by=D(2026, 3, 1),
    )  # fmt: skip
    return w, dep


def test_a_request_moved_to_another_team_is_new_there_that_week_and_gone_where_it_left(db, clock):
    # W02: Web asks Platform.
    w, dep = rate_limits_asked(clock, "moved", "Data")
    plat, web, data = w["Platform"], w["Web"], w["Data"]
    # W03: Web sends it on to Data instead, still unanswered.
    clock.at(D(2026, 1, 14), 10)
    coordination.update_dependency(w.org, web.lead, dep, provider_team=data.team)
    clock.at(D(2026, 1, 28), 9)

    # The week it moved: new for Data, for its lead and in its team's briefing.
    for briefing in (
        _briefing(w, "2026-W03", person=data.lead),
        _briefing(w, "2026-W03", team=data.team),
    ):
        assert (LINK, dep.pk) in items(briefing, "changed")
        assert (LINK, dep.pk) in items(briefing, "needs_you")
        assert "Web asked Data for “Rate limits”, instead of Platform." in render.text(
            briefing, absolute=False
        )
    # ... and nothing for Platform, which it left: not new, not waiting on it.
    for briefing in (
        _briefing(w, "2026-W03", person=plat.lead),
        _briefing(w, "2026-W03", team=plat.team),
    ):
        assert (LINK, dep.pk) not in items(briefing, "changed")
        assert (LINK, dep.pk) not in items(briefing, "needs_you")
    # Web, asking, reads where its request went.
    asking = render.text(_briefing(w, "2026-W03", person=web.lead), absolute=False)
    assert "Web asked Data for “Rate limits”, instead of Platform." in asking

    # The week it was made, it was Platform's new request (and not Data's).
    made = _briefing(w, "2026-W02", person=plat.lead)
    assert (LINK, dep.pk) in items(made, "changed")
    assert "Web asked Platform for “Rate limits”." in render.text(made, absolute=False)
    assert (LINK, dep.pk) not in items(_briefing(w, "2026-W02", person=data.lead), "changed")

    # The week after it moved, it is no longer new for Data; it still waits on it.
    later = _briefing(w, "2026-W04", person=data.lead)
    assert (LINK, dep.pk) not in items(later, "changed")
    assert (LINK, dep.pk) in items(later, "needs_you")
