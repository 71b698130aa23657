"""Reopening a meeting's minutes in a real browser: the control sits level with the buttons
beside it, closed and open, and the reopened meeting's rating boxes hold the ratings given."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.rhythm import services
from tests.browser.conftest import open_signed_in
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STARTS = utc(2026, 11, 9, 9, 0)  # the weekly sync, Monday 10:00 in Berlin: long past


def _middle(locator) -> float:
    box = locator.bounding_box()
    assert box is not None
    return box["y"] + box["height"] / 2


def test_the_reopen_control_is_level_and_the_ratings_come_back(page, shot, cast, rhythm):  # noqa: F811
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    m = services.start_meeting(cast.org, cast.leader, m, now=STARTS)
    services.finish_meeting(cast.org, cast.leader, m, ratings={cast.leader.pk: 7}, now=STARTS)
    open_signed_in(
        page, cast.leader.email, f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/20261109T090000Z/"
    )
    actions = page.locator(".pagehead .actions")
    calendar = actions.get_by_role("link", name="Add to calendar (.ics)")
    reopen = actions.locator("summary", has_text="Reopen")
    # Level with the button beside it (to the pixel: rounding aside), closed and open.
    assert abs(_middle(reopen) - _middle(calendar)) < 1
    shot(page, "closed")
    reopen.click()
    expect(page.get_by_label("Why (optional)")).to_be_visible()
    assert abs(_middle(reopen) - _middle(calendar)) < 1
    shot(page, "open")
    page.get_by_role("button", name="Reopen the meeting").click()
    expect(page.get_by_role("heading", name="Wrap-up", exact=True)).to_be_visible()
    ratings = page.get_by_role("group", name="Ratings, 1 to 10")
    expect(ratings.get_by_label(cast.leader.name, exact=True)).to_have_value("7")
    shot(page, "reopened")
