"""The alignment pages and API lists cost the same queries and show the same number of
rows for a generated organization of 30 teams and one of 200: what they show does not
grow with the organization."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from accord.alignment import queries
from accord.alignment.models import Objective
from accord.org.models import Role, Team
from tests.conftest import api_client, check_figure, login, make_person, sqlite_plan

NODE = re.compile(rb'class="node-title"')
ITEM = re.compile(rb"<li[ >]")


@pytest.fixture(scope="module")
def viewers(generated, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            size: make_person(org, f"Vera {size}", Role.ADMIN) for size, org in generated.items()
        }


def _get(client, url, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.content[:300])
    return len(ctx.captured_queries), response


def _both(generated, viewers, url_of, *, api=False, **headers):
    out = {}
    for size, org in generated.items():
        person = viewers[size]
        client = api_client(person) if api else login(person)
        client.get(url_of(org))  # warm caches (labels, session) alike for both
        out[size] = _get(client, url_of(org), **headers)
    return out


def _busiest_objective(org) -> Objective:
    """The current period's objective with the most contributing objectives."""
    period = queries.current_period(org)
    return (
        Objective.objects.for_org(org)
        .filter(period=period)
        .annotate(n=Count("child_links"))
        .order_by("-n", "id")
        .first()
    )


def _busiest_team(org) -> Team:
    period = queries.current_period(org)
    return (
        Team.objects.for_org(org)
        .filter(objectives__period=period)
        .annotate(n=Count("objectives"))
        .order_by("-n", "id")
        .first()
    )


def test_the_tree_page_starts_at_a_bounded_scope(generated, viewers, db):
    got = _both(generated, viewers, lambda org: f"/o/{org.slug}/alignment/")
    small_n, large_n = got["small"][0], got["large"][0]
    assert small_n == large_n
    rows = {size: len(NODE.findall(r.content)) for size, (_, r) in got.items()}
    print(f"\ntree page: {small_n} queries, rows {rows}")
    # At most sixty nodes whatever the size: a small tree as far as it fits, a large one cut
    # (a node shows all its contributing objectives or none).
    assert 30 <= rows["large"] <= 60 and 0 < rows["small"] <= 60, rows


def test_opening_an_objective_in_the_tree_fetches_one_level(generated, viewers, db):
    got = _both(
        generated,
        viewers,
        lambda org: f"/o/{org.slug}/alignment/objectives/{_busiest_objective(org).pk}/children/",
        HX_Request="true",
    )
    assert got["small"][0] == got["large"][0]
    rows = {size: len(NODE.findall(r.content)) for size, (_, r) in got.items()}
    assert 0 < rows["large"] <= 50 and rows["small"] <= 50, rows


def test_a_teams_alignment_page_reads_the_stored_roll_up(generated, viewers, db):
    got = _both(
        generated, viewers, lambda org: f"/o/{org.slug}/alignment/teams/{_busiest_team(org).slug}/"
    )
    assert got["small"][0] == got["large"][0]
    rows = {size: len(ITEM.findall(r.content)) for size, (_, r) in got.items()}
    assert rows["large"] <= 200 and rows["small"] <= 200, rows


def test_an_objectives_page_lists_a_page_of_contributing_objectives(generated, viewers, db):
    got = _both(
        generated,
        viewers,
        lambda org: f"/o/{org.slug}/alignment/objectives/{_busiest_objective(org).pk}/",
    )
    # A plain select reads its few options; a search box at scale reads none.
    assert got["large"][0] <= got["small"][0]
    for _, response in got.values():
        section = response.content.split(b'id="children-h"')[1].split(b"</section>")[0]
        assert len(ITEM.findall(section)) <= 50


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/alignment-tree",
        "/api/v1/alignment-tree?depth=3&limit=100",
        "/api/v1/objectives",
        "/api/v1/orphaned-objectives",
    ],
)
def test_the_api_lists_are_bounded(generated, viewers, db, path):
    got = _both(generated, viewers, lambda org: path, api=True)
    assert got["small"][0] == got["large"][0], path
    for size, (_, response) in got.items():
        doc = response.json()
        items = doc["objectives"] if "alignment-tree" in path else doc["items"]
        page = doc["limit"] if "alignment-tree" in path else 50
        print(f"\n{path} ({size}): {got[size][0]} queries, {_count_nodes(items)} rows")
        # A page of the starting rows, whatever the organization's size ...
        assert len(items) == min(doc["count"], page), (size, len(items), doc["count"])
        # ... and never more than 500 nodes in all.
        assert _count_nodes(items) <= 500


def _count_nodes(items) -> int:
    return sum(1 + _count_nodes(i.get("children") or []) for i in items)


