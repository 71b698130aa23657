"""A leader gives a team its kind, mission and links, retires it (the banner says when, on
a laptop and a phone) and reactivates it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.org.models import Team
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_leader_edits_retires_and_reactivates_a_team(page, shot, cast):
    page.set_default_navigation_timeout(120_000)  # the live server's first page is slow
    page.set_default_timeout(30_000)
    open_signed_in(page, cast.leader.email, "/o/acme/teams/platform/edit/")
    page.get_by_label("Kind").select_option(label="Working group")
    page.get_by_label("Mission").fill("Paved roads for every team.")
    links = page.locator("fieldset.team-links")
    expect(links.locator("legend")).to_have_text("Links")
    links.get_by_label("Repository").fill("https://git.example.com/platform")
    links.get_by_label("Chat channel").fill("#platform")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Platform", exact=True)).to_be_visible()
    expect(page.locator(".team-facts")).to_contain_text("Working group")
    expect(page.locator(".team-mission")).to_contain_text("Paved roads for every team.")
    expect(page.get_by_role("link", name="https://git.example.com/platform")).to_be_visible()

    page.get_by_role("button", name="Retire").click()  # what it leaves behind, then retire
    expect(page.locator(".team-leaves")).to_contain_text("1 current member: Mia Member")
    page.get_by_role("button", name="Retire Platform").click()
    banner = page.locator(".team-retired")
    expect(banner).to_contain_text("Retired on")
    expect(banner.get_by_role("button", name="Reactivate")).to_be_visible()
    expect(page.get_by_role("button", name="Retire", exact=True)).to_have_count(0)
    assert Team.objects.get(pk=cast.platform.pk).state == "retired"
    shot(page, "retired")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(banner.get_by_role("button", name="Reactivate")).to_be_in_viewport()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shot(page, "retired-phone")

    page.once("dialog", lambda dialog: dialog.accept())  # "It comes back without members"
    banner.get_by_role("button", name="Reactivate").click()
    expect(page.locator(".team-retired")).to_have_count(0)
    expect(page.get_by_role("button", name="Retire", exact=True)).to_be_visible()
    assert Team.objects.get(pk=cast.platform.pk).state == "active"
