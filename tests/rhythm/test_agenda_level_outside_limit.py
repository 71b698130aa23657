"""A level to hold on the wrong side of its limit reads "outside its limit" on a meeting's
agenda, in the colour of what is wrong, not the share done its partial credit gives ("93%
done"): under "Key results" (even when it did not move) and "How the quarter went". The
API's and the assistants' key result carry the same words (`outside_limit`)."""

from __future__ import annotations

import datetime as dt
import json

from accord.alignment import services as alignment
from accord.alignment.models import Direction
from accord.rhythm import agenda, services
from accord.rhythm.models import Meeting
from tests.conftest import api_client
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401 (/mcp is served as by a sync worker)
from tests.mcp.test_bounds import rpc
from tests.rhythm.conftest import utc
from tests.rhythm.test_agenda import BEFORE, MEETING, NOW, SINCE, at, world  # noqa: F401


def _items(built, key) -> dict[str, tuple[str, str]]:
    return {
        i["title"]: (i["detail"], i["tone"]) for s in built if s["key"] == key for i in s["items"]
    }


def _level(cast, objective, name, direction, start, target, now, **extra):
    return alignment.create_key_result(
        cast.org, None, objective, name=name, direction=direction, start=start,
        target=target, current=now, **extra,
    )  # fmt: skip


def test_the_agenda_says_a_level_is_outside_its_limit(cast, world):  # noqa: F811
    objective = world["kr_moved"].objective  # "Fine", Platform's
    with at(BEFORE):
        # 99.94 to keep above 99.95: 93% of its credit, not behind the share of Q4 gone.
        q4 = {"baseline_date": dt.date(2026, 10, 1)}  # measured since the quarter began
        kr = _level(cast, objective, "Availability", Direction.ABOVE, 99.8, 99.95, 99.9, **q4)
        _level(cast, objective, "p95 latency", Direction.BELOW, 420, 250, 310, **q4)
        _level(cast, objective, "Error budget", Direction.ABOVE, 50, 80, 85, **q4)  # holds it
    with at(SINCE):
        alignment.record_key_result_value(cast.org, None, kr, 99.94)
    meeting = services.open_meeting(cast.org, None, world["cadence"], MEETING)
    with at(NOW):
        built = agenda.build(cast.org, world["cadence"], meeting, now=NOW)
    items = _items(built, "key_results")
    assert items["Availability"] == (
        "moved to 99.94 · outside its limit, 51% of Q4 gone · of “Fine”",
        "bad",
    )
    # Not moved since the last meeting: still on it, as what is wrong.
    assert items["p95 latency"] == ("outside its limit, 51% of Q4 gone · of “Fine”", "bad")
    assert "Error budget" not in items
    # What is outside its limit reads before what only moved.
    order = [i["title"] for s in built if s["key"] == "key_results" for i in s["items"]]
    assert order.index("p95 latency") < order.index("Moved")


def test_the_quarter_review_says_where_a_level_ended(cast):
    planning = services.create_cadence_from_template(
        cast.org, cast.admin, "quarterly-planning", timezone_name="UTC"
    )
    q4 = alignment.create_period(
        cast.org, None, name="Q4 2026", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31),
        is_current=True,
    )  # fmt: skip
    goal = alignment.create_objective(
        cast.org, None, title="Reliable", period=q4, team=cast.platform
    )
    _level(cast, goal, "Availability", Direction.ABOVE, 99.8, 99.95, 99.94, unit="%")
    _level(cast, goal, "Spend", Direction.RANGE, 0, 0, 47, unit="k€", range_low=30, range_high=45)
    when = utc(2026, 12, 31, 14)
    meeting = Meeting(cadence=planning, occurrence_start=when, scheduled_start=when)
    built = agenda.build(cast.org, planning, meeting, now=when - dt.timedelta(days=25))
    items = _items(built, "review")
    assert items["Availability"] == (
        "outside its limit, 99.94 % as Q4 2026 ends (31 Dec 2026) · of “Reliable” · Platform",
        "bad",
    )
    assert items["Spend"][0].startswith("outside its range, 47 k€ as Q4 2026 ends")
    assert items["Spend"][1] == "bad"


def test_the_api_and_assistants_say_a_level_is_outside_its_limit(cast):
    today = dt.date.today()
    period = alignment.create_period(
        cast.org, None, name="Now", start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60), state="active",
    )  # fmt: skip
    goal = alignment.create_objective(
        cast.org, None, title="Reliable", period=period, team=cast.platform
    )
    out = _level(cast, goal, "Availability", Direction.ABOVE, 99.8, 99.95, 99.94)
    held = _level(cast, goal, "Error budget", Direction.ABOVE, 50, 80, 85)
    grows = _level(cast, goal, "Deploys", Direction.INCREASE, 0, 10, 3)
    client = api_client(cast.admin)
    shown = {kr.pk: client.get(f"/api/v1/key-results/{kr.pk}").json() for kr in (out, held, grows)}
    assert shown[out.pk]["outside_limit"] == "outside its limit"
    assert shown[held.pk]["outside_limit"] == shown[grows.pk]["outside_limit"] == ""
    schema = client.get("/api/v1/openapi.json").json()["components"]["schemas"]["KeyResultOut"]
    assert "outside its limit" in schema["properties"]["outside_limit"]["description"]
    # The assistants' tools: the same field, and the words in place of "93%".
    answer = rpc(
        client, "tools/call", {"name": "get_key_result", "arguments": {"key_result_id": out.pk}}
    )
    assert answer["structuredContent"]["outside_limit"] == "outside its limit"
    assert "(outside its limit)" in answer["content"][0]["text"]
    assert "93%" not in answer["content"][0]["text"]
    objective = rpc(
        client, "tools/call", {"name": "get_objective", "arguments": {"objective_id": goal.pk}}
    )
    assert "Availability: 99.94 of 99.95  (outside its limit)" in objective["content"][0]["text"]
    assert json.dumps(objective["structuredContent"]).count('"outside_limit": "outside') == 1
