"""The keyboard in the palette and the search boxes: the first Escape closes the Ctrl-K
palette (as its hint says), Enter in a person's search box chooses the only match."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_first_escape_closes_the_palette_with_text_typed(page, cast):
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/")
    palette = page.locator("#palette")
    page.keyboard.press("Control+k")
    expect(palette).to_be_visible()
    expect(palette).to_contain_text("Esc to close")
    box = page.get_by_role("combobox", name="Find or go to")
    box.fill("plat")
    box.press("Escape")
    expect(palette).to_be_hidden()
    # Empty, the box leaves the Escape to the dialog, which closes as before.
    page.keyboard.press("Control+k")
    expect(palette).to_be_visible()
    box.fill("")
    box.press("Escape")
    expect(palette).to_be_hidden()


def test_enter_chooses_the_only_match_and_waits_among_several(page, cast):
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.admin.email, "/o/acme/activity/")
    box = page.get_by_role("combobox", name="Who")
    options = page.locator("#id_actor-options [role=option]")
    box.fill("e")  # Leo Leader, Vic Viewer, …: several, none highlighted
    expect(page.locator("#id_actor-options")).to_be_visible()
    page.wait_for_function(
        "() => document.querySelectorAll('#id_actor-options [role=option]').length > 1"
    )
    box.press("Enter")  # chooses nothing, sends nothing
    expect(box).to_have_value("e")
    expect(page.locator("#id_actor-options")).to_be_visible()
    assert "actor=" not in page.url
    box.fill("Leo Leader")
    expect(options).to_have_count(1)
    box.press("Enter")
    expect(box).to_have_value("Leo Leader")
    expect(page.locator("#id_actor-options")).to_be_hidden()
    assert page.locator("input[name=actor]").input_value() == str(cast.leader.pk)
