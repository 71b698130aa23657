"""The map's cycles are the organization's: a map started from one team of a cycle counts
it, names its teams and draws the dependency that closes it, though the team's own scope
does not reach that dependency. They are the ones the last evaluation stored (found on the
whole active graph), as on the overview and in the API, not recomputed per request."""

from __future__ import annotations

import datetime as dt

from accord.intelligence import evaluate
from accord.org import services as org_services
from tests.conftest import login
from tests.coordination.conftest import accepted, initiative


def _circle(world, cast):
    """Sales waits on Operations, Operations on Data, Data on Sales."""
    data = org_services.create_team(world.org, None, name="Data", slug="data", parent=cast.root)
    model = initiative(world.org, data, "Data model", target=world.today + dt.timedelta(30))
    return data, {
        "sales-ops": accepted(world, world.launch, world.ops, world.warehouse, "Stock"),
        "ops-data": accepted(world, world.warehouse, data, model, "Stock model"),
        "data-sales": accepted(world, model, world.sales, world.launch, "Launch dates"),
    }


def _map(world, **params):
    r = login(world.viewer).get("/o/acme/coordination/map.json", params)
    assert r.status_code == 200
    return r.json()


def test_a_map_of_one_team_of_a_cycle_counts_it_names_its_teams_and_closes_it(world, cast):
    data, deps = _circle(world, cast)
    evaluate.evaluate(world.org, announce=False)

    teams = _map(world, team=world.sales.pk)
    assert teams["scope"]["whole"] is False
    assert teams["cycles"] == 1
    assert teams["cycle_teams"] == [["Sales", "Operations", "Data"]]
    edges = {e["data"]["id"]: e["data"] for e in teams["edges"]}
    closing = edges[f"t{world.ops.pk}-{data.pk}-accepted"]  # not in Sales' own scope
    assert closing["cycle"] and closing["dep"] == deps["ops-data"].pk
    assert all(e["cycle"] for e in edges.values())
    assert {n["data"]["label"] for n in teams["nodes"] if n["data"]["cycle"]} == {
        "Sales",
        "Operations",
        "Data",
    }
    # A circle has no furthest end: the critical path does not run around it.
    assert not any(e["critical"] for e in edges.values())

    inits = _map(world, team=data.pk, mode="initiatives")
    assert inits["cycles"] == 1
    edges = {e["data"]["dep"]: e["data"] for e in inits["edges"]}
    assert set(edges) == {d.pk for d in deps.values()}
    assert all(e["cycle"] for e in edges.values())


def test_the_whole_map_and_a_team_outside_the_cycle_count_what_is_stored(world, cast):
    _circle(world, cast)
    # Before an evaluation has stored it, no map counts it (as the overview and the API).
    assert _map(world)["cycles"] == 0
    evaluate.evaluate(world.org, announce=False)
    whole = _map(world)
    assert whole["scope"]["whole"] is True and whole["cycles"] == 1
    assert _map(world, team=cast.platform.pk)["cycles"] == 0
