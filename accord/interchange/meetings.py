"""Reading meeting schedules written by people: "biweekly starting Tuesday Feb 11, 2025",
"third Wednesday", "PT (Pacific Time)", "2PM"… into an RFC 5545 rule, a time and a zone.

Pure functions; each returns its result and the notes on what it had to ignore or could not
read, so the importer can report them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from accord.core.errors import ServiceError
from accord.core.services import validate_timezone

WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
RRULE_DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "last": -1,
}
NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "2": 2, "3": 3, "4": 4}
MONTHS = {
    m: i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
# Spellings of time zones seen in the wild -> IANA names. Ambiguous ones map to None.
ZONE_ALIASES: dict[str, str | None] = {
    "pt": "America/Los_Angeles",
    "pst": "America/Los_Angeles",
    "pdt": "America/Los_Angeles",
    "pacific time": "America/Los_Angeles",
    "pacific": "America/Los_Angeles",
    "et": "America/New_York",
    "est": "America/New_York",
    "edt": "America/New_York",
    "eastern time": "America/New_York",
    "eastern": "America/New_York",
    "ct": "America/Chicago",
    "cst": "America/Chicago",
    "central time": "America/Chicago",
    "mt": "America/Denver",
    "mountain time": "America/Denver",
    "cet": "Europe/Berlin",
    "cest": "Europe/Berlin",
    "central european time": "Europe/Berlin",
    "gmt": "UTC",
    "utc": "UTC",
    "bst": "Europe/London",
    "jst": "Asia/Tokyo",
    "poland": "Europe/Warsaw",
    # IST is India, Ireland or Israel Standard Time; a person has to say which.
    "ist": None,
}


@dataclass
class Parsed:
    value: object = None
    notes: list[str] = field(default_factory=list)  # what was ignored (taken anyway)
    error: str = ""  # why nothing could be taken


def parse_time(raw: object) -> Parsed:
    """'9:00', '09:00', '2PM', '14:30' -> 'HH:MM'."""
    text = str(raw or "").strip()
    m = re.fullmatch(r"(\d{1,2})(?:[:.](\d{2}))?\s*([ap]\.?m\.?)?", text, re.I)
    if not m:
        return Parsed(error=f"cannot read {text!r} as a time of day")
    hour, minute = int(m[1]), int(m[2] or 0)
    if m[3]:
        if not 1 <= hour <= 12:
            return Parsed(error=f"{text!r} is not a 12-hour time")
        hour = hour % 12 + (12 if m[3].lower().startswith("p") else 0)
    elif m[2] is None:
        return Parsed(error=f"{text!r} has no minutes and no am/pm")
    if hour > 23 or minute > 59:
        return Parsed(error=f"{text!r} is not a time of day")
    return Parsed(f"{hour:02d}:{minute:02d}")


def parse_zone(raw: object) -> Parsed:
    """'PT (Pacific Time)', 'Eastern Time (ET)', 'UTC', 'Europe/Paris' -> an IANA name."""
    text = str(raw or "").strip()
    if not text:
        return Parsed(error="no time zone given")
    inside = re.findall(r"\(([^)]*)\)", text)
    outside = re.sub(r"\([^)]*\)", " ", text).strip()
    for candidate in [text, outside, *inside]:
        key = candidate.strip().lower()
        if key in ZONE_ALIASES:
            zone = ZONE_ALIASES[key]
            if zone is None:
                return Parsed(error=f"{text!r} is ambiguous (India, Ireland or Israel?)")
            return Parsed(zone)
        if "/" in candidate:  # the zone of a place (not Etc/GMT+5 nor US/Eastern)
            try:
                return Parsed(validate_timezone(candidate.strip()))
            except ServiceError:
                continue
    return Parsed(error=f"unknown time zone {text!r}")


def find_date(text: str) -> dt.date | None:
    """The first 'March 20, 2019', 'September 10th 2024', '2019 start date: Jan. 11th'."""
    month = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    m = re.search(rf"\b{month}\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", text, re.I)
    if m:
        parts = (int(m[3]), MONTHS[m[1].lower()], int(m[2]))
    else:
        m = re.search(rf"\b(\d{{4}})\b.*?\b{month}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", text, re.I)
        if not m:
            return None
        parts = (int(m[1]), MONTHS[m[2].lower()], int(m[3]))
    try:
        return dt.date(*parts)
    except ValueError:
        return None


def _weekday(text: str) -> int | None:
    for i, name in enumerate(WEEKDAYS):
        if re.search(rf"\b{name}s?\b", text):
            return i
    return None


def _ordinal(text: str) -> int | None:
    for word, n in ORDINALS.items():
        if re.search(rf"\b{word}\b", text):
            return n
    return None


@dataclass
class Schedule:
    rrule: str
    start: dt.date | None = None


def parse_schedule(frequency: object, day: object) -> Parsed:
    """The recurrence of a meeting, from its free-text frequency and day."""
    freq = str(frequency or "").strip()
    day_text = str(day or "").strip()
    f, d = freq.lower(), day_text.lower()
    notes: list[str] = []
    if not f:
        return Parsed(error="no frequency given")
    weekday = _weekday(d)
    if weekday is None:
        weekday = _weekday(f)
    if weekday is None:
        return Parsed(error=f"no day of the week in {day_text!r}")
    start = find_date(day_text) or find_date(freq)
    if start is not None and start.weekday() != weekday:
        notes.append(f"start date {start} is not a {WEEKDAYS[weekday].title()}")
        start = None
    byday = RRULE_DAYS[weekday]

    monthly = bool(re.search(r"\bmonthly\b|\bof (the|each) month\b|\bevery month\b", f))
    interval = None
    if re.search(r"\bbi-?weekly\b|\bevery (other|two|2) weeks?\b|\bfortnightly\b", f):
        interval = 2
    elif m := re.search(r"\bevery (\w+) weeks\b", f):
        interval = NUMBERS.get(m[1])
        if interval is None:
            return Parsed(error=f"cannot read {freq!r} as a frequency")
    elif re.search(r"\bweekly\b", f):
        interval = 1

    if monthly or (interval is None and _ordinal(f + " " + d)):
        if re.search(r"\bafter\b", f):
            return Parsed(error=f"{freq!r} (a day relative to another) cannot be taken")
        ordinal = _ordinal(d) or _ordinal(f)
        if ordinal is None and start is not None:
            ordinal = (start.day - 1) // 7 + 1
        if ordinal is None:
            return Parsed(error=f"{freq!r} does not say which {WEEKDAYS[weekday].title()}")
        rule = f"FREQ=MONTHLY;BYDAY={ordinal}{byday}"
    elif interval is not None:
        rule = f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={byday}"
        if interval == 1:
            rule = f"FREQ=WEEKLY;BYDAY={byday}"
    else:
        return Parsed(error=f"cannot read {freq!r} as a frequency")

    known = (
        r"bi-?weekly|weekly|monthly|every|other|two|three|four|weeks?|month|of|the|each|on|"
        r"starting|start|date|first|second|third|fourth|last|1st|2nd|3rd|4th|\d+(st|nd|rd|th)?|"
        r"(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|"
        + "|".join(f"{w}s?" for w in WEEKDAYS)
    )
    rest = re.sub(rf"\b({known})\b", " ", f)
    rest = re.sub(r"[\s,.:;\-\u2013()]+", " ", rest).strip()
    if rest:
        notes.append(f"ignored {rest!r}")
    return Parsed(Schedule(rule, start), notes=notes)
