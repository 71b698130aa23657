"""docs/mcp.md and docs/agents.md say what the server and the API do: every tool with the
arguments it takes, the tools that read on with `offset`, the resources and prompts, and
the codes an agent's limits are refused with."""

from __future__ import annotations

import re
from pathlib import Path

from accord.org import services as org_services
from tests.agents.conftest import token_client
from tests.conftest import api_client
from tests.mcp.test_lead_review import client_of, send

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _section(text: str, title: str) -> str:
    return text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def _table(section: str) -> dict[str, list[str]]:
    """A docs table's first column: the name it lists, and the names in backticks after it
    (an argument marked `?` is optional)."""
    rows = {}
    for line in section.splitlines():
        if not line.startswith("| `"):
            continue
        cell = line.split(" | ", 1)[0]
        names = re.findall(r"`([^`]+)`(\??)", cell)
        rows[names[0][0]] = [name + mark for name, mark in names[1:]]
    return rows


def test_the_tools_table_names_every_tool_with_the_arguments_it_takes(cast):
    listed = send(client_of(cast.viewer), "tools/list", {})["result"]["tools"]
    text = (DOCS / "mcp.md").read_text()
    documented = _table(_section(text, "Tools"))
    assert set(documented) == {t["name"] for t in listed}
    for tool in listed:
        schema = tool["inputSchema"]
        said = documented[tool["name"]]
        assert {a.rstrip("?") for a in said} == set(schema.get("properties", {})), tool["name"]
        for optional in (a.rstrip("?") for a in said if a.endswith("?")):
            assert optional not in schema.get("required", []), (tool["name"], optional)
    paged = {t["name"] for t in listed if "offset" in t["inputSchema"]["properties"]}
    said = _section(text, "Size of answers")
    sentence = re.search(r"((?:`\w+`(?:, | and ))+`\w+`) take `only`", said)
    assert sentence, said
    with_only = set(re.findall(r"`(\w+)`", sentence[1]))
    assert with_only == {t["name"] for t in listed if "only" in t["inputSchema"]["properties"]}
    assert paged - with_only == {"list_action_items"}
    assert "`list_action_items`, one list, takes `offset`" in said


def test_the_resources_and_prompts_tables_name_what_the_server_offers(cast):
    client = client_of(cast.viewer)
    text = (DOCS / "mcp.md").read_text()
    resources = {r["uri"] for r in send(client, "resources/list", {})["result"]["resources"]}
    templates = send(client, "resources/templates/list", {})["result"]["resourceTemplates"]
    resources |= {r["uriTemplate"] for r in templates}
    assert set(_table(_section(text, "Resources"))) == resources
    prompts = send(client, "prompts/list", {})["result"]["prompts"]
    documented = _table(_section(text, "Prompts"))
    assert {
        p["name"]: sorted(a["name"] + ("" if a.get("required") else "?") for a in p["arguments"])
        for p in prompts
    } == {name: sorted(args) for name, args in documented.items()}


def test_agents_md_gives_the_codes_an_agents_limits_are_refused_with(cast):
    text = (DOCS / "agents.md").read_text()
    bot = org_services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    # Named where only a person may stand: the field is refused.
    named = api_client(cast.member).post(
        "/api/v1/decisions",
        {"question": "Ship?", "approver_id": bot.pk},
        content_type="application/json",
    )
    error = named.json()["error"]
    assert f"{named.status_code} `{error['code']}` on the field" in text
    assert (named.status_code, error["code"]) == (422, "agent_not_allowed")
    # Doing what only a person may: the act is refused, to an agent with the role for it.
    ops = org_services.add_agent(
        cast.org, cast.leader, name="Ops bot", owner=cast.leader, role="leader"
    )
    acted = token_client(ops, cast.leader).post(
        f"/api/v1/people/{cast.member.pk}/handover",
        {"to_id": cast.admin.pk},
        content_type="application/json",
    )
    error = acted.json()["error"]
    assert "only a person may hand someone's work on" in error["message"]
    assert f"`refuse_agent_actor`, {acted.status_code} `{error['code']}`" in text
    assert (acted.status_code, error["code"]) == (403, "forbidden")
