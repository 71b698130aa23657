"""The organization's day: the one its figures are counted on, the same for every reader.

The worker evaluates signals on the UTC date of its moment (`intelligence.snapshot`:
`Snapshot.today`). The figures of the organization a page shows beside those signals
(follow-through, the share of a period gone) are counted on the same day, so that Maya in
Berlin and Jonas in Kolkata, reading at the same moment, see the same numbers as each other
and as the signals. Times and dates a person reads are still written in their own zone.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def org_day(moment: dt.datetime) -> dt.date:
    """The organization's day of `moment` (its UTC date, as the evaluation counts it)."""
    if timezone.is_naive(moment):
        return moment.date()
    return moment.astimezone(dt.UTC).date()


def org_today() -> dt.date:
    """The organization's day now (`org_day` of now)."""
    return org_day(timezone.now())
