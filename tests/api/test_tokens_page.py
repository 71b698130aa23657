"""Settings → API tokens: a token is shown once, stored hashed, and revocable."""

from __future__ import annotations

import hashlib
import re

from django.test import Client

from accord.api import services as tokens
from accord.api.models import ApiToken
from tests.conftest import login


def created_token(response) -> str:
    match = re.search(r'value="(acc_[^"]+)"', response.content.decode())
    assert match, "the new token is shown"
    return match.group(1)


def test_a_new_token_is_shown_once_and_only_its_hash_is_kept(cast):
    client = login(cast.member)
    response = client.post("/o/acme/settings/tokens/", {"name": "metrics sync"})
    # Answered with a redirect, so a reload of the page showing it posts nothing again.
    assert response.status_code == 302 and response.url == "/o/acme/settings/tokens/"
    raw = created_token(client.get(response.url))
    token = ApiToken.objects.get(person=cast.member)
    assert token.name == "metrics sync" and token.org == cast.org
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.filter(pk=token.pk).values()[0])
    again = client.get("/o/acme/settings/tokens/").content.decode()  # a reload
    assert raw not in again and ApiToken.objects.filter(person=cast.member).count() == 1
    assert "metrics sync" in again and token.prefix in again
    me = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me")
    assert me.json()["person_id"] == cast.member.pk


def test_a_token_revoked_on_the_page_stops_working(cast):
    client = login(cast.member)
    raw = created_token(client.post("/o/acme/settings/tokens/", {"name": "laptop"}, follow=True))
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/teams").status_code == 200
    token = ApiToken.objects.get(person=cast.member)
    response = client.post(f"/o/acme/settings/tokens/{token.pk}/revoke/", follow=True)
    assert "Token “laptop” revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api.get("/api/v1/teams").status_code == 401


def test_nobody_revokes_someone_elses_token(cast):
    token, _raw = tokens.create_token(cast.org, cast.admin, "admin's")
    response = login(cast.member).post(f"/o/acme/settings/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_token_needs_a_name(cast):
    response = login(cast.member).post("/o/acme/settings/tokens/", {"name": "  "}, follow=True)
    assert "Name is required." in response.content.decode()
    assert not ApiToken.objects.filter(person=cast.member).exists()


def test_a_viewers_token_reads_but_cannot_write(cast):
    client = login(cast.viewer)
    raw = created_token(client.post("/o/acme/settings/tokens/", {"name": "dashboard"}, follow=True))
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/v1/teams").status_code == 200
    response = api.post("/api/v1/teams", {"name": "X"}, content_type="application/json")
    assert response.status_code == 403


def test_the_widest_scope_says_what_it_is_for_each_role_and_me_says_the_same(cast):
    """Not "Full member": a viewer's token only reads whatever its scope, and an admin's
    does admin work."""
    viewer = login(cast.viewer).get("/o/acme/settings/tokens/").content.decode()
    assert "Full member" not in viewer and "Report progress" not in viewer
    assert "Everything you may do (as a viewer: read, and your own profile)" in viewer
    admin = login(cast.admin)
    page = admin.get("/o/acme/settings/tokens/").content.decode()
    assert "Everything you may do (as an admin)" in page
    assert "now admin: everything an admin may do, including what only admins may" in page
    raw = created_token(
        admin.post("/o/acme/settings/tokens/", {"name": "ops", "scope": "member"}, follow=True)
    )
    me = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").json()
    assert (me["role"], me["scope"]) == ("admin", "member")  # as before: added, not renamed
    assert me["may"].startswith("everything an admin may do")
    raw = created_token(
        login(cast.viewer).post("/o/acme/settings/tokens/", {"name": "v"}, follow=True)
    )
    me = Client(headers={"Authorization": f"Bearer {raw}"}).get("/api/v1/me").json()
    assert (me["role"], me["scope"], me["may"]) == (
        "viewer",
        "member",
        "read, and change only its person's own profile (name, title, time zone)",
    )


def test_the_revoke_address_opened_by_get_leads_to_the_tokens_page(cast):
    client = login(cast.viewer)  # a viewer's own settings
    token, _ = tokens.create_token(cast.org, cast.viewer, "laptop")
    response = client.get(f"/o/acme/settings/tokens/{token.pk}/revoke/")
    assert (response.status_code, response["Location"]) == (302, "/o/acme/settings/tokens/")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_viewers_narrower_token_is_not_said_to_change_their_profile():
    """Only `member` lets a viewer's token change their own profile (PATCH needs it)."""
    from accord.api.scopes import meaning

    assert "own profile" in meaning("member", "viewer")
    for scope in ("report", "read"):
        assert "profile" not in meaning(scope, "viewer")
