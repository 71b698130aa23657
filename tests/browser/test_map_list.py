"""The dependency map's "The same, as a list", for the keyboard and a screen reader: each row
links to its dependency and to the teams at its ends (initiatives named with their team),
says whether it is in a cycle or on the critical path, and a team not drawn whole yet has a
button that adds its own dependencies, as a click on it in the picture does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.coordination import services
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.browser.conftest import open_signed_in
from tests.conftest import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_links_every_row_and_adds_a_teams_dependencies(page, cast):
    org = cast.org
    today = timezone.localdate()
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)
    ops = org_services.create_team(org, None, name="Operations", slug="ops", parent=cast.root)
    asker = make_person(org, "Asha Asker", Role.MEMBER)
    org_services.add_membership(org, None, person=asker, team=sales, role=MembershipRole.LEAD)

    def initiative(team, title, weeks):
        return alignment.create_initiative(
            org,
            None,
            team=team,
            title=title,
            status="active",
            start_date=today,
            target_date=today + dt.timedelta(weeks=weeks),
        )

    launch = initiative(sales, "Spring launch", 10)
    warehouse = initiative(ops, "New warehouse", 6)
    stock = services.create_dependency(
        org,
        None,
        requester_initiative=launch,
        provider_team=ops,
        title="Stock for the launch",
        need_by=today + dt.timedelta(days=40),
    )
    services.transition(
        org,
        None,
        stock,
        "accept",
        provider_initiative=warehouse,
        committed_date=today + dt.timedelta(days=35),
    )
    racks = services.create_dependency(
        org,
        None,
        requester_initiative=warehouse,
        provider_team=cast.platform,
        title="Rack power",
        need_by=today + dt.timedelta(days=20),
    )

    page.set_default_navigation_timeout(60_000)
    open_signed_in(page, asker.email, f"/o/acme/coordination/map/?team={sales.pk}")
    expect(page.locator("#map-summary")).to_contain_text("Sales and their neighbours")
    page.get_by_text("The same, as a list").click()
    table = page.get_by_role("table", name="Each arrow of the map")
    expect(table.locator("tbody tr")).to_have_count(1)
    row = table.locator("tbody tr").first
    expect(row.get_by_role("link", name="Stock for the launch")).to_have_attribute(
        "href", f"/o/acme/coordination/d/{stock.pk}/"
    )
    expect(row.get_by_role("link", name="Sales", exact=True)).to_have_attribute(
        "href", "/o/acme/coordination/teams/sales/"
    )
    expect(row.get_by_role("link", name="Operations", exact=True)).to_have_attribute(
        "href", "/o/acme/coordination/teams/ops/"
    )
    expect(row.locator("td").nth(5)).to_have_text("on the critical path")

    # Operations is a neighbour: its own dependencies are added from the list, by keyboard.
    add = row.get_by_role("button", name="Add its dependencies: Operations")
    add.focus()
    page.keyboard.press("Enter")
    expect(table.locator("tbody tr")).to_have_count(2)
    racks_row = table.locator("tbody tr", has_text="Rack power")
    expect(racks_row.get_by_role("link", name="Rack power")).to_have_attribute(
        "href", f"/o/acme/coordination/d/{racks.pk}/"
    )
    expect(racks_row.locator("td").nth(5)).to_have_text("—")
    page.wait_for_function("() => document.activeElement.id === 'map-list-caption'")
    expect(page.locator("#map-summary")).to_contain_text("added: Operations")
    expect(table.get_by_role("button", name="Add its dependencies: Operations")).to_have_count(0)

    # By initiatives: each end named with its team.
    page.get_by_label("Show").select_option("initiatives")
    expect(page.get_by_role("table", name="Each arrow of the map: a dependency")).to_be_visible()
    stock_row = table.locator("tbody tr", has_text="Stock for the launch")
    expect(stock_row.get_by_role("link", name="Spring launch (Sales)")).to_have_attribute(
        "href", f"/o/acme/alignment/initiatives/{launch.pk}/"
    )
    expect(stock_row.get_by_role("link", name="New warehouse (Operations)")).to_be_visible()
