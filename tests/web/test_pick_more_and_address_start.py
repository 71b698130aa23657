"""The person picker says when more match than it shows, and finds people by the start of
their address as well as by their name."""

from __future__ import annotations

import pytest

from accord.org import services
from accord.web import pickers
from tests.conftest import login


def options(page: str) -> int:
    return page.count('role="option"')


def pick(cast, q: str, kind: str = "person") -> str:
    return login(cast.member).get(f"/o/acme/pick/{kind}/", {"q": q}).content.decode()


@pytest.fixture
def namesakes(cast):
    """25 Amara Beckers, amara.becker.100@… to amara.becker.124@…."""
    for i in range(100, 125):
        services.add_person(cast.org, None, name="Amara Becker", email=f"amara.becker.{i}@x.test")


def test_it_says_how_many_more_match_than_it_shows(cast, namesakes):
    page = pick(cast, "Amara Becker")
    assert options(page) == pickers.SEARCH_LIMIT
    assert "5 more match — type more of the name or address." in page
    assert 'class="picker__none picker__more" aria-disabled="true"' in page  # not a choice


def test_beyond_what_it_reads_it_says_more_than(cast, namesakes, monkeypatch):
    monkeypatch.setattr(pickers, "MORE_COUNTED", 22)
    page = pick(cast, "amara")
    assert options(page) == pickers.SEARCH_LIMIT
    assert "More than 22 match — type more of the name or address." in page


def test_nothing_more_is_said_when_all_are_shown(cast):
    for i in range(pickers.SEARCH_LIMIT):
        services.add_person(cast.org, None, name=f"Zed Zuri {i}")
    page = pick(cast, "zed zuri")
    assert options(page) == pickers.SEARCH_LIMIT and "more match" not in page
    services.add_person(cast.org, None, name="Zed Zuri Last")
    assert "1 more matches — type more" in pick(cast, "zed zuri")


def test_other_kinds_say_it_too(cast):
    for i in range(pickers.SEARCH_LIMIT + 2):
        services.create_team(cast.org, None, name=f"Squad {i:02d}", parent=cast.root)
    page = pick(cast, "squad", kind="team")
    assert options(page) == pickers.SEARCH_LIMIT
    assert "2 more match — type more of the name." in page


def test_the_start_of_an_address_finds_its_person(cast, namesakes):
    page = pick(cast, "amara.becker.11")  # 110…119
    assert options(page) == 10 and "amara.becker.110@x.test" in page
    assert "amara.becker.120" not in page and "more match" not in page
    assert options(pick(cast, "AMARA.BECKER.123")) == 1  # any case
    assert options(pick(cast, "becker.123")) == 0  # the start of the address, not any part
    assert options(pick(cast, "amara.becker.123@x.test")) == 1  # the whole address too


def test_addresses_of_another_organization_are_not_found(cast):
    services.add_person(cast.other_org, None, name="Far Away", email="faraway@globex.test")
    assert options(pick(cast, "faraway")) == 0
