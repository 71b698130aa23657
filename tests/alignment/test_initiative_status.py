"""Status changes move initiatives in and out of the stack; other apps can veto them."""

from __future__ import annotations

import pytest

from accord.alignment import services as s
from accord.alignment.models import Initiative
from accord.core.errors import ServiceError


def _stack(team):
    return list(
        Initiative.objects.filter(team=team, status="active")
        .order_by("rank")
        .values_list("title", "rank")
    )


def test_activating_appends_to_the_stack_and_leaving_closes_the_gap(cast):
    org = cast.org
    a = s.create_initiative(org, None, team=cast.platform, title="A", status="active")
    b = s.create_initiative(org, None, team=cast.platform, title="B", status="active")
    c = s.create_initiative(org, None, team=cast.platform, title="C")
    s.set_initiative_status(org, None, c, "active")
    assert _stack(cast.platform) == [("A", 1), ("B", 2), ("C", 3)]
    s.set_initiative_status(org, None, a, "done")
    assert _stack(cast.platform) == [("B", 1), ("C", 2)]
    a.refresh_from_db()
    assert a.rank is None and a.progress == 100
    s.set_initiative_status(org, None, b, "paused")
    assert _stack(cast.platform) == [("C", 1)]


def test_a_registered_check_can_refuse_done_unless_overridden(cast):
    org = cast.org
    i = s.create_initiative(org, None, team=cast.platform, title="A", status="active")

    def undelivered(initiative, new_status, override_reason):
        if new_status == "done" and not override_reason:
            raise ServiceError("A still waits on a dependency.", code="undelivered_dependencies")

    s.INITIATIVE_STATUS_CHECKS.append(undelivered)
    try:
        with pytest.raises(ServiceError) as exc:
            s.set_initiative_status(org, None, i, "done")
        assert exc.value.code == "undelivered_dependencies"
        i.refresh_from_db()
        assert i.status == "active" and i.rank == 1
        s.set_initiative_status(org, None, i, "done", override_reason="Shipping without it")
    finally:
        s.INITIATIVE_STATUS_CHECKS.remove(undelivered)
    i.refresh_from_db()
    assert i.status == "done"


def test_it_refuses_an_unknown_status(cast):
    i = s.create_initiative(cast.org, None, team=cast.platform, title="A")
    with pytest.raises(ServiceError):
        s.set_initiative_status(cast.org, None, i, "finished")
    i.refresh_from_db()
    assert i.status == "proposed"


def test_moving_an_initiative_to_another_team_moves_it_between_stacks(cast, plan):
    org = cast.org
    a = s.create_initiative(org, None, team=cast.platform, title="A", status="active")
    s.create_initiative(org, None, team=cast.platform, title="B", status="active")
    s.create_initiative(org, None, team=plan.sales, title="S", status="active")
    s.update_initiative(org, None, a, team=plan.sales)
    assert _stack(cast.platform) == [("B", 1)]
    assert _stack(plan.sales) == [("S", 1), ("A", 2)]
