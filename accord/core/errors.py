"""The one error type services raise for refused input; views, API and CLI render it."""

from __future__ import annotations


class ServiceError(Exception):
    """A write was refused. Nothing was changed.

    `fields` maps a field name to its messages, for forms and the API's 422 responses.
    `code` is a short machine-readable reason.
    """

    status = 400

    def __init__(
        self, message: str, *, fields: dict[str, list[str]] | None = None, code: str = "invalid"
    ):
        super().__init__(message)
        self.message = message
        self.fields = fields or {}
        self.code = code


class PermissionDenied(ServiceError):
    status = 403

    def __init__(self, message: str = "You do not have permission to do that."):
        super().__init__(message, code="forbidden")


class NotFound(ServiceError):
    status = 404

    def __init__(self, message: str = "Not found."):
        super().__init__(message, code="not_found")


class Conflict(ServiceError):
    status = 409

    def __init__(self, message: str):
        super().__init__(message, code="conflict")


class Stale(Conflict):
    """A write based on a stale copy (`check_version`): `obj` is the object as it is now,
    `had` the versions the writer had seen, so a form can say what changed meanwhile."""

    def __init__(self, message: str, *, obj, had: frozenset[int]):
        super().__init__(message)
        self.obj = obj
        self.had = had


class Duplicate(ServiceError):
    """The same write its person made a moment ago (a second click, a retried call; see
    `accord.core.twice`), refused unless asked for again (`again=True`, the API's and MCP's
    `again`). `existing` is the one made then; the API answers its id (`existing_id`)."""

    def __init__(self, message: str, *, existing, what: str):
        super().__init__(
            message,
            fields={"again": [f"Send again=true to make a second {what} anyway."]},
            code="duplicate",
        )
        self.existing = existing

    @property
    def existing_id(self) -> int:
        return self.existing.pk
