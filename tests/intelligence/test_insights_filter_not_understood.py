"""A filter value Insights does not understand is left out and named, as the decision
log and the other lists say it, not dropped without a word (the whole list looked like
the filtered one)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import login
from tests.intelligence import fixtures_pages as fx

pytestmark = pytest.mark.django_db

URL = "/o/acme/insights/"


def note(html: str) -> str:
    found = re.search(r"<p [^>]*data-ignored>(Left out of the filter[^<]*)</p>", html)
    return found.group(1) if found else ""


@pytest.mark.parametrize(
    "name, value",
    [
        ("severity", "critcal"),
        ("kind", "dependencies.blockd"),
        ("dimension", "rythm"),
        ("state", "opn"),
        ("team", "99999"),
        ("team", "no-such-team"),
    ],
)
def test_a_value_not_understood_is_named_and_the_list_is_not_filtered_by_it(cast, name, value):
    fx.signal(cast.org, [cast.platform], title="Holds")
    html = login(cast.admin).get(URL, {"scope": "all", name: value}).content.decode()
    assert note(html) == f"Left out of the filter, not understood: {name}=“{value}”."
    assert "Holds" in html


def test_every_value_not_understood_is_named_and_understood_ones_are_not(cast):
    client = login(cast.admin)
    html = client.get(URL, {"scope": "all", "severity": "critcal", "kind": "x.y"}).content.decode()
    assert note(html) == "Left out of the filter, not understood: kind=“x.y”, severity=“critcal”."
    understood = {
        "severity": "warning",
        "kind": "dependencies.blocked",
        "dimension": "rhythm",
        "state": "",
        "team": str(cast.platform.pk),
    }
    assert note(client.get(URL, {"scope": "all", **understood}).content.decode()) == ""
    # Another organization's team is not one of this one: left out like any unknown team.
    other = client.get(URL, {"scope": "all", "team": cast.other_team.pk}).content.decode()
    assert f"team=“{cast.other_team.pk}”" in note(other)
    # What is shown is escaped.
    html = client.get(URL, {"scope": "all", "kind": "<b>x</b>"}).content.decode()
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in note(html)


def test_a_team_is_taken_by_its_short_name_as_by_its_number(cast):
    """`?team=platform`, as the other lists take a team, filters as `?team=<its id>`."""
    fx.signal(cast.org, [cast.platform], title="Platform holds")
    client = login(cast.admin)
    by_slug = client.get(URL, {"scope": "all", "team": "platform"}).content.decode()
    by_id = client.get(URL, {"scope": "all", "team": cast.platform.pk}).content.decode()
    assert note(by_slug) == "" and "Platform holds" in by_slug
    count = re.compile(r'<h2 id="signals-h">.*?<span class="tag">([\d,]+)</span>', re.S)
    assert count.search(by_slug).group(1) == count.search(by_id).group(1)


def test_a_short_name_of_digits_is_a_name_before_it_is_a_number(cast):
    """A team called "2027" is found by its short name, not read as the team numbered 2027
    (or as no team at all); the page's own links give the short name."""
    from accord.org import services as org_services

    year = org_services.create_team(cast.org, None, name="2027", slug="2027", parent=cast.root)
    fx.signal(cast.org, [year], title="The 2027 team holds")
    fx.signal(cast.org, [cast.platform], title="Platform holds")
    client = login(cast.admin)
    page = client.get(URL, {"scope": "all", "team": "2027"}).content.decode()
    listed = page[page.index('id="signals-h"') :]
    assert note(page) == "" and "The 2027 team holds" in listed
    assert "Platform holds" not in listed
    assert 'value="2027"' in listed  # the picker keeps the short name
    # An id still works, as older links gave it.
    by_id = client.get(URL, {"scope": "all", "team": cast.platform.pk}).content.decode()
    listed = by_id[by_id.index('id="signals-h"') :]
    assert "Platform holds" in listed and "The 2027 team holds" not in listed
