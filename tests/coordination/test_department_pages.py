"""A team with sub-teams (a department) on its coordination pages: the list keeps what
crosses the scope's boundary and says which filters are in force; the team's coordination
page has an inbox of what waits on any team below it, answered by the lead above; its
figures are those of the team with the teams below it, each equal to the list it links."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from accord.coordination import services, views
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import login
from tests.coordination.conftest import initiative

URL = "/o/acme/coordination/list/"


@pytest.fixture
def dept(world):
    """Operations with Fulfilment below it. Sales asks Operations and Fulfilment; Operations
    asks Sales and Fulfilment (inside the department); Fulfilment's answer to Operations
    waits on Operations (a counter-proposal)."""
    fulfil = org_services.create_team(
        world.org, None, name="Fulfilment", slug="fulfil", parent=world.ops
    )
    ops_work = initiative(world.org, world.ops, "Ops thing")
    fulfil_work = initiative(world.org, fulfil, "Fulfil thing", target=world.today)
    ask = {"need_by": world.today + dt.timedelta(days=30)}
    out = {
        "to-ops": world.request(title="Dep to ops"),
        "to-fulfil": world.request(title="Dep to fulfil", provider_team=fulfil),
        "to-sales": services.create_dependency(
            world.org,
            world.giver,
            requester_initiative=ops_work,
            provider_team=world.sales,
            title="Dep to sales",
            **ask,
        ),
        "inside": services.create_dependency(
            world.org,
            world.giver,
            requester_initiative=ops_work,
            provider_team=fulfil,
            title="Dep inside",
            **ask,
        ),
    }
    # Fulfilment proposes a date back to Operations: now Operations' move.
    out["inside"] = services.transition(
        world.org,
        None,
        out["inside"],
        "propose",
        provider_initiative=fulfil_work,
        proposed_date=world.today + dt.timedelta(days=40),
    )
    world.fulfil = fulfil
    return out


def _titles(page: str) -> set[str]:
    return {t[1:-1] for t in re.findall(r">Dep [a-z -]+<", page)}


def _get(client, params=None) -> str:
    r = client.get(URL, params or {})
    assert r.status_code == 200
    return r.content.decode()


def _scope_sentence(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.split("data-scope>")[1].split("</p>")[0]))


def test_the_list_keeps_what_crosses_the_departments_boundary(world, dept):
    client = login(world.viewer)
    every = {"Dep to ops", "Dep to fulfil", "Dep to sales", "Dep inside"}
    assert _titles(_get(client, {"team": "ops"})) == every
    crossing = {"team": "ops", "outside": "1"}
    assert _titles(_get(client, crossing)) == every - {"Dep inside"}
    assert _titles(_get(client, {**crossing, "direction": "outbound"})) == {"Dep to sales"}
    assert _titles(_get(client, {**crossing, "direction": "inbound"})) == {
        "Dep to ops",
        "Dep to fulfil",
    }
    # Operations alone: what it asks of Fulfilment crosses its own boundary.
    alone = {**crossing, "only": "1", "direction": "outbound"}
    assert _titles(_get(client, alone)) == {"Dep to sales", "Dep inside"}
    # Nothing crosses the boundary of every team; the filter needs a team.
    assert _titles(_get(client, {"team": world.ops.parent.slug, "outside": "1"})) == set()
    assert _titles(_get(client, {"outside": "1"})) == every


def test_the_sentence_under_the_filters_says_the_filters_in_force(world, dept):
    client = login(world.viewer)
    page = _get(client, {"team": "ops", "direction": "outbound", "active": "1"})
    assert _scope_sentence(page).startswith(
        "Asked by Operations and the teams below it; active. Every team"
    )
    page = _get(client, {"team": "ops", "direction": "outbound", "outside": "1"})
    assert "Asked by Operations and the teams below it of teams outside them." in (
        _scope_sentence(page)
    )
    assert 'name="outside" value="1" checked' in page
    page = _get(client, {"team": "ops", "only": "1", "direction": "inbound", "late": "0"})
    assert _scope_sentence(page).startswith("Asked of Operations only; not late.")
    page = _get(client, {"team": "ops", "state": "requested", "outside": "1"})
    assert _scope_sentence(page).startswith(
        "Asked of or by Operations and the teams below it, with a team outside them on the "
        "other side; requested."
    )
    assert _scope_sentence(_get(client, {"waiting": "1"})) == (
        "Every team's dependencies; waiting for an answer."
    )
    page = _get(client, {"team": "ops", "outside": "sideways"})
    assert "outside=“sideways”" in html.unescape(page)


def test_waiting_keeps_what_waits_for_the_scopes_answer(world, dept):
    client = login(world.viewer)
    # Sales' requests of both teams, and Fulfilment's proposal back to Operations; not
    # Operations' request of Sales (Sales' move).
    waiting = {"Dep to ops", "Dep to fulfil", "Dep inside"}
    assert _titles(_get(client, {"team": "ops", "waiting": "1"})) == waiting
    assert _titles(_get(client, {"team": "fulfil", "waiting": "1"})) == {"Dep to fulfil"}
    assert _titles(_get(client, {"team": "sales", "waiting": "1"})) == {"Dep to sales"}
    assert _titles(_get(client, {"team": "ops", "waiting": "1", "direction": "outbound"})) == {
        "Dep inside"
    }
    services.transition(world.org, world.giver, dept["to-ops"], "decline", note="No room.")
    assert _titles(_get(client, {"team": "ops", "waiting": "1"})) == waiting - {"Dep to ops"}


def test_a_departments_inbox_holds_what_waits_on_its_teams(world, dept):
    """The lead of Operations answers for Fulfilment below it from Operations' page."""
    page = login(world.giver).get("/o/acme/coordination/teams/ops/").content.decode()
    inbox = page.split('id="inbox-h"')[1].split("</section>")[0]
    assert "waiting on Operations and the teams below it" in inbox
    assert {"Dep to ops", "Dep to fulfil", "Dep inside"} == _titles(inbox)
    assert "Sales needs it from Fulfilment by" in inbox
    assert "You answer for the teams below as lead of Operations" in inbox
    fulfil = dept["to-fulfil"]
    assert f"/coordination/d/{fulfil.pk}/accept/?next=" in inbox
    # Someone who may act for neither team sees what waits, with no buttons.
    page = login(world.bystander).get("/o/acme/coordination/teams/ops/").content.decode()
    inbox = page.split('id="inbox-h"')[1].split("</section>")[0]
    assert _titles(inbox) == {"Dep to ops", "Dep to fulfil", "Dep inside"}
    assert "/accept/" not in inbox and "You answer for" not in inbox
    # A team with no sub-teams keeps its own inbox.
    page = login(world.giver).get("/o/acme/coordination/teams/fulfil/").content.decode()
    inbox = page.split('id="inbox-h"')[1].split("</section>")[0]
    assert "Inbox: waiting on Fulfilment <" in inbox and _titles(inbox) == {"Dep to fulfil"}
    assert "data-scope-figures" not in page


