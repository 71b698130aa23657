"""A team's alignment tree is that team's: its objectives shown in full in it, and the
figures above it (orphaned, unaligned, teams over WIP) counted within it and opening their
lists."""

from __future__ import annotations

import re

import pytest

from accord.alignment import services as s
from accord.org import services as org_services
from tests.conftest import login


def _figure(page: str, label: str) -> str:
    start = page.index(f'<span class="muted">{label}')
    return page[start : page.index("</div>", start)]


def _count(figure: str) -> str:
    return re.sub(r"<[^>]+>", "", figure.split("<strong>")[1].split("</strong>")[0]).strip()


# --- an objective aligned first outside the team, then inside it -------------------------


@pytest.fixture
def shared(cast, plan):
    """Platform's "Ledger" contributes first to Sales' objective, then to Platform's own."""
    ledger = s.create_objective(
        cast.org,
        None,
        title="Ledger",
        period=plan.q1,
        team=cast.platform,
        parents=[plan.sales_obj, plan.platform_obj],
    )
    s.create_key_result(cast.org, None, ledger, name="Ledger entries reconciled", target=100)
    return ledger


def test_a_teams_tree_shows_its_own_objective_in_full(cast, plan, shared):
    page = login(cast.member).get("/o/acme/alignment/", {"team": "platform"}).content.decode()
    assert "Ledger" in page
    assert "Ledger entries reconciled" in page  # its key result, under Platform's objective
    assert '<div class="repeated">' not in page


def test_the_organizations_tree_still_shows_it_in_full_under_its_first_parent(cast, plan, shared):
    page = login(cast.member).get("/o/acme/alignment/").content.decode()
    assert page.count('<div class="repeated">') == 1
    repeated = page.split('<div class="repeated">')[1].split("</div>")[0]
    assert "Ledger" in repeated and "shown in full under" in repeated
    assert "Win enterprise deals" in repeated
    assert page.count(">Ledger entries reconciled</a>") == 1


def test_opening_a_level_of_a_teams_tree_keeps_the_team(cast, plan, shared, monkeypatch):
    client = login(cast.member)
    url = f"/o/acme/alignment/objectives/{plan.platform_obj.pk}/children/"
    hx = {"HX-Request": "true"}
    scoped = client.get(url, {"depth": 1, "team": "platform"}, headers=hx).content.decode()
    assert "Ledger entries reconciled" in scoped
    assert '<div class="repeated">' not in scoped
    whole = client.get(url, {"depth": 1}, headers=hx).content.decode()
    assert '<div class="repeated">' in whole
    # The tree's own links to open a level carry the team (a tree too big to show whole).
    from accord.alignment import views

    monkeypatch.setattr(views, "TREE_DEPTH", 1)
    page = client.get("/o/acme/alignment/", {"team": "platform"}).content.decode()
    assert "/children/?depth=1&amp;team=platform" in page


def test_the_api_tree_of_a_team_shows_its_own_objective_in_full(cast, plan, shared):
    from tests.conftest import api_client

    client = api_client(cast.member)
    doc = client.get("/api/v1/alignment-tree", {"team_id": cast.platform.pk, "depth": 2}).json()
    top = next(n for n in doc["objectives"] if n["title"] == "Faster checkout")
    ledger = next(n for n in top["children"] if n["title"] == "Ledger")
    assert not ledger["repeated"]
    assert [k["name"] for k in ledger["key_results"]] == ["Ledger entries reconciled"]


# --- teams over WIP ----------------------------------------------------------------------


@pytest.fixture
def overloaded(cast, plan):
    """Platform runs two active initiatives against a WIP limit of one; Sales has none."""
    for title in ("Checkout API", "Fraud rules"):
        s.create_initiative(cast.org, None, team=cast.platform, title=title, status="active")
    s.set_wip_limit(cast.org, None, cast.platform, 1)
    s.set_wip_limit(cast.org, None, plan.sales, 3)
    return cast.platform


