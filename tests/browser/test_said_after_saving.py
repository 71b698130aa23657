"""After a change that loads the page again, a screen reader user hears what was done and
the keyboard is at the part acted on: the running meeting's action items, the dependency's
row, the list an action item was closed from, the priority stack. A message shown as the
page loads is not read out by itself: it is said once the page has loaded, or read as the
keyboard lands on it where the change has no part of the page to go back to."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accord.alignment import services as alignment
from accord.decisions import services as decisions
from accord.rhythm import queries, services
from tests.browser.conftest import has_focus, open_signed_in, pick, sales_asks_operations
from tests.browser.live import focused, listen, said, wait_said
from tests.rhythm.conftest import rhythm  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_action_item_added_in_a_meeting_is_said_and_the_keyboard_is_at_the_list(
    page,
    cast,
    rhythm,  # noqa: F811
):
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, occ.original_start)
    services.start_meeting(cast.org, cast.leader, m, early=True)
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, cast.leader.email, f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/{occ.key}/")
    page.get_by_role("textbox", name="New action item").fill("Check the runbook")
    pick(page, "Owner", "Mia Member")
    page.get_by_role("button", name="Add action item").click()
    wait_said(page, "Action item “Check the runbook” recorded for Mia Member, on Platform's list.")
    assert page.url.endswith("#actions")
    has_focus(page, "actions")
    expect(page.locator("#actions")).to_contain_text("Check the runbook")
    # A headline, the same: said, and the keyboard at the meeting's headlines.
    page.get_by_role("textbox", name="Headline", exact=True).fill("The new office opens Monday")
    page.get_by_role("button", name="Share headline").click()
    wait_said(page, "Headline shared.")
    assert page.url.endswith("#headlines")
    has_focus(page, "headlines")


def test_a_dependency_accepted_from_the_inbox_is_said_at_its_row(page, cast):
    _, giver, dep = sales_asks_operations(cast)
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, giver.email, "/o/acme/coordination/teams/ops/")
    accept = page.locator(f"#dep-{dep.pk} details.act--accept")
    accept.locator("summary").click()
    accept.get_by_label("Delivered by our initiative").select_option(
        label="no target date · New warehouse"
    )
    accept.get_by_role("button", name="Accept", exact=True).click()
    wait_said(page, "Accepted “Stock for the spring launch”.")
    # It left the inbox: the keyboard is on its row among what others ask of Operations.
    assert page.url.endswith(f"#dep-{dep.pk}")
    row = page.locator(f"tr[data-anchor='dep-{dep.pk}']")
    expect(row).to_contain_text("Stock for the spring launch")
    page.wait_for_function("() => document.activeElement.matches('tr[data-anchor]')")
    assert row.evaluate("(tr) => tr === document.activeElement")


def test_an_action_item_marked_done_is_said_and_the_keyboard_is_at_its_list(page, cast):
    decisions.create_action_item(
        cast.org,
        None,
        "Renew the certificate",
        cast.member,
        team=cast.platform,
        due_on=timezone.localdate() + dt.timedelta(days=3),
    )
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, cast.member.email, "/o/acme/decisions/actions/")
    page.get_by_role("button", name="Mark “Renew the certificate” done").click()
    wait_said(page, "Done: Renew the certificate.")
    assert page.url.endswith("#open")
    has_focus(page, "open")


def test_a_move_in_the_priority_stack_is_said_in_its_status(page, cast):
    edge, *_ = [
        alignment.create_initiative(
            cast.org, None, team=cast.platform, title=title, status="active"
        )
        for title in ("Edge cache", "Search revamp", "Billing cleanup")
    ]
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, cast.admin.email, "/o/acme/alignment/teams/platform/")
    page.get_by_role("button", name="Move Edge cache down").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#stack-status")).to_have_text("Edge cache moved to position 2.")
    wait_said(page, "Edge cache moved to position 2.")
    has_focus(page, f"move-{edge.pk}-down")


def test_with_no_part_to_go_back_to_the_keyboard_is_on_the_message(page, cast):
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, cast.admin.email, "/o/acme/teams/new/")
    page.get_by_label("Name").fill("Growth")
    page.get_by_role("button", name="Create team").click()
    expect(page.locator(".messages")).to_contain_text("Team Growth created.")
    page.wait_for_function("() => document.activeElement.matches('.messages')")
    assert focused(page) == "div"
    # Read as the keyboard lands on it: not said a second time.
    page.wait_for_timeout(800)
    assert not [s for s in said(page) if "Team Growth created." in s]
