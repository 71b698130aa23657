"""Helpers every app's services.py uses, so each write is done the same way."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import connection, models, transaction
from django.utils.text import slugify

from accord.activity import services as activity
from accord.core import timezones
from accord.core.dates import check_in_range
from accord.core.errors import NotFound, ServiceError, Stale
from accord.core.text import blank, codepoint, control_character, direction_control
from accord.org.models import Organization, Person


def require_same_org(org: Organization, obj: Any, what: str) -> None:
    """Refuse an object of another organization as if it did not exist (404, not 403)."""
    if obj is not None and obj.org_id != org.id:
        raise NotFound(f"No such {what} in {org.name}.")


def lock_row(model: type[models.Model], pk: Any) -> None:
    """Lock one row until the transaction ends, so that concurrent writers of what depends
    on it (a person's allocations, a team's stack) take turns. SQLite has no row locks and
    needs none: its transactions begin IMMEDIATE (settings), each holding the database's
    only write lock until it ends, so this costs no query there."""
    if connection.features.has_select_for_update:
        model._default_manager.select_for_update().filter(pk=pk).values_list("pk").get()


def lock_rows(model: type[models.Model], pks: Any) -> None:
    """`lock_row` for many rows in one query, taken in the order of their keys (as every
    writer of several rows takes them, so two of them cannot wait on each other)."""
    if connection.features.has_select_for_update and pks:
        rows = model._default_manager.select_for_update().filter(pk__in=sorted(set(pks)))
        list(rows.order_by("pk").values_list("pk"))


def check_version(obj: models.Model, expected_version: int | frozenset[int] | None) -> None:
    """Optimistic concurrency: refuse a write based on a stale copy (one version, or a set of
    versions any of which is current: `If-Match: "3", "4"`)."""
    if expected_version is None:
        return
    expected = expected_version if isinstance(expected_version, frozenset) else {expected_version}
    if obj.version not in expected:  # type: ignore[attr-defined]
        had = " or ".join(str(v) for v in sorted(expected))
        raise Stale(
            f"This {obj._meta.verbose_name} was changed by someone else "
            f"(you had version {had}, it is now at version "
            f"{obj.version}). Reload and try again.",  # type: ignore[attr-defined]
            obj=obj,
            had=frozenset(expected),
        )


def update_and_record(
    org: Organization,
    actor: Person | None,
    obj: models.Model,
    changes: dict[str, Any],
    *,
    verb: str = "updated",
    expected_version: int | None = None,
    label: str | None = None,
    team: Any = activity.DERIVED,
    keep: dict[str, Any] | None = None,
) -> models.Model:
    """Apply `changes` to `obj`, bump its version and record one event with before/after.

    Call inside a transaction, after validating `changes`. A no-op change records nothing.
    `label` names the object in the event when its own name must not be shown; `team` is
    the event's team when it is not the one `obj` belongs to (`activity.services.record`);
    `keep`, more the event's `after` holds besides the change (names a page reads it by).
    """
    check_version(obj, expected_version)
    before = activity.snapshot(obj, changes.keys())
    for name, value in changes.items():
        setattr(obj, name, value)
    after = activity.snapshot(obj, changes.keys())
    before, after = activity.diff(before, after)
    if not after:
        return obj
    update_fields = [obj._meta.get_field(n).attname for n in after]
    if hasattr(obj, "version"):
        obj.version += 1
        update_fields.append("version")
    obj.save(update_fields=update_fields)
    named = {} if label is None else {"label": label}
    after |= keep or {}
    activity.record(org, actor, verb, obj, before=before, after=after, team=team, **named)
    return obj


def require_unique_name(
    queryset: models.QuerySet,
    name: str,
    label: str,
    leave_out: models.Model | None = None,
    *,
    ignore_case: bool = False,
) -> None:
    """Refuse `name` when another row of `queryset` (already scoped to the organization)
    has it, `leave_out` aside: the row being renamed keeps its own name."""
    clash = queryset.filter(**{"name__iexact" if ignore_case else "name": name})
    if leave_out is not None:
        clash = clash.exclude(pk=leave_out.pk)
    if clash.exists():
        raise ServiceError(
            f"A {label} named {name!r} already exists.",
            fields={"name": ["Already in use."]},
            code="duplicate",
        )


def unique_slug(
    queryset: models.QuerySet, text: str, *, max_length: int = 80, taken: Collection[str] = ()
) -> str:
    """A slug for `text` not yet used in `queryset` (which is already scoped to the org),
    nor among `taken` (lower case: those an import is about to use)."""
    base = slugify(text)[: max_length - 5] or "item"
    slug, n = base, 2
    while slug in taken or queryset.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def validate_timezone(name: str, field: str = "timezone", *, kept: str | None = None) -> str:
    """The one check of a time zone given to Accord (people, agents and cadences, from the
    forms, the API, organization files and CSV): the IANA zone of a place, Area/Location, or
    UTC, in any case, returned as the zone database spells it. EST, Etc/GMT+5, US/Eastern…
    are refused, naming the zone usually meant (`accord.core.timezones`). `kept`, the zone
    the object has now, stands when given again unchanged, so what was stored before keeps
    working."""
    if kept is not None and name == kept:
        return name
    zone, why = timezones.check(name)
    if why:
        raise ServiceError(why, fields={field: [why]})
    return zone


# The most characters a long free text holds (a description, a flag's note, a resolution):
# the services refuse more, so the forms, the API and the organization file and CSV (which
# must read back every export) share one limit. A shorter text (a title, a mission) has
# its own, passed to `require_text`.
LONG_TEXT_MAX = 20_000


def require_long_text(value: Any, field: str, *, label: str | None = None) -> str:
    """An optional long text (`LONG_TEXT_MAX`): stripped, "" when empty; refused, naming
    `label` (else the field), as `require_text` refuses a text, except that it may hold
    direction controls (paragraphs of mixed scripts, pasted from elsewhere, end each one
    left open)."""
    return require_text(
        value, field, max_length=LONG_TEXT_MAX, required=False, label=label, directions=True
    )


def require_text(
    value: Any,
    field: str,
    *,
    max_length: int = 200,
    required: bool = True,
    label: str | None = None,
    directions: bool = False,
) -> str:
    """`value` stripped, refused with a message naming `label` (else the field) when it is
    empty and `required`, holds a NUL or another control character (a tab and a line break
    are text), a direction override, embedding or isolate (unless `directions`), or is
    longer than `max_length`. Only characters that show nothing (a zero-width space, a
    Hangul filler: `accord.core.text.blank`) count as empty; empty is "" when not
    `required`. The one check of free text every service makes; a form shows its refusal
    beside the field (`accord.web.helpers.form_error`)."""
    value = "" if value is None else str(value).strip()
    name = label or field.replace("_", " ").capitalize()
    if value and blank(value):
        if required:
            shown = ", ".join(list(dict.fromkeys(codepoint(ch) for ch in value))[:5])
            raise ServiceError(
                f"{name} is required: what was given shows nothing (only {shown}).",
                fields={field: ["Required."]},
            )
        value = ""
    if not value and required:
        raise ServiceError(f"{name} is required.", fields={field: ["Required."]})
    if "\x00" in value:  # SQLite would store it, PostgreSQL refuses it: refuse it on both
        raise ServiceError(
            f"{name} contains a NUL character (\\x00).",
            fields={field: ["Null characters are not allowed."]},
        )
    if (ch := control_character(value)) is not None:
        raise ServiceError(
            f"{name} contains a control character ({codepoint(ch)}); remove it.",
            fields={field: ["Control characters are not allowed (tabs and line breaks are)."]},
        )
    if not directions and (ch := direction_control(value)) is not None:
        raise ServiceError(
            f"{name} contains a text-direction control ({codepoint(ch)}), which turns "
            "the text after it around; remove it.",
            fields={
                field: ["Direction override, embedding and isolate characters are not allowed."]
            },
        )
    if len(value) > max_length:
        raise ServiceError(
            f"{name} is too long ({len(value):,} characters, at most {max_length:,}).",
            fields={field: [f"At most {max_length:,} characters."]},
        )
    return value


def parse_date(value: Any, field: str, *, required: bool = False) -> dt.date | None:
    """A date from a date, a datetime or an ISO string; empty is None unless `required`.
    A date outside the supported years (accord.core.dates) is refused, naming the field."""
    label = field.replace("_", " ").capitalize()
    if value in (None, ""):
        if required:
            raise ServiceError(f"{label} is required.", fields={field: ["Required."]})
        return None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            raise ServiceError(
                f"{label} must be a date like 2026-03-31, not {value!r}.",
                fields={field: ["Enter a date (YYYY-MM-DD)."]},
            ) from None
    check_in_range(day, field, label)
    return day


def decimal_bounds(model: type[models.Model], name: str) -> tuple[Decimal, int]:
    """(largest magnitude, decimal places) that `model.name`, a DecimalField, can hold."""
    field = model._meta.get_field(name)
    places = field.decimal_places  # type: ignore[union-attr]
    digits = field.max_digits  # type: ignore[union-attr]
    largest = Decimal(10) ** (digits - places) - Decimal(10) ** -places
    return largest, places


# 1,234.5 (as the pages write), or 12,34,567.5 (grouped in lakhs)
_GROUPED = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d{1,2}(,\d{2})+,\d{3})(\.\d*)?")
_COMMA = re.compile(r"[+-]?\d*,\d+")  # 99,97: a decimal comma
_DOTTED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+,\d*")  # 1.234,5


# The forms people type for one unit, whichever of them a key result spells out.
UNIT_FORMS = (
    ("hours", "hour", "hrs", "hr", "h"),
    ("minutes", "minute", "mins", "min"),
    ("days", "day", "d"),
    ("weeks", "week", "wks", "wk"),
    ("percent", "pct", "%"),
)


def read_decimal(value: Any, unit: str = "") -> Decimal:
    """A number as a person types it: "1234.5", "1,234.5" (grouped as the pages write
    numbers), "99,97" or "1.234,5" (a decimal comma), spaces between groups ignored. NaN
    when it is not one. Three digits after a lone comma read as a group: "1,234" is 1234.
    With a `unit` (a key result's "%"), the number may be followed by it, or by another
    form of it (`UNIT_FORMS`): "99,96 %", "2.5 hours", "2.5 hrs", "2,5 h"."""
    text = str(value).strip()
    for space in (" ", "\u00a0", "\u202f", "'"):
        text = text.replace(space, "")
    unit = "".join(str(unit).split()).lower()
    forms = next((f for f in UNIT_FORMS if unit in f), (unit,)) if unit else ()
    for form in sorted(forms, key=len, reverse=True):
        if text.lower().endswith(form) and len(text) > len(form):
            text = text[: -len(form)]
            break
    if _GROUPED.fullmatch(text):
        text = text.replace(",", "")
    elif _DOTTED.fullmatch(text):
        text = text.replace(".", "").replace(",", ".")
    elif _COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except (InvalidOperation, ValueError):
        return Decimal("NaN")


def parse_decimal(value: Any, model: type[models.Model], name: str, field: str = "") -> Decimal:
    """A number for `model.name` (a DecimalField) from a form, a body or a file: refused
    unless it is finite and fits the column (magnitude and decimal places), because a
    database that stores a larger one (SQLite does) cannot read it back."""
    field = field or name
    d = read_decimal(value)
    if not d.is_finite():
        raise ServiceError(f"{value!r} is not a number.", fields={field: ["Enter a number."]})
    largest, places = decimal_bounds(model, name)
    if abs(d) > largest:
        raise ServiceError(
            f"{value} is too large: at most {largest} either way.",
            fields={field: [f"Enter a number between -{largest} and {largest}."]},
        )
    if d != d.quantize(Decimal(10) ** -places, rounding="ROUND_DOWN"):
        raise ServiceError(
            f"{value} has too many decimal places (at most {places}).",
            fields={field: [f"At most {places} decimal places."]},
        )
    return d


def delete_unless_in_use(obj: models.Model, name: str) -> None:
    """Delete `obj`, or refuse (422 `in_use`, naming what still uses it) when protected
    references hold it. Call inside the service's transaction: a refusal undoes the
    events recorded before it."""
    try:
        with transaction.atomic():
            obj.delete()
    except (models.ProtectedError, models.RestrictedError) as exc:
        users = (
            exc.protected_objects
            if isinstance(exc, models.ProtectedError)
            else exc.restricted_objects
        )
        kinds = sorted({str(o._meta.verbose_name_plural) for o in users})
        examples = sorted({str(o) for o in users})[:3]
        raise ServiceError(
            f"{name} is still used by {', '.join(kinds)} ({', '.join(examples)}); "
            "move or delete them first.",
            code="in_use",
        ) from None
