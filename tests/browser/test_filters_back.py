"""Back to a filtered list: its filter boxes say what the list shows (its address), not a
choice made on that page before it was left (shell.js: servedForms)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.alignment import services as alignment
from tests.browser.conftest import open_signed_in, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_back_to_a_filtered_list_shows_the_filter_of_that_list(page, cast):
    alignment.create_initiative(cast.org, None, team=cast.platform, title="Shipped", status="done")
    alignment.create_initiative(cast.org, None, team=cast.platform, title="Also", status="done")
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/alignment/initiatives/?status=done")
    rows = page.locator("#initiative-rows tbody tr")
    status = page.get_by_label("Status")
    expect(rows).to_have_count(2)
    status.select_option("paused")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**status=paused**")
    expect(rows).to_have_count(0)
    page.go_back()  # the page loaded again (a headless Chromium keeps no page whole)
    page.wait_for_url("**status=done")
    expect(rows).to_have_count(2)
    expect(status).to_have_value("done")

    # A page kept whole in the back-forward cache comes back as it was left: changed boxes,
    # a team chosen in the search box, are put back as the list was served.
    pick(page, "Team", "Platform")
    status.select_option("paused")
    page.evaluate(
        """() => window.dispatchEvent(new PageTransitionEvent("pageshow", {persisted: true}))"""
    )
    expect(status).to_have_value("done")
    expect(page.get_by_role("combobox", name="Team")).to_have_value("")
    assert page.evaluate(
        "() => new FormData(document.querySelector('form.initiative-filters')).get('team')"
    ) in ("", None)
    # The team box still searches (htmx's behaviour given again to the form put back).
    pick(page, "Team", "Platform")
