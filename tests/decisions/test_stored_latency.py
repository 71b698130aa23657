"""The stored decision latency (the last 30, 90 and 365 days, per organization, team and
approver) equals a computation from the decisions after any sequence of writes and an
evaluation; pages and the API read a screen of it, slowest first, and write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from accord.core.errors import ServiceError
from accord.decisions import latency, queries, services
from accord.decisions.models import Decision, LatencyFigure
from accord.intelligence import evaluate
from accord.org import services as org_services
from accord.org.models import Team
from tests.conftest import api_client, login

OPS = ("create", "decide", "supersede", "reverse", "refile", "delete_team", "evaluate")

steps = st.lists(
    st.tuples(st.sampled_from(OPS), st.integers(0, 40), st.integers(0, 40), st.integers(0, 400)),
    min_size=1,
    max_size=14,
)


def _apply(cast, op: str, a: int, b: int, days: int, now: dt.datetime) -> None:
    org = cast.org
    people = [cast.member, cast.leader, cast.admin]
    teams = list(Team.objects.for_org(org).order_by("id"))
    decisions = list(Decision.objects.for_org(org).order_by("id"))
    d = decisions[a % len(decisions)] if decisions else None
    some_teams = [t for i, t in enumerate(teams) if (b >> i) & 1]
    if op == "create":
        services.create_decision(
            org,
            None,
            f"Question {a}?",
            approver=people[a % 3],
            teams=some_teams,
            opened_at=now - dt.timedelta(days=days, hours=b),
        )
    elif op == "decide" and d:
        # Some time after it opened (or, for an old one, anywhere in the last year).
        when = min(d.opened_at + dt.timedelta(days=b % 20, hours=days % 24), now)
        services.decide(org, None, d, outcome="Yes", decided_at=when)
    elif op == "supersede" and d and len(decisions) > 1:
        services.supersede(org, None, d, by=decisions[b % len(decisions)], reason="Newer")
    elif op == "reverse" and d:
        services.reverse(org, None, d, reason="Undone")
    elif op == "refile" and d:
        services.update_decision(org, None, d, teams=some_teams, approver=people[b % 3])
    elif op == "delete_team" and len(teams) > 2:
        org_services.delete_team(org, None, teams[2 + a % (len(teams) - 2)])
    elif op == "evaluate":  # figures stored in between: the next one writes what changed
        evaluate.evaluate(org, announce=False)


def _rows(figures: latency.Figures) -> tuple:
    o = figures.overall

    def ranked(r):
        return [(k, f.count, f.median, f.mean, f.longest, f.few) for _, k, f in r.rows], (
            r.total,
            r.few,
        )

    return (o.count, o.median, o.mean, o.longest), ranked(figures.teams), ranked(figures.approvers)


def _assert_stored_equal_computed(org) -> None:
    for period in latency.PERIODS:
        stored = latency.read(org, period, limit=1000)
        assert stored.computed_at is not None
        LatencyFigure.objects.filter(org=org, period=period, kind=latency.ORG).delete()
        fresh = latency.read(org, period, limit=1000)  # nothing stored: computed now
        assert fresh.computed_at is None
        assert _rows(stored) == _rows(fresh), period
        # And both are what the report of those days gives.
        report = queries.decision_latency(
            org, since=timezone.localdate() - dt.timedelta(days=period)
        )
        assert stored.overall.count == report.overall.count
        assert stored.overall.median == report.overall.median
        assert {k for _, k, _ in stored.teams.rows} == set(report.per_team)
        assert {k for _, k, _ in stored.approvers.rows} == set(report.per_approver)
        for _, k, f in stored.teams.rows:
            assert (f.count, f.median, f.longest, f.few) == (
                report.per_team[k].count,
                report.per_team[k].median,
                report.per_team[k].max,
                report.per_team[k].count < latency.MIN_DECISIONS,
            )


@pytest.mark.django_db
@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
# Worth trying every time: decisions in each period's edge, a team deleted after deciding.
@example(
    steps=[("create", 0, 1, 29), ("decide", 0, 0, 0), ("create", 1, 3, 89), ("decide", 1, 1, 0)]
)
@example(steps=[("create", 0, 7, 100), ("decide", 0, 2, 0), ("delete_team", 0, 0, 0)])
@example(
    steps=[("create", 0, 3, 31), ("decide", 0, 0, 0), ("create", 1, 1, 91), ("decide", 1, 0, 0)]
)
# A team's figures change, and a team with figures is deleted, after they were stored.
@example(
    steps=[
        ("create", 0, 5, 10),
        ("decide", 0, 3, 0),
        ("create", 1, 1, 20),
        ("evaluate", 0, 0, 0),
        ("decide", 1, 8, 0),
        ("delete_team", 0, 0, 0),
    ]
)
def test_stored_figures_equal_a_full_recomputation(cast, steps):
    org = cast.org
    now = timezone.now()
    with transaction.atomic():
        org_services.create_team(org, None, name="Payments", parent=cast.platform)
        org_services.create_team(org, None, name="Sales", parent=cast.root)
        evaluate.evaluate(org, announce=False)
        for op, a, b, days in steps:
            try:
                with transaction.atomic():
                    _apply(cast, op, a, b, days, now)
            except ServiceError:
                pass  # a refused write changes nothing
        evaluate.evaluate(org, announce=False)
        _assert_stored_equal_computed(org)
        transaction.set_rollback(True)


def _decided(cast, question, approver, teams, *, days, ago=1):
    now = timezone.now()
    d = services.create_decision(
        cast.org,
        None,
        question,
        approver=approver,
        teams=teams,
        opened_at=now - dt.timedelta(days=days + ago),
    )
    return services.decide(
        cast.org, None, d, outcome="Yes", decided_at=now - dt.timedelta(days=ago)
    )


def test_the_page_shows_stored_figures_as_of_the_evaluation_and_writes_nothing(cast):
    _decided(cast, "Quick?", cast.leader, [cast.platform], days=2)
    client = login(cast.admin)
    html = client.get("/o/acme/decisions/latency/").content.decode()
    assert "Computed for this view" in html  # before the first evaluation
    assert not LatencyFigure.objects.filter(org=cast.org).exists()  # a view writes nothing

    evaluate.evaluate(cast.org, announce=False)
    _decided(cast, "Slow?", cast.admin, [cast.root], days=9)
    html = client.get("/o/acme/decisions/latency/").content.decode()
    assert "Figures as of" in html
    teams = html.split('id="teams-h"')[1].split("</section>")[0]
    # The stored figures, until the next evaluation brings the new decision in.
    assert cast.platform.name in teams and cast.root.name not in teams

    evaluate.evaluate(cast.org, announce=False)
    html = client.get("/o/acme/decisions/latency/").content.decode()
    teams = html.split('id="teams-h"')[1].split("</section>")[0]
    assert teams.index(cast.root.name) < teams.index(cast.platform.name)  # the slowest first


def test_each_period_counts_its_own_days_and_a_bad_one_shows_the_default(cast):
    # Decided at noon on each period's first day, and on the day before it.
    today = timezone.localdate()
    for ago in (30, 31, 90, 91, 365, 366):
        noon = queries.day_start(today - dt.timedelta(days=ago)) + dt.timedelta(hours=12)
        d = services.create_decision(
            cast.org,
            None,
            f"{ago} days ago?",
            approver=cast.leader,
            teams=[cast.platform],
            opened_at=noon - dt.timedelta(days=2),
        )
        services.decide(cast.org, None, d, outcome="Yes", decided_at=noon)
    evaluate.evaluate(cast.org, announce=False)
    counts = {p: latency.read(cast.org, p).overall.count for p in latency.PERIODS}
    assert counts == {30: 1, 90: 3, 365: 5}
    client = login(cast.admin)
    for days, shown in (("365", 365), ("30", 30), ("7", 90), ("x", 90), ("", 90)):
        html = client.get("/o/acme/decisions/latency/", {"days": days}).content.decode()
        assert f'<option value="{shown}" selected>' in html, days


def test_a_backfill_evaluation_leaves_the_stored_figures_alone(cast):
    _decided(cast, "Quick?", cast.leader, [cast.platform], days=2)
    evaluate.evaluate(cast.org, announce=False)
    before = list(LatencyFigure.objects.filter(org=cast.org).values_list("pk", flat=True))
    evaluate.evaluate(cast.org, timezone.localdate() - dt.timedelta(weeks=2), backfill=True)
    after = list(LatencyFigure.objects.filter(org=cast.org).values_list("pk", flat=True))
    assert before and before == after


def test_an_organization_reads_only_its_own_figures(cast):
    _decided(cast, "Ours?", cast.leader, [cast.platform], days=3)
    evaluate.evaluate(cast.org, announce=False)
    assert not LatencyFigure.objects.filter(org=cast.other_org).exists()
    theirs = latency.read(cast.other_org, 90)
    assert theirs.overall.count == 0 and theirs.teams.total == 0
    body = api_client(cast.outsider).get("/api/v1/decisions/latency").json()
    assert body["count"] == 0 and body["per_team"] == []


def test_the_api_pages_the_slowest_teams_and_approvers(cast):
    for n, (approver, team) in enumerate(
        [(cast.member, cast.platform), (cast.leader, cast.root), (cast.admin, cast.platform)]
    ):
        _decided(cast, f"Q{n}?", approver, [team], days=2 + 3 * n)
    evaluate.evaluate(cast.org, announce=False)
    client = api_client(cast.member)
    body = client.get("/api/v1/decisions/latency", {"limit": 1}).json()
    assert body["period_days"] == 90 and body["computed_at"] is not None
    assert body["count"] == 3 and body["median_days"] == 5.0
    assert (body["team_count"], body["approver_count"]) == (2, 3)
    assert [r["name"] for r in body["per_approver"]] == ["Ada Admin"]  # 8 days, the slowest
    assert [r["name"] for r in body["per_team"]] == ["Platform"]  # median of 2 and 8: 5
    body = client.get("/api/v1/decisions/latency", {"limit": 2, "offset": 1}).json()
    assert [r["name"] for r in body["per_approver"]] == ["Leo Leader", "Mia Member"]
    assert [r["name"] for r in body["per_team"]] == [cast.root.name]
    body = client.get("/api/v1/decisions/latency", {"period": "30"}).json()
    assert body["period_days"] == 30 and body["count"] == 3

    # A range or a team is computed on request, paged the same way.
    since = (timezone.now() - dt.timedelta(days=5)).date().isoformat()
    body = client.get(
        "/api/v1/decisions/latency", {"decided_since": since, "team_id": cast.platform.pk}
    ).json()
    assert body["period_days"] is None and body["computed_at"] is None
    assert body["count"] == 2 and body["team_count"] == 1
    assert [r["max_days"] for r in body["per_approver"]] == [8.0, 2.0]


def test_teams_and_approvers_of_few_decisions_come_after_the_others(cast):
    """A median of one decision says little: the slowest ranked are those of three or more,
    then the rest, slowest first, on the page and in the API, stored or computed."""
    for n in range(3):
        _decided(cast, f"Steady {n}?", cast.leader, [cast.platform], days=2 + n)
    _decided(cast, "Once?", cast.member, [cast.root], days=30)
    _decided(cast, "Twice?", cast.member, [cast.root], days=20)
    client = api_client(cast.member)
    since = (timezone.now() - dt.timedelta(days=60)).date().isoformat()

    def ranking(params):
        body = client.get("/api/v1/decisions/latency", params).json()
        return [
            [(r["name"], r["count"], r["few"]) for r in body[key]]
            for key in ("per_team", "per_approver")
        ]

    expected = [
        [("Platform", 3, False), (cast.root.name, 2, True)],
        [("Leo Leader", 3, False), ("Mia Member", 2, True)],
    ]
    assert ranking({"decided_since": since}) == expected  # computed on request
    evaluate.evaluate(cast.org, announce=False)
    assert ranking({"period": 90}) == expected  # stored
    html = login(cast.admin).get("/o/acme/decisions/latency/").content.decode()
    teams = html.split('id="teams-h"')[1].split("</section>")[0]
    assert (
        teams.index("<td>Platform</td>")
        < teams.index(">Fewer than 3 decisions</th>")  # a line heads the rest
        < teams.index(f"<td>{cast.root.name}</td>")
    )
    assert "Teams with fewer than 3 decisions in the period (1) come last" in html
    assert "Approvers with fewer than 3 decisions in the period (1) come last" in html


@pytest.mark.parametrize(
    "params",
    [
        {"period": 45},
        {"period": "year"},
        {"period": 30, "team_id": 1},
        {"limit": 0},
        {"limit": 501},
        {"offset": -1},
    ],
)
def test_the_api_refuses_a_bad_period_or_page_with_422(cast, params):
    response = api_client(cast.member).get("/api/v1/decisions/latency", params)
    assert response.status_code == 422, response.content


def test_the_page_reads_a_screen_in_the_same_queries_however_many_teams(cast):
    """Stored: the page's queries do not grow with the teams and approvers it ranks."""
    client = login(cast.admin)
    _decided(cast, "First?", cast.leader, [cast.platform], days=2)
    evaluate.evaluate(cast.org, announce=False)

    def measure():
        with CaptureQueriesContext(connection) as ctx:
            html = client.get("/o/acme/decisions/latency/").content.decode()
        return len(ctx), html.count("<tr>")

    measure()  # the first view of a session saves it
    queries_before, rows_before = measure()
    for n in range(30):
        team = org_services.create_team(cast.org, None, name=f"Team {n}", parent=cast.root)
        _decided(cast, f"More {n}?", cast.leader, [team], days=n % 9)
    evaluate.evaluate(cast.org, announce=False)
    queries_after, rows_after = measure()
    assert queries_after == queries_before
    from accord.decisions import views

    # Header rows and a screen of teams; approvers and overdue stay as they were.
    assert rows_after - rows_before == views.LATENCY_ROWS - 1
