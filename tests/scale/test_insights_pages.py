"""The Insights page and the API's signal list read as many rows, in as many queries, for
an organization of 200 teams as for one of 30, however many signals are stored: the
ranked lists come off the `signal_ranked` index, a page at a time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.intelligence.models import Signal, SignalTeam
from accord.org.models import Role, Team
from tests.conftest import api_client, check_figure, login, make_person, sqlite_plan
from tests.intelligence import fixtures_pages as fx

SEVERITIES = ("critical", "warning", "info")
STATES = ("open", "open", "acknowledged", "dismissed", "resolved")
PER_TEAM = 5  # stored signals per team: 1,000 in the large organization, 150 in the small


def _store_signals(org) -> None:
    """Signals of every severity and state on every team, as an evaluation stores them."""
    if Signal.objects.filter(org=org).exists():
        return
    now = timezone.now()
    teams = list(Team.objects.for_org(org).order_by("pk").values_list("pk", flat=True))
    rows = []
    for n, team_id in enumerate(teams):
        for k in range(PER_TEAM):
            i = n * PER_TEAM + k
            state = STATES[i % len(STATES)]
            rows.append(
                Signal(
                    org=org,
                    kind="scale.guard",
                    severity=SEVERITIES[i % 3],
                    subject_type="org.team",
                    subject_id=f"{team_id}-{k}",
                    subject_label=f"Team {team_id}",
                    title=f"Guard signal {i}",
                    explanation="Stored for the scale guard.",
                    reach_teams=i % 7,
                    reach_people=i % 11,
                    first_seen=now - dt.timedelta(days=i % 20),
                    last_seen=now,
                    state=state,
                    resolved_at=now - dt.timedelta(days=i % 10) if state == "resolved" else None,
                )
            )
    stored = Signal.objects.bulk_create(rows)
    SignalTeam.objects.bulk_create(
        SignalTeam(org=org, signal=s, team_id=int(s.subject_id.split("-")[0])) for s in stored
    )


@pytest.fixture
def stored(generated, db):
    for org in generated.values():
        _store_signals(org)
    return generated


def measure(client, url: str) -> tuple[int, int, str]:
    """Queries, rows those queries read back, and the response's text."""
    client.get(url)  # the first request of a session does some one-off work
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.content[:300])
    rows = 0
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH")):
                cursor.execute(q["sql"])
                rows += len(cursor.fetchall())
    return len(ctx.captured_queries), rows, response.content.decode()


SIGNAL_ROW = re.compile(r'class="sig__head"')


@pytest.mark.parametrize(
    "query",
    ["scope=all", "scope=all&severity=critical", "scope=all&state=resolved", "scope=ROOT"],
    ids=["whole organization", "critical", "resolved", "root team"],
)
def test_the_insights_page_does_the_same_work_at_30_and_200_teams(stored, query):
    got = {}
    for size, org in stored.items():
        client = login(make_person(org, f"Ines Insight {size.title()}", Role.ADMIN))
        root = Team.objects.for_org(org).filter(parent=None).order_by("pk").first()
        url = f"/o/{org.slug}/insights/?" + query.replace("ROOT", str(root.pk))
        got[size] = measure(client, url)
    (small_q, small_rows, small_html), (large_q, large_rows, large_html) = (
        got["small"],
        got["large"],
    )
    assert small_q == large_q
    shown = len(SIGNAL_ROW.findall(small_html))
    assert shown == len(SIGNAL_ROW.findall(large_html)) > 0
    # What grows with the organization is the scope's team ids (the heat-map's tree and the
    # scope filter), one small row per team; never the signals, 1,000 against 150.
    teams = {s: Team.objects.for_org(o).count() for s, o in stored.items()}
    assert large_rows - small_rows <= 2 * (teams["large"] - teams["small"]) + 20


