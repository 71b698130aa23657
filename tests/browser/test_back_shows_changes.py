"""Back to a page after changing something shows the change: signed-in pages are not
kept by the browser (`web.middleware`), so home, reached again with Back after an action
item was marked done on its page, no longer lists it.

Playwright turns Chromium's back-forward cache off (`--disable-back-forward-cache`); a
person's Chromium has it on, so this journey runs in a Chromium with it on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.decisions import services as decisions
from tests.browser.conftest import ARGS, CHROMIUM, open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def everyday_page(browser, live_server):
    """A page of a Chromium that keeps pages whole for Back, as people's do."""
    everyday = browser.browser_type.launch(
        executable_path=CHROMIUM, args=ARGS, ignore_default_args=["--disable-back-forward-cache"]
    )
    context = everyday.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    yield context.new_page()
    everyday.close()


def test_back_to_home_after_marking_an_item_done_no_longer_lists_it(everyday_page, cast):
    page = everyday_page
    decisions.create_action_item(cast.org, cast.member, "Send the rota", owner=cast.member)
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/")
    items = page.get_by_role("list", name="Your action items")
    items.get_by_role("link", name="Send the rota").click()
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("Done: Send the rota.")).to_be_visible()
    # A page kept whole comes back without loading ("load" is not fired again).
    # Each step back is let settle before the next: a page restored from the back-forward
    # cache swaps the frame Playwright drives, and a second step sent meanwhile finds none.
    page.go_back(wait_until="commit")
    page.wait_for_load_state("domcontentloaded")
    page.go_back(wait_until="commit")
    page.wait_for_url("**/o/acme/", wait_until="commit")
    expect(page.get_by_text("You own no open initiatives or action items")).to_be_visible()
    expect(items).to_have_count(0)
