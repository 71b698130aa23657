"""Long text typed in a form sent as a whole page is not lost with the page: a check-in sent
while offline leaves for the browser's error page, and Back (or opening the check-in again)
finds the highlights filled in again, said so. Once the check-in is saved the draft is gone:
the form opened again shows what was saved, with nothing "filled in again"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.rhythm.models import CheckIn
from tests.browser.conftest import open_signed_in
from tests.rhythm.conftest import check_in_owed, rhythm  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TYPED = "Shipped the cache layer: p99 down by 40 %.\nNext: the read replicas."
FILLED_AGAIN = "What you typed here before was not saved, so it is filled in again"


def test_a_check_in_sent_offline_is_filled_in_again_after_back(page, cast, rhythm):  # noqa: F811
    page.set_default_navigation_timeout(60_000)
    _, checkin = check_in_owed(cast, rhythm, name="Deploys per week", start=2, target=20)
    open_signed_in(page, cast.member.email, "/o/acme/rhythm/")
    page.goto(checkin)
    page.get_by_label("Highlights").fill(TYPED)
    page.context.set_offline(True)
    page.get_by_role("button", name="Submit check-in").click()
    page.wait_for_timeout(1500)  # the browser's "no internet" page takes the form's place
    page.context.set_offline(False)
    page.go_back()
    if not page.url.endswith("/checkin/"):  # Back went past it: opened again from My week
        page.goto(checkin)
    expect(page.get_by_label("Highlights")).to_have_value(TYPED)
    expect(page.locator(".kept-form-said")).to_contain_text(FILLED_AGAIN)
    assert not CheckIn.objects.filter(person=cast.member).exists()

    # Sent again, saved: the draft is gone with it.
    page.get_by_role("button", name="Submit check-in").click()
    expect(page.get_by_text("Check-in for Weekly team check-in · Platform saved")).to_be_visible()
    assert CheckIn.objects.get(person=cast.member).highlights.replace("\r\n", "\n") == TYPED
    page.goto(checkin)
    expect(page.get_by_label("Highlights")).to_have_value(TYPED)  # as saved
    expect(page.locator(".kept-form-said")).to_have_count(0)
    assert (
        page.evaluate(
            "() => Object.keys(sessionStorage).filter((k) => k.startsWith('accord:draft'))"
        )
        == []
    )


def test_a_page_left_before_sending_keeps_its_draft_until_it_is_emptied(page, cast, rhythm):  # noqa: F811
    """Typed, then left without sending: opening the form again brings it back, said so;
    emptied by hand, nothing comes back the next time."""
    page.set_default_navigation_timeout(60_000)
    _, checkin = check_in_owed(cast, rhythm, name="Deploys per week", start=2, target=20)
    open_signed_in(page, cast.member.email, checkin)
    page.get_by_label("Highlights").fill("Half a thought")
    page.goto("/o/acme/rhythm/")
    page.goto(checkin)
    expect(page.get_by_label("Highlights")).to_have_value("Half a thought")
    expect(page.locator(".kept-form-said")).to_contain_text(FILLED_AGAIN)
    page.get_by_label("Highlights").fill("")
    page.goto(checkin)
    expect(page.get_by_label("Highlights")).to_have_value("")
    expect(page.locator(".kept-form-said")).to_have_count(0)


def test_a_draft_is_never_filled_in_for_another_login_on_the_same_tab(page, cast, rhythm):  # noqa: F811
    """A shared computer: one person types and leaves the page unsent, the session ends and
    someone else signs in on the same tab. What the first typed is dropped, not offered."""
    page.set_default_navigation_timeout(60_000)
    _, checkin = check_in_owed(cast, rhythm, name="Deploys per week", start=2, target=20)
    open_signed_in(page, cast.member.email, checkin)
    page.get_by_label("Highlights").fill("Only mine to read")
    page.goto("/o/acme/rhythm/")
    drafts = "() => Object.keys(sessionStorage).filter((k) => k.startsWith('accord:draft'))"
    assert len(page.evaluate(drafts)) == 1
    page.context.clear_cookies()  # signed out; the tab and its storage stay
    open_signed_in(page, cast.admin.email, "/o/acme/rhythm/")
    assert page.evaluate(drafts) == []
