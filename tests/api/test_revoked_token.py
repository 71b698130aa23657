"""A token that was real but is revoked (or whose person was deactivated) answers 401
`token_revoked`, saying when and by whom, over the API and /mcp alike; it is not counted
as a guessed token, so an integration still sending it does not lock out the valid tokens
sent from the same address. And a 429 from /mcp says why and for how long, as the API's."""

from __future__ import annotations

import json
import time

import pytest
from django.core.cache import cache
from django.test import Client

from accord.api import services as tokens
from accord.org import services as org_services
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401 (/mcp is served as by a sync worker)

LIMIT = 3
WINDOW = 3600


@pytest.fixture
def limit(settings):
    settings.ACCORD_API_TOKEN_FAILURE_LIMIT = LIMIT
    settings.ACCORD_API_TOKEN_FAILURE_WINDOW = WINDOW
    left = WINDOW - time.time() % WINDOW  # a test's calls must not straddle two windows
    if left < 30:
        time.sleep(left)
    cache.clear()  # the counts outlive a test's transaction
    return LIMIT


def me(raw: str):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})


def mcp(raw: str):
    return Client().post(
        "/mcp",
        json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "Accept": "application/json, text/event-stream"},
    )


def test_a_revoked_token_sent_again_and_again_says_so_and_locks_nobody_out(cast, limit):
    revoked, old = tokens.create_token(cast.org, cast.admin, "ci-read")
    _, zapier = tokens.create_token(cast.org, cast.admin, "zapier")
    agent = org_services.add_agent(cast.org, cast.admin, name="Sync bot", owner=cast.admin)
    _, agents = tokens.create_token(cast.org, agent, "assistant", actor=cast.admin)
    tokens.revoke_token(cast.org, cast.admin, revoked)
    revoked.refresh_from_db()
    when = revoked.revoked_at.strftime("%Y-%m-%d %H:%M UTC")

    for _ in range(LIMIT * 3):
        response = me(old)
        assert response.status_code == 401, response.content
        error = response.json()["error"]
        assert error["code"] == "token_revoked"
        assert error["message"].startswith(
            f"This API token ({revoked.prefix}…) was revoked on {when}. Use another token"
        )
        # Who revoked it and the token's name are for the token pages, not for its holder.
        assert "Ada" not in error["message"] and "ci-read" not in error["message"]
        over_mcp = mcp(old)
        assert over_mcp.status_code == 401
        assert over_mcp.json()["error"]["message"] == error["message"]
        assert over_mcp.json()["error"]["data"] == {"code": "token_revoked"}
        assert over_mcp["WWW-Authenticate"] == 'Bearer error="invalid_token"'

    assert me(zapier).status_code == 200
    listed = mcp(agents)
    assert listed.status_code == 200, listed.content[:500]
    assert listed.json()["result"]["tools"]


def test_the_token_of_someone_deactivated_says_it_was_revoked_and_nothing_more(cast, limit):
    _, raw = tokens.create_token(cast.org, cast.member, "laptop")
    org_services.update_person(cast.org, cast.admin, cast.member, is_active=False)
    for _ in range(LIMIT + 1):
        error = me(raw).json()["error"]
        assert error["code"] == "token_revoked"
        assert " was revoked on " in error["message"]
        assert "Mia" not in error["message"] and "Ada" not in error["message"]
    assert me(tokens.create_token(cast.org, cast.leader, "cli")[1]).status_code == 200


def test_guessed_tokens_are_still_counted_and_say_nothing_of_revocation(cast, limit):
    token, raw = tokens.create_token(cast.org, cast.member, "laptop")
    tokens.revoke_token(cast.org, cast.member, token)
    guess = raw[:-4] + ("aaaa" if not raw.endswith("aaaa") else "bbbb")
    for _ in range(LIMIT):
        response = me(guess)
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"
    assert me(guess).status_code == 429
    assert me(raw).status_code == 429  # a throttled address is refused whatever it sends


def test_a_throttled_address_is_told_over_mcp_why_and_for_how_long(cast, limit):
    for _ in range(LIMIT):
        assert mcp("acc_guess").status_code == 401
    response = mcp("acc_guess")
    assert response.status_code == 429
    wait = response["Retry-After"]
    error = response.json()["error"]
    assert error["message"] == (
        f"Too many requests with an invalid API token from your address; "
        f"try again in {wait} seconds."
    )
    assert error["data"] == {"code": "throttled"}
    # The same words as the REST API's.
    assert me("acc_guess").json()["error"]["message"] == error["message"]


def test_an_agent_over_its_rate_limit_is_told_over_mcp_which_limit(cast, settings):
    settings.ACCORD_API_AGENT_RATE_LIMIT = 2
    settings.ACCORD_API_RATE_WINDOW = 3600
    cache.clear()
    agent = org_services.add_agent(cast.org, cast.admin, name="Busy bot", owner=cast.admin)
    _, raw = tokens.create_token(cast.org, agent, "assistant", actor=cast.admin)
    for _ in range(2):
        assert mcp(raw).status_code == 200
    response = mcp(raw)
    assert response.status_code == 429
    message = response.json()["error"]["message"]
    assert message.startswith("Busy bot has made more than 2 API calls in 3600 seconds")
    assert message.endswith(f"try again in {response['Retry-After']} seconds.")
