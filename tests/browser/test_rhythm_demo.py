"""The demo login's own week, in a real browser: Maya (lead of the root team) owes this
week's leadership check-in, meets the department heads within seven days, and has an
action item from the last leadership sync."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_maya_sees_a_meaningful_week_in_the_demo(page, shot):
    org = demo.load()
    open_signed_in(page, "maya.chen@northwind.example", f"/o/{org.slug}/rhythm/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My week")
    checkins = page.get_by_role("region", name="Check-ins")
    expect(checkins.get_by_role("link", name="Check in for Leadership check-in")).to_be_visible()
    meetings = page.get_by_role("region", name="Meetings")
    # The next sync (and, within the hour it runs, the one going on and next week's too).
    expect(meetings.get_by_role("link", name="Leadership sync").first).to_be_visible()
    due = page.get_by_role("region", name="Due")
    expect(due.get_by_text("Share the board update draft")).to_be_visible()
    shot(page, "my-week")
    meetings.get_by_role("link", name="Leadership sync").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Leadership sync")
    shot(page, "next-sync")
