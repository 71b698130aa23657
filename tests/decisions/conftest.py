import datetime as dt

import pytest
from django.utils import timezone

from accord.alignment import services as alignment
from accord.decisions import services
from accord.org import services as org_services
from tests.decisions.helpers import recorded_long_ago
from tests.rhythm.servers import bad_hook, good_hook, smtp  # noqa: F401 (fixtures)


@pytest.fixture
def initiative(cast):
    """Platform's "Pricing page", for a decision to link to."""
    return alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Pricing page", owner=cast.member
    )


@pytest.fixture
def decision(cast):
    """An open decision of Mia's, Leo approving."""
    return services.create_decision(
        cast.org, cast.member, "Do we keep list prices?", approver=cast.leader
    )


@pytest.fixture
def outside(cast):
    """Acme's team outside its top team's tree: its items count for no team of that tree."""
    return org_services.create_team(cast.org, None, name="Outside", slug="outside")


@pytest.fixture
def action_item(cast):
    """Records an action item of Acme's: `action_item(title, owner, team, days)` is due
    `days` from today (before it when negative: recorded weeks ago, so it may be overdue);
    `done=True` completes it too. Recorded (and completed) by the admin, or by `by`."""
    today = timezone.localdate()

    def item(title, owner, team, days, done=False, by=None):
        by = by or cast.admin
        a = services.create_action_item(
            cast.org,
            by,
            title,
            owner,
            team=team,
            due_on=today + dt.timedelta(days=days),
            **recorded_long_ago(),
        )
        if done:
            services.complete_action_item(cast.org, by, a)
        return a

    return item
