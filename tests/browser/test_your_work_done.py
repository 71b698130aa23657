"""A member finishes an action item from home with the keyboard: Done puts "Your action
items" in place, the keyboard lands on what it did, and its Undo brings the item back."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.decisions import services as decisions
from accord.decisions.models import ActionItem, ActionStatus
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_done_on_home_in_place_then_undo(page, cast, shot):
    decisions.create_action_item(cast.org, None, "Send the notes", cast.member)
    decisions.create_action_item(cast.org, None, "Book the room", cast.member)
    open_signed_in(page, cast.member.email)
    items = page.locator("#work-items")
    before = page.url
    done = items.get_by_role("button", name="Mark “Send the notes” done")
    done.focus()
    page.keyboard.press("Enter")
    said = items.get_by_role("status")
    expect(said).to_contain_text("Done: Send the notes.")
    expect(said).to_be_focused()
    expect(items.get_by_role("link", name="Send the notes")).to_have_count(0)
    expect(items.get_by_role("link", name="Book the room")).to_be_visible()
    assert page.url == before  # in place, not a new page
    assert ActionItem.objects.get(title="Send the notes").status == ActionStatus.DONE
    shot(page, "home-done-in-place")
    items.get_by_role("button", name="Undo").click()
    expect(page.locator(".messages")).to_contain_text("Reopened: Send the notes.")
    expect(page.locator("#work-items").get_by_role("link", name="Send the notes")).to_be_visible()
    assert re.search(r"#work-items$", page.url)
