"""The list of dependencies: a team's filter takes in the teams below it (`only=1`: the team
alone), in the page and the API; values it does not know are named and left out; a team
of another organization is a 404; the overview's and a team's counts equal their lists."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from accord.coordination import services
from accord.coordination.models import Dependency
from accord.org import services as org_services
from tests.conftest import api_client, login
from tests.coordination.conftest import initiative

URL = "/o/acme/coordination/list/"


@pytest.fixture
def deps(world):
    """Sales asks Operations and Fulfilment (below Operations); Operations asks Sales.
    One of Sales' asks of Operations is late."""
    fulfil = org_services.create_team(
        world.org, None, name="Fulfilment", slug="fulfil", parent=world.ops
    )
    world.fulfil = fulfil
    out = {
        "to-ops": world.request(title="Dep to ops"),
        "to-ops-late": world.request(title="Dep to ops late"),
        "to-fulfil": world.request(title="Dep to fulfil", provider_team=fulfil),
        "to-sales": services.create_dependency(
            world.org,
            world.giver,
            requester_initiative=initiative(world.org, world.ops, "Ops thing"),
            provider_team=world.sales,
            title="Dep to sales",
            need_by=world.today + dt.timedelta(days=30),
        ),
    }
    Dependency.objects.filter(pk=out["to-ops-late"].pk).update(
        need_by=world.today - dt.timedelta(days=2)
    )
    return out


def _titles(page: str) -> set[str]:
    return set(re.findall(r">Dep to [a-z -]+<", page))


def _get(client, params=None) -> str:
    r = client.get(URL, params or {})
    assert r.status_code == 200
    return r.content.decode()


def test_the_team_filter_takes_in_the_subtree_in_page_and_api(world, deps):
    client = login(world.viewer)
    assert _titles(_get(client, {"team": "ops"})) == {
        ">Dep to ops<",
        ">Dep to ops late<",
        ">Dep to fulfil<",
        ">Dep to sales<",
    }
    assert _titles(_get(client, {"team": "ops", "direction": "inbound"})) == {
        ">Dep to ops<",
        ">Dep to ops late<",
        ">Dep to fulfil<",
    }
    only = _get(client, {"team": "ops", "only": "1", "direction": "inbound"})
    assert _titles(only) == {">Dep to ops<", ">Dep to ops late<"}
    assert "Operations only" in only
    assert _titles(_get(client, {"team": "fulfil"})) == {">Dep to fulfil<"}
    assert _titles(_get(client, {"team": "ops", "late": "1"})) == {">Dep to ops late<"}

    api = api_client(world.viewer)

    def ids(**params):
        r = api.get("/api/v1/dependencies", params)
        assert r.status_code == 200
        return {d["id"] for d in r.json()["items"]}

    ops = {deps["to-ops"].pk, deps["to-ops-late"].pk}
    assert ids(team_id=world.ops.pk, direction="inbound") == ops | {deps["to-fulfil"].pk}
    assert ids(team_id=world.ops.pk, direction="inbound", only=True) == ops
    assert ids(team_id=world.sales.parent_id) == {d.pk for d in deps.values()}


def test_any_team_is_chosen_in_the_lists_search_box(world, deps):
    client = login(world.viewer)
    page = _get(client)
    assert '<select id="team-pick"' not in page
    assert 'id="team-pick" data-picker-input' in page
    assert 'name="team" value="" data-picker-value' in page
    chosen = _get(client, {"team": "fulfil"})
    assert 'name="team" value="fulfil" data-picker-value' in chosen
    assert 'value="Fulfilment"' in chosen


def test_unknown_values_are_named_and_left_out(world, deps, cast):
    client = login(world.viewer)
    page = _get(client, {"state": "nonsense", "late": "maybe", "direction": "sideways"})
    assert len(_titles(page)) == 4  # nothing filtered
    notice = html.unescape(re.search(r"data-ignored>([^<]+)<", page).group(1))
    assert "state=“nonsense”" in notice and "late=“maybe”" in notice
    # Another organization's team (or none at all) is a clean 404, listing nothing.
    for slug in (cast.other_team.slug, "no-such-team"):
        r = client.get(URL, {"team": slug})
        assert r.status_code == 404 and "Dep to" not in r.content.decode()
    r = api_client(world.viewer).get("/api/v1/dependencies", {"team_id": cast.other_team.pk})
    assert r.status_code == 404


def test_counts_on_the_overview_and_a_team_page_equal_their_lists(world, deps):
    Dependency.objects.filter(pk=deps["to-sales"].pk).update(flag="at_risk")
    client = login(world.viewer)
    checked = []
    for page_url in ("/o/acme/coordination/", "/o/acme/teams/ops/"):
        page = client.get(page_url).content.decode()
        pattern = r'<a href="(/o/acme/coordination/list/\?[^"]+)"[^>]*>(?:<strong>)?(\d+)'
        links = re.findall(pattern, page)
        assert links, page_url
        for href, count in links:
            listed = _titles(_get(client, dict(_params(href))))
            assert len(listed) == int(count), href
            checked.append((href, int(count)))
    assert {c for _, c in checked} >= {1, 2, 4}  # late, asked of Operations, active


def _params(href: str):
    query = html.unescape(href).split("?", 1)[1]
    return [tuple(p.split("=", 1)) for p in query.split("&")]


def test_the_top_teams_list_is_every_dependency_but_not_another_trees(world, deps):
    """The only team at the top takes in every dependency (read without a team filter);
    beside a second tree, its list keeps to its own."""
    client = login(world.viewer)
    top = world.sales.parent
    everything = {">Dep to ops<", ">Dep to ops late<", ">Dep to fulfil<", ">Dep to sales<"}
    assert _titles(_get(client, {"team": top.slug})) == everything
    assert _titles(_get(client, {"team": top.slug, "direction": "outbound"})) == everything
    assert _titles(_get(client, {"team": top.slug, "only": "1"})) == set()

    labs = org_services.create_team(world.org, None, name="Labs", slug="labs")
    lab = org_services.create_team(world.org, None, name="Lab two", slug="lab-two", parent=labs)
    services.create_dependency(
        world.org,
        None,
        requester_initiative=initiative(world.org, labs, "Lab thing"),
        provider_team=lab,
        title="Dep to lab two",
        need_by=world.today + dt.timedelta(days=10),
    )
    assert _titles(_get(client, {"team": top.slug})) == everything
    assert _titles(_get(client, {"team": "labs"})) == {">Dep to lab two<"}
    api = api_client(world.viewer)
    listed = api.get("/api/v1/dependencies", {"team_id": top.pk}).json()["items"]
    assert {d["title"] for d in listed} == {d.title for d in deps.values()}
