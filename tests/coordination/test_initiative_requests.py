"""One initiative's requests, both ways: the dependency list takes `?initiative=` (what it
needs and what other teams need from it), shown with the other filters, and its page links
there; the map's initiatives draw a request no initiative delivers yet (unanswered,
declined) to the team asked, and `?initiative=` focuses the map on one initiative."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.coordination import services
from tests.conftest import login
from tests.coordination.conftest import initiative


@pytest.fixture
def programme(world, cast):
    """Sales' launch asks Operations for racks (accepted: the warehouse delivers them), for
    stock (declined) and Platform for a feed (not answered yet); the warehouse asks Sales
    for forecasts (the launch delivers them). Another Sales initiative asks Operations for
    something else."""
    org, day = world.org, world.today + dt.timedelta(days=30)

    def ask(asks, team, title):
        return services.create_dependency(
            org, None, requester_initiative=asks, provider_team=team, title=title, need_by=day
        )

    racks = ask(world.launch, world.ops, "Racks")
    services.transition(
        org, None, racks, "accept", provider_initiative=world.warehouse, committed_date=day
    )
    stock = ask(world.launch, world.ops, "Stock")
    services.transition(org, None, stock, "decline", note="No stock")
    feed = ask(world.launch, cast.platform, "Product feed")
    forecasts = ask(world.warehouse, world.sales, "Forecasts")
    services.transition(
        org, None, forecasts, "accept", provider_initiative=world.launch, committed_date=day
    )
    other = ask(initiative(org, world.sales, "Partner portal"), world.ops, "Portal hosting")
    world.deps = {d.title: d for d in (racks, stock, feed, forecasts, other)}
    return world


def _titles(html: str) -> set[str]:
    table = html[html.index('aria-label="Dependencies"') :]
    return {
        t
        for t in ("Racks", "Stock", "Product feed", "Forecasts", "Portal hosting")
        if f">{t}<" in table
    }


def test_the_list_keeps_to_one_initiatives_requests_both_ways_and_says_so(programme):
    w = programme
    client = login(w.viewer)
    url = f"/o/{w.org.slug}/coordination/list/"
    html = client.get(url, {"initiative": w.launch.pk}).text
    assert _titles(html) == {"Racks", "Stock", "Product feed", "Forecasts"}
    assert "What “Spring launch” (Sales) needs from other teams and what they need from it." in html
    assert f'name="initiative" value="{w.launch.pk}"' in html  # kept by the form
    html = client.get(url, {"initiative": w.launch.pk, "direction": "outbound"}).text
    assert _titles(html) == {"Racks", "Stock", "Product feed"}
    assert "What “Spring launch” (Sales) needs from other teams." in html
    html = client.get(url, {"initiative": w.launch.pk, "direction": "inbound"}).text
    assert _titles(html) == {"Forecasts"}
    # An initiative it does not know (or of another organization) is said to be left out.
    html = client.get(url, {"initiative": "999999"}).text
    assert "initiative=“999999”" in html
    assert _titles(html) == {"Racks", "Stock", "Product feed", "Forecasts", "Portal hosting"}


def test_the_initiative_page_links_to_all_its_requests(programme):
    w = programme
    html = login(w.viewer).get(f"/o/{w.org.slug}/alignment/initiatives/{w.launch.pk}/").text
    assert f'href="/o/{w.org.slug}/coordination/list/?initiative={w.launch.pk}"' in html


def _map(person, **params):
    r = login(person).get("/o/acme/coordination/map.json", params)
    assert r.status_code == 200
    return r.json()


def test_the_initiatives_map_draws_requests_no_initiative_delivers_yet_to_the_team_asked(
    programme, cast
):
    w = programme
    data = _map(w.viewer, mode="initiatives")
    edges = {e["data"]["label"]: (e["data"]["source"], e["data"]["target"]) for e in data["edges"]}
    assert edges["Racks"] == (w.launch.pk, w.warehouse.pk)
    assert edges["Stock"] == (w.launch.pk, f"t{w.ops.pk}")  # declined
    assert edges["Product feed"] == (w.launch.pk, f"t{cast.platform.pk}")  # unanswered
    nodes = {n["data"]["id"]: n["data"] for n in data["nodes"]}
    assert nodes[f"t{cast.platform.pk}"]["label"] == "Platform"
    assert (
        nodes[f"t{cast.platform.pk}"]["kind"] == "team" and nodes[f"t{cast.platform.pk}"]["asked"]
    )
    assert {e["target"] for e in (x["data"] for x in data["edges"])} <= set(nodes)


def test_the_map_focuses_on_one_initiatives_requests_both_ways(programme, cast):
    w = programme
    for mode in ("initiatives", "teams"):
        data = _map(w.viewer, mode=mode, initiative=w.launch.pk)
        drawn = {e["data"].get("dep") for e in data["edges"]}
        if mode == "initiatives":
            assert drawn == {w.deps[t].pk for t in ("Racks", "Stock", "Product feed", "Forecasts")}
            assert [n["data"]["label"] for n in data["nodes"] if n["data"]["scope"]] == [
                "Spring launch"
            ]
        else:
            pairs = {(e["data"]["source"], e["data"]["target"]) for e in data["edges"]}
            assert pairs == {
                (f"t{w.sales.pk}", f"t{w.ops.pk}"),
                (f"t{w.sales.pk}", f"t{cast.platform.pk}"),
                (f"t{w.ops.pk}", f"t{w.sales.pk}"),
            }
        assert data["scope"]["whole"] is False
        assert data["scope"]["label"].startswith("Spring launch (Sales)")
    page = (
        login(w.viewer)
        .get("/o/acme/coordination/map/", {"initiative": w.launch.pk, "mode": "initiatives"})
        .text
    )
    assert f'name="initiative" value="{w.launch.pk}"' in page
    assert '<option value="initiatives" selected>' in page
