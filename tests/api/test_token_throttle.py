"""Guessing API tokens: after too many bad tokens from one address, 429 with Retry-After,
in the API's JSON error format, counted in the shared cache every app process sees."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from django.core.cache import cache
from django.test import Client

from accord.api import services as tokens
from tests.test_worker import database_url

LIMIT = 3
WINDOW = 3600  # seconds


@pytest.fixture
def limit(settings):
    settings.ACCORD_API_TOKEN_FAILURE_LIMIT = LIMIT
    settings.ACCORD_API_TOKEN_FAILURE_WINDOW = WINDOW
    # Counts start again in each fixed window: a test's calls must not straddle two (on a
    # busy machine a few calls take seconds), so a window about to end is waited out.
    left = WINDOW - time.time() % WINDOW
    if left < 30:
        time.sleep(left)
    # Counts are kept in the shared cache, which outlives a test's transaction: start from
    # none (an earlier test of this process may have sent bad tokens from 127.0.0.1).
    cache.clear()
    return LIMIT


def call(raw: str, address: str = "127.0.0.1"):
    return Client().get(
        "/api/v1/teams", headers={"Authorization": f"Bearer {raw}"}, REMOTE_ADDR=address
    )


def test_bad_tokens_answer_401_until_the_limit_then_429_with_retry_after(cast, limit):
    for _ in range(LIMIT):
        assert call("acc_guess").status_code == 401
    response = call("acc_guess")
    assert response.status_code == 429
    wait = int(response["Retry-After"])
    assert 1 <= wait <= WINDOW
    body = response.json()
    assert body["error"]["code"] == "throttled"
    assert body["error"]["fields"] == {}
    assert f"try again in {wait} seconds" in body["error"]["message"]


def test_a_throttled_address_is_refused_even_with_a_valid_token(cast, limit):
    _, raw = tokens.create_token(cast.org, cast.member, "cli")
    for _ in range(LIMIT):
        call("acc_guess", "10.0.0.7")
    assert call(raw, "10.0.0.7").status_code == 429
    # Another address is not affected.
    assert call(raw, "10.0.0.8").status_code == 200


def test_valid_tokens_and_missing_tokens_are_not_counted(cast, limit):
    _, raw = tokens.create_token(cast.org, cast.member, "cli")
    for _ in range(LIMIT + 2):
        assert call(raw).status_code == 200
        assert Client().get("/api/v1/teams").status_code == 401
    assert call("acc_guess").status_code == 401


def test_the_count_ends_with_its_window(cast, limit):
    for _ in range(LIMIT):
        call("acc_guess")
    assert call("acc_guess").status_code == 429
    cache.clear()  # what the window's end does to its counter
    assert call("acc_guess").status_code == 401


def test_behind_a_proxy_the_forwarded_address_is_counted(cast, limit, settings):
    settings.ACCORD_PROXY_COUNT = 1
    for i in range(LIMIT):
        # A client cannot pick its own address by sending the header itself.
        Client().get(
            "/api/v1/teams",
            headers={"Authorization": "Bearer acc_guess", "X-Forwarded-For": f"1.1.1.{i}, 9.9.9.9"},
        )
    blocked = Client().get(
        "/api/v1/teams",
        headers={"Authorization": "Bearer acc_guess", "X-Forwarded-For": "9.9.9.9"},
    )
    assert blocked.status_code == 429
    other = Client().get(
        "/api/v1/teams",
        headers={"Authorization": "Bearer acc_guess", "X-Forwarded-For": "9.9.9.10"},
    )
    assert other.status_code == 401
    # A forwarded value that is no address counts as the connection's address.
    odd = Client().get(
        "/api/v1/teams",
        headers={"Authorization": "Bearer acc_guess", "X-Forwarded-For": "not-an-address"},
    )
    assert odd.status_code == 401


SECOND_PROCESS = """
import django
django.setup()
from django.test import Client
for _ in range({n}):
    r = Client().get("/api/v1/teams", headers={{"Authorization": "Bearer acc_guess"}},
                     REMOTE_ADDR="10.0.0.9", HTTP_HOST="localhost")
    assert r.status_code == 401, r.status_code
print("ok")
"""


@pytest.mark.django_db(transaction=True)
def test_failures_counted_by_another_app_process_count_here(settings):
    # The default cache is a database table: another process sharing the database
    # (another app server) counts into the same counters. One long window for both
    # processes, so that the count cannot be split by a window ending in between.
    settings.ACCORD_API_TOKEN_FAILURE_WINDOW = long_window = 10**9
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DJANGO_SETTINGS_MODULE": "accord.settings",
        "ACCORD_API_TOKEN_FAILURE_LIMIT": "20",
        "ACCORD_API_TOKEN_FAILURE_WINDOW": str(long_window),
    }
    env.pop("CACHE_BACKEND", None)
    result = subprocess.run(
        [sys.executable, "-c", SECOND_PROCESS.format(n=20)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    try:
        response = call("acc_guess", "10.0.0.9")
        assert response.status_code == 429
        assert int(response["Retry-After"]) >= 1
    finally:
        cache.clear()
