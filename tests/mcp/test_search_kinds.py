"""The assistant's search narrows to every kind the search finds, as the web and the API
do: action items, cadences, milestones and periods too."""

from __future__ import annotations

import datetime as dt
import typing

from accord.alignment import services as alignment
from accord.mcp import tools
from accord.rhythm import services as rhythm
from accord.search import index
from tests.mcp.test_bounds import client_of
from tests.mcp.test_find_person import search


def test_the_search_tool_takes_every_kind_the_search_indexes():
    assert set(typing.get_args(tools.SearchKind)) == {s.kind for s in index.SOURCES}


def test_the_search_tool_finds_a_cadence_and_a_period_by_kind(cast):
    rhythm.create_cadence(
        cast.org,
        cast.admin,
        name="Release planning day",
        team=cast.platform,
        rrule="FREQ=WEEKLY",
        timezone_name="UTC",
        time=dt.time(9),
    )
    alignment.create_period(
        cast.org,
        cast.admin,
        name="Harvest half",
        start=dt.date(2026, 7, 1),
        end=dt.date(2026, 12, 31),
        kind="half",
    )
    client = client_of(cast.leader)
    for query, kind in (("release planning", "cadence"), ("harvest half", "period")):
        found = search(client, query, kind=kind)["structuredContent"]["results"]
        assert [r["kind"] for r in found] == [kind], (query, found)
