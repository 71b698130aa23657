"""The decisions, action items, issues and activity pages, and their API lists, read the
same number of queries and show the same number of rows for a 30-team and a 200-team
organization, and never count or de-duplicate a whole table to do it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.backends.utils import CursorWrapper
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.activity.models import Event
from accord.decisions import services as decisions
from accord.decisions.models import Decision, Issue, IssueStatus
from accord.org import services as org_services
from accord.org.models import Role, Team
from accord.web import pickers
from tests.conftest import api_client, check_figure, login, make_person, sqlite_plan


@pytest.fixture(autouse=True)
def search_boxes(monkeypatch):
    """Every form field choosing a person, team or objective is a search box at both sizes
    (below the picker's threshold, a 30-team organization would list its teams)."""
    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 0)


# The tables these pages list from: what is read from them must not grow with the org.
OWN_TABLES = ("decisions_actionitem", "decisions_issue", "activity_event")


def _world(org) -> dict:
    """The same small corner in each organization: a viewer with a team of three, forty
    action items (some overdue, some done), a decision and an issue, all made now, so
    they are the newest events of the log."""
    viewer = make_person(org, "Wes Watcher", Role.ADMIN)
    root = Team.objects.for_org(org).get(parent=None)
    team = org_services.create_team(org, viewer, name="Guard Team", slug="guard-team", parent=root)
    people = [viewer] + [make_person(org, f"Guard Member {i}", Role.MEMBER) for i in range(2)]
    for person in people:
        org_services.add_membership(org, viewer, person=person, team=team)
    today = timezone.localdate()
    items = []
    for i in range(40):
        item = decisions.create_action_item(
            org,
            viewer,
            f"Guard item {i}",
            people[i % 3],
            due_on=today + dt.timedelta(days=i % 9 - 4),
            team=team,
            created_at=timezone.now() - dt.timedelta(days=20),
        )
        if i % 4 == 0:
            decisions.complete_action_item(org, viewer, item)
        items.append(item)
    decision = decisions.create_decision(
        org, viewer, "Which queue do we keep?", approver=viewer, teams=[team]
    )
    decisions.raise_issue(org, viewer, team, "The guard team is stuck", severity="high")
    # The feed's first two pages, the same in both organizations: a hundred hand-overs of
    # the guard items, logged last. Otherwise what the generator logged last (other kinds
    # of objects, named by other queries) fills them, and differs with the run's clock.
    Event.objects.bulk_create(
        Event(
            org=org,
            actor=viewer,
            actor_name=viewer.name,
            verb="updated",
            target_type="decisions.actionitem",
            target_id=str(items[i % 40].pk),
            target_label=items[i % 40].title,
            before={"owner": people[i % 3].pk},
            after={"owner": people[(i + 1) % 3].pk},
        )
        for i in range(100)
    )
    return {"viewer": viewer, "team": team, "decision": decision}


class Reads:
    """Queries run, and rows fetched from OWN_TABLES, while the block runs."""

    def __init__(self, monkeypatch):
        self.rows = 0
        last_sql: dict[int, str] = {}
        reads = self

        def execute(cursor, sql, params=None):
            last_sql[id(cursor)] = sql
            return original_execute(cursor, sql, params)

        def counted(name):
            def fetch(cursor, *args):
                result = getattr(cursor.cursor, name)(*args)
                if any(t in last_sql.get(id(cursor), "") for t in OWN_TABLES):
                    reads.rows += (1 if result else 0) if name == "fetchone" else len(result)
                return result

            return fetch

        original_execute = CursorWrapper.execute
        monkeypatch.setattr(CursorWrapper, "execute", execute)
        for name in ("fetchone", "fetchmany", "fetchall"):
            monkeypatch.setattr(CursorWrapper, name, counted(name), raising=False)
        self.captured = CaptureQueriesContext(connection)

    def __enter__(self):
        self.captured.__enter__()
        return self

    def __exit__(self, *exc):
        self.captured.__exit__(*exc)

    @property
    def queries(self) -> list[str]:
        return [q["sql"] for q in self.captured.captured_queries]


