"""The initiatives list, page and API, costs the same queries for a generated organization
of 30 teams and one of 200, whatever the filters: a page of rows, never every initiative;
a team's subtree read down from the team (the top of the tree: no filter at all); blocked
marks in one query for the page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org.models import Role, Team
from tests.conftest import api_client, login, make_person, sqlite_plan

ROW = re.compile(rb'data-initiative="\d+"')


@pytest.fixture(scope="module")
def viewers(generated, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            size: make_person(org, f"Lena {size}", Role.VIEWER) for size, org in generated.items()
        }


def _root(org) -> Team:
    return Team.objects.for_org(org).filter(parent=None).order_by("id").first()


def _count(client, url) -> tuple[int, object]:
    client.get(url)  # warm the session and labels alike for both sizes
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    return len(ctx.captured_queries), response


@pytest.mark.parametrize(
    "qs",
    [
        "",
        "team={root}",
        "team={root}&blocked=yes&sort=-progress",
        "late=no&aligned=yes&sort=target",
        "blocked=no&status=active&sort=team&page=2",
    ],
)
def test_the_initiatives_page_costs_the_same_whatever_the_size(generated, viewers, db, qs):
    got = {}
    for size, org in generated.items():
        url = f"/o/{org.slug}/alignment/initiatives/?" + qs.format(root=_root(org).pk)
        got[size] = _count(login(viewers[size]), url)
    # A plain select reads its few options; a search box at scale reads none.
    assert got["large"][0] <= got["small"][0], qs
    for size, (_, response) in got.items():
        rows = len(ROW.findall(response.content))
        if size == "small" and "page=2" in qs and rows == 0:  # under a page of them
            assert b"this far." in response.content, qs
        else:
            assert 0 < rows <= 50, qs  # rows on both sides


@pytest.mark.parametrize(
    "qs", ["", "team_id={root}&subtree=true&blocked=true", "late=true&sort=title"]
)
def test_the_initiatives_api_costs_the_same_whatever_the_size(generated, viewers, db, qs):
    got = {}
    for size, org in generated.items():
        url = "/api/v1/initiatives?" + qs.format(root=_root(org).pk)
        got[size] = _count(api_client(viewers[size]), url)
    # A plain select reads its few options; a search box at scale reads none.
    assert got["large"][0] <= got["small"][0], qs
    for _, response in got.values():
        assert len(response.json()["items"]) <= 100


def test_the_initiatives_board_costs_the_same_whatever_the_size(generated, viewers, db):
    got = {}
    for size, org in generated.items():
        url = f"/o/{org.slug}/alignment/initiatives/board/?team={_root(org).pk}"
        got[size] = _count(login(viewers[size]), url)
    # A plain select reads its few options; a search box at scale reads none.
    assert got["large"][0] <= got["small"][0]
    for _, response in got.values():
        assert 0 < len(ROW.findall(response.content)) <= 5 * 25


@pytest.mark.parametrize("qs", ["", "team={root}", "sort=team&page=3", "status=open"])
def test_by_team_and_priority_is_read_team_by_team_not_sorted_whole(generated, viewers, db, qs):
    """The default order (teams by name, each team's ranked work first) reads the teams in
    name order off their index and each team's initiatives off theirs, sorting only a
    team's own: not every initiative of the organization sorted for a page of fifty, with
    the planner's statistics refreshed (after `accord generate`, and hourly by the worker).
    """
    from accord.core.database import refresh_planner_statistics

    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    org = generated["large"]
    refresh_planner_statistics()
    url = f"/o/{org.slug}/alignment/initiatives/?" + qs.format(root=_root(org).pk)
    client = login(viewers["large"])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    (sql,) = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].split(" FROM ", 1)[1].startswith('"alignment_initiative"')
        and "ORDER BY" in q["sql"]
    ]
    plan = sqlite_plan(sql)
    assert "USING INDEX team_by_lower_name" in plan, plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan  # only "for right part of"
