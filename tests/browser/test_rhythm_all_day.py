"""An all-day cadence set up in a real browser: "All day" hides the time and the duration,
on a laptop and on a phone, and the cadence's page shows its dates as dates."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.rhythm.models import Cadence
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_all_day_hides_the_time_and_sets_up_a_release_day(page, shot, cast):
    # The live server's first answer (its imports) can take seconds on a busy machine.
    page.set_default_timeout(30_000)
    open_signed_in(page, cast.admin.email, "/o/acme/rhythm/cadences/new/")
    all_day = page.get_by_label("All day")
    time = page.get_by_label("Time", exact=True)
    duration = page.get_by_label("Duration minutes")
    expect(time).to_be_visible()
    all_day.check()
    expect(time).to_be_hidden()
    expect(duration).to_be_hidden()
    all_day.uncheck()
    expect(time).to_be_visible()
    # On a phone the same form fits the screen and the box works the same way.
    page.set_viewport_size({"width": 390, "height": 844})
    all_day.check()
    expect(time).to_be_hidden()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "form-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Name").fill("Release day")
    page.get_by_label("Scope").select_option("org")
    page.get_by_label("Repeats").select_option("custom")
    page.get_by_label("Advanced: rule").fill("FREQ=WEEKLY;INTERVAL=6")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Starts on").fill("2026-11-03")
    shot(page, "form")
    page.get_by_role("button", name="Set up cadence").click()
    expect(page.get_by_text("Release day set up.")).to_be_visible()
    expect(page.get_by_text("dates, not meetings")).to_be_visible()
    expect(page.get_by_role("heading", name="Dates reached")).to_be_visible()
    expect(page.get_by_text("(all day)").first).to_be_visible()
    shot(page, "cadence")
    cadence = Cadence.objects.get(org=cast.org, name="Release day")
    assert (cadence.all_day, cadence.time, cadence.duration_minutes) == (True, None, None)
    # Editing it, the box is ticked and the time stays hidden.
    page.goto(f"/o/acme/rhythm/cadences/{cadence.pk}/edit/")
    expect(page.get_by_label("All day")).to_be_checked()
    expect(page.get_by_label("Time", exact=True)).to_be_hidden()
