"""The coordination pages and API lists do the same work at 30 and 200 teams.

For each page and list, at both sizes of generated organization: the same number of
queries, the same number of rendered rows (table rows, list items and options, or JSON
items) and about the same number of rows read from the database. The viewer leads a team
added to each organization ("Guard asks"), which asks a second added team ("Guard
gives") for three things, one accepted: what that person sees of their own teams is the
same in both, and everything shown of the rest of the organization (late and at-risk
lists, counts, the map, analyses) must not grow with it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.alignment import milestones
from accord.alignment import services as alignment
from accord.coordination import services
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role, Team
from tests.conftest import api_client, check_figure, login, make_person


class RowCounter:
    """Counts the rows every query of the block reads from the database."""

    def __init__(self, monkeypatch):
        self.rows = 0
        counter = self

        def fetchone(cur):
            row = cur.cursor.fetchone()
            counter.rows += row is not None
            return row

        def fetchmany(cur, size=None):
            rows = cur.cursor.fetchmany() if size is None else cur.cursor.fetchmany(size)
            counter.rows += len(rows)
            return rows

        def fetchall(cur):
            rows = cur.cursor.fetchall()
            counter.rows += len(rows)
            return rows

        for name, fn in (("fetchone", fetchone), ("fetchmany", fetchmany), ("fetchall", fetchall)):
            monkeypatch.setattr(CursorWrapper, name, fn, raising=False)


def _setup(org):
    """The guard teams, their people and dependencies; returns what the pages need."""
    root = Team.objects.for_org(org).filter(parent=None).order_by("id").first()
    asks = org_services.create_team(org, None, name="Guard asks", slug="guard-asks", parent=root)
    gives = org_services.create_team(org, None, name="Guard gives", slug="guard-gives", parent=root)
    viewer = make_person(org, "Gwen Guard", Role.MEMBER)
    giver = make_person(org, "Gus Guard", Role.MEMBER)
    org_services.add_membership(org, None, person=viewer, team=asks, role=MembershipRole.LEAD)
    org_services.add_membership(org, None, person=giver, team=gives, role=MembershipRole.LEAD)
    today = timezone.localdate()
    mine = alignment.create_initiative(
        org,
        None,
        team=asks,
        title="Guard launch",
        status="active",
        start_date=today,
        target_date=today + dt.timedelta(days=60),
    )
    theirs = alignment.create_initiative(
        org,
        None,
        team=gives,
        title="Guard platform",
        status="active",
        start_date=today,
        target_date=today + dt.timedelta(days=40),
    )
    deps = [
        services.create_dependency(
            org,
            viewer,
            requester_initiative=mine,
            provider_team=gives,
            title=f"Guard thing {n}",
            need_by=today + dt.timedelta(days=20 + n),
        )
        for n in range(3)
    ]
    services.transition(
        org,
        giver,
        deps[0],
        "accept",
        provider_initiative=theirs,
        committed_date=today + dt.timedelta(days=30),
    )
    # The first rows of the lists, the same at both sizes (the overview's late and at-risk
    # lists, the API's by due date, at risk or not): dependencies due long ago, flagged
    # at risk or not, and one due today and flagged, each needed by a milestone and
    # answered with a counter-proposal. A list reads milestones and proposed initiatives
    # only when a row it shows has one, and which generated rows are shown differs between
    # the sizes (and with the date); these make both read them.
    shown = []
    for title, days in (
        ("Guard long overdue", -4000),
        ("Guard long overdue at risk", -3999),
        ("Guard due today", 0),
    ):
        milestone = milestones.create_milestone(
            org, None, name=f"{title} milestone", date=today + dt.timedelta(days=days)
        )
        dep = services.create_dependency(
            org,
            None,
            requester_initiative=mine,
            provider_team=gives,
            title=title,
            need_by_milestone=milestone,
        )
        dep = services.transition(
            org,
            None,
            dep,
            "propose",
            provider_initiative=theirs,
            proposed_date=today + dt.timedelta(days=45),
        )
        shown.append(dep)
    for dep in shown[1:]:
        services.transition(org, None, dep, "flag_at_risk", note="Guard: waiting on a review.")
    # A page of the API's late list of their own: how many generated dependencies are late
    # depends on how the organization's departments fare (most are healthy; at 30 teams
    # fewer than a page may be late), and a list's work is compared on full pages.
    for n in range(settings.NINJA_PAGINATION_PER_PAGE):
        services.create_dependency(
            org,
            None,
            requester_initiative=mine,
            provider_team=gives,
            title=f"Guard late {n}",
            need_by=today - dt.timedelta(days=30 + n),
        )
    return {
        "viewer": viewer,
        "asks": asks,
        "gives": gives,
        "mine": mine,
        "theirs": theirs,
        "dep": deps[0],
        "requested": deps[1],
        "shown": shown,
    }


PAGES = {
    "index": lambda s: "",
    "team": lambda s: f"teams/{s['asks'].slug}/",
    "providing team": lambda s: f"teams/{s['gives'].slug}/",
    "top team's crossing dependencies": lambda s: (
        f"list/?team={s['asks'].parent.slug}&outside=1&direction=outbound"
    ),
    "waiting dependencies": lambda s: f"list/?team={s['asks'].parent.slug}&waiting=1",
    "detail": lambda s: f"d/{s['dep'].pk}/",
    "edit a request": lambda s: f"d/{s['requested'].pk}/edit/",
    "map": lambda s: "map/",
    "map data": lambda s: "map.json",
    "map data by initiative": lambda s: "map.json?mode=initiatives",
    "map data of a team": lambda s: f"map.json?team={s['gives'].pk}",
}

LISTS = {
    "dependencies": lambda s: ("/api/v1/dependencies", {}),
    "dependencies late": lambda s: ("/api/v1/dependencies", {"late": "true"}),
    "dependencies at risk": lambda s: ("/api/v1/dependencies", {"at_risk": "true"}),
    "dependencies not at risk": lambda s: ("/api/v1/dependencies", {"at_risk": "false"}),
    "dependencies of a team": lambda s: ("/api/v1/dependencies", {"team_id": s["asks"].pk}),
    "cycles": lambda s: ("/api/v1/graph/cycles", {}),
    "critical path": lambda s: (f"/api/v1/graph/critical-path/{s['mine'].pk}", {}),
    "blast radius of an initiative": lambda s: (
        "/api/v1/graph/blast-radius",
        {"initiative_id": s["theirs"].pk},
    ),
    "blast radius of a team": lambda s: ("/api/v1/graph/blast-radius", {"team_id": s["gives"].pk}),
    "load": lambda s: ("/api/v1/graph/load", {"limit": 20}),
}


def _rows(response) -> int:
    if response["Content-Type"].startswith("application/json"):
        data = response.json()
        if isinstance(data, dict) and "items" in data:
            return len(data["items"])
        if isinstance(data, dict) and "nodes" in data:
            return len(data["nodes"]) + len(data["edges"])
        if isinstance(data, dict):
            return sum(len(v) for v in data.values() if isinstance(v, list))
        return len(data)
    html = response.content.decode()
    return len(re.findall(r"<(?:tr|li|option)\b", html))


def _measure(client, url, params, monkeypatch) -> tuple[int, int, int, int]:
    assert client.get(url, params).status_code == 200, url  # warm (sessions, tokens)
    counter = RowCounter(monkeypatch)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    monkeypatch.undo()
    assert response.status_code == 200, (url, response.content[:300])
    return len(ctx.captured_queries), _rows(response), counter.rows, len(response.content)


@pytest.fixture(scope="module")
def guarded(generated, django_db_blocker):
    with django_db_blocker.unblock():
        return {size: _setup(org) for size, org in generated.items()}


def test_the_overviews_lists_show_the_guard_rows_at_both_sizes(generated, guarded, db):
    """What makes the overview's work comparable: its late and at-risk lists show the
    guard's dependencies (with a milestone and a counter-proposal) at both sizes."""
    for size, org in generated.items():
        html = login(guarded[size]["viewer"]).get(f"/o/{org.slug}/coordination/")
        html = html.content.decode()
        late = html.split('id="late-h"')[1].split("</section>")[0]
        at_risk = html.split('id="risk-h"')[1].split("</section>")[0]
        assert "Guard long overdue<" in late, size
        assert "Guard due today" in at_risk, size


