"""The coordination overview cut to a team and the teams below it: by default the highest
team the viewer leads (as Insights), any team chosen by `?team=<slug>`, the whole
organization with `?team=`. Its figures, late and at-risk rows, load, cycles and the
requests waiting on the viewer count only the dependencies touching that scope; another
department's and another organization's never count."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from accord.alignment import services as alignment
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.intelligence import evaluate
from accord.org import services as org_services
from tests.conftest import login
from tests.coordination.conftest import initiative

URL = "/o/acme/coordination/"


def _ask(world, org, asks, gives, title, *, days=30):
    dep = services.create_dependency(
        org,
        None,
        requester_initiative=asks,
        provider_team=gives,
        title=title,
        need_by=world.today + dt.timedelta(days=30),
    )
    if days < 0:  # late: its need-by has passed
        Dependency.objects.filter(pk=dep.pk).update(need_by=world.today + dt.timedelta(days))
    return dep


@pytest.fixture
def scoped(world, cast):
    """Operations with Fulfilment below it. Inside the scope: Sales asks Operations
    (waiting on it) and Fulfilment (late); Operations asks Fulfilment (at risk). Outside:
    Sales and Platform ask each other, one late, one at risk; another organization has a
    late dependency of its own."""
    org = world.org
    fulfil = org_services.create_team(org, None, name="Fulfilment", slug="fulfil", parent=world.ops)
    platform_work = initiative(org, cast.platform, "Platform work")
    _ask(world, org, world.launch, world.ops, "Dep to ops")
    _ask(world, org, world.launch, fulfil, "Dep late fulfil", days=-3)
    risky = _ask(world, org, world.warehouse, fulfil, "Dep risky inside")
    services.transition(org, None, risky, "flag_at_risk", note="Short of boxes")
    _ask(world, org, world.launch, cast.platform, "Dep elsewhere late", days=-5)
    away = _ask(world, org, platform_work, world.sales, "Dep elsewhere risky")
    services.transition(org, None, away, "flag_at_risk", note="Slow")
    other = cast.other_org
    there = org_services.create_team(other, None, name="Elsewhere", slug="elsewhere")
    theirs = alignment.create_initiative(other, None, team=cast.other_team, title="Theirs")
    _ask(world, other, theirs, there, "Dep other org late", days=-4)
    world.fulfil = fulfil
    return world


def _titles(page: str) -> set[str]:
    return {t[1:-1] for t in re.findall(r">Dep [a-z -]+<", page)}


def _section(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"')[1].split("</section>")[0]


def _get(client, params=None, url=URL) -> str:
    r = client.get(url, params if params is not None else {})
    assert r.status_code == 200, r.status_code
    return r.content.decode()


def _figures(page: str) -> dict[str, str]:
    """The scope's figures by what they count: {"active dependencies": "3", "late": "1"}."""
    line = page.split("data-scope-figures>")[1].split("</p>")[0]
    return {
        what: n
        for n, what in re.findall(r">(\d+\+?) ([a-z ]+)</a>", line)
        + re.findall(r"· (\d+\+?) (cycles?)", line)
    }


def test_a_lead_opens_on_their_department_and_counts_only_what_touches_it(scoped):
    page = _get(login(scoped.giver))  # the lead of Operations, with no team asked for
    assert "<h1>Coordination · Operations</h1>" in page
    assert _figures(page) == {
        "active dependencies": "3",
        "waiting for an answer from them": "3",
        "late": "1",
        "at risk": "1",
        "asked of them by other teams": "2",
        "asked by them of other teams": "0",
        "cycles": "0",
    }
    assert _titles(_section(page, "late-h")) == {"Dep late fulfil"}
    assert _titles(_section(page, "risk-h")) == {"Dep risky inside"}
    load = _section(page, "load-h")
    assert ">Operations</a>" in load and ">Fulfilment</a>" in load
    assert ">Sales</a>" not in load and ">Platform</a>" not in load
    # The request waiting on the team the viewer leads is inside the scope.
    assert _titles(_section(page, "new-h")) == {"Dep to ops"}
    assert "Requests for the teams you lead to answer" in _section(page, "new-h")
    assert 'href="?team=" data-whole-organization>Whole organization</a>' in page
    assert f'href="/o/acme/coordination/map/?team={scoped.ops.pk}"' in page


