"""A team's dependency tables on a phone (390 px): each dependency a small card whose dates
(needed by, committed) are on the screen without scrolling sideways; wider, where a table
may scroll, its box takes the keyboard's focus and is named as a region. In Debian's
Chromium."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from accord.coordination import services
from tests.browser.conftest import open_signed_in
from tests.coordination.conftest import world  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_a_teams_tables_show_their_dates_on_a_phone(page, world):  # noqa: F811
    dep = world.request(title="Stock for the spring launch, shelved by region and season")
    services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=25),
    )
    page.set_viewport_size(PHONE)
    open_signed_in(page, world.asker.user.email, "/o/acme/coordination/teams/sales/")
    region = page.get_by_role("region", name="Table of what Sales asked of others")
    expect(region).to_be_visible()
    assert region.get_attribute("tabindex") == "0"
    need_by = region.locator("time").first
    committed = region.locator("time").nth(1)
    for when in (need_by, committed):
        expect(when).to_be_visible()
        box = when.bounding_box()
        assert box is not None and box["x"] + box["width"] <= PHONE["width"], box
    expect(region).to_contain_text("need by")
    expect(region).to_contain_text("committed")
    wide, shown = region.evaluate("w => [w.scrollWidth, w.clientWidth]")
    assert wide <= shown, f"the table is {wide}px wide in {shown}px: it scrolls"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Operations' page names its own table, asked of it, the same way.
    open_signed_in(page, world.giver.user.email, "/o/acme/coordination/teams/ops/")
    theirs = page.get_by_role("region", name="Table of what others ask of Operations")
    expect(theirs.locator("time").first).to_be_visible()

    # On a desktop it is a table again, its headers shown; the box still takes the focus.
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(theirs.locator("thead")).to_be_visible()
    theirs.focus()
    assert page.evaluate("document.activeElement.getAttribute('role')") == "region"
