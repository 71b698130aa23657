"""A refused form takes the keyboard to what to correct, also for a keyboard user who came
by "Skip to content": the error summary has the focus (and is read out), not the page's
main part that the skip link named."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.rhythm.models import CheckIn
from tests.browser.conftest import has_focus, open_signed_in
from tests.rhythm.conftest import check_in_owed, rhythm  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def refuse(page) -> None:
    page.get_by_label("Deploys per week").fill("lots")
    page.get_by_role("button", name="Submit check-in").click()
    expect(page.locator("#checkin-errors")).to_contain_text("Nothing was saved")


def test_the_skip_link_then_a_refused_check_in_focuses_the_error_summary(page, cast, rhythm):  # noqa: F811
    _, path = check_in_owed(cast, rhythm, name="Deploys per week", start=2, target=20)
    open_signed_in(page, cast.member.email, path)
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    has_focus(page, "main")
    refuse(page)
    has_focus(page, "checkin-errors")
    assert not CheckIn.objects.exists()


def test_a_refused_check_in_from_an_address_naming_main_focuses_the_error_summary(
    page,
    cast,
    rhythm,  # noqa: F811
):
    _, path = check_in_owed(cast, rhythm, name="Deploys per week", start=2, target=20)
    open_signed_in(page, cast.member.email, path + "#main")
    refuse(page)
    has_focus(page, "checkin-errors")
    assert page.evaluate(
        "() => { const r = document.getElementById('checkin-errors').getBoundingClientRect();"
        " return r.top >= 0 && r.top < window.innerHeight; }"
    )
