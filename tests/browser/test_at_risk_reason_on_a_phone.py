"""Why a dependency is at risk, written in its row on the coordination page: on a phone
(390 px) each row is a small card and the reason wraps inside it, nothing scrolls
sideways. In Debian's Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from accord.coordination import services
from tests.browser.conftest import open_signed_in
from tests.coordination.conftest import world  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
WHY = "The forklift at the northern depot is broken and the replacement ships next month."


def test_the_at_risk_reason_is_read_in_the_row_on_a_phone(page, shot, world):  # noqa: F811
    dep = world.request(
        title="Stock for the spring launch, shelved by region and season",
        need_by=world.today + dt.timedelta(days=30),
    )
    services.transition(world.org, world.giver, dep, "flag_at_risk", note=WHY)
    page.set_viewport_size(PHONE)
    open_signed_in(page, world.asker.user.email, "/o/acme/coordination/?team=")
    region = page.get_by_role("region", name="Table of dependencies at risk")
    why = region.locator(".risk-why")
    expect(why).to_have_text(WHY)
    expect(why).to_be_visible()
    box = why.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    wide, shown = region.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert wide <= shown, f"the table is {wide}px wide in {shown}px: it scrolls"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "phone")
