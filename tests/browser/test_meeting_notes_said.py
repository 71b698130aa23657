"""Notes someone else saves in a running meeting show in the box without a reload, and a
screen reader user hears it in the section's status: "Notes on Issues updated by Mia
Member." Text being typed is not replaced (it is merged on save), and that is said too. When
the meeting is finished elsewhere, the page says so."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.rhythm import services
from tests.browser.conftest import open_signed_in
from tests.browser.live import listen, wait_said
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin
POLLED = 15_000  # the page asks every 5 seconds


def test_notes_saved_by_someone_else_are_said_and_typing_is_kept(page, cast, rhythm):  # noqa: F811
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, FIRST)
    m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, cast.leader.email, f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{m.key}/")
    issues = page.get_by_label("Notes on Issues")
    expect(issues).to_have_value("")
    services.save_notes(cast.org, cast.member, m, "issues", "Mia: CI is slow", base="")
    expect(issues).to_have_value("Mia: CI is slow", timeout=POLLED)
    expect(page.locator("#saved-issues")).to_have_text("Notes on Issues updated by Mia Member.")
    wait_said(page, "Notes on Issues updated by Mia Member.")

    # Being typed in (leaving the box saves it): kept as typed, and said that theirs will
    # be merged with it.
    issues.fill("Mia: CI is slow\nLeo: hire a contractor")
    m.refresh_from_db()
    theirs = "Mia: CI is slow\nMia: and flaky"
    services.save_notes(cast.org, cast.member, m, "issues", theirs, base="Mia: CI is slow")
    expect(page.locator("#saved-issues")).to_have_text(
        "Notes on Issues updated by Mia Member; yours are merged with them when you save.",
        timeout=POLLED,
    )
    expect(issues).to_have_value("Mia: CI is slow\nLeo: hire a contractor")

    # Finished elsewhere: said on the page.
    m.refresh_from_db()
    services.finish_meeting(cast.org, cast.leader, m)
    expect(page.locator("#agenda-status")).to_contain_text(
        "The meeting was finished", timeout=POLLED
    )
    wait_said(page, "The meeting was finished")
