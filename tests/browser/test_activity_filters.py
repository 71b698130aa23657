"""Who did what, and when: the activity page's person search box and range of days."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.org import services
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_admin_finds_what_one_person_did(page, shot, cast):
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    services.update_person(cast.org, cast.admin, cast.viewer, title="Board observer")
    page.set_default_navigation_timeout(60_000)  # the live server's first page is slow
    open_signed_in(page, cast.admin.email, "/o/acme/activity/")
    expect(page.locator(".feed")).to_contain_text("Board observer")
    box = page.get_by_role("combobox", name="Who")
    box.fill("leo")
    option = page.get_by_role("option", name="Leo Leader")
    expect(option).to_be_visible()
    # Focusing the box asked for everyone; wait for the answer to what was typed.
    expect(page.locator("#id_actor-options [role=option]")).to_have_count(1)
    shot(page, "search")
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_value("Leo Leader")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**actor={cast.leader.pk}**")
    expect(page.locator(".feed")).to_contain_text("Platform Core")
    expect(page.locator(".feed")).not_to_contain_text("Board observer")
    expect(box).to_have_value("Leo Leader")
    shot(page, "one-person")
