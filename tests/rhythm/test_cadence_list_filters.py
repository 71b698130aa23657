"""The cadence list finds a cadence by name (`q`, any case), by kind and by scope, lists the
organization-wide ones first, and says which filter value it did not understand."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.rhythm import services
from tests.conftest import login

URL = "/o/acme/rhythm/cadences/"


@pytest.fixture
def cadences(cast):
    def make(name, **extra):
        extra.setdefault("team", cast.platform)
        return services.create_cadence(
            cast.org,
            None,
            name=name,
            rrule="FREQ=WEEKLY;BYDAY=MO",
            time=dt.time(10),
            timezone_name="UTC",
            start_date=dt.date(2026, 10, 1),
            **extra,
        )

    made = {
        "review": make("Monthly operating review", kind="review", scope="org", team=None),
        "pulse": make("Platform pulse", kind="checkin"),
        "sync": make("Platform sync", kind="sync"),
    }
    # Enough team cadences before it by name that the organization's falls off page one.
    for n in range(55):
        make(f"Alpha sync {n:02d}", kind="sync")
    return made


def _names(html: str, cadences: dict) -> set[str]:
    return {c.name for c in cadences.values() if f"/rhythm/cadences/{c.pk}/" in html}


def test_a_name_search_keeps_the_cadences_named_so_in_any_case(cast, cadences):
    html = login(cast.admin).get(URL + "?q=MONTHLY").content.decode()
    assert _names(html, cadences) == {"Monthly operating review"}
    assert "Alpha sync 00" not in html
    assert 'value="MONTHLY"' in html and "named with “MONTHLY”" in html


def test_a_kind_filter_keeps_that_kind(cast, cadences):
    html = login(cast.admin).get(URL + "?kind=checkin").content.decode()
    assert _names(html, cadences) == {"Platform pulse"}
    assert '<option value="checkin" selected>' in html
    html = login(cast.admin).get(URL + "?kind=sync&q=platform").content.decode()
    assert _names(html, cadences) == {"Platform sync"}


def test_a_scope_filter_keeps_the_organization_wide(cast, cadences):
    html = login(cast.admin).get(URL + "?scope=org").content.decode()
    assert _names(html, cadences) == {"Monthly operating review"}


def test_a_filter_value_not_understood_is_said_and_left_out(cast, cadences):
    response = login(cast.admin).get(URL + "?kind=weekly&scope=planet")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Left out of the filter, not understood: kind=“weekly”, scope=“planet”." in html
    assert "Alpha sync 00" in html  # the list as if unfiltered


def test_the_organization_wide_cadences_come_first(cast, cadences):
    html = login(cast.member).get(URL).content.decode()
    first, _, rest = html.partition('id="all-h"')
    assert 'id="org-wide-h"' in first
    assert f"/rhythm/cadences/{cadences['review'].pk}/" in first.split('id="org-wide-h"')[1]
    # Page one of every cadence, by name, has not reached it.
    assert f"/rhythm/cadences/{cadences['review'].pk}/" not in rest
