"""A period's kind and dates agree: a "quarter" of twelve months is refused, naming the
kind that fits (on the page beside Kind, and in the API). Release cycles and custom
periods run as long as they like; files enter what was."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from accord.alignment import services as s
from accord.alignment.models import Period
from accord.core.errors import ServiceError
from tests.conftest import api_client, login

YEAR_2027 = {"start": dt.date(2027, 1, 1), "end": dt.date(2027, 12, 31)}


def test_a_quarter_of_twelve_months_is_refused_naming_the_kind_that_fits(cast):
    with pytest.raises(ServiceError) as exc:
        s.create_period(cast.org, cast.leader, name="2027", kind="quarter", **YEAR_2027)
    assert exc.value.code == "kind_mismatch"
    assert str(exc.value) == (
        "A quarter runs about 3 months; 1 Jan 2027 to 31 Dec 2027 is 12 months. "
        "Choose Year as its kind, or change its dates."
    )
    assert exc.value.fields == {"kind": ["12 months is not a quarter: choose Year."]}
    assert not Period.objects.exists()


def test_kinds_that_fit_and_free_kinds_are_accepted(cast):
    org, leo = cast.org, cast.leader
    s.create_period(org, leo, name="2027", kind="year", **YEAR_2027)
    s.create_period(org, leo, name="Q1 2027", start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31))
    s.create_period(org, leo, name="H1 2027", kind="half", start="2027-01-01", end="2027-06-30")
    s.create_period(org, leo, name="FY", kind="custom", start="2027-01-01", end="2028-06-30")
    s.create_period(org, leo, name="Train", kind="release", start="2027-01-01", end="2027-02-15")
    # As it was (a quarter of a year, from a file), on days no other quarter has.
    s.create_period(
        org, None, name="Old file", kind="quarter", start="2028-01-01", end="2028-12-31"
    )
    assert Period.objects.count() == 6


def test_changing_kind_or_dates_is_checked_too(cast):
    q = s.create_period(
        cast.org, cast.leader, name="Q1", start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31)
    )
    with pytest.raises(ServiceError) as exc:
        s.update_period(cast.org, cast.leader, q, end=dt.date(2027, 8, 31))
    assert "Choose Custom as its kind" in str(exc.value)  # 8 months fits no kind
    with pytest.raises(ServiceError):
        s.update_period(cast.org, cast.leader, q, kind="year")
    s.update_period(cast.org, cast.leader, q, kind="custom", end=dt.date(2027, 8, 31))


def test_the_periods_page_refuses_it_beside_kind(cast):
    page = reverse("alignment:periods", kwargs={"org_slug": "acme"})
    r = login(cast.leader).post(
        page,
        {
            "name": "2027",
            "kind": "quarter",
            "start": "2027-01-01",
            "end": "2027-12-31",
            "state": "planning",
        },
    )
    body = r.content.decode()
    assert (
        '<small class="error" id="id_kind_error" data-field-error>'
        "12 months is not a quarter: choose Year." in body
    )
    assert "A quarter runs about 3 months" in body
    assert not Period.objects.exists()


def test_the_api_refuses_it_with_422(cast):
    r = api_client(cast.leader).post(
        "/api/v1/periods",
        json.dumps({"name": "2027", "kind": "quarter", "start": "2027-01-01", "end": "2027-12-31"}),
        content_type="application/json",
    )
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "kind_mismatch"
    assert "kind" in r.json()["error"]["fields"]