def test_the_api_reads_a_page_of_key_results_in_its_order(generated, viewers, db):
    """Key results are listed objective by objective, in their order: a page is read off
    an index in that order, where sorting every key result of the organization took 40 ms
    at 10,000 teams (90,000 of them)."""
    org = generated["large"]
    client = api_client(viewers["large"])
    with CaptureQueriesContext(connection) as ctx:
        items = client.get("/api/v1/key-results?limit=5").json()["items"]
    assert len(items) == 5
    order = [(k["objective_id"], k["position"], k["id"]) for k in items]
    assert order == sorted(order)
    (page,) = [q["sql"] for q in ctx.captured_queries if "ORDER BY" in q["sql"]]
    assert f'"org_id" = {org.pk}' in page
    if connection.vendor == "sqlite":
        plan = sqlite_plan(page)
        assert "alignment_kr_in_order" in plan and "TEMP B-TREE" not in plan, plan


def test_the_tree_pages_its_top_objectives_without_counting_them(generated, viewers, db):
    """The tree starts at a page of the period's top objectives, read in the tree's order
    until the page is full: counting them all (every objective of the period tested for a
    parent) cost more than the page's other SQL together at 10,000 teams."""
    from accord.alignment.views import TREE_PAGE

    org = generated["large"]
    client = login(viewers["large"])
    period = queries.current_period(org)
    roots = list(queries.tree_roots(org, period))
    assert len(roots) > TREE_PAGE
    shown = {}
    for number in (1, 2):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/o/{org.slug}/alignment/?period={period.pk}&page={number}")
        counts = [
            q["sql"]
            for q in ctx.captured_queries
            if q["sql"].startswith("SELECT COUNT(") and "alignment_objectivelink" in q["sql"]
        ]
        assert not counts, counts
        html = response.content.decode()
        shown[number] = {oid for oid in roots if f"/alignment/objectives/{oid}/" in html}
        assert "alignment/objectives/" in html
    # Top objectives contribute to nothing, so they appear nowhere but on their own page.
    assert shown[1] == set(roots[:TREE_PAGE])
    assert shown[2] == set(roots[TREE_PAGE : 2 * TREE_PAGE])
    # Past the last page (a link kept after objectives went): said so, not "none yet".
    beyond = client.get(f"/o/{org.slug}/alignment/?period={period.pk}&page=999").content
    assert b"No more objectives this far" in beyond and b" yet." not in beyond
    assert f'href="?period={period.pk}">First page</a>'.encode() in beyond


def test_the_trees_figures_are_exact_up_to_a_limit_then_a_minute_old(
    generated, viewers, db, monkeypatch
):
    """How many objectives, orphaned objectives and unaligned initiatives: figures, as home's
    headcount is (exact on each view up to a limit, beyond counted once a minute)."""
    from accord.alignment.models import Initiative

    org = generated["large"]
    client = login(viewers["large"])
    period = queries.current_period(org)
    url = f"/o/{org.slug}/alignment/?period={period.pk}"
    figure = re.compile(r"Unaligned [^<]*</span><strong><a [^>]*>([\d,]+)</a></strong>")
    team = Team.objects.for_org(org).first()

    def unaligned() -> int:
        return int(figure.search(client.get(url).content.decode()).group(1).replace(",", ""))

    def add(name: str) -> None:
        Initiative.objects.create(org=org, team=team, title=f"Serves nothing, {name}")

    assert unaligned() == queries.unaligned_initiatives(org).count() > 2
    check_figure(unaligned, add, f"alignment-figures:{org.pk}:{period.pk}:", monkeypatch)


def _a_department(org) -> Team:
    """A team with teams below it, itself below another: its subtree is part of the
    organization (the only team at the top reads every team unfiltered)."""
    return (
        Team.objects.for_org(org)
        .exclude(parent=None)
        .annotate(n=Count("children"))
        .filter(n__gt=0)
        .order_by("-n", "id")
        .first()
    )


@pytest.mark.parametrize("which", ["department", "top"])
def test_a_departments_alignment_page_gives_its_subtrees_figures_in_fixed_queries(
    generated, viewers, db, which
):
    """The figures of a team with the teams below it (active, unaligned, orphaned, teams
    over WIP) cost the same queries at 30 teams and at 200, and match the slow way of
    gathering the subtree's initiatives."""
    from accord.alignment.models import Initiative, InitiativeStatus
    from accord.org.queries import descendants_of, parent_map

    def team_of(org) -> Team:
        return (
            _a_department(org)
            if which == "department"
            else Team.objects.for_org(org).get(parent=None)
        )

    got = _both(
        generated, viewers, lambda org: f"/o/{org.slug}/alignment/teams/{team_of(org).slug}/"
    )
    assert got["small"][0] == got["large"][0]
    for size, org in generated.items():
        team = team_of(org)
        page = got[size][1].content.decode()
        assert 'id="department"' in page, size
        department = page.split('id="department"')[1].split("</div>\n</div>")[0]
        below = {team.pk} | descendants_of(team.pk, parent_map(org))
        active = (
            Initiative.objects.for_org(org)
            .filter(status=InitiativeStatus.ACTIVE, team_id__in=below)
            .count()
        )
        shown = re.search(r"Active [^<]*</span><strong><a [^>]*>([\d,]+)</a>", department)
        assert int(shown.group(1).replace(",", "")) == active > 0, size
