"""Unaligned initiatives and orphaned objectives, as lists and counts per team."""

from __future__ import annotations

from accord.alignment import queries
from accord.alignment import services as s


def test_an_initiative_that_serves_nothing_is_unaligned(cast, plan):
    org = cast.org
    kr = s.create_key_result(
        org, None, plan.platform_obj, name="p95", start=900, target=300, direction="decrease"
    )
    aligned = s.create_initiative(
        org, None, team=cast.platform, title="Edge cache", status="active", key_results=[kr]
    )
    loose = s.create_initiative(
        org, None, team=cast.platform, title="Rewrite in Rust", status="active"
    )
    s.create_initiative(org, None, team=plan.sales, title="Old idea", status="dropped")
    assert list(queries.unaligned_initiatives(org)) == [loose]
    assert list(queries.unaligned_initiatives(org, team=plan.sales)) == []
    assert queries.unaligned_counts(org) == {cast.platform.pk: 1}
    s.link_initiative(org, None, loose, objective=plan.platform_obj)
    assert list(queries.unaligned_initiatives(org)) == []
    assert aligned.pk not in [i.pk for i in queries.unaligned_initiatives(org)]


def test_an_active_objective_no_proposed_or_active_initiative_serves_is_orphaned(cast, plan):
    org = cast.org
    kr = s.create_key_result(
        org, None, plan.platform_obj, name="p95", start=900, target=300, direction="decrease"
    )
    s.create_initiative(
        org, None, team=cast.platform, title="Edge cache", status="active", key_results=[kr]
    )
    # Paused work does not count as serving (work planned or under way does).
    desk = s.create_initiative(
        org,
        None,
        team=plan.sales,
        title="Deal desk",
        status="active",
        objectives=[plan.sales_obj],
    )
    s.set_initiative_status(org, None, desk, "paused")

    orphaned = list(queries.orphaned_objectives(org, plan.q1))
    # The company objective is served through the platform objective beneath it.
    assert orphaned == [plan.sales_obj]
    assert list(queries.orphaned_objectives(org, plan.q1, team=cast.platform)) == []
    assert queries.orphaned_counts(org, plan.q1) == {plan.sales.pk: 1}
    # Proposed work serves it, as the objectives.orphaned signal counts it.
    s.create_initiative(org, None, team=plan.sales, title="Deal room", objectives=[plan.sales_obj])
    assert list(queries.orphaned_objectives(org, plan.q1)) == []


def test_draft_and_finished_objectives_are_not_orphaned(cast, plan):
    org = cast.org
    s.update_objective(org, None, plan.sales_obj, status="achieved")
    s.create_objective(
        org, None, title="Maybe later", period=plan.q1, team=plan.sales, status="draft"
    )
    ids = {o.pk for o in queries.orphaned_objectives(org, plan.q1)}
    assert ids == {plan.platform_obj.pk, plan.company.pk}
