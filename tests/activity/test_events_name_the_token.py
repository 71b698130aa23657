"""A write through an API token (the API, an assistant over MCP) names the token in its
event: "Mia Member via token “assistant”" in the history, the feed and the events API,
told apart from what the person did in the pages."""

from __future__ import annotations

import html as htmllib
import json

from django.test import Client

from accord.activity.models import Event
from accord.api import services as token_services
from accord.decisions import services
from accord.decisions.models import Issue
from tests.conftest import login
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401 (/mcp is served as by a sync worker)


def _client(person, name: str) -> Client:
    raw = token_services.create_token(person.org, person, name)[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def _raised(title: str) -> Event:
    issue = Issue.objects.get(title=title)
    return Event.objects.for_target("decisions.issue", issue.pk).get(verb="raised")


def test_a_write_through_the_api_names_its_token(cast):
    api = _client(cast.member, "assistant")
    body = {"title": "Deploys are slow", "team_id": cast.platform.pk}
    assert api.post("/api/v1/issues", body, content_type="application/json").status_code == 201
    event = _raised("Deploys are slow")
    assert event.via_token == "assistant"
    assert event.actor_display == "Mia Member via token “assistant”"

    listed = api.get("/api/v1/events", {"target_type": "decisions.issue"}).json()["items"]
    shown = next(e for e in listed if e["id"] == event.pk)
    assert shown["via_token"] == "assistant"
    assert shown["actor_display"] == "Mia Member via token “assistant”"
    assert shown["actor_name"] == "Mia Member"  # as before: the person

    page = login(cast.member).get(f"/o/acme/decisions/issues/{event.target_id}/")
    assert "via token “assistant”" in htmllib.unescape(page.content.decode())


def test_a_write_in_the_pages_or_by_a_service_names_no_token(cast):
    api = _client(cast.member, "assistant")
    api.get("/api/v1/events")  # a request with a token before, in the same thread
    form = {"title": "Flaky tests", "team": cast.platform.pk, "severity": "medium"}
    assert login(cast.member).post("/o/acme/decisions/issues/new/", form).status_code == 302
    services.raise_issue(cast.org, cast.member, cast.platform, "Slow builds")
    assert _raised("Flaky tests").via_token is None
    assert _raised("Slow builds").via_token is None
    assert _raised("Flaky tests").actor_display == "Mia Member"
    listed = api.get("/api/v1/events", {"target_type": "decisions.issue"}).json()["items"]
    assert {e["via_token"] for e in listed} == {None}


def test_a_write_through_mcp_names_its_token(cast):
    mcp = _client(cast.member, "claude")
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": "raise_issue",
            "arguments": {"team_id": cast.platform.pk, "title": "Alerts are noisy"},
        },
    }
    response = mcp.post(
        "/mcp",
        json.dumps(call),
        content_type="application/json",
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 200, response.content[:500]
    assert not response.json()["result"].get("isError"), response.json()
    assert _raised("Alerts are noisy").via_token == "claude"


def test_an_agents_write_keeps_its_token_and_reads_as_the_agent_for_its_owner(cast):
    from accord.org import services as org_services
    from tests.agents.conftest import token_client

    bot = org_services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    body = {"title": "Tag the release", "team_id": cast.platform.pk}
    sent = token_client(bot, cast.member).post(
        "/api/v1/issues", body, content_type="application/json"
    )
    assert sent.status_code == 201, sent.content
    event = _raised("Tag the release")
    assert event.via_token == "ci"  # kept for the API
    # An agent acts only through tokens: it reads as before, the agent for its owner.
    assert event.actor_display == "Release bot (agent, on behalf of Mia Member)"
