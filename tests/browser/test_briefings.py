"""A leader reads this week's briefing on the demo and follows one of its lines to the
object behind it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAD_OF_ENGINEERING = "hana.okafor@northwind.example"


def test_a_leader_reads_this_weeks_briefing_and_follows_a_line(page, shot):
    demo.load()
    sign_in(page, HEAD_OF_ENGINEERING, demo.DEMO_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Briefings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My briefings")
    expect(page.get_by_test_id("briefings").locator("li")).to_have_count(4)
    page.get_by_role("link", name="Read the briefing of").click()

    # The stored briefing of the last full week, about the team she leads.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Engineering: the week of")
    expect(page.get_by_test_id("briefing-headline")).to_contain_text("signal")
    sections = page.locator("section.briefing-section")
    assert sections.count() >= 3
    shot(page, "briefing")

    # Every line links to its object; follow the first change.
    line = page.locator("section[data-section='changed'] li a, section[data-section] li a").first
    href = line.get_attribute("href")
    assert href and href.startswith("/o/northwind/")
    line.click()
    page.wait_for_load_state()
    assert page.url.endswith(href)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, "followed")
