"""Accord's marks say the day a thing became late or overdue, not the day its worker first
noticed: a dependency or a decision whose date passed three days before the job first runs
reads "late since" / "overdue since" the day after its date, on its page, in its history
and in its signal."""

from __future__ import annotations

import datetime as dt

from accord.activity.models import Event
from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.org import services as org_services
from tests.conftest import login
from tests.intelligence.world import build_org, evaluate_on

D = dt.date


def api_for_web_needed_by_20_january(slug: str, clock):
    """An organization `slug` of Platform (2 people) and Web (3), and Web's request of 5
    January 2026 for an API from Platform, needed by 20 January: (world, dependency)."""
    w = build_org(slug, {"Platform": 2, "Web": 3})
    clock.at(D(2026, 1, 5), 10)
    dep = coordination.create_dependency(
        w.org,
        None,
        requester_initiative=w["Web"].initiative,
        provider_team=w["Platform"].team,
        title="API for Web",
        need_by=D(2026, 1, 20),
    )
    return w, dep


def test_marks_and_signals_say_the_day_after_the_date_whenever_first_noticed(db, clock):
    w, dep = api_for_web_needed_by_20_january("lateco", clock)
    coordination.transition(
        w.org,
        None,
        dep,
        "accept",
        committed_date=D(2026, 1, 20),
        provider_initiative=w["Platform"].initiative,
    )
    decision = decisions.create_decision(
        w.org, None, "Which region first?", w.admin, decide_by=D(2026, 1, 20)
    )

    # The worker first runs three days after both dates passed.
    clock.at(D(2026, 1, 23), 10)
    assert coordination.announce_late(w.org) == 1
    assert decisions.flag_overdue_decisions(w.org) == 1
    late = Event.objects.get(verb="became_late", target_id=str(dep.pk))
    overdue = Event.objects.get(verb="overdue", target_id=str(decision.pk))
    assert late.after["late_since"] == "2026-01-21"
    assert overdue.after["overdue_since"] == "2026-01-21"
    for e in (late, overdue):  # recorded when noticed, dated when it happened
        assert e.created_at.date() == D(2026, 1, 23)
        assert e.happened_at.date() == D(2026, 1, 21)

    evaluate_on(w, clock, D(2026, 1, 23))
    org_services.update_person(w.org, None, w.admin, email="admin@lateco.example")
    w.admin.refresh_from_db()
    org_services.give_login(w.org, None, w.admin, "a-long-password-42")
    w.admin.refresh_from_db()
    client = login(w.admin)
    page = client.get(f"/o/lateco/coordination/d/{dep.pk}/").content.decode()
    assert "Late since 21 Jan 2026" in page
    assert 'datetime="2026-01-21T00:00:00' in page  # its history's mark, on that day
    page = client.get(f"/o/lateco/decisions/{decision.pk}/").content.decode()
    assert "Overdue since 21 Jan 2026" in page
    page = client.get("/o/lateco/insights/").content.decode()
    assert "late since 21 Jan 2026" in page
    assert "overdue since 21 Jan 2026" in page


def test_a_mark_recorded_on_the_day_it_became_late_keeps_its_moment(db, clock):
    """The worker noticed it in time (the morning after the date): its history shows when
    it was recorded, not midnight."""
    w, dep = api_for_web_needed_by_20_january("ontime", clock)
    clock.at(D(2026, 1, 21), 9)
    assert coordination.announce_late(w.org) == 1
    late = Event.objects.get(verb="became_late", target_id=str(dep.pk))
    assert late.after["late_since"] == "2026-01-21"
    assert late.happened_at == late.created_at
