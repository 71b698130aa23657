"""A team with teams below it (a department) on its alignment page: its own figures say
they are its own, and the page gives the figures of it with the teams below it, so an
empty stack of its own does not read as "nothing going on"."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from accord.alignment import services as s
from accord.org import services as org_services
from accord.org.models import Team
from tests.conftest import login


def _figure(page: str, label: str) -> str:
    start = page.index(f'<span class="muted">{label}')
    return page[start : page.index("</div>", start)]


def _count(figure: str) -> str:
    return re.sub(r"<[^>]+>", "", figure.split("<strong>")[1].split("</strong>")[0]).strip()


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html)).strip()


@dataclass
class Dept:
    engineering: Team
    payments: Team


@pytest.fixture
def dept(cast, plan) -> Dept:
    """Engineering (nothing of its own) over Platform and Payments: Platform runs two
    active initiatives (one serving nothing) against a WIP limit of one, Payments one
    active serving Platform's objective and one proposed serving nothing. Sales, beside
    Engineering, runs work that is none of Engineering's."""
    org = cast.org
    engineering = org_services.create_team(
        org, None, name="Engineering", slug="engineering", parent=cast.root
    )
    org_services.update_team(org, None, cast.platform, parent=engineering)
    payments = org_services.create_team(
        org, None, name="Payments", slug="payments", parent=cast.platform
    )
    s.create_initiative(org, None, team=cast.platform, title="Loose ends", status="active")
    s.create_initiative(
        org,
        None,
        team=cast.platform,
        title="Checkout API",
        status="active",
        objectives=[plan.platform_obj],
    )
    s.set_wip_limit(org, None, cast.platform, 1)
    s.create_initiative(
        org,
        None,
        team=payments,
        title="Refunds",
        status="active",
        objectives=[plan.platform_obj],
    )
    s.create_initiative(org, None, team=payments, title="Someday", status="proposed")
    s.create_initiative(org, None, team=plan.sales, title="Cold calls", status="active")
    s.create_initiative(org, None, team=plan.sales, title="Trade fair", status="active")
    s.set_wip_limit(org, None, plan.sales, 1)
    return Dept(engineering, payments)


def test_a_departments_page_gives_the_figures_of_the_teams_below_it(cast, plan, dept):
    page = login(cast.member).get("/o/acme/alignment/teams/engineering/").content.decode()
    department = page.split('id="department"')[1].split("</div>\n</div>")[0] + "</div>"
    assert _count(_figure(department, "Active")) == "3"  # Platform's two, Payments' one
    assert "1 not serving an objective" in _figure(department, "Active")
    assert _count(_figure(department, "Unaligned")) == "2"  # with Payments' proposed one
    assert _count(_figure(department, "Orphaned")) == "0"
    wip = _figure(department, "Teams over WIP")
    assert _count(wip) == "1"  # Platform, not Sales beside it
    assert '<a href="/o/acme/alignment/teams/platform/#stack">Platform</a> 2/1' in wip
    assert "Sales" not in wip
    # The links open the filtered lists of the team and the teams below it.
    assert 'href="/o/acme/alignment/initiatives/?team=engineering&amp;status=active"' in page
    assert (
        'href="/o/acme/alignment/initiatives/?team=engineering&amp;status=open&amp;aligned=no"'
        in page
    )


def test_a_departments_own_figures_say_they_are_its_own(cast, plan, dept):
    page = login(cast.member).get("/o/acme/alignment/teams/engineering/").content.decode()
    assert "Engineering itself" in page
    assert _count(_figure(page, "Own active")) == "0"
    assert _count(_figure(page, "Own unaligned")) == "0"
    assert "Own orphaned" in page


def test_no_work_of_its_own_is_not_said_to_be_all_aligned(cast, plan, dept):
    client = login(cast.member)
    page = client.get("/o/acme/alignment/teams/engineering/").content.decode()
    text = _text(page)
    assert "All of this team's work serves an objective" not in text
    assert "No active initiatives." not in text
    said = (
        "Engineering has no open initiatives of its own; the teams below it have 3 active"
        " (1 not serving an objective)."
    )
    assert said in text
    assert "Engineering has no active initiatives of its own; the teams below it have 3" in text
    link = "/o/acme/alignment/initiatives/?team=engineering&status=active&aligned=no"
    assert f'href="{link.replace("&", "&amp;")}"' in page
    listed = client.get(link).content.decode()
    assert "Loose ends" in listed
    assert "Checkout API" not in listed and "Cold calls" not in listed


def test_the_top_team_counts_every_team(cast, plan, dept):
    """The only team at the top: its figures are the organization's, read unfiltered."""
    page = login(cast.member).get("/o/acme/alignment/teams/acme/").content.decode()
    department = page.split('id="department"')[1].split("</div>\n</div>")[0] + "</div>"
    assert _count(_figure(department, "Active")) == "5"
    assert _count(_figure(department, "Teams over WIP")) == "2"


def test_a_team_below_nothing_keeps_its_plain_figures(cast, plan, dept):
    page = login(cast.member).get("/o/acme/alignment/teams/payments/").content.decode()
    assert 'id="department"' not in page
    assert _count(_figure(page, "Active")) == "1"
    assert _count(_figure(page, "Unaligned")) == "1"
    sales = login(cast.member).get("/o/acme/alignment/teams/sales/").content.decode()
    assert "This team has no open" not in sales
    assert "All of this team's work serves an objective." not in sales  # both serve nothing


def test_a_team_without_work_or_teams_below_says_so(cast, plan):
    org_services.create_team(cast.org, None, name="Legal", slug="legal", parent=cast.root)
    page = login(cast.member).get("/o/acme/alignment/teams/legal/").content.decode()
    assert "This team has no open initiatives." in page
    assert "All of this team's work serves an objective." not in page


def test_the_departments_figures_are_exact_up_to_a_limit_then_a_minute_old(
    cast, plan, dept, monkeypatch
):
    """Counted as a page's figures are (`accord.core.counting.kept_while_large`): a new
    initiative shows at once while small; beyond, the count is kept a minute."""
    from tests.conftest import check_figure

    client = login(cast.member)

    def active() -> int:
        page = client.get("/o/acme/alignment/teams/engineering/").content.decode()
        department = page.split('id="department"')[1]
        return int(_count(_figure(department, "Active")))

    def add(name: str) -> None:
        s.create_initiative(cast.org, None, team=dept.payments, title=name, status="active")

    key = f"alignment-department:{cast.org.pk}:{dept.engineering.pk}:{plan.q1.pk}"
    check_figure(active, add, key, monkeypatch)


def test_a_department_with_nothing_active_below_says_so(cast, plan):
    org_services.create_team(cast.org, None, name="Legal", slug="legal", parent=cast.root)
    page = login(cast.member).get("/o/acme/alignment/teams/acme/").content.decode()
    text = _text(page)
    assert "Acme has no active initiatives of its own; the teams below it have no active" in text
    assert "All of this team's work serves an objective." not in text
