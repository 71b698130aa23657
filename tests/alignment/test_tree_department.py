"""A department's alignment tree: its objectives and its teams', from those that align to
nothing of theirs, with the department's figures, not the organization's."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.alignment import queries
from accord.alignment import services as alignment
from accord.org import services as org_services
from tests.conftest import login


@pytest.fixture
def tree(cast):
    org = cast.org
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.platform
    )
    today = dt.date.today()
    period = alignment.create_period(
        org,
        None,
        name="This quarter",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        state="active",
        is_current=True,
    )

    def objective(title, team, *parents, level="team"):
        return alignment.create_objective(
            org, None, title=title, period=period, team=team, level=level, parents=parents
        )

    grow = objective("Grow", None, level="org")
    fast = objective("Fast builds", cast.platform, grow)
    objective("Cheaper payments", payments, fast)  # under Platform's own: inside the tree
    objective("Fraud down", payments, grow)  # aligned outside the department: a root
    objective("Loose", payments)  # aligned to nothing: a root
    return period


def _titles(ids) -> list[str]:
    from accord.alignment.models import Objective

    return sorted(Objective.objects.filter(pk__in=list(ids)).values_list("title", flat=True))


def test_a_departments_tree_starts_at_its_and_its_teams_objectives(cast, tree):
    roots = queries.tree_roots(cast.org, tree, cast.platform)
    assert _titles(roots) == ["Fast builds", "Fraud down", "Loose"]
    # The top team's is the organization's tree.
    assert _titles(queries.tree_roots(cast.org, tree, cast.root)) == ["Grow", "Loose"]
    assert _titles(queries.tree_roots(cast.org, tree)) == ["Grow", "Loose"]


def test_its_figures_are_the_departments(cast, tree):
    whole = queries.tree_summary(cast.org, tree)
    assert whole["objective_count"] == 5
    department = queries.tree_summary(cast.org, tree, cast.platform)
    assert department["objective_count"] == 4  # Platform's and Payments'
    page = login(cast.member).get("/o/acme/alignment/", {"team": "platform"}).content.decode()
    assert "Progress of Platform and below" in page
    for title in ("Fast builds", "Fraud down", "Loose"):
        assert title in page


def test_choosing_another_period_keeps_the_department(cast, tree):
    page = login(cast.member).get("/o/acme/alignment/", {"team": "platform"}).content.decode()
    chooser = page[page.index('aria-label="Choose a period"') :].split("</form>")[0]
    assert '<input type="hidden" name="team" value="platform">' in chooser
