"""A person or team search box in the middle of a form, with the keyboard only: Tab goes
through it to the next field (its list of matches is no stop of its own, and focusing the box
does not open it), and it says when it must be filled and when it was refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.decisions.models import Decision
from accord.org.models import Role
from tests.browser.conftest import OpenRequests, has_focus, open_signed_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _many_people(cast, n=15):
    """Enough people that the list of matches scrolls: a box that scrolls is a Tab stop in
    Chromium unless it is told it is not."""
    for i in range(n):
        make_person(cast.org, f"Pat Person{i:02d}", Role.MEMBER)


def _scrolls(page, list_id: str) -> bool:
    return page.evaluate(
        "(id) => { const l = document.getElementById(id);"
        " return l.scrollHeight > l.clientHeight; }",
        list_id,
    )


def test_tab_goes_through_the_approver_box_to_the_next_field(page, cast):
    _many_people(cast)
    page.set_default_navigation_timeout(60_000)
    requests = OpenRequests(page)
    open_signed_in(page, cast.admin.email, "/o/acme/decisions/new/")
    box = page.get_by_role("combobox", name="Approver")
    expect(box).to_have_attribute("aria-required", "true")
    page.get_by_label("Question").fill("Which event bus?")
    page.keyboard.press("Tab")
    has_focus(page, "id_approver")
    requests.settle()  # the matches fetched as the box got the focus have come
    # They wait for the arrow keys: Tab through a form opens no list over the next fields.
    expect(page.locator("#id_approver-options [role=option]")).not_to_have_count(0)
    expect(page.locator("#id_approver-options")).to_be_hidden()
    expect(box).to_have_attribute("aria-expanded", "false")
    page.keyboard.press("Tab")
    has_focus(page, "id_outcome")
    # Back in the box, the arrow keys open the matches, and Tab still goes to the next field.
    page.keyboard.press("Shift+Tab")
    has_focus(page, "id_approver")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_approver-options")).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    assert _scrolls(page, "id_approver-options"), "as in an organization of many people"
    page.keyboard.press("Tab")
    has_focus(page, "id_outcome")
    expect(page.locator("#id_approver-options")).to_be_hidden()


def test_after_a_refused_submit_the_box_says_why_and_tab_leaves_it(page, cast):
    _many_people(cast)
    page.set_default_navigation_timeout(60_000)
    requests = OpenRequests(page)
    open_signed_in(page, cast.admin.email, "/o/acme/decisions/new/")
    page.get_by_label("Question").fill("Which event bus?")
    page.get_by_role("button", name="Record decision").click()
    # Refused (no approver): the keyboard is on the box, which says it is invalid and why.
    has_focus(page, "id_approver")
    box = page.get_by_role("combobox", name="Approver")
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_have_attribute("aria-required", "true")
    expect(box).to_have_accessible_description(
        "The one person who decides. This field is required."
    )
    requests.settle()
    page.keyboard.press("ArrowDown")
    expect(page.locator("#id_approver-options")).to_be_visible()
    assert _scrolls(page, "id_approver-options")
    page.keyboard.press("Tab")
    has_focus(page, "id_outcome")
    assert not Decision.objects.filter(org=cast.org).exists()


def test_a_click_in_the_box_shows_the_matches(page, cast):
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.admin.email, "/o/acme/decisions/new/")
    page.get_by_role("combobox", name="Approver").click()
    expect(page.locator("#id_approver-options")).to_be_visible()
    page.get_by_role("option", name="Leo Leader").click()
    expect(page.get_by_role("combobox", name="Approver")).to_have_value("Leo Leader")
