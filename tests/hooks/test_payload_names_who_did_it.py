"""A webhook says who did a change as the event log (`GET /api/v1/events`) and the activity
feed say it: the API token a person's change came through (an assistant over MCP), and an
agent with the person accountable for it."""

from __future__ import annotations

import json

from django.test import Client

from accord.api import services as token_services
from accord.hooks import sender, services
from accord.org import services as org_services
from tests.agents.conftest import token_client
from tests.conftest import api_client, login
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401 (/mcp is served as by a sync worker)


def _delivered(cast, receiver, secret) -> dict:
    sender.deliver()
    [body] = receiver.verified(secret)
    return body["data"]


def _logged(cast, event_id: int) -> dict:
    """The same event as `GET /api/v1/events` answers it."""
    listed = api_client(cast.admin).get("/api/v1/events", {"target_type": "decisions.issue"})
    return next(e for e in listed.json()["items"] if e["id"] == event_id)


def test_a_change_an_assistant_made_through_a_token_says_so(cast, receiver):
    _, secret = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["decisions.issue.raised"]
    )
    raw = token_services.create_token(cast.org, cast.member, "claude")[1]
    call = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": "raise_issue",
            "arguments": {"team_id": cast.platform.pk, "title": "Alerts are noisy"},
        },
    }
    answered = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        "/mcp",
        json.dumps(call),
        content_type="application/json",
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert not answered.json()["result"].get("isError"), answered.json()
    data = _delivered(cast, receiver, secret)
    assert data["actor"] == {
        "id": cast.member.pk,
        "name": "Mia Member",
        "is_agent": False,
        "on_behalf_of": None,
        "via_token": "claude",
        "display": "Mia Member via token “claude”",
    }
    logged = _logged(cast, data["id"])
    assert data["actor"]["via_token"] == logged["via_token"]
    assert data["actor"]["display"] == logged["actor_display"]


def test_an_agents_change_names_its_owner_and_a_change_in_the_pages_no_token(cast, receiver):
    _, secret = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["decisions.issue.raised"]
    )
    bot = org_services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    body = {"title": "Tag the release", "team_id": cast.platform.pk}
    sent = token_client(bot, cast.member).post(
        "/api/v1/issues", body, content_type="application/json"
    )
    assert sent.status_code == 201, sent.content
    data = _delivered(cast, receiver, secret)
    assert data["actor"] == {
        "id": bot.pk,
        "name": "Release bot",
        "is_agent": True,
        "on_behalf_of": {"id": cast.member.pk, "name": "Mia Member"},
        "via_token": "ci",
        "display": "Release bot (agent, on behalf of Mia Member)",
    }
    logged = _logged(cast, data["id"])
    assert (logged["actor_is_agent"], logged["on_behalf_of_id"]) == (True, cast.member.pk)

    receiver.requests.clear()
    form = {"title": "Flaky tests", "team": cast.platform.pk, "severity": "medium"}
    assert login(cast.member).post("/o/acme/decisions/issues/new/", form).status_code == 302
    actor = _delivered(cast, receiver, secret)["actor"]
    assert actor["via_token"] is None and actor["display"] == "Mia Member"
    assert (actor["is_agent"], actor["on_behalf_of"]) == (False, None)
