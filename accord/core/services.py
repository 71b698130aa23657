"""Helpers every app's services.py uses, so each write is done the same way."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.db import models
from django.utils.text import slugify

from accord.activity import services as activity
from accord.core.errors import Conflict, NotFound, ServiceError
from accord.org.models import Organization, Person


def require_same_org(org: Organization, obj: Any, what: str) -> None:
    """Refuse an object of another organization as if it did not exist (404, not 403)."""
    if obj is not None and obj.org_id != org.id:
        raise NotFound(f"No such {what} in {org.name}.")


def check_version(obj: models.Model, expected_version: int | None) -> None:
    """Optimistic concurrency: refuse a write based on a stale copy."""
    if expected_version is not None and expected_version != obj.version:  # type: ignore[attr-defined]
        raise Conflict(
            f"This {obj._meta.verbose_name} was changed by someone else "
            f"(you had version {expected_version}, it is now at version "
            f"{obj.version}). Reload and try again."  # type: ignore[attr-defined]
        )


def update_and_record(
    org: Organization,
    actor: Person | None,
    obj: models.Model,
    changes: dict[str, Any],
    *,
    verb: str = "updated",
    expected_version: int | None = None,
) -> models.Model:
    """Apply `changes` to `obj`, bump its version and record one event with before/after.

    Call inside a transaction, after validating `changes`. A no-op change records nothing.
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
    activity.record(org, actor, verb, obj, before=before, after=after)
    return obj


def unique_slug(queryset: models.QuerySet, text: str, *, max_length: int = 80) -> str:
    """A slug for `text` not yet used in `queryset` (which is already scoped to the org)."""
    base = slugify(text)[: max_length - 5] or "item"
    slug, n = base, 2
    while queryset.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def validate_timezone(name: str, field: str = "timezone") -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ServiceError(
            f"Unknown time zone {name!r}; use an IANA name such as Europe/Paris.",
            fields={field: [f"Unknown time zone {name!r}."]},
        ) from None
    return name


def require_text(value: str | None, field: str, *, max_length: int = 200) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"{field.capitalize()} is required.", fields={field: ["Required."]})
    if len(value) > max_length:
        raise ServiceError(
            f"{field.capitalize()} is too long ({len(value)} characters, at most {max_length}).",
            fields={field: [f"At most {max_length} characters."]},
        )
    return value


def parse_date(value: Any, field: str, *, required: bool = False) -> dt.date | None:
    """A date from a date, a datetime or an ISO string; empty is None unless `required`."""
    label = field.replace("_", " ").capitalize()
    if value in (None, ""):
        if required:
            raise ServiceError(f"{label} is required.", fields={field: ["Required."]})
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(
            f"{label} must be a date like 2026-03-31, not {value!r}.",
            fields={field: ["Enter a date (YYYY-MM-DD)."]},
        ) from None
