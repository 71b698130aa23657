"""Choosing a person through a form's search box, with the keyboard, and saving it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.org.models import Membership
from accord.web import pickers
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_picks_a_person_through_the_search_box_and_saves_it(page, shot, cast, monkeypatch):
    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 0)  # as in a large organization
    page.set_default_navigation_timeout(60_000)  # the live server's first page is slow
    open_signed_in(page, cast.admin.email, "/o/acme/teams/platform/")
    page.get_by_text("Add a member").click()
    box = page.get_by_role("combobox", name="Person")
    expect(box).to_be_visible()
    box.fill("vic")
    option = page.get_by_role("option", name="Vic Viewer")
    expect(option).to_be_visible()
    # Focusing the box asked for everyone; wait for the answer to what was typed.
    expect(page.locator("#id_person-options [role=option]")).to_have_count(1)
    shot(page, "matches")
    box.press("ArrowDown")
    expect(option).to_have_attribute("aria-selected", "true")
    # An answer arriving now (a late one to the same text) keeps the highlighted match.
    page.evaluate(
        """() => { const box = document.getElementById("id_person");
                   return htmx.ajax("GET", box.getAttribute("hx-get"),
                                    {source: box, target: "#id_person-options"}); }"""
    )
    expect(option).to_have_attribute("aria-selected", "true")
    box.press("Enter")  # chooses; does not submit the form
    expect(box).to_have_value("Vic Viewer")
    expect(page.get_by_role("listbox")).to_be_hidden()
    page.get_by_label("Allocation %").fill("20")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text("Vic Viewer")
    shot(page, "saved")
    membership = Membership.objects.get(person=cast.viewer, team=cast.platform)
    assert membership.allocation == 20


def test_on_a_phone_the_choices_fit_and_a_retyped_name_is_not_a_choice(
    page, shot, cast, monkeypatch
):
    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 0)
    page.set_default_navigation_timeout(60_000)
    page.set_viewport_size({"width": 390, "height": 844})
    open_signed_in(page, cast.admin.email, "/o/acme/teams/platform/")
    page.get_by_text("Add a member").click()
    box = page.get_by_role("combobox", name="Person")
    box.fill("vic")
    option = page.get_by_role("option", name="Vic Viewer")
    expect(option).to_be_visible()
    expect(page.locator("#id_person-options [role=option]")).to_have_count(1)
    listbox = page.get_by_role("listbox").bounding_box()
    assert listbox and listbox["x"] >= 0 and listbox["x"] + listbox["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "phone-matches")
    option.click()
    expect(box).to_have_value("Vic Viewer")
    # Typing again undoes the choice: only a picked name is a choice.
    box.fill("Vic Viewer")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Nobody was added")
    expect(page.locator("#id_person-error")).to_contain_text("required")  # beside the box
    assert not Membership.objects.filter(person=cast.viewer).exists()
