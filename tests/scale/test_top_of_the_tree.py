"""What stayed slow at the top of a large organization: the initiative page's choosers
and related work, and what is at risk for the top team. Each reads its rows off an index
in a bounded way and gives the same answer as the slow way it replaces."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.alignment.models import Initiative, KeyResult
from accord.intelligence import queries as signal_queries
from accord.org import queries as org_queries
from accord.org import services as org_services
from accord.org.models import Membership, MembershipRole, Person, Role, Team
from accord.web import pickers
from tests.conftest import make_person, sqlite_plan
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401 (/mcp is served as by a sync worker)
from tests.mcp.test_bounds import client_of, rpc


def test_a_choosers_search_box_reads_its_organization_without_sorting(generated, db, monkeypatch):
    """Whether a chooser is a search box, and its search URL, are read from the newest
    choices: asking for the URL with `.first()` sorted every key result of the
    organization by name (and the count walked closed periods' key results first)."""
    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 10)
    org = generated["large"]
    field = pickers.KeyResultMultipleChoiceField(queryset=pickers._key_results(org))
    with CaptureQueriesContext(connection) as captured:
        html = field.widget.render("serves", [])
    assert f"/o/{org.slug}/pick/key_result/" in html
    assert "data-picker-input" in html
    assert len(captured.captured_queries) == 2, [q["sql"] for q in captured]
    if connection.vendor == "sqlite":
        for query in captured.captured_queries:
            plan = sqlite_plan(query["sql"])
            assert "TEMP B-TREE" not in plan, plan


def test_a_short_list_is_still_a_select(generated, db):
    org = generated["small"]
    few = list(KeyResult.objects.for_org(org).order_by("pk").values_list("pk", flat=True)[:3])
    field = pickers.KeyResultMultipleChoiceField(
        queryset=KeyResult.objects.for_org(org).filter(pk__in=few)
    )
    html = field.widget.render("serves", [])
    assert "<select" in html and html.count("<option") == 3


def test_related_work_is_read_by_id_not_by_walking_every_initiative(generated, db):
    """Two subqueries joined by OR made SQLite walk the organization's initiatives in title
    order; one subquery of the other sides reads them by id."""
    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    org = generated["large"]
    item = Initiative.objects.for_org(org).order_by("pk").first()
    with CaptureQueriesContext(connection) as captured:
        assert signal_queries.related_work(org, item) == []
    (query,) = captured.captured_queries
    plan = sqlite_plan(query["sql"])
    assert "rowid=?" in plan or "alignment_initiative USING INTEGER PRIMARY KEY" in plan, plan


def _lead_of(team) -> object:
    return (
        Membership.objects.for_org(team.org)
        .filter(team=team, role=MembershipRole.LEAD)
        .select_related("person")
        .first()
        .person
    )


def test_what_is_at_risk_for_the_top_team_is_the_slow_ways_answer(generated, db, monkeypatch):
    """The top team's subtree is every team: each list keeps what is filed to any team,
    which gives exactly the answer of gathering the subtree's teams first."""
    org = generated["large"]
    root = Team.objects.for_org(org).get(parent=None)
    assert org_queries.covers_every_team(root)
    client = client_of(_lead_of(root))
    call = {"name": "what_is_at_risk", "arguments": {"team": root.slug}}
    fast = rpc(client, "tools/call", call)
    with monkeypatch.context() as slow:
        slow.setattr(org_queries, "covers_every_team", lambda team: False)
        expected = rpc(client, "tools/call", call)
    assert json.loads(json.dumps(fast)) == expected
    data = fast["structuredContent"]
    lists = ("dependencies", "key_results", "decisions")
    assert all(data[key] for key in lists), data.keys()  # a real answer, not three empties


def test_a_second_top_team_means_the_top_team_is_not_every_team(generated, db):
    org = generated["small"]
    root = Team.objects.for_org(org).get(parent=None)
    boss = make_person(org, "Tess Top", Role.ADMIN)
    other = org_services.create_team(org, boss, name="Second Top", slug="second-top")
    assert not org_queries.covers_every_team(root)
    assert not org_queries.covers_every_team(other)
    child = Team.objects.for_org(org).filter(parent=root).first()
    assert not org_queries.covers_every_team(child)


