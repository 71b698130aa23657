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
