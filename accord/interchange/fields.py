"""The fields of the organization file: one table per kind, read by the validator, the JSON
Schema generator and the documentation, so the three cannot disagree."""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from accord.core.services import LONG_TEXT_MAX

SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
KEY = re.compile(r"^[-a-zA-Z0-9_.:/@]+$")


class Invalid(ValueError):
    """A value that cannot be taken; the message says why."""


class KeptOnly(Invalid):
    """A value that cannot be given anew but stays on an object that already holds it (a
    time zone such as EST, stored before such zones were refused): the engine takes it
    only for an item whose existing object has this very `value`."""

    def __init__(self, message: str, value: Any):
        super().__init__(message)
        self.value = value


# How a yes/no is written in a file or a spreadsheet cell (any case): true, yes, y, 1 or x
# (a ticked box); false, no, n or 0.
BOOL_WORDS = {
    "true": True,
    "yes": True,
    "y": True,
    "1": True,
    "x": True,
    "false": False,
    "no": False,
    "n": False,
    "0": False,
}


STR_MAX = 200  # the most characters of a short text field unless it says otherwise


@dataclass(frozen=True)
class F:
    name: str
    # str, text, slug, key, email, address (lower-cased e-mail), handle (kind:name), int,
    # number, bool, date, timezone, rrule, list
    type: str
    required: bool = False
    default: Any = None
    choices: tuple[str, ...] = ()
    max_length: int = STR_MAX  # a text's: LONG_TEXT_MAX unless given (see `limit`)
    minimum: float | None = None
    maximum: float | None = None
    ref: str = ""  # section this field refers to, by key
    items: str = "str"  # for lists: type of each item
    doc: str = ""
    auto: bool = False  # left at its default in a file, Accord's own value stands
    export_only: bool = False  # written by an export, never applied (e.g. issues' vote counts)
    # An explicit null is a value of its own (e.g. an allocation that is unknown), while
    # leaving the field out still means its default.
    null_means_unknown: bool = False
    # Matched in any case and kept lower-cased: the short names of the organization's lists
    # (a membership's role, a team's kind), which Accord stores lower-cased.
    lower: bool = False

    @property
    def limit(self) -> int:
        """The most characters of a value: `max_length`, for a text (a description) the
        services' LONG_TEXT_MAX unless a shorter limit is given (a mission's 2000)."""
        if self.type == "text" and self.max_length == STR_MAX:
            return LONG_TEXT_MAX
        return self.max_length

    def clean(self, value: Any) -> Any:
        """The value in canonical form, or Invalid."""
        if value is None:
            if self.required:
                raise Invalid("is required")
            return self.default
        if self.type == "list":
            if not isinstance(value, list):
                raise Invalid(f"must be a list, not {_type_name(value)}")
            if len(value) > 1000:
                raise Invalid("has more than 1000 items")
            item_field = F(self.name, self.items, required=True, max_length=self.max_length)
            out = []
            for i, item in enumerate(value):
                try:
                    out.append(item_field.clean(item))
                except Invalid as exc:
                    raise Invalid(f"item {i + 1} {exc}") from None
            return out
        return _CLEAN[self.type](self, value)


