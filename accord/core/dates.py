"""The years a date a person enters may lie in: one rule for every form, API and import.

Schedules (rhythm), due dates, decide-by and revisit dates, need-by and committed dates,
targets, milestones: each is refused outside these years, so no page shows "Revisit on
1 Jan 0001" and date arithmetic never leaves what Python's datetime can hold.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from accord.core.errors import ServiceError

MIN_YEAR, MAX_YEAR = 1900, 2999
RANGE_TEXT = f"Dates are supported from {MIN_YEAR} to {MAX_YEAR}"


def iso(value: dt.date | dt.datetime) -> str:
    """YYYY-MM-DD with a four-digit year whatever the platform (strftime's %Y prints year
    1 as "1" on glibc)."""
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def in_range(value: dt.date | dt.datetime) -> bool:
    year = value.year
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Near the ends of the calendar an offset could carry it over a year boundary.
        year = value.astimezone(dt.UTC).year if MIN_YEAR < year < MAX_YEAR else year
    return MIN_YEAR <= year <= MAX_YEAR


def check_in_range(
    value: dt.date | dt.datetime,
    field: str,
    what: str = "This date",
    *,
    range_text: str = RANGE_TEXT,
) -> None:
    """Refuse a date outside the supported years (the one place that says which), naming
    the field so a form shows the refusal beside it."""
    if not in_range(value):
        raise ServiceError(
            f"{what} ({iso(value)}) is out of range. {range_text}.",
            fields={field: [f"{range_text}."]},
            code="out_of_range",
        )


def validate_in_range(value: dt.date | dt.datetime | None) -> None:
    """The same rule as a form validator: the refusal shows beside the form's field."""
    if value is not None and not in_range(value):
        raise ValidationError(f"{RANGE_TEXT}.", code="out_of_range")


# The one way a typed day is read: 2026-12-01, as a date box sends it. "12/01/2026" is
# the first of December to some and the twelfth of January to others: refused, not guessed.
ISO_DAY = "%Y-%m-%d"


class DateField(forms.DateField):
    """A form's date a person enters: YYYY-MM-DD only (`ISO_DAY`), refused outside the
    supported years."""

    input_formats = [ISO_DAY]
    default_error_messages = {
        "invalid": "Enter a valid date as YYYY-MM-DD, for example 2026-03-31."
    }
    default_validators = [validate_in_range]
