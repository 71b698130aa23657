"""A department head reads what happened in their department: the activity page and the
events API cut by a team and the teams below it (or the team alone), like every list cut
by a team; what concerns two teams (a dependency) under both, once; a deleted team's
history under its parent; another organization's events never appear, and another
organization's team is not found."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.utils import timezone

from accord.activity import queries
from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.coordination import services as coordination
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


def test_another_organizations_team_is_left_out_of_the_filter_and_named(cast, tree):
    """Like a person or a day not understood: the page answers, says what it left out and
    applies the rest; another organization's team is no team here."""
    client = login(cast.member)
    for slug in ("labs", "no-such-team"):  # Globex's; nobody's
        response = client.get(f"{URL}?team={slug}&only=1&type=alignment.initiative")
        assert response.status_code == 200
        page = response.content.decode()
        note = f"Left out of the filter, not understood: team (No team “{slug}” in this"
        assert note + " organization.)" in page
        assert "Eng platform" in page and "Sales push" in page  # every team's
        assert "Acme" not in page.split('class="feed"')[1]  # the kind still holds
        assert "Globex" not in page and "data-scope" not in page
    page = client.get(f"{URL}?team=not%20a%20slug").content.decode()
    assert "not understood: team (No such team.)" in page
    page = client.get(f"{URL}?team=%00").content.decode()  # never asked of the database
    assert "not understood: team (Null characters are not allowed.)" in page


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
    for team in (tree["web"], tree["eng"]):
        assert {e.org_id for e in queries.feed(cast.org, None, team=team)} == {cast.org.pk}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
@pytest.mark.parametrize("only", [False, True])
def test_a_teams_page_is_read_off_the_team_index(cast, tree, only):
    """Each team of the subtree is a seek in (team, created_at, id), never a walk of the
    organization's log in order (which at 10,000 teams read the whole log for a leaf)."""
    qs = queries.feed(cast.org, cast.member, team=tree["eng"], only=only)[:51]
    sql, params = qs.query.sql_with_params()
    plan = sqlite_plan(sql, params)
    assert "activity_event_team_order (team_id=?)" in plan, plan
    assert "activity_event_other_order (other_team_id=?)" in plan, plan  # a second team's
    assert "activity_ev_org_id" not in plan and "SCAN activity_event" not in plan, plan


@pytest.fixture
def asked(cast):
    """Acme > Engineering > Web and Mobile, Acme > Sales > Pricing: Web asks Pricing for a
    price list (Pricing accepts) and Mobile for an icon set."""
    org = cast.org
    eng = org_services.create_team(org, None, name="Engineering", parent=cast.root)
    web = org_services.create_team(org, None, name="Web", parent=eng)
    mobile = org_services.create_team(org, None, name="Mobile", parent=eng)
    sales = org_services.create_team(org, None, name="Sales", parent=cast.root)
    pricing = org_services.create_team(org, None, name="Pricing", parent=sales)
    rollout = alignment.create_initiative(org, None, team=web, title="Web rollout", owner=None)
    prices = alignment.create_initiative(org, None, team=pricing, title="Price book", owner=None)
    soon = timezone.localdate() + dt.timedelta(days=20)
    price_list = coordination.create_dependency(
        org,
        None,
        requester_initiative=rollout,
        provider_team=pricing,
        title="Price list",
        need_by=soon,
    )
    coordination.transition(
        org, None, price_list, "accept", provider_initiative=prices, committed_date=soon
    )
    coordination.create_dependency(
        org,
        None,
        requester_initiative=rollout,
        provider_team=mobile,
        title="Icon set",
        need_by=soon,
    )
    return {"eng": eng, "web": web, "mobile": mobile, "sales": sales, "pricing": pricing}


def _shown(page: str, label: str) -> int:
    """How many lines of the feed are about `label` (their changes left aside)."""
    lines = re.findall(r'<li class="event">(.*?)</li>', page, re.S)
    heads = [re.sub(r"<details>.*?</details>", "", line, flags=re.S) for line in lines]
    return sum(1 for head in heads if re.search(rf">\s*{re.escape(label)}\s*<", head))


def test_a_dependency_shows_under_the_providing_team_and_its_department(cast, asked):
    client = login(cast.member)
    for query in ("team=pricing&only=1", "team=sales", "team=web&only=1", "team=engineering"):
        page = client.get(f"{URL}?{query}&type=coordination.dependency").content.decode()
        assert _shown(page, "Price list") == 2, query  # asked and accepted, each once
    page = client.get(f"{URL}?team=sales").content.decode()
    assert _shown(page, "Price list") == 2
    assert _shown(page, "Icon set") == 0 and _shown(page, "Web rollout") == 0  # not Sales'
    # Engineering holds both sides of the icon set: each of its events once.
    page = client.get(f"{URL}?team=engineering").content.decode()
    assert _shown(page, "Icon set") == 1 and _shown(page, "Price list") == 2
    everything = client.get(URL).content.decode()
    assert _shown(everything, "Icon set") == 1 and _shown(everything, "Price list") == 2


def test_the_api_lists_a_dependency_under_both_teams_once(cast, asked):
    client = api_client(cast.viewer)

    def events(query: str) -> list[dict]:
        response = client.get(f"/api/v1/events?{query}&target_type=coordination.dependency")
        assert response.status_code == 200, response.content
        return response.json()["items"]

    web, pricing = asked["web"].pk, asked["pricing"].pk
    provided = events(f"team_id={asked['sales'].pk}")
    assert [(e["verb"], e["target_label"]) for e in provided] == [
        ("accepted", "Price list"),
        ("created", "Price list"),
    ]
    assert {(e["team_id"], e["other_team_id"]) for e in provided} == {(web, pricing)}
    assert events(f"team_id={pricing}&only=true") == provided
    assert [e["id"] for e in events(f"team_id={asked['eng'].pk}")] == sorted(
        Event.objects.filter(org=cast.org, target_type="coordination.dependency").values_list(
            "id", flat=True
        ),
        reverse=True,
    )  # each once, though Web and Mobile are both below Engineering
    everything = events(f"team_id={cast.root.pk}")  # the whole organization: each once
    assert len(everything) == len({e["id"] for e in everything}) == 3
    counted = client.get(f"/api/v1/events?team_id={asked['eng'].pk}").json()
    assert counted["count"] == len(counted["items"])


def test_a_deleted_teams_history_shows_under_its_parent(cast, asked):
    org = cast.org
    gone = org_services.create_team(org, None, name="Short-lived", parent=asked["sales"])
    org_services.update_team(org, None, gone, description="Soon gone")
    org_services.delete_team(org, cast.admin, gone)
    page = login(cast.member).get(f"{URL}?team=sales&only=1").content.decode()
    assert _shown(page, "Short-lived") == 3  # created, updated, deleted
    # The deletion says where the team's history went, by name.
    assert "Its history moved to</span>: <ins>Sales</ins>" in page
    assert "Events moved</span>: <ins>2</ins>" in page
    response = api_client(cast.viewer).get(
        f"/api/v1/events?team_id={asked['sales'].pk}&only=true&target_type=org.team"
    )
    labels = [e["target_label"] for e in response.json()["items"]]
    assert labels.count("Short-lived") == 3
