"""The cast (tests/conftest.py) with an initiative and an objective of Acme's Platform team,
and Leo Leader leading Platform."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.rhythm.servers import good_hook, smtp  # noqa: F401 (fixtures)


@pytest.fixture
def world(cast):
    org = cast.org
    org_services.add_membership(
        org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    today = timezone.localdate()
    period = alignment.create_period(
        org,
        None,
        name="Q",
        start=today - dt.timedelta(days=10),
        end=today + dt.timedelta(days=80),
        is_current=True,
    )
    cast.objective = alignment.create_objective(
        org, None, title="Ship the platform", period=period, team=cast.platform
    )
    cast.initiative = alignment.create_initiative(
        org, None, team=cast.platform, title="Build the pipeline", owner=cast.member
    )
    return cast