def test_the_api_signal_list_does_the_same_work_at_30_and_200_teams(stored):
    got = {}
    for size, org in stored.items():
        client = api_client(make_person(org, f"Ian Insight {size.title()}", Role.ADMIN))
        queries, rows, body = measure(client, "/api/v1/signals?limit=20")
        got[size] = (queries, rows, len(re.findall(r'"kind":', body)))
    assert got["small"][0] == got["large"][0]
    assert got["small"][2] == got["large"][2] == 20
    assert got["large"][1] <= got["small"][1] + 5


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
def test_the_ranked_lists_come_off_the_index_without_sorting_every_signal(stored):
    from accord.core.database import refresh_planner_statistics

    org = stored["large"]
    refresh_planner_statistics()
    client = login(make_person(org, "Rita Ranked", Role.ADMIN))
    url = f"/o/{org.slug}/insights/?scope=all"
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    ranked = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "intelligence_signal"' in q["sql"] and '"severity_rank" DESC' in q["sql"]
    ]
    assert len(ranked) >= 3  # the top, the new and the list
    for sql in ranked:
        plan = sqlite_plan(sql)
        if '"intelligence_signal"."id" IN (' in sql:  # the week's few new, picked by date
            assert "signal_ranked" not in plan, plan
            continue
        assert "signal_ranked" in plan and "TEMP B-TREE" not in plan, plan


def test_a_quiet_weeks_new_signals_are_picked_by_date_not_by_walking_every_signal(stored):
    """Read in rank order, a week with a handful of new signals among many open ones walked
    every signal of the organization to find them. They are picked by when they were first
    seen, and ranked as the list ranks them."""
    from accord.intelligence import pages

    org = stored["large"]
    week_ago = timezone.now() - dt.timedelta(days=7)
    Signal.objects.filter(org=org).update(first_seen=timezone.now() - dt.timedelta(days=30))
    fresh = list(Signal.objects.filter(org=org, state="open").order_by("pk")[:3])
    Signal.objects.filter(pk__in=[s.pk for s in fresh]).update(first_seen=timezone.now())
    with CaptureQueriesContext(connection) as ctx:
        got = pages.new_since(org, None, week_ago)
    expected = list(
        pages._all(org, state="live")
        .filter(pk__in=[s.pk for s in fresh])
        .values_list("pk", flat=True)
    )
    assert [s.pk for s in got] == expected and len(expected) == 3
    if connection.vendor == "sqlite":
        for q in ctx.captured_queries:
            assert "signal_ranked" not in sqlite_plan(q["sql"]), q["sql"]


def test_the_top_of_the_tree_is_read_as_the_whole_organization(stored):
    """The root team's scope is every team: its Insights and its lead's home read the
    organization's ranked signals (a signal about no team included) without filtering
    them by the tree's team ids, which read every signal's links at 10,000 teams."""
    from accord.org import services as org_services
    from accord.org.models import MembershipRole

    org = stored["large"]
    root = Team.objects.for_org(org).get(parent=None)
    lead = make_person(org, "Tess Top", Role.MEMBER)
    org_services.add_membership(org, None, person=lead, team=root, role=MembershipRole.LEAD)
    # A signal about no team (an organization objective's), ranked first by its reach.
    fx.signal(
        org, [], title="Concerns no team in particular", severity="critical", reach_people=9999
    )
    client = login(lead)
    top = client.get(f"/o/{org.slug}/insights/?scope={root.pk}")
    titles = re.compile(r'class="sig__head">.*?<a href="[^"]+">([^<]+)</a>')
    whole = client.get(f"/o/{org.slug}/insights/?scope=all").content.decode()
    assert titles.findall(top.content.decode()) == titles.findall(whole)
    assert "Concerns no team in particular" in titles.findall(whole)
    with CaptureQueriesContext(connection) as ctx:
        home = client.get(f"/o/{org.slug}/").content.decode()
    assert "Concerns no team in particular" in home
    teams = Team.objects.for_org(org).count()
    for q in ctx.captured_queries:
        assert q["sql"].count(", ") < teams, "a statement lists the whole tree's teams"


