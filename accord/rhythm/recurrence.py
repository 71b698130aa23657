"""The recurrence engine: RFC 5545 rules evaluated in a cadence's own time zone.

A cadence meets at a local wall-clock time ("Monday 10:00 in Berlin"); the rule is
expanded on naive local times and each one is placed in the zone afterwards, so the
meeting stays at 10:00 local across daylight-saving changes while its UTC instant moves.
Exceptions (a moved or cancelled occurrence) are applied on top; nothing is stored ahead
of time: occurrences between two instants are computed when asked for.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil import rrule as du

from accord.core.errors import ServiceError

UTC = dt.UTC
ALLOWED_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
FORBIDDEN_PARTS = {"DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND"}


def zone(name: str, field: str = "timezone") -> zoneinfo.ZoneInfo:
    """The IANA zone called `name`, or a clear refusal."""
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ServiceError(
            f"Unknown time zone {name!r}; use an IANA name such as Europe/Berlin.",
            fields={field: [f"Unknown time zone {name!r}."]},
            code="invalid_timezone",
        ) from None


def _bad_rule(text: str, why: str) -> ServiceError:
    return ServiceError(
        f"The recurrence rule {text!r} is not valid: {why}",
        fields={"rrule": [why]},
        code="invalid_rrule",
    )


def normalize_rule(text: str) -> str:
    """The rule without an `RRULE:` prefix, upper-cased, parts in the order given."""
    text = (text or "").strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    return text.strip().upper()


def parse_rule(text: str, dtstart: dt.datetime) -> du.rrule:
    """A dateutil rule for `text` starting at the naive local `dtstart`, or a clear refusal."""
    rule_text = normalize_rule(text)
    if not rule_text:
        raise _bad_rule(text, "a rule is required, for example FREQ=WEEKLY;BYDAY=MO.")
    if "\n" in rule_text or "\r" in rule_text:
        raise _bad_rule(text, "give one RRULE line only.")
    parts: dict[str, str] = {}
    for chunk in rule_text.split(";"):
        if not chunk:
            continue
        name, sep, value = chunk.partition("=")
        if not sep or not value:
            raise _bad_rule(text, f"{chunk!r} is not NAME=VALUE.")
        parts[name] = value
    if "FREQ" not in parts:
        raise _bad_rule(text, "FREQ is missing (DAILY, WEEKLY, MONTHLY or YEARLY).")
    if parts["FREQ"] not in ALLOWED_FREQS:
        raise _bad_rule(text, f"FREQ={parts['FREQ']} is not supported; use DAILY or longer.")
    forbidden = FORBIDDEN_PARTS & set(parts)
    if forbidden:
        raise _bad_rule(
            text, f"{', '.join(sorted(forbidden))} is set by the cadence's time, not the rule."
        )
    if "UNTIL" in parts and parts["UNTIL"].endswith("Z"):
        # The rule runs on local wall-clock time; a UTC UNTIL is read as a local date-time.
        rule_text = rule_text.replace(f"UNTIL={parts['UNTIL']}", f"UNTIL={parts['UNTIL'][:-1]}")
    try:
        rule = du.rrulestr(rule_text, dtstart=dtstart, forceset=False)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise _bad_rule(text, str(exc) or "it cannot be read.") from None
    if not isinstance(rule, du.rrule):  # pragma: no cover - forceset=False gives an rrule
        raise _bad_rule(text, "give a single rule.")
    if rule.after(dtstart, inc=True) is None:
        raise _bad_rule(text, "it never produces an occurrence.")
    return rule


def to_local_naive(instant: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return instant.astimezone(tz).replace(tzinfo=None)


def place(local: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    """A naive local wall-clock time placed in `tz`, as a UTC instant.

    An ambiguous time (clocks going back) takes its first instant; a time that does not
    exist (clocks going forward) is read with the offset before the change, i.e. it
    lands as far after the gap as it was inside it (02:30 → 03:30).
    """
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


@dataclass(frozen=True)
class Schedule:
    """What the engine needs of a cadence: its rule, local time, zone and length."""

    rrule: str
    start_date: dt.date
    time: dt.time
    timezone: str
    duration_minutes: int = 60

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zone(self.timezone)

    @property
    def dtstart_local(self) -> dt.datetime:
        return dt.datetime.combine(self.start_date, self.time.replace(tzinfo=None))

    def rule(self) -> du.rrule:
        return parse_rule(self.rrule, self.dtstart_local)

    def validate(self) -> None:
        zone(self.timezone)
        self.rule()
        if not 1 <= int(self.duration_minutes) <= 24 * 60:
            raise ServiceError(
                "A meeting lasts between 1 minute and 24 hours.",
                fields={"duration_minutes": ["Between 1 and 1440 minutes."]},
            )


@dataclass(frozen=True)
class ExceptionSpec:
    """One occurrence moved (new_start set) or cancelled (new_start None)."""

    original_start: dt.datetime  # UTC
    new_start: dt.datetime | None  # UTC
    cancelled: bool = False


@dataclass(frozen=True)
class Occurrence:
    original_start: dt.datetime  # the rule's instant (UTC): the occurrence's identity
    start: dt.datetime  # when it actually happens (UTC)
    end: dt.datetime
    timezone: str
    moved: bool = False
    cancelled: bool = False
    cadence_id: int | None = None

    @property
    def key(self) -> str:
        """A stable identifier of the occurrence, for URLs and idempotency keys."""
        return self.original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")

    def local_start(self, tz_name: str | None = None) -> dt.datetime:
        return self.start.astimezone(zone(tz_name or self.timezone))

    def local_end(self, tz_name: str | None = None) -> dt.datetime:
        return self.end.astimezone(zone(tz_name or self.timezone))


def parse_key(key: str) -> dt.datetime:
    """The original start named by an occurrence key (see Occurrence.key)."""
    try:
        return dt.datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise ServiceError(
            f"{key!r} does not name an occurrence (expected e.g. 20261130T090000Z).",
            fields={"occurrence": ["Unknown occurrence."]},
            code="invalid_occurrence",
        ) from None


def _aware(value: dt.datetime, what: str) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value.astimezone(UTC)


def rule_instants(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The rule's own instants (UTC) in [start, end), before any exception."""
    start, end = _aware(start, "start"), _aware(end, "end")
    tz = schedule.tz
    rule = schedule.rule()
    # Widen by a day each side on the local clock: offsets never exceed ±26 hours.
    lo = to_local_naive(start, tz) - dt.timedelta(days=1)
    hi = to_local_naive(end, tz) + dt.timedelta(days=1)
    out = []
    for local in rule.between(lo, hi, inc=True):
        instant = place(local, tz)
        if start <= instant < end:
            out.append(instant)
    return out


