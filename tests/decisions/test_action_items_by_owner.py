"""A team's action items page says who owes its open items: everyone with an open item
filed to it or a team below it, member or not (a head who took an item in the leadership
meeting is no member of the top team), the most overdue first, each linking to the list
of their items of that team. The lists name the owner and the team where either says
something."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache

from accord.decisions import queries, services
from accord.org.models import Role
from tests.conftest import api_client, login, make_person


def _overdue_now(page: str) -> int:
    return int(re.search(r"<dt>Overdue now</dt><dd>(\d+)</dd>", page).group(1))


def _owners(page: str) -> list[tuple[str, str, int, int]]:
    """(name, link, overdue now, open) of each row of the page's owners table."""
    card = page.split('id="owners-h"')[1].split("</section>")[0]
    rows = re.findall(r'<tr><td><a href="([^"]*)">([^<]*)</a></td>(.*?)</tr>', card, re.S)
    out = []
    for href, name, cells in rows:
        numbers = [
            re.sub(r"<[^>]+>", "", c) for c in re.findall(r'<td class="num">(.*?)</td>', cells)
        ]
        out.append((name, href.replace("&amp;", "&"), int(numbers[0]), int(numbers[1])))
    return out


def _headers(page: str, section: str) -> list[str]:
    card = page.split(f'id="{section}-h"')[1].split("</thead>")[0]
    return re.findall(r'<th scope="col">([^<]*)</th>', card)


@pytest.fixture
def items(cast, outside, action_item):
    """Acme (the top team, no members) with Platform (Mia) below it. Leo, a member of no
    team, owes Acme two overdue items and one not yet due; Mia owes Platform one overdue
    and one not due; Ada, no member either, one of Platform's not due. A done item, and
    an item of a team outside Acme's tree, count for no one here."""
    item = action_item
    item("Board pack", cast.leader, cast.root, -3)
    item("Headcount plan", cast.leader, cast.root, -1)
    item("Offsite agenda", cast.leader, cast.root, 4)
    item("Fix the build", cast.member, cast.platform, -2)
    item("Write the runbook", cast.member, cast.platform, 6)
    item("Review the budget", cast.admin, cast.platform, 2)
    item("Already done", cast.admin, cast.platform, -5, done=True)
    item("Elsewhere", cast.admin, outside, -9)
    return outside


def test_everyone_who_owes_the_trees_items_is_listed_member_or_not(cast, items):
    page = login(cast.admin).get("/o/acme/decisions/actions/", {"team": "acme"}).content.decode()
    owners = _owners(page)
    assert [(name, late, n) for name, _, late, n in owners] == [
        ("Leo Leader", 2, 3),
        ("Mia Member", 1, 2),
        ("Ada Admin", 0, 1),
    ]
    # The rows add up to the page's figure: the tree's items overdue now.
    assert sum(late for _, _, late, _ in owners) == _overdue_now(page) == 3
    assert "3 people owe open items filed to Acme or a team below it" in page
    # Each links to that person's items of this team's tree.
    assert owners[0][1] == f"?team=acme&owner={cast.leader.pk}"


def test_a_team_alone_lists_the_owners_of_its_own_items(cast, items):
    client = login(cast.admin)
    page = client.get("/o/acme/decisions/actions/", {"team": "acme", "only": "1"}).content
    owners = _owners(page.decode())
    assert [(name, late, n) for name, _, late, n in owners] == [("Leo Leader", 2, 3)]
    assert owners[0][1] == f"?team=acme&only=1&owner={cast.leader.pk}"
    page = client.get("/o/acme/decisions/actions/", {"team": "platform"}).content.decode()
    assert [name for name, *_ in _owners(page)] == ["Mia Member", "Ada Admin"]


