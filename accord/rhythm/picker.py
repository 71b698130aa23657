"""The recurrence picker of the cadence form: the few schedules people choose most, as
plain choices, written to (and read back from) the RFC 5545 rule a cadence stores.

`rule_for` writes a rule from the picker's choices; `choices_for` reads a stored rule back
into them, or gives None when the picker cannot say it (the form then shows the raw rule).
Whether a rule is valid is still decided in one place, `recurrence` (via the services).
"""

from __future__ import annotations

from accord.core.errors import ServiceError
from accord.rhythm import recurrence

WEEKLY, BIWEEKLY, MONTHLY_NTH = "weekly", "biweekly", "monthly_nth"
MONTH_END, QUARTER_END, CUSTOM = "month_last_workday", "quarter_last_workday", "custom"
PATTERNS = (
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


def _refuse(field: str, message: str) -> ServiceError:
    return ServiceError(message, fields={field: [message]}, code="invalid_recurrence")


def rule_for(
    pattern: str, days: list[str] | None = None, ordinal: str = "", weekday: str = ""
) -> str:
    """The rule for the picker's choices; a clear refusal when one is missing."""
    days = [d for d in recurrence.WEEKDAYS if d in (days or [])]  # in week order, known only
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


def choices_for(rule: str) -> dict | None:
    """The picker's choices that write exactly `rule`'s schedule, or None."""
    try:
        parts = recurrence.parse_parts(rule)
    except ServiceError:
        return None
    if (
        parts.count
        or parts.until
        or parts.bymonthday
        or parts.byweekno
        or parts.byyearday
        or "WKST" in parts.text
    ):
        return None
    weekdays = [recurrence.WEEKDAYS[d] for d, _ in parts.byday]
    ordinals = {n for _, n in parts.byday}
    plain = parts.byday and ordinals == {0} and len(set(weekdays)) == len(weekdays)
    if parts.freq == "WEEKLY" and plain and not (parts.bymonth or parts.bysetpos):
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


def in_words(rule: str) -> str | None:
    """A rule the picker can say, said as its choices read ("Every week on Monday and
    Thursday", "Every month on the first Tuesday"); None for any other rule."""
    c = choices_for(rule)
    if c is None:
        return None
    names = dict(DAYS)
    if c["repeat"] in (WEEKLY, BIWEEKLY):
        days = [names[d] for d in c["days"]]
        said = " and ".join([", ".join(days[:-1]), days[-1]]) if len(days) > 1 else days[0]
        return f"Every {'other ' if c['repeat'] == BIWEEKLY else ''}week on {said}"
    if c["repeat"] == MONTHLY_NTH:
        return f"Every month on the {dict(ORDINALS)[c['ordinal']]} {names[c['weekday']]}"
    return dict(PATTERNS)[c["repeat"]]
