"""Carrying a period's unfinished objectives over keeps their tree: a copy contributes
to its parent's copy (a parent of an enclosing period stays its parent); complete
objectives stay behind; carried key results start the new period where they stood; the
Periods page asks first, saying how many objectives it would carry."""

from __future__ import annotations

import html
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.alignment import queries
from accord.alignment import services as s
from accord.alignment.models import KeyResult, Objective, ObjectiveLink
from tests.conftest import login


def _parents(objective: Objective) -> dict[str, float]:
    """Its parents' titles and periods, with each link's weight."""
    return {
        f"{link.parent.title} ({link.parent.period.name})": link.weight
        for link in ObjectiveLink.objects.filter(child=objective).select_related("parent__period")
    }


def test_copies_contribute_to_their_parents_copies_and_keep_an_enclosing_parent(cast, plan):
    org = cast.org
    yearly = s.create_objective(org, None, title="Double revenue", period=plan.year, level="org")
    s.link_objective(org, None, plan.company, yearly)
    s.link_objective(org, None, plan.sales_obj, yearly, weight=2)
    s.link_objective(org, None, plan.sales_obj, plan.company, weight=3)
    s.close_period(org, None, plan.q1)
    copies = {
        c.carried_from.title: c
        for c in s.carry_over(org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    }
    assert set(copies) == {"Grow revenue", "Faster checkout", "Win enterprise deals"}
    # Each copy contributes to its parent's copy with the same weight; the yearly parent
    # (2026 encloses Q2) stays the parent of both copies that had it.
    assert _parents(copies["Grow revenue"]) == {"Double revenue (2026)": 1.0}
    assert _parents(copies["Faster checkout"]) == {"Grow revenue (Q2 2026)": 1.0}
    assert _parents(copies["Win enterprise deals"]) == {
        "Grow revenue (Q2 2026)": 3.0,
        "Double revenue (2026)": 2.0,
    }
    assert (
        ObjectiveLink.objects.get(child=copies["Faster checkout"]).parent
        == (copies["Grow revenue"])
    )
    # The originals keep their own links.
    assert _parents(plan.platform_obj) == {"Grow revenue (Q1 2026)": 1.0}
    # Q2's tree: the yearly objective, the company's copy under it, the others under that.
    (top,) = queries.alignment_tree(org, plan.q2)["objectives"]
    under = {c["title"]: c for c in top["children"]}
    assert (top["title"], sorted(under)) == (
        "Double revenue",
        ["Grow revenue", "Win enterprise deals"],
    )
    assert sorted(c["title"] for c in under["Grow revenue"]["children"]) == [
        "Faster checkout",
        "Win enterprise deals",
    ]


def test_a_parent_left_behind_is_no_parent_of_the_copy(cast, plan):
    org = cast.org
    s.close_period(org, None, plan.q1)
    copies = s.carry_over(
        org, cast.leader, from_period=plan.q1, to_period=plan.q2, objectives=[plan.sales_obj]
    )
    assert [c.title for c in copies] == ["Win enterprise deals"]
    assert _parents(copies[0]) == {}


def test_a_child_carried_after_its_parent_contributes_to_the_parents_copy(cast, plan):
    org = cast.org
    s.close_period(org, None, plan.q1)
    (company,) = s.carry_over(
        org, cast.leader, from_period=plan.q1, to_period=plan.q2, objectives=[plan.company]
    )
    (sales,) = s.carry_over(
        org, cast.leader, from_period=plan.q1, to_period=plan.q2, objectives=[plan.sales_obj]
    )
    assert _parents(sales) == {"Grow revenue (Q2 2026)": 1.0}
    assert ObjectiveLink.objects.get(child=sales).parent == company


def test_the_links_are_made_in_a_bounded_number_of_queries(cast, plan):
    """Linking the copies costs the same whatever the number of links."""
    org = cast.org
    for n in range(6):
        s.create_objective(
            org, None, title=f"Sub {n}", period=plan.q1, team=cast.platform, parents=[plan.company]
        )
    s.close_period(org, None, plan.q1)
    with CaptureQueriesContext(connection) as seen:
        copies = s.carry_over(org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    link_queries = [
        q["sql"] for q in seen.captured_queries if "alignment_objectivelink" in q["sql"]
    ]
    assert len(copies) == 9
    assert ObjectiveLink.objects.filter(child__in=copies).count() == 8
    # one read of the originals' links and one insert of the copies', plus what the
    # roll-up reads (bounded by the graph's depth)
    assert sum(q.lstrip().upper().startswith("INSERT") for q in link_queries) == 1
    assert len(link_queries) <= 8, link_queries


def test_complete_objectives_stay_behind(cast, plan):
    org = cast.org
    # Every key result met, but nobody marked it achieved: complete all the same.
    s.create_key_result(
        org, None, plan.platform_obj, name="p95 under 200 ms", target=10, current=10
    )
    s.create_key_result(org, None, plan.sales_obj, name="Deals", target=10, current=4)
    s.close_period(org, None, plan.q1)
    plan.platform_obj.refresh_from_db()
    assert plan.platform_obj.status == "active" and plan.platform_obj.rollup_progress == 100
    copies = s.carry_over(org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    assert sorted(c.title for c in copies) == ["Grow revenue", "Win enterprise deals"]
    # Asked for by name, it is not carried either.
    assert (
        s.carry_over(
            org, cast.leader, from_period=plan.q1, to_period=plan.q2, objectives=[plan.platform_obj]
        )
        == []
    )


def test_carried_key_results_start_the_new_period_where_they_stood(cast, plan):
    org = cast.org
    deals = s.create_key_result(
        org, None, plan.sales_obj, name="Deals", start=2, target=10, current=6
    )
    churn = s.create_key_result(
        org, None, plan.sales_obj, name="Churn", direction="decrease", start=8, target=2, current=5
    )
    s.close_period(org, None, plan.q1)
    (copy,) = s.carry_over(
        org, cast.leader, from_period=plan.q1, to_period=plan.q2, objectives=[plan.sales_obj]
    )
    got = {k.name: (k.start, k.current, k.target) for k in KeyResult.objects.filter(objective=copy)}
    assert got == {"Deals": (6, 6, 10), "Churn": (5, 5, 2)}
    copy.refresh_from_db()
    assert copy.rollup_progress == 0  # nothing done in Q2 yet
    # The originals are as they were.
    deals.refresh_from_db()
    churn.refresh_from_db()
    assert (deals.start, deals.current, churn.start, churn.current) == (2, 6, 8, 5)


def _carry_confirms(page: str) -> list[str]:
    texts = [html.unescape(t) for t in re.findall(r'data-confirm="([^"]*)"', page)]
    return [t for t in texts if not t.startswith("Close ")]


def test_the_carry_over_button_asks_first_saying_how_many(cast, plan):
    org = cast.org
    s.create_key_result(org, None, plan.platform_obj, name="p95", target=10, current=10)
    s.create_key_result(org, None, plan.sales_obj, name="Deals", target=10, current=4)
    s.create_objective(
        org, None, title="Maybe", period=plan.q1, team=cast.platform, status="dropped"
    )
    page = login(cast.leader).get("/o/acme/alignment/periods/").content.decode()
    # Q1 2026: Grow revenue and Win enterprise deals (Faster checkout is complete, Maybe
    # dropped); the year 2026 has nothing to carry; Q2 2026 has no later period.
    assert _carry_confirms(page) == [
        "2026 has no unfinished objectives to carry over.",
        "Carry 2 unfinished objectives of Q1 2026 into the chosen period? 3 open: 2 "
        "unfinished, 1 complete but not scored (not carried). Their key results start from "
        "their current values (the copies measure progress from today's value, not the "
        "original start). Any already carried there is skipped.",
    ]
    s.update_objective(org, None, plan.company, status="achieved")
    page = login(cast.leader).get("/o/acme/alignment/periods/").content.decode()
    assert _carry_confirms(page)[1].startswith("Carry 1 unfinished objective of Q1 2026 ")
