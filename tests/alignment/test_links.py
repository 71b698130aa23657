"""Aligning objectives: no cycles, parents in the same or an enclosing period."""

from __future__ import annotations

import pytest

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import ObjectiveLink
from accord.core.errors import NotFound, ServiceError


def _counts(org):
    return ObjectiveLink.objects.count(), Event.objects.for_org(org).count()


def test_it_refuses_a_cycle_and_changes_nothing(cast, plan):
    org = cast.org
    child = s.create_objective(org, None, title="Cache", period=plan.q1, team=cast.platform)
    s.link_objective(org, None, child, plan.platform_obj)
    before = _counts(org)
    with pytest.raises(ServiceError) as exc:
        s.link_objective(org, None, plan.company, child)
    assert exc.value.code == "cycle"
    assert "cycle" in exc.value.message
    assert _counts(org) == before


def test_it_refuses_an_objective_as_its_own_parent(cast, plan):
    before = _counts(cast.org)
    with pytest.raises(ServiceError) as exc:
        s.link_objective(cast.org, None, plan.company, plan.company)
    assert exc.value.code == "cycle"
    assert _counts(cast.org) == before


def test_it_refuses_a_parent_in_a_period_that_does_not_enclose_the_child(cast, plan):
    org = cast.org
    later = s.create_objective(org, None, title="Q2 goal", period=plan.q2, team=cast.platform)
    before = _counts(org)
    with pytest.raises(ServiceError) as exc:
        s.link_objective(org, None, later, plan.company)
    assert exc.value.code == "cross_period"
    assert "enclos" in exc.value.message
    assert _counts(org) == before


def test_a_quarter_objective_may_contribute_to_a_yearly_one(cast, plan):
    org = cast.org
    yearly = s.create_objective(org, None, title="Double revenue", period=plan.year, level="org")
    link = s.link_objective(org, None, plan.company, yearly, 2)
    assert link.weight == 2
    # ... but a yearly objective cannot contribute to a quarterly one.
    with pytest.raises(ServiceError):
        s.link_objective(org, None, yearly, plan.sales_obj)


def test_moving_an_objective_to_another_period_keeps_links_valid(cast, plan):
    with pytest.raises(ServiceError) as exc:
        s.update_objective(cast.org, None, plan.platform_obj, period=plan.q2)
    assert exc.value.code == "cross_period"
    plan.platform_obj.refresh_from_db()
    assert plan.platform_obj.period == plan.q1


def test_it_refuses_another_tenants_objective(cast, plan):
    other_period = s.create_period(
        cast.other_org, None, name="Q1", start=plan.q1.start, end=plan.q1.end
    )
    foreign = s.create_objective(
        cast.other_org, None, title="Theirs", period=other_period, level="org"
    )
    before = _counts(cast.org)
    with pytest.raises(NotFound):
        s.link_objective(cast.org, None, plan.sales_obj, foreign)
    assert _counts(cast.org) == before


def test_linking_again_changes_the_weight_and_unlinking_removes_it(cast, plan):
    org = cast.org
    s.link_objective(org, None, plan.sales_obj, plan.company, 4)
    assert ObjectiveLink.objects.get(child=plan.sales_obj).weight == 4
    s.unlink_objective(org, None, plan.sales_obj, plan.company)
    assert not ObjectiveLink.objects.filter(child=plan.sales_obj).exists()
    assert Event.objects.for_org(org).filter(verb="unlinked").count() == 1


def test_a_viewer_cannot_align_objectives(cast, plan):
    from accord.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        s.link_objective(cast.org, cast.viewer, plan.sales_obj, plan.platform_obj)
