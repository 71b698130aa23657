"""Beside their rolling windows, decision latency, follow-through and the Insights trend
are measured over an alignment period (this quarter, the last one): over the period's
own days, whatever today is."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.decisions import services
from accord.decisions.followthrough import recompute
from accord.decisions.models import ActionItem, Decision
from tests.conftest import login
from tests.intelligence.fixtures_pages import health


def _at(day: dt.date, hour: int = 12) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


@pytest.fixture
def last_quarter(cast):
    """A period that ended 20 days ago, 90 days long."""
    today = timezone.localdate()
    end = today - dt.timedelta(days=20)
    return alignment.create_period(
        cast.org, None, name="Last quarter", start=end - dt.timedelta(days=89), end=end
    )


def _decided(cast, question: str, opened: dt.date, decided: dt.date) -> Decision:
    d = services.create_decision(
        cast.org, None, question, approver=cast.leader, teams=[cast.platform],
        opened_at=_at(opened),
    )  # fmt: skip
    return services.decide(cast.org, None, d, outcome="Yes", decided_at=_at(decided))


def _figure(html: str, label: str) -> str:
    return re.search(rf"<dt>{re.escape(label)}</dt><dd>([^<]*)</dd>", html).group(1).strip()


def test_latency_over_a_period_counts_the_decisions_decided_on_its_days(cast, last_quarter):
    q = last_quarter
    _decided(cast, "Early?", q.start - dt.timedelta(days=10), q.start + dt.timedelta(days=2))
    _decided(cast, "Middle?", q.start + dt.timedelta(days=30), q.start + dt.timedelta(days=40))
    _decided(cast, "After?", q.end - dt.timedelta(days=5), q.end + dt.timedelta(days=3))
    client = login(cast.member)
    page = client.get("/o/acme/decisions/latency/", {"period": q.pk}).content.decode()
    assert _figure(page, "Decisions") == "2"
    assert _figure(page, "Median") == "11.0 d"  # 12 and 10 days
    assert "Decided in Last quarter" in page
    assert f'<option value="{q.pk}" selected>' in page
    # The rolling window still reads its own (the last 90 days: "Middle?" is older).
    rolling = client.get("/o/acme/decisions/latency/", {"days": 30}).content.decode()
    assert _figure(rolling, "Decisions") == "1"


def test_follow_through_over_a_period_counts_the_items_due_on_its_days(cast, last_quarter):
    q = last_quarter
    today = timezone.localdate()

    def item(title: str, due: dt.date, done: dt.date | None = None) -> None:
        a = services.create_action_item(
            cast.org, cast.leader, title, cast.member, team=cast.platform, due_on=today
        )
        ActionItem.objects.filter(pk=a.pk).update(
            due_on=due,
            status="done" if done else "open",
            done_at=_at(done) if done else None,
        )

    item("On time in the quarter", q.start + dt.timedelta(days=10), q.start + dt.timedelta(days=9))
    item("Late in the quarter", q.start + dt.timedelta(days=20), q.start + dt.timedelta(days=25))
    item("Open since the quarter", q.end - dt.timedelta(days=1))
    item("Before the quarter", q.start - dt.timedelta(days=5), q.start - dt.timedelta(days=6))
    recompute(cast.org.pk)  # the stored daily tallies of the items written above
    client = login(cast.member)
    page = client.get(
        "/o/acme/decisions/actions/", {"team": "platform", "period": q.pk}
    ).content.decode()
    assert _figure(page, "Follow-through, Last quarter") == "33%"
    assert _figure(page, "On time / due (Last quarter)") == "1 / 3"
    assert _figure(page, "Done late (Last quarter)") == "1"
    rolling = client.get("/o/acme/decisions/actions/", {"team": "platform"}).content.decode()
    assert _figure(rolling, "On time / due (30 d)") == "0 / 1"  # the one open since


def test_the_insights_trend_over_a_period_covers_its_weeks(cast, last_quarter):
    q = last_quarter
    for weeks in range(0, 30):
        health(cast.org, [cast.root], timezone.localdate() - dt.timedelta(weeks=weeks))
    client = login(cast.admin)
    page = client.get("/o/acme/insights/", {"scope": "all", "period": q.pk}).content.decode()
    data = json.loads(
        re.search(
            r'<script id="trend-data" type="application/json">(.*?)</script>', page, re.S
        ).group(1)
    )
    days = [dt.date.fromisoformat(p["date"]) for p in data]
    assert days and all(q.start <= d <= q.end for d in days)
    assert len(days) >= 12  # each of its weeks
    assert "Trends over Last quarter" in page
    rolling = client.get("/o/acme/insights/", {"scope": "all"}).content.decode()
    assert "Trends over the last 13 weeks" in rolling
