"""`edit_dependency`: the asking team edits its request through MCP as through
PATCH /api/v1/dependencies/{id} (the same service, the same event), and what the service
refuses, a retired team asked among it, is a tool error naming the argument, changing
nothing. `request_dependency` refuses a retired team the same way."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.coordination.models import Dependency
from accord.org import services as org_services
from accord.org.models import Organization, Team
from tests.mcp.conftest import http_session, run
from tests.mcp.test_mcp_server import events_after, newest_event_id, text


def _team(org: Organization, name: str, *, retired: bool = False) -> Team:
    root = Team.objects.get(org=org, parent=None)
    team = org_services.create_team(org, None, name=name, parent=root)
    if retired:
        org_services.retire_team(org, None, team)
    return team


@pytest.fixture
def asked(world) -> Dependency:
    """Engines' request to the top team, not answered yet (its lead is Lia Lead)."""
    return Dependency.objects.get(pk=world.ids["dependency"])


def test_the_asking_team_edits_and_moves_its_request(world, asked):
    turbines = _team(world.org, "Turbines")
    later = (dt.date.today() + dt.timedelta(days=40)).isoformat()
    token = world.tokens["lead"]
    before, version = newest_event_id(world, token), asked.version

    async def body():
        async with http_session(world, token) as s:
            edited = await s.call_tool(
                "edit_dependency",
                {
                    "dependency_id": asked.pk,
                    "title": "A review, by the turbine people",
                    "priority": "high",
                    "need_by": later,
                    "provider_team_id": turbines.pk,
                },
            )
            assert not edited.is_error, text(edited)
            assert text(edited).startswith("Edited.\n")
            assert "Engines needs it from Turbines by " + later in text(edited)
            got = edited.structured_content
            assert (got["title"], got["priority"], got["need_by"]) == (
                "A review, by the turbine people",
                "high",
                later,
            )
            assert (got["provider_team_id"], got["state"]) == (turbines.pk, "requested")
            same = await s.call_tool(
                "edit_dependency", {"dependency_id": asked.pk, "priority": "high"}
            )
            assert not same.is_error and text(same).startswith("Nothing changed"), text(same)

    run(body)
    assert events_after(world, token, before) == [("updated", "coordination.dependency")]
    asked.refresh_from_db()
    assert (asked.provider_team_id, asked.version) == (turbines.pk, version + 1)


def test_what_the_service_refuses_is_a_sentence_naming_the_argument(world, asked):
    retired = _team(world.org, "Boilers", retired=True)
    engines = world.ids["team"]
    token = world.tokens["lead"]
    before = newest_event_id(world, token)
    need_by = (dt.date.today() + dt.timedelta(days=30)).isoformat()

    async def body():
        async with http_session(world, token) as s:
            calls = [
                (
                    {"provider_team_id": retired.pk, "title": "Moved"},
                    [
                        "Boilers is retired; ask a team that is still working.",
                        "- provider_team_id: Boilers is retired.",
                    ],
                ),
                (
                    {"provider_team_id": engines},
                    ["- provider_team_id: A team cannot depend on itself."],
                ),
                ({"provider_team_id": 999_999}, ["- provider_team_id: Unknown team 999999."]),
                (
                    {"requester_initiative_id": world.other_ids["initiative"]},
                    ["- requester_initiative_id: Unknown initiative"],
                ),
                ({"need_by": "soon"}, ["- need_by: "]),
                ({"title": ""}, ["- title: "]),
                ({"state": "accepted"}, ["edit_dependency does not take `state`"]),
                ({}, ["Say what to change", "- provider_team_id: Not given."]),
            ]
            for args, expected in calls:
                result = await s.call_tool("edit_dependency", {"dependency_id": asked.pk, **args})
                assert result.is_error, (args, text(result))
                for line in expected:
                    assert line in text(result), (args, text(result))
                assert "pydantic" not in text(result)
            # Another organization's dependency is not found.
            foreign = await s.call_tool(
                "edit_dependency",
                {"dependency_id": world.other_ids["dependency"], "title": "Mine now"},
            )
            assert foreign.is_error and "No dependency" in text(foreign), text(foreign)
            # A new request to a retired team, too, is refused naming the argument.
            new = await s.call_tool(
                "request_dependency",
                {
                    "requester_initiative_id": world.ids["initiative"],
                    "provider_team_id": retired.pk,
                    "title": "A boiler check",
                    "need_by": need_by,
                },
            )
            assert new.is_error, text(new)
            assert "- provider_team_id: Boilers is retired." in text(new)
        async with http_session(world, world.tokens["viewer"]) as s:
            viewer = await s.call_tool("edit_dependency", {"dependency_id": asked.pk, "title": "V"})
            assert viewer.is_error, text(viewer)

    run(body)
    assert events_after(world, token, before) == []
    fresh = Dependency.objects.get(pk=asked.pk)
    assert (fresh.title, fresh.provider_team_id, fresh.version) == (
        asked.title,
        asked.provider_team_id,
        asked.version,
    )
    assert not Dependency.objects.filter(org=world.org, title="A boiler check").exists()


def test_an_answered_request_is_no_longer_edited(world, asked):
    token = world.tokens["lead"]

    async def body():
        async with http_session(world, world.tokens["admin"]) as provider:
            accepted = await provider.call_tool(
                "answer_dependency",
                {
                    "dependency_id": asked.pk,
                    "action": "accept",
                    "provider_initiative_id": world.ids["root_initiative"],
                    "committed_date": asked.need_by.isoformat(),
                },
            )
            assert not accepted.is_error, text(accepted)
        before = newest_event_id(world, token)
        async with http_session(world, token) as s:
            late = await s.call_tool("edit_dependency", {"dependency_id": asked.pk, "title": "X"})
        assert late.is_error and "no longer edited" in text(late), text(late)
        assert events_after(world, token, before) == []

    run(body)