def _type_name(value: Any) -> str:
    for kind, name in (
        (dict, "a mapping"),
        (list, "a list"),
        (bool, "true/false"),
        (int, "a number"),
        (float, "a number"),
        (str, "text"),
    ):
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _str(f: F, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise Invalid(f"must be text, not {_type_name(value)}")
    text = str(value).strip()
    if f.required and not text:
        raise Invalid("must not be empty")
    if len(text) > f.max_length:
        raise Invalid(f"is too long ({len(text)} characters, at most {f.max_length})")
    if f.choices and text not in f.choices:
        # An enumerated value in any case ("Active", "LEAD") is the one it spells.
        canonical = {c.lower(): c for c in f.choices}.get(text.lower())
        if canonical is None:
            raise Invalid(f"must be one of {', '.join(f.choices)}")
        text = canonical
    return text.lower() if f.lower else text


def _text(f: F, value: Any) -> str:
    """A long text, up to `F.limit` characters, as the services take it. Longer text that
    the object holds already (stored before the services refused it) stays, so its export
    reads back: it is only refused given anew (`KeptOnly`)."""
    long = F(f.name, "str", f.required, max_length=10**9)
    text = _str(long, value)
    if len(text) > f.limit:
        raise KeptOnly(f"is too long ({len(text):,} characters, at most {f.limit:,})", text)
    return text


def _slug(f: F, value: Any) -> str:
    text = _str(f, value)
    if text and not SLUG.match(text):
        raise Invalid("may hold only letters, digits, - and _")
    return text


def _key(f: F, value: Any) -> str:
    text = _str(f, value)
    if text and not KEY.match(text):
        raise Invalid("may hold only letters, digits and - _ . : / @")
    return text


def _email(f: F, value: Any) -> str:
    text = _str(f, value)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise Invalid("is not an e-mail address") from None
    return text


def _address(f: F, value: Any) -> str:
    """An e-mail address as Accord matches it: lower-cased."""
    return _email(f, value).lower()


HANDLE = re.compile(r"^(github|gitlab|slack|matrix|irc|other):@?\S+$")  # for the schema


def _handle(f: F, value: Any) -> str:
    """A handle elsewhere, `kind:name` (github:ada), as the person's page and the API write it."""
    from accord.core.errors import ServiceError
    from accord.org.services import handle_text, parse_handle

    try:
        return handle_text(*parse_handle(_str(f, value)))
    except ServiceError as exc:
        raise Invalid(f"is not a handle: {exc.message}") from None


_NUMERIC = re.compile(r"[-+]?\d+(\.\d*)?([eE][-+]?\d+)?")


def _numeric_text(value: Any) -> Any:
    """`1e5` or `1.0e308` (YAML 1.2 spellings that YAML 1.1 reads as text) as numbers."""
    if isinstance(value, str) and _NUMERIC.fullmatch(value.strip()):
        number = float(value)
        return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return value


def _int(f: F, value: Any) -> int:
    value = _numeric_text(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"must be a whole number, not {_type_name(value)}")
    if isinstance(value, float) and not value.is_integer():
        raise Invalid("must be a whole number")
    return int(_range(f, value))


def _number(f: F, value: Any) -> float | int:
    value = _numeric_text(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"must be a number, not {_type_name(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise Invalid("must be a finite number")
    value = _range(f, value)
    return int(value) if float(value).is_integer() else float(value)


def _range(f: F, value: float) -> float:
    if f.minimum is not None and value < f.minimum:
        raise Invalid(f"must be at least {f.minimum:g}")
    if f.maximum is not None and value > f.maximum:
        raise Invalid(f"must be at most {f.maximum:g}")
    return value


def _bool(f: F, value: Any) -> bool:
    if isinstance(value, str) and value.strip().lower() in BOOL_WORDS:
        return BOOL_WORDS[value.strip().lower()]
    if not isinstance(value, bool):
        shown = repr(value.strip()) if isinstance(value, str) else _type_name(value)
        raise Invalid(f"must be true or false (also yes/no, y/n, 1/0, x for yes), not {shown}")
    return value


def _date(f: F, value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise Invalid("must be a date written YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise Invalid("is not a day of the calendar") from None


def _datetime(f: F, value: Any) -> str:
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        text = _str(F(f.name, "str", max_length=40), value)
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise Invalid("must be a date and time such as 2026-03-01T09:30:00+00:00") from None
    if parsed.tzinfo is None:
        raise Invalid("needs a time zone offset, e.g. +00:00")
    return parsed.astimezone(dt.UTC).isoformat()


def _timezone(f: F, value: Any) -> str:
    # The one check every time zone given to Accord passes (accord.core.services).
    from accord.core.errors import ServiceError
    from accord.core.services import validate_timezone

    text = _str(f, value)
    try:
        return validate_timezone(text)
    except ServiceError as exc:
        # Refused as new input; an object that has this zone already keeps it.
        raise KeptOnly(f"is refused: {exc.message.rstrip('.')}", text) from None


def _rrule(f: F, value: Any) -> str:
    # The rhythm's own parser, so a file accepts exactly what the forms and the API accept.
    from accord.core.errors import ServiceError
    from accord.rhythm import recurrence

    text = _str(f, value)
    try:
        return recurrence.parse_parts(text).text
    except ServiceError as exc:
        raise Invalid(f"is not a valid RFC 5545 rule: {exc.fields['rrule'][0]}") from None


def _time(f: F, value: Any) -> str:
    text = _str(f, value)
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not m or int(m[1]) > 23 or int(m[2]) > 59:
        raise Invalid("must be a time of day written HH:MM")
    return f"{int(m[1]):02d}:{m[2]}"


_CLEAN = {
    "str": _str,
    "text": _text,
    "slug": _slug,
    "key": _key,
    "email": _email,
    "address": _address,
    "handle": _handle,
    "int": _int,
    "number": _number,
    "bool": _bool,
    "date": _date,
    "datetime": _datetime,
    "timezone": _timezone,
    "rrule": _rrule,
    "time": _time,
}


def json_schema_of(f: F) -> dict[str, Any]:
    """The JSON Schema of one field."""
    base: dict[str, Any]
    if f.type == "list":
        item = F(f.name, f.items, required=True, max_length=f.max_length)
        base = {"type": "array", "items": json_schema_of(item)}
        base.pop("description", None)
    elif f.type in ("int",):
        base = {"type": "integer"}
    elif f.type == "number":
        base = {"type": "number"}
    elif f.type == "bool":
        base = {"type": "boolean"}
    else:
        base = {"type": "string"}
        if f.type == "date":
            base["format"] = "date"
        elif f.type == "datetime":
            base["format"] = "date-time"
        elif f.type in ("email", "address"):
            base["format"] = "email"
        elif f.type == "handle":
            base["pattern"] = HANDLE.pattern
        elif f.type in ("slug",):
            base["pattern"] = SLUG.pattern
        elif f.type == "time":
            base["pattern"] = r"^\d{1,2}:\d{2}$"
        if f.type not in ("date", "datetime", "timezone", "rrule", "time"):
            base["maxLength"] = f.limit
        if f.choices:
            base["enum"] = list(f.choices)
    if f.minimum is not None:
        base["minimum"] = f.minimum
    if f.maximum is not None:
        base["maximum"] = f.maximum
    if not f.required:
        if f.default is None or f.null_means_unknown:
            base = {"anyOf": [base, {"type": "null"}]}
        # (a default that is no value, such as NOT_GIVEN, leaves it to the services' rule)
        if isinstance(f.default, str | int | float | list):
            base["default"] = f.default
    if f.doc:
        base["description"] = f.doc
    return base
