"""A closed period's tree shows no figure of the work under way now: its unaligned
initiatives and teams over their WIP limit are today's, not what the period held, so the
page says why they are not shown rather than set them beside its history."""

from __future__ import annotations

import pytest

from accord.alignment import services as s
from tests.conftest import login


@pytest.fixture
def now_overloaded(cast, plan):
    """Platform runs two active initiatives serving nothing against a WIP limit of one;
    Q2 is closed."""
    for title in ("Checkout API", "Fraud rules"):
        s.create_initiative(cast.org, None, team=cast.platform, title=title, status="active")
    s.set_wip_limit(cast.org, None, cast.platform, 1)
    s.close_period(cast.org, None, plan.q2)
    return plan.q2


def test_a_closed_periods_tree_leaves_out_todays_wip_and_unaligned_work(cast, now_overloaded):
    client = login(cast.member)
    closed = client.get("/o/acme/alignment/", {"period": now_overloaded.pk}).content.decode()
    assert "Teams over WIP</span><strong>" not in closed
    assert "Unaligned initiatives</span><strong>" not in closed
    assert '/o/acme/alignment/teams/platform/">Platform</a> 2/1' not in closed
    assert "Not shown for a closed period: both count the work under way now" in closed
    # The current period's tree still shows them.
    current = client.get("/o/acme/alignment/").content.decode()
    assert "Teams over WIP</span><strong>" in current
    assert '/o/acme/alignment/teams/platform/">Platform</a> 2/1' in current
    assert "Not shown for a closed period" not in current
