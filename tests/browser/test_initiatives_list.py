"""The initiatives list in a browser: filter by a team (and the teams below) and a status,
save the view, open it again; on a phone the page does not overflow sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.org import services as org_services
from accord.web.models import SavedView
from tests.browser.conftest import open_signed_in, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_filters_the_list_saves_the_view_and_fits_a_phone(page, shot, cast):
    org = cast.org
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.platform
    )
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    alignment.create_initiative(org, None, team=cast.platform, title="Checkout", status="active")
    alignment.create_initiative(org, None, team=payments, title="Wallet", status="active")
    alignment.create_initiative(org, None, team=payments, title="Card vault")
    alignment.create_initiative(org, None, team=sales, title="Pricing", status="active")
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/alignment/initiatives/")
    rows = page.locator("#initiative-rows tbody tr")
    expect(rows).to_have_count(4)
    pick(page, "Team", "Platform")
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Filter").click()
    expect(rows).to_have_count(2)  # Checkout and Payments' Wallet, not Sales' Pricing
    expect(page.locator("#initiative-rows")).to_contain_text("Wallet")
    page.get_by_label("Save this view as").fill("Platform at work")
    page.get_by_label("Share with everyone").check()
    page.get_by_role("button", name="Save this view").click()
    saved = page.get_by_role("link", name="Platform at work")
    expect(saved).to_be_visible()
    shot(page, "saved")
    view = SavedView.objects.get(owner=cast.member)
    assert view.shared and f"team={cast.platform.slug}" in view.query  # as URLs name teams
    page.goto("/o/acme/alignment/initiatives/")
    expect(rows).to_have_count(4)
    page.get_by_role("link", name="Platform at work").click()
    expect(rows).to_have_count(2)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(rows).to_have_count(2)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    shot(page, "phone")
