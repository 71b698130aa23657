"""A member of Platform opens home on a phone and finds their own work and the objective it
serves, then goes to "my week" from the palette by its name."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accord import demo
from accord.org import services as org_services
from accord.org.models import Person
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MATEO = "mateo.johansson@northwind.example"


def test_a_member_finds_their_work_on_home_and_their_week_from_the_palette(page, shot):
    demo.load()
    mateo = Person.objects.get(email=MATEO)
    org_services.give_login(mateo.org, None, mateo, "a-long-password-42")
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, MATEO)

    work = page.locator("section.work")
    expect(work.get_by_role("heading", name="Your work")).to_be_visible()
    expect(work.get_by_role("link", name="Peak-season load tests")).to_be_visible()
    # The chain it serves: its key result, then the objective at the top.
    expect(work.locator(".work__serves").first).to_contain_text(re.compile(r"→ .+ · .+"))
    expect(work.get_by_role("heading", name="Your action items")).to_be_visible()
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "home-phone")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.keyboard.press("Control+k")
    page.get_by_role("combobox", name="Find or go to").fill("my week")
    expect(page.locator("#palette-results").get_by_role("option").first).to_contain_text("My week")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My week")
