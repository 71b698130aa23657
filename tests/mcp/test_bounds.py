"""On a generated organization of 200 teams, every answer stays within the documented
bound (16,000 characters of text, and of structured content as JSON), and says what it
left out."""

from __future__ import annotations

import json
import re

from django.test import Client

from accord.alignment.models import Initiative, KeyResult, Objective
from accord.api import services as token_services
from accord.coordination.models import Dependency
from accord.decisions.models import Decision
from accord.mcp.answers import MAX_CHARS
from accord.org.models import Membership, MembershipRole, Role, Team
from tests.conftest import make_person


def rpc(client: Client, method: str, params: dict) -> dict:
    response = client.post(
        "/mcp",
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}),
        content_type="application/json",
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 200, response.content[:500]
    body = response.json()
    assert "result" in body, body
    return body["result"]


def client_of(person) -> Client:
    raw = token_services.create_token(person.org, person, "bounds")[1]
    return Client(headers={"Authorization": f"Bearer {raw}"})


def within_bound(result: dict) -> str:
    assert not result.get("isError"), result
    text = result["content"][0]["text"]
    assert len(text) <= MAX_CHARS, len(text)
    assert len(json.dumps(result.get("structuredContent") or {})) <= MAX_CHARS
    return text


def test_every_answer_stays_within_the_bound_on_200_teams(generated, db):
    org = generated["large"]
    root = Team.objects.for_org(org).get(parent=None)
    lead = (
        Membership.objects.for_org(org)
        .filter(team=root, role=MembershipRole.LEAD)
        .select_related("person")
        .first()
        .person
    )
    admin = make_person(org, "Ada Bounds", Role.ADMIN)
    as_lead, as_admin = client_of(lead), client_of(admin)

    def first(model):
        return model.objects.for_org(org).order_by("pk").values_list("pk", flat=True)[0]

    calls = [
        ("what_is_at_risk", {}),
        ("what_is_at_risk", {"team": root.slug}),
        ("my_week", {}),
        ("briefing", {"team": root.slug}),
        ("search", {"query": "platform"}),
        ("get_team", {"team": root.slug}),
        ("get_objective", {"objective_id": first(Objective)}),
        ("get_key_result", {"key_result_id": first(KeyResult)}),
        ("get_initiative", {"initiative_id": first(Initiative)}),
        ("get_dependency", {"dependency_id": first(Dependency)}),
        ("get_decision", {"decision_id": first(Decision)}),
    ]
    for name, args in calls:
        within_bound(rpc(as_lead, "tools/call", {"name": name, "arguments": args}))
    whole = within_bound(rpc(as_admin, "tools/call", {"name": "what_is_at_risk", "arguments": {}}))
    # Cut, and it says how to read on: the same call, one list, further on.
    assert re.search(r"… \d+ more: call what_is_at_risk again with .*offset=\d+", whole)
    for uri in ("accord://teams", f"accord://teams/{root.pk}", "accord://period/current"):
        contents = rpc(as_lead, "resources/read", {"uri": uri})["contents"]
        assert len(contents[0]["text"]) <= MAX_CHARS, uri
    tree = rpc(as_lead, "resources/read", {"uri": "accord://teams"})["contents"][0]["text"]
    assert '"more": "accord://teams/' in tree  # deeper teams: read them by subtree
