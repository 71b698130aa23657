"""Next up: a team's proposed work, put in order by keyboard and by drag, apart from its
priority stack."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.alignment import services as s
from accord.alignment.models import Initiative
from tests.browser.conftest import OpenRequests, has_focus, open_signed_in
from tests.browser.test_accessibility import PHONE, axe_page, violations  # noqa: F401
from tests.browser.test_alignment import drag

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _make(cast, titles, status):
    return [
        s.create_initiative(cast.org, None, team=cast.platform, title=t, status=status)
        for t in titles
    ]


def _saved(cast):
    return list(
        Initiative.objects.filter(team=cast.platform, status="proposed")
        .order_by("next_rank")
        .values_list("title", flat=True)
    )


def test_next_up_moves_by_keyboard_and_keeps_the_focus_on_the_item(page, shot, cast):
    _make(cast, ("Edge cache", "Search revamp"), "active")
    replicas, *_ = _make(cast, ("Read replicas", "Rate limiting", "Service mesh"), "proposed")
    open_signed_in(page, cast.admin.user.email, "/o/acme/alignment/teams/platform/")
    items = page.locator("#next-up-list .stack-item")
    expect(items.locator("a")).to_have_text(["Read replicas", "Rate limiting", "Service mesh"])
    page.get_by_role("button", name="Move Read replicas down in Next up").focus()
    page.keyboard.press("Enter")
    expect(items.locator("a")).to_have_text(["Rate limiting", "Read replicas", "Service mesh"])
    has_focus(page, f"move-{replicas.pk}-down")
    page.keyboard.press("Enter")
    expect(items.locator("a")).to_have_text(["Rate limiting", "Service mesh", "Read replicas"])
    has_focus(page, f"move-{replicas.pk}-up")  # at the bottom: its other button
    expect(page.locator("#next-up-list .rank")).to_have_text(["1", "2", "3"])
    assert _saved(cast) == ["Rate limiting", "Service mesh", "Read replicas"]
    # The stack is another list: untouched.
    expect(page.locator("#stack-list .stack-item a")).to_have_text(["Edge cache", "Search revamp"])
    shot(page, "next-up-keyboard")


def test_next_up_moves_by_drag_and_says_so(page, shot, cast):
    _make(cast, ("Edge cache",), "active")
    _make(cast, ("Read replicas", "Rate limiting", "Service mesh"), "proposed")
    open_signed_in(page, cast.admin.user.email, "/o/acme/alignment/teams/platform/")
    page.locator("#next-up-list").scroll_into_view_if_needed()  # below the stack
    drag(page, "Service mesh", "Read replicas")
    expect(page.locator("#next-up-status")).to_contain_text("Service mesh moved to position 1")
    expect(page.locator("#next-up-list .stack-item a")).to_have_text(
        ["Service mesh", "Read replicas", "Rate limiting"]
    )
    assert _saved(cast) == ["Service mesh", "Read replicas", "Rate limiting"]
    page.reload()
    expect(page.locator("#next-up-list .stack-item a")).to_have_text(
        ["Service mesh", "Read replicas", "Rate limiting"]
    )


def test_the_team_page_with_next_up_has_no_serious_accessibility_violations(
    axe_page,  # noqa: F811
    cast,
):
    _make(cast, ("Edge cache", "Search revamp"), "active")
    _make(cast, ("Read replicas", "Rate limiting"), "proposed")
    _make(cast, ("Old idea",), "paused")
    page = axe_page
    requests = OpenRequests(page)
    open_signed_in(page, cast.admin.user.email, "/o/acme/alignment/teams/platform/")
    expect(page.locator("#next-up-list .stack-item")).to_have_count(2)
    assert violations(page, requests) == []
    page.set_viewport_size(PHONE)
    page.reload()
    assert violations(page, requests) == []
