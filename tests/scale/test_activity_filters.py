"""The activity page's filters (one person, a range of days) read the same number of queries
and rows for a 30-team and a 200-team organization, off an event index in the feed's order:
never the organization's whole log sorted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from accord.activity import queries
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
