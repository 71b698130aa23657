"""Someone looks a colleague up by their chat handle in the people list and reads their page:
their addresses and handles, their teams now and their past terms (laptop and phone)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.org import services
from accord.org.models import Membership
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_colleague_is_found_by_handle_and_their_page_shows_their_terms(page, shot, cast):
    services.update_person(
        cast.org, None, cast.member, emails=["mia@home.example"], handles=["slack:mia.m"]
    )
    catalogue = services.create_team(
        cast.org, None, name="Print Catalogue", slug="catalogue", parent=cast.root
    )
    services.add_membership(
        cast.org,
        None,
        person=cast.member,
        team=catalogue,
        role="lead",
        started_on="2021-03-01",
        ended_on="2024-06-30",
    )
    services.retire_team(cast.org, None, catalogue, on="2024-06-30")
    platform = Membership.objects.get(person=cast.member, team=cast.platform)
    services.update_membership(cast.org, None, platform, started_on="2025-02-03")
    services.add_membership(
        cast.org,
        None,
        person=cast.member,
        team=cast.root,
        role="chair",
        started_on="2019-01-07",
        ended_on="2020-12-31",
    )

    page.set_default_navigation_timeout(120_000)  # the live server's first page is slow
    page.set_default_timeout(30_000)
    open_signed_in(page, cast.leader.email, "/o/acme/people/")
    page.get_by_label("Find a person").fill("@mia.m")
    rows = page.locator("#people-rows")
    expect(rows.get_by_role("link", name="Mia Member")).to_be_visible()
    expect(rows.get_by_role("link", name="Leo Leader")).to_have_count(0)
    rows.get_by_role("link", name="Mia Member").click()

    expect(page.get_by_role("heading", name="Mia Member", exact=True)).to_be_visible()
    expect(page.locator("#identities")).to_contain_text("mia.m")
    expect(page.locator("#identities")).to_contain_text("mia@home.example")
    current = page.locator("table.current-terms")
    platform_row = current.get_by_role("row").filter(has_text="Platform")
    expect(platform_row).to_contain_text("Member")
    expect(platform_row).to_contain_text("3 Feb 2025")
    past = page.get_by_role("table", name="Past terms")
    expect(past.get_by_role("row")).to_have_count(3)  # the heading and two terms
    newest = past.get_by_role("row").nth(1)
    expect(newest).to_contain_text("Print Catalogue")
    expect(newest.locator(".tag")).to_have_text("retired")
    expect(newest).to_contain_text(re.compile(r"2021 \u2013 .*2024"))
    expect(past.get_by_role("row").nth(2)).to_contain_text("Chair")
    shot(page, "person")

    page.set_viewport_size({"width": 390, "height": 844})
    expect(past).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    # A table on a phone scrolls sideways when it must; this one need not.
    fits = "t => t.scrollWidth <= t.clientWidth"
    assert current.evaluate(fits), "the teams table runs out of its card on a phone"
    shot(page, "person-phone")
