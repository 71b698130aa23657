"""Tokens are created by someone signed in, never with a token: a leaked token cannot make
more that would outlive its revocation."""

from __future__ import annotations

from django.test import Client

from accord.activity.models import Event
from accord.api import services as tokens
from accord.api.models import ApiToken
from accord.org import services
from tests.conftest import login


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client: Client, url: str, body: dict):
    return client.post(url, body, "application/json")


def test_a_member_token_cannot_mint_tokens_for_its_person(cast):
    _, raw = tokens.create_token(cast.org, cast.member, "leaked", scope="member")
    before = (ApiToken.objects.count(), Event.objects.count())
    url = f"/api/v1/people/{cast.member.pk}/tokens"
    for body in ({"name": "minted-by-token", "scope": "member"}, {}, {"nme": "x"}):
        response = post(bearer(raw), url, body)
        assert response.status_code == 403, body
        error = response.json()["error"]
        assert error["code"] == "forbidden"
        assert "API tokens" in error["message"] and "sign in" in error["message"]
        assert "token" not in response.json()
    assert (ApiToken.objects.count(), Event.objects.count()) == before
    # Revoked, the leaked token leaves nothing behind that still works.
    token = ApiToken.objects.get(name="leaked")
    tokens.revoke_token(cast.org, cast.member, token)
    assert not ApiToken.objects.filter(person=cast.member, revoked_at__isnull=True).exists()


def test_an_owners_token_cannot_mint_tokens_for_its_agent_but_the_agents_page_can(cast):
    bot = services.add_agent(cast.org, cast.member, name="Release bot", owner=cast.member)
    _, raw = tokens.create_token(cast.org, cast.member, "laptop")
    response = post(bearer(raw), f"/api/v1/people/{bot.pk}/tokens", {"name": "ci"})
    assert response.status_code == 403 and "API tokens" in response.json()["error"]["message"]
    assert not ApiToken.objects.filter(person=bot).exists()
    # Signed in, its owner creates it on the agent's page.
    page = login(cast.member)
    done = page.post(f"/o/acme/people/{bot.pk}/tokens/", {"name": "ci", "scope": "report"})
    assert done.status_code == 302
    made = ApiToken.objects.get(person=bot)
    assert (made.name, made.scope) == ("ci", "report")
    assert Event.objects.filter(target_type="api.apitoken", target_id=str(made.pk)).count() == 1


def test_signed_in_the_tokens_page_still_creates_them_and_a_token_lists_and_revokes(cast):
    page = login(cast.member)
    assert page.post("/o/acme/settings/tokens/", {"name": "metrics sync"}).status_code == 302
    made = ApiToken.objects.get(person=cast.member, name="metrics sync")
    _, raw = tokens.create_token(cast.org, cast.member, "cli")
    api = bearer(raw)
    listed = api.get(f"/api/v1/people/{cast.member.pk}/tokens").json()["items"]
    assert {t["name"] for t in listed} == {"metrics sync", "cli"}
    assert api.delete(f"/api/v1/people/{cast.member.pk}/tokens/{made.pk}").status_code == 204
    made.refresh_from_db()
    assert made.revoked_at is not None


def test_the_description_offers_no_way_to_create_a_token(cast):
    schema = Client().get("/api/v1/openapi.json").json()
    operations = schema["paths"]["/api/v1/people/{person_id}/tokens"]
    assert "post" not in operations and "get" in operations
