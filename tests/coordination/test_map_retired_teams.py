"""A retired team drops out of the dependency map, with the dependencies it takes part in."""

from __future__ import annotations

import datetime as dt

from accord.coordination import queries
from accord.coordination import services as coordination
from accord.org import services as org_services
from tests.intelligence.world import build_org


def test_a_retired_team_leaves_the_dependency_map_with_its_closed_requests(db):
    w = build_org("mapco", {"Platform": 1, "Web": 1, "Data": 1}, checkins=False)
    for name in ("Web", "Data"):
        coordination.create_dependency(
            w.org,
            None,
            requester_initiative=w[name].initiative,
            provider_team=w["Platform"].team,
            title=f"API for {name}",
            need_by=dt.date(2026, 3, 1),
        )

    def drawn():
        elements = queries.map_elements(w.org, mode="teams")
        nodes = {n["data"]["label"] for n in elements["nodes"]}
        return nodes, len(elements["edges"])

    assert drawn() == ({"Platform", "Web", "Data"}, 2)
    org_services.retire_team(w.org, None, w["Data"].team, on=dt.date(2026, 1, 1))
    assert drawn() == ({"Platform", "Web"}, 1)
    # Retiring cancelled its request ("Data was retired"): reactivated, it has none to draw.
    org_services.reactivate_team(w.org, None, w["Data"].team)
    assert drawn() == ({"Platform", "Web"}, 1)
