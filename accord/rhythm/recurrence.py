"""The recurrence engine: RFC 5545 rules evaluated in a cadence's own time zone.

A cadence meets at a local wall-clock time ("Monday 10:00 in Berlin"); the rule is
expanded on naive local times and each one is placed in the zone afterwards, so the
meeting stays at 10:00 local across daylight-saving changes while its UTC instant moves.
Exceptions (a moved or cancelled occurrence) are applied on top; nothing is stored ahead
of time: occurrences between two instants are computed when asked for.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import time as _time
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, replace

from dateutil import rrule as du

from accord.core import dates
from accord.core.dates import MAX_YEAR, MIN_YEAR
from accord.core.errors import ServiceError

UTC = dt.UTC
ALLOWED_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
FORBIDDEN_PARTS = {"DTSTART", "BYHOUR", "BYMINUTE", "BYSECOND"}
KNOWN_PARTS = (
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "BYWEEKNO",
    "BYYEARDAY",
    "WKST",
)
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The longest sane gap between two periods of a rule: about ten years.
INTERVAL_MAX = {"DAILY": 3660, "WEEKLY": 520, "MONTHLY": 120, "YEARLY": 10}
COUNT_MAX = 1000
# A rule must produce its first occurrence within this many years of its start.
FIRST_WITHIN_YEARS = 5

# Schedules (starts, ends, occurrences, moves) live in these years; dates outside them are
# refused with this message, in one place, so date arithmetic never leaves what Python's
# datetime can hold.
RANGE_TEXT = f"Dates in schedules are supported from {MIN_YEAR} to {MAX_YEAR}"

# Bounds on one expansion, whatever rule is stored: no page ever hangs on a schedule.
MAX_INSTANTS = 10_000
MAX_SECONDS = 2.0
# The Gregorian calendar (dates, weekdays, leap years, week numbers) repeats every 400
# years; rules are expanded on a copy shifted by whole cycles to just below year 9999, so
# dateutil's own end of time stops a search that finds nothing within 400 years.
CYCLE_YEARS = 400
_LAST_YEAR = dt.MAXYEAR


class InvalidSchedule(ServiceError):
    """A stored schedule the engine refuses to expand (bad rule, out-of-range date, too
    costly); pages show the cadence as having an invalid schedule."""


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


def check_in_range(value: dt.date | dt.datetime, field: str, what: str = "This date") -> None:
    """Refuse a date outside the supported years (the shared rule in accord.core.dates)."""
    dates.check_in_range(value, field, what, range_text=RANGE_TEXT)


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


_INT = re.compile(r"[+-]?\d{1,6}")
_BYDAY = re.compile(r"([+-]?\d{1,3})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})(Z?))?")


def _ints(text: str, name: str, value: str, low: int, high: int, signed: bool) -> list[int]:
    """A comma-separated list of whole numbers, each within ±low..high (never 0)."""
    out = []
    for item in value.split(","):
        if not _INT.fullmatch(item):
            raise _bad_rule(
                text,
                f"{name}={value}: {repr(item) if item else 'an empty item'} is not a whole number.",
            )
        n = int(item)
        ok = low <= abs(n) <= high if signed else low <= n <= high and item[0] != "-"
        if not ok:
            span = f"±{low} to ±{high}" if signed else f"{low} to {high}"
            raise _bad_rule(text, f"{name}={value}: {item} is out of range; use {span}.")
        out.append(n)
    return out


@dataclass(frozen=True)
class RuleParts:
    """A rule read and checked part by part; what dateutil is given."""

    text: str
    freq: str
    interval: int = 1
    count: int | None = None
    until: dt.datetime | None = None  # naive local, unless `until_utc`
    until_utc: bool = False  # UNTIL=…Z: a UTC moment (`in_zone` reads it on the local clock)
    byday: tuple[tuple[int, int], ...] = ()  # (weekday 0-6, ordinal or 0)
    bymonthday: tuple[int, ...] = ()
    bymonth: tuple[int, ...] = ()
    bysetpos: tuple[int, ...] = ()
    byweekno: tuple[int, ...] = ()
    byyearday: tuple[int, ...] = ()
    wkst: int = 0


def first_day(text: str, today: dt.date) -> dt.date:
    """The day a cadence starts when no start is given: today; but for a rule every few
    weeks on given days ("every other Wednesday"), the first of those days from today, so
    its fortnights count from the week it first meets. From today itself, one made on a
    Sunday would count the week just ending as its first and meet a week late."""
    try:
        rule = parse_parts(text)
    except ServiceError:
        return today  # the rule's own check says what is wrong with it
    days = {weekday for weekday, ordinal in rule.byday if ordinal == 0}
    if rule.freq != "WEEKLY" or rule.interval < 2 or not days:
        return today
    return next(today + dt.timedelta(days=n) for n in range(7) if (today.weekday() + n) % 7 in days)


def parse_parts(text: str) -> RuleParts:
    """Every part of an RFC 5545 rule checked, with a message naming the part at fault."""
    rule_text = normalize_rule(text)
    if not rule_text:
        raise _bad_rule(text, "a rule is required, for example FREQ=WEEKLY;BYDAY=MO.")
    if "\n" in rule_text or "\r" in rule_text:
        raise _bad_rule(text, "give one RRULE line only.")
    parts: dict[str, str] = {}
    for chunk in rule_text.split(";"):
        if not chunk.strip():
            continue
        name, sep, value = (p.strip() for p in chunk.partition("="))
        if not sep or not value or not name:
            raise _bad_rule(text, f"{chunk!r} is not NAME=VALUE.")
        if name in FORBIDDEN_PARTS:
            raise _bad_rule(text, f"{name} is set by the cadence's time, not the rule.")
        if name not in KNOWN_PARTS:
            raise _bad_rule(text, f"{name} is not a rule part; use {', '.join(KNOWN_PARTS)}.")
        if name in parts:
            raise _bad_rule(text, f"{name} is given twice.")
        parts[name] = value
    if "FREQ" not in parts:
        raise _bad_rule(text, "FREQ is missing (DAILY, WEEKLY, MONTHLY or YEARLY).")
    freq = parts["FREQ"]
    if freq not in ALLOWED_FREQS:
        raise _bad_rule(text, f"FREQ={freq} is not supported; use DAILY or longer.")
    out: dict = {"text": rule_text, "freq": freq}
    if "INTERVAL" in parts:
        top = INTERVAL_MAX[freq]
        v = parts["INTERVAL"]
        if not v.isdigit() or not 1 <= int(v) <= top:
            raise _bad_rule(
                text, f"INTERVAL={v}: use a whole number from 1 to {top} with FREQ={freq}."
            )
        out["interval"] = int(v)
    if "COUNT" in parts:
        v = parts["COUNT"]
        if not v.isdigit() or not 1 <= int(v) <= COUNT_MAX:
            raise _bad_rule(text, f"COUNT={v}: use a whole number from 1 to {COUNT_MAX}.")
        out["count"] = int(v)
    if "UNTIL" in parts:
        if "COUNT" in parts:
            raise _bad_rule(text, "give COUNT or UNTIL, not both.")
        v = parts["UNTIL"]
        m = _UNTIL.fullmatch(v)
        try:
            if not m:
                raise ValueError
            nums = [int(g) for g in m.groups()[:6] if g is not None]
            until = dt.datetime(*nums)  # a date alone is its midnight, as dateutil reads it
        except ValueError:
            raise _bad_rule(
                text, f"UNTIL={v}: write a date as YYYYMMDD or a date-time as YYYYMMDDTHHMMSSZ."
            ) from None
        if not MIN_YEAR <= until.year <= MAX_YEAR:
            raise _bad_rule(text, f"UNTIL={v} is out of range. {RANGE_TEXT}.")
        # The rule runs on local wall-clock time: a UTC UNTIL (…Z) is read on it once the
        # zone is known (`in_zone`); one without Z is the cadence's own wall-clock time.
        out["until"] = until
        out["until_utc"] = m.group(7) == "Z"
    if "BYDAY" in parts:
        v = parts["BYDAY"]
        days = []
        for item in v.split(","):
            m = _BYDAY.fullmatch(item)
            if not m:
                raise _bad_rule(
                    text,
                    f"BYDAY={v}: {repr(item) if item else 'an empty item'} is not a weekday "
                    f"({', '.join(WEEKDAYS)}, optionally with an ordinal such as 1MO or -1FR).",
                )
            n = int(m[1]) if m[1] else 0
            if m[1]:
                if freq not in ("MONTHLY", "YEARLY") or "BYWEEKNO" in parts:
                    raise _bad_rule(
                        text,
                        f"BYDAY={v}: an ordinal ({item}) needs FREQ=MONTHLY or FREQ=YEARLY "
                        "without BYWEEKNO.",
                    )
                top = 5 if freq == "MONTHLY" or "BYMONTH" in parts else 53
                if not 1 <= abs(n) <= top:
                    raise _bad_rule(
                        text, f"BYDAY={v}: the ordinal of {item} must be from ±1 to ±{top}."
                    )
            days.append((WEEKDAYS.index(m[2]), n))
        out["byday"] = tuple(days)
    if "BYMONTHDAY" in parts:
        if freq == "WEEKLY":
            raise _bad_rule(text, "BYMONTHDAY cannot be used with FREQ=WEEKLY.")
        out["bymonthday"] = tuple(_ints(text, "BYMONTHDAY", parts["BYMONTHDAY"], 1, 31, True))
    if "BYMONTH" in parts:
        out["bymonth"] = tuple(_ints(text, "BYMONTH", parts["BYMONTH"], 1, 12, False))
    if "BYWEEKNO" in parts:
        if freq != "YEARLY":
            raise _bad_rule(text, "BYWEEKNO needs FREQ=YEARLY.")
        out["byweekno"] = tuple(_ints(text, "BYWEEKNO", parts["BYWEEKNO"], 1, 53, True))
    if "BYYEARDAY" in parts:
        if freq != "YEARLY":
            raise _bad_rule(text, "BYYEARDAY needs FREQ=YEARLY.")
        out["byyearday"] = tuple(_ints(text, "BYYEARDAY", parts["BYYEARDAY"], 1, 366, True))
    if "BYSETPOS" in parts:
        others = {"BYDAY", "BYMONTHDAY", "BYMONTH", "BYWEEKNO", "BYYEARDAY"} & set(parts)
        if not others:
            raise _bad_rule(text, "BYSETPOS needs another BY part (e.g. BYDAY) to choose from.")
        top = {"DAILY": 1, "WEEKLY": 7, "MONTHLY": 31, "YEARLY": 366}[freq]
        out["bysetpos"] = tuple(_ints(text, "BYSETPOS", parts["BYSETPOS"], 1, top, True))
    if "WKST" in parts:
        if parts["WKST"] not in WEEKDAYS:
            raise _bad_rule(text, f"WKST={parts['WKST']}: use one of {', '.join(WEEKDAYS)}.")
        out["wkst"] = WEEKDAYS.index(parts["WKST"])
    return RuleParts(**out)


_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # February as in a leap year
_CUMULATIVE = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)


def _check_feasible(rule: RuleParts, dtstart: dt.datetime) -> None:
    """Refuse in no time a rule whose months can never hold its days."""
    months = rule.bymonth or tuple(range(1, 13))
    monthdays = rule.bymonthday
    plain = not (rule.byweekno or rule.byyearday or rule.bymonthday or rule.byday)
    if plain and rule.freq in ("MONTHLY", "YEARLY"):
        monthdays = (dtstart.day,)  # dateutil takes the start's day of the month
        if rule.freq == "YEARLY" and not rule.bymonth:
            months = (dtstart.month,)
    if monthdays and not any(abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in monthdays):
        days = ",".join(map(str, monthdays))
        raise _bad_rule(
            rule.text,
            f"it never produces an occurrence: no month in "
            f"{'BYMONTH' if rule.bymonth else 'the year'} has day {days} (BYMONTHDAY).",
        )
    if rule.byyearday and rule.bymonth:
        # A year of 365 days and a leap year: does any BYYEARDAY fall in a BYMONTH month?
        landing = {
            (dt.date(year, 1, 1) + dt.timedelta(days=d - 1 if d > 0 else length + d)).month
            for year, length in ((2025, 365), (2024, 366))
            for d in rule.byyearday
            if abs(d) <= length
        }
        if not landing & set(months):
            raise _bad_rule(
                rule.text,
                "it never produces an occurrence: no day in BYYEARDAY falls in a month of BYMONTH.",
            )


def _shift(value: dt.datetime, years: int) -> dt.datetime:
    return value.replace(year=value.year + years)


def _dateutil(rule: RuleParts, dtstart: dt.datetime, shift: int = 0) -> du.rrule:
    kwargs: dict = {"interval": rule.interval, "wkst": rule.wkst, "cache": False}
    if rule.count is not None:
        kwargs["count"] = rule.count
    if rule.until is not None and rule.until.year + shift <= _LAST_YEAR:
        # (An UNTIL beyond the shifted end of time, or beyond the years a search looks at
        # (where a 29 February may not exist), ends nothing that is looked at.)
        with contextlib.suppress(ValueError):
            kwargs["until"] = _shift(rule.until, shift)
    if rule.byday:
        kwargs["byweekday"] = [du.weekdays[d](n) if n else du.weekdays[d] for d, n in rule.byday]
    for name in ("bymonthday", "bymonth", "bysetpos", "byweekno", "byyearday"):
        if getattr(rule, name):
            kwargs[name] = list(getattr(rule, name))
    freq = getattr(du, rule.freq)
    return du.rrule(freq, dtstart=_shift(dtstart, shift), **kwargs)


def _cycles_below_end(year: int) -> int:
    """Whole 400-year cycles that move `year` as close to 9999 as it can go."""
    return max(0, (_LAST_YEAR - year) // CYCLE_YEARS) * CYCLE_YEARS


def _search_shift(year: int, span: int) -> int:
    """Years to add to `year` so that its next `span` years look exactly like the last
    years before 9999 (same weekday on 1 January, same leap years), which bounds a search
    to about `span` + 28 years. Falls back to whole 400-year cycles when a century that
    is not a leap year (1900, 2100, ...) lies in the way."""
    irregular = any(y % 100 == 0 and y % 400 != 0 for y in range(year, year + span + 1))
    if not irregular:
        weekday = dt.date(year, 1, 1).weekday()
        for twin in range(_LAST_YEAR - span, _LAST_YEAR - span - 60, -1):
            if twin % 4 == year % 4 and dt.date(twin, 1, 1).weekday() == weekday:
                return twin - year
    return _cycles_below_end(year + span)


def in_zone(rule: RuleParts, tz_name: str) -> RuleParts:
    """The rule with its UNTIL on the wall clock of `tz_name`, where the rule runs: a UTC
    UNTIL (…Z, as RFC 5545 and calendar feeds write it beside a start in a zone) is the
    local time of that moment; one without Z already is a local time."""
    if rule.until is None or not rule.until_utc:
        return rule
    local = to_local_naive(rule.until.replace(tzinfo=UTC), zone(tz_name))
    return replace(rule, until=local, until_utc=False)


@functools.lru_cache(maxsize=2048)
def _checked(text: str, dtstart: dt.datetime, tz_name: str = "UTC") -> RuleParts:
    """The rule's parts once they are known to be valid and to produce an occurrence soon
    after `dtstart` (a search bounded to 400 years of the calendar, whatever the rule), its
    UNTIL on the local clock of `tz_name` (`in_zone`)."""
    if not MIN_YEAR <= dtstart.year <= MAX_YEAR:
        raise ServiceError(
            f"The start ({dtstart:%Y-%m-%d}) is out of range. {RANGE_TEXT}.",
            fields={"start_date": [f"{RANGE_TEXT}."]},
            code="out_of_range",
        )
    rule = in_zone(parse_parts(text), tz_name)
    _check_feasible(rule, dtstart)
    if rule.until is not None and rule.until < dtstart:
        raise _bad_rule(text, "it never produces an occurrence: UNTIL is before the start.")
    shift = _search_shift(dtstart.year, FIRST_WITHIN_YEARS + 1)
    shifted_start = _shift(dtstart, shift)
    first = _dateutil(rule, dtstart, shift).after(shifted_start, inc=True)
    # Compared on the shifted calendar: beyond the years searched it may differ.
    if first is None:
        raise _bad_rule(text, "it never produces an occurrence.")
    if first > shifted_start + dt.timedelta(days=366 * FIRST_WITHIN_YEARS):
        raise _bad_rule(
            text,
            f"it never produces an occurrence within {FIRST_WITHIN_YEARS} years of its start.",
        )
    if rule.until is not None and _shift(first, -shift) > rule.until:
        raise _bad_rule(text, "it never produces an occurrence before its UNTIL.")
    return rule


def parse_rule(text: str, dtstart: dt.datetime, tz_name: str = "UTC") -> du.rrule:
    """A dateutil rule for `text` starting at the naive local `dtstart` of `tz_name`, or a
    clear refusal."""
    return _dateutil(_checked(normalize_rule(text), dtstart, tz_name), dtstart)


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
    """What the engine needs of a cadence: its rule, local time, zone and length.

    An all-day schedule has no time of day and no length (`time` and `duration_minutes`
    None): each occurrence is a whole date in the zone, from its local midnight to the
    next one, which is what its start and end instants say."""

    rrule: str
    start_date: dt.date
    time: dt.time | None
    timezone: str
    duration_minutes: int | None = 60
    all_day: bool = False

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zone(self.timezone)

    @property
    def dtstart_local(self) -> dt.datetime:
        clock = dt.time() if self.all_day or self.time is None else self.time
        return dt.datetime.combine(self.start_date, clock.replace(tzinfo=None))

    def end_for(self, start: dt.datetime) -> dt.datetime:
        """When an occurrence that starts at `start` ends: after its duration, or for an
        all-day schedule at the next local midnight (23 or 25 hours on a clock change)."""
        if self.all_day:
            day = start.astimezone(self.tz).date()
            if day >= dt.date(MAX_YEAR + 1, 1, 1):
                return plus(start, dt.timedelta(days=1))
            return place(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), self.tz)
        return plus(start, dt.timedelta(minutes=int(self.duration_minutes or 0)))

    def rule(self) -> du.rrule:
        return parse_rule(self.rrule, self.dtstart_local, self.timezone)

    def validate(self) -> None:
        zone(self.timezone)
        check_in_range(self.start_date, "start_date", "The start date")
        self.rule()
        if self.all_day:
            return
        if self.time is None:
            raise ServiceError(
                "A cadence that is not all day needs a time of day.",
                fields={"time": ["Give a time, or mark the cadence all day."]},
            )
        if not 1 <= int(self.duration_minutes or 0) <= 24 * 60:
            raise ServiceError(
                "A meeting lasts between 1 minute and 24 hours.",
                fields={"duration_minutes": ["Between 1 and 1440 minutes."]},
            )

    def checked(self) -> tuple[RuleParts, zoneinfo.ZoneInfo]:
        """The checked rule and zone of a stored schedule, or InvalidSchedule."""
        problem = schedule_problem(self)
        if problem is not None:
            raise InvalidSchedule(
                f"This cadence has an invalid schedule: {problem}", code="invalid_schedule"
            )
        return _checked(normalize_rule(self.rrule), self.dtstart_local, self.timezone), self.tz


@functools.lru_cache(maxsize=4096)
def schedule_problem(schedule: Schedule) -> str | None:
    """Why a (stored) schedule cannot be expanded, or None when it can."""
    try:
        schedule.validate()
    except ServiceError as exc:
        return exc.message
    except (TypeError, ValueError, OverflowError) as exc:
        return f"it cannot be read ({exc})."
    return None


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
    all_day: bool = False  # a date in `timezone`, not a meeting: start is its midnight

    @property
    def day(self) -> dt.date:
        """The occurrence's date in its own zone (what an all-day occurrence is)."""
        return self.local_start().date()

    @property
    def key(self) -> str:
        """A stable identifier of the occurrence, for URLs and idempotency keys."""
        return occurrence_key(self.original_start)

    def local_start(self, tz_name: str | None = None) -> dt.datetime:
        return self.start.astimezone(zone(tz_name or self.timezone))

    def local_end(self, tz_name: str | None = None) -> dt.datetime:
        return self.end.astimezone(zone(tz_name or self.timezone))