@pytest.mark.parametrize("share", [0.1, 2.0])  # the top team walks in order; then by team
def test_a_teams_action_lists_are_the_slow_ways_lists(generated, db, monkeypatch, share):
    """The first open items and the last closed ones of the top team (every item of the
    organization) and of a team below it, read off the organization's index in list
    order or by team, are the items the plain filtered and sorted queries give."""
    from django.db.models import F
    from django.db.models.functions import Coalesce

    from accord.decisions import queries
    from accord.decisions.models import ActionStatus

    monkeypatch.setattr(queries, "WALK_SHARE", share)
    org = generated["large"]
    root = Team.objects.for_org(org).get(parent=None)
    middle = Team.objects.for_org(org).filter(parent=root).order_by("pk").first()
    for team, only in ((root, False), (middle, False), (middle, True)):
        walks = queries._walks_in_order(org, team, only)
        if team == root:
            assert walks is (share < 1)
        items = queries.action_item_list(org, team=team, only=only)
        expected_open = list(items.filter(status=ActionStatus.OPEN)[:200])
        expected_closed = list(
            items.exclude(status=ActionStatus.OPEN).order_by(
                Coalesce("done_at", "dropped_at").desc(nulls_last=True), F("id").desc()
            )[:20]
        )
        got_open, got_closed = queries.team_action_lists(
            org, team, only=only, open_limit=200, closed_limit=20
        )
        assert got_open == expected_open, (team.name, only)
        assert got_closed == expected_closed, (team.name, only)
        assert len(expected_open) == 200 or team != root
        # A later page of the list page's open items.
        later, _ = queries.team_action_lists(
            org, team, only=only, open_offset=150, open_limit=51, closed_limit=0
        )
        assert later == list(items.filter(status=ActionStatus.OPEN)[150:201]), (team.name, only)


def test_a_dependencys_reach_reads_its_few_edges_without_a_bloom_filter(generated, db):
    """Joined on the near side, SQLite built a Bloom filter over every dependency of the
    organization before the first step of a reach (with the planner's statistics, which
    the worker keeps); each step reads a correlated list by index instead, with the
    same edges."""
    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    from accord.coordination import queries as coordination
    from accord.coordination.models import Dependency
    from accord.core.database import refresh_planner_statistics

    refresh_planner_statistics()
    org = generated["large"]
    accepted = Dependency.objects.for_org(org).filter(state="accepted").order_by("pk")
    source = accepted.values_list("provider_initiative_id", flat=True)[0]
    for upstream in (True, False):
        with CaptureQueriesContext(connection) as captured:
            edges = coordination.reachable_edges(org, [source], upstream=upstream)
        (query,) = captured.captured_queries
        assert "BLOOM" not in sqlite_plan(query["sql"]), upstream
        # The same edges as walking the accepted dependencies in Python.
        pairs = list(accepted.values_list("requester_initiative_id", "provider_initiative_id"))
        near, far = (0, 1) if upstream else (1, 0)
        seen, frontier, expected = {source}, [source], set()
        while frontier:
            nxt = []
            for pair in pairs:
                if pair[near] in frontier and pair[1] is not None:
                    expected.add(pair)
                    if pair[far] is not None and pair[far] not in seen:
                        seen.add(pair[far])
                        nxt.append(pair[far])
            frontier = nxt
        assert set(edges) == expected, upstream


