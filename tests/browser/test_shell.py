"""Signing in to the demo organization and walking its team directory, as a person would."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_walks_from_sign_in_to_a_team_and_a_person(page, shot):
    demo.load()
    sign_in(page, demo.DEMO_LOGIN, demo.DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you, Maya")
    shot(page, "home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams")
    expect(page.get_by_role("tree")).to_contain_text("Engineering")
    shot(page, "directory")

    page.get_by_role("link", name="Platform", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform")
    expect(page.locator(".breadcrumbs")).to_contain_text("Engineering")
    members = page.get_by_role("table").get_by_role("row")
    assert members.count() > 5
    expect(page.get_by_text("Lead", exact=True).first).to_be_visible()
    shot(page, "team")

    lead_name = page.locator("tr:has(.tag--lead) td a").first.inner_text()
    page.get_by_role("link", name=lead_name).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lead_name)
    expect(page.get_by_role("heading", name="Teams and allocation")).to_be_visible()
    expect(page.locator(".allocbar")).to_contain_text("Platform")
    shot(page, "person")
