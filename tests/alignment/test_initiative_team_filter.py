"""The initiatives list, board and timeline name their team as every list does: by its
slug (`?team=platform`, README "Lists cut by team"). An id, as older links have it, still
works and reads as the slug from then on; a value that cannot be a team's address is
refused without being looked up."""

from __future__ import annotations

import re

import pytest

from accord.alignment import services as s
from accord.org import services as org_services
from tests.conftest import asked_of_the_database, login, team_lookups_of

ROW = re.compile(rb'data-initiative="(\d+)"')
VIEWS = ("", "board/", "timeline/")


@pytest.fixture
def work(cast):
    payments = org_services.create_team(
        cast.org, None, name="Payments", slug="payments", parent=cast.platform
    )
    return {
        "checkout": s.create_initiative(
            cast.org, None, team=cast.platform, title="Checkout rewrite", status="active"
        ),
        "wallet": s.create_initiative(cast.org, None, team=payments, title="Wallet"),
        "elsewhere": s.create_initiative(cast.org, None, team=cast.root, title="Brand"),
        "payments": payments,
    }


def _get(client, cast, view: str, query: str):
    return client.get(f"/o/{cast.org.slug}/alignment/initiatives/{view}?{query}")


def _titles(r) -> set[bytes]:
    return set(re.findall(rb"Checkout rewrite|Wallet|Brand", r.content.split(b"<main")[1]))


@pytest.mark.parametrize("view", VIEWS)
def test_a_team_is_named_by_its_slug_like_on_every_other_list(cast, work, view):
    client = login(cast.member)
    r = _get(client, cast, view, "team=platform")
    assert r.status_code == 200, r.content[:300]
    assert _titles(r) == {b"Checkout rewrite", b"Wallet"}
    assert b'name="team" value="platform"' in r.content
    only = _get(client, cast, view, "team=platform&only=on")
    assert _titles(only) == {b"Checkout rewrite"}


@pytest.mark.parametrize("view", VIEWS)
def test_an_id_from_an_older_link_still_works_and_reads_as_the_slug(cast, work, view):
    r = _get(login(cast.member), cast, view, f"team={cast.platform.pk}")
    assert r.status_code == 200
    assert _titles(r) == {b"Checkout rewrite", b"Wallet"}
    # The search box holds the slug: filtering again from the page sends `?team=platform`.
    assert b'name="team" value="platform"' in r.content
    assert f'name="team" value="{cast.platform.pk}"'.encode() not in r.content


def test_a_slug_made_of_digits_is_the_team_with_that_slug_before_an_id(cast, work):
    digits = org_services.create_team(
        cast.org, None, name="Team 2026", slug=str(work["payments"].pk)
    )
    s.create_initiative(cast.org, None, team=digits, title="Brand")
    r = _get(login(cast.member), cast, "", f"team={digits.slug}")
    assert _titles(r) == {b"Brand"}


def test_a_retired_team_can_be_listed_its_pages_link_here(cast, work):
    org_services.retire_team(cast.org, None, work["payments"])
    r = _get(login(cast.member), cast, "", "team=payments")
    assert r.status_code == 200 and _titles(r) == {b"Wallet"}


@pytest.mark.parametrize("view", VIEWS)
def test_a_team_the_organization_does_not_have_is_named_and_lists_nothing(cast, work, view):
    client = login(cast.member)
    r = _get(client, cast, view, "team=nope")
    assert r.status_code == 400 and not ROW.findall(r.content)
    assert "No team “nope” in this organization.".encode() in r.content
    other = _get(client, cast, view, f"team={cast.other_team.slug}")
    assert other.status_code == 400 and not ROW.findall(other.content)


@pytest.mark.parametrize(
    "value",
    ["%00", "plat%00form", "%3Cb%3E", "a b", "x" * 81, "%E2%80%AEplatform"],
)
def test_a_value_that_cannot_be_a_teams_address_is_refused_without_being_looked_up(
    cast, work, value
):
    client = login(cast.member)
    for view in VIEWS:
        with asked_of_the_database() as seen:
            r = _get(client, cast, view, f"team={value}")
        assert r.status_code == 400 and not ROW.findall(r.content)
        assert b"No team in this organization." in r.content
        assert team_lookups_of(seen, value) == []


def test_a_number_no_database_integer_holds_is_no_team_and_no_error(cast, work):
    client = login(cast.member)
    with asked_of_the_database() as seen:
        r = _get(client, cast, "", f"team={'9' * 30}")
    assert r.status_code == 400 and not ROW.findall(r.content)
    assert not [params for _, params in seen if int("9" * 30) in params]


def test_the_team_page_links_to_its_list_by_slug(cast, work):
    page = login(cast.member).get(f"/o/{cast.org.slug}/alignment/teams/payments/").content
    assert f"/o/{cast.org.slug}/alignment/initiatives/?team=payments".encode() in page
