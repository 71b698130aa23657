"""Updating a key result from Home's "Your key results to update", with the keyboard and a
screen reader: the row is swapped for the updated one, the keyboard stays on the button
pressed, and what was recorded is said. A milestone's Mark done the same."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.alignment.models import KeyResult
from tests.browser.conftest import has_focus, open_signed_in
from tests.browser.live import listen, wait_said

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _key_results(cast):
    today = timezone.localdate()
    period = alignment.create_period(
        cast.org,
        None,
        name="Now",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        state="active",
    )
    goal = alignment.create_objective(
        cast.org, None, title="Reliable platform", period=period, team=cast.platform
    )
    uptime = alignment.create_key_result(
        cast.org,
        None,
        goal,
        owner=cast.member,
        name="Availability",
        start=99.5,
        target=99.95,
        unit="%",
    )
    runbook = alignment.create_key_result(
        cast.org,
        None,
        goal,
        owner=cast.member,
        name="Runbook written",
        is_milestone=True,
        target=1,
    )
    return uptime, runbook


def test_a_value_recorded_from_home_is_said_and_the_keyboard_stays(page, cast):
    uptime, runbook = _key_results(cast)
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, cast.member.email, "/o/acme/")
    box = page.get_by_role("textbox", name="New value for Availability")
    box.fill("99.94")
    page.get_by_role("button", name="Update Availability").click()
    wait_said(page, "Recorded 99.94 % for Availability.")
    has_focus(page, f"my-kr-update-{uptime.pk}")
    expect(page.locator(f"#my-kr-{uptime.pk}")).to_contain_text("99.94 / 99.95 %")
    # Enter in the box: the keyboard stays in it.
    box.fill("99.93")
    box.press("Enter")
    wait_said(page, "Recorded 99.93 % for Availability.")
    has_focus(page, f"my-kr-value-{uptime.pk}")
    # A milestone: its button says which, keeps the focus as it turns, and says it.
    done = page.get_by_role("button", name="Mark done: Runbook written")
    done.click()
    wait_said(page, "Runbook written: marked done.")
    has_focus(page, f"my-kr-mark-{runbook.pk}")
    expect(page.get_by_role("button", name="Mark not done: Runbook written")).to_be_visible()
    runbook.refresh_from_db()
    assert runbook.current == 1
    assert KeyResult.objects.get(pk=uptime.pk).current == pytest.approx(99.93)


def test_on_the_objective_page_the_row_says_it_too(page, cast):
    uptime, _ = _key_results(cast)
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, cast.member.email, f"/o/acme/alignment/objectives/{uptime.objective_id}/")
    page.get_by_role("textbox", name="New value for Availability").fill("99.9")
    page.get_by_role("button", name="Update Availability").click()
    wait_said(page, "Recorded 99.9 % for Availability.")
    has_focus(page, f"kr-update-{uptime.pk}")