def test_a_full_inbox_shows_its_first_rows_and_links_the_rest(world, dept, monkeypatch):
    monkeypatch.setattr(views, "INBOX_SHOWN", 2)
    page = login(world.giver).get("/o/acme/coordination/teams/ops/").content.decode()
    inbox = page.split('id="inbox-h"')[1].split("</section>")[0]
    assert len(_titles(inbox)) == 2
    assert "the first 2, soonest due" in inbox
    assert 'href="/o/acme/coordination/list/?team=ops&amp;waiting=1">all of them<' in inbox
    assert ">3</a>" in inbox  # how many in all


def test_a_departments_figures_equal_their_lists(world, dept):
    """Each figure of the team with the teams below it, on its coordination page and on
    its team page, is the length of the list it links to."""
    client = login(world.viewer)
    for url in ("/o/acme/coordination/teams/ops/", "/o/acme/teams/ops/"):
        page = client.get(url).content.decode()
        figures = page.split("data-scope-figures>")[1].split("</p>")[0]
        links = re.findall(r'<a href="(/o/acme/coordination/list/\?[^"]+)"[^>]*>(\d+) ', figures)
        assert len(links) == 5, figures
        for href, count in links:
            params = dict(p.split("=", 1) for p in html.unescape(href).split("?", 1)[1].split("&"))
            assert len(_titles(_get(client, params))) == int(count), href
        assert {int(c) for _, c in links} == {4, 3, 0, 2, 1}


def test_the_top_teams_figures_name_nothing_crossing(world, dept):
    top = world.ops.parent
    org_services.add_membership(
        world.org, None, person=world.bystander, team=top, role=MembershipRole.LEAD, allocation=0
    )
    page = login(world.bystander).get(f"/o/acme/coordination/teams/{top.slug}/")
    page = page.content.decode()
    figures = page.split("data-scope-figures>")[1].split("</p>")[0]
    assert "outside=1" not in figures and ">4 active dependencies<" in figures
    inbox = page.split('id="inbox-h"')[1].split("</section>")[0]
    assert _titles(inbox) == {"Dep to ops", "Dep to fulfil", "Dep to sales", "Dep inside"}
    assert "You answer for the teams below as lead of Acme" in inbox