def _unbounded(sql: list[str]) -> list[str]:
    """Queries that count or de-duplicate without a LIMIT: they read every matching row."""
    return [
        q
        for q in sql
        if re.search(r"COUNT\(|\bDISTINCT\b", q, re.I)
        and any(t in q for t in (*OWN_TABLES, "decisions_decision"))
        and "LIMIT" not in q.upper()
    ]


def _rows(html: str) -> int:
    """Table rows and list items; in the feed, events (their lists of changes vary)."""
    if 'class="feed"' in html or 'class="event"' in html:
        return html.count('class="event"')
    return html.count("<tr") + html.count("<li")


def _measure(monkeypatch, client, url: str, json: bool = False):
    reads = Reads(monkeypatch)
    with reads:
        response = client.get(url)
    monkeypatch.undo()
    assert response.status_code == 200, (url, response.content[:300])
    rows = len(response.json()["items"]) if json else _rows(response.content.decode())
    return {
        "queries": len(reads.queries),
        "rows": rows,
        "read": reads.rows,
        "unbounded": _unbounded(reads.queries),
        "response": response,
    }


PAGES = {
    "decisions list": "decisions/",
    "decision detail": "decisions/{decision}/",
    "my action items": "decisions/actions/",
    "a team's action items": "decisions/actions/?team=guard-team",
    "one owner's action items of a team": "decisions/actions/?team=guard-team&owner={viewer}",
    "a team's issues": "decisions/issues/?team=guard-team",
    "my team's issues": "decisions/issues/",
    "activity feed": "activity/",
    "activity feed, page 2": "activity/?page=2",
    "activity feed, one kind": "activity/?type=decisions.actionitem",
}


@pytest.mark.parametrize("name", PAGES)
def test_a_page_reads_and_shows_the_same_for_a_small_and_a_large_org(
    generated, db, monkeypatch, name
):
    seen = {}
    for size, org in generated.items():
        world = _world(org)
        url = f"/o/{org.slug}/" + PAGES[name].format(
            decision=world["decision"].pk, viewer=world["viewer"].pk
        )
        seen[size] = _measure(monkeypatch, login(world["viewer"]), url)
    small, large = seen["small"], seen["large"]
    assert small["queries"] == large["queries"], name
    assert small["rows"] == large["rows"], name
    assert small["read"] == large["read"], name
    assert large["unbounded"] == [], name


API_LISTS = {
    "events": "/api/v1/events",
    "decisions": "/api/v1/decisions?limit=20",
    "action items": "/api/v1/action-items?limit=20",
    "issues": "/api/v1/issues?limit=20",
}


@pytest.mark.parametrize("name", API_LISTS)
def test_an_api_list_reads_and_answers_the_same_for_a_small_and_a_large_org(
    generated, db, monkeypatch, name
):
    seen = {}
    for size, org in generated.items():
        world = _world(org)
        seen[size] = _measure(monkeypatch, api_client(world["viewer"]), API_LISTS[name], json=True)
    small, large = seen["small"], seen["large"]
    assert small["queries"] == large["queries"], name
    assert small["rows"] == large["rows"], name
    assert large["unbounded"] == [], name


def test_the_issues_of_every_team_show_one_page(generated, db, monkeypatch):
    seen = {}
    for size, org in generated.items():
        world = _world(org)
        url = f"/o/{org.slug}/decisions/issues/?team="  # every team (else the viewer's own)
        seen[size] = _measure(monkeypatch, login(world["viewer"]), url)
        seen[size]["issues"] = (
            seen[size]["response"].content.decode().count('<li class="issue-row">')
        )
        seen[size]["open"] = Issue.objects.for_org(org).filter(status=IssueStatus.OPEN).count()
    assert seen["small"]["queries"] == seen["large"]["queries"]
    assert seen["large"]["open"] > 50
    assert seen["large"]["issues"] == 50
    assert seen["small"]["issues"] == min(seen["small"]["open"], 50)
    assert seen["large"]["unbounded"] == []


