"""On a phone (390 px), a dependency's card points one way, as its row does on a laptop:
the asking team → the team asked, and the initiative that needs it → the one delivering
it; its at-risk reason leaves the dates to the card's own lines. In Debian's Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from accord.coordination import services
from tests.browser.conftest import open_signed_in
from tests.coordination.conftest import world  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_cards_arrows_point_from_who_asks_to_who_is_asked(page, shot, world):  # noqa: F811
    dep = world.request(title="Pallets", need_by=world.today + dt.timedelta(days=21))
    services.transition(
        world.org, world.giver, dep, "accept", provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=35),
    )  # fmt: skip
    page.set_viewport_size(PHONE)
    open_signed_in(page, world.asker.user.email, "/o/acme/coordination/?team=")
    region = page.get_by_role("region", name="Table of dependencies at risk")
    card = region.locator(f'tr[data-anchor="dep-{dep.pk}"]')
    expect(card).to_contain_text("Spring launch → New warehouse")
    expect(card).to_contain_text("Sales → Operations")
    expect(card).not_to_contain_text("←")
    expect(card.locator(".risk-why")).to_have_text("Committed after the need-by date.")
    shot(page, "phone")
