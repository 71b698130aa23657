"""The map says what its critical path is in words a reader takes right: the longest chain
of accepted dependencies, its initiatives, the dates it is planned over and how many days
that is, and what their own plans add up to (the sum of their durations, which may overlap
in the calendar); never a sum of durations a reader takes for its length in the calendar.
When those plans would not fit one after another, a warning of its own says so, apart
from the sentence that describes the chain."""

from __future__ import annotations

import datetime as dt

from accord.alignment.models import Initiative
from accord.coordination import queries, services
from tests.conftest import login


def _accepted(world):
    dep = world.request()
    services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=30),
    )
    return dep


def test_the_map_says_the_days_of_work_and_the_dates_the_chain_is_planned_over(world):
    # Overlapping: 1 Feb - 31 Mar (58 days) and 1 Mar - 30 Apr (60 days) add up to 118
    # days, planned over 1 Feb - 30 Apr (88 days in the calendar).
    Initiative.objects.filter(pk=world.warehouse.pk).update(
        start_date=dt.date(2027, 2, 1), target_date=dt.date(2027, 3, 31)
    )
    Initiative.objects.filter(pk=world.launch.pk).update(
        start_date=dt.date(2027, 3, 1), target_date=dt.date(2027, 4, 30)
    )
    _accepted(world)
    data = login(world.viewer).get("/o/acme/coordination/map.json").json()
    assert [i["title"] for i in data["critical_path"]] == ["Spring launch", "New warehouse"]
    assert data["critical_length_days"] == 118
    assert data["critical_summary"] == (
        "critical path, the longest chain of accepted dependencies: 2 initiatives, each "
        "waiting on the next, planned 1 Feb \u2013 30 Apr 2027 (88 days)"
    )
    assert data["critical_warning"] == (
        "These plans overlap: done one after another they would take 118 days, more than "
        "the 88 days planned."
    )


def test_a_chain_that_fits_its_dates_says_so_without_a_warning():
    ref = {"title": "Spring launch", "team": "Sales"}
    first = {**ref, "start_date": dt.date(2027, 3, 1), "target_date": dt.date(2027, 4, 30)}
    second = {**ref, "start_date": dt.date(2027, 1, 1), "target_date": dt.date(2027, 2, 20)}
    assert queries.chain_summary([first, second], 110) == (
        "critical path, the longest chain of accepted dependencies: 2 initiatives, each "
        "waiting on the next, planned 1 Jan \u2013 30 Apr 2027 (119 days; their own plans "
        "add up to 110 days)"
    )
    assert queries.chain_warning([first, second], 110) == ""


def test_a_chain_without_dates_says_no_plan_and_one_initiative_is_no_chain():
    ref = {"title": "Spring launch", "team": "Sales", "start_date": None, "target_date": None}
    assert queries.chain_summary([ref, {**ref, "title": "New warehouse"}], 0) == (
        "critical path, the longest chain of accepted dependencies: 2 initiatives, each "
        "waiting on the next; no dates"
    )
    dated = {**ref, "start_date": dt.date(2027, 1, 6), "target_date": dt.date(2027, 3, 7)}
    assert queries.chain_summary([dated], 60) == (
        "critical path: one initiative, 60 days, planned 6 Jan \u2013 7 Mar 2027"
    )
    assert queries.chain_summary([], 0) == ""
    assert queries.chain_warning([ref, {**ref, "title": "New warehouse"}], 0) == ""
    assert queries.chain_warning([dated], 600) == ""
