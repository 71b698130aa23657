"""Pages that load a part with JavaScript still lead somewhere without it: the dependency
map (drawn by a script) links to the same dependencies as a list and its filters can be
sent; a team's health panel (loaded by htmx) is a link to the team's insights, not a
"Loading…" that never ends."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        base_url=live_server.url,
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.set_default_navigation_timeout(60_000)
    yield page
    context.close()


def test_the_dependency_map_without_script_links_to_the_list(page, cast):
    open_signed_in(page, cast.member.email, f"/o/acme/coordination/map/?team={cast.platform.pk}")
    expect(page.get_by_text("Loading the map…")).to_be_hidden()
    expect(page.locator("#map-noscript")).to_contain_text(
        "The map is drawn with JavaScript, which is off in this browser."
    )
    link = page.get_by_role("link", name="See these dependencies as a list")
    expect(link).to_have_attribute("href", "/o/acme/coordination/list/?team=platform")
    # The filters are sent as a whole page: one state, and the list link follows.
    for box in page.locator("input[name=state]").all():
        box.set_checked(box.get_attribute("value") == "accepted")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"state=accepted"))
    expect(page.locator("input[name=state][value=accepted]")).to_be_checked()
    expect(page.locator("input[name=state][value=requested]")).not_to_be_checked()
    expect(link).to_have_attribute(
        "href", "/o/acme/coordination/list/?team=platform&state=accepted"
    )
    link.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dependencies")


def test_a_teams_health_without_script_is_a_link(page, cast):
    open_signed_in(page, cast.member.email, "/o/acme/teams/platform/")
    expect(page.get_by_text("Loading the health")).to_have_count(0)
    link = page.get_by_role("link", name="See Platform\u2019s health and signals")
    expect(link).to_have_attribute("href", f"/o/acme/insights/?scope={cast.platform.pk}")
