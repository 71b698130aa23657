"""A date a person sends through the API or MCP is "today", "in the past" or "in the
future" by their own day, as on the pages (`core.days`): the token's person's zone is
active for the call. Sydney's morning of the 8th (still the 7th in UTC) may record a value
as of the 8th; New York's evening of the 7th (already the 8th in UTC) may ask for
something by the 7th."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accord.alignment import services as alignment
from accord.decisions.models import ActionItem
from accord.org.models import Person
from tests.conftest import api_client, at
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401 (/mcp is served as by a sync worker)

SYDNEY_MORNING = dt.datetime(2026, 12, 7, 22, tzinfo=dt.UTC)  # 09:00 on the 8th in Sydney
NEW_YORK_EVENING = dt.datetime(2026, 12, 8, 1, 30, tzinfo=dt.UTC)  # 20:30 on the 7th there


def _in_zone(person, zone: str):
    Person.objects.filter(pk=person.pk).update(timezone=zone)
    person.refresh_from_db()
    return person


@pytest.fixture
def kr(cast):
    with at(SYDNEY_MORNING - dt.timedelta(days=30)):
        period = alignment.create_period(
            cast.org, None, name="Q4", start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31)
        )
        objective = alignment.create_objective(
            cast.org, None, title="Ship", period=period, team=cast.platform
        )
        return alignment.create_key_result(
            cast.org, None, objective, name="Releases", unit="", start=0, target=10
        )


def test_a_sydney_person_records_a_value_as_of_their_today(cast, kr):
    member = _in_zone(cast.member, "Australia/Sydney")
    with at(SYDNEY_MORNING):
        response = api_client(member).post(
            f"/api/v1/key-results/{kr.pk}/values",
            {"value": 3, "as_of": "2026-12-08"},
            content_type="application/json",
        )
        assert response.status_code == 201, response.content
        # Their tomorrow is still the future.
        response = api_client(member).post(
            f"/api/v1/key-results/{kr.pk}/values",
            {"value": 4, "as_of": "2026-12-09"},
            content_type="application/json",
        )
    assert response.status_code == 422 and response.json()["error"]["code"] == "future_date"


def test_a_new_york_person_asks_for_their_today_in_the_evening(cast):
    member = _in_zone(cast.member, "America/New_York")
    with at(NEW_YORK_EVENING - dt.timedelta(days=10)):
        launch = alignment.create_initiative(
            cast.org, None, team=cast.platform, title="Launch", status="active"
        )
    with at(NEW_YORK_EVENING):
        client = api_client(member)
        item = client.post(
            "/api/v1/action-items",
            {"title": "Send the contract", "owner_id": member.pk, "due_on": "2026-12-07"},
            content_type="application/json",
        )
        assert item.status_code == 201, item.content
        dep = client.post(
            "/api/v1/dependencies",
            {
                "requester_initiative_id": launch.pk,
                "provider_team_id": cast.root.pk,
                "title": "A budget line",
                "need_by": "2026-12-07",
            },
            content_type="application/json",
        )
        assert dep.status_code == 201, dep.content
        # Their yesterday is still the past.
        past = client.post(
            "/api/v1/action-items",
            {"title": "Too late", "owner_id": member.pk, "due_on": "2026-12-06"},
            content_type="application/json",
        )
    assert past.status_code == 422 and past.json()["error"]["code"] == "past_date"


def test_an_mcp_call_reads_the_persons_day(cast):
    member = _in_zone(cast.member, "America/New_York")
    with at(NEW_YORK_EVENING):
        response = api_client(member).post(
            "/mcp",
            json.dumps(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "tools/call",
                    "params": {
                        "name": "add_action_item",
                        "arguments": {"title": "Call the bank", "due_on": "2026-12-07"},
                    },
                }
            ),
            content_type="application/json",
            headers={"Accept": "application/json, text/event-stream"},
        )
    assert response.status_code == 200, response.content[:500]
    result = response.json()["result"]
    assert not result.get("isError"), result["content"][0]["text"]
    assert ActionItem.objects.get(org=cast.org, title="Call the bank").due_on == dt.date(
        2026, 12, 7
    )


def test_an_mcp_session_over_stdio_reads_the_persons_day_at_each_call(cast):
    """`accord mcp` runs no request: each call is in the person's zone as read then."""
    from accord.api import services as token_services
    from accord.api.models import TokenScope
    from accord.mcp import server, tools

    member = _in_zone(cast.member, "America/New_York")
    token, _ = token_services.create_token(cast.org, member, "stdio")
    with at(NEW_YORK_EVENING), server.acting_as(cast.org, member, token, count_calls=True):
        result = server._call(
            tools.add_action_item,
            {"title": "Call the bank", "due_on": dt.date(2026, 12, 7)},
            TokenScope.MEMBER,
        )
    assert not result.is_error, result.content[0].text
    assert ActionItem.objects.get(org=cast.org, title="Call the bank").due_on == dt.date(
        2026, 12, 7
    )
