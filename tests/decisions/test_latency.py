"""Decision latency per decision, team and approver, and overdue decisions, on hand-built data."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.decisions import queries, services
from accord.org import services as org_services

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _decided(cast, question, approver, teams, days):
    d = services.create_decision(
        cast.org, None, question, approver=approver, teams=teams, opened_at=T0
    )
    return services.decide(
        cast.org, None, d, outcome="Yes", decided_at=T0 + dt.timedelta(days=days)
    )


def test_latency_is_measured_per_decision_team_and_approver(cast):
    a = _decided(cast, "A?", cast.leader, [cast.platform], 2)
    b = _decided(cast, "B?", cast.leader, [cast.platform, cast.root], 4)
    c = _decided(cast, "C?", cast.admin, [cast.root], 9)
    services.create_decision(cast.org, None, "Still open?", approver=cast.leader, opened_at=T0)

    report = queries.decision_latency(cast.org)

    assert report.per_decision == {a.pk: 2.0, b.pk: 4.0, c.pk: 9.0}
    assert report.overall.count == 3 and report.overall.median == 4.0 and report.overall.mean == 5.0
    assert sorted(report.per_team[cast.platform.pk].days) == [2.0, 4.0]
    assert report.per_team[cast.root.pk].median == 6.5
    assert report.per_approver[cast.leader.pk].mean == 3.0
    assert report.per_approver[cast.admin.pk].max == 9.0


def test_a_superseded_decision_keeps_its_latency(cast):
    a = _decided(cast, "A?", cast.leader, [], 3)
    b = _decided(cast, "B?", cast.leader, [], 1)
    services.supersede(cast.org, None, a, by=b, reason="Better")
    assert queries.decision_latency(cast.org).per_decision[a.pk] == 3.0


def test_latency_can_be_limited_to_a_team_and_a_period(cast):
    _decided(cast, "A?", cast.leader, [cast.platform], 2)
    _decided(cast, "B?", cast.leader, [cast.root], 30)
    report = queries.decision_latency(cast.org, team_ids=[cast.platform.pk])
    assert report.overall.days == [2.0]
    report = queries.decision_latency(cast.org, since=(T0 + dt.timedelta(days=10)).date())
    assert report.overall.days == [30.0]


def test_overdue_decisions_are_the_undecided_ones_past_their_decide_by_date(cast):
    today = timezone.localdate()
    late = services.create_decision(cast.org, None, "Late?", approver=cast.leader, decide_by=today)
    services.create_decision(cast.org, None, "Not yet?", approver=cast.leader, decide_by=today)
    done = services.create_decision(cast.org, None, "Done?", approver=cast.leader, decide_by=today)
    services.decide(cast.org, None, done, outcome="Yes")
    tomorrow = today + dt.timedelta(days=1)
    overdue = list(queries.overdue_decisions(cast.org, today=tomorrow))
    assert late in overdue and done not in overdue and len(overdue) == 2
    assert list(queries.overdue_decisions(cast.org, today=today)) == []


def test_decisions_waiting_on_a_person_are_the_ones_they_approve(cast):
    mine = services.create_decision(cast.org, None, "Mine?", approver=cast.member)
    services.create_decision(cast.org, None, "Not mine?", approver=cast.leader)
    decided = services.create_decision(cast.org, None, "Done?", approver=cast.member)
    services.decide(cast.org, None, decided, outcome="Yes")
    assert list(queries.waiting_on(cast.member)) == [mine]
    other = org_services.create_team(cast.org, None, name="Other")
    assert other  # a team with no decisions does not change who waits
    awaiting = queries.decisions_awaiting(cast.org, [cast.member.pk])
    assert list(awaiting) == [mine]


def test_the_latency_page_lists_the_slowest_teams_and_approvers_first(cast, monkeypatch):
    """A screen of each, the slowest first, saying how many there are in all."""
    from accord.decisions import views
    from tests.conftest import login

    monkeypatch.setattr(views, "LATENCY_ROWS", 1)
    now = timezone.now()
    for question, approver, teams, days in (
        ("Quick?", cast.leader, [cast.platform], 2),
        ("Slow?", cast.admin, [cast.root], 9),
    ):
        d = services.create_decision(
            cast.org,
            None,
            question,
            approver=approver,
            teams=teams,
            opened_at=now - dt.timedelta(days=days + 1),
        )
        services.decide(cast.org, None, d, outcome="Yes", decided_at=now - dt.timedelta(days=1))
    html = login(cast.admin).get("/o/acme/decisions/latency/").content.decode()
    teams = html.split('id="teams-h"')[1].split("</section>")[0]
    approvers = html.split('id="approvers-h"')[1].split("</section>")[0]
    assert "the 1 slowest of 2" in teams and "the 1 slowest of 2" in approvers
    assert f"<td>{cast.root.name}</td>" in teams and f"<td>{cast.platform.name}</td>" not in teams
    assert "<td>Ada Admin</td>" in approvers and f"<td>{cast.leader.name}</td>" not in approvers


def test_latency_is_measured_to_the_second_by_the_database(cast):
    """Days are computed by the database (SQLite's julianday, PostgreSQL's epoch): a
    fraction of a day comes out as Python's arithmetic on the same moments gives, also on
    a rounding edge, whatever the moments (julianday's floating point lands a hair either
    side of 0.015 for about one moment in eight)."""
    step = dt.timedelta(hours=1, minutes=7, seconds=3, milliseconds=123)
    gaps = [(T0 + k * step, dt.timedelta(minutes=21, seconds=36)) for k in range(24)]  # 0.015
    gaps += [
        (T0, dt.timedelta(days=1, hours=3, minutes=17, seconds=12, microseconds=500_000)),
        (T0, dt.timedelta(days=12, hours=23, minutes=59, seconds=59)),
    ]
    expected = {}
    for i, (opened, gap) in enumerate(gaps):
        d = services.create_decision(
            cast.org, None, f"Gap {i}?", approver=cast.leader, teams=[cast.root], opened_at=opened
        )
        d = services.decide(cast.org, None, d, outcome="Yes", decided_at=opened + gap)
        expected[d.pk] = round(gap.total_seconds() / 86400, 2)

    report = queries.decision_latency(cast.org)

    assert report.per_decision == expected
    assert sorted(set(expected.values())) == [0.01, 1.14, 13.0]
    assert report.overall.median == 0.0 and report.overall.max == 13.0
    assert report.per_team[cast.root.pk].mean == round(
        sum(g.total_seconds() for _, g in gaps) / 86400 / len(gaps), 1
    )


def test_the_latency_page_says_how_many_decisions_are_overdue(cast, monkeypatch):
    """The overdue list is a screen, the most overdue first, with how many there are in
    all: its own rows when they fit, else the count (not the log's counts by status)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accord.decisions import views
    from tests.conftest import login

    today = timezone.localdate()
    for n in range(3):
        services.create_decision(
            cast.org,
            None,
            f"Overdue {n}?",
            approver=cast.leader,
            opened_at=timezone.now() - dt.timedelta(days=10),
            decide_by=today - dt.timedelta(days=n + 1),
        )
    client = login(cast.admin)
    html = client.get("/o/acme/decisions/latency/").content.decode()
    assert "<dt>Overdue now</dt><dd>3</dd>" in html and "most overdue of" not in html
    monkeypatch.setattr(views, "LATENCY_ROWS", 2)
    with CaptureQueriesContext(connection) as ctx:
        html = client.get("/o/acme/decisions/latency/").content.decode()
    assert "<dt>Overdue now</dt><dd>3</dd>" in html and "the 2 most overdue of 3" in html
    by_status = [q for q in ctx.captured_queries if '"decisions_decision"."status" = ' in q["sql"]]
    assert not by_status, by_status


def test_the_latency_page_says_a_decision_of_several_teams_counts_in_each(cast):
    """Per team, a decision of two teams counts twice: the page says so under the table."""
    from tests.conftest import login

    now = timezone.now()
    d = services.create_decision(
        cast.org,
        None,
        "Shared?",
        approver=cast.leader,
        teams=[cast.platform, cast.root],
        opened_at=now - dt.timedelta(days=3),
    )
    services.decide(cast.org, None, d, outcome="Yes", decided_at=now - dt.timedelta(days=1))
    html = login(cast.admin).get("/o/acme/decisions/latency/").content.decode()
    teams = html.split('id="teams-h"')[1].split("</section>")[0]
    assert f"<td>{cast.root.name}</td>" in teams and f"<td>{cast.platform.name}</td>" in teams
    assert (
        "A decision of several teams counts in each of them: the teams' decisions can add up"
        " to more than the 1 above." in html.replace("&#x27;", "'")
    )
