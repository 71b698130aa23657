"""The recurrence picker of the cadence form: the few schedules people choose most, as
plain choices, written to (and read back from) the RFC 5545 rule a cadence stores.

`rule_for` writes a rule from the picker's choices; `choices_for` reads a stored rule back
into them, or gives None when the picker cannot say it (the form then shows the raw rule).
Whether a rule is valid is still decided in one place, `recurrence` (via the services).
"""

from __future__ import annotations

import datetime as dt
import re

from accord.core.errors import ServiceError
from accord.rhythm import recurrence
from accord.web.templatetags.dates import day as day_words

ONCE, DAILY, WORKDAILY = "once", "daily", "weekdays"
WEEKLY, BIWEEKLY, MONTHLY_NTH = "weekly", "biweekly", "monthly_nth"
MONTH_END, QUARTER_END, CUSTOM = "month_last_workday", "quarter_last_workday", "custom"
PATTERNS = (
    (ONCE, "Once (on the start date)"),
    (DAILY, "Every day"),
    (WORKDAILY, "Every weekday (Monday to Friday)"),
    (WEEKLY, "Every week on…"),
    (BIWEEKLY, "Every other week on…"),
    (MONTHLY_NTH, "Every month on the… (e.g. the first Tuesday)"),
    (MONTH_END, "The last business day of every month"),
    (QUARTER_END, "The last business day of every quarter"),
    (CUSTOM, "Advanced: the rule below"),
)
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DAYS = tuple(zip(recurrence.WEEKDAYS, DAY_NAMES, strict=True))
ORDINALS = (("1", "first"), ("2", "second"), ("3", "third"), ("4", "fourth"), ("-1", "last"))
WORKDAYS = "MO,TU,WE,TH,FR"
QUARTER_MONTHS = (3, 6, 9, 12)
# A meeting held once: its one occurrence is the cadence's start date, at its time.
ONCE_RULE = "FREQ=DAILY;COUNT=1"


def _refuse(field: str, message: str) -> ServiceError:
    return ServiceError(message, fields={field: [message]}, code="invalid_recurrence")


_UNTIL_PART = re.compile(r";?UNTIL=[^;]*", re.IGNORECASE)


def with_until(rule: str, ends_on: dt.date | None) -> str:
    """`rule` ending on `ends_on` (its UNTIL replaced), or with no UNTIL for None. The rule
    runs on the cadence's wall-clock time, so the day's last second keeps an occurrence
    later that day; `recurrence` judges the rule (an UNTIL with COUNT is refused there)."""
    rule = _UNTIL_PART.sub("", recurrence.normalize_rule(rule)).strip(";")
    return f"{rule};UNTIL={ends_on:%Y%m%d}T235959" if ends_on and rule else rule


def rule_for(
    pattern: str, days: list[str] | None = None, ordinal: str = "", weekday: str = ""
) -> str:
    """The rule for the picker's choices; a clear refusal when one is missing."""
    days = [d for d in recurrence.WEEKDAYS if d in (days or [])]  # in week order, known only
    if pattern == ONCE:
        return ONCE_RULE
    if pattern == DAILY:
        return "FREQ=DAILY"
    if pattern == WORKDAILY:
        return f"FREQ=WEEKLY;BYDAY={WORKDAYS}"
    if pattern in (WEEKLY, BIWEEKLY):
        if not days:
            raise _refuse("days", "Choose at least one day of the week.")
        interval = ";INTERVAL=2" if pattern == BIWEEKLY else ""
        return f"FREQ=WEEKLY{interval};BYDAY={','.join(days)}"
    if pattern == MONTHLY_NTH:
        if ordinal not in dict(ORDINALS):
            raise _refuse("ordinal", "Choose which one: first, second, third, fourth or last.")
        if weekday not in recurrence.WEEKDAYS:
            raise _refuse("weekday", "Choose the day of the week.")
        return f"FREQ=MONTHLY;BYDAY={ordinal}{weekday}"
    if pattern == MONTH_END:
        return f"FREQ=MONTHLY;BYDAY={WORKDAYS};BYSETPOS=-1"
    if pattern == QUARTER_END:
        return f"FREQ=MONTHLY;BYMONTH=3,6,9,12;BYDAY={WORKDAYS};BYSETPOS=-1"
    raise _refuse("repeat", f"Unknown schedule {pattern!r}.")


