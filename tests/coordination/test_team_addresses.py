"""A team named in a URL (`?team=<slug>`) is looked up only when it can be an address: a
value no slug can be (a NUL byte, markup, spaces) names no team and is never asked of the
database, where PostgreSQL would answer a NUL with an error."""

from __future__ import annotations

import pytest

from tests.conftest import asked_of_the_database, login, team_lookups_of

NOT_ADDRESSES = ["%00", "ops%00", "%3Cb%3E", "a%20b", "x" * 81]


@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_the_dependency_list_says_no_such_team_without_looking(cast, world, value):
    client = login(world.asker)
    with asked_of_the_database() as seen:
        r = client.get(f"/o/{world.org.slug}/coordination/list/?team={value}")
    assert r.status_code == 404
    assert team_lookups_of(seen, value) == []


@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_the_request_form_starts_without_a_team_it_cannot_look_up(cast, world, value):
    client = login(world.asker)
    with asked_of_the_database() as seen:
        r = client.get(f"/o/{world.org.slug}/coordination/new/?team={value}")
    assert r.status_code == 200
    assert team_lookups_of(seen, value) == []


def test_a_teams_slug_still_starts_the_request_form_and_cuts_the_list(cast, world):
    client = login(world.asker)
    world.request(title="Racks")
    assert b"Racks" in client.get(f"/o/{world.org.slug}/coordination/list/?team=sales").content
    assert client.get(f"/o/{world.org.slug}/coordination/list/?team=nope").status_code == 404
    form = client.get(f"/o/{world.org.slug}/coordination/new/?team=ops").content
    assert b"Operations" in form
