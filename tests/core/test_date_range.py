"""One rule for the years a date a person enters may lie in (accord.core.dates): the
services' date parser, the forms' date field and rhythm's schedules all use it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accord.core import dates
from accord.core.errors import ServiceError
from accord.core.services import parse_date
from accord.rhythm import recurrence
from accord.rhythm import services as rhythm

RANGE = "1900 to 2999"


@pytest.mark.parametrize(
    "value",
    [
        "0001-01-01",
        "1899-12-31",
        "3000-01-01",
        "9999-12-31",
        dt.date(1, 1, 1),
        dt.date(9999, 12, 31),
        dt.datetime(9999, 12, 31, 23, 0),
    ],
)
def test_the_services_date_parser_refuses_a_date_outside_the_supported_years(value):
    with pytest.raises(ServiceError) as exc:
        parse_date(value, "due_on")
    assert exc.value.code == "out_of_range"
    assert exc.value.message.startswith("Due on (") and RANGE in exc.value.message
    assert exc.value.fields == {"due_on": [f"Dates are supported from {RANGE}."]}


@pytest.mark.parametrize("value", ["1900-01-01", "2999-12-31", dt.date(2026, 12, 5)])
def test_the_services_date_parser_takes_the_supported_years_ends_included(value):
    assert parse_date(value, "due_on") == dt.date.fromisoformat(str(value))


def test_a_year_is_written_with_four_digits_in_the_refusal():
    with pytest.raises(ServiceError) as exc:
        dates.check_in_range(dt.date(1, 1, 1), "day", "The day")
    assert "(0001-01-01)" in exc.value.message


def test_the_form_field_refuses_what_the_services_refuse():
    field = dates.DateField(required=False)
    assert field.clean("2999-12-31") == dt.date(2999, 12, 31)
    with pytest.raises(ValidationError) as exc:
        field.clean("9999-12-31")
    assert exc.value.messages == [f"Dates are supported from {RANGE}."]


def test_schedules_keep_their_own_words_and_years():
    assert (recurrence.MIN_YEAR, recurrence.MAX_YEAR) == (dates.MIN_YEAR, dates.MAX_YEAR)
    with pytest.raises(ServiceError) as exc:
        recurrence.check_in_range(dt.date(3000, 1, 1), "start", "The start")
    assert exc.value.message == (
        f"The start (3000-01-01) is out of range. Dates in schedules are supported from {RANGE}."
    )


def test_time_off_from_year_1_is_refused_with_the_date_written_in_full(cast):
    with pytest.raises(ServiceError) as exc:
        rhythm.set_away(
            cast.org,
            cast.member,
            cast.member,
            starts_on=dt.date(1, 1, 1),
            ends_on=dt.date(2026, 12, 31),
        )
    assert "The first day off (0001-01-01) is out of range" in exc.value.message
    assert "(1-01-01)" not in exc.value.message