def ends_on(rule: str) -> dt.date | None:
    """The last day of `rule` (its UNTIL), as the form's "Ends on" shows it; None without."""
    try:
        until = recurrence.parse_parts(rule).until
    except ServiceError:
        return None
    return until.date() if until else None


def choices_for(rule: str) -> dict | None:
    """The picker's choices that write exactly `rule`'s schedule (its end apart: "Ends on",
    `ends_on`), or None."""
    try:
        parts = recurrence.parse_parts(with_until(rule, None))
    except ServiceError:
        return None
    if parts.freq == "DAILY" and parts.interval == 1 and parts.text == "FREQ=DAILY":
        return {"repeat": DAILY}
    if parts.text == ONCE_RULE:
        return {"repeat": ONCE}
    if parts.count or parts.bymonthday or parts.byweekno or parts.byyearday or "WKST" in parts.text:
        return None
    weekdays = [recurrence.WEEKDAYS[d] for d, _ in parts.byday]
    ordinals = {n for _, n in parts.byday}
    plain = parts.byday and ordinals == {0} and len(set(weekdays)) == len(weekdays)
    if parts.freq == "WEEKLY" and plain and not (parts.bymonth or parts.bysetpos):
        if parts.interval == 1 and sorted(weekdays) == sorted(WORKDAYS.split(",")):
            return {"repeat": WORKDAILY}
        pattern = {1: WEEKLY, 2: BIWEEKLY}.get(parts.interval)
        days = [d for d in recurrence.WEEKDAYS if d in weekdays]
        return {"repeat": pattern, "days": days} if pattern else None
    if parts.freq != "MONTHLY" or parts.interval != 1:
        return None
    if len(parts.byday) == 1 and not parts.bymonth:
        (day, n), setpos = parts.byday[0], parts.bysetpos
        if n == 0 and len(setpos) == 1:  # BYDAY=TU;BYSETPOS=1 is the first Tuesday too
            n = setpos[0]
        elif setpos:
            return None
        if str(n) in dict(ORDINALS):
            return {"repeat": MONTHLY_NTH, "ordinal": str(n), "weekday": recurrence.WEEKDAYS[day]}
        return None
    if plain and sorted(weekdays) == sorted(WORKDAYS.split(",")) and parts.bysetpos == (-1,):
        if not parts.bymonth:
            return {"repeat": MONTH_END}
        if sorted(parts.bymonth) == list(QUARTER_MONTHS):
            return {"repeat": QUARTER_END}
    return None


def _listed(items: list[str]) -> str:
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else items[0]


MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
_SHORTEST = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # each month's days, at fewest
_NTH = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}
_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}


def _nth(n: int) -> str:
    if n in _NTH:
        return _NTH[n]
    if n < 0 and -n - 1 in _NTH:
        return f"{_NTH[-n]}-to-last"
    return f"{n}th"


def _day_of_month(n: int) -> str:
    if n < 0:
        return "last day" if n == -1 else f"{_nth(-n)}-to-last day"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _every(parts: recurrence.RuleParts) -> str:
    unit, n = _UNITS[parts.freq], parts.interval
    return f"Every {unit}" if n == 1 else f"Every other {unit}" if n == 2 else f"Every {n} {unit}s"