def test_each_scoped_figure_is_the_list_it_links_to(scoped):
    client = login(scoped.giver)
    line = _get(client).split("data-scope-figures>")[1].split("</p>")[0]
    links = re.findall(r'<a href="(/o/acme/coordination/list/\?[^"]+)"[^>]*>(\d+) ', line)
    assert len(links) == 6
    for href, count in links:
        href = html.unescape(href)
        assert "team=ops" in href
        params = dict(p.split("=", 1) for p in href.split("?", 1)[1].split("&"))
        listed = _get(client, params, "/o/acme/coordination/list/")
        assert len(_titles(listed.split('aria-label="Dependencies"')[1])) == int(count), href


def test_the_whole_organization_is_a_click_away_and_never_another_organizations(scoped, cast):
    page = _get(login(scoped.giver), {"team": ""})
    assert "<h1>Coordination</h1>" in page and "data-scope-figures" not in page
    assert ">2 late</a>" in page and ">2 at risk</a>" in page
    assert _titles(_section(page, "late-h")) == {"Dep late fulfil", "Dep elsewhere late"}
    assert _titles(_section(page, "risk-h")) == {"Dep risky inside", "Dep elsewhere risky"}
    # Back to the viewer's own department from there.
    assert '<a href="?team=ops">Back to Operations and the teams below it</a>' in page
    # An admin opens on the whole organization; another organization's never shows.
    page = _get(login(cast.admin))
    assert "<h1>Coordination</h1>" in page and "Dep other org late" not in page
    assert ">2 late</a>" in page


def test_another_department_chosen_leaves_this_one_out(scoped):
    client = login(scoped.giver)
    page = _get(client, {"team": "sales"})
    assert "<h1>Coordination · Sales</h1>" in page
    figures = _figures(page)
    # What Sales asks of Operations and Platform, and Platform of Sales; not what
    # Operations asks of Fulfilment.
    assert (figures["active dependencies"], figures["late"], figures["at risk"]) == ("4", "2", "1")
    assert _titles(_section(page, "late-h")) == {"Dep late fulfil", "Dep elsewhere late"}
    assert _titles(_section(page, "risk-h")) == {"Dep elsewhere risky"}
    assert 'id="new-h"' not in page  # what waits on Operations is not Sales'
    assert client.get(URL, {"team": "nowhere"}).status_code == 404
    assert client.get(URL, {"team": "elsewhere"}).status_code == 404  # another organization's


def test_a_cycle_outside_the_scope_is_not_the_scopes(world, cast):
    """Sales and Platform wait on each other: a cycle of the organization and of Sales,
    not of Operations."""
    org = world.org
    platform_work = initiative(org, cast.platform, "Platform work")
    for asks, team, gives, title in (
        (world.launch, cast.platform, platform_work, "Dep one way"),
        (platform_work, world.sales, world.launch, "Dep other way"),
    ):
        dep = _ask(world, org, asks, team, title)
        services.transition(
            org,
            None,
            dep,
            "accept",
            provider_initiative=gives,
            committed_date=world.today + dt.timedelta(days=30),
        )
    evaluate.evaluate(org, announce=False)
    client = login(world.giver)
    ops = _get(client, {"team": "ops"})
    assert _figures(ops)["cycles"] == "0"
    assert "No cycle goes through Operations or a team below it." in ops
    sales = _get(client, {"team": "sales"})
    assert _figures(sales)["cycle"] == "1"
    assert {"Platform", "Sales"} <= set(re.findall(r"\w+", _section(sales, "cycles-h")))
    assert "· 1 cycle</p>" in _get(client, {"team": ""})
