"""A one-off meeting set up in a real browser: "Once (on the start date)" writes its rule
as it is picked and hides "Ends on"; the cadence's page says the day it is held, and its
edit form shows the choice again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.rhythm.models import Cadence
from accord.web.templatetags.dates import day
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_once_sets_up_a_single_meeting_on_its_start_date(page, shot, cast):
    page.set_default_timeout(30_000)
    held = timezone.localdate() + dt.timedelta(days=1)
    open_signed_in(page, cast.admin.email, "/o/acme/rhythm/cadences/new/")
    ends = page.get_by_label("Ends on")
    expect(ends).to_be_visible()
    page.get_by_label("Repeats").select_option("once")
    expect(ends).to_be_hidden()
    expect(page.get_by_label("Advanced: rule")).to_have_value("FREQ=DAILY;COUNT=1")
    page.get_by_label("Name").fill("Login outage review")
    page.get_by_label("Scope").select_option("org")
    page.get_by_label("Time", exact=True).fill("14:00")
    page.get_by_label("Time zone").select_option("Europe/Berlin")
    page.get_by_label("Starts on").fill(held.isoformat())
    page.get_by_label("Agenda sections").fill("What happened | none | 10\nIssues | issues | 20")
    shot(page, "form")
    page.get_by_role("button", name="Set up cadence").click()
    expect(page.get_by_text("Login outage review set up.")).to_be_visible()
    expect(page.get_by_text(f"Once, on {day(held)} at 14:00 Europe/Berlin")).to_be_visible()
    shot(page, "cadence")
    cadence = Cadence.objects.get(org=cast.org, name="Login outage review")
    assert [s["title"] for s in cadence.agenda] == ["What happened", "Issues"]
    page.goto(f"/o/acme/rhythm/cadences/{cadence.pk}/edit/")
    expect(page.get_by_label("Repeats")).to_have_value("once")
    expect(page.get_by_label("Ends on")).to_be_hidden()
