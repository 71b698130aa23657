"""Two quarters (halves, years) never share a day: a "Winter quarter" over Q4 and Q1 would
be in every quarter's list at once. Refused wherever periods are made or changed (the
form, the API, an organization file), naming the other; release cycles and custom periods
may overlap."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from accord.alignment import services as s
from accord.alignment.models import Period
from accord.core.errors import ServiceError
from accord.interchange import services as interchange
from tests.conftest import api_client, login

Q4 = {"start": dt.date(2026, 10, 1), "end": dt.date(2026, 12, 31)}
Q1 = {"start": dt.date(2027, 1, 1), "end": dt.date(2027, 3, 31)}
WINTER = {"start": dt.date(2026, 12, 15), "end": dt.date(2027, 3, 14)}
SAYS = (
    "Q4 2026 is a quarter too, from 1 Oct 2026 to 31 Dec 2026, and 15 Dec 2026 to "
    "14 Mar 2027 overlaps it: two quarters cannot share days."
)


@pytest.fixture
def quarters(cast):
    return (
        s.create_period(cast.org, cast.leader, name="Q4 2026", **Q4),
        s.create_period(cast.org, cast.leader, name="Q1 2027", **Q1),
    )


def test_a_quarter_over_two_quarters_is_refused_naming_one(cast, quarters):
    with pytest.raises(ServiceError) as exc:
        s.create_period(cast.org, cast.leader, name="Winter quarter", **WINTER)
    assert exc.value.code == "period_overlap" and str(exc.value).startswith(SAYS)
    assert exc.value.fields["start"] == ["Overlaps Q4 2026."]
    with pytest.raises(ServiceError):  # nor from a file (no actor)
        s.create_period(cast.org, None, name="Winter quarter", **WINTER)
    # Other kinds may overlap a quarter, and release cycles or custom periods each other.
    s.create_period(cast.org, cast.leader, name="Winter", kind="custom", **WINTER)
    s.create_period(cast.org, cast.leader, name="Winter 2", kind="custom", **WINTER)
    s.create_period(
        cast.org, cast.leader, name="2027", kind="year", start="2027-01-01", end="2027-12-31"
    )
    assert not Period.objects.filter(name="Winter quarter").exists()


def test_moving_a_quarter_onto_another_is_refused(cast, quarters):
    _q4, q1 = quarters
    with pytest.raises(ServiceError) as exc:
        s.update_period(cast.org, cast.leader, q1, start=dt.date(2026, 12, 20))
    assert exc.value.code == "period_overlap" and "Q4 2026 is a quarter too" in str(exc.value)
    with pytest.raises(ServiceError):  # nor by becoming one
        s.update_period(
            cast.org,
            cast.leader,
            s.create_period(cast.org, cast.leader, name="Winter", kind="custom", **WINTER),
            kind="quarter",
        )
    s.update_period(cast.org, cast.leader, q1, name="Q1 FY27")  # its own days are its own


def test_the_form_and_the_api_say_which_period_it_overlaps(cast, quarters):
    r = login(cast.leader).post(
        "/o/acme/alignment/periods/",
        {
            "name": "Winter quarter",
            "kind": "quarter",
            "start": "2026-12-15",
            "end": "2027-03-14",
            "state": "planning",
        },
    )
    page = html.unescape(r.content.decode())
    assert "Overlaps Q4 2026." in page
    r = api_client(cast.leader).post(
        "/api/v1/periods",
        {"name": "Winter quarter", "kind": "quarter", "start": "2026-12-15", "end": "2027-03-14"},
        content_type="application/json",
    )
    assert r.status_code in (400, 409, 422), r.content
    assert SAYS in r.content.decode()
    assert not Period.objects.filter(name="Winter quarter").exists()


def test_an_organization_file_with_an_overlapping_quarter_skips_it(cast, quarters):
    data = {
        "periods": [
            {
                "name": "Winter quarter",
                "kind": "quarter",
                "start": "2026-12-15",
                "end": "2027-03-14",
            },
            {"name": "Q2 2027", "kind": "quarter", "start": "2027-04-01", "end": "2027-06-30"},
        ]
    }
    outcome = interchange.apply_data(data, org_slug="acme")
    assert not Period.objects.filter(name="Winter quarter").exists()
    assert Period.objects.filter(name="Q2 2027").exists()
    assert any(SAYS in p.why for p in outcome.report.problems), outcome.report.problems
