"""Likely duplicate work leaves a cascade alone: an objective and one it contributes to (at
any depth) repeat each other's words by design. Two teams' objectives that read alike are
still a pair, under one parent or not: the same work done twice for one objective is
what the detector is for."""

from __future__ import annotations

import pytest

from accord.alignment import services as alignment
from accord.intelligence import duplicates, evaluate
from accord.org import services as org_services
from tests.intelligence.test_duplicates import BILLING, BILLING_TOO, HIRING, WIKI, live_pairs


@pytest.fixture
def okrs(cast):
    """Go-to-Market above Sales West and Sales East, in an active period; `make(team,
    title, parents)` sets an objective of a team."""
    org = cast.org
    teams = {}
    teams["gtm"] = org_services.create_team(
        org, None, name="Go-to-Market", slug="gtm", parent=cast.root
    )
    for slug, name in (("west", "Sales West"), ("east", "Sales East")):
        teams[slug] = org_services.create_team(org, None, name=name, slug=slug, parent=teams["gtm"])
    teams["platform"] = cast.platform
    period = alignment.create_period(
        org, None, name="Q1", start="2026-01-01", end="2026-03-31", state="active",
        is_current=True,
    )  # fmt: skip

    def make(team, title, parents=(), description=""):
        return alignment.create_objective(
            org, None, title=title, description=description, period=period,
            team=teams[team], parents=parents,
        )  # fmt: skip

    # Unrelated objectives, so the texts' words have a vocabulary to stand out in.
    make("platform", *HIRING[:1], description=HIRING[1])
    make("gtm", *WIKI[:1], description=WIKI[1])
    return make


def test_an_objective_and_its_parent_are_not_a_pair(cast, okrs):
    top = okrs("gtm", "Win the mid-market segment")
    okrs("west", "Win the mid-market segment in the West", parents=[top])
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == set()


def test_an_objective_and_its_grandparent_are_not_a_pair(cast, okrs):
    top = okrs("gtm", "Win the mid-market segment")
    middle = okrs("east", "Grow the sales pipeline", parents=[top])
    okrs("west", "Win the mid-market segment in the West", parents=[middle])
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == set()


def test_two_teams_doing_the_same_work_for_one_parent_are_still_a_pair(cast, okrs):
    top = okrs("gtm", "Lower our cost to serve")
    a = okrs("west", BILLING[0], parents=[top], description=BILLING[1])
    b = okrs("east", BILLING_TOO[0], parents=[top], description=BILLING_TOO[1])
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == {f"objective:{min(a.pk, b.pk)}:{max(a.pk, b.pk)}"}


def test_unrelated_objectives_that_read_alike_are_still_a_pair(cast, okrs):
    # Under different parents (cousins under one grandparent) is not a cascade split.
    top = okrs("gtm", "Lower our cost to serve")
    west = okrs("west", "Keep customers", parents=[top])
    east = okrs("east", "Cut our vendor bill", parents=[top])
    a = okrs("west", BILLING[0], parents=[west], description=BILLING[1])
    b = okrs("east", BILLING_TOO[0], parents=[east], description=BILLING_TOO[1])
    evaluate.evaluate(cast.org)
    assert live_pairs(cast.org) == {f"objective:{min(a.pk, b.pk)}:{max(a.pk, b.pk)}"}


def test_the_scoring_leaves_out_ancestors_only():
    text = "\n".join(BILLING)
    parents = {2: [1], 3: [2], 4: [2], 5: [3, 4]}  # 5 reaches 1 twice; 6 stands alone
    above = duplicates.ancestors(parents, range(1, 7))
    assert above[5] == {1, 2, 3, 4} and above[1] == frozenset()

    def item(oid, team):
        return duplicates.Item(
            oid, team, text, parent_ids=frozenset(parents.get(oid, ())), ancestor_ids=above[oid]
        )

    # 1 > 2 > 3, 4 > 5 are one line of descent; 3 and 4, siblings of two teams, pair, and
    # 6, related to none, pairs with every one.
    items = [item(1, 10), item(2, 20), item(3, 30), item(4, 40), item(5, 50), item(6, 60)]
    found = {(p.a, p.b) for p in duplicates.find_pairs(items, top_k=10)}
    assert found == {(3, 4), (1, 6), (2, 6), (3, 6), (4, 6), (5, 6)}


def test_the_scoring_leaves_out_initiatives_joined_either_way():
    text = "\n".join(BILLING)
    # 1 asked 2 (2 delivers); 3 delivers what 2 asked: only 2 says so. 4 is joined to none.
    items = [
        duplicates.Item(1, 10, text, joined_ids=frozenset({2})),
        duplicates.Item(2, 20, text, joined_ids=frozenset({1})),
        duplicates.Item(3, 30, text),
        duplicates.Item(4, 40, text),
    ]
    items[1].joined_ids |= {3}
    found = {(p.a, p.b) for p in duplicates.find_pairs(items, top_k=10)}
    assert found == {(1, 3), (1, 4), (3, 4), (2, 4)}
    assert {o for o, _ in duplicates.neighbours(items, top_k=10)[2]} == {4}