def _described(parts: recurrence.RuleParts) -> str | None:
    """Any other rule of the common parts in words ("Every day", "Every month on the 31st
    (skipped in months without one)"); None for the rarer ones (week numbers, days of the
    year, BYSETPOS, a week start), which stay the rule."""
    if parts.byweekno or parts.byyearday or parts.bysetpos or "WKST" in parts.text:
        return None
    names = dict(DAYS)
    plain = [recurrence.WEEKDAYS[d] for d, n in parts.byday if n == 0]
    nth = [(recurrence.WEEKDAYS[d], n) for d, n in parts.byday if n != 0]
    months = f" in {_listed([MONTH_NAMES[m - 1] for m in parts.bymonth])}" if parts.bymonth else ""
    said = _every(parts)
    if parts.freq == "DAILY" and plain and not nth:
        if parts.interval != 1:
            return None
        if sorted(plain) == sorted(WORKDAYS.split(",")):
            return f"Every weekday{months}"
        return f"Every {_listed([names[d] for d in plain])}{months}"
    if parts.freq in ("DAILY", "WEEKLY") and parts.bymonthday:
        return None
    if parts.byday and parts.bymonthday:
        return None  # only the days that are both: rare, and long to say
    if plain and nth:
        return None
    if parts.freq == "WEEKLY" and plain:
        return f"{said} on {_listed([names[d] for d in plain])}{months}"
    if parts.freq == "MONTHLY" and plain:
        return f"{said}, every {_listed([names[d] for d in plain])}{months}"
    if parts.freq == "YEARLY" and plain:
        return f"{said}, every {_listed([names[d] for d in plain])}{months}" if months else None
    if nth:
        of = ""
        if parts.freq == "YEARLY":
            if not parts.bymonth:
                return None
            of, months = f" of {_listed([MONTH_NAMES[m - 1] for m in parts.bymonth])}", ""
        said += f" on the {_listed([f'{_nth(n)} {names[d]}' for d, n in nth])}{of}{months}"
        fifth = any(abs(n) == 5 for _, n in nth)  # not every month has a fifth Monday
        return said + (" (skipped in months without one)" if fifth else "")
    if parts.bymonthday:
        days = [_day_of_month(n) for n in parts.bymonthday]
        if parts.freq == "YEARLY" and parts.bymonth:
            of = _listed([MONTH_NAMES[m - 1] for m in parts.bymonth])
            said += f" on the {_listed(days)} of {of}"
        else:
            said += f" on the {_listed(days)}{months}"
        # A day a month lacks (the 31st in April, the 29th of February most years) is
        # skipped that month, as RFC 5545 and dateutil have it, not moved.
        shortest = min((_SHORTEST[m - 1] for m in parts.bymonth), default=28)
        if any(abs(n) > shortest for n in parts.bymonthday):
            said += f" (skipped in {'years' if parts.bymonth == (2,) else 'months'} without one)"
        return said
    return said + months


def in_words(rule: str, at: str = "", start: dt.date | None = None) -> str | None:
    """A rule said in words: as the picker's choices read ("Every week on Monday and
    Thursday", "Every month on the first Tuesday"), or any other of the common parts
    ("Every other day", "Every month on the 31st (skipped in months without one)"), then
    `at` (a cadence's time and zone: "at 16:00 Europe/Berlin"), with its end ("(until 22
    Dec 2026)", "(10 times)"). A meeting held once is "Once, on 8 Dec 2026" with its
    cadence's `start` (the day it is held), else "Once". None for a rule no words fit (or
    no rule): it is shown as the rule."""
    try:
        parts = recurrence.parse_parts(rule)
    except ServiceError:
        return None
    if parts.text == ONCE_RULE:
        said = f"Once, on {day_words(start)}" if start else "Once"
        return f"{said} {at}" if at else said
    said = _picked_words(with_until(rule, None)) or _described(parts)
    if said is None:
        return None
    if at:
        said = f"{said} {at}"
    if parts.until:
        return f"{said} (until {day_words(parts.until.date())})"
    if parts.count:
        return f"{said} ({parts.count} time{'s' if parts.count != 1 else ''})"
    return said


def _picked_words(rule: str) -> str | None:
    """A rule the picker can say, said as its choices read; None for any other."""
    c = choices_for(rule)
    if c is None:
        return None
    names = dict(DAYS)
    if c["repeat"] in (WEEKLY, BIWEEKLY):
        days = [names[d] for d in c["days"]]
        return f"Every {'other ' if c['repeat'] == BIWEEKLY else ''}week on {_listed(days)}"
    if c["repeat"] == MONTHLY_NTH:
        return f"Every month on the {dict(ORDINALS)[c['ordinal']]} {names[c['weekday']]}"
    if c["repeat"] == WORKDAILY:
        return "Every weekday"
    return dict(PATTERNS)[c["repeat"]]
