"""The dependency map marks the teams it starts from (`scope` on their nodes, named in
`scope.label` for the legend): the team asked for with the teams directly below it, else
the viewer's own teams with theirs, also when the organization is drawn whole; nobody's
when the viewer has no team. The page has the legend's entry."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.coordination import services
from accord.org import services as org_services
from accord.org.models import Role
from tests.conftest import login, make_person
from tests.coordination.conftest import initiative


@pytest.fixture
def mapped(world, cast):
    """Operations with Fulfilment below it; Sales asks both (Operations accepted), Platform
    asks Sales."""
    org = world.org
    fulfil = org_services.create_team(org, None, name="Fulfilment", slug="fulfil", parent=world.ops)
    platform_work = initiative(org, cast.platform, "Platform work")
    for asks, gives, title in (
        (world.launch, world.ops, "To ops"),
        (world.launch, fulfil, "To fulfil"),
        (platform_work, world.sales, "To sales"),
    ):
        dep = services.create_dependency(
            org,
            None,
            requester_initiative=asks,
            provider_team=gives,
            title=title,
            need_by=world.today + dt.timedelta(days=30),
        )
        if gives == world.ops:  # accepted: drawn by initiative too
            services.transition(
                org,
                None,
                dep,
                "accept",
                provider_initiative=world.warehouse,
                committed_date=world.today + dt.timedelta(days=30),
            )
    world.fulfil = fulfil
    return world


def _map(person, **params):
    r = login(person).get("/o/acme/coordination/map.json", params)
    assert r.status_code == 200
    return r.json()


def _marked(data) -> set[str]:
    return {n["data"]["label"] for n in data["nodes"] if n["data"]["scope"]}


def test_a_map_started_from_a_department_marks_its_teams(mapped, cast):
    data = _map(mapped.viewer, team=mapped.ops.pk)
    assert _marked(data) == {"Operations", "Fulfilment"}
    assert {n["data"]["label"] for n in data["nodes"]} >= {"Operations", "Fulfilment", "Sales"}
    assert data["scope"]["label"] == "Operations and the 1 team directly below it"
    assert [t["name"] for t in data["scope"]["teams"]] == ["Operations", "Fulfilment"]
    # Drawn by initiative, the initiatives of those teams are marked, and a team asked
    # that has no initiative on it yet (Fulfilment, not answered), drawn as a team.
    data = _map(mapped.viewer, team=mapped.ops.pk, mode="initiatives")
    marked = {n["data"]["team"] for n in data["nodes"] if n["data"]["scope"]}
    assert marked == {"Operations", "Fulfilment"}
    assert {n["data"]["team"] for n in data["nodes"]} >= {"Operations", "Sales"}


def test_a_whole_map_marks_the_viewers_own_teams_or_none(mapped, cast):
    data = _map(mapped.giver)  # a member of Operations: a small organization, drawn whole
    assert data["scope"]["whole"] is True
    assert _marked(data) == {"Operations", "Fulfilment"}
    assert data["scope"]["label"] == "your teams and the teams directly below them"
    data = _map(mapped.bystander)  # of Platform, with no team below it
    assert _marked(data) == {"Platform"} and data["scope"]["label"] == "your teams"
    nobody = make_person(mapped.org, "Nora Nobody", Role.MEMBER)
    data = _map(nobody)
    assert data["scope"]["whole"] is True
    assert _marked(data) == set() and data["scope"]["label"] == ""


def test_the_map_page_has_the_legend_entry_for_its_start(mapped):
    page = login(mapped.giver).get("/o/acme/coordination/map/").content.decode()
    assert 'id="map-scope-legend"' in page and "data-scope-label" in page
    assert "swatch--scope" in page
