"""The action items list shows a page of open items at a time, soonest due first, with
links to the pages after and before: every open item is on exactly one page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accord.decisions import services
from accord.decisions.views import ACTIONS_PER_PAGE
from tests.conftest import login
from tests.decisions.helpers import recorded_long_ago

ITEM = re.compile(r'href="/o/acme/decisions/actions/(\d+)/"')
DASH = "\u2013"  # between the first and last numbers of a page


@pytest.fixture
def open_items(cast) -> list[int]:
    """Two and a bit pages of Mia's open items on Platform, in the list's order: the
    overdue and the dated by due date, then the undated."""
    today = timezone.localdate()
    dated = []
    for i in range(ACTIONS_PER_PAGE * 2 - 10):
        due = today + dt.timedelta(days=(i * 7) % 90 - 25)  # some overdue, most ahead
        a = services.create_action_item(
            cast.org,
            cast.leader,
            f"Task {i}",
            cast.member,
            team=cast.platform,
            due_on=due,
            **recorded_long_ago(),
        )
        dated.append((due, a.pk))
    undated = [
        services.create_action_item(
            cast.org, cast.leader, f"Someday {i}", cast.member, team=cast.platform
        ).pk
        for i in range(20)
    ]
    return [pk for _, pk in sorted(dated)] + undated


def _pages(client, url: str) -> list[tuple[list[int], str]]:
    pages, page = [], 1
    while True:
        html = client.get(f"{url}{'&' if '?' in url else '?'}page={page}").content.decode()
        pages.append(([int(pk) for pk in ITEM.findall(html)], html))
        if "Due later →" not in html:
            return pages
        page += 1
        assert page < 10


@pytest.mark.parametrize(
    "url", ["/o/acme/decisions/actions/", "/o/acme/decisions/actions/?team=platform"]
)
def test_every_open_item_is_on_exactly_one_page_in_due_order(cast, open_items, url):
    pages = _pages(login(cast.member), url)
    assert [len(ids) for ids, _ in pages] == [ACTIONS_PER_PAGE, ACTIONS_PER_PAGE, 10]
    assert [pk for ids, _ in pages for pk in ids] == open_items
    first, second, last = (html for _, html in pages)
    assert "Overdue" in first and "← Due sooner" not in first
    assert f"Open items 1{DASH}{ACTIONS_PER_PAGE}" in first
    assert "← Due sooner" in second and "Due later →" in second
    assert f"Open items {2 * ACTIONS_PER_PAGE + 1}{DASH}{2 * ACTIONS_PER_PAGE + 10}" in last
    # The team filter stays on the links to other pages.
    if "team=" in url:
        pager = first[first.index('class="pager"') :]
        assert "team=platform&amp;page=2" in pager[:400], pager[:400]


@pytest.mark.parametrize("page", ["x", "-3", "0", "", "%00", "1e9", "\u0661"])
def test_a_page_that_is_not_a_page_number_is_the_first(cast, open_items, page):
    client = login(cast.member)
    first = ITEM.findall(client.get("/o/acme/decisions/actions/").content.decode())
    answer = client.get(f"/o/acme/decisions/actions/?page={page}")
    assert answer.status_code == 200
    assert ITEM.findall(answer.content.decode()) == first


@pytest.mark.parametrize("page", ["4", "99999999999999999999"])
def test_a_page_past_the_end_is_empty_and_links_to_the_first(cast, open_items, page):
    answer = login(cast.member).get(f"/o/acme/decisions/actions/?page={page}")
    assert answer.status_code == 200
    html = answer.content.decode()
    assert ITEM.findall(html) == []
    assert "No open items this far." in html and 'href="?page=1"' in html


def test_a_short_list_has_no_pages(cast):
    services.create_action_item(cast.org, cast.leader, "Only one", cast.member)
    html = login(cast.member).get("/o/acme/decisions/actions/").content.decode()
    assert "Only one" in html and "Due later" not in html and "Open items" not in html


def test_a_list_offers_done_and_drop_only_on_the_items_its_viewer_may_change(cast):
    from accord.org import services as org_services
    from accord.org.models import MembershipRole

    mine = services.create_action_item(cast.org, cast.admin, "Mine", cast.member, team=cast.root)
    theirs = services.create_action_item(cast.org, cast.admin, "Theirs", cast.admin, team=cast.root)
    page = login(cast.member).get("/o/acme/decisions/actions/?team=acme").content.decode()
    assert f"/actions/{mine.pk}/complete/" in page and f"/actions/{mine.pk}/drop/" in page
    assert f"/actions/{theirs.pk}/complete/" not in page
    assert f"/actions/{theirs.pk}/drop/" not in page
    # the team's lead may change every item of the team, as the item's own page says
    org_services.add_membership(
        cast.org, None, person=cast.member, team=cast.root, role=MembershipRole.LEAD,
        allocation=10,
    )  # fmt: skip
    page = login(cast.member).get("/o/acme/decisions/actions/?team=acme").content.decode()
    assert f"/actions/{theirs.pk}/complete/" in page
    assert (
        "drop/"
        not in login(cast.viewer).get("/o/acme/decisions/actions/?team=acme").content.decode()
    )
