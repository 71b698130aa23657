"""Controls repeated down a page each say what they are about, so that a screen reader's
list of buttons (or of landmarks) tells them apart: each issue's Solve and Escalate, each
event's "changes" on Home, and each search landmark of a page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.decisions import services as decisions
from accord.org import services as org_services
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_each_issues_solve_and_escalate_name_the_issue(page, cast):
    for title in ("Flaky deploys", "Slow builds"):
        decisions.raise_issue(cast.org, cast.leader, cast.platform, title)
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.admin.email, "/o/acme/decisions/issues/?team=platform")
    for title in ("Flaky deploys", "Slow builds"):
        solve = page.locator("summary", has_text=f"Solve: {title}")
        expect(solve).to_have_count(1)
        expect(page.locator("summary", has_text=f"Escalate to Acme: {title}")).to_have_count(1)
    summaries = page.locator("details.add > summary").all_text_contents()
    assert len(summaries) == len(set(summaries)) == 4, summaries


def test_homes_changes_say_what_changed_and_search_landmarks_are_named(page, cast):
    for n in range(2):
        org_services.update_team(cast.org, cast.admin, cast.platform, description=f"Version {n}")
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/")
    changes = page.locator(".feed details > summary")
    expect(changes.first).to_contain_text("changes to Platform")
    assert changes.count() >= 2
    assert all(t.startswith("changes to ") for t in changes.all_text_contents())
    # Every search landmark is named, and no two alike: the top bar's and the page's own.
    for path in ("/o/acme/", "/o/acme/insights/", "/o/acme/people/", "/o/acme/teams/"):
        page.goto(path)
        landmarks = page.locator("[role=search]")
        labels = [landmarks.nth(i).get_attribute("aria-label") for i in range(landmarks.count())]
        assert all(labels) and len(labels) == len(set(labels)), (path, labels)
    expect(page.get_by_role("search", name="Team search")).to_be_visible()
    page.goto("/o/acme/insights/")
    expect(page.get_by_role("search", name="Team search")).to_be_visible()
    expect(page.get_by_role("search", name="Quick search")).to_be_visible()
