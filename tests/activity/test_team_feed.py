"""A department head reads what happened in their department: the activity page and the
events API cut by a team and the teams below it (or the team alone), like every list cut
by a team; another organization's events never appear, and another organization's team
is not found."""

from __future__ import annotations

import re

import pytest
from django.db import connection

from accord.activity import queries
from accord.alignment import services as alignment
from accord.decisions import services as decisions
from accord.org import services as org_services
from tests.conftest import api_client, login, sqlite_plan

URL = "/o/acme/activity/"


@pytest.fixture
def tree(cast):
    """Acme > Engineering > Web, Acme > Sales, each with an initiative; Globex's team too."""
    org = cast.org
    eng = org_services.create_team(org, None, name="Engineering", parent=cast.root)
    web = org_services.create_team(org, None, name="Web", parent=eng)
    sales = org_services.create_team(org, None, name="Sales", parent=cast.root)
    for team, title in ((eng, "Eng platform"), (web, "Web rollout"), (sales, "Sales push")):
        alignment.create_initiative(org, None, team=team, title=title, owner=cast.leader)
    decisions.raise_issue(cast.other_org, None, cast.other_team, "Globex outage")
    return {"eng": eng, "web": web, "sales": sales}


def test_the_page_offers_the_team_search_box(cast):
    page = login(cast.member).get(URL).content.decode()
    assert 'hx-get="/o/acme/pick/team/?by=slug"' in page  # searched as one types
    assert 'name="only"' in page


def test_the_page_shows_a_team_and_the_teams_below_it(cast, tree):
    client = login(cast.member)
    page = client.get(f"{URL}?team=engineering").content.decode()
    assert "Eng platform" in page and "Web rollout" in page
    assert "Sales push" not in page and "Globex" not in page
    assert "Engineering and the teams below it" in page
    assert 'value="Engineering"' in page  # the chosen team, shown in the search box
    alone = client.get(f"{URL}?team=engineering&only=1").content.decode()
    assert "Eng platform" in alone and "Web rollout" not in alone
    assert "Engineering only" in alone
    web = client.get(f"{URL}?team=web&type=alignment.initiative").content.decode()
    assert "Web rollout" in web and "Eng platform" not in web


def test_load_more_keeps_the_team(cast, tree):
    for i in range(55):
        org_services.update_team(cast.org, None, tree["web"], description=f"revision {i}")
    org_services.update_team(cast.org, None, tree["sales"], description="Sales revision")
    client = login(cast.member)
    html = client.get(f"{URL}?team=engineering&only=1").content.decode()
    assert "revision 54" not in html  # Web is below Engineering, not Engineering itself
    html = client.get(f"{URL}?team=engineering").content.decode()
    (more,) = re.findall(r'hx-get="\?page=2([^"]*)"', html)
    more = more.replace("&amp;", "&")
    assert "team=engineering" in more and "only" not in more
    rest = client.get(f"{URL}?page=2{more}", headers={"HX-Request": "true"}).content.decode()
    assert "revision 0<" in rest.replace("</ins>", "<") and "Sales revision" not in rest


def test_another_organizations_team_is_not_found(cast, tree):
    client = login(cast.member)
    assert client.get(f"{URL}?team=labs").status_code == 404  # Globex's
    assert client.get(f"{URL}?team=no-such-team").status_code == 404


def test_the_api_cuts_the_log_by_team(cast, tree):
    client = api_client(cast.viewer)

    def labels(query: str) -> set[str]:
        response = client.get(f"/api/v1/events?{query}")
        assert response.status_code == 200, response.content
        return {e["target_label"] for e in response.json()["items"]}

    eng, web = tree["eng"].pk, tree["web"].pk
    below = labels(f"team_id={eng}&target_type=alignment.initiative")
    assert below == {"Eng platform", "Web rollout"}
    assert labels(f"team_id={eng}&only=true&target_type=alignment.initiative") == {"Eng platform"}
    assert labels(f"team_id={web}") == {"Web", "Web rollout"}
    everything = labels(f"team_id={cast.root.pk}")  # the top team: the whole organization
    assert {"Sales push", "Eng platform", "Acme"} <= everything
    assert not any("Globex" in label for label in everything)
    item = client.get(f"/api/v1/events?team_id={web}").json()["items"][0]
    assert item["team_id"] == web


def test_the_api_refuses_another_organizations_team(cast, tree):
    response = api_client(cast.viewer).get(f"/api/v1/events?team_id={cast.other_team.pk}")
    assert response.status_code == 404
    assert list(response.json()["error"]["fields"]) == ["team_id"]


def test_another_organizations_events_never_appear_even_with_its_team_id(cast, tree):
    """The feed is the organization's even if an event of another one named its team."""
    from django.db import transaction

    from accord.activity import services as activity

    with transaction.atomic():
        activity.record(cast.other_org, None, "noted", cast.other_team, team=tree["web"])
    assert not queries.feed(cast.org, None, team=tree["web"]).filter(org=cast.other_org)
    assert not queries.feed(cast.org, None, team=tree["eng"]).filter(org=cast.other_org)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.parametrize("only", [False, True])
def test_a_teams_page_is_read_off_the_team_index(cast, tree, only):
    """Each team of the subtree is a seek in (team, created_at, id), never a walk of the
    organization's log in order (which at 10,000 teams read the whole log for a leaf)."""
    qs = queries.feed(cast.org, cast.member, team=tree["eng"], only=only)[:51]
    sql, params = qs.query.sql_with_params()
    plan = sqlite_plan(sql, params)
    assert "activity_event_team_order (team_id=?)" in plan, plan
    assert "activity_ev_org_id" not in plan and "SCAN activity_event" not in plan, plan
