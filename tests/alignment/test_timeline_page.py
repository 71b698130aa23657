"""The initiatives timeline page: the list's filtered, sorted page drawn on a time axis,
with the dependencies that touch its initiatives; filters, pages and saved views carry
over; another organization's work never shows; viewers read it like anyone else."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.utils import timezone

from accord.alignment import services as s
from accord.alignment import timeline
from accord.alignment import views as alignment_views
from accord.alignment.models import Initiative
from accord.coordination import services as coordination
from accord.coordination.models import Dependency
from accord.org import services as org_services
from accord.org.models import Team
from accord.web.models import SavedView
from tests.conftest import login

BAR = re.compile(rb'class="tl-bar-link" data-initiative="(\d+)"')
MARK = re.compile(rb'class="tl-dep tl-dep--(\w+)[^"]*" data-dependency="(\d+)"')
CONNECTOR = re.compile(rb'data-connector="(\d+)"')


@dataclass
class Work:
    payments: Team  # below Platform
    sales: Team
    checkout: Initiative  # Platform, active, from a start date; needs tokens from Wallet
    wallet: Initiative  # Payments, active, no start date; provides the tokens
    pricing: Initiative  # Sales, done, past its target (not late)
    rails: Initiative  # Platform, active, late, blocked (asks Sales, no initiative yet)
    tokens: Dependency  # Checkout <- Wallet, accepted
    prices: Dependency  # Rails <- Sales, requested, flagged blocked


@pytest.fixture
def work(cast) -> Work:
    org = cast.org
    today = timezone.localdate()
    day = dt.timedelta(days=1)
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.platform
    )
    sales = org_services.create_team(org, None, name="Sales", slug="sales", parent=cast.root)

    def initiative(team, title, **kw):
        return s.create_initiative(org, None, team=team, title=title, **kw)

    checkout = initiative(
        cast.platform,
        "Checkout rewrite",
        status="active",
        start_date=today - 30 * day,
        target_date=today + 60 * day,
    )
    wallet = initiative(payments, "Wallet", status="active", target_date=today + 20 * day)
    pricing = initiative(
        sales,
        "Pricing page",
        status="done",
        start_date=today - 90 * day,
        target_date=today - 10 * day,
    )
    rails = initiative(cast.platform, "API rails", status="active", target_date=today - 3 * day)
    tokens = coordination.create_dependency(
        org,
        None,
        requester_initiative=checkout,
        provider_team=payments,
        title="Card tokens",
        need_by=today + 30 * day,
    )
    tokens = coordination.transition(
        org, None, tokens, "accept", provider_initiative=wallet, committed_date=today + 25 * day
    )
    prices = coordination.create_dependency(
        org,
        None,
        requester_initiative=rails,
        provider_team=sales,
        title="Price list",
        need_by=today + 20 * day,
    )
    coordination.transition(org, None, prices, "flag_blocked", note="Waiting on legal")
    return Work(payments, sales, checkout, wallet, pricing, rails, tokens, prices)


def _url(org, qs: str = "") -> str:
    return f"/o/{org.slug}/alignment/initiatives/timeline/" + (f"?{qs}" if qs else "")


def _get(client, org, qs: str = "", status: int = 200):
    r = client.get(_url(org, qs))
    assert r.status_code == status, r.content[:500]
    return r


def _bars(r) -> list[int]:
    return [int(x) for x in BAR.findall(r.content)]


def _marks(r) -> dict[int, str]:
    return {int(pk): side.decode() for side, pk in MARK.findall(r.content)}


def _row(r, initiative) -> bytes:
    """The initiative's label beside the chart."""
    part = r.content.split(b'class="itl__label" data-initiative="%d"' % initiative.pk)[1]
    return part.split(b"</li>")[0]


def test_a_viewer_sees_a_bar_per_initiative_with_its_status_and_flags(cast, work):
    r = _get(login(cast.viewer), cast.org)
    assert sorted(_bars(r)) == sorted(
        [work.checkout.pk, work.wallet.pk, work.pricing.pk, work.rails.pk]
    )
    rails = _row(r, work.rails)
    assert b">Active<" in rails and b">late<" in rails and b">blocked<" in rails
    assert b"Flagged blocked (Sales)." in rails  # the list's blocked mark, with its reason
    pricing = _row(r, work.pricing)
    assert b">Done<" in pricing and b">late<" not in pricing
    assert b"tl-bar--done" in r.content and b"tl-bar--late" in r.content
    # The bars link to the initiatives' pages, and the chart has a today line.
    assert f'href="/o/acme/alignment/initiatives/{work.wallet.pk}/"'.encode() in r.content
    assert b'class="tl-today"' in r.content
    # Read-only for a viewer: no control that would change anything but their own views.
    assert b"/alignment/initiatives/new/" not in r.content
    assert b"Save this view" in r.content


