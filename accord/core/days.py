"""The organization's day: the one its figures are counted on, the same for every reader.

The worker evaluates signals on the UTC date of its moment (`intelligence.snapshot`:
`Snapshot.today`). The figures of the organization a page shows beside those signals
(follow-through, the share of a period gone) are counted on the same day, so that Maya in
Berlin and Jonas in Kolkata, reading at the same moment, see the same numbers as each other
and as the signals. Times and dates a person reads are still written in their own zone,
and "today" of a date a person types (a need-by, a due date, an as-of) is their own day:
pages, API calls and MCP calls run in the zone of the person signed in or holding the
token (`activate_own_zone`, `in_own_zone`).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone


def org_day(moment: dt.datetime) -> dt.date:
    """The organization's day of `moment` (its UTC date, as the evaluation counts it)."""
    if timezone.is_naive(moment):
        return moment.date()
    return moment.astimezone(dt.UTC).date()


def org_today() -> dt.date:
    """The organization's day now (`org_day` of now)."""
    return org_day(timezone.now())


def own_zone(person: Any) -> zoneinfo.ZoneInfo | None:
    """`person`'s own time zone, or that of anything with a `timezone` name (None when it
    is not a known one: the site's)."""
    try:
        return zoneinfo.ZoneInfo(person.timezone)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return None


def activate_own_zone(person: Any) -> None:
    """Read and write what follows in `person`'s zone, until the request ends (the
    organization middleware deactivates it after every request, pages and API alike)."""
    zone = own_zone(person)
    if zone is not None:
        timezone.activate(zone)


@contextmanager
def in_own_zone(person: Any) -> Iterator[None]:
    """What follows in `person`'s zone (the site's when theirs is not known), then back:
    an MCP call, which may outlive no request (`accord mcp` over stdio)."""
    with timezone.override(own_zone(person)):
        yield


def org_day_start(day: dt.date) -> dt.datetime:
    """The first moment of the organization's `day` (`org_day`: its UTC date)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
