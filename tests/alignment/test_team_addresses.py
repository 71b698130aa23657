"""The alignment pages that take a team from the URL (the tree's `?team=`, the new
objective and initiative forms' starting team) look it up only when it can be an address:
a value no slug can be is never asked of the database (PostgreSQL answers a NUL byte with
an error)."""

from __future__ import annotations

import pytest

from tests.conftest import asked_of_the_database, login, team_lookups_of

NOT_ADDRESSES = ["%00", "platform%00", "%3Cb%3E", "a%20b", "x" * 81]


@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_the_tree_of_a_team_it_cannot_look_up_is_not_found(cast, value):
    client = login(cast.member)
    with asked_of_the_database() as seen:
        r = client.get(f"/o/{cast.org.slug}/alignment/?team={value}")
    assert r.status_code == 404
    assert team_lookups_of(seen, value) == []


@pytest.mark.parametrize("form", ["objectives/new/", "initiatives/new/"])
@pytest.mark.parametrize("value", NOT_ADDRESSES)
def test_a_new_form_starts_without_a_team_it_cannot_look_up(cast, form, value):
    client = login(cast.admin)
    with asked_of_the_database() as seen:
        r = client.get(f"/o/{cast.org.slug}/alignment/{form}?team={value}")
    assert r.status_code == 200
    assert team_lookups_of(seen, value) == []


@pytest.mark.parametrize("form", ["objectives/new/", "initiatives/new/"])
def test_a_teams_slug_still_starts_the_new_forms_and_the_tree(cast, form):
    client = login(cast.admin)
    page = client.get(f"/o/{cast.org.slug}/alignment/{form}?team=platform").content
    assert b'value="Platform"' in page
    assert client.get(f"/o/{cast.org.slug}/alignment/?team=platform").status_code == 200
    assert client.get(f"/o/{cast.org.slug}/alignment/?team=nope").status_code == 404
