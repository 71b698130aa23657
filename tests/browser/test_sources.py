"""A key result's page with a source: set it, pull it, see the value marked as pulled; then
the same page on a phone."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import open_signed_in
from tests.sources import conftest as sources

kr = sources.kr  # the fixtures of tests/sources
upstream = sources.upstream


def test_it_sets_a_source_pulls_it_and_shows_it_on_desktop_and_phone(
    page,
    shot,
    cast,
    kr,
    upstream,
):
    url = upstream.answer("/signups.json", '{"data": {"week": 128}}')
    open_signed_in(page, cast.member.user.email, f"/o/acme/alignment/key-results/{kr.pk}/")
    page.get_by_role("link", name="Set a source").click()
    page.get_by_label("Kind of source").select_option("json")
    page.get_by_label("Address").fill(url)
    page.get_by_label("JSONPath").fill("$.data.week")
    page.get_by_role("button", name="Save source").click()
    expect(page.get_by_text("will be pulled from its source")).to_be_visible()
    page.get_by_role("button", name="Pull now").click()
    expect(page.get_by_text("Pulled Weekly signups: Read 128.")).to_be_visible()
    expect(page.locator(".kr-current")).to_contain_text("128")
    expect(page.locator(".kr-values")).to_contain_text("from source")
    expect(page.locator(".source-value")).to_have_text("128")
    shot(page, "desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".source-card")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    shot(page, "phone")


def test_a_scorecard_measurable_takes_its_source_on_its_page(page, shot, cast, upstream):
    from accord.rhythm import services as rhythm

    url = upstream.answer("/deploys.json", '{"count": 14}')
    open_signed_in(page, cast.admin.user.email)
    rhythm.create_measurable(
        cast.org, None, team=cast.platform, name="Deploys", goal_rule="at_least", goal_low=10
    )
    page.goto("/o/acme/rhythm/teams/platform/")
    page.get_by_role("link", name="Edit Deploys").click()
    page.get_by_role("link", name="Set a source").click()
    page.get_by_label("Address").fill(url)
    page.get_by_label("JSONPath").fill("$.count")
    page.get_by_role("button", name="Save source").click()
    expect(page.get_by_text("will be pulled from its source")).to_be_visible()
    page.get_by_role("button", name="Pull now").click()
    expect(page.get_by_text("Pulled Deploys: Read 14.")).to_be_visible()
    expect(page.locator(".source-value")).to_have_text("14")
    shot(page, "measurable-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.locator(".source-card")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    shot(page, "measurable-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/o/acme/rhythm/teams/platform/")
    expect(page.locator(".from-source")).to_have_text("from source")
    shot(page, "scorecard-desktop")
