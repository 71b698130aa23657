"""A team named in a URL (`?team=<slug>`) is looked up only when it can be an address: a
value no slug can be (a NUL byte, markup, spaces) names no team and is never asked of the
database, where PostgreSQL would answer a NUL with an error."""

from __future__ import annotations

import contextlib

import pytest
from django.db import connection

from tests.conftest import login

NOT_ADDRESSES = ["%00", "ops%00", "%3Cb%3E", "a%20b", "x" * 81]


@contextlib.contextmanager
def asked_of_the_database():
    """Every (sql, params) the database is asked while the block runs."""
    seen: list[tuple[str, tuple]] = []

    def remember(execute, sql, params, many, context):
        seen.append((sql, tuple(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(remember):
        yield seen


def _team_lookups_of(seen, value: str) -> list:
    """The lookups in the teams' table with `value` (as the URL sends it) for a parameter."""
    raw = value.replace("%00", "\x00").replace("%3Cb%3E", "<b>").replace("%20", " ")
    return [
        params
        for sql, params in seen
        if "org_team" in sql and any(isinstance(p, str) and raw in p for p in params)
    ]


@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_the_dependency_list_says_no_such_team_without_looking(cast, world, value):
    client = login(world.asker)
    with asked_of_the_database() as seen:
        r = client.get(f"/o/{world.org.slug}/coordination/list/?team={value}")
    assert r.status_code == 404
    assert _team_lookups_of(seen, value) == []


@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_the_request_form_starts_without_a_team_it_cannot_look_up(cast, world, value):
    client = login(world.asker)
    with asked_of_the_database() as seen:
        r = client.get(f"/o/{world.org.slug}/coordination/new/?team={value}")
    assert r.status_code == 200
    assert _team_lookups_of(seen, value) == []


def test_a_teams_slug_still_starts_the_request_form_and_cuts_the_list(cast, world):
    client = login(world.asker)
    world.request(title="Racks")
    assert b"Racks" in client.get(f"/o/{world.org.slug}/coordination/list/?team=sales").content
    assert client.get(f"/o/{world.org.slug}/coordination/list/?team=nope").status_code == 404
    form = client.get(f"/o/{world.org.slug}/coordination/new/?team=ops").content
    assert b"Operations" in form
