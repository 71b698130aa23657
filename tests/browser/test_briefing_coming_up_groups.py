"""A department head's briefing on the demo: under "Coming up", the sub-headings "Yours"
and "Your teams'" are drawn smaller than the section's own heading, and no two lines of
their teams' meetings read the same (each says whose meeting it is). In Debian's
Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAD_OF_ENGINEERING = "hana.okafor@northwind.example"


def test_coming_ups_groups_read_under_it_and_its_lines_apart(page, shot):
    demo.load()
    open_signed_in(page, HEAD_OF_ENGINEERING, "/o/northwind/briefings/latest/")
    coming = page.locator("section[data-section='coming_up']")
    expect(coming.locator("h3.briefing-group").first).to_be_visible()
    section_px, group_px = coming.evaluate(
        "s => [s.querySelector('h2'), s.querySelector('h3.briefing-group')]"
        ".map(h => parseFloat(getComputedStyle(h).fontSize))"
    )
    assert group_px < section_px, (group_px, section_px)
    lines = coming.locator("li:not(.briefing-more)").all_inner_texts()
    assert len(lines) == len(set(lines)), lines
    teams = coming.locator("h3.briefing-group + ul li:not(.briefing-more)")
    meetings = [t for t in teams.all_inner_texts() if t.startswith("Weekly team sync")]
    assert meetings and all(t.startswith("Weekly team sync (") for t in meetings), meetings
    shot(page, "coming-up")
