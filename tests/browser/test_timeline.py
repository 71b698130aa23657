"""The initiatives timeline in a browser: opened from the list's tab, it draws a bar per
initiative, an arrow for a dependency between two of them and a vertical marker for a
milestone (a code freeze relative to the release moves with it); on a phone the chart
scrolls sideways in its own box and the page does not; a bar opens its initiative."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.alignment import milestones
from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.org import services as org_services
from tests.browser.conftest import open_signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_opens_from_the_list_draws_bars_and_arrows_and_fits_a_phone(page, shot, cast):
    org = cast.org
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.platform
    )
    checkout = alignment.create_initiative(
        org,
        None,
        team=cast.platform,
        title="Checkout",
        status="active",
        start_date=today - 40 * day,
        target_date=today + 60 * day,
    )
    wallet = alignment.create_initiative(
        org, None, team=payments, title="Wallet", status="active", target_date=today + 20 * day
    )
    alignment.create_initiative(org, None, team=payments, title="Card vault")
    tokens = coordination.create_dependency(
        org,
        None,
        requester_initiative=checkout,
        provider_team=payments,
        title="Card tokens",
        need_by=today + 30 * day,
    )
    coordination.transition(
        org, None, tokens, "accept", provider_initiative=wallet, committed_date=today + 25 * day
    )
    release = milestones.create_milestone(
        org, None, name="Release 9", kind="release", date=today + 50 * day
    )
    freeze = milestones.create_milestone(
        org, None, name="Code freeze 9", kind="code_freeze", anchor=release, offset_days=-14
    )
    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.member.email, "/o/acme/alignment/initiatives/")
    expect(page.locator("#initiative-rows tbody tr")).to_have_count(3)
    page.get_by_role("link", name="Timeline", exact=True).click()
    expect(page).to_have_url(re.compile(r"/o/acme/alignment/initiatives/timeline/$"))
    bar = page.locator(f'.tl-bar-link[data-initiative="{checkout.pk}"] rect.tl-bar')
    expect(bar).to_be_visible()
    expect(page.locator(".tl-bar-link")).to_have_count(3)
    arrow = page.locator(f'[data-connector="{tokens.pk}"]')
    expect(arrow).to_be_visible()
    expect(page.locator(f'.tl-dep[data-dependency="{tokens.pk}"] title')).to_contain_text(
        "Accepted"
    )
    # The milestones stand across every row, the freeze two weeks before the release.
    on_freeze = f'.tl-marker[data-milestone="{freeze.pk}"]'
    expect(page.locator(f"{on_freeze} .tl-marker-flag")).to_be_visible()
    marker = page.locator(f"{on_freeze} .tl-marker-line")
    expect(page.locator(".tl-marker")).to_have_count(2)
    expect(page.locator(f'.tl-marker[data-milestone="{freeze.pk}"] title')).to_contain_text(
        "Release 9 -2 weeks"
    )
    freeze_box, bar_box = marker.bounding_box(), bar.bounding_box()
    assert bar_box["x"] < freeze_box["x"] < bar_box["x"] + bar_box["width"]
    assert freeze_box["height"] > 3 * bar_box["height"]  # it crosses the rows
    release_x = page.locator(f'.tl-marker[data-milestone="{release.pk}"] .tl-marker-line')
    assert release_x.bounding_box()["x"] > freeze_box["x"]
    expect(page.get_by_role("list", name="Milestones on the timeline")).to_contain_text(
        "Code freeze 9"
    )
    shot(page, "desktop")

    page.set_viewport_size({"width": 390, "height": 844})
    box = page.locator(".itl__scroll")
    expect(box).to_be_visible()
    page.wait_for_function(
        "() => { const b = document.querySelector('.itl__scroll');"
        " return b.scrollWidth > b.clientWidth; }"
    )
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    bar.scroll_into_view_if_needed()
    expect(bar).to_be_visible()
    shot(page, "phone")
    bar.click(position={"x": 6, "y": 7})  # its start, clear of the dependency's marks
    expect(page).to_have_url(re.compile(rf"/o/acme/alignment/initiatives/{checkout.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Checkout")
