"""An agent acts for its owner: what its owner may do to an action item, it may do too,
through the API and MCP alike and within its token's scope, as it may change its owner's
key results; never more; and every event says the agent did it, for its owner."""

from __future__ import annotations

import json

from accord.activity.models import Event
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.agents.conftest import token_client
from tests.api.conftest import send
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401 (/mcp is served as by a sync worker)

REFUSED = (
    "Only the action item's owner, whoever recorded it, its team's lead or a leader may "
    "complete it."
)


def _mcp(client, name: str, **arguments) -> dict:
    response = client.post(
        "/mcp",
        json.dumps(
            {
                "jsonrpc": "2.0",
                "id": 1,
                "method": "tools/call",
                "params": {"name": name, "arguments": arguments},
            }
        ),
        content_type="application/json",
        headers={"Accept": "application/json, text/event-stream"},
    )
    assert response.status_code == 200, response.content[:500]
    result = response.json()["result"]
    result["text"] = result["content"][0]["text"]
    return result


def _items(cast):
    """Mia's item, which Ada gave her (so Mia did not record it), and Ada's own."""
    owners = decisions.create_action_item(
        cast.org, cast.admin, "Update the runbook", cast.member, team=cast.platform
    )
    others = decisions.create_action_item(cast.org, cast.admin, "Renew the licence", cast.admin)
    return owners, others


def _said_by_the_agent(item: ActionItem, verb: str, bot, cast) -> None:
    event = Event.objects.for_target("decisions.actionitem", item.pk).get(verb=verb)
    assert (event.actor, event.on_behalf_of, event.via_token) == (bot, cast.member, "ci")
    assert event.actor_display == "Release bot (agent, on behalf of Mia Member)"


def test_an_agent_completes_and_reopens_its_owners_action_item_through_the_api(cast, bot):
    owners, others = _items(cast)
    report = token_client(bot, cast.member, scope="report")
    done = report.post(f"/api/v1/action-items/{owners.pk}/complete")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "done"
    _said_by_the_agent(owners, "completed", bot, cast)
    assert report.post(f"/api/v1/action-items/{owners.pk}/reopen").status_code == 200
    _said_by_the_agent(owners, "reopened", bot, cast)
    # With a `member` token it edits it as its owner may, as it changes her key results.
    member = token_client(bot, cast.member)
    r = send(member, "patch", f"/api/v1/action-items/{owners.pk}", {"title": "Rewrite it"})
    assert r.status_code == 200, r.content
    assert ActionItem.objects.get(pk=owners.pk).title == "Rewrite it"
    _said_by_the_agent(owners, "updated", bot, cast)

    # Someone else's item: refused, by the scope or by the owner's rule, and unchanged.
    before = Event.objects.count()
    r = report.post(f"/api/v1/action-items/{others.pk}/complete")
    assert r.status_code == 403
    assert "only on what its own person owns" in r.json()["error"]["message"]
    r = member.post(f"/api/v1/action-items/{others.pk}/complete")
    assert r.status_code == 403 and r.json()["error"]["message"] == REFUSED
    r = send(member, "patch", f"/api/v1/action-items/{others.pk}", {"title": "Mine now"})
    assert r.status_code == 403
    assert ActionItem.objects.get(pk=others.pk).status == "open"
    assert ActionItem.objects.get(pk=others.pk).title == "Renew the licence"
    assert Event.objects.count() == before
    # A read-only token writes nothing, even on its owner's item.
    read = token_client(bot, cast.member, scope="read")
    assert read.post(f"/api/v1/action-items/{owners.pk}/complete").status_code == 403
    assert ActionItem.objects.get(pk=owners.pk).status == "open"


def test_an_agent_completes_its_owners_action_item_through_mcp(cast, bot):
    owners, others = _items(cast)
    report = token_client(bot, cast.member, scope="report")
    result = _mcp(report, "change_action_item", action_item_id=owners.pk, action="complete")
    assert not result.get("isError"), result["text"]
    assert "Done." in result["text"]
    assert ActionItem.objects.get(pk=owners.pk).status == "done"
    _said_by_the_agent(owners, "completed", bot, cast)

    member = token_client(bot, cast.member)
    before = Event.objects.count()
    refused = _mcp(report, "change_action_item", action_item_id=others.pk, action="complete")
    assert refused.get("isError") and "only on what its own person owns" in refused["text"]
    refused = _mcp(member, "change_action_item", action_item_id=others.pk, action="drop")
    assert refused.get("isError") and "its team's lead or a leader may drop it" in refused["text"]
    assert ActionItem.objects.get(pk=others.pk).status == "open"
    assert Event.objects.count() == before


def test_an_agent_may_what_its_owner_may_as_a_teams_lead_never_what_a_leader_may(cast, bot):
    """Its owner leads the item's team, so may close it, and so may the agent; a leader's
    own agent of the member role closes nobody else's item: a leader's rights are a role,
    and the agent has its own."""
    org_services.add_membership(
        cast.org, None, person=cast.member, team=cast.root, role=MembershipRole.LEAD, allocation=10
    )
    teams = decisions.create_action_item(
        cast.org, cast.admin, "Plan the offsite", cast.admin, team=cast.root
    )
    member = token_client(bot, cast.member)
    assert member.post(f"/api/v1/action-items/{teams.pk}/complete").status_code == 200
    _said_by_the_agent(teams, "completed", bot, cast)

    others = decisions.create_action_item(cast.org, cast.admin, "Renew the licence", cast.admin)
    helper = org_services.add_agent(cast.org, cast.leader, name="Leo's helper", owner=cast.leader)
    assert decisions.complete_action_item(cast.org, cast.leader, others).status == "done"
    decisions.reopen_action_item(cast.org, cast.leader, others)
    r = token_client(helper, cast.leader).post(f"/api/v1/action-items/{others.pk}/complete")
    assert r.status_code == 403 and r.json()["error"]["message"] == REFUSED
    assert ActionItem.objects.get(pk=others.pk).status == "open"