def test_the_bar_of_an_initiative_without_a_start_date_begins_at_its_creation(cast, work):
    r = _get(login(cast.member), cast.org)
    table = r.content.split(b'id="timeline-rows"')[1].split(b"</table>")[0]
    wallet = table.split(b'data-initiative="%d"' % work.wallet.pk)[1].split(b"</tr>")[0]
    assert b"(created; no start date)" in wallet
    checkout = table.split(b'data-initiative="%d"' % work.checkout.pk)[1].split(b"</tr>")[0]
    assert b"created" not in checkout
    assert b"begins the day it was created" in r.content  # the legend says so


def test_closed_work_without_dates_is_marked_no_dates_and_leaves_the_axis_alone(cast, work):
    org = cast.org
    undated = s.create_initiative(org, None, team=work.sales, title="Old macro", status="done")
    Initiative.objects.filter(pk=undated.pk).update(
        created_at=timezone.now() - dt.timedelta(days=200)
    )
    r = _get(login(cast.member), org)
    assert undated.pk in _bars(r)
    drawn = r.content.split(b'data-initiative="%d" tabindex="-1">' % undated.pk)[1]
    drawn = drawn.split(b"</a>")[0]
    assert b"tl-bar--undated" in drawn and b"Done \xc2\xb7 no dates" in drawn
    assert b"no start or target date" in drawn and b"tl-guess" not in drawn
    assert b'closed work without any date is pinned at the start, marked "no dates"' in r.content
    # The axis runs from the open work and the recent done one, not from its creation.
    first = timezone.localdate() - dt.timedelta(days=90)
    head = re.search(rb"of \d+, from (\w+ \d+) to", r.content).group(1).decode()
    assert dt.datetime.strptime(head, "%b %Y").date() >= first.replace(day=1)


def test_the_filters_and_the_sort_cut_the_timeline_as_they_cut_the_list(cast, work):
    client = login(cast.member)
    qs = f"team={cast.platform.pk}&status=active&sort=title"
    r = _get(client, cast.org, qs)
    assert _bars(r) == [work.rails.pk, work.checkout.pk, work.wallet.pk]  # API, Checkout, W…
    list_ids = [
        int(x)
        for x in re.findall(
            rb'<tr data-initiative="(\d+)"',
            client.get(f"/o/acme/alignment/initiatives/?{qs}").content,
        )
    ]
    assert list_ids == _bars(r)
    for tab in ("initiatives/", "initiatives/board/", "initiatives/timeline/"):
        link = f'href="/o/acme/alignment/{tab}?{qs.replace("&", "&amp;")}"'
        assert link.encode() in r.content, tab
    assert b'aria-current="page">Timeline<' in r.content
    only = _get(client, cast.org, f"team={cast.platform.pk}&only=on")
    assert sorted(_bars(only)) == sorted([work.checkout.pk, work.rails.pk])


def test_the_timeline_is_paged_like_the_list_and_its_pages_keep_the_filters(
    cast, work, monkeypatch
):
    monkeypatch.setattr(alignment_views, "INITIATIVES_PAGE", 2)
    client = login(cast.member)
    first = _get(client, cast.org, "sort=title")
    assert _bars(first) == [work.rails.pk, work.checkout.pk]
    assert b"?sort=title&amp;page=2" in first.content
    assert _bars(_get(client, cast.org, "sort=title&page=2")) == [work.pricing.pk, work.wallet.pk]


def test_a_dependency_is_marked_on_the_asking_row_with_an_arrow_from_its_provider(cast, work):
    r = _get(login(cast.viewer), cast.org)
    assert _marks(r) == {work.tokens.pk: "needs", work.prices.pk: "needs"}
    # Both sides of the tokens are on the page: an arrow; Sales has no initiative for
    # the prices yet: a mark alone.
    assert [int(x) for x in CONNECTOR.findall(r.content)] == [work.tokens.pk]
    deps = r.content.split(b'id="timeline-dependencies"')[1].split(b"</table>")[0]
    assert f'href="/o/acme/coordination/d/{work.tokens.pk}/"'.encode() in deps
    tokens = deps.split(b'data-dependency="%d"' % work.tokens.pk)[1].split(b"</tr>")[0]
    assert b"Accepted" in tokens and b"Payments" in tokens and b"Wallet" in tokens
    prices = deps.split(b'data-dependency="%d"' % work.prices.pk)[1].split(b"</tr>")[0]
    assert b"Requested \xc2\xb7 flagged blocked" in prices
    title = r.content.split(b'data-dependency="%d"' % work.tokens.pk)[1].split(b"</title>")[0]
    assert b"Payments by" in title and b"(committed" in title and b"Accepted" in title