@pytest.mark.parametrize("page", PAGES)
def test_a_page_does_the_same_work_at_30_and_200_teams(generated, guarded, page, db, monkeypatch):
    seen = {}
    for size, org in generated.items():
        s = guarded[size]
        url = f"/o/{org.slug}/coordination/{PAGES[page](s)}"
        seen[size] = _measure(login(s["viewer"]), url, {}, monkeypatch)
    (q_small, rows_small, read_small, _), (q_large, rows_large, read_large, size_large) = (
        seen["small"],
        seen["large"],
    )
    assert q_small == q_large, f"queries: {seen}"
    assert rows_small == rows_large, f"rendered rows: {seen}"
    # Rows read may differ a little with the data shown (which of them are held up, say),
    # never with the size of the organization (200 teams is almost seven times 30).
    assert read_large <= 1.5 * read_small + 10, f"rows read: {seen}"
    assert size_large < 200_000


def test_the_top_teams_page_does_the_same_work_at_30_and_200_teams(
    generated, guarded, db, monkeypatch
):
    """The top team has sub-teams: its figures and its inbox span the whole organization,
    counted up to a limit and shown a first screen at a time. (Its own lists, and what it
    has ready to work on, are the top team's own rows, which the two generated
    organizations give it in different numbers.)"""
    seen, inboxes = {}, {}
    for size, org in generated.items():
        s = guarded[size]
        url = f"/o/{org.slug}/coordination/teams/{s['asks'].parent.slug}/"
        client = login(s["viewer"])
        seen[size] = _measure(client, url, {}, monkeypatch)
        page = client.get(url).content.decode()
        inbox = page.split('id="inbox-h"')[1].split("</section>")[0]
        inboxes[size] = len(re.findall(r'<li class="inbox__item"', inbox))
        assert "data-scope-figures" in page
    (q_small, _, read_small, _), (q_large, _, read_large, size_large) = seen.values()
    # The top team's own rows read their milestones and counter-proposals' initiatives
    # only when one of them has one (`queries.base`): at most those two apart.
    assert abs(q_small - q_large) <= 2, f"queries: {seen}"
    assert inboxes["small"] == inboxes["large"] == 20, inboxes
    assert read_large <= 1.5 * read_small + 10, f"rows read: {seen}"
    assert size_large < 200_000


