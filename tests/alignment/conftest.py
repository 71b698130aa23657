"""A period with a small objective tree in the cast's organization (Acme)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from accord.alignment import services as s
from accord.alignment.models import KeyResult, Objective, Period
from accord.org import services as org_services
from accord.org.models import Team
from tests import replay

Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
Q2 = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@dataclass
class Plan:
    q1: Period
    q2: Period
    year: Period
    sales: Team
    company: Objective
    platform_obj: Objective
    sales_obj: Objective


def _build_plan(cast) -> Plan:
    org = cast.org
    q1 = s.create_period(org, None, name="Q1 2026", start=Q1[0], end=Q1[1], is_current=True)
    q2 = s.create_period(org, None, name="Q2 2026", start=Q2[0], end=Q2[1])
    year = s.create_period(org, None, name="2026", kind="year", start=YEAR[0], end=YEAR[1])
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    company = s.create_objective(org, None, title="Grow revenue", period=q1, level="org")
    platform_obj = s.create_objective(
        org, None, title="Faster checkout", period=q1, team=cast.platform, parents=[company]
    )
    sales_obj = s.create_objective(
        org, None, title="Win enterprise deals", period=q1, team=sales, parents=[company]
    )
    return Plan(q1, q2, year, sales, company, platform_obj, sales_obj)


def _find_plan(cast) -> Plan:
    periods = {p.name: p for p in Period.objects.filter(org=cast.org)}
    objectives = {o.title: o for o in Objective.objects.filter(org=cast.org)}
    return Plan(
        periods["Q1 2026"],
        periods["Q2 2026"],
        periods["2026"],
        Team.objects.get(org=cast.org, slug="sales"),
        objectives["Grow revenue"],
        objectives["Faster checkout"],
        objectives["Win enterprise deals"],
    )


@pytest.fixture
def plan(cast) -> Plan:
    """Built through the services once per test process and replayed after, as the cast is
    (tests/replay.py): in some 110 tests."""
    # Keyed by the cast's organization too: the plan's rows name it, and a run that goes on
    # past midnight builds (or replays) a new day's cast, whose rows may have other ids.
    return replay.once(
        ("alignment-plan", cast.org.pk, timezone.localdate()),
        lambda: _build_plan(cast),
        lambda: _find_plan(cast),
        as_of_now=True,
    )


@pytest.fixture
def availability(cast, plan) -> KeyResult:
    """Availability of Platform's objective, kept above 99.95 %, recorded by Mia at 99.93."""
    kr = s.create_key_result(
        cast.org,
        None,
        plan.platform_obj,
        name="Availability",
        unit="%",
        direction="above",
        start=99.8,
        target=99.95,
    )
    s.record_key_result_value(cast.org, cast.member, kr, 99.93)
    kr.refresh_from_db()
    return kr
