"""The Periods page costs the same number of queries for 2 or 8 periods, and each period's
Carry over button still says how many objectives it would copy, leave behind and why; a
period's open objectives mean the same in its tree, its close dialog and its carry-over."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.alignment import queries
from accord.alignment import services as s
from accord.alignment.forms import CarryOverForm
from accord.alignment.models import Objective, Period
from accord.org import services as org_services
from tests.conftest import login

URL = "/o/acme/alignment/periods/"


def _quarters(org, n: int, year: int = 2030, name: str = "P") -> list[Period]:
    """`n` later quarters, each with an unfinished objective (the last has no later
    period, so no Carry over button)."""
    made = []
    for i in range(n):
        start = dt.date(year + i // 4, 1 + 3 * (i % 4), 1)
        end = dt.date(start.year + (start.month == 10), (start.month + 3 - 1) % 12 + 1, 1)
        p = s.create_period(org, None, name=f"{name}{i}", start=start, end=end - dt.timedelta(1))
        s.create_objective(org, None, title=f"Goal {name}{i}", period=p, level="org")
        made.append(p)
    return made


def _queries(client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content.decode()


def _confirms(page: str) -> dict[str, str]:
    """Each Carry over button's question, by the id of its period's row."""
    rows = re.findall(r'<tr id="period-(\d+)">(.*?)</tr>', page, re.S)
    got = {}
    for pk, row in rows:
        m = re.search(r'class="inline-form" data-confirm="([^"]*)"', row)
        if m:
            got[pk] = html.unescape(m.group(1))
    return got


def test_the_periods_page_costs_the_same_for_2_or_8_periods(cast):
    client = login(cast.leader)
    _quarters(cast.org, 2)
    few, page = _queries(client)
    assert len(_confirms(page)) == 1
    _quarters(cast.org, 6, year=2040, name="R")
    many, page = _queries(client)
    assert len(_confirms(page)) == 7  # every period but the last has a later one
    assert many == few, (few, many)
    # Each carry-over form offers the open periods starting no earlier, soonest first.
    p0 = Period.objects.get(org=cast.org, name="P0")
    row = re.search(rf'<tr id="period-{p0.pk}">(.*?)</tr>', page, re.S).group(1)
    offered = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', row)
    assert [name for _, name in offered] == ["— choose a period —", "P1"] + [
        f"R{i}" for i in range(6)
    ]
    # ... as the form that takes the answer does, for every period.
    for p in Period.objects.filter(org=cast.org):
        row = re.search(rf'<tr id="period-{p.pk}">(.*?)</tr>', page, re.S).group(1)
        offered = [int(v) for v in re.findall(r'<option value="(\d+)"', row)]
        form = CarryOverForm(org=cast.org, period=p, prefix=f"c{p.pk}")
        assert offered == [q.pk for q in form.fields["to_period"].queryset], p.name


def test_the_carry_over_question_counts_as_carrying_over_does(cast, plan):
    """Per period: unfinished (carried), complete but not scored (not carried), of retired
    teams (left behind), with and without key results (no progress yet is unfinished)."""
    org = cast.org
    retiring = org_services.create_team(org, None, name="Old", slug="old", parent=cast.root)
    s.create_key_result(org, None, plan.platform_obj, name="p95", target=10, current=10)
    s.create_key_result(org, None, plan.sales_obj, name="Deals", target=10, current=4)
    s.create_objective(org, None, title="Legacy", period=plan.q1, team=retiring)
    done = s.create_objective(org, None, title="Legacy done", period=plan.q1, team=retiring)
    s.create_key_result(org, None, done, name="All", target=1, current=1)
    s.create_objective(org, None, title="Dropped", period=plan.q1, level="org", status="dropped")
    org_services.retire_team(org, None, retiring)
    page = login(cast.leader).get(URL).content.decode()
    got = _confirms(page)
    q1 = got[str(plan.q1.pk)]
    assert q1.startswith(
        "Carry 2 unfinished objectives of Q1 2026 into the chosen period? 5 open: 3 "
        "unfinished, 2 complete but not scored (not carried). "
    ), q1
    assert q1.endswith("; 1 objective of retired teams stays behind."), q1
    assert got[str(plan.year.pk)] == "2026 has no unfinished objectives to carry over."
    # What the button says is what carrying over does.
    assert s.carriable_objectives(org, plan.q1).count() == 2
    assert s.left_behind(org, plan.q1).count() == 1
    s.close_period(org, None, plan.q1)
    copies = s.carry_over(org, cast.leader, from_period=plan.q1, to_period=plan.q2)
    assert sorted(c.carried_from.title for c in copies) == ["Grow revenue", "Win enterprise deals"]


def test_open_means_the_same_to_the_tree_the_close_dialog_and_the_carry_over(cast, plan):
    org = cast.org
    s.create_key_result(org, None, plan.platform_obj, name="p95", target=10, current=10)
    s.create_key_result(org, None, plan.sales_obj, name="Deals", target=10, current=4)
    s.create_objective(org, None, title="Dropped", period=plan.q1, level="org", status="dropped")
    s.create_objective(org, None, title="Draft", period=plan.q1, level="org", status="draft")
    s.create_objective(org, None, title="Won", period=plan.q1, level="org", status="achieved")
    counts = queries.open_objective_counts(org, plan.q1)
    tree = set(queries.tree_open(org, plan.q1))
    unfinished = set(s.carriable_objectives(org, plan.q1).values_list("id", flat=True))
    titles = dict(Objective.objects.filter(org=org).values_list("id", "title"))
    assert sorted(titles[i] for i in tree) == [
        "Draft",
        "Faster checkout",
        "Grow revenue",
        "Win enterprise deals",
    ]
    assert sorted(titles[i] for i in unfinished) == [
        "Draft",
        "Grow revenue",
        "Win enterprise deals",
    ]
    assert unfinished < tree
    assert (counts["open"], counts["unfinished"], counts["complete"]) == (4, 3, 1)
    assert queries.what_closing_does(org, plan.q1)["counts"] == counts
