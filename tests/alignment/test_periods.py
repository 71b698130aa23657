"""Periods: one is current; closing freezes key results; unfinished objectives carry over."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.alignment import queries
from accord.alignment import services as s
from accord.alignment.models import FrozenKeyResult, Objective, Period
from accord.core.errors import PermissionDenied, ServiceError


def test_one_period_is_current(cast, plan):
    assert queries.current_period(cast.org) == plan.q1
    s.set_current_period(cast.org, cast.leader, plan.q2)
    assert list(Period.objects.filter(is_current=True)) == [plan.q2]
    plan.q2.refresh_from_db()
    assert plan.q2.state == "active"


def test_it_refuses_a_period_that_ends_before_it_starts(cast):
    with pytest.raises(ServiceError) as exc:
        s.create_period(
            cast.org, None, name="Oops", start=dt.date(2026, 5, 1), end=dt.date(2026, 4, 1)
        )
    assert "end" in exc.value.fields
    assert not Period.objects.exists()


def test_only_leaders_plan_periods(cast):
    with pytest.raises(PermissionDenied):
        s.create_period(
            cast.org, cast.member, name="Q3", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30)
        )


def test_closing_freezes_key_results_and_refuses_later_changes(cast, plan):
    org = cast.org
    kr = s.create_key_result(org, None, plan.sales_obj, name="Deals", start=0, target=10, current=4)
    s.close_period(org, cast.leader, plan.q1)
    frozen = FrozenKeyResult.objects.get(key_result=kr)
    assert (frozen.value, frozen.progress) == (4, 40)
    plan.q1.refresh_from_db()
    assert plan.q1.state == "closed" and not plan.q1.is_current
    with pytest.raises(ServiceError) as exc:
        s.record_key_result_value(org, None, kr, 9)
    assert exc.value.code == "period_closed"
    kr.refresh_from_db()
    assert kr.current == 4


def test_unfinished_objectives_carry_over_as_copies_that_link_back(cast, plan):
    org = cast.org
    s.create_key_result(org, None, plan.sales_obj, name="Deals", start=0, target=10, current=4)
    s.update_objective(org, None, plan.platform_obj, status="achieved")
    s.close_period(org, None, plan.q1)
    copies = s.carry_over(org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    assert sorted(c.title for c in copies) == ["Grow revenue", "Win enterprise deals"]
    sales_copy = next(c for c in copies if c.carried_from == plan.sales_obj)
    assert sales_copy.period == plan.q2
    assert [(k.name, k.current) for k in sales_copy.key_results.all()] == [("Deals", 4)]
    # Carrying twice copies nothing more.
    assert s.carry_over(org, None, from_period=plan.q1, to_period=plan.q2) == []
    assert Objective.objects.filter(period=plan.q2).count() == 2


def test_only_an_empty_period_can_be_deleted(cast, plan):
    from accord.activity.models import Event

    events = Event.objects.for_org(cast.org).count()
    with pytest.raises(ServiceError) as exc:
        s.delete_period(cast.org, cast.leader, plan.q1)
    assert exc.value.code == "has_objectives"
    assert Event.objects.for_org(cast.org).count() == events
    s.delete_period(cast.org, cast.leader, plan.q2)
    assert not Period.objects.filter(pk=plan.q2.pk).exists()


def test_a_period_edit_keeps_alignment_links_valid(cast, plan):
    yearly = s.create_objective(
        cast.org, None, title="Double revenue", period=plan.year, level="org"
    )
    s.link_objective(cast.org, None, plan.company, yearly)
    with pytest.raises(ServiceError):
        s.update_period(cast.org, cast.leader, plan.year, start=dt.date(2026, 2, 1))
    plan.year.refresh_from_db()
    assert plan.year.start == dt.date(2026, 1, 1)
    s.update_period(cast.org, cast.leader, plan.year, name="FY 2026")
    plan.year.refresh_from_db()
    assert plan.year.name == "FY 2026"