def test_teams_over_wip_counts_only_the_teams_in_scope(cast, plan, overloaded):
    client = login(cast.member)
    sales = client.get("/o/acme/alignment/", {"team": "sales"}).content.decode()
    assert _count(_figure(sales, "Teams over WIP")) == "0"
    platform = client.get("/o/acme/alignment/", {"team": "platform"}).content.decode()
    assert _count(_figure(platform, "Teams over WIP")) == "1"


def test_teams_over_wip_names_them_and_links_to_their_stacks(cast, plan, overloaded):
    page = login(cast.member).get("/o/acme/alignment/").content.decode()
    figure = _figure(page, "Teams over WIP")
    assert _count(figure) == "1"
    assert '<a href="/o/acme/alignment/teams/platform/">Platform</a> 2/1' in figure


def test_a_team_below_the_scope_counts_in_it(cast, plan, overloaded):
    payments = org_services.create_team(
        cast.org, None, name="Payments", slug="payments", parent=cast.platform
    )
    s.set_wip_limit(cast.org, None, cast.platform, None)
    for title in ("Refunds", "Chargebacks"):
        s.create_initiative(cast.org, None, team=payments, title=title, status="active")
    s.set_wip_limit(cast.org, None, payments, 1)
    page = login(cast.member).get("/o/acme/alignment/", {"team": "platform"}).content.decode()
    figure = _figure(page, "Teams over WIP")
    assert _count(figure) == "1"
    assert "/o/acme/alignment/teams/payments/" in figure


# --- the figures open their lists --------------------------------------------------------


def test_orphaned_opens_the_scopes_orphaned_objectives(cast, plan):
    client = login(cast.member)
    page = client.get("/o/acme/alignment/", {"team": "platform"}).content.decode()
    figure = _figure(page, "Orphaned")
    link = re.search(r'href="([^"]+)"', figure).group(1).replace("&amp;", "&")
    assert "show=orphaned" in link and "team=platform" in link
    listed = client.get("/o/acme/alignment/" + link).content.decode()
    assert 'aria-label="Orphaned objectives"' in listed
    assert "Faster checkout" in listed  # Platform's, served by nothing
    assert "Win enterprise deals" not in listed  # Sales': outside the scope
    assert "Grow revenue" not in listed.split('aria-label="Orphaned objectives"')[1]
    assert listed.count('class="node-title"') == int(_count(figure))


def test_unaligned_opens_the_list_of_the_same_initiatives(cast, plan):
    s.create_initiative(cast.org, None, team=cast.platform, title="Loose end", status="active")
    done = s.create_initiative(cast.org, None, team=cast.platform, title="Old chore")
    s.set_initiative_status(cast.org, None, done, "active")
    s.set_initiative_status(cast.org, None, done, "done")  # unaligned, but not open: not counted
    s.create_initiative(cast.org, None, team=plan.sales, title="Sales thing", status="active")
    client = login(cast.member)
    page = client.get("/o/acme/alignment/", {"team": "platform"}).content.decode()
    figure = _figure(page, "Unaligned")
    assert _count(figure) == "1"
    link = re.search(r'href="([^"]+)"', figure).group(1).replace("&amp;", "&")
    listed = client.get(link).content.decode()
    assert "Loose end" in listed
    assert "Old chore" not in listed and "Sales thing" not in listed


def test_the_open_status_filter_lists_proposed_active_and_paused(cast, plan):
    for title, status in (("P", "proposed"), ("A", "active"), ("D", "dropped")):
        s.create_initiative(
            cast.org, None, team=cast.platform, title=f"Work {title}", status=status
        )
    client = login(cast.member)
    listed = client.get("/o/acme/alignment/initiatives/", {"status": "open"}).content.decode()
    assert "Work P" in listed and "Work A" in listed and "Work D" not in listed
    board = client.get("/o/acme/alignment/initiatives/board/", {"status": "open"})
    assert board.status_code == 200
    assert "Work A" in board.content.decode() and "Work D" not in board.content.decode()
