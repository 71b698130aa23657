"""Agents: owned by a person who is accountable, managed by that owner or an admin,
acting only through tokens, paused at once, never approving decisions or owning objectives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.core.errors import PermissionDenied, ServiceError
from accord.decisions import services as decisions
from accord.decisions.models import ActionItem
from accord.org import services
from accord.org.models import Person
from tests.agents.conftest import token_client
from tests.api.conftest import send
from tests.conftest import api_client, login


def test_a_member_adds_an_agent_they_own_and_it_has_no_login(cast):
    agent = services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    assert (agent.kind, agent.owner, agent.user, agent.role) == (
        "agent",
        cast.member,
        None,
        "member",
    )
    event = Event.objects.get(target_type="org.person", target_id=str(agent.pk))
    assert event.after["kind"] == "agent" and event.after["owner"] == cast.member.pk


def test_only_an_admin_makes_someone_else_the_owner(cast):
    with pytest.raises(PermissionDenied):
        services.add_agent(cast.org, cast.member, name="Bot", owner=cast.leader)
    with pytest.raises(PermissionDenied):
        services.add_agent(cast.org, cast.viewer, name="Bot", owner=cast.viewer)
    agent = services.add_agent(cast.org, cast.admin, name="Bot", owner=cast.leader)
    assert agent.owner == cast.leader


def test_the_owner_is_a_person_of_the_same_organization(cast, bot):
    events = Event.objects.count()
    with pytest.raises(ServiceError, match="owner must be a person of this organization"):
        services.add_agent(cast.org, cast.admin, name="Bot", owner=cast.outsider)
    with pytest.raises(ServiceError, match="an agent's owner must be a person"):
        services.add_agent(cast.org, cast.admin, name="Bot", owner=bot)
    with pytest.raises(ServiceError, match="needs an owner"):
        services.add_agent(cast.org, cast.admin, name="Bot", owner=None)
    assert Event.objects.count() == events


def test_an_agent_is_never_an_admin_nor_wider_than_its_owner(cast, bot):
    with pytest.raises(ServiceError, match="cannot be an admin"):
        services.add_agent(cast.org, cast.admin, name="Bot", owner=cast.admin, role="admin")
    with pytest.raises(ServiceError, match="wider than its owner"):
        services.update_person(cast.org, cast.member, bot, role="leader")
    assert Person.objects.get(pk=bot.pk).role == "member"


def test_narrowing_the_owners_role_narrows_their_agents(cast, bot):
    services.update_person(cast.org, cast.admin, cast.member, role="viewer")
    assert Person.objects.get(pk=bot.pk).role == "viewer"
    event = Event.objects.filter(target_type="org.person", target_id=str(bot.pk)).latest("id")
    assert event.verb == "updated" and event.after == {"role": "viewer"}
    # Widening the owner again leaves the agent as it is: that is the owner's choice.
    services.update_person(cast.org, cast.admin, cast.member, role="leader")
    assert Person.objects.get(pk=bot.pk).role == "viewer"


def test_its_owner_or_an_admin_manages_it_nobody_else(cast, bot):
    services.update_person(cast.org, cast.member, bot, title="Posts release notes")
    services.pause_agent(cast.org, cast.admin, bot)
    services.resume_agent(cast.org, cast.member, bot)
    for stranger in (cast.leader, cast.viewer):
        with pytest.raises(PermissionDenied):
            services.pause_agent(cast.org, stranger, bot)
        with pytest.raises(PermissionDenied):
            services.update_person(cast.org, stranger, bot, name="Mine now")
    with pytest.raises(PermissionDenied):
        services.pause_agent(cast.org, bot, bot)


def test_a_paused_agent_is_refused_at_once_and_works_again_when_resumed(cast, bot):
    client = token_client(bot, cast.member)
    assert client.get("/api/v1/me").json()["kind"] == "agent"
    services.pause_agent(cast.org, cast.member, bot)
    response = client.get("/api/v1/teams")
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "agent_paused"
    assert "Release bot is paused" in error["message"]
    before = Event.objects.count()
    assert send(client, "post", "/api/v1/teams", {"name": "X"}).status_code == 403
    assert Event.objects.count() == before
    services.resume_agent(cast.org, cast.member, bot)
    assert client.get("/api/v1/teams").status_code == 200


def test_deactivating_the_owner_pauses_their_agents(cast, bot):
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    assert Person.objects.get(pk=bot.pk).paused_at is not None
    with pytest.raises(ServiceError, match="inactive"):
        services.resume_agent(cast.org, cast.admin, bot)


def test_events_an_agent_causes_name_it_and_its_owner(cast, bot):
    client = token_client(bot, cast.member)
    created = send(
        client,
        "post",
        "/api/v1/action-items",
        {"title": "Tag the release", "owner_id": bot.pk, "team_id": cast.platform.pk},
    )
    assert created.status_code == 201
    event = Event.objects.get(target_type="decisions.actionitem", verb="created")
    assert (event.actor, event.on_behalf_of, event.on_behalf_of_name) == (
        bot,
        cast.member,
        "Mia Member",
    )
    assert event.actor_display == "Release bot (agent, on behalf of Mia Member)"
    shown = api_client(cast.admin).get("/api/v1/events?target_type=decisions.actionitem")
    row = shown.json()["items"][0]
    assert row["actor_is_agent"] is True
    assert row["on_behalf_of_id"] == cast.member.pk
    assert row["actor_display"] == "Release bot (agent, on behalf of Mia Member)"
    # A person's own events name nobody else.
    mine = send(api_client(cast.member), "post", "/api/v1/teams", {"name": "Ops"})
    assert mine.status_code == 403  # members do not change the tree: nothing recorded
    feed = login(cast.admin).get("/o/acme/activity/")
    html = feed.content.decode()
    assert 'Release bot</a></strong> <span class="agent-by">' in html
    assert "on behalf of <a href=" in html and "Mia Member</a>)" in html


def test_an_agent_owns_work_and_reports_on_it_with_a_report_token(cast, bot):
    item = decisions.create_action_item(cast.org, cast.member, "Ship it", bot, team=cast.platform)
    owners = decisions.create_action_item(cast.org, cast.admin, "Hers", cast.member)
    other = decisions.create_action_item(cast.org, cast.admin, "Not its", cast.admin)
    client = token_client(bot, cast.member, scope="report")
    done = client.post(f"/api/v1/action-items/{item.pk}/complete")
    assert done.status_code == 200 and done.json()["status"] == "done"
    # Its owner's item: it reports on her behalf, and may do to it what she may.
    done = client.post(f"/api/v1/action-items/{owners.pk}/complete")
    assert done.status_code == 200 and done.json()["status"] == "done"
    # Someone else's: the token reports only on what it or its owner owns.
    refused = client.post(f"/api/v1/action-items/{other.pk}/complete")
    assert refused.status_code == 403
    assert "only on what its own person owns" in refused.json()["error"]["message"]
    assert ActionItem.objects.get(pk=other.pk).status == "open"


def _period(cast):
    return alignment.create_period(
        cast.org,
        None,
        name="Q1",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 31),
        state="active",
    )


def test_an_agent_never_owns_an_objective(cast, bot):
    period = _period(cast)
    with pytest.raises(ServiceError, match="may not be the accountable owner of an objective"):
        alignment.create_objective(
            cast.org, cast.admin, title="Grow", period=period, team=cast.platform, owner=bot
        )
    objective = alignment.create_objective(
        cast.org, cast.admin, title="Grow", period=period, team=cast.platform, owner=cast.member
    )
    with pytest.raises(ServiceError, match="agent"):
        alignment.update_objective(cast.org, cast.admin, objective, owner=bot)
    response = send(
        api_client(cast.admin),
        "post",
        "/api/v1/objectives",
        {
            "title": "Grow more",
            "period_id": period.pk,
            "team_id": cast.platform.pk,
            "owner_id": bot.pk,
        },
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "agent_not_allowed"
    assert "owner_id" in response.json()["error"]["fields"]
    # The page's owner picker does not offer it, and refuses it when posted anyway.
    page = login(cast.admin).post(
        "/o/acme/alignment/objectives/new/",
        {
            "title": "Grow",
            "period": period.pk,
            "level": "team",
            "team": cast.platform.pk,
            "owner": bot.pk,
            "status": "active",
            "weight": 1,
        },
    )
    assert page.status_code == 422
    assert "Select a valid choice" in page.content.decode()
    assert (
        login(cast.admin).get("/o/acme/pick/human/?q=Release").content.decode().count("Release bot")
        == 0
    )
    assert (
        "Release bot (agent)"
        in login(cast.admin).get("/o/acme/pick/person/?q=Release").content.decode()
    )


def test_an_agent_never_approves_a_decision(cast, bot):
    with pytest.raises(ServiceError, match="may not approve decisions"):
        decisions.create_decision(cast.org, cast.member, question="Ship?", approver=bot)
    d = decisions.create_decision(cast.org, cast.member, question="Ship?", approver=cast.member)
    with pytest.raises(ServiceError, match="may not approve decisions"):
        decisions.update_decision(cast.org, cast.member, d, approver=bot)
    client = token_client(bot, cast.member)
    response = send(client, "post", "/api/v1/decisions", {"question": "Q", "approver_id": bot.pk})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "agent_not_allowed"
    decided = send(client, "post", f"/api/v1/decisions/{d.pk}/decide", {"outcome": "Yes"})
    assert decided.status_code == 403
    page = login(cast.member).post(
        "/o/acme/decisions/new/", {"question": "Ship?", "approver": bot.pk}
    )
    assert page.status_code == 200 and "Select a valid choice" in page.content.decode()


# An hour's window: counts start again in each fixed window, and the four calls must not
# straddle two of them (on a busy machine each call can take a second).
@override_settings(
    ACCORD_API_AGENT_RATE_LIMIT=3, ACCORD_API_PERSON_RATE_LIMIT=0, ACCORD_API_RATE_WINDOW=3600
)
def test_agents_are_rate_limited_per_agent(cast, bot):
    from django.core.cache import cache

    cache.clear()
    client = token_client(bot, cast.member)
    assert [client.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    response = client.get("/api/v1/me")
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "Release bot has made more than 3 API calls" in response.json()["error"]["message"]
    # Per agent: another agent, and people, are not held back by it.
    other = services.add_agent(cast.org, cast.admin, name="Sync bot", owner=cast.admin)
    assert token_client(other, cast.admin).get("/api/v1/me").status_code == 200
    person = api_client(cast.member)
    assert [person.get("/api/v1/me").status_code for _ in range(5)] == [200] * 5


def test_agents_through_the_api_and_tenancy(cast, bot):
    admin = api_client(cast.admin)
    created = send(
        admin,
        "post",
        "/api/v1/people",
        {"name": "Triage bot", "kind": "agent", "owner_id": cast.leader.pk, "role": "member"},
    )
    assert created.status_code == 201
    body = created.json()
    assert (body["kind"], body["owner_id"], body["paused"]) == ("agent", cast.leader.pk, False)
    agent_id = body["id"]
    # An owner of another organization is an unknown reference, not a way in.
    foreign = send(
        admin,
        "post",
        "/api/v1/people",
        {"name": "X", "kind": "agent", "owner_id": cast.outsider.pk},
    )
    assert foreign.status_code == 422 and "owner_id" in foreign.json()["error"]["fields"]
    # Its owner pauses it; its tokens are created on its page (signed in), never with a
    # token; another organization sees nothing of it.
    leader = api_client(cast.leader)
    assert leader.post(f"/api/v1/people/{agent_id}/pause").json()["paused"] is True
    token = send(leader, "post", f"/api/v1/people/{agent_id}/tokens", {"name": "ci"})
    assert token.status_code == 403 and "API tokens" in token.json()["error"]["message"]
    page = login(cast.leader)
    page.post(f"/o/acme/people/{agent_id}/tokens/", {"name": "ci", "scope": "report"})
    listed = leader.get(f"/api/v1/people/{agent_id}/tokens").json()["items"]
    assert [(t["name"], t["scope"]) for t in listed] == [("ci", "report")]
    outsider = api_client(cast.outsider)
    for method, url in (
        ("get", f"/api/v1/people/{agent_id}"),
        ("post", f"/api/v1/people/{agent_id}/pause"),
        ("post", f"/api/v1/people/{agent_id}/resume"),
        ("get", f"/api/v1/people/{agent_id}/tokens"),
        ("post", f"/api/v1/people/{agent_id}/tokens"),
    ):
        response = send(outsider, method, url, {"name": "x"})
        assert response.status_code == 404, (method, url)
    # A member may not create tokens for an agent they do not own.
    refused = send(
        api_client(cast.member), "post", f"/api/v1/people/{agent_id}/tokens", {"name": "x"}
    )
    assert refused.status_code == 403
    listed = admin.get("/api/v1/people?kind=agent").json()
    assert {p["name"] for p in listed["items"]} == {"Release bot", "Triage bot"}


def test_an_agent_cannot_mint_its_own_tokens(cast, bot):
    client = token_client(bot, cast.member)
    response = send(client, "post", f"/api/v1/people/{bot.pk}/tokens", {"name": "more"})
    assert response.status_code == 403