@pytest.mark.parametrize("name", LISTS)
def test_an_api_list_does_the_same_work_at_30_and_200_teams(
    generated, guarded, name, db, monkeypatch
):
    seen = {}
    for size in generated:
        s = guarded[size]
        url, params = LISTS[name](s)
        seen[size] = _measure(api_client(s["viewer"]), url, params, monkeypatch)
    (q_small, rows_small, read_small, _), (q_large, rows_large, read_large, size_large) = (
        seen["small"],
        seen["large"],
    )
    assert q_small == q_large, f"queries: {seen}"
    assert rows_small == rows_large, f"rendered rows: {seen}"
    # Rows read may differ a little with the data shown (which of them are held up, say),
    # never with the size of the organization (200 teams is almost seven times 30).
    assert read_large <= 1.5 * read_small + 10, f"rows read: {seen}"
    assert size_large < 200_000


def test_the_overviews_figures_are_exact_up_to_a_limit_then_a_minute_old(
    generated, guarded, db, monkeypatch
):
    """How many dependencies are active, late and at risk: figures (exact on each view up to
    a limit, beyond counted once a minute), today's (late and at risk change with the
    date)."""
    from accord.alignment.models import Initiative
    from accord.coordination.models import Dependency
    from accord.coordination.queries import ACTIVE_STATES

    org = generated["large"]
    viewer = guarded["large"]["viewer"]
    gives = Team.objects.for_org(org).get(slug="guard-gives")
    client = login(viewer)
    url = f"/o/{org.slug}/coordination/?team="  # the whole organization's, whoever asks
    figure = re.compile(r'active=1">([\d,]+) active dependenc')

    def active() -> int:
        return int(figure.search(client.get(url).content.decode()).group(1).replace(",", ""))

    def add(name: str) -> None:
        services.create_dependency(
            org,
            viewer,
            requester_initiative=Initiative.objects.get(org=org, title="Guard launch"),
            provider_team=gives,
            title=f"Guard figure {name}",
            need_by=timezone.localdate() + dt.timedelta(days=90),
        )

    assert active() == Dependency.objects.filter(org=org, state__in=ACTIVE_STATES).count() > 5
    key = f"coordination-figures:{org.pk}:{timezone.localdate().isoformat()}"
    check_figure(active, add, key, monkeypatch)


def test_the_api_counts_dependencies_to_a_limit(generated, guarded, db, monkeypatch):
    """100,000 dependencies at 10,000 teams: the API's list counts up to its limit (null
    beyond, as the events and decisions do), and each page still has its derived fields."""
    from accord.api import common

    client = api_client(guarded["large"]["viewer"])
    every = client.get("/api/v1/dependencies?limit=200").json()
    assert every["count"] > 5
    monkeypatch.setattr(common, "LIST_COUNT_UP_TO", 5)
    first = client.get("/api/v1/dependencies?limit=3").json()
    assert first["count"] is None and first["items"] == every["items"][:3]
    assert all("late" in d and "allowed_actions" in d for d in first["items"])
