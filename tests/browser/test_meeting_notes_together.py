"""Two people take notes in the same section of a running meeting, each in their own
browser: both keep their lines, and each box shows the other's without a reload."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.rhythm import services
from accord.rhythm.models import Meeting
from tests.browser.conftest import open_signed_in
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin


def test_two_note_takers_keep_both_their_notes_and_see_each_others(
    page,
    browser,
    live_server,
    shot,
    cast,
    rhythm,  # noqa: F811
):
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    url = f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{m.key}/"
    other = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    try:
        mia = other.new_page()
        open_signed_in(page, cast.leader.email, url)
        open_signed_in(mia, cast.member.email, url)
        leo_box, mia_box = page.get_by_label("Notes on Issues"), mia.get_by_label("Notes on Issues")
        leo_box.fill("Leo: hire a contractor")
        mia_box.fill("Mia: CI is slow")
        page.get_by_role("button", name="Save notes on Issues").click()
        expect(page.locator("#saved-issues")).to_contain_text("Saved at")
        mia.get_by_role("button", name="Save notes on Issues").click()
        expect(mia.locator("#saved-issues")).to_contain_text(
            "merged with notes others saved meanwhile"
        )
        both = "Leo: hire a contractor\nMia: CI is slow"
        expect(mia_box).to_have_value(both)
        page.get_by_role("heading", level=1).click()  # out of the box: it takes what others saved
        expect(leo_box).to_have_value(both, timeout=15_000)  # asked every 5 seconds
        shot(mia, "notes-merged")
        assert Meeting.objects.get(pk=m.pk).notes["issues"] == both
    finally:
        other.close()
