""" "Load more" on the activity feed and "More sub-teams" in the team tree, with the keyboard:
the next rows come in place, and the keyboard is on the first of them (read out by a screen
reader), not back at the top of the page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.org import queries
from accord.org import services as org_services
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _focused_text(page) -> str:
    return page.evaluate(
        "() => document.activeElement === document.body ? '' :"
        " document.activeElement.textContent.replace(/\\s+/g, ' ').trim()"
    )


def test_load_more_on_the_activity_feed_puts_the_keyboard_on_the_first_new_event(page, cast):
    for n in range(55):  # more than a page (50) of events
        org_services.create_team(cast.org, None, name=f"Squad {n:02d}", slug=f"squad-{n:02d}")
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.admin.email, "/o/acme/activity/")
    events = page.locator("ol.feed > li.event")
    expect(events).to_have_count(50)
    more = page.get_by_role("link", name="Load more")
    more.focus()
    page.keyboard.press("Enter")
    expect(events).not_to_have_count(50)
    page.wait_for_function("() => document.activeElement.matches('ol.feed > li.event')")
    first_new = events.nth(50)
    assert first_new.evaluate("(li) => li === document.activeElement")
    assert _focused_text(page) == first_new.evaluate(
        "(li) => li.textContent.replace(/\\s+/g, ' ').trim()"
    )


def test_more_sub_teams_puts_the_keyboard_on_the_first_new_team(page, cast, monkeypatch):
    monkeypatch.setattr(queries, "LIST_PAGE", 2)
    for name in ("Alpha", "Bravo", "Charlie"):
        org_services.create_team(cast.org, None, name=name, slug=name.lower(), parent=cast.platform)
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.admin.email, "/o/acme/teams/?parent=platform")
    more = page.get_by_role("link", name="More sub-teams of Platform")
    more.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Charlie", exact=True)).to_be_visible()
    page.wait_for_function("() => document.activeElement.matches('li.tree__row')")
    assert _focused_text(page).startswith("Charlie")
