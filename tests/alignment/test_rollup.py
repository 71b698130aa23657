"""Objective progress rolls up the alignment graph with weights, set-based."""

from __future__ import annotations

import pytest

from accord.alignment import queries
from accord.alignment import services as s


def test_an_objective_is_the_weighted_mean_of_its_key_results(cast, plan):
    org = cast.org
    s.create_key_result(
        org, None, plan.platform_obj, name="p95 latency", start=0, target=10, current=10, weight=3
    )
    s.create_key_result(org, None, plan.platform_obj, name="Errors", start=0, target=10, current=0)
    r = queries.rollup(org, plan.q1)
    assert r.objective_progress[plan.platform_obj.pk] == 75


def test_progress_rolls_up_a_multi_level_tree_with_link_weights(cast, plan):
    org = cast.org
    team_child = s.create_objective(
        org, None, title="Cache everything", period=plan.q1, team=cast.platform
    )
    s.link_objective(org, None, team_child, plan.platform_obj, 1)
    s.create_key_result(org, None, team_child, name="Hit rate", start=0, target=100, current=80)
    s.create_key_result(
        org, None, plan.platform_obj, name="Checkout p95", start=0, target=10, current=2
    )
    s.create_key_result(org, None, plan.sales_obj, name="Deals", start=0, target=10, current=10)
    # Sales counts three times as much as Platform for the company.
    s.link_objective(org, None, plan.sales_obj, plan.company, 3)

    r = queries.rollup(org, plan.q1)
    # platform_obj: mean(own KR 20, child 80) = 50; company: (50*1 + 100*3) / 4 = 87.5
    assert r.objective_progress[team_child.pk] == 80
    assert r.objective_progress[plan.platform_obj.pk] == 50
    assert r.objective_progress[plan.company.pk] == 87.5
    assert r.org_progress == 87.5
    assert r.team_progress[cast.platform.pk] == 50  # the child rolls into its own team's parent
    assert r.team_progress[plan.sales.pk] == 100


def test_an_objective_aligned_to_two_parents_counts_for_both(cast, plan):
    org = cast.org
    other = s.create_objective(org, None, title="Delight customers", period=plan.q1, level="org")
    shared = s.create_objective(
        org, None, title="Self-serve upgrades", period=plan.q1, team=plan.sales
    )
    s.link_objective(org, None, shared, plan.company, 1)
    s.link_objective(org, None, shared, other, 2)
    s.create_key_result(org, None, shared, name="Upgrades", start=0, target=4, current=1)

    r = queries.rollup(org, plan.q1)
    assert r.objective_progress[other.pk] == 25
    tree = queries.alignment_tree(org, plan.q1)
    titles_under = {n["title"]: [c["title"] for c in n["children"]] for n in tree["objectives"]}
    assert "Self-serve upgrades" in titles_under["Grow revenue"]
    assert "Self-serve upgrades" in titles_under["Delight customers"]


def test_dropped_objectives_do_not_drag_their_parent_down(cast, plan):
    org = cast.org
    s.create_key_result(org, None, plan.sales_obj, name="Deals", start=0, target=10, current=10)
    s.create_key_result(org, None, plan.platform_obj, name="Speed", start=0, target=10, current=0)
    s.update_objective(org, None, plan.platform_obj, status="dropped")
    r = queries.rollup(org, plan.q1)
    assert r.objective_progress[plan.company.pk] == 100


def test_an_objective_with_nothing_to_measure_has_no_progress(cast, plan):
    r = queries.rollup(cast.org, plan.q1)
    assert r.objective_progress[plan.company.pk] is None
    assert r.org_progress is None


@pytest.mark.parametrize("weight", [0, -1])
def test_it_refuses_a_link_weight_that_is_not_positive(cast, plan, weight):
    from accord.core.errors import ServiceError

    other = s.create_objective(cast.org, None, title="X", period=plan.q1, level="org")
    with pytest.raises(ServiceError):
        s.link_objective(cast.org, None, plan.sales_obj, other, weight)