@pytest.mark.parametrize("scan_max", [2_000, 4], ids=["found by reading on", "the rest by filter"])
def test_a_large_scopes_first_signals_are_those_its_filter_gives(stored, monkeypatch, scan_max):
    """A scope of many teams finds its top, new and resolved signals by reading each list in
    order and keeping its own: the same signals, in the same order, as its teams' filter."""
    from accord.intelligence import pages, queries

    org = stored["large"]
    root = Team.objects.for_org(org).get(parent=None)
    week_ago = timezone.now() - dt.timedelta(days=7)
    scopes = [queries.subtree_of(t) for t in Team.objects.for_org(org).filter(parent=root)]
    scopes = sorted((s for s in scopes if s and len(s) > 3), key=len, reverse=True)[:3]
    assert scopes
    for scope in scopes:

        def lists(scope=scope):
            return [
                [s.pk for s in pages.top(org, scope, 7)],
                [s.pk for s in pages.new_since(org, scope, week_ago, 12)],
                [s.pk for s in pages.resolved_since(org, scope, week_ago, 12)],
            ]

        monkeypatch.setattr(pages, "SCOPE_READ_FROM_TEAMS", 10**6)
        by_filter = lists()
        monkeypatch.setattr(pages, "SCOPE_READ_FROM_TEAMS", 3)
        monkeypatch.setattr(pages, "SCAN_CHUNK", 4)
        monkeypatch.setattr(pages, "SCAN_MAX", scan_max)
        assert lists() == by_filter
        assert all(by_filter), "each list has signals of the scope to find"


def test_a_large_scopes_list_pages_through_the_same_signals_uncounted(stored, monkeypatch):
    """The Insights list of a large scope: the same signals, page by page, as its teams'
    filter gives; not counted (counting reads every link of its teams), and with no
    evaluation stored no total either; past the end it says so and links to the first
    page."""
    from accord.intelligence import pages, queries, views

    org = stored["large"]
    root = Team.objects.for_org(org).get(parent=None)
    team = max(
        Team.objects.for_org(org).filter(parent=root),
        key=lambda t: len(queries.subtree_of(t) or ()),
    )
    scope = queries.subtree_of(team)
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    monkeypatch.setattr(pages, "SCOPE_READ_FROM_TEAMS", 3)
    monkeypatch.setattr(pages, "SCAN_CHUNK", 5)
    expected = [s.title for s in pages.signals(org, scope)[:9]]
    assert len(expected) == 9
    client = login(make_person(org, "Lars Large", Role.ADMIN))
    url = f"/o/{org.slug}/insights/?scope={team.pk}"
    titles = re.compile(r'class="sig__head">.*?<a href="[^"]+">([^<]+)</a>')
    section = re.compile(r'id="signals".*', re.S)
    shown = []
    for number in (1, 2):
        html = section.search(client.get(f"{url}&page={number}").content.decode()).group(0)
        shown += titles.findall(html)
        assert f"Page {number}</span>" in html and "Next →" in html
        assert 'id="signals-h">Signals <span class="tag">' not in html
    assert shown == expected[:8]
    far = client.get(f"{url}&page=99999").content.decode()
    assert "No more signals this far." in far and "First page" in far


