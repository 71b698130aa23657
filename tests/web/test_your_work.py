"""A member sees their own work and how it connects to shared objectives: home's "Your
work" and the same summary on a person's page; home's recent activity without the
accounts admins keep; the palette's pages by the names people call them."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accord.alignment import services as alignment
from accord.alignment.models import ObjectiveLevel, PeriodState
from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.rhythm import services as rhythm_services
from tests.conftest import login
from tests.rhythm.conftest import DUE, rhythm  # noqa: F401 (fixture)

TODAY = timezone.localdate()


def work_card(html: str) -> str:
    found = re.search(
        r'<section class="card work" aria-labelledby="work-h">(.*?)</section>', html, re.S
    )
    assert found, "no work card on the page"
    return html_lib.unescape(found.group(1))


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


@pytest.fixture
def chain(cast):
    """Mia owns "Peak-season load tests", which serves a key result of Platform's
    objective, which serves the organization's objective above it."""
    period = alignment.create_period(
        cast.org,
        None,
        name="Q4",
        start=TODAY - dt.timedelta(days=30),
        end=TODAY + dt.timedelta(days=60),
        state=PeriodState.ACTIVE,
        is_current=True,
    )
    top = alignment.create_objective(
        cast.org, None, title="Grow online revenue", period=period, level=ObjectiveLevel.ORG
    )
    middle = alignment.create_objective(
        cast.org, None, title="Fast checkout", period=period, team=cast.platform, parents=[top]
    )
    kr = alignment.create_key_result(
        cast.org, None, middle, name="Checkout p95 under 2 s", target=2
    )
    peak = alignment.create_initiative(
        cast.org,
        None,
        team=cast.platform,
        title="Peak-season load tests",
        owner=cast.member,
        status="active",
        target_date=TODAY + dt.timedelta(days=20),
        key_results=[kr],
    )
    return {"period": period, "top": top, "middle": middle, "kr": kr, "peak": peak}


def test_home_shows_the_initiatives_i_own_and_the_objective_each_serves(cast, chain):
    alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Tidy the runbooks", owner=cast.member,
        status="proposed",
    )  # fmt: skip
    alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Someone else's work", owner=cast.leader,
        status="active",
    )  # fmt: skip
    alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Finished work", owner=cast.member,
        status="done",
    )  # fmt: skip
    card = work_card(login(cast.member).get("/o/acme/").content.decode())
    text = text_of(card)
    assert "Your work" in text and "Your initiatives" in text
    # Status, target date and the chain: its key result, then the objective at the top.
    peak = text[text.index("Peak-season load tests") :]
    assert peak.startswith("Peak-season load tests Active target")
    assert "→ Checkout p95 under 2 s · Grow online revenue" in peak
    assert f'href="/o/acme/alignment/initiatives/{chain["peak"].pk}/"' in card
    assert f'href="/o/acme/alignment/objectives/{chain["top"].pk}/"' in card
    # Work that serves nothing says so; others' and finished work is not mine to do.
    assert "Tidy the runbooks Proposed serves no objective" in text
    assert "Someone else's work" not in text and "Finished work" not in text


def test_an_initiative_serving_an_objective_directly_shows_it_and_its_top(cast, chain):
    alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Cache the catalogue", owner=cast.member,
        status="active", objectives=[chain["middle"]],
    )  # fmt: skip
    text = text_of(work_card(login(cast.member).get("/o/acme/").content.decode()))
    assert "→ Fast checkout · Grow online revenue" in text


def test_home_lists_my_open_action_items_overdue_first_and_links_to_the_rest(cast):
    days = [None, 9, -3, 2, 30, 40, 50]  # due in so many days; None: no due date
    for n, d in enumerate(days):
        decisions.create_action_item(
            cast.org, None, f"Item {n}", cast.member,
            due_on=None if d is None else TODAY + dt.timedelta(days=d), team=cast.platform,
        )  # fmt: skip
    done = decisions.create_action_item(cast.org, None, "Item done", cast.member)
    decisions.complete_action_item(cast.org, cast.member, done)
    card = work_card(login(cast.member).get("/o/acme/").content.decode())
    text = text_of(card)
    shown = re.findall(r"Item \w+", text)
    assert shown == ["Item 2", "Item 3", "Item 1", "Item 4", "Item 5"]
    assert text.index("Item 2 overdue") >= 0
    assert f'href="/o/acme/decisions/actions/?person={cast.member.pk}">All 7 open →' in card


def test_home_lists_the_decisions_waiting_on_me(cast):
    for n in range(7):
        decisions.create_decision(cast.org, cast.member, f"Question {n}?", approver=cast.leader)
    card = work_card(login(cast.leader).get("/o/acme/").content.decode())
    assert "Decisions waiting on you" in card
    assert len(re.findall(r"Question \d\?", card)) == 5
    assert 'href="/o/acme/decisions/waiting/">All 7 →' in card
    # Not the decisions someone else approves.
    assert "Question" not in text_of(work_card(login(cast.member).get("/o/acme/").text))


def test_home_and_the_person_page_show_the_last_and_next_check_in(cast, rhythm):  # noqa: F811
    rhythm_services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, highlights="Shipped",
        now=DUE - dt.timedelta(hours=1),
    )  # fmt: skip
    home = text_of(work_card(login(cast.member).get("/o/acme/").content.decode()))
    assert f"Last: {rhythm.checkin.name} sent 6 Nov 2026" in home
    # Home's rhythm panel lists the check-ins owed: "Your work" does not repeat them.
    assert "Next:" not in home
    page = text_of(
        work_card(login(cast.viewer).get(f"/o/acme/people/{cast.member.pk}/").content.decode())
    )
    assert f"Last: {rhythm.checkin.name} sent 6 Nov 2026" in page
    assert f"Next: {rhythm.checkin.name} due" in page


