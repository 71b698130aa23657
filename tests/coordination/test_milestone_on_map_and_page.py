"""A dependency needed by a milestone names it on the map's edges and on its rows, and
its requester ties it to a milestone (or unties it) from the dependency's page."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.alignment import milestones
from accord.alignment.models import Milestone
from accord.coordination import queries
from accord.coordination.models import Dependency
from tests.conftest import login


@pytest.fixture
def freeze(world, cast):
    return milestones.create_milestone(
        world.org,
        cast.leader,
        name="Feature freeze 5.0",
        kind="feature_freeze",
        date=world.today + dt.timedelta(days=40),
    )


def _edge(data, dep_id):
    [edge] = [e["data"] for e in data["edges"] if e["data"]["dep"] == dep_id]
    return edge


def test_the_map_names_the_milestone_on_the_edge(world, cast, freeze):
    tied = world.request(need_by=None, need_by_milestone=freeze)
    client = login(world.asker)
    url = f"/o/{world.org.slug}/coordination/map.json"
    teams = client.get(url).json()
    edge = _edge(teams, tied.pk)
    assert edge["milestones"] == ["Feature freeze 5.0"]
    assert edge["label"] == "by Feature freeze 5.0"
    # A second dependency between the same teams, on a date: the edge counts both.
    world.request(title="Pallets")
    [edge] = [e["data"] for e in client.get(url).json()["edges"]]
    assert edge["count"] == 2 and edge["label"] == "2 · by Feature freeze 5.0"

    queries_initiatives = queries.map_elements(world.org, mode="initiatives", person=world.asker)
    # Not accepted yet, no provider initiative: drawn to the team asked, named as well.
    edge = _edge(queries_initiatives, tied.pk)
    assert edge["target"] == f"t{world.ops.pk}"
    assert edge["label"] == "Stock for the spring launch (by Feature freeze 5.0)"
    Dependency.objects.filter(pk=tied.pk).update(provider_initiative=world.warehouse)
    data = client.get(url + "?mode=initiatives").json()
    edge = _edge(data, tied.pk)
    assert edge["label"] == "Stock for the spring launch (by Feature freeze 5.0)"
    assert edge["milestones"] == ["Feature freeze 5.0"]


def test_rows_show_the_milestone_beside_the_need_by(world, cast, freeze):
    world.request(need_by=None, need_by_milestone=freeze)
    client = login(world.asker)
    for page in ("list/", "teams/sales/", "teams/ops/"):
        body = client.get(f"/o/{world.org.slug}/coordination/{page}").content.decode()
        assert "Feature freeze 5.0" in body, page


def test_the_requester_ties_and_unties_from_the_page(world, cast, freeze):
    dep = world.request()
    date_before = dep.need_by
    page_url = f"/o/{world.org.slug}/coordination/d/{dep.pk}/"
    post_url = page_url + "milestone/"
    asker = login(world.asker)
    assert "Tie to a milestone" in asker.get(page_url).content.decode()

    r = asker.post(post_url, {"milestone": freeze.pk, "version": dep.version})
    assert r.status_code == 302 and r.url == page_url
    dep.refresh_from_db()
    assert dep.need_by_milestone_id == freeze.pk and dep.need_by == freeze.date
    page = asker.get(page_url).content.decode()
    assert "Needed by Feature freeze 5.0" in page and "Change the milestone" in page
    assert Event.objects.filter(target_id=str(dep.pk), verb="need_by_tied").count() == 1

    r = asker.post(post_url, {"milestone": "", "version": dep.version})
    assert r.status_code == 302
    dep.refresh_from_db()
    assert dep.need_by_milestone_id is None and dep.need_by == freeze.date != date_before
    assert Event.objects.filter(target_id=str(dep.pk), verb="need_by_tied").count() == 2


def test_only_the_requester_ties_and_only_a_milestone_of_its_organization(world, cast, freeze):
    dep = world.request()
    page_url = f"/o/{world.org.slug}/coordination/d/{dep.pk}/"
    post_url = page_url + "milestone/"
    giver = login(world.giver)
    assert "Tie to a milestone" not in giver.get(page_url).content.decode()
    assert giver.post(post_url, {"milestone": freeze.pk}).status_code == 403

    foreign = Milestone.objects.create(
        org=cast.other_org, name="Theirs", date=world.today + dt.timedelta(30)
    )
    past = Milestone.objects.create(
        org=world.org, name="Gone", date=world.today - dt.timedelta(days=3)
    )
    asker = login(world.asker)
    for bad in (foreign.pk, past.pk, "x"):
        r = asker.post(post_url, {"milestone": bad}, follow=True)
        assert "Choose one of the milestones offered" in r.content.decode()
    # A stale version is a conflict: nothing changes.
    r = asker.post(post_url, {"milestone": freeze.pk, "version": dep.version + 5}, follow=True)
    dep.refresh_from_db()
    assert dep.need_by_milestone_id is None
    assert not Event.objects.filter(target_id=str(dep.pk), verb="need_by_tied").exists()
