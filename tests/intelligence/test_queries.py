"""The reads the pages build on: scope, heat-map rows, new and resolved since a date, the
signals a person owns or leads, each in a bounded number of queries."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.coordination import services as coordination
from accord.intelligence import evaluate, queries
from accord.org import services as org_services


def count_queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        result = fn()
    return result, len(ctx.captured_queries)


def test_the_default_scope_is_the_highest_team_a_person_leads(cast, blocked):
    assert queries.default_scope(cast.org, cast.admin) is None  # admins: everything
    assert queries.default_scope(cast.org, blocked.lead) == cast.platform.pk
    assert queries.default_scope(cast.org, cast.member) is None  # leads nothing
    # Of the teams a person leads, the one nearest the top, read up from those teams.
    billing = org_services.create_team(cast.org, None, name="Billing", parent=cast.platform)
    invoices = org_services.create_team(cast.org, None, name="Invoices", parent=billing)
    sales = org_services.create_team(cast.org, None, name="Sales", parent=cast.root)
    for team in (invoices, sales):
        org_services.add_membership(
            cast.org, None, person=cast.member, team=team, role="lead", allocation=10
        )
    result, n = count_queries(lambda: queries.default_scope(cast.org, cast.member))
    assert (result, n) == (sales.pk, 2)
    org_services.add_membership(
        cast.org, None, person=blocked.lead, team=invoices, role="lead", allocation=0
    )
    assert queries.default_scope(cast.org, blocked.lead) == cast.platform.pk


def test_heatmap_rows_are_a_teams_children_with_their_rolled_up_health(cast, blocked):
    org_services.create_team(cast.org, None, name="Billing", parent=cast.platform)
    evaluate.evaluate(cast.org)
    rows, n = count_queries(lambda: queries.heatmap(cast.org, cast.root.pk))
    assert [(r.team.name, r.has_children) for r in rows] == [("Platform", True)]
    assert rows[0].score.rollup_dependencies == 75
    assert n <= 4
    top, _ = count_queries(lambda: queries.heatmap(cast.org, None))
    assert [r.team.name for r in top] == ["Acme"]


def test_new_and_resolved_since_a_date(cast, blocked):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert [s.pk for s in queries.new_since(cast.org, yesterday)] == [blocked.signal.pk]
    assert list(queries.resolved_since(cast.org, yesterday)) == []
    coordination.transition(cast.org, None, blocked.dep, "clear_flag")
    evaluate.evaluate(cast.org)
    assert list(queries.new_since(cast.org, yesterday)) == []
    assert [s.pk for s in queries.resolved_since(cast.org, yesterday)] == [blocked.signal.pk]
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert list(queries.resolved_since(cast.org, tomorrow)) == []


def test_a_person_sees_the_signals_they_own_or_lead(cast, blocked):
    assert [s.pk for s in queries.for_person(cast.org, cast.admin)] == [blocked.signal.pk]
    assert [s.pk for s in queries.for_person(cast.org, blocked.lead)] == [blocked.signal.pk]
    assert queries.for_person(cast.org, cast.member) == []


def test_a_teams_health_and_the_signal_filters_stay_in_its_subtree(cast, blocked):
    other = org_services.create_team(cast.org, None, name="Sales", parent=cast.root)
    evaluate.evaluate(cast.org)
    assert list(queries.signals(cast.org, team_id=other.pk)) == []
    assert [s.pk for s in queries.signals(cast.org, team_id=cast.root.pk)] == [blocked.signal.pk]
    h, n = count_queries(lambda: queries.health(cast.org, other.pk))
    assert n == 1
    # A new team with nothing in it has nothing to judge: no score, not 100.
    assert h.overall is None and h.rollup_overall is None
    assert queries.health(cast.other_org, cast.root.pk) is None