def test_the_owners_of_a_teams_open_items_are_the_slow_ways_owners(generated, db, monkeypatch):
    """Who owes the open items of the top team (every item filed to a team) and of a team
    below it: the same owners, counts and order as counting every open item of the subtree
    in Python, a screen of them read in the same queries at both sizes (each read whole
    here: beyond OWNERS_EXACT owners a page keeps them a minute)."""
    from collections import Counter

    from accord.core.counting import COUNT_UP_TO
    from accord.core.days import org_today
    from accord.decisions import queries
    from accord.decisions.models import ActionItem, ActionStatus

    monkeypatch.setattr(queries, "OWNERS_EXACT", 10**9)
    today = org_today()
    seen = {}
    for size, org in generated.items():
        root = Team.objects.for_org(org).get(parent=None)
        middle = Team.objects.for_org(org).filter(parent=root).order_by("pk").first()
        for team in (root, middle):
            parents = dict(Team.objects.filter(org=org).values_list("pk", "parent_id"))
            teams = {team.pk} | org_queries.descendants_of(team.pk, parents)
            opened = ActionItem.objects.filter(org=org, status=ActionStatus.OPEN)
            rows = [
                (owner, due)
                for owner, team_id, due in opened.values_list("owner_id", "team_id", "due_on")
                if team_id in teams
            ]
            n_open = Counter(owner for owner, _ in rows)
            n_late = Counter(owner for owner, due in rows if due is not None and due < today)
            names = dict(Person.objects.filter(org=org).values_list("pk", "name"))
            expected = sorted(n_open, key=lambda p: (-n_late[p], -n_open[p], names[p], p))
            with CaptureQueriesContext(connection) as captured:
                shown, total = queries.owners_of_open_items(org, team, today=today)
            assert [(o.person.pk, o.open, o.overdue) for o in shown] == [
                (p, n_open[p], n_late[p]) for p in expected[: queries.OWNERS_SHOWN]
            ], (size, team.name)
            assert total == min(len(expected), COUNT_UP_TO + 1), (size, team.name)
            if team == root:
                seen[size] = len(captured.captured_queries)
                assert len(expected) > queries.OWNERS_SHOWN  # more than a screen to rank
            later, _ = queries.owners_of_open_items(org, team, today=today, offset=15, limit=10)
            assert [o.person.pk for o in later] == expected[15:25], (size, team.name)
    assert seen["small"] == seen["large"]


def test_the_owners_of_the_top_teams_items_are_read_off_one_index(generated, db):
    """At the top of the tree the owners' read groups every open item of the organization:
    off the index that holds each item's status, owner, due date and team (`covering`), not
    through the table (or its owner index, walking closed items too), whatever the planner
    knows of the tables."""
    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    from django.core.cache import cache

    from accord.decisions import queries

    org = generated["large"]
    root = Team.objects.for_org(org).get(parent=None)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        queries.owners_of_open_items(org, root)
    (grouped,) = [q["sql"] for q in captured if "GROUP BY" in q["sql"] and "ORDER BY" in q["sql"]]
    with connection.cursor() as cursor:
        for statistics in ("kept", "none"):
            if statistics == "none":  # undone with the test's transaction
                cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
                cursor.execute("ANALYZE sqlite_schema")
            plan = sqlite_plan(grouped)
            assert "COVERING INDEX decisions_action_open_owner" in plan, (statistics, plan)


def test_what_waits_for_the_top_teams_lead_is_read_off_the_need_by_index(generated, db):
    """The top team's lead waits on every team: sorted by priority in one statement, every
    waiting dependency of the organization was sorted for the first twenty. Critical ones
    and the others are read apart, in need-by order, giving the one sort's answer."""
    from django.db.models import Case, Value, When

    from accord.coordination import queries as dep_queries
    from accord.coordination.models import Dependency, Priority

    org = generated["large"]
    root = Team.objects.for_org(org).get(parent=None)
    lead = _lead_of(root)
    led = dep_queries.teams_led(org, lead)
    critical_first = Case(When(priority=Priority.CRITICAL, then=Value(0)), default=Value(1))
    slow = list(
        Dependency.objects.for_org(org)
        .filter(dep_queries.waiting_q())
        .order_by(critical_first, "need_by", "id")
        .values_list("id", flat=True)[:6]
    )
    assert len(slow) == 6 and any(
        Dependency.objects.get(pk=i).priority == Priority.CRITICAL for i in slow
    )
    with CaptureQueriesContext(connection) as captured:
        got = dep_queries.waiting_on_teams_led(org, lead, limit=5, led=led)
    assert [d.pk for d in got] == slow
    if connection.vendor == "sqlite":
        for query in captured.captured_queries:
            if "coordination_dependency" in query["sql"]:
                plan = sqlite_plan(query["sql"])
                assert "TEMP B-TREE" not in plan, plan
