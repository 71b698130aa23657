"""Stored figures and old rows kept true after "orphaned" came to mean "no proposed or
active work serves it" and organization objectives came to belong to no team."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps as django_apps

from accord.alignment import rollups
from accord.alignment import services as s
from accord.alignment.models import Objective
from accord.interchange import services as ix


def _flags(objective):
    objective.refresh_from_db()
    return objective.orphaned, objective.covered


def test_proposed_work_dropped_leaves_its_objective_orphaned(cast, plan):
    desk = s.create_initiative(
        cast.org, None, team=plan.sales, title="Deal room", objectives=[plan.sales_obj]
    )
    assert _flags(plan.sales_obj) == (False, True)
    s.set_initiative_status(cast.org, None, desk, "dropped")
    stored = _flags(plan.sales_obj)
    rollups.recompute(cast.org.pk)
    assert stored == _flags(plan.sales_obj) == (True, False)
    s.set_initiative_status(cast.org, None, desk, "proposed")
    assert _flags(plan.sales_obj) == (False, True)


def test_an_organization_objective_saved_with_a_team_loses_it_and_exports_cleanly(cast, plan):
    # The objective form once saved the team its picker was left on.
    Objective.objects.filter(pk=plan.company.pk).update(team=cast.platform)
    import_module(
        "accord.alignment.migrations.0015_organization_objectives_have_no_team"
    ).clear_teams(django_apps, None)
    assert Objective.objects.get(pk=plan.company.pk).team_id is None
    text = ix.export_text(cast.org).replace("slug: acme", "slug: acme-copy", 1)
    planned = ix.plan_file(text, org_slug="acme-copy")
    assert planned.ok and not planned.skipped(), [p.why for p in planned.report.problems]