def test_a_large_scopes_list_shows_the_total_its_last_evaluation_counted(generated, monkeypatch):
    """The list of a large scope is not counted on request, but the evaluation stores how
    many signals not resolved concern each team's subtree (with its health): the list shows
    that total, and the number of pages, equal to counting its teams' filter; under a kind
    filter (not stored) it shows none."""
    from accord.intelligence import evaluate, pages, queries, views

    org = generated["large"]
    # Telling people of the new critical signals (over a thousand notices) is no part of it.
    evaluate.evaluate(org, announce=False)
    if connection.vendor == "postgresql":
        # As autovacuum would (the suite runs PostgreSQL without it): without statistics of
        # the rows just stored, each count below took a fifth of a second.
        with connection.cursor() as cursor:
            for model in (Signal, SignalTeam):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    root = Team.objects.for_org(org).get(parent=None)
    compared = 0
    for team in Team.objects.for_org(org).filter(parent__in=[root, *root.children.all()]):
        ids = queries.subtree_of(team)
        for severity in ("", *SEVERITIES):
            counted = pages.signals(org, ids, kinds=None, severity=severity).count()
            total, _ = pages.stored_total(org, team, severity=severity)
            assert total == counted, (team.name, severity)
            compared += counted
    assert compared, "the evaluation found signals in the subtrees compared"

    team = max(
        Team.objects.for_org(org).filter(parent=root), key=lambda t: len(queries.subtree_of(t))
    )
    expected = pages.signals(org, queries.subtree_of(team)).count()
    assert expected > 4
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    monkeypatch.setattr(pages, "SCOPE_READ_FROM_TEAMS", 3)
    client = login(make_person(org, "Tove Total", Role.ADMIN))
    url = f"/o/{org.slug}/insights/?scope={team.pk}"
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    assert '<span class="tag" title="Counted at the last evaluation, ' in html
    assert re.search(rf'id="signals-h">Signals <span class="tag"[^>]*>{expected:,}</span>', html)
    assert f"Page 1 of {-(-expected // 4):,}</span>" in html
    counts = [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    assert not [q for q in counts if "intelligence_signal" in q], "the list was counted"
    kind = Signal.objects.filter(org=org).values_list("kind", flat=True).first()
    filtered = client.get(f"{url}&kind={kind}").content.decode()
    assert 'id="signals-h">Signals <span class="tag"' not in filtered
    # Signals found since the evaluation counted: no page count the list contradicts.
    monkeypatch.setattr(pages, "stored_total", lambda *a, **k: (4, timezone.now()))
    html = client.get(url).content.decode()
    assert "Page 1</span>" in html and "Next →" in html


def test_the_whole_organizations_list_shows_its_figure(stored, monkeypatch):
    """The whole organization's signals are listed a page at a time, uncounted; their
    number is a figure (exact on each view up to a limit, beyond counted once a minute):
    counting every live signal on each view was most of the page's SQL at 10,000 teams."""
    from accord.intelligence import pages, views

    org = stored["large"]
    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client = login(make_person(org, "Fia Figure", Role.ADMIN))
    url = f"/o/{org.slug}/insights/?scope=all&severity=critical"
    tag = re.compile(r'id="signals-h">Signals <span class="tag">([\d,]+)</span>')

    expected = pages.signals(org, None, severity="critical").count()
    assert expected > 8
    with CaptureQueriesContext(connection) as ctx:
        html = client.get(url).content.decode()
    assert tag.search(html).group(1) == f"{expected:,}"
    assert f"Page 1 of {-(-expected // 4):,}</span>" in html
    counted = [
        q["sql"]
        for q in ctx.captured_queries
        if "COUNT(" in q["sql"].upper() and "intelligence_signal" in q["sql"]
    ]
    assert counted and all("LIMIT" in q for q in counted), counted  # up to the limit
    page_two = client.get(f"{url}&page=2").content.decode()
    listed = page_two.split('id="signals"')[1]
    assert len(SIGNAL_ROW.findall(listed)) == 4 and "← Previous" in listed

    def shown() -> int:
        return int(tag.search(client.get(url).content.decode()).group(1).replace(",", ""))

    def add(name: str) -> None:
        fx.signal(org, [], title=f"Critical, {name}", severity="critical")

    key = f"signals:{org.pk}:::critical:live:"  # no dimension, no kind, not only the new
    check_figure(shown, add, key, monkeypatch)
