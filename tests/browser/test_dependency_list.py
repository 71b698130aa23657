"""The dependency list in a browser: choose a team by typing its name (it and the teams
below it), narrow to the team alone, follow the overview's counter to the list it counts,
and start the map from a team chosen the same way; on a phone the list does not overflow
sideways."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.coordination.models import Dependency
from accord.org import services as org_services
from tests.browser.conftest import open_signed_in, pick

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_filters_by_a_team_and_its_subtree_matches_the_counter_and_fits_a_phone(
    page, shot, cast
):
    org = cast.org
    ops = org_services.create_team(org, None, name="Operations", slug="ops", parent=cast.root)
    fulfil = org_services.create_team(org, None, name="Fulfilment", slug="fulfil", parent=ops)
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    brand = org_services.create_team(org, None, name="Brand", slug="brand", parent=cast.root)
    later = timezone.localdate() + dt.timedelta(days=30)

    def ask(requester, provider, title):
        needing = alignment.create_initiative(org, None, team=requester, title=f"For {title}")
        return coordination.create_dependency(
            org,
            None,
            requester_initiative=needing,
            provider_team=provider,
            title=title,
            need_by=later,
        )

    ask(sales, ops, "Pallets")
    late = ask(sales, ops, "Forklifts")
    ask(sales, fulfil, "Boxes")
    ask(ops, sales, "Forecast")
    ask(sales, brand, "Logo")
    Dependency.objects.filter(pk=late.pk).update(need_by=later - dt.timedelta(days=60))

    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, cast.viewer.email, "/o/acme/coordination/list/")
    rows = page.locator("table.deps tbody tr")
    expect(rows).to_have_count(5)
    # Operations and the team below it: all but Brand's logo.
    pick(page, "Team", "Operations")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-scope]")).to_contain_text("Operations and the teams below it")
    expect(rows).to_have_count(4)
    expect(page.locator("table.deps")).to_contain_text("Boxes")
    expect(page.get_by_role("combobox", name="Team")).to_have_value("Operations")
    # Only Operations: Fulfilment's boxes leave the list.
    page.get_by_label("Only this team").check()
    page.get_by_role("button", name="Show").click()
    expect(page.locator("[data-scope]")).to_contain_text("Operations only")
    expect(rows).to_have_count(3)
    expect(page.locator("table.deps")).not_to_contain_text("Boxes")
    assert "team=ops" in page.url and "only=1" in page.url
    shot(page, "only")

    # The overview's counters open the list they count.
    page.goto("/o/acme/coordination/")
    counter = page.get_by_role("link", name="active dependencies")
    expect(counter).to_have_text("5 active dependencies")
    counter.click()
    expect(page).to_have_url("/o/acme/coordination/list/?active=1")
    expect(rows).to_have_count(5)
    page.goto("/o/acme/coordination/")
    page.get_by_role("link", name="1 late").click()
    expect(rows).to_have_count(1)
    expect(page.locator("table.deps")).to_contain_text("Forklifts")

    # The map starts from a team chosen the same way.
    page.goto("/o/acme/coordination/map/")
    expect(page.locator("#map-summary")).not_to_contain_text("Loading")
    pick(page, "Start from", "Fulfilment")
    expect(page.locator("#map-summary")).to_contain_text("Fulfilment")

    # A phone: the filtered list does not overflow sideways.
    page.goto("/o/acme/coordination/list/?team=ops&only=1")
    page.set_viewport_size({"width": 390, "height": 844})
    expect(rows).to_have_count(3)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    shot(page, "phone")
