"""Every API call needs a valid, unrevoked token; otherwise 401 with the JSON error."""

from __future__ import annotations

from django.test import Client

from accord.api import services as tokens
from accord.api.models import ApiToken
from accord.org import services
from tests.conftest import login

UNAUTHENTICATED = {
    "error": {
        "code": "unauthenticated",
        "message": "A valid API token is required: Authorization: Bearer acc_…",
        "fields": {},
    }
}


def bearer(raw: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_a_valid_token_answers_as_its_person(cast):
    _, raw = tokens.create_token(cast.org, cast.member, "cli")
    response = bearer(raw).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "person_id": cast.member.pk,
        "name": "Mia Member",
        "role": "member",
        "organization": "Acme",
        "organization_slug": "acme",
        "kind": "person",
        "owner_id": None,
        "scope": "member",
        "may": "everything a member may do",
    }


def test_no_token_is_401(cast):
    response = Client().get("/api/v1/teams")
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_a_wrong_token_is_401(cast):
    _, raw = tokens.create_token(cast.org, cast.member, "cli")
    for bad in (raw[:-1] + ("x" if raw[-1] != "x" else "y"), "acc_nope", "nope", ""):
        response = bearer(bad).get("/api/v1/teams")
        assert response.status_code == 401, bad
        assert response.json() == UNAUTHENTICATED
    response = Client(headers={"Authorization": f"Token {raw}"}).get("/api/v1/teams")
    assert response.status_code == 401


def test_a_revoked_token_is_401(cast):
    token, raw = tokens.create_token(cast.org, cast.member, "cli")
    assert bearer(raw).get("/api/v1/teams").status_code == 200
    tokens.revoke_token(cast.org, cast.member, token)
    response = bearer(raw).get("/api/v1/teams")
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "token_revoked"
    assert error["message"].startswith(f"This API token ({token.prefix}…) was revoked on ")
    assert "Mia" not in error["message"]


def test_the_token_of_a_deactivated_person_is_401(cast):
    _, raw = tokens.create_token(cast.org, cast.member, "cli")
    services.update_person(cast.org, None, cast.member, is_active=False)
    response = bearer(raw).get("/api/v1/teams")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"
    message = response.json()["error"]["message"]
    assert " was revoked on " in message and "Mia" not in message


def test_a_signed_in_browser_session_is_not_an_api_credential(cast):
    response = login(cast.admin).get("/api/v1/teams")
    assert response.status_code == 401


def test_tokens_are_stored_only_as_a_hash(cast):
    token, raw = tokens.create_token(cast.org, cast.member, "cli")
    stored = ApiToken.objects.filter(pk=token.pk).values()[0]
    assert raw not in str(stored)
    assert stored["prefix"] == raw[:10] and len(stored["digest"]) == 64


def test_deactivation_revokes_tokens_and_calendar_so_reactivating_does_not_revive_them(
    cast,
):
    from accord.rhythm import services as rhythm
    from accord.rhythm.ical import active_feed

    token, raw = tokens.create_token(cast.org, cast.member, "cli")
    _feed, secret = rhythm.create_feed(cast.org, cast.member, person=cast.member)
    team_feed, team_secret = rhythm.create_feed(cast.org, cast.member, team=cast.platform)
    services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    services.update_person(cast.org, cast.admin, cast.member, is_active=True)
    assert bearer(raw).get("/api/v1/teams").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert active_feed(secret) is None
    # the team's address is its members', not the leaver's: it stays
    assert active_feed(team_secret) == team_feed


def test_an_admin_lists_and_revokes_anyones_tokens_but_creates_none_for_them(cast):
    from tests.conftest import api_client

    token, raw = tokens.create_token(cast.org, cast.member, "laptop")
    admin = api_client(cast.admin)
    listed = admin.get(f"/api/v1/people/{cast.member.pk}/tokens").json()["items"]
    assert [t["name"] for t in listed] == ["laptop"]
    made = admin.post(
        f"/api/v1/people/{cast.member.pk}/tokens", {"name": "mine now"}, "application/json"
    )
    assert made.status_code == 403 and "API tokens" in made.json()["error"]["message"]
    assert ApiToken.objects.filter(person=cast.member).count() == 1
    assert admin.delete(f"/api/v1/people/{cast.member.pk}/tokens/{token.pk}").status_code == 204
    assert bearer(raw).get("/api/v1/teams").status_code == 401
    leader = api_client(cast.leader).get(f"/api/v1/people/{cast.member.pk}/tokens")
    assert leader.status_code == 403
