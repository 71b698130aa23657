"""The decision log cut to one thing (`?about=`, the API's `linked_type` + `linked_id`)
is read off the links' (org, target) index and each decision by its id, whatever the
planner knows of the tables: never by walking the organization's decisions in the log's
order, testing each, which SQLite did without statistics for `id IN (the links)`."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.decisions import queries
from accord.decisions.models import DecisionLink
from tests.conftest import sqlite_plan


def test_the_decisions_about_one_thing_are_read_by_its_links(generated, db):
    if connection.vendor != "sqlite":
        pytest.skip("the query plans checked here are SQLite's")
    org = generated["large"]
    link = DecisionLink.objects.filter(org=org).first()
    assert link is not None
    about = {"linked_type": link.target_type, "linked_id": link.target_id}
    reads = []
    for filters in ({}, {"status": "decided"}, {"q": "the"}):
        with CaptureQueriesContext(connection) as captured:
            found = list(queries.filter_log(org, **filters, **about)[:31])
        if not filters:
            assert link.decision_id in {d.pk for d in found}
        reads.append(captured.captured_queries[-1]["sql"])
    with connection.cursor() as cursor:
        for statistics in ("kept", "none"):
            if statistics == "none":  # undone with the test's transaction
                cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
                cursor.execute("ANALYZE sqlite_schema")
            for sql in reads:
                plan = sqlite_plan(sql)
                first = plan.split(" | ")[0]
                assert "org_id=? AND target_type=? AND target_id=?" in first, (statistics, plan)
