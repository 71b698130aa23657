"""A write that meets a busy database answers 503 with Retry-After, never a 500.

A real second SQLite connection holds the write lock (BEGIN IMMEDIATE) while the request
tries to write; the request waits the busy timeout, then answers 503 and writes nothing.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
from django.db import connection

from accord.org.models import Team
from tests.conftest import api_client, login

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="the write lock is SQLite's")


@contextmanager
def write_lock_held_elsewhere():
    """Another process's transaction holding SQLite's write lock; requests wait 0.2 s."""
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("timeout")
    connection.close()
    options["timeout"] = 0.2
    other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.execute("ROLLBACK")
        other.close()
        connection.close()
        options["timeout"] = saved


def test_an_api_write_on_a_locked_database_is_a_503_in_the_error_format(transactional_db, cast):
    client = api_client(cast.admin)
    with write_lock_held_elsewhere():
        response = client.post(
            "/api/v1/teams", {"name": "Sales", "slug": "sales"}, content_type="application/json"
        )
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == "2"
    assert response.json()["error"]["code"] == "busy"
    assert not Team.objects.filter(slug="sales").exists()
    # once the lock is gone the same request succeeds
    again = client.post(
        "/api/v1/teams", {"name": "Sales", "slug": "sales"}, content_type="application/json"
    )
    assert again.status_code == 201


def test_a_page_write_on_a_locked_database_is_a_short_503_page(transactional_db, cast):
    client = login(cast.admin)
    with write_lock_held_elsewhere():
        response = client.post("/o/acme/teams/new/", {"name": "Sales", "slug": "sales"})
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert "busy" in response.content.decode().lower()
    assert not Team.objects.filter(slug="sales").exists()


def test_a_lock_met_outside_the_view_is_a_503_too(transactional_db, cast):
    # Signing in writes the session after the view ran (in the session middleware).
    from django.test import Client

    from tests.conftest import PASSWORD

    client = Client()
    with write_lock_held_elsewhere():
        response = client.post(
            "/accounts/login/", {"username": cast.admin.email, "password": PASSWORD}
        )
    assert response.status_code == 503, response.status_code


def test_an_in_place_write_on_a_locked_database_is_one_plain_sentence(transactional_db, cast):
    """htmx puts no error answer in the page: shell.js says it beside the form, so the
    answer is a sentence to say, not a page of HTML."""
    import datetime as dt

    from accord.alignment import services

    period = services.create_period(
        cast.org, None, name="Q1", start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31)
    )
    objective = services.create_objective(cast.org, None, title="Grow", period=period, level="org")
    kr = services.create_key_result(cast.org, None, objective, name="Deals", start=0, target=10)
    client = login(cast.admin)
    with write_lock_held_elsewhere():
        response = client.post(
            f"/o/acme/alignment/key-results/{kr.pk}/value/",
            {"value": "7", "row": "kr_row"},
            headers={"HX-Request": "true"},
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "<" not in body and "nothing was saved" in body
