"""The organization's figures and the overview's Late list read late as the lists, the API
and the load table do (`queries.late_q`): a dependency its provider marked delivered, the
asker still to confirm, is no longer late, though its date passed."""

from __future__ import annotations

import datetime as dt

from accord.coordination import queries, services
from tests.conftest import login


def test_marked_delivered_is_not_late_in_the_whole_figures_or_the_overview(cast, world):
    dep = services.create_dependency(
        world.org,
        None,
        requester_initiative=world.launch,
        provider_team=world.ops,
        title="First-order checkout screens",
        need_by=world.today - dt.timedelta(days=5),
    )
    dep = services.transition(
        world.org,
        None,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today - dt.timedelta(days=3),
    )
    services.transition(world.org, world.giver, dep, "mark_delivered")
    on = world.today
    assert not queries.filtered(world.org, late=True, on=on).exists()
    figures = queries.whole_figures(world.org, on)
    assert figures["late"] == 0 and figures["active"] >= 1
    # The overview of the whole organization: its figure and its Late list.
    response = login(cast.admin).get(f"/o/{world.org.slug}/coordination/?team=")
    assert response.status_code == 200
    assert response.context["whole"]
    assert response.context["late_count"] == 0
    assert list(response.context["late"]) == []
