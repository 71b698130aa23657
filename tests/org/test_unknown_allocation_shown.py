"""An unknown share never reads as 0% or as time free: the people list says "unknown", a
person's page does not claim their time is free."""

from __future__ import annotations

import re

import pytest

from accord.org import services
from tests.conftest import login


@pytest.fixture
def grace(cast):
    """Grace Hopper, a volunteer in one team whose share is unknown."""
    person = services.add_person(cast.org, cast.admin, name="Grace Hopper", email="g@acme.example")
    services.add_membership(cast.org, cast.admin, person=person, team=cast.root, allocation=None)
    return person


def _row(html: str, name: str) -> str:
    row = next(r for r in html.split("<tr>") if name in r)
    return re.sub(r"\s+", " ", row)


def test_the_people_list_says_unknown_not_zero(cast, grace):
    html = login(cast.viewer).get("/o/acme/people/").content.decode()
    row = _row(html, "Grace Hopper")
    assert "0%" not in row
    assert "unknown in 1 team" in row
    # A known share still reads as a number.
    assert "50%" in _row(html, "Mia Member")


def test_the_people_list_adds_unknown_to_a_known_share(cast):
    services.add_membership(
        cast.org, cast.admin, person=cast.member, team=cast.root, allocation=None
    )
    html = login(cast.viewer).get("/o/acme/people/").content.decode()
    assert '50% <span class="muted">+ unknown in 1 team</span>' in _row(html, "Mia Member")


def test_a_person_page_does_not_claim_free_time_while_a_share_is_unknown(cast, grace):
    html = login(cast.viewer).get(f"/o/acme/people/{grace.pk}/").content.decode()
    assert "100% free" not in html
    assert "0% allocated · unknown in 1 team, so how much is free is not known" in html
    mia = login(cast.viewer).get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    assert "50% allocated · 50% free" in mia
