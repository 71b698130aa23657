"""Token scopes are enforced for every write the API offers, at one place."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accord.activity.models import Event
from accord.api import services as tokens
from accord.api.scopes import require_scope
from accord.core.errors import PermissionDenied
from tests.api.conftest import send

WRITES = ("post", "patch", "put", "delete")
# What a `report` token may call (besides reading): check-ins, key-result values, and the
# status of what its person owns.
REPORT_WRITES = {
    ("post", "/api/v1/key-results/{kr_id}/values"),
    ("post", "/api/v1/initiatives/{initiative_id}/status"),
    ("post", "/api/v1/action-items/{item_id}/complete"),
    ("post", "/api/v1/action-items/{item_id}/drop"),
    ("post", "/api/v1/action-items/{item_id}/reopen"),
    ("post", "/api/v1/rhythm/cadences/{cadence_id}/occurrences/{key}/checkin"),
}


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def write_operations(client: Client) -> list[tuple[str, str, dict]]:
    schema = client.get("/api/v1/openapi.json").json()
    return [
        (method, path, op)
        for path, item in schema["paths"].items()
        for method, op in item.items()
        if method in WRITES
    ]


def concrete(path: str) -> str:
    """A path with every parameter filled: ids no organization has, words for the rest."""
    return re.sub(r"\{(\w+)\}", lambda m: "999999999" if m[1].endswith("id") else "x", path)


def test_every_write_is_refused_to_a_read_token_and_records_nothing(cast):
    _, raw = tokens.create_token(cast.org, cast.admin, "reader", scope="read")
    client = bearer(raw)
    operations = write_operations(client)
    assert len(operations) > 80  # the whole API, not a part of it
    events = Event.objects.count()
    for method, path, op in operations:
        assert op.get("security"), f"{method.upper()} {path} needs no token"
        response = send(client, method, concrete(path), {})
        assert response.status_code == 403, (method, path, response.content)
        error = response.json()["error"]
        assert error["code"] == "forbidden"
        assert "scope is read" in error["message"]
    assert Event.objects.count() == events
    # Reads still answer.
    assert client.get("/api/v1/teams").status_code == 200


def test_a_report_token_writes_only_reports(cast):
    _, raw = tokens.create_token(cast.org, cast.admin, "reporter", scope="report")
    client = bearer(raw)
    allowed = set()
    for method, path, _ in write_operations(client):
        response = send(client, method, concrete(path), {})
        if response.status_code != 403:
            allowed.add((method, path))
    assert allowed == REPORT_WRITES
    assert (
        client.post("/api/v1/teams", {"name": "X"}, content_type="application/json")
        .json()["error"]["message"]
        .startswith("This token's scope is report")
    )


def test_a_member_token_is_what_people_had_before(cast):
    token, raw = tokens.create_token(cast.org, cast.admin, "full")
    assert token.scope == "member"
    response = send(bearer(raw), "post", "/api/v1/teams", {"name": "Data"})
    assert response.status_code == 201


def test_require_scope_takes_a_token_for_other_transports(cast):
    reader, _ = tokens.create_token(cast.org, cast.member, "r", scope="read")
    member, _ = tokens.create_token(cast.org, cast.member, "m", scope="member")
    assert require_scope(reader, "read") == reader
    with pytest.raises(PermissionDenied):
        require_scope(reader, "report")
    assert require_scope(member, "report") == member
    reporter, _ = tokens.create_token(cast.org, cast.member, "p", scope="report")
    require_scope(reporter, "report", owner_id=cast.member.pk)
    with pytest.raises(PermissionDenied, match="only on what its own person owns"):
        require_scope(reporter, "report", owner_id=cast.admin.pk)


def test_an_unknown_scope_is_refused(cast):
    # Tokens are created signed in (a token may not create them): the page refuses it.
    from tests.conftest import login

    response = login(cast.member).post(
        "/o/acme/settings/tokens/", {"name": "x", "scope": "root"}, follow=True
    )
    assert "Unknown scope" in response.content.decode()
    assert not cast.member.api_tokens.exists()


def test_an_agents_report_token_reports_on_what_it_or_its_owner_owns(cast):
    """An agent works on its owner's behalf: its report token may report on what the agent
    or its owner owns (as it records its owner's key-result values), never on others' work;
    what each report may then change is the services' rule."""
    from accord.decisions import services as decisions
    from accord.decisions.models import ActionItem
    from accord.org import services as org_services

    agent = org_services.add_agent(cast.org, cast.member, name="Tidy bot", owner=cast.member)
    reporter, raw = tokens.create_token(cast.org, agent, "bot", scope="report", actor=cast.member)
    require_scope(reporter, "report", owner_id=agent.pk)
    require_scope(reporter, "report", owner_id=cast.member.pk)
    with pytest.raises(PermissionDenied, match="only on what its own person owns"):
        require_scope(reporter, "report", owner_id=cast.admin.pk)
    its = decisions.create_action_item(cast.org, cast.member, title="Tidy up", owner=agent)
    others = decisions.create_action_item(
        cast.org, cast.admin, title="Send the deck", owner=cast.admin
    )
    client = bearer(raw)
    r = client.post(f"/api/v1/action-items/{others.pk}/complete")
    assert (
        r.status_code == 403 and "only on what its own person owns" in r.json()["error"]["message"]
    )
    assert ActionItem.objects.get(pk=others.pk).status == "open"
    assert client.post(f"/api/v1/action-items/{its.pk}/complete").status_code == 200
    assert ActionItem.objects.get(pk=its.pk).status == "done"
