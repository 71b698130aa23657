"""A leader reads this week's briefing on the demo and follows one of its lines to the
object behind it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord import demo
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEAD_OF_ENGINEERING = "hana.okafor@northwind.example"


def test_a_leader_reads_this_weeks_briefing_and_follows_a_line(page, shot):
    from django.utils import timezone

    from accord.briefings import compose
    from accord.org.models import Person

    demo.load()
    hana = Person.objects.get(email=HEAD_OF_ENGINEERING)
    week = compose.last_complete_week(timezone.now(), hana.timezone)
    days = week.span()  # "23-29 Nov 2026", with an en dash
    open_signed_in(page, HEAD_OF_ENGINEERING)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Briefings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My briefings")
    listed = page.get_by_test_id("briefings")
    expect(listed.locator("li")).to_have_count(4)
    expect(listed.locator("li").first).to_contain_text(f"Engineering: the week of {days}")
    # People read a week by its days; its ISO key ("2026-W48") stays in the URLs and API.
    expect(page.locator("main")).not_to_contain_text(week.label)
    page.get_by_role("link", name=f"Read last week's briefing ({days})").click()

    # The stored briefing of the last full week, about the team she leads.
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(f"Engineering: the week of {days}")
    expect(page.locator(".breadcrumbs")).to_have_text(f"My briefings / {days}")
    expect(page.locator("main")).not_to_contain_text(week.label)
    expect(page.get_by_test_id("briefing-headline")).to_contain_text("signal")
    # At least three sections; waits until the page has them.
    expect(page.locator("section.briefing-section").nth(2)).to_be_visible()
    shot(page, "briefing")

    # Every line links to its object; follow the first change.
    line = page.locator("section[data-section='changed'] li a, section[data-section] li a").first
    href = line.get_attribute("href")
    assert href and href.startswith("/o/northwind/")
    line.click()
    page.wait_for_load_state()
    assert page.url.endswith(href)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    shot(page, "followed")


def test_a_briefing_not_stored_yet_is_prepared_by_the_worker_and_the_page_updates(page, shot):
    from django.utils import timezone

    from accord.briefings import compose
    from accord.briefings.models import Briefing
    from accord.org.models import Person
    from tests.briefings.test_on_request import queued_builds, run_queued_builds

    demo.load()
    hana = Person.objects.get(email=HEAD_OF_ENGINEERING)
    week = compose.last_complete_week(timezone.now(), hana.timezone)
    Briefing.objects.filter(person=hana, week=week.label).delete()  # not stored yet
    open_signed_in(page, HEAD_OF_ENGINEERING, "/o/northwind/briefings/latest/")
    expect(page.get_by_test_id("briefing-pending")).to_contain_text(
        "Being prepared — this page updates when it is ready."
    )
    shot(page, "being-prepared")
    # The page asks again every 3 s: after the first answer, still nothing queued twice.
    poll = page.url
    with page.expect_response(lambda r: r.url == poll and "hx-request" in r.request.headers):
        pass
    assert len(queued_builds()) == 1

    run_queued_builds()  # the worker's turn
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        "Engineering: the week of", timeout=10_000
    )
    stored = Briefing.objects.get(person=hana, week=week.label)
    assert page.url.endswith(f"/o/northwind/briefings/{stored.pk}/")
    expect(page.get_by_text("Not sent yet: built on request")).to_be_visible()
    shot(page, "prepared")
