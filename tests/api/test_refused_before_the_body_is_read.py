"""Who may not write learns it first: a viewer's write, or one made with a token whose scope
does not reach it, is a 403 whatever its body (malformed, not JSON at all), in the same
shape as every 403 of the API, not a 422 that would tell them what the body must hold. The
writes a viewer may make (their own settings: profile, notifications, briefing schedule,
inbox, saved views, tokens) still work, and still check their body; a member's malformed
body is still a 422."""

from __future__ import annotations

import pytest
from django.test import Client

from accord.api import services as tokens
from accord.api.models import ApiToken
from tests.api.conftest import send
from tests.conftest import api_client

VIEWER_REFUSED = (
    "Only someone with the Member role or above may make this change (a viewer changes only "
    "their own settings); your role is Viewer."
)

MALFORMED = {"title": 42, "due_on": "someday", "no_such_field": True}


def malformed_writes(cast) -> list[tuple[str, str]]:
    return [
        ("post", "/api/v1/decisions"),
        ("post", "/api/v1/action-items"),
        ("post", "/api/v1/dependencies"),
        ("post", "/api/v1/issues"),
        ("patch", f"/api/v1/teams/{cast.platform.pk}"),
        ("put", f"/api/v1/stacks/{cast.platform.pk}/wip-limit"),
    ]


def forbidden(answer, message: str) -> None:
    assert answer.status_code == 403, answer.content
    assert answer.json() == {"error": {"code": "forbidden", "message": message, "fields": {}}}


def test_a_viewer_is_refused_a_write_whatever_its_body(cast):
    viewer = api_client(cast.viewer)
    for method, url in malformed_writes(cast):
        forbidden(send(viewer, method, url, MALFORMED), VIEWER_REFUSED)
        not_json = getattr(viewer, method)(url, "{not json", content_type="application/json")
        forbidden(not_json, VIEWER_REFUSED)
        forbidden(getattr(viewer, method)(url), VIEWER_REFUSED)  # no body at all
    forbidden(viewer.delete(f"/api/v1/teams/{cast.platform.pk}"), VIEWER_REFUSED)


def test_a_viewers_refusal_has_the_shape_of_every_other_403(cast):
    """The same three keys a service's refusal has (a member changing the team tree)."""
    refused = send(api_client(cast.member), "post", "/api/v1/teams", {"name": "Skunkworks"})
    assert refused.status_code == 403, refused.content
    viewer = send(api_client(cast.viewer), "post", "/api/v1/teams", {"name": "Skunkworks"})
    assert viewer.status_code == 403
    assert viewer.json()["error"].keys() == refused.json()["error"].keys()
    assert viewer["Content-Type"] == refused["Content-Type"]


def test_a_member_with_a_malformed_body_is_still_told_what_is_wrong(cast):
    member = api_client(cast.member)
    for url in ("/api/v1/decisions", "/api/v1/action-items", "/api/v1/dependencies"):
        answer = send(member, "post", url, MALFORMED)
        assert answer.status_code == 422, (url, answer.content)
        assert answer.json()["error"]["code"] == "invalid"
        assert "no_such_field" in answer.json()["error"]["fields"]


@pytest.mark.parametrize("scope", ["read", "report"])
def test_a_token_whose_scope_is_too_narrow_is_refused_whatever_the_body(cast, scope):
    _, raw = tokens.create_token(cast.org, cast.member, "dashboard", scope=scope)
    narrow = Client(headers={"Authorization": f"Bearer {raw}"})
    label = {"read": "read (read only)", "report": "report (report progress)"}[scope]
    message = (
        f"This token's scope is {label}; this needs member. Create a token with a wider scope."
    )
    for method, url in malformed_writes(cast):
        answer = send(narrow, method, url, MALFORMED)
        assert answer.status_code == 403, (url, answer.content)
        assert answer.json()["error"]["code"] == "forbidden"
        assert answer.json()["error"]["fields"] == {}
        if scope == "read":
            assert answer.json()["error"]["message"] == message


def test_a_viewer_still_changes_their_own_settings(cast):
    viewer = api_client(cast.viewer)
    me = cast.viewer.pk
    notifications = send(viewer, "patch", "/api/v1/me/notifications", {"email": False})
    assert notifications.status_code == 200, notifications.content
    assert notifications.json()["email"] is False
    schedule = send(viewer, "patch", "/api/v1/me/briefing-schedule", {"hour": 9})
    assert schedule.status_code == 200, schedule.content
    profile = send(viewer, "patch", f"/api/v1/people/{me}", {"title": "Observer"})
    assert profile.status_code == 200, profile.content
    assert profile.json()["title"] == "Observer"
    inbox = send(viewer, "post", "/api/v1/me/inbox/read")
    assert inbox.status_code == 200, inbox.content
    view = {"name": "Mine", "path": "/o/acme/alignment/initiatives/", "query": "late=on"}
    saved = send(viewer, "post", "/api/v1/saved-views", view)
    assert saved.status_code == 201, saved.content
    renamed = send(viewer, "patch", f"/api/v1/saved-views/{saved.json()['id']}", {"name": "M"})
    assert renamed.status_code == 200, renamed.content
    assert viewer.delete(f"/api/v1/saved-views/{saved.json()['id']}").status_code == 204

    # Tokens: made only by someone signed in (its own 403 says so); revoked with a token.
    made = send(viewer, "post", f"/api/v1/people/{me}/tokens", {"name": "more"})
    assert made.status_code == 403
    assert made.json()["error"]["message"].startswith("Tokens cannot be created with a token")
    other, _ = tokens.create_token(cast.org, cast.viewer, "laptop")
    revoked = viewer.delete(f"/api/v1/people/{me}/tokens/{other.pk}")
    assert revoked.status_code == 204, revoked.content
    assert ApiToken.objects.get(pk=other.pk).revoked_at is not None


def test_a_viewers_own_settings_still_check_the_body_and_whose_they_are(cast):
    viewer = api_client(cast.viewer)
    bad = send(viewer, "patch", "/api/v1/me/notifications", {"email": "sometimes"})
    assert bad.status_code == 422, bad.content
    assert "email" in bad.json()["error"]["fields"]
    someone_else = send(viewer, "patch", f"/api/v1/people/{cast.member.pk}", {"title": "X"})
    assert someone_else.status_code == 403, someone_else.content
    assert someone_else.json()["error"]["code"] == "forbidden"
