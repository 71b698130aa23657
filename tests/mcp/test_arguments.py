"""Tools name a team as `team_id`, as every other tool names what it takes (`team`, a slug
or an id, still works); arguments that do not fit a tool are refused in plain sentences
naming each argument, not with the SDK's pydantic dump."""

from __future__ import annotations

from accord.org.models import Team
from tests.mcp.conftest import http_session, run
from tests.mcp.test_mcp_server import text


def test_get_team_briefing_and_what_is_at_risk_take_team_id_or_team(world):
    team = Team.objects.get(pk=world.ids["team"])

    async def body():
        async with http_session(world, world.tokens["admin"]) as s:
            for args in ({"team_id": team.pk}, {"team": team.slug}, {"team": str(team.pk)}):
                found = await s.call_tool("get_team", args)
                assert not found.is_error, (args, text(found))
                assert team.name in text(found)
            for name in ("briefing", "what_is_at_risk"):
                result = await s.call_tool(name, {"team_id": team.pk})
                assert not result.is_error, (name, text(result))
            unknown = await s.call_tool("get_team", {"team_id": 999_999_999})
            assert unknown.is_error and "No team with id 999999999" in text(unknown)
            both = await s.call_tool("get_team", {"team_id": team.pk, "team": team.slug})
            assert both.is_error and "not both" in text(both)
            neither = await s.call_tool("get_team", {})
            assert neither.is_error and "team_id" in text(neither)

    run(body)


def test_bad_arguments_read_as_sentences_naming_each_argument(world):
    async def body():
        async with http_session(world, world.tokens["admin"]) as s:
            wrong_type = await s.call_tool("get_team", {"team_id": "platform"})
            typo = await s.call_tool("get_team", {"teamid": 3})
            missing = await s.call_tool("get_decision", {})
        for result in (wrong_type, typo, missing):
            assert result.is_error
            assert "validation error" not in text(result)
            assert "pydantic.dev" not in text(result)
            assert "Nothing was changed." in text(result)
        assert "- team_id: Input should be a valid integer" in text(wrong_type)
        assert "get_team does not take `teamid`" in text(typo)
        assert "`team_id`" in text(typo)
        assert "- decision_id: Required." in text(missing)

    run(body)
