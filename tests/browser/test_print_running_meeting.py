"""A running meeting printed (or saved as a PDF) gives the agenda and what was recorded so
far, not the forms it is run with: each section's notes as text, whole, as typed in its box
(saved or not yet), nothing for a section without notes; the action items, decisions,
headlines and who is present as lists; no boxes, buttons, ticks or the wrap-up form."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.decisions import services as decisions
from accord.rhythm import services
from tests.browser.conftest import open_signed_in
from tests.browser.test_print import A4_WIDTH, _within_the_page
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin
LONG = "Leo: hire a contractor for the release train, " * 12


def test_a_printed_running_meeting_has_its_notes_as_text_and_no_forms(page, cast, rhythm):  # noqa: F811
    decisions.raise_issue(cast.org, None, cast.platform, "Flaky release builds")
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    services.save_notes(cast.org, cast.leader, m, "issues", "Mia: CI is slow\n" + LONG)
    services.add_action_item(
        cast.org, cast.leader, m, title="Book the offsite room", owner=cast.member
    )
    open_signed_in(page, cast.leader.email, f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{m.key}/")
    # Typed, not saved yet: what the box holds is what the paper says.
    page.get_by_label("Notes on Headlines").fill("Ada: the board meets on Friday")
    expect(page.locator("textarea").first).to_be_visible()

    page.set_viewport_size({"width": A4_WIDTH, "height": 1000})
    page.emulate_media(media="print")
    expect(page.locator("textarea:visible")).to_have_count(0)
    expect(page.locator("main input:visible")).to_have_count(0)
    expect(page.locator("main button:visible")).to_have_count(0)
    expect(page.get_by_role("heading", name="Wrap-up", exact=True)).to_be_hidden()
    # The issues to solve, by rank: not the steps to solve, keep or escalate each.
    expect(page.locator("#ids")).to_contain_text("Flaky release builds")
    expect(page.locator("#ids summary:visible")).to_have_count(0)
    issues = page.locator("#section-issues .print-notes")
    expect(issues).to_be_visible()
    expect(issues).to_have_text("Mia: CI is slow\n" + LONG.strip())
    _within_the_page(page, issues)
    # Whole: not cut to a box's two lines.
    assert issues.evaluate("p => p.scrollHeight <= p.clientHeight + 1")
    expect(page.locator("#section-headlines .print-notes")).to_have_text(
        "Ada: the board meets on Friday"
    )
    expect(page.locator("#section-metrics .print-notes")).to_be_hidden()  # none taken
    expect(page.locator("#actions")).to_contain_text("Book the offsite room")
    attendance = page.locator("#attendance")
    expect(attendance.locator("li:visible", has_text=cast.member.name)).to_have_count(1)

    # Back on the screen: the boxes and forms again, the paper's text gone.
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    expect(page.get_by_label("Notes on Issues")).to_be_visible()
    expect(issues).to_be_hidden()
    expect(page.get_by_role("heading", name="Wrap-up", exact=True)).to_be_visible()
    expect(page.locator("#ids summary:visible").first).to_be_visible()
