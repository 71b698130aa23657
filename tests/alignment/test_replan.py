"""A new target date is a re-plan: recorded with its reason, the baseline never moves."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import Replan
from accord.alignment.signals import initiative_replanned
from accord.core.errors import ServiceError

D = dt.date


def test_the_first_committed_date_is_the_baseline(cast):
    i = s.create_initiative(cast.org, None, team=cast.platform, title="Ongoing upkeep")
    assert i.target_date is None and i.baseline_target_date is None
    s.update_initiative(cast.org, None, i, target_date=D(2026, 3, 1))
    i.refresh_from_db()
    assert i.baseline_target_date == D(2026, 3, 1)
    assert i.replan_count == 0


def test_moving_the_target_records_a_replan_and_keeps_the_slip_visible(cast):
    received = []
    handler = lambda sender, **kw: received.append(kw)  # noqa: E731
    initiative_replanned.connect(handler)
    try:
        i = s.create_initiative(
            cast.org, None, team=cast.platform, title="Edge cache", target_date=D(2026, 3, 1)
        )
        s.update_initiative(
            cast.org, cast.member, i, target_date=D(2026, 3, 15), reason="Vendor late"
        )
        s.update_initiative(
            cast.org, cast.member, i, target_date=D(2026, 3, 10), reason="Scope cut"
        )
    finally:
        initiative_replanned.disconnect(handler)
    i.refresh_from_db()
    assert i.baseline_target_date == D(2026, 3, 1)
    assert i.target_date == D(2026, 3, 10)
    assert i.replan_count == 2
    assert i.slip_days == 9
    assert [r.reason for r in Replan.objects.filter(initiative=i)] == ["Vendor late", "Scope cut"]
    assert [r["new_target_date"] for r in received] == [D(2026, 3, 15), D(2026, 3, 10)]
    event = Event.objects.for_org(cast.org).filter(verb="replanned").first()
    assert event.after["reason"] == "Scope cut" and event.actor == cast.member


def test_it_refuses_a_replan_without_a_reason_and_changes_nothing(cast):
    i = s.create_initiative(
        cast.org, None, team=cast.platform, title="Edge cache", target_date=D(2026, 3, 1)
    )
    events = Event.objects.for_org(cast.org).count()
    with pytest.raises(ServiceError) as exc:
        s.update_initiative(cast.org, None, i, title="Edge cache v2", target_date=D(2026, 4, 1))
    assert exc.value.fields == {"reason": ["Give the reason for the new date."]}
    i.refresh_from_db()
    assert (i.title, i.target_date, i.replan_count) == ("Edge cache", D(2026, 3, 1), 0)
    assert Event.objects.for_org(cast.org).count() == events
    assert not Replan.objects.exists()


def test_dropping_the_end_date_is_a_replan_too(cast):
    i = s.create_initiative(
        cast.org, None, team=cast.platform, title="Edge cache", target_date=D(2026, 3, 1)
    )
    s.update_initiative(cast.org, None, i, target_date=None, reason="Now ongoing")
    i.refresh_from_db()
    assert i.target_date is None and i.baseline_target_date == D(2026, 3, 1)
    assert i.replan_count == 1


def test_it_refuses_a_target_before_the_start(cast):
    with pytest.raises(ServiceError) as exc:
        s.create_initiative(
            cast.org,
            None,
            team=cast.platform,
            title="X",
            start_date=D(2026, 3, 1),
            target_date=D(2026, 2, 1),
        )
    assert "target_date" in exc.value.fields
