"""What a reviewer reads in the demo makes sense: everyone's terms say since when they run,
and a scorecard shows the number its owner recorded at the end of the week."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from accord import demo
from accord.org import demo as org_demo
from accord.org.models import Membership, Person, Team
from accord.org.services import create_organization
from accord.rhythm import demo as rhythm_demo
from accord.rhythm.models import MeasurableValue
from accord.rhythm.scorecard import monday, team_scorecards
from tests.conftest import login


def test_every_term_of_the_demo_says_since_when_before_its_story_began(db):
    org = demo.load()
    first_day = demo.began(timezone.localdate()).date()
    terms = Membership.objects.filter(org=org).select_related("team", "person")
    assert terms.count() > 150
    starts = {m: m.started_on for m in terms}
    assert None not in starts.values()
    # All before Northwind began using Accord, spread over years, not one day for all.
    assert max(starts.values()) < first_day
    assert min(starts.values()) < first_day - dt.timedelta(days=3 * 365)
    assert len(set(starts.values())) > 100
    # A team still forming gathered its people lately; the guild's volunteers joined it after
    # its chair founded it.
    for m, start in starts.items():
        if m.team.slug == "shopping-assistant-wg":
            assert start >= first_day - dt.timedelta(weeks=8), m
    guild = [s for m, s in starts.items() if m.team.slug == "accessibility-guild"]
    assert min(guild) == Membership.objects.get(team__org=org, role="chair").started_on
    # Each term's creation event says it too, as its admin entered it.
    from accord.activity.models import Event

    m = terms.get(team__slug="platform", role="lead")
    created = Event.objects.get(
        org=org, target_type="org.membership", target_id=str(m.pk), verb="created"
    )
    assert created.after["started_on"] == m.started_on.isoformat()

    # A person's page says since when, for every team.
    jonas = Person.objects.get(org=org, email="jonas.mensah@northwind.example")
    page = login(jonas).get(f"/o/northwind/people/{jonas.pk}/").content.decode()
    terms_table = page.split('class="table current-terms"')[1].split("</table>")[0]
    assert "unknown" not in terms_table and "in Accord since" not in terms_table
    assert m.started_on.strftime("%Y") in terms_table


def _scorecards_as_of(today: dt.date):
    """The demo's people and teams, and its scorecards, as loaded on `today`."""
    org = create_organization(demo.DEMO_NAME, demo.DEMO_SLUG)
    ctx = demo.DemoContext(org=org, rng=random.Random(demo.SEED), today=today)
    org_demo.load(ctx)
    rhythm_demo._scorecards(ctx, dt.datetime.combine(today, dt.time(12), dt.UTC))
    return org


@pytest.mark.parametrize(
    ("today", "this_weeks_in"),
    [
        (dt.date(2026, 11, 29), True),  # a Sunday: Friday's numbers are in
        (dt.date(2026, 11, 28), True),  # a Saturday
        (dt.date(2026, 11, 26), False),  # a Thursday: not yet, none made up
    ],
)
def test_a_scorecard_shows_this_weeks_numbers_once_its_friday_has_passed(db, today, this_weeks_in):
    org = _scorecards_as_of(today)
    week = monday(today)
    support = Team.objects.get(org=org, slug="support")
    values = MeasurableValue.objects.filter(measurable__team=support)
    assert values.filter(week_start=week).exists() == this_weeks_in
    assert values.filter(week_start__gt=week).count() == 0
    # Every week before has its number: 13 weeks of history.
    assert values.filter(week_start__lt=week).count() == 3 * 13
    if this_weeks_in:
        # Monday's meeting reviews the week just ended: each measurable has its number, not
        # "no value yet".
        rows = team_scorecards(org, [support.pk], weeks=2, until=week + dt.timedelta(weeks=1))
        assert len(rows) == 3
        assert all(row.cells[0].value is not None for row in rows)


def test_a_demo_scorecards_counts_are_whole_numbers(db):
    """Deploys, incidents and open tickets are counted in whole numbers (96.2 tickets read
    as a bug); a time or a share keeps its decimal."""
    org = _scorecards_as_of(dt.date(2026, 11, 29))
    values = MeasurableValue.objects.filter(org=org).select_related("measurable")
    counts = [v for v in values if not v.measurable.unit]
    assert len(counts) > 50
    assert all(v.value == v.value.to_integral_value() for v in counts), [
        (v.measurable.name, v.value) for v in counts if v.value != v.value.to_integral_value()
    ]
    assert any(v.value != v.value.to_integral_value() for v in values if v.measurable.unit)