def is_rule_instant(schedule: Schedule, instant: dt.datetime) -> bool:
    instant = _aware(instant, "instant")
    return instant in rule_instants(
        schedule, instant - dt.timedelta(minutes=1), instant + dt.timedelta(minutes=1)
    )


def occurrences(
    schedule: Schedule,
    start: dt.datetime,
    end: dt.datetime,
    exceptions: Iterable[ExceptionSpec] = (),
    *,
    include_cancelled: bool = False,
    cadence_id: int | None = None,
) -> list[Occurrence]:
    """Occurrences whose (possibly moved) start lies in [start, end), sorted by start."""
    start, end = _aware(start, "start"), _aware(end, "end")
    length = dt.timedelta(minutes=int(schedule.duration_minutes))
    by_original = {e.original_start.astimezone(UTC): e for e in exceptions}
    out: list[Occurrence] = []

    def make(original: dt.datetime, actual: dt.datetime, **flags) -> Occurrence:
        return Occurrence(
            original_start=original,
            start=actual,
            end=actual + length,
            timezone=schedule.timezone,
            cadence_id=cadence_id,
            **flags,
        )

    for instant in rule_instants(schedule, start, end):
        exc = by_original.get(instant)
        if exc is None:
            out.append(make(instant, instant))
        elif exc.cancelled:
            if include_cancelled:
                out.append(make(instant, instant, cancelled=True))
        elif exc.new_start is not None and start <= exc.new_start < end:
            out.append(make(instant, exc.new_start.astimezone(UTC), moved=True))
    # Occurrences moved into the window from outside it.
    seen = {o.original_start for o in out}
    for original, exc in by_original.items():
        if exc.cancelled or exc.new_start is None or original in seen:
            continue
        new = exc.new_start.astimezone(UTC)
        outside = not (start <= original < end)
        if start <= new < end and outside and is_rule_instant(schedule, original):
            out.append(make(original, new, moved=True))
    out.sort(key=lambda o: (o.start, o.original_start))
    return out


def next_occurrence(
    schedule: Schedule,
    after: dt.datetime,
    exceptions: Iterable[ExceptionSpec] = (),
    *,
    horizon_days: int = 400,
) -> Occurrence | None:
    found = occurrences(schedule, after, after + dt.timedelta(days=horizon_days), exceptions)
    return found[0] if found else None


def previous_occurrence(
    schedule: Schedule,
    before: dt.datetime,
    exceptions: Iterable[ExceptionSpec] = (),
    *,
    horizon_days: int = 400,
) -> Occurrence | None:
    found = occurrences(schedule, before - dt.timedelta(days=horizon_days), before, exceptions)
    return found[-1] if found else None