def test_the_team_choosers_offer_the_viewers_teams_not_every_team(generated, db):
    for org in generated.values():
        world = _world(org)
        client = login(world["viewer"])
        for url in ("decisions/actions/", "decisions/issues/"):
            html = client.get(f"/o/{org.slug}/{url}").content.decode()
            assert 'id="team-pick" data-picker-input' in html, url  # any team: by typing
            assert '<select id="team-pick"' not in html, url
            assert 'href="?team=guard-team"' in html, url  # the viewer's own: one click


def test_the_events_count_stops_at_ten_thousand(generated, db, monkeypatch):
    from accord.api import common

    org = generated["large"]
    client = api_client(_world(org)["viewer"])
    monkeypatch.setattr(common, "LIST_COUNT_UP_TO", 5)
    body = client.get("/api/v1/events?limit=2").json()
    assert body["count"] is None and len(body["items"]) == 2
    assert client.get("/api/v1/events?target_type=org.team&target_id=999999").json()["count"] == 0


def test_an_objects_history_is_read_in_order_from_its_index(generated, db):
    """Without statistics SQLite chose the (org, created_at) index for one object's history
    and walked the organization's events; the history's own index now ends in its order."""
    if connection.vendor != "sqlite":
        pytest.skip("the query plan checked here is SQLite's")
    org = generated["large"]
    team = Team.objects.for_org(org).get(parent=None)
    history = Event.objects.for_org(org).for_target("org.team", team.pk).select_related("actor")
    sql, params = history[:30].query.sql_with_params()
    plan = sqlite_plan(sql, params)
    assert "activity_event_target_order" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


@pytest.mark.parametrize(
    "url",
    [
        "decisions/actions/",
        "decisions/actions/?team=guard-team",
        "decisions/actions/?team=guard-team&owner={viewer}",
        "decisions/actions/export.csv?team=guard-team&status=all",
    ],
)
def test_action_items_are_read_by_owner_or_team_not_by_the_whole_org(generated, db, url):
    """Every read of action items on these pages narrows by owner, team or giver (what I
    handed out) in the index it uses; an index on the organization alone means walking
    all of its items. So it is whatever the planner knows of the tables: with the
    statistics `accord generate` left, and with none (a database the worker has not
    analyzed yet)."""
    if connection.vendor != "sqlite":
        pytest.skip("the query plans checked here are SQLite's")
    org = generated["large"]
    viewer = _world(org)["viewer"]
    client = login(viewer)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/o/{org.slug}/{url.format(viewer=viewer.pk)}")
        assert response.status_code == 200
        b"".join(getattr(response, "streaming_content", []))  # an export reads as it streams
    reads = [q["sql"] for q in captured.captured_queries if "decisions_actionitem" in q["sql"]]
    assert reads
    with connection.cursor() as cursor:
        for statistics in ("kept", "none"):
            if statistics == "none":  # undone with the test's transaction
                cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
                cursor.execute("ANALYZE sqlite_schema")  # the planner forgets what it knew
            for sql in reads:
                plan = sqlite_plan(sql)
                assert any(f"{by}_id=?" in plan for by in ("owner", "team", "created_by")), (
                    statistics,
                    sql,
                    plan,
                )