def test_one_owners_items_of_a_team_are_theirs_of_its_tree_alone(cast, items):
    client = login(cast.admin)
    url = "/o/acme/decisions/actions/"
    page = client.get(url, {"team": "acme", "owner": cast.admin.pk}).content.decode()
    assert "Review the budget" in page and "Elsewhere" not in page  # outside the tree
    assert "Already done" in page  # among the recently closed
    assert _overdue_now(page) == 0
    assert "Ada Admin's items of Acme and the teams below it" in page
    assert 'id="owners-h"' not in page and 'id="below-h"' not in page
    # One owner's rows: which team, not whose.
    assert _headers(page, "open") == ["Action", "Team", "Due"]
    page = client.get(url, {"team": "acme", "owner": cast.leader.pk}).content.decode()
    assert "<h1>Action items · Leo Leader · Acme</h1>" in page
    assert _overdue_now(page) == 2
    assert re.findall(r'href="/o/acme/decisions/actions/\d+/">([^<]*)</a>', page) == [
        "Board pack",
        "Headcount plan",
        "Offsite agenda",
    ]
    page = client.get(url, {"team": "platform", "owner": cast.leader.pk}).content.decode()
    assert _overdue_now(page) == 0 and "Board pack" not in page


def test_the_lists_name_the_owner_and_the_team_where_they_say_something(cast, items):
    client = login(cast.admin)
    url = "/o/acme/decisions/actions/"
    tree = client.get(url, {"team": "acme"}).content.decode()
    assert _headers(tree, "overdue") == ["Action", "Owner", "Team", "Due"]
    assert _headers(tree, "open") == ["Action", "Owner", "Team", "Due"]
    row = tree.split(">Fix the build</a>")[1].split("</tr>")[0]
    assert "Mia Member" in row and "Platform" in row
    alone = client.get(url, {"team": "acme", "only": "1"}).content.decode()
    assert _headers(alone, "overdue") == ["Action", "Owner", "Due"]  # all of one team
    mine = client.get(url, {"person": cast.leader.pk}).content.decode()
    assert _headers(mine, "overdue") == ["Action", "Team", "Due"]  # all of one owner


def test_owners_come_a_screen_at_a_time(cast, items, monkeypatch):
    monkeypatch.setattr(queries, "OWNERS_SHOWN", 2)
    client = login(cast.admin)
    first = client.get("/o/acme/decisions/actions/", {"team": "acme"}).content.decode()
    assert [name for name, *_ in _owners(first)] == ["Leo Leader", "Mia Member"]
    assert "3 people owe" in first
    assert "?team=acme&amp;owners=2#owners" in first and "More owners →" in first
    second = client.get("/o/acme/decisions/actions/", {"team": "acme", "owners": "2"})
    second = second.content.decode()
    assert [name for name, *_ in _owners(second)] == ["Ada Admin"]
    assert "More owners →" not in second and "← More overdue" in second
    # Not a page number: the first screen.
    odd = client.get("/o/acme/decisions/actions/", {"team": "acme", "owners": "x"})
    assert [name for name, *_ in _owners(odd.content.decode())] == ["Leo Leader", "Mia Member"]


def test_a_large_teams_owners_are_kept_a_minute(cast, items, monkeypatch):
    """Beyond OWNERS_EXACT owners the breakdown is read once a minute, as a large
    organization's figures are; below, a new owner shows at once."""
    client = login(cast.admin)
    url = "/o/acme/decisions/actions/"

    def names():
        return [name for name, *_ in _owners(client.get(url, {"team": "acme"}).content.decode())]

    def owe(person):
        services.create_action_item(cast.org, cast.admin, "New", person, team=cast.platform)

    nia, ned = (make_person(cast.org, name, Role.MEMBER) for name in ("Nia New", "Ned Next"))
    owe(nia)
    assert "Nia New" in names()  # at once
    monkeypatch.setattr(queries, "OWNERS_EXACT", 2)
    cache.clear()
    assert len(names()) == 4
    owe(ned)
    assert "Ned Next" not in names()  # kept
    cache.clear()  # as when the minute is up
    assert "Ned Next" in names()


