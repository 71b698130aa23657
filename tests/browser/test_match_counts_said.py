"""Search as you type, with a screen reader: the decision log's and the people list's rows
change in place, and how many match is said ("2 decisions match") from a live region the
page keeps, as the rows change."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accord.decisions import services as decisions
from tests.browser.conftest import open_signed_in
from tests.browser.live import listen, said, wait_said

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_decision_log_says_how_many_match_as_you_type(page, cast):
    for question in ("Which event bus?", "Which bus vendor?", "Do we open in Oslo?"):
        decisions.create_decision(cast.org, None, question, cast.leader)
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, cast.admin.email, "/o/acme/decisions/")
    count = page.locator("#log-count")
    expect(count).to_have_attribute("role", "status")
    expect(count).to_have_text("3 decisions match.")
    page.get_by_role("searchbox", name="Search").press_sequentially("bus")
    expect(page.locator("#log-rows tbody tr")).to_have_count(2)
    wait_said(page, "2 decisions match.")
    page.get_by_role("searchbox", name="Search").fill("nothing like it")
    wait_said(page, "No decisions match.")
    assert page.locator("#log-count").count() == 1  # one region, kept: not one per answer


def test_the_people_list_says_how_many_match_for_a_search_and_a_role(page, cast):
    page.set_default_navigation_timeout(60_000)
    listen(page)
    open_signed_in(page, cast.admin.email, "/o/acme/people/")
    page.get_by_role("searchbox", name="Find a person").press_sequentially("vic")
    expect(page.locator("#people-rows tr")).to_have_count(1)
    wait_said(page, "1 person matches.")
    page.get_by_role("searchbox", name="Find a person").fill("")
    wait_said(page, "4 people match.")
    before = len(said(page))
    page.get_by_label("Role").select_option("admin")
    page.wait_for_function("(n) => window.accordSaid.length > n", arg=before)
    assert said(page)[-1] == "1 person matches."