def test_the_items_of_one_decision_or_meeting_are_read_by_their_source(generated, db):
    """A decision's (or issue's) action items and a meeting's are read off the index of
    their source, whatever the planner knows of the tables: most items have no source, and
    sampled statistics of that index made SQLite walk every item of the organization in due
    (or id) order to find one decision's few."""
    if connection.vendor != "sqlite":
        pytest.skip("the query plans checked here are SQLite's")
    from accord.decisions import queries
    from accord.decisions.models import ActionItem
    from accord.rhythm import links

    org = generated["large"]
    sourced = ActionItem.objects.filter(org=org, source_type="decisions.decision").first()
    met = ActionItem.objects.filter(org=org, source_type="rhythm.meeting").first()
    assert sourced is not None and met is not None
    reads = []
    for read in (
        lambda: list(queries.action_items_from(org, sourced.source_type, sourced.source_id)),
        lambda: links.meeting_action_items(org, [met.source_id]),
    ):
        with CaptureQueriesContext(connection) as captured:
            assert sourced in read() or met in read()
        reads.append(captured.captured_queries[0]["sql"])
    with connection.cursor() as cursor:
        for statistics in ("kept", "none"):
            if statistics == "none":  # undone with the test's transaction
                cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
                cursor.execute("ANALYZE sqlite_schema")
            for sql in reads:
                plan = sqlite_plan(sql)
                assert "source_type=? AND source_id" in plan, (statistics, sql, plan)


def test_decision_latency_reads_a_screen_of_stored_figures_at_both_sizes(generated, db):
    """The page and the API read the figures `accord generate` stored: the same queries
    at both sizes, a screen of the slowest teams and approvers and of the most overdue
    decisions, whatever their number."""
    from accord.decisions import latency, views
    from accord.decisions.models import LatencyFigure

    seen = {}
    for size, org in generated.items():
        world = _world(org)
        # A screen of overdue decisions of its own: how many generated decisions are overdue
        # depends on how the organization's departments fare (at 30 teams, fewer than a
        # screen may be), and the page counts them only when it shows a full screen.
        for i in range(views.LATENCY_ROWS):
            decisions.create_decision(
                org,
                None,
                f"Guard overdue question {i}",
                approver=world["viewer"],
                decide_by=timezone.localdate() - dt.timedelta(days=10 + i),
                opened_at=timezone.now() - dt.timedelta(days=60),
            )
        assert LatencyFigure.objects.filter(org=org, kind=latency.ORG).count() == 3
        client, api = login(world["viewer"]), api_client(world["viewer"])
        client.get(f"/o/{org.slug}/decisions/latency/")  # the session's first view saves it
        with CaptureQueriesContext(connection) as page:
            html = client.get(f"/o/{org.slug}/decisions/latency/").content.decode()
        with CaptureQueriesContext(connection) as listed:
            body = api.get("/api/v1/decisions/latency?period=365&limit=20").json()
        assert "Figures as of" in html
        teams = html.split('id="teams-h"')[1].split("</section>")[0]
        stored = LatencyFigure.objects.filter(org=org, period=90, kind=latency.TEAM).count()
        assert teams.count("<tr>") - 1 == min(stored, views.LATENCY_ROWS)
        overdue = html.split('id="overdue-h"')[1].split("</section>")[0]
        assert overdue.count("<tr>") - 1 == views.LATENCY_ROWS, size
        assert len(body["per_team"]) == min(body["team_count"], 20)
        seen[size] = (len(page), len(listed), stored, body["team_count"])
    small, large = seen["small"], seen["large"]
    assert small[:2] == large[:2]
    assert large[2] > views.LATENCY_ROWS and large[3] > 20  # more than a screen to rank


def test_a_latency_range_reads_the_decisions_decided_in_it(generated, db):
    """The latency of a range (the API's `decided_since`) reads the decisions decided in it
    off their decided-at index, unsorted: on the organization's index it walked a year of
    decisions (twice: the links by subquery too) to keep a fortnight's."""
    if connection.vendor != "sqlite":
        pytest.skip("the query plans checked here are SQLite's")
    from accord.decisions import queries

    org = generated["large"]
    since = timezone.localdate() - dt.timedelta(days=14)
    with CaptureQueriesContext(connection) as captured:
        rows = queries.latency_rows(org, since=since)
    assert rows.decisions, "the generated organization decided something in a fortnight"
    decided = Decision.objects.filter(pk__in=[r[0] for r in rows.decisions]).values_list(
        "decided_at", flat=True
    )
    assert min(decided) >= queries.day_start(since)
    for q in captured.captured_queries:
        plan = sqlite_plan(q["sql"])
        assert "decisions_decided_at" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


