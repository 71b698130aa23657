"""A closed period's objectives are history: none is orphaned, and nothing offers to add
work, key results or objectives to them."""

from __future__ import annotations

import pytest

from accord.alignment import queries, rollups
from accord.alignment import services as s
from accord.alignment.models import Objective
from accord.core.errors import ServiceError
from tests.conftest import login


@pytest.fixture
def closed(cast, plan):
    """Q1 closed with its objectives unserved (orphaned until then)."""
    assert Objective.objects.get(pk=plan.platform_obj.pk).orphaned
    s.set_current_period(cast.org, None, plan.q2)
    s.close_period(cast.org, None, plan.q1)
    return plan


def test_closing_a_period_clears_its_orphans(cast, closed):
    assert not Objective.objects.filter(period=closed.q1, orphaned=True).exists()
    assert queries.orphaned_counts(cast.org, closed.q1) == {}
    assert list(queries.orphaned_objectives(cast.org, closed.q1)) == []
    stored = dict(Objective.objects.filter(org=cast.org).values_list("id", "orphaned"))
    assert {oid: f[2] for oid, f in rollups.computed(cast.org.pk).items()} == stored


def test_a_closed_objectives_page_shows_no_orphan_warning_and_no_add_controls(cast, closed):
    page = login(cast.leader).get(f"/o/acme/alignment/objectives/{closed.platform_obj.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "is closed" in html
    assert "orphaned" not in html
    assert "that serves it" not in html and "/alignment/initiatives/new/" not in html
    assert "Add key result" not in html and "Add a contributing" not in html


def test_the_closed_periods_tree_offers_no_new_objective(cast, closed):
    html = login(cast.leader).get(f"/o/acme/alignment/?period={closed.q1.pk}").content.decode()
    assert "Faster checkout" in html
    assert "orphaned<span" not in html  # alignment/_orphaned_tag.html
    assert "/alignment/objectives/new/" not in html
    current = login(cast.leader).get(f"/o/acme/alignment/?period={closed.q2.pk}").content
    assert b"/alignment/objectives/new/" in current


def test_new_work_cannot_be_linked_to_a_closed_objective(cast, closed):
    init = s.create_initiative(cast.org, None, team=cast.platform, title="Late work")
    with pytest.raises(ServiceError) as exc:
        s.link_initiative(cast.org, None, init, objective=closed.platform_obj)
    assert exc.value.code == "period_closed" and "Q1 2026 is closed" in exc.value.message
    assert not init.objective_links.exists()
