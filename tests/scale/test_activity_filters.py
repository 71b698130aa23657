"""The activity page's filters (one person, a range of days) read the same number of queries
and rows for a 30-team and a 200-team organization, off an event index in the feed's order:
never the organization's whole log sorted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from accord.activity import queries
from accord.org import services as org_services
from accord.org.models import Person
from tests.conftest import login, sqlite_plan
from tests.scale.test_decisions_pages import _measure, _world, search_boxes  # noqa: F401

PAGES = {
    "one person": "activity/?actor={viewer}",
    "a range of days": "activity/?since={today}&until={today}",
    "one person from a day": "activity/?actor={viewer}&since={today}",
    "one kind in a range, page 2": "activity/?type=decisions.actionitem&until={today}&page=2",
}


@pytest.mark.parametrize("name", PAGES)
def test_a_filtered_feed_reads_and_shows_the_same_for_a_small_and_a_large_org(
    generated, db, monkeypatch, name
):
    seen = {}
    today = timezone.localdate().isoformat()
    for size, org in generated.items():
        world = _world(org)
        url = f"/o/{org.slug}/" + PAGES[name].format(viewer=world["viewer"].pk, today=today)
        seen[size] = _measure(monkeypatch, login(world["viewer"]), url)
    small, large = seen["small"], seen["large"]
    assert "not understood" not in large["response"].content.decode()
    assert large["rows"] == 50, name
    assert small["queries"] == large["queries"], name
    assert small["rows"] == large["rows"], name
    assert small["read"] == large["read"], name
    assert large["unbounded"] == [], name


@pytest.mark.parametrize("by", ["actor", "range", "actor and range", "kind and range"])
def test_a_filtered_feed_is_read_in_order_off_an_index(generated, db, by):
    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    org = generated["large"]
    viewer = Person.objects.for_org(org).filter(role="admin").first()
    today = timezone.localdate()
    filters = {
        "actor": {"actor_id": viewer.pk},
        "range": {"since": today, "until": today},
        "actor and range": {"actor_id": viewer.pk, "since": today},
        "kind and range": {"target_type": "org.team", "until": today},
    }[by]
    events = queries.feed(org, viewer, **filters)
    sql, params = events[:51].query.sql_with_params()
    plan = sqlite_plan(sql, params)
    # (ties of the same moment are put in order of id as they come, as the whole feed does)
    assert "TEMP B-TREE FOR ORDER BY" not in plan, plan
    assert "activity_event" in plan and "SCAN" not in plan.split("activity_event")[0], plan


def _department(org):
    """The team right below the top with the most teams below it (a department head's)."""
    from accord.org.models import Team
    from accord.org.queries import descendants_of, parent_map

    parents = parent_map(org)
    below_top = Team.objects.for_org(org).filter(parent__parent=None, parent__isnull=False)
    return max(below_top, key=lambda t: len(descendants_of(t.pk, parents)))


TEAM_PAGES = {
    "a department and the teams below it": "activity/?team={department}",
    "the department alone": "activity/?team={department}&only=1",
    "a team at the bottom": "activity/?team=guard-team",
    "one kind of a department, page 2": "activity/?type=alignment.keyresult&team={department}"
    "&page=2",
    "the events API, a department": "/api/v1/events?team_id={department_id}",
}


@pytest.mark.parametrize("name", TEAM_PAGES)
def test_a_teams_feed_reads_and_shows_the_same_for_a_small_and_a_large_org(
    generated, db, monkeypatch, name
):
    from tests.conftest import api_client

    seen = {}
    for size, org in generated.items():
        world = _world(org)
        department = _department(org)
        # The newest events of the department are the same in both: each page then names
        # the same kinds of object (a query each).
        for i in range(55):
            org_services.update_team(org, None, department, description=f"Revision {i}")
        path = TEAM_PAGES[name].format(department=department.slug, department_id=department.pk)
        api = path.startswith("/api/")
        client = api_client(world["viewer"]) if api else login(world["viewer"])
        url = path if api else f"/o/{org.slug}/{path}"
        seen[size] = _measure(monkeypatch, client, url, json=api)
    small, large = seen["small"], seen["large"]
    assert large["rows"] == 50, name
    assert small["queries"] == large["queries"], name
    assert small["rows"] == large["rows"], name
    assert large["unbounded"] == [], name


@pytest.mark.parametrize("by", ["department", "department alone", "department and kind", "leaf"])
def test_a_teams_feed_seeks_each_team_in_the_team_index(generated, db, by):
    """One seek per team of the subtree in (team, created_at, id), each stopping at the
    page, and one in (other_team, created_at, id) for the events it is the second team of:
    never the organization's log walked in order for the few events of a team."""
    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    from accord.org.models import Team

    org = generated["large"]
    viewer = Person.objects.for_org(org).filter(role="admin").first()
    leaf = Team.objects.for_org(org).filter(children__isnull=True).order_by("pk").first()
    department = _department(org)
    team, filters = {
        "department": (department, {}),
        "department alone": (department, {"only": True}),
        "department and kind": (department, {"target_type": "rhythm.checkin"}),
        "leaf": (leaf, {}),
    }[by]
    events = queries.feed(org, viewer, team=team, **filters)
    sql, params = events[:51].query.sql_with_params()
    plan = sqlite_plan(sql, params)
    assert "activity_event_team_order (team_id=?)" in plan, plan
    assert "SCAN activity_event" not in plan and "activity_ev_org_id" not in plan, plan
    if by != "department and kind":  # a check-in never concerns a second team
        assert "activity_event_other_order (other_team_id=?)" in plan, plan


def test_on_postgresql_a_few_teams_feed_is_read_off_the_team_index(generated, db):
    """PostgreSQL cannot tell how many teams the recursive subquery of a subtree gives: a
    leaf's few events were found by walking the organization's log in order (half a
    second at 3,000 teams). A subtree of a few teams is named by its ids instead."""
    if connection.vendor != "postgresql":
        pytest.skip("the query plan checked here is PostgreSQL's")
    from accord.org.models import Team

    org = generated["large"]
    viewer = Person.objects.for_org(org).filter(role="admin").first()
    leaf = Team.objects.for_org(org).filter(children__isnull=True).order_by("pk").first()
    sql, params = queries.feed(org, viewer, team=leaf)[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " | ".join(row[0] for row in cursor.fetchall())
    assert "activity_event_team_order" in plan, plan
    assert "activity_event_other_order" in plan, plan  # and the events it is a second team of


@pytest.mark.parametrize("by", ["department", "department alone", "department and kind"])
def test_on_postgresql_a_departments_feed_is_an_index_read(generated, db, by):
    """A team's feed is "its team or its second team in the subtree" in one WHERE on
    PostgreSQL: read off indexes (the log in order while the subtree's events are dense,
    else the two team indexes), never the whole log read and sorted."""
    if connection.vendor != "postgresql":
        pytest.skip("the query plan checked here is PostgreSQL's")
    org = generated["large"]
    viewer = Person.objects.for_org(org).filter(role="admin").first()
    filters = {
        "department": {},
        "department alone": {"only": True},
        "department and kind": {"target_type": "coordination.dependency"},
    }[by]
    events = queries.feed(org, viewer, team=_department(org), **filters)
    sql, params = events[:51].query.sql_with_params()
    with connection.cursor() as cursor:
        # The statistics as the worker's hourly refresh leaves them: the tests before this
        # one wrote hundreds of the department's events after the organization's were
        # analysed, and PostgreSQL's estimates of them depend on when the suite runs.
        # Read whole (a sample of 300,000 rows), not a random sample whose estimates, and
        # so the plan, change from one run to the next.
        cursor.execute("SET LOCAL default_statistics_target = 1000")
        cursor.execute("ANALYZE activity_event")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = " | ".join(row[0] for row in cursor.fetchall())
    assert "Seq Scan on activity_event" not in plan, plan
    assert "Index Scan" in plan, plan
    if by == "department alone":
        assert "activity_event_team_order" in plan, plan
        assert "activity_event_other_order" in plan, plan