def test_the_apis_issues_are_read_a_page_newest_first(generated, db):
    """The API lists issues newest first: a page is read off an index in that order
    rather than every issue of the organization sorted (9,000 at 10,000 teams)."""
    org = generated["large"]
    client = api_client(_world(org)["viewer"])
    with CaptureQueriesContext(connection) as ctx:
        items = client.get("/api/v1/issues?limit=3").json()["items"]
    assert len(items) == 3
    opened = [(i["opened_at"], i["id"]) for i in items]
    assert opened == sorted(opened, reverse=True)
    (page,) = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "decisions_issue"' in q["sql"] and "ORDER BY" in q["sql"]
    ]
    if connection.vendor == "sqlite":
        plan = sqlite_plan(page)
        assert "decisions_issue_newest" in plan and "TEMP B-TREE" not in plan, plan


def test_the_logs_figures_are_exact_up_to_a_limit_then_a_minute_old(generated, db, monkeypatch):
    """The decision log says how many decisions are open, proposed, decided... and overdue:
    figures (exact on each view up to a limit, beyond counted once a minute)."""
    org = generated["large"]
    viewer = _world(org)["viewer"]
    client = login(viewer)
    url = f"/o/{org.slug}/decisions/"
    figure = re.compile(r'\?status=open">([\d,]+) open</a>')

    def shown() -> int:
        return int(figure.search(client.get(url).content.decode()).group(1).replace(",", ""))

    def add(name: str) -> None:
        decisions.create_decision(org, viewer, f"Which figure, {name}?", approver=viewer)

    assert shown() == Decision.objects.filter(org=org, status="open").count() > 5
    key = f"decision-figures:{org.pk}::{timezone.localdate().isoformat()}"  # no team filter
    check_figure(shown, add, key, monkeypatch)


def test_the_issues_list_is_read_most_severe_first_off_its_index(generated, db):
    """Most severe first, then longest at their level: off `decisions_issue_triage` (the
    stored severity rank), not every open issue of the organization sorted by a CASE."""
    from accord.decisions import queries

    org = generated["large"]
    shown = list(queries.issue_list(org)[:50])
    ranks = [(-i.severity_rank, i.level_since, i.pk) for i in shown]
    assert ranks == sorted(ranks) and shown[0].severity == "critical"
    if connection.vendor != "sqlite":
        return
    for severity in ("", "low"):
        sql, params = queries.issue_list(org, severity=severity)[:51].query.sql_with_params()
        plan = sqlite_plan(sql, params)
        assert "decisions_issue_triage" in plan and "TEMP B-TREE" not in plan, plan


def test_the_issues_figures_are_exact_up_to_a_limit_then_a_minute_old(generated, db, monkeypatch):
    """The issues list says how many open issues it holds, and of each severity: figures."""
    org = generated["large"]
    viewer = _world(org)["viewer"]
    client = login(viewer)
    url = f"/o/{org.slug}/decisions/issues/?team="  # every team
    figure = re.compile(r"<strong>([\d,]+) open</strong>")
    root = Team.objects.for_org(org).get(parent=None)

    def shown() -> int:
        return int(figure.search(client.get(url).content.decode()).group(1).replace(",", ""))

    def add(name: str) -> None:
        decisions.raise_issue(org, viewer, root, f"Counted issue, {name}", severity="critical")

    assert shown() == Issue.objects.filter(org=org, status=IssueStatus.OPEN).count() > 50
    check_figure(shown, add, f"issue-figures:{org.pk}::0:0:open", monkeypatch)
