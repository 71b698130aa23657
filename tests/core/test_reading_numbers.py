"""Numbers as people type them: grouped as the pages write them, or with a decimal comma."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accord.core.services import read_decimal


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("1234.5", "1234.5"),
        ("1,234.5", "1234.5"),  # as the pages write it
        ("1,234", "1234"),  # three digits after a lone comma: a group
        ("12,34,567", "1234567"),  # grouped in lakhs
        ("99,97", "99.97"),  # a decimal comma
        ("1.234,5", "1234.5"),
        (" 1 234,5 ", "1234.5"),
        ("-3", "-3"),
    ],
)
def test_a_number_is_read_as_its_writer_meant_it(typed, read):
    assert read_decimal(typed) == Decimal(read)


@pytest.mark.parametrize("typed", ["abc", "1,2,3", "", "1.2.3", "--1"])
def test_what_is_not_a_number_reads_as_nan(typed):
    assert read_decimal(typed).is_nan()


@pytest.mark.parametrize(
    ("typed", "unit", "read"),
    [
        ("2.6 hours", "hours", "2.6"),
        ("2.7 hrs", "hours", "2.7"),
        ("2,6 h", "hours", "2.6"),
        ("1 hour", "hours", "1"),
        ("45 min", "minutes", "45"),
        ("3 days", "days", "3"),
        ("99,96 %", "%", "99.96"),
        ("12 percent", "%", "12"),
        ("2.5", "hours", "2.5"),
        ("5 hours", "hour", "5"),  # whichever form the key result spells
        ("5 h", "hr", "5"),
        ("5%", "percent", "5"),
    ],
)
def test_a_number_may_be_followed_by_its_unit_short_or_long(typed, unit, read):
    assert read_decimal(typed, unit) == Decimal(read)


@pytest.mark.parametrize(
    ("typed", "unit"), [("2.4 days", "hours"), ("3 h", "days"), ("h", "hours")]
)
def test_another_unit_is_not_a_number_of_this_one(typed, unit):
    assert read_decimal(typed, unit).is_nan()
