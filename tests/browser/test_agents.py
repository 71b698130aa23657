"""An owner adds an agent, sees it marked on the people list (laptop and phone), gives it a
token and pauses it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord.org.models import Person
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_adds_an_agent_sees_it_listed_and_pauses_it(page, shot, cast):
    page.set_default_navigation_timeout(120_000)  # the live server's first page is slow
    page.set_default_timeout(30_000)
    open_signed_in(page, cast.member.email, "/o/acme/people/")
    page.get_by_role("link", name="Add agent").click()
    page.get_by_label("Name").fill("Release bot")
    page.get_by_label("What it does").fill("Posts release notes")
    page.get_by_role("button", name="Add agent").click()
    expect(page.get_by_role("heading", name="Release bot", exact=True)).to_be_visible()
    expect(page.locator(".agent-card")).to_contain_text("acting on behalf of Mia Member")

    tokens = page.locator("#agent-tokens")
    tokens.locator("input[name=name]").fill("ci")
    tokens.locator("select[name=scope]").select_option("report")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token")).to_have_value(re.compile(r"^acc_"))
    # Shown once: copied in one click (the button says so, then reads "Copy" again).
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    copy = page.locator("button[data-copy=new-token]")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("Copied")
    assert (
        page.evaluate("navigator.clipboard.readText()") == page.locator("#new-token").input_value()
    )
    expect(copy).to_have_text("Copy")
    page.get_by_role("button", name="Pause Release bot").click()
    expect(page.get_by_role("button", name="Resume Release bot")).to_be_visible()
    shot(page, "agent")
    assert Person.objects.get(name="Release bot").paused_at is not None

    page.goto("/o/acme/people/")
    row = page.get_by_role("row").filter(has_text="Release bot")
    expect(row.locator(".tag--agent")).to_have_text("agent")
    expect(row).to_contain_text("on behalf of Mia Member")
    expect(row.locator(".tag--warn")).to_have_text("paused")
    shot(page, "people")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(row).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width} px)"
    shot(page, "people-phone")
