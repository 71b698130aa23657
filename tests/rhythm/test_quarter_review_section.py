"""The quarterly planning's "How the quarter went" reviews the quarter that ended (or was
closed) by the meeting, with where its key results ended: not the next quarter's copies
once that one is made current."""

from __future__ import annotations

import datetime as dt
import importlib

from django.apps import apps

from accord.alignment import services as alignment
from accord.rhythm import agenda, services
from accord.rhythm.models import Meeting
from tests.rhythm.conftest import utc

MEETING = utc(2026, 12, 31, 14)  # the last business day of Q4 2026


def _review(cast, cadence, when=MEETING):
    meeting = Meeting(cadence=cadence, occurrence_start=when, scheduled_start=when)
    built = agenda.build(cast.org, cadence, meeting, now=when - dt.timedelta(days=25))
    [review] = [s for s in built if s["key"] == "review"]
    assert review["title"] == "How the quarter went"
    return [(i["title"], i["detail"], i["tone"]) for i in review["items"]]


def test_the_quarter_review_shows_the_quarter_that_ended_not_the_next(cast):
    org = cast.org
    planning = services.create_cadence_from_template(
        org, cast.admin, "quarterly-planning", timezone_name="UTC"
    )
    q4 = alignment.create_period(
        org,
        None,
        name="Q4 2026",
        start=dt.date(2026, 10, 1),
        end=dt.date(2026, 12, 31),
        is_current=True,
    )
    objective = alignment.create_objective(
        org, None, title="Faster deploys", period=q4, team=cast.platform
    )
    alignment.create_key_result(org, None, objective, name="Deploys a day", target=10, current=4)
    done = alignment.create_objective(org, None, title="Cut costs", period=q4, team=cast.platform)
    alignment.create_key_result(org, None, done, name="Savings", target=5, current=5, unit="k€")
    # Before Q4 is closed, the meeting on its last day reviews it.
    assert _review(cast, planning) == [
        (
            "Savings",
            "100% done, 5 k€ as Q4 2026 ends (31 Dec 2026) · of “Cut costs” · Platform",
            "ok",
        ),
        (
            "Deploys a day",
            "40% done, 4 as Q4 2026 ends (31 Dec 2026) · of “Faster deploys” · Platform",
            "bad",
        ),
    ]
    q1 = alignment.create_period(
        org, None, name="Q1 2027", start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31)
    )
    alignment.close_period(org, cast.admin, q4)
    alignment.update_objective(org, cast.admin, objective, status="missed")
    alignment.carry_over(org, cast.admin, from_period=q4, to_period=q1)
    alignment.set_current_period(org, cast.admin, q1)
    items = _review(cast, planning)
    assert items == [
        ("Savings", "100% done, 5 k€ at the end of Q4 2026 · of “Cut costs” · Platform", "ok"),
        (
            "Deploys a day",
            "40% done, 4 at the end of Q4 2026 · of “Faster deploys” (missed) · Platform",
            "bad",
        ),
    ]
    # A meeting moved into the new quarter still reviews the one that ended.
    assert _review(cast, planning, utc(2027, 1, 4, 14)) == items


def test_existing_quarterly_plannings_read_the_quarters_results(cast):
    migration = importlib.import_module("accord.rhythm.migrations.0014_quarter_review_results")
    planning = services.create_cadence_from_template(
        cast.org, cast.admin, "quarterly-planning", timezone_name="UTC"
    )
    old = [{**s, "source": "key_results"} if s["key"] == "review" else s for s in planning.agenda]
    planning.agenda = old
    planning.save(update_fields=["agenda"])
    migration.forward(apps, None)
    planning.refresh_from_db()
    assert [s["source"] for s in planning.agenda if s["key"] == "review"] == ["quarter_results"]
    assert [s for s in planning.agenda if s["key"] != "review"] == [
        s for s in old if s["key"] != "review"
    ]
