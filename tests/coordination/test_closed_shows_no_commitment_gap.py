"""A commitment after the need-by is pointed out while the dependency is active; once
delivered, its page no longer warns about it."""

from __future__ import annotations

import datetime as dt

from accord.coordination import services
from tests.conftest import login


def test_a_delivered_dependency_shows_no_lateness_warning(world):
    dep = world.request(need_by=world.today + dt.timedelta(days=22))
    dep = services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=30),
    )
    client = login(world.asker)
    page = client.get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    assert 'id="commitment-gap">8 days after Sales needs it' in page
    services.transition(world.org, world.asker, dep, "confirm_delivery")
    page = client.get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    assert "Delivered" in page and 'id="commitment-gap"' not in page
