"""What every app's API router shares: auth, writer checks, lookups, concurrency."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models
from django.http import HttpRequest
from ninja.security import HttpBearer

from accord.api import services as tokens
from accord.api import throttle
from accord.core.errors import NotFound, ServiceError
from accord.org.models import Organization, Person


class TokenAuth(HttpBearer):
    """`Authorization: Bearer acc_…`; sets request.org and request.person."""

    def authenticate(self, request: HttpRequest, token: str):
        throttle.check(request)
        found = tokens.authenticate(token)
        if found is None:
            throttle.record_failure(request)
            return None
        request.org = found.org  # type: ignore[attr-defined]
        request.person = found.person  # type: ignore[attr-defined]
        return found


def org_of(request: HttpRequest) -> Organization:
    return request.org  # type: ignore[attr-defined,no-any-return]


def actor_of(request: HttpRequest) -> Person:
    return request.person  # type: ignore[attr-defined,no-any-return]


def get_or_404(queryset: models.QuerySet, pk: Any, what: str):
    """An object of the caller's organization by id (from the path); else 404."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFound(f"No {what} with id {pk}.")
    return obj


def ref(queryset: models.QuerySet, pk: Any, field: str, what: str):
    """An object named in a request body; an unknown or foreign id is a 422 on that field."""
    if pk is None:
        return None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise ServiceError(
            f"No {what} with id {pk} in this organization.",
            fields={field: [f"Unknown {what} {pk}."]},
            code="unknown_reference",
        )
    return obj


def if_match(request: HttpRequest) -> int | None:
    """The version a client based its change on, from `If-Match: "3"` (optional)."""
    raw = request.headers.get("If-Match", "").strip().strip("W/").strip('"')
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise ServiceError(
            'If-Match must carry the object\'s version, for example If-Match: "3".',
            fields={"If-Match": ["Expected a version number."]},
        ) from None


@contextmanager
def body_fields(**names: str) -> Iterator[None]:
    """Name a service's refused fields as the request body does, e.g. parent -> parent_id.

    with body_fields(parent="parent_id"):
        services.update_team(...)
    """
    try:
        yield
    except ServiceError as exc:
        exc.fields = {names.get(k, k): v for k, v in exc.fields.items()}
        raise