@pytest.mark.parametrize("owner", ["abc", "0", "999999"])
def test_an_owner_who_is_not_there_is_not_found(cast, items, owner):
    resp = login(cast.admin).get("/o/acme/decisions/actions/", {"team": "acme", "owner": owner})
    assert resp.status_code == 404


def test_another_organizations_person_is_not_an_owner_here(cast, items):
    url = "/o/acme/decisions/actions/"
    resp = login(cast.admin).get(url, {"team": "acme", "owner": cast.outsider.pk})
    assert resp.status_code == 404


def test_the_api_gives_who_owes_a_teams_items_as_the_page_does(cast, items):
    api = api_client(cast.member)
    url = "/api/v1/action-items/owners"
    body = api.get(url, {"team_id": cast.root.pk}).json()
    assert body["count"] == 3
    assert [(o["name"], o["overdue"], o["open"]) for o in body["items"]] == [
        ("Leo Leader", 2, 3),
        ("Mia Member", 1, 2),
        ("Ada Admin", 0, 1),
    ]
    assert body["items"][0]["person_id"] == cast.leader.pk
    page = api.get(url, {"team_id": cast.root.pk, "limit": 1, "offset": 1}).json()
    assert (page["count"], [o["name"] for o in page["items"]]) == (3, ["Mia Member"])
    alone = api.get(url, {"team_id": cast.root.pk, "only": "true"}).json()
    assert [o["name"] for o in alone["items"]] == ["Leo Leader"]
    # Without a team: everyone who owes an open item, the item outside Acme's tree too.
    every = api.get(url).json()
    assert [(o["name"], o["overdue"], o["open"]) for o in every["items"]] == [
        ("Leo Leader", 2, 3),
        ("Ada Admin", 1, 2),
        ("Mia Member", 1, 2),
    ]
    # One owner's items of the team: the list, cut to them.
    listed = api.get(
        "/api/v1/action-items",
        {"team_id": cast.root.pk, "owner_id": cast.admin.pk, "status": "open"},
    ).json()
    assert [i["title"] for i in listed["items"]] == ["Review the budget"]


@pytest.mark.parametrize(
    "params, status",
    [
        ({"team_id": "abc"}, 422),
        ({"team_id": 999999}, 404),
        ({"team_id": "{root}", "limit": 0}, 422),
        ({"team_id": "{root}", "limit": 201}, 422),
        ({"team_id": "{root}", "offset": -1}, 422),
    ],
)
def test_the_api_refuses_what_it_cannot_answer(cast, items, params, status):
    params = {k: str(v).format(root=cast.root.pk) for k, v in params.items()}
    assert api_client(cast.member).get("/api/v1/action-items/owners", params).status_code == status


def test_the_api_gives_no_other_organizations_team(cast, items):
    api = api_client(cast.outsider)
    resp = api.get("/api/v1/action-items/owners", {"team_id": cast.root.pk})
    assert resp.status_code == 404


def test_owners_of_as_many_items_come_by_name(cast, items):
    """Zoe was added before Bea: each owing one open item of Platform, not yet due, as Ada
    does, the three read by name, not in the order they were added."""
    zoe, bea = (make_person(cast.org, name, Role.MEMBER) for name in ("Zoe Zhang", "Bea Brown"))
    for person in (zoe, bea):
        services.create_action_item(cast.org, cast.admin, "Tidy", person, team=cast.platform)
    page = login(cast.admin).get("/o/acme/decisions/actions/", {"team": "platform"})
    assert [(name, late, n) for name, _, late, n in _owners(page.content.decode())] == [
        ("Mia Member", 1, 2),
        ("Ada Admin", 0, 1),
        ("Bea Brown", 0, 1),
        ("Zoe Zhang", 0, 1),
    ]
    api = api_client(cast.admin).get(f"/api/v1/action-items/owners?team_id={cast.platform.pk}")
    assert [o["name"] for o in api.json()["items"]][1:] == [
        "Ada Admin",
        "Bea Brown",
        "Zoe Zhang",
    ]