def occurrence_key(original_start: dt.datetime) -> str:
    """The key of the occurrence that was (or is) at `original_start` (see parse_key)."""
    return original_start.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_key(key: str) -> dt.datetime:
    """The original start named by an occurrence key (see Occurrence.key)."""
    try:
        value = dt.datetime.strptime(key, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise ServiceError(
            f"{key!r} does not name an occurrence (expected e.g. 20261130T090000Z).",
            fields={"occurrence": ["Unknown occurrence."]},
            code="invalid_occurrence",
        ) from None
    check_in_range(value, "occurrence", "This occurrence")
    return value


def _aware(value: dt.datetime, what: str) -> dt.datetime:
    if value.tzinfo is None:
        raise ValueError(f"{what} must be timezone-aware")
    return value.astimezone(UTC)


# Expansions never reach outside the supported years (plus a margin for time zones).
FLOOR = dt.datetime(MIN_YEAR, 1, 1, tzinfo=UTC) - dt.timedelta(days=2)
CEIL = dt.datetime(MAX_YEAR + 1, 1, 1, tzinfo=UTC) + dt.timedelta(days=2)


def clamp(instant: dt.datetime) -> dt.datetime:
    """`instant` held within the years the engine expands."""
    return min(max(_aware(instant, "instant"), FLOOR), CEIL)


def plus(instant: dt.datetime, delta: dt.timedelta) -> dt.datetime:
    """`instant + delta` that saturates at the ends of the supported years, never overflows."""
    instant = clamp(instant)
    if delta >= dt.timedelta(0):
        return instant + min(delta, CEIL - instant)
    return instant - min(-delta, instant - FLOOR)


def _rebase(rule: RuleParts, dtstart: dt.datetime, target: dt.datetime):
    """The same rule started at the latest whole period on or before `target`, so that an
    expansion costs what its window holds, not the years since the cadence began."""
    if rule.count is not None or target <= dtstart:
        return rule, dtstart  # a COUNT is counted from the very start
    if not (rule.byweekno or rule.byyearday or rule.bymonthday or rule.byday):
        # What dateutil would take from the start, said explicitly.
        if rule.freq == "YEARLY":
            rule = replace(
                rule, bymonth=rule.bymonth or (dtstart.month,), bymonthday=(dtstart.day,)
            )
        elif rule.freq == "MONTHLY":
            rule = replace(rule, bymonthday=(dtstart.day,))
        elif rule.freq == "WEEKLY":
            rule = replace(rule, byday=((dtstart.weekday(), 0),))
    n, clock = rule.interval, dtstart.time()
    if rule.freq == "DAILY":
        k = (target.date() - dtstart.date()).days // n
        return rule, dtstart + dt.timedelta(days=k * n)
    if rule.freq == "WEEKLY":
        week0 = dtstart.date() - dt.timedelta(days=(dtstart.weekday() - rule.wkst) % 7)
        k = (target.date() - week0).days // 7 // n
        if k == 0:
            return rule, dtstart
        return rule, dt.datetime.combine(week0 + dt.timedelta(weeks=k * n), clock)
    if rule.freq == "MONTHLY":
        k = ((target.year - dtstart.year) * 12 + target.month - dtstart.month) // n
        if k == 0:
            return rule, dtstart
        month = dtstart.month - 1 + k * n
        first = dt.date(dtstart.year + month // 12, month % 12 + 1, 1)
        return rule, dt.datetime.combine(first, clock)
    k = (target.year - dtstart.year) // n
    if k == 0:
        return rule, dtstart
    return rule, dt.datetime.combine(dt.date(dtstart.year + k * n, 1, 1), clock)


def rule_instants(schedule: Schedule, start: dt.datetime, end: dt.datetime) -> list[dt.datetime]:
    """The rule's own instants (UTC) in [start, end), before any exception.

    Bounded whatever the stored rule: it is checked first (InvalidSchedule otherwise), the
    expansion starts at the period before the window, and it stops with InvalidSchedule
    after MAX_INSTANTS instants or MAX_SECONDS."""
    start, end = _aware(start, "start"), _aware(end, "end")
    rule, tz = schedule.checked()
    # Widen by a day each side on the local clock: offsets never exceed ±26 hours.
    lo = to_local_naive(clamp(start), tz) - dt.timedelta(days=1)
    hi = to_local_naive(clamp(end), tz) + dt.timedelta(days=1)
    if lo >= hi:
        return []
    rule, dtstart = _rebase(rule, schedule.dtstart_local, lo)
    if hi < dtstart:
        return []  # the window ends before the cadence begins
    # Shift from the later of the window's end and the (re)start, so neither passes 9999.
    shift = _cycles_below_end(max(hi.year, dtstart.year) + 1)
    lo_s, hi_s = _shift(lo, shift), _shift(hi, shift)
    deadline = _time.monotonic() + MAX_SECONDS
    out = []
    for n, local in enumerate(_dateutil(rule, dtstart, shift), 1):
        if local > hi_s:
            break
        if n > MAX_INSTANTS or _time.monotonic() > deadline:
            raise InvalidSchedule(
                "This cadence's schedule is too costly to expand; simplify its rule.",
                code="invalid_schedule",
            )
        if local < lo_s:
            continue
        instant = place(_shift(local, -shift), tz)
        if start <= instant < end:
            out.append(instant)
    return out


def is_rule_instant(schedule: Schedule, instant: dt.datetime) -> bool:
    instant = _aware(instant, "instant")
    if not FLOOR < instant < CEIL:
        return False
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
    instants = rule_instants(schedule, start, end)  # checks the schedule first
    # A move stored outside the supported years (never through the services) is ignored.
    by_original = {
        e.original_start.astimezone(UTC): e
        for e in exceptions
        if e.new_start is None or FLOOR < e.new_start < CEIL
    }
    out: list[Occurrence] = []

    def make(original: dt.datetime, actual: dt.datetime, **flags) -> Occurrence:
        return Occurrence(
            original_start=original,
            start=actual,
            end=schedule.end_for(actual),
            timezone=schedule.timezone,
            cadence_id=cadence_id,
            all_day=schedule.all_day,
            **flags,
        )

    for instant in instants:
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


# The next occurrence is looked for in the next weeks first (most rules meet within them),
# then over the next year, then rule instant by rule instant however far (a yearly rule, a
# 29 February, a start years ahead): the earliest start in a shorter window is the earliest
# in a longer one, so the answer is the same everywhere (the cadence list, its page, home)
# and a list of next dates costs a few weeks of expansion per rule, not a year.
NEXT_FIRST_DAYS = 35
NEXT_YEAR_DAYS = 400
# Beyond the year: how far past the later of `after` and the start a rule is searched (a
# gap longer than this between two occurrences is no schedule anyone keeps), and how many
# rule instants in a row may all be cancelled or moved away before the search gives up.
NEXT_FAR_YEARS = 100
NEXT_FAR_STEPS = 64


def next_rule_instant(schedule: Schedule, at: dt.datetime) -> dt.datetime | None:
    """The rule's first instant (UTC) at or after `at`, before any exception, however far
    within NEXT_FAR_YEARS of the later of `at` and the schedule's start (and the supported
    years); None when there is none. Bounded as `rule_instants` is: the search starts at
    the period before `at` on a calendar shifted so that dateutil's end of time is at most
    a few decades past the years looked at."""
    at = _aware(at, "at")
    rule, tz = schedule.checked()
    if at >= CEIL:
        return None
    lo = to_local_naive(clamp(at), tz) - dt.timedelta(days=1)
    rule, dtstart = _rebase(rule, schedule.dtstart_local, lo)
    begin = max(lo, dtstart)
    limit = min(
        begin.replace(year=min(begin.year + NEXT_FAR_YEARS, MAX_YEAR + 1), month=1, day=1),
        to_local_naive(CEIL, tz),
    )
    shift = _search_shift(dtstart.year, limit.year - dtstart.year + 1)
    limit_s = _shift(limit, shift)
    deadline = _time.monotonic() + MAX_SECONDS
    for n, local in enumerate(_dateutil(rule, dtstart, shift), 1):
        if local > limit_s:
            return None
        if n > MAX_INSTANTS or _time.monotonic() > deadline:
            raise InvalidSchedule(
                "This cadence's schedule is too costly to expand; simplify its rule.",
                code="invalid_schedule",
            )
        instant = place(_shift(local, -shift), tz)
        if instant >= at:
            return instant if instant < CEIL else None
    return None


def next_occurrence(
    schedule: Schedule,
    after: dt.datetime,
    exceptions: Iterable[ExceptionSpec] = (),
) -> Occurrence | None:
    """The first occurrence (moved or not, not cancelled) starting at or after `after`,
    however far ahead (see NEXT_FAR_YEARS); None when the schedule has no more."""
    after = _aware(after, "after")
    exceptions = list(exceptions)
    lo = after
    for days in (NEXT_FIRST_DAYS, NEXT_YEAR_DAYS):
        hi = plus(after, dt.timedelta(days=days))
        found = occurrences(schedule, lo, hi, exceptions)
        if found:
            return found[0]
        lo = hi
    # Nothing within the year: step from one rule instant to the next. Each window holds
    # one of them, and whatever was moved into it from elsewhere. The steps together have
    # the time one expansion has (MAX_SECONDS), not that much each.
    deadline = _time.monotonic() + MAX_SECONDS
    for _ in range(NEXT_FAR_STEPS):
        if _time.monotonic() > deadline:
            raise InvalidSchedule(
                "This cadence's schedule is too costly to expand; simplify its rule.",
                code="invalid_schedule",
            )
        instant = next_rule_instant(schedule, lo)
        if instant is None:
            break
        hi = plus(instant, dt.timedelta(seconds=1))
        found = occurrences(schedule, lo, hi, exceptions)
        if found:
            return found[0]
        lo = hi
    else:
        return None
    # The rule has ended: one moved past its last instant is still ahead.
    later = [
        e
        for e in exceptions
        if not e.cancelled and e.new_start is not None and lo <= e.new_start < CEIL
    ]
    for e in sorted(later, key=lambda e: e.new_start):
        found = occurrences(
            schedule, e.new_start, plus(e.new_start, dt.timedelta(seconds=1)), later
        )
        if found:
            return found[0]
    return None


def previous_occurrence(
    schedule: Schedule,
    before: dt.datetime,
    exceptions: Iterable[ExceptionSpec] = (),
    *,
    horizon_days: int = 400,
) -> Occurrence | None:
    found = occurrences(
        schedule, plus(before, -dt.timedelta(days=horizon_days)), before, exceptions
    )
    return found[-1] if found else None
