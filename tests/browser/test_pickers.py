"""Choosing a person through a form's search box, with the keyboard, and saving it; text
typed and not chosen is matched exactly or refused, never dropped."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.org.models import Membership, Team
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
    # Typing again undoes the choice: text that is no one's name is refused, not dropped.
    box.fill("Vic")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("#id_person-not-chosen")).to_have_text("Choose a person from the list.")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_value("Vic")
    assert not Membership.objects.filter(person=cast.viewer).exists()


def test_a_parent_typed_in_full_and_tabbed_past_is_chosen(page, shot, cast):
    """The reviewer's case: "platform" typed into Parent, Tab, Create team. The team is
    created under Platform, not at the top of the tree."""
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.admin.email, "/o/acme/teams/new/")
    page.get_by_label("Name").fill("Growth")
    box = page.get_by_role("combobox", name="Parent")
    box.fill("platform")
    box.press("Tab")
    expect(box).to_have_value("Platform")  # chosen: its exact name, any case
    expect(page.locator("#id_parent-not-chosen")).to_be_hidden()
    page.get_by_role("button", name="Create team").click()
    expect(page.locator(".messages")).to_contain_text("Team Growth created.")
    assert Team.objects.get(org=cast.org, name="Growth").parent_id == cast.platform.pk


def test_a_parent_that_names_no_team_is_refused_and_kept(page, shot, cast):
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.admin.email, "/o/acme/teams/new/")
    page.get_by_label("Name").fill("Growth")
    box = page.get_by_role("combobox", name="Parent")
    box.fill("Plat")
    box.press("Tab")
    error = page.locator("#id_parent-not-chosen")
    expect(error).to_have_text("Choose a team from the list.")
    expect(box).to_have_attribute("aria-invalid", "true")
    shot(page, "not-chosen")
    page.get_by_role("button", name="Create team").click()
    expect(error).to_be_visible()
    expect(box).to_have_value("Plat")
    assert page.url.endswith("/o/acme/teams/new/")
    assert not Team.objects.filter(org=cast.org, name="Growth").exists()
    # Sent at once, without leaving the box: the exact name is chosen before it goes.
    box.fill("PLATFORM")
    expect(error).to_be_hidden()
    page.evaluate("document.getElementById('id_parent').form.requestSubmit()")
    expect(page.locator(".messages")).to_contain_text("Team Growth created.")
    assert Team.objects.get(org=cast.org, name="Growth").parent_id == cast.platform.pk