def test_the_person_page_shows_their_work_to_anyone_in_the_organization(cast, chain):
    decisions.create_action_item(cast.org, None, "Write the guide", cast.member)
    decisions.create_decision(cast.org, None, "Adopt trunk?", approver=cast.member)
    for viewer in (cast.viewer, cast.leader, cast.member):
        card = work_card(login(viewer).get(f"/o/acme/people/{cast.member.pk}/").content.decode())
        text = text_of(card)
        own = viewer == cast.member
        assert ("Your work" if own else "Mia Member's work") in text
        assert "Peak-season load tests" in text and "Grow online revenue" in text
        assert "Write the guide" in text
        assert ("Decisions waiting on you" if own else "Decisions waiting on Mia Member") in text
        assert "Adopt trunk?" in text
    # Someone with nothing open says so.
    text = text_of(work_card(login(cast.member).get(f"/o/acme/people/{cast.viewer.pk}/").text))
    assert "Vic Viewer owns no open initiatives or action items" in text
    # Another organization's people are not found at all.
    assert login(cast.outsider).get(f"/o/acme/people/{cast.member.pk}/").status_code in (403, 404)


def _queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("page", ["home", "person page"])
def test_the_work_summary_asks_as_much_of_the_database_for_one_row_as_for_many(cast, chain, page):
    """No question per row: a person with one of everything and one with many of each cost
    the page the same queries."""
    url = "/o/acme/" if page == "home" else f"/o/acme/people/{cast.member.pk}/"
    client = login(cast.member)
    decisions.create_action_item(cast.org, None, "First item", cast.member)
    decisions.create_decision(cast.org, None, "First question?", approver=cast.member)
    alignment.create_initiative(
        cast.org, None, team=cast.platform, title="Second", owner=cast.member, status="active",
        objectives=[chain["top"]],
    )  # fmt: skip
    few = _queries(client, url)
    for n in range(12):
        decisions.create_action_item(cast.org, None, f"Item {n}", cast.member)
        decisions.create_decision(cast.org, None, f"Question {n}?", approver=cast.member)
        alignment.create_initiative(
            cast.org, None, team=cast.platform, title=f"Work {n}", owner=cast.member,
            status="active", key_results=[chain["kr"]],
        )  # fmt: skip
    many_html = client.get(url).content.decode()
    assert "All 13 open →" in many_html and "All 14 →" in many_html
    # Counting past the first five costs one query per kind, once.
    assert _queries(client, url) <= few + 3


def test_home_recent_activity_leaves_out_accounts_for_everyone_but_admins(cast):
    org_services.give_login(cast.org, cast.admin, cast.viewer, "a-long-password-42")
    decisions.create_action_item(cast.org, cast.member, "Book the venue", cast.member)
    told = "set the password of"  # Vic had a login: it was given a new password

    def recent(person) -> str:
        page = login(person).get("/o/acme/").content.decode()
        return page[page.index("Recent activity") :]

    # Leo is in no team: home reads the organization's feed.
    assert "Book the venue" in recent(cast.leader) and told not in recent(cast.leader)
    assert told in recent(cast.admin)
    # The full Activity page is unchanged.
    assert told in login(cast.member).get("/o/acme/activity/").content.decode()


@pytest.mark.parametrize(
    "typed,href",
    [
        ("my week", "/o/acme/rhythm/"),
        ("inbox", "/o/acme/inbox/"),
        ("action items", "/o/acme/decisions/actions/"),
        ("waiting", "/o/acme/decisions/waiting/"),
        ("waiting on others", "/o/acme/coordination/list/"),
        ("issues", "/o/acme/decisions/issues/"),
        ("map", "/o/acme/coordination/map/"),
        ("dependency map", "/o/acme/coordination/map/"),
        ("decisions", "/o/acme/decisions/"),
        ("insights", "/o/acme/insights/"),
        ("initiatives", "/o/acme/alignment/initiatives/"),
        ("ask another team", "/o/acme/coordination/new/"),
        ("new request", "/o/acme/coordination/new/"),
        # The reader's own team: its priorities and its page.
        ("priorities", "/o/acme/alignment/teams/platform/"),
        ("my team", "/o/acme/teams/platform/"),
    ],
)
def test_the_palette_goes_to_a_members_pages_by_name(cast, typed, href):
    body = (
        login(cast.member)
        .get("/o/acme/search/", {"q": typed, "list": "palette-hit"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert 'class="search__hit search__hit--go"' in body
    assert f'data-href="{href}"' in body, (typed, body[:600])


def test_the_palette_offers_the_readers_own_teams_not_others(cast):
    body = (
        login(cast.admin)  # in no team
        .get("/o/acme/search/", {"q": "priorities", "list": "palette-hit"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    assert "/alignment/teams/" not in body


def test_the_palette_offers_admin_pages_to_admins_only(cast):
    def go(person):
        return (
            login(person)
            .get("/o/acme/search/", {"q": "webhooks"}, HTTP_HX_REQUEST="true")
            .content.decode()
        )

    assert 'data-href="/o/acme/settings/webhooks/"' in go(cast.admin)
    assert 'data-href="/o/acme/settings/webhooks/"' not in go(cast.member)