def test_a_dependency_with_its_asking_row_elsewhere_is_marked_on_the_providing_row(cast, work):
    r = _get(login(cast.member), cast.org, f"team={work.payments.pk}")
    assert _bars(r) == [work.wallet.pk]
    assert _marks(r) == {work.tokens.pk: "gives"}
    assert CONNECTOR.findall(r.content) == []


def test_a_late_dependency_says_so_and_is_drawn_late(cast, work):
    past = timezone.localdate() - dt.timedelta(days=2)
    Dependency.objects.filter(pk=work.tokens.pk).update(committed_date=past, need_by=past)
    r = _get(login(cast.member), cast.org)
    assert b"tl-dep--late" in r.content
    assert b"Accepted \xc2\xb7 late" in r.content
    assert b"Card tokens" in r.content


def test_cancelled_requests_are_left_out(cast, work):
    coordination.transition(cast.org, None, work.prices, "cancel", note="Not needed")
    r = _get(login(cast.member), cast.org)
    assert _marks(r) == {work.tokens.pk: "needs"}
    assert b"Price list" not in r.content


def test_another_organizations_work_never_shows(cast, work):
    other = cast.other_org
    labs = cast.other_team
    rival = org_services.create_team(other, None, name="Rival", slug="rival")
    secret = s.create_initiative(other, None, team=labs, title="Secret merger", status="active")
    s.create_initiative(other, None, team=rival, title="Rival launch", status="active")
    coordination.create_dependency(
        other,
        None,
        requester_initiative=secret,
        provider_team=rival,
        title="Hidden deliverable",
        need_by=timezone.localdate() + dt.timedelta(days=9),
    )
    mine = _get(login(cast.member), cast.org)
    for text in (b"Secret merger", b"Rival launch", b"Hidden deliverable"):
        assert text not in mine.content
    outsider = login(cast.outsider)
    theirs = _get(outsider, other)
    assert b"Hidden deliverable" in theirs.content
    for text in (b"Checkout rewrite", b"Card tokens", b"Price list"):
        assert text not in theirs.content
    assert outsider.get(_url(cast.org)).status_code in (403, 404)


def test_a_filter_it_cannot_use_draws_nothing_and_says_why(cast, work):
    client = login(cast.member)
    for qs in (f"team={cast.other_team.pk}", "sort=nonsense", "blocked=perhaps"):
        r = _get(client, cast.org, qs, status=400)
        assert _bars(r) == [] and b"These filters cannot be used" in r.content


def test_no_initiative_matching_draws_no_chart(cast, work):
    r = _get(login(cast.member), cast.org, "status=paused")
    assert _bars(r) == [] and b"No initiatives match these filters." in r.content
    assert b'<svg class="tl"' not in r.content


def test_a_viewer_saves_the_timeline_as_a_view_and_opens_it_again(cast, work):
    viewer = login(cast.viewer)
    path = _url(cast.org)
    r = viewer.post(
        "/o/acme/views/save/",
        {"name": "Platform on a line", "path": path, "query": f"team={cast.platform.pk}"},
    )
    assert r.status_code == 302 and r["Location"] == f"{path}?team={cast.platform.pk}"
    assert SavedView.objects.get(owner=cast.viewer).path == path
    page = _get(viewer, cast.org)
    assert b"Platform on a line" in page.content
    assert b"Platform on a line" not in viewer.get("/o/acme/alignment/initiatives/").content
    shown = _get(viewer, cast.org, f"team={cast.platform.pk}")
    assert sorted(_bars(shown)) == sorted([work.checkout.pk, work.wallet.pk, work.rails.pk])


def test_the_dependencies_of_a_page_are_read_by_initiative_not_by_organization(cast, work):
    """Filtered by the organization alone, SQLite walked every dependency of it (150 ms
    at 10,000 teams); each side names its initiatives, states and organization instead."""
    if connection.vendor != "sqlite":
        pytest.skip("the plan of SQLite's planner")
    ids = [work.checkout.pk, work.wallet.pk, work.rails.pk]
    plan = timeline.dependencies_of(cast.org, ids).explain()
    assert "requester_initiative_id=?" in plan and "provider_initiative_id=?" in plan, plan
    found, more = timeline.page_dependencies(cast.org, ids)
    assert {d.pk for d in found} == {work.tokens.pk, work.prices.pk} and not more
