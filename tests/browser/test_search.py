"""Find anything in the browser: the top bar's box, the Ctrl-K palette and the shortcuts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_finds_opens_and_goes_anywhere_from_the_keyboard(page, shot, cast):
    page.set_default_navigation_timeout(60_000)  # the live server's first page is slow
    open_signed_in(page, cast.member.email, "/o/acme/")

    # Type in the top bar: the answer comes while typing; arrows and Enter open a result.
    box = page.get_by_role("combobox", name="Find anything")
    box.fill("plat")
    hit = page.locator("#topsearch-results [role=option]", has_text="Platform")
    expect(hit).to_be_visible()
    expect(hit).to_contain_text("Team")
    shot(page, "typing")
    box.press("ArrowDown")
    expect(hit).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/o/acme/teams/platform/$"))

    # Enter without choosing opens every result; another organization's team is not there.
    page.get_by_role("combobox", name="Find anything").fill("labs")
    page.get_by_role("combobox", name="Find anything").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search")
    expect(page.get_by_role("status")).to_contain_text("Nothing matches")

    # Ctrl-K: the palette finds things and pages alike.
    page.locator("body").press("Control+k")
    palette = page.get_by_role("dialog", name="Command palette")
    expect(palette).to_be_visible()
    palette.get_by_role("combobox").fill("peo")
    go = palette.locator("[role=option]", has_text="Go to People")
    expect(go).to_be_visible()
    shot(page, "palette")
    # The first result is chosen as it comes: Enter goes there, as palettes do.
    expect(go).to_have_attribute("aria-selected", "true")
    palette.get_by_role("combobox").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("People")

    # ? lists the shortcuts; g t goes to the teams.
    page.locator("body").press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("Teams")
    # readable: the links are not the top bar's white on the dialog's white
    teams = shortcuts.get_by_role("link", name="Teams")
    colours = teams.evaluate(
        "a => [getComputedStyle(a).color, getComputedStyle(a.closest('dialog')).backgroundColor]"
    )
    assert colours[0] != colours[1] and colours[0] != "rgb(255, 255, 255)", colours
    shot(page, "shortcuts")
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()
    page.keyboard.press("g")
    page.keyboard.press("t")
    expect(page).to_have_url(re.compile(r"/o/acme/teams/$"))

    # On a phone the box gives way to a button; / opens the palette there.
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("combobox", name="Find anything")).to_be_hidden()
    button = page.get_by_role("button", name="Find anything")
    expect(button).to_be_visible()
    # In the top bar, not floating over the page's content.
    bar, box = page.locator(".topbar").bounding_box(), button.bounding_box()
    assert box["y"] >= bar["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"]
    page.keyboard.press("/")
    expect(palette).to_be_visible()
    palette.get_by_role("combobox").fill("mia")
    expect(palette.locator("[role=option]", has_text="Mia Member")).to_be_visible()
    shot(page, "phone")
