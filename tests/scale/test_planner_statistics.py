"""With the planner's statistics refreshed (after `accord generate`, and hourly by the
worker), the team page reads a team's rows through the team's indexes, not the whole
organization's."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accord.core import tasks
from accord.core.database import refresh_planner_statistics
from accord.core.scheduler import discover
from accord.org.models import Person, Role, Team
from accord.org.services import create_organization, create_team
from tests.conftest import login, make_person, sqlite_plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_the_team_page_reads_a_teams_meetings_and_dependencies_by_their_indexes(generated, db):
    org = generated["large"]
    refresh_planner_statistics()
    team = Team.objects.for_org(org).filter(children=None).order_by("pk").first()
    client = login(make_person(org, "Pia Planner", Role.ADMIN))
    client.get(f"/o/{org.slug}/teams/{team.slug}/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/o/{org.slug}/teams/{team.slug}/").status_code == 200
    meetings = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "rhythm_meeting"' in q["sql"] and '"occurrence_start" >=' in q["sql"]
    ]
    dependencies = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "coordination_dependency"' in q["sql"]
        and f'"provider_team_id" = {team.pk} OR' in q["sql"]
    ]
    assert meetings and dependencies
    # The unique (cadence, occurrence start) index, not (org, status, scheduled start).
    assert "(cadence_id=? AND occurrence_start>?)" in sqlite_plan(meetings[0])
    # The team's side of each dependency, not every active dependency of the organization.
    plan = sqlite_plan(dependencies[0])
    assert "provider_team_id=?" in plan and "requester_team_id=?" in plan, plan


def test_the_worker_refreshes_sqlites_statistics_every_hour(db):
    job = discover()["accord.core.tasks.refresh_planner_statistics"]
    assert job.every == 3600
    if connection.vendor == "sqlite":
        # A team to count: ANALYZE leaves an empty table out of its statistics, and this
        # test may run first in its process, on an empty database.
        org = create_organization("Statistics", "statistics")
        create_team(org, None, name="Counted")
        with connection.cursor() as cursor:  # none left by an earlier test's ANALYZE
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
    result = tasks.refresh_planner_statistics.call()
    if connection.vendor == "sqlite":
        assert result["analyzed"] is True
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'org_team'")
            assert cursor.fetchone()[0] > 0
    else:  # PostgreSQL's autovacuum analyzes each table as it changes
        assert result == {"analyzed": False, "seconds": 0.0}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
@pytest.mark.parametrize("statistics", [True, False], ids=["with statistics", "without"])
def test_the_team_page_reads_a_teams_cadences_scope_by_scope(generated, db, statistics):
    """As one filter of ORs across a join to the sets of teams, SQLite read every cadence
    of the organization; each kind of scope is read off its own index."""
    from accord.rhythm.queries import team_cadences

    org = generated["large"]
    if statistics:
        refresh_planner_statistics()
    team = Team.objects.for_org(org).filter(children=None).order_by("pk").first()
    with CaptureQueriesContext(connection) as ctx:
        team_cadences(org, team)
    (scopes,) = [
        q["sql"]
        for q in ctx.captured_queries
        if " UNION " in q["sql"] and 'FROM "rhythm_cadence"' in q["sql"]
    ]
    plan = sqlite_plan(scopes)
    assert "SCAN" not in plan.replace("SCAN CONSTANT ROW", ""), plan
    assert plan.count("scope=?") >= 2 and "team_id=?" in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_the_alignment_trees_first_screen_is_read_in_its_order(generated, db):
    """The period's top objectives in the tree's order come off `alignment_objective_tree`
    until a page is found, rather than every objective of the period sorted."""
    from accord.alignment import queries

    org = generated["large"]
    refresh_planner_statistics()
    period = queries.current_period(org)
    roots = queries.tree_roots(org, period)[:30]
    plan = sqlite_plan(str(roots.query))
    assert "alignment_objective_tree" in plan and "TEMP B-TREE" not in plan, plan
    assert len(list(roots)) > 0


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
@pytest.mark.parametrize("statistics", [True, False], ids=["with statistics", "without"])
def test_a_persons_page_reads_their_agents_off_the_owners_index(generated, db, statistics):
    """Nearly every person has no owner: by the owner index of every row, SQLite's
    statistics took an owner for a thousand people, and a person's page read the whole
    organization by name to list their agents (250 ms at 10,000 teams). The index of
    agents alone serves it, in name order."""
    org = generated["large"]
    if statistics:
        refresh_planner_statistics()
    person = Person.objects.for_org(org).filter(kind="person").order_by("pk").first()
    client = login(make_person(org, "Pia Planner", Role.ADMIN))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/o/{org.slug}/people/{person.pk}/").status_code == 200
    (agents,) = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "org_person"' in q["sql"] and f'"owner_id" = {person.pk}' in q["sql"]
    ]
    plan = sqlite_plan(agents)
    assert "person_agents_by_owner" in plan and "TEMP B-TREE" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_the_top_teams_agenda_reads_its_objectives_off_their_indexes(generated, db):
    """A cadence of the top team reviews its objectives and the organization's own: as
    ORs beside the title order, SQLite read every objective of the organization by title
    (33 ms a section at 10,000 teams); one set of ids is read off the indexes."""
    from accord.rhythm import agenda
    from accord.rhythm import services as rhythm

    org = generated["large"]
    refresh_planner_statistics()
    root = Team.objects.for_org(org).get(parent=None)
    cadence = rhythm.create_cadence_from_template(org, None, "weekly-sync", team=root)
    with CaptureQueriesContext(connection) as ctx:
        agenda.build(org, cadence)
    # "Objectives at risk" of the top team's meeting covers the whole organization by
    # design (those rated at risk: 3-5 ms at 10,000 teams, bench/README.md); the guard is
    # for the sections that review the team's own.
    objectives = [
        q["sql"]
        for q in ctx.captured_queries
        if q["sql"].startswith('SELECT "alignment_objective"')
        and '"alignment_objective"."confidence" <=' not in q["sql"]
    ]
    assert objectives
    for sql in objectives:
        plan = sqlite_plan(sql)
        assert "USING INDEX alignment_objective_title (org_id=?)" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_walks_of_the_tree_read_the_teams_walked_not_every_team(generated, db):
    """A recursive walk up or down the tree that tests the joined team in each step (its
    organization, a parent not null) made SQLite build a Bloom filter over every team in
    the database first: about a millisecond per walk at 10,000 teams, for two rows. Every
    walk is planned without one, and still finds what the tree says."""
    from accord.coordination import queries as coordination
    from accord.intelligence import queries as intelligence
    from accord.org import queries as org_queries
    from accord.org.models import Membership, MembershipRole
    from accord.rhythm import queries as rhythm

    org = generated["large"]
    refresh_planner_statistics()
    parents = org_queries.parent_map(org)
    root = next(t for t, p in parents.items() if p is None)
    leaf = Team.objects.for_org(org).filter(children=None).order_by("pk").first()
    lead = (
        Membership.objects.for_org(org)
        .filter(role=MembershipRole.LEAD, team__parent__isnull=False)
        .order_by("pk")
        .first()
        .person
    )

    def chain(team_id):  # the teams above, the parent first
        out = []
        while parents[team_id] is not None:
            team_id = parents[team_id]
            out.append(team_id)
        return out

    def below(team_id):
        kids = [t for t, p in parents.items() if p == team_id]
        return set(kids).union(*(below(k) for k in kids))

    with CaptureQueriesContext(connection) as ctx:
        assert [t.pk for t in org_queries.ancestors(org, leaf)] == chain(leaf.pk)[::-1]
        assert org_queries.ancestors(org, Team.objects.get(pk=root)) == []
        assert org_queries.ancestor_ids(org, [leaf.pk, root]) == {
            leaf.pk: chain(leaf.pk),
            root: [],
        }
        division = parents[leaf.pk]
        assert rhythm.descendant_ids(org, division) == below(division)
        listed = set(
            Team.objects.filter(
                pk__in=org_queries.subtree_ids(Team.objects.get(pk=division))
            ).values_list("pk", flat=True)
        )
        assert listed == below(division) | {division}
        assert set(coordination.standing(org, lead, [leaf.pk, root])) <= {leaf.pk, root}
        acts = coordination.actable_team_ids(org, lead)
        assert set(Team.objects.filter(pk__in=acts).values_list("pk", flat=True))
        intelligence.for_person(org, lead)
    walks = [q["sql"] for q in ctx.captured_queries if "WITH RECURSIVE" in q["sql"]]
    assert len(walks) >= 7, walks
    for sql in walks:
        assert "BLOOM FILTER" not in sqlite_plan(sql), sql


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_the_api_reads_what_superseded_a_page_of_decisions_off_an_index(generated, db):
    """Few decisions are superseded: by the foreign key's index of every row, nearly all
    empty, SQLite's statistics took each value for a thousand rows, and the API's list of
    decisions read every decision of the database to find what superseded its page's
    (14 ms at 50,000 decisions). The index of superseded decisions alone serves it."""
    from accord.api import services as token_services
    from accord.org.models import Person

    org = generated["large"]
    refresh_planner_statistics()
    admin = Person.objects.for_org(org).filter(role=Role.ADMIN).order_by("pk").first()
    _, raw = token_services.create_token(org, admin, "plans")
    with CaptureQueriesContext(connection) as ctx:
        response = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/decisions")
    assert response.status_code == 200 and response.json()["items"]
    (supersedes,) = [
        q["sql"] for q in ctx.captured_queries if '"superseded_by_id" IN (' in q["sql"]
    ]
    plan = sqlite_plan(supersedes)
    assert "decisions_superseded_by" in plan and "SCAN decisions_decision" not in plan, plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_the_roles_page_counts_terms_off_an_index(generated, db):
    """The roles page counts the organization's current and past terms of each role: read
    through the organization's index, every term of the organization was read twice (70 ms
    at 10,000 teams); an index by organization, end and role counts them off itself."""
    org = generated["large"]
    refresh_planner_statistics()
    client = login(make_person(org, "Rory Roles", Role.ADMIN))
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/o/{org.slug}/teams/roles/").status_code == 200
    counts = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "org_membership"' in q["sql"] and "GROUP BY" in q["sql"]
    ]
    assert len(counts) == 2, counts
    for sql in counts:
        assert "COVERING INDEX membership_roles" in sqlite_plan(sql), sqlite_plan(sql)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_a_migration_adding_an_index_gives_sqlite_its_statistics(cast):
    """Without them SQLite preferred the new index by giver to the team's for the top
    team's action items (50 ms of SQL instead of 1.3 at 10,000 teams) until the worker's
    next hourly refresh: the migration that adds it analyses it."""
    from types import SimpleNamespace

    from accord.core.database import analyse_new_index
    from accord.decisions import services

    for n in range(3):  # SQLite keeps no statistics of an empty index
        services.create_action_item(cast.org, cast.leader, f"Ask {n}", cast.member)
    refresh_planner_statistics()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1 WHERE idx = 'decisions_action_giver_due'")
        analyse_new_index(SimpleNamespace(connection=connection), "decisions_action_giver_due")
        cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE idx = 'decisions_action_giver_due'")
        assert cursor.fetchone()[0] == 1
