"""The initiatives list: the organization's or a team's with the teams below it, cut by
filters in the URL, sorted, paged, saved as views; the API answers the same list."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment import queries
from accord.alignment import services as s
from accord.alignment import views as alignment_views
from accord.alignment.models import Initiative
from accord.coordination import queries as coordination_queries
from accord.coordination import services as coordination
from accord.org import services as org_services
from accord.org.models import Team
from accord.web.models import SavedView
from tests.conftest import api_client, check_figure, login
from tests.coordination.conftest import initiative, world  # noqa: F401 (a fixture)

ROW = re.compile(rb'data-initiative="(\d+)"')


@dataclass
class Work:
    payments: Team  # below Platform
    checkout: Initiative  # Platform, active, late, beta, aligned (Q1), Mia's
    wallet: Initiative  # Payments, proposed, unaligned, Leo's
    pricing: Initiative  # Sales, done, past target (not late), aligned (Q1)
    rails: Initiative  # Platform, active, blocked, unaligned


@pytest.fixture
def work(cast, plan) -> Work:
    org = cast.org
    today = timezone.localdate()
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.platform
    )
    checkout = s.create_initiative(
        org,
        None,
        team=cast.platform,
        title="Checkout rewrite",
        owner=cast.member,
        status="active",
        stage="beta",
        progress=40,
        target_date=today - dt.timedelta(days=3),
        objectives=[plan.platform_obj],
    )
    wallet = s.create_initiative(
        org,
        None,
        team=payments,
        title="Wallet",
        owner=cast.leader,
        progress=10,
        target_date=today + dt.timedelta(days=30),
    )
    pricing = s.create_initiative(
        org,
        None,
        team=plan.sales,
        title="Pricing page",
        status="done",
        progress=100,
        target_date=today - dt.timedelta(days=10),
        objectives=[plan.sales_obj],
    )
    rails = s.create_initiative(
        org, None, team=cast.platform, title="API rails", status="active", progress=70
    )
    dep = coordination.create_dependency(
        org,
        cast.admin,
        requester_initiative=rails,
        provider_team=plan.sales,
        title="Price list",
        need_by=today + dt.timedelta(days=20),
    )
    coordination.transition(org, cast.admin, dep, "flag_blocked", note="Waiting on legal")
    return Work(payments, checkout, wallet, pricing, rails)


def _page(client, org, qs: str = "", status: int = 200) -> list[int]:
    r = client.get(f"/o/{org.slug}/alignment/initiatives/?{qs}")
    assert r.status_code == status, r.content[:500]
    return [int(x) for x in ROW.findall(r.content)]


def _api(client, qs: str = "") -> list[int]:
    r = client.get(f"/api/v1/initiatives?limit=100&{qs}")
    assert r.status_code == 200, r.content[:500]
    return [i["id"] for i in r.json()["items"]]


def test_the_organization_list_shows_every_initiative_with_its_flags(cast, work):
    r = login(cast.viewer).get(f"/o/{cast.org.slug}/alignment/initiatives/")
    assert r.status_code == 200
    ids = [int(x) for x in ROW.findall(r.content)]
    assert sorted(ids) == sorted([work.checkout.pk, work.wallet.pk, work.pricing.pk, work.rails.pk])
    row = r.content.split(b'data-initiative="%d"' % work.rails.pk)[1].split(b"</tr>")[0]
    assert b">blocked<" in row and b"Flagged blocked (Sales)." in row
    late_row = r.content.split(b'data-initiative="%d"' % work.checkout.pk)[1].split(b"</tr>")[0]
    assert b">late<" in late_row
    done_row = r.content.split(b'data-initiative="%d"' % work.pricing.pk)[1].split(b"</tr>")[0]
    assert b">late<" not in done_row
    assert b">unaligned<" in row  # open and serving nothing
    # Dropped, it serves nothing but is no longer work to align: not flagged, as Alignment
    # does not count it.
    s.set_initiative_status(cast.org, None, work.rails, "dropped")
    r = login(cast.viewer).get(f"/o/{cast.org.slug}/alignment/initiatives/")
    row = r.content.split(b'data-initiative="%d"' % work.rails.pk)[1].split(b"</tr>")[0]
    assert b">unaligned<" not in row


def test_a_team_includes_the_teams_below_it_unless_only_this_team_is_asked(cast, work):
    client = login(cast.member)
    platform = cast.platform.pk
    assert set(_page(client, cast.org, f"team={platform}")) == {
        work.checkout.pk,
        work.wallet.pk,
        work.rails.pk,
    }
    assert set(_page(client, cast.org, f"team={platform}&only=on")) == {
        work.checkout.pk,
        work.rails.pk,
    }
    assert set(_page(client, cast.org, f"team={cast.root.pk}")) == {
        work.checkout.pk,
        work.wallet.pk,
        work.pricing.pk,
        work.rails.pk,
    }
    assert _page(client, cast.org, f"team={cast.root.pk}&only=on") == []


@pytest.mark.parametrize(
    "qs, expected",
    [
        ("status=active", {"checkout", "rails"}),
        ("status=done", {"pricing"}),
        ("stage=BETA", {"checkout"}),
        ("owner={member}", {"checkout"}),
        ("owner={leader}", {"wallet"}),
        ("objective={platform_obj}", {"checkout"}),
        ("period={q1}", {"checkout", "pricing"}),
        ("period={q2}", set()),
        ("aligned=yes", {"checkout", "pricing"}),
        ("aligned=no", {"wallet", "rails"}),
        ("blocked=yes", {"rails"}),
        ("blocked=no", {"checkout", "wallet", "pricing"}),
        ("late=yes", {"checkout"}),
        ("late=no", {"wallet", "pricing", "rails"}),
        ("status=active&aligned=no&team={platform}", {"rails"}),
    ],
)
def test_each_filter_cuts_the_list(cast, plan, work, qs, expected):
    ids = dict(
        member=cast.member.pk,
        leader=cast.leader.pk,
        platform_obj=plan.platform_obj.pk,
        q1=plan.q1.pk,
        q2=plan.q2.pk,
        platform=cast.platform.pk,
    )
    names = {
        work.checkout.pk: "checkout",
        work.wallet.pk: "wallet",
        work.pricing.pk: "pricing",
        work.rails.pk: "rails",
    }
    shown = _page(login(cast.member), cast.org, qs.format(**ids))
    assert {names[i] for i in shown} == expected


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("title", ["rails", "checkout", "pricing", "wallet"]),
        ("-title", ["wallet", "pricing", "checkout", "rails"]),
        ("progress", ["wallet", "checkout", "rails", "pricing"]),
        ("-progress", ["pricing", "rails", "checkout", "wallet"]),
        ("target", ["pricing", "checkout", "wallet", "rails"]),
        ("team", ["wallet", "checkout", "rails", "pricing"]),
        ("status", ["rails", "checkout", "pricing", "wallet"]),
    ],
)
def test_the_list_sorts(cast, work, sort, expected):
    names = {
        work.checkout.pk: "checkout",
        work.wallet.pk: "wallet",
        work.pricing.pk: "pricing",
        work.rails.pk: "rails",
    }
    shown = [names[i] for i in _page(login(cast.member), cast.org, f"sort={sort}")]
    if sort == "target":  # no target date: wherever the database puts nulls, in order otherwise
        shown = [n for n in shown if n != "rails"]
        expected = [n for n in expected if n != "rails"]
    assert shown == expected


def test_the_list_is_paged_and_the_pages_keep_the_filters(cast, work, monkeypatch):
    monkeypatch.setattr(alignment_views, "INITIATIVES_PAGE", 2)
    client = login(cast.member)
    first = client.get(f"/o/{cast.org.slug}/alignment/initiatives/?sort=title")
    assert [int(x) for x in ROW.findall(first.content)] == [work.rails.pk, work.checkout.pk]
    assert b"?sort=title&amp;page=2" in first.content
    second = _page(client, cast.org, "sort=title&page=2")
    assert second == [work.pricing.pk, work.wallet.pk]


def test_a_filter_naming_another_organizations_team_lists_nothing(cast, work):
    client = login(cast.member)
    assert _page(client, cast.org, f"team={cast.other_team.pk}", status=400) == []
    assert _page(client, cast.org, "sort=nonsense", status=400) == []
    assert _page(client, cast.org, "blocked=perhaps", status=400) == []


def test_another_organization_sees_none_of_it(cast, work):
    outsider = login(cast.outsider)
    r = outsider.get(f"/o/{cast.other_org.slug}/alignment/initiatives/")
    assert r.status_code == 200 and ROW.findall(r.content) == []
    assert outsider.get(f"/o/{cast.org.slug}/alignment/initiatives/").status_code in (403, 404)
    assert _api(api_client(cast.outsider)) == []


@pytest.mark.parametrize(
    "page_qs, api_qs",
    [
        ("", ""),
        ("team={platform}", "team_id={platform}&subtree=true"),
        ("team={platform}&only=on", "team_id={platform}"),
        ("status=active&sort=-progress", "status=active&sort=-progress"),
        ("blocked=yes", "blocked=true"),
        ("late=no&sort=title", "late=false&sort=title"),
        ("aligned=no&stage=beta", "aligned=false&stage=beta"),
        ("period={q1}&owner={member}", "period_id={q1}&owner_id={member}"),
        ("objective={platform_obj}", "objective_id={platform_obj}"),
    ],
)
def test_the_api_answers_the_same_list_as_the_page(cast, plan, work, page_qs, api_qs):
    ids = dict(
        platform=cast.platform.pk,
        q1=plan.q1.pk,
        member=cast.member.pk,
        platform_obj=plan.platform_obj.pk,
    )
    page = _page(login(cast.member), cast.org, page_qs.format(**ids))
    assert page == _api(api_client(cast.member), api_qs.format(**ids))


def test_the_blocked_filter_agrees_with_coordination(world):  # noqa: F811
    """Flagged blocked, late, declined with nothing else planned: as `blocked_reasons`."""
    flagged = initiative(world.org, world.sales, "Flagged")
    late = initiative(world.org, world.sales, "Late")
    declined = initiative(world.org, world.sales, "Declined")
    replanned = initiative(world.org, world.sales, "Declined, then asked again")
    fine = initiative(world.org, world.sales, "Fine")
    d = world.request(requester_initiative=flagged, title="Racks")
    coordination.transition(world.org, world.asker, d, "flag_blocked", note="Strike")
    coordination.record_dependency(  # asked for a date now past, as history
        world.org,
        None,
        requester_initiative=late,
        provider_team=world.ops,
        title="Forklifts",
        need_by=world.today - dt.timedelta(days=5),
    )
    for who, title in ((declined, "Trucks"), (replanned, "Vans")):
        dep = world.request(requester_initiative=who, title=title)
        coordination.transition(world.org, world.giver, dep, "decline", note="No capacity")
    world.request(requester_initiative=replanned, title="Vans, smaller")
    world.request(requester_initiative=fine, title="Pallets")
    ids = [flagged.pk, late.pk, declined.pk, replanned.pk, fine.pk]
    expected = set(coordination_queries.blocked_reasons(world.org, ids, world.today))
    assert expected == {flagged.pk, late.pk, declined.pk}
    f = queries.InitiativeFilters(team_id=world.sales.pk, blocked=True)
    assert set(queries.initiative_list(world.org, f).values_list("pk", flat=True)) == expected


# --- saved views -------------------------------------------------------------------------


def _save(client, org, name, query, shared=False):
    data = {"name": name, "path": f"/o/{org.slug}/alignment/initiatives/", "query": query}
    if shared:
        data["shared"] = "on"
    return client.post(f"/o/{org.slug}/views/save/", data)


def test_a_view_is_saved_with_its_filters_and_listed_for_its_owner_only(cast, work):
    member = login(cast.member)
    before = Event.objects.filter(org=cast.org).count()
    r = _save(member, cast.org, "Late work", "late=yes&page=3&stage=")
    assert r.status_code == 302
    assert r["Location"] == f"/o/{cast.org.slug}/alignment/initiatives/?late=yes"
    view = SavedView.objects.get(org=cast.org, name="Late work")
    assert (view.owner, view.query, view.shared) == (cast.member, "late=yes", False)
    assert Event.objects.filter(org=cast.org).count() == before + 1
    page = member.get(f"/o/{cast.org.slug}/alignment/initiatives/").content
    assert b"Late work" in page
    other = login(cast.leader).get(f"/o/{cast.org.slug}/alignment/initiatives/").content
    assert b"Late work" not in other


def test_a_shared_view_is_listed_for_everyone_in_the_organization(cast, work):
    _save(login(cast.member), cast.org, "Blocked work", "blocked=yes", shared=True)
    page = login(cast.leader).get(f"/o/{cast.org.slug}/alignment/initiatives/").content
    assert b"Blocked work" in page and b"by Mia Member" in page
    assert (
        b"Blocked work"
        not in login(cast.outsider).get(f"/o/{cast.other_org.slug}/alignment/initiatives/").content
    )


def test_a_viewer_may_save_and_remove_views_of_their_own(cast, work):
    viewer = login(cast.viewer)
    assert _save(viewer, cast.org, "Mine", "status=active").status_code == 302
    view = SavedView.objects.get(org=cast.org, owner=cast.viewer)
    r = viewer.post(f"/o/{cast.org.slug}/views/{view.pk}/delete/")
    assert r.status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_only_the_owner_removes_a_view_and_another_organization_cannot_touch_it(cast, work):
    _save(login(cast.member), cast.org, "Shared", "late=yes", shared=True)
    view = SavedView.objects.get(org=cast.org, name="Shared")
    assert login(cast.viewer).post(f"/o/{cast.org.slug}/views/{view.pk}/delete/").status_code == 403
    outsider = login(cast.outsider)
    assert outsider.post(f"/o/{cast.other_org.slug}/views/{view.pk}/delete/").status_code == 404
    assert SavedView.objects.filter(pk=view.pk).exists()
    # An admin may remove a shared view that has become noise.
    assert login(cast.admin).post(f"/o/{cast.org.slug}/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()


def test_a_view_of_another_organizations_page_or_without_a_name_is_refused(cast, work):
    member = login(cast.member)
    before = Event.objects.count()
    r = member.post(
        f"/o/{cast.org.slug}/views/save/",
        {"name": "Theirs", "path": f"/o/{cast.other_org.slug}/alignment/initiatives/"},
    )
    assert r.status_code == 302
    assert _save(member, cast.org, "  ", "late=yes").status_code == 302
    r = member.post(
        f"/o/{cast.org.slug}/views/save/", {"name": "Away", "path": "https://evil.example/"}
    )
    assert r["Location"] == f"/o/{cast.org.slug}/"
    assert not SavedView.objects.exists()
    assert Event.objects.count() == before


def test_saving_a_view_under_the_same_name_replaces_its_filters(cast, work):
    member = login(cast.member)
    _save(member, cast.org, "Mine", "late=yes")
    _save(member, cast.org, "Mine", "late=no", shared=True)
    view = SavedView.objects.get(org=cast.org, owner=cast.member)
    assert (view.query, view.shared) == ("late=no", True)


def test_the_team_page_and_the_alignment_tabs_link_to_the_list(cast, work):
    client = login(cast.member)
    team_page = client.get(f"/o/{cast.org.slug}/alignment/teams/platform/").content
    # By the team's slug, as every list's team filter names it.
    assert f"/o/{cast.org.slug}/alignment/initiatives/?team=platform".encode() in team_page
    assert b"All initiatives of this team and below" in team_page
    tree = client.get(f"/o/{cast.org.slug}/alignment/").content
    assert f'href="/o/{cast.org.slug}/alignment/initiatives/"'.encode() in tree


# --- the board ---------------------------------------------------------------------------


def _column(content: bytes, status: str) -> set[int]:
    part = content.split(f'data-status="{status}"'.encode())[1].split(b"</section>")[0]
    return {int(x) for x in ROW.findall(part)}


def test_the_board_shows_the_same_filtered_list_in_columns_by_status(cast, work):
    client = login(cast.viewer)
    r = client.get(f"/o/{cast.org.slug}/alignment/initiatives/board/?team={cast.platform.pk}")
    assert r.status_code == 200
    assert _column(r.content, "active") == {work.checkout.pk, work.rails.pk}
    assert _column(r.content, "proposed") == {work.wallet.pk}
    assert _column(r.content, "done") == set()  # Sales' pricing page is not below Platform
    r = client.get(f"/o/{cast.org.slug}/alignment/initiatives/board/?status=done")
    assert b'data-status="active"' not in r.content
    assert _column(r.content, "done") == {work.pricing.pk}
    bad = client.get(f"/o/{cast.org.slug}/alignment/initiatives/board/?team=nope")
    assert bad.status_code == 400 and not ROW.findall(bad.content)


def test_the_list_counts_its_pages_and_says_when_a_page_is_past_the_end(cast, work, monkeypatch):
    monkeypatch.setattr(alignment_views, "INITIATIVES_PAGE", 2)
    client = login(cast.member)
    first = client.get(f"/o/{cast.org.slug}/alignment/initiatives/?sort=title").content.decode()
    assert "1\u20132 of 4" in first and "Page 1 of 2" in first
    past = client.get(f"/o/{cast.org.slug}/alignment/initiatives/?sort=title&page=3")
    assert not ROW.findall(past.content)
    assert b"No more initiatives this far." in past.content
    assert b'<a href="?sort=title">First page</a>' in past.content


def _figures_key(what: str, url: str) -> str:
    from django.test import RequestFactory

    from accord.web.helpers import filters_digest

    return f"initiative-{what}:{{}}:{filters_digest(RequestFactory().get(url))}"


@pytest.mark.parametrize("view", ["", "timeline/"])
def test_the_lists_total_is_a_figure_of_the_filtered_initiatives(cast, work, monkeypatch, view):
    url = f"/o/{cast.org.slug}/alignment/initiatives/{view}?status=active&sort=title"
    client = login(cast.member)

    def shown() -> int:
        html = client.get(url).content.decode()
        return int(re.search(r"1\u2013\d+ of (\d+)", html).group(1))

    def add(name):
        s.create_initiative(cast.org, None, team=work.pricing.team, title=name, status="active")

    key = _figures_key("list", url).format(cast.org.pk)
    check_figure(shown, add, key, monkeypatch)
    s.create_initiative(
        cast.org, None, team=work.pricing.team, title="Not counted", status="proposed"
    )
    cache.delete(key)
    assert shown() == 2 + 2  # the active ones only: the filters make the figure


def test_the_boards_column_counts_are_figures(cast, work, monkeypatch):
    url = f"/o/{cast.org.slug}/alignment/initiatives/board/?team={cast.platform.pk}"
    client = login(cast.viewer)

    def shown() -> int:
        html = client.get(url).content.decode()
        return int(re.search(r'id="col-active">Active <span class="muted num">(\d+)', html)[1])

    def add(name):
        s.create_initiative(cast.org, None, team=work.payments, title=name, status="active")

    check_figure(shown, add, _figures_key("board", url).format(cast.org.pk), monkeypatch)


def test_closed_work_without_a_target_is_not_called_ongoing(cast, work):
    """Open work without a target date is ongoing; done or dropped work without one is not."""
    org = cast.org

    def target_cell(initiative) -> bytes:
        r = login(cast.viewer).get(f"/o/{org.slug}/alignment/initiatives/")
        row = r.content.split(b'data-initiative="%d"' % initiative.pk)[1].split(b"</tr>")[0]
        return row.split(b"<td>")[6]

    assert b">ongoing<" in target_cell(work.rails)
    s.set_initiative_status(org, None, work.rails, "dropped")
    cell = target_cell(work.rails)
    assert b"ongoing" not in cell and b"No target date" in cell
    detail = login(cast.viewer).get(f"/o/{org.slug}/alignment/initiatives/{work.rails.pk}/")
    assert b"ongoing" not in detail.content
    assert b"none (it was dropped without one)" in detail.content


def test_by_team_and_priority_puts_each_teams_ranked_work_first(cast, work, monkeypatch):
    """The default order: teams by name, each team's priority stack from its #1, and its
    finished or dropped work (no rank) after it; the same on SQLite and PostgreSQL (which
    place a missing rank at opposite ends), on every page, in the page and the API."""
    archive = s.create_initiative(
        cast.org, None, team=cast.platform, title="Archive old builds", status="done"
    )
    assert Initiative.objects.get(pk=archive.pk).rank is None
    names = {
        work.wallet.pk: "wallet",  # Payments (below Platform), its #1
        work.checkout.pk: "checkout",  # Platform #1
        work.rails.pk: "rails",  # Platform #2
        archive.pk: "archive",  # Platform, done: no rank, though its title sorts first
        work.pricing.pk: "pricing",  # Sales, done
    }
    expected = ["wallet", "checkout", "rails", "archive", "pricing"]
    # Teams by name, not by when they were made (Payments was made after Platform and Sales).
    assert work.payments.pk > cast.platform.pk
    client = login(cast.member)
    for qs in ("", "sort=team"):
        assert [names[i] for i in _page(client, cast.org, qs)] == expected, qs
        assert [names[i] for i in _api(api_client(cast.member), qs)] == expected, qs
    assert [names[i] for i in _api(api_client(cast.member), "sort=-team")] == expected[::-1]
    platform = [names[i] for i in _page(client, cast.org, f"team={cast.platform.slug}")]
    assert platform == ["wallet", "checkout", "rails", "archive"]
    monkeypatch.setattr(alignment_views, "INITIATIVES_PAGE", 2)
    pages = [_page(client, cast.org, f"page={n}") for n in (1, 2, 3)]
    assert [names[i] for page in pages for i in page] == expected
