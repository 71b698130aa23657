"""What every app's API router shares: auth, writer checks, lookups, concurrency."""

from __future__ import annotations

import datetime as dt
import hashlib
import inspect
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, ClassVar

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.http.multipartparser import MultiPartParserError
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import BeforeValidator, ConfigDict, WithJsonSchema, field_validator

from accord.api import scopes, throttle
from accord.api import services as tokens
from accord.api.models import TokenScope
from accord.core.days import activate_own_zone
from accord.core.errors import NotFound, ServiceError
from accord.core.ids import MAX_ID
from accord.org.models import Organization, Person, Role
from accord.org.permissions import require_role

# --- request values every app shares -------------------------------------------------------

# MAX_ID: the largest id (or offset) a database integer holds; anything larger is not there.


def _not_a_boolean(value: Any) -> Any:
    # JSON's true and false are not ids: pydantic would take them as 1 and 0.
    if isinstance(value, bool):
        raise ValueError("Expected an id (a whole number), not true or false.")
    return value


Id = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_not_a_boolean)]
"""An object's id, in a path, a query filter or a body: a positive 64-bit integer (never
a boolean, which pydantic would otherwise read as 1 or 0)."""

Offset = Annotated[int, Field(ge=0, le=MAX_ID)]

_TIME = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")


def _local_time(value: Any) -> Any:
    if isinstance(value, str) and not _TIME.match(value):
        raise ValueError("Enter a time of day as HH:MM or HH:MM:SS, e.g. 09:30.")
    return value


LocalTime = Annotated[
    dt.time,
    BeforeValidator(_local_time),
    WithJsonSchema(
        {"type": "string", "pattern": _TIME.pattern, "example": "09:30"}, mode="validation"
    ),
    WithJsonSchema(
        {"type": "string", "pattern": _TIME.pattern, "example": "09:30:00"}, mode="serialization"
    ),
]
"""A wall-clock time (no date, no zone), written HH:MM or HH:MM:SS as the API answers it."""


def decimal_for(model: type[models.Model], name: str, **kwargs: Any) -> Any:
    """A pydantic Field for a number stored in `model.name` (a DecimalField): its bounds
    come from the column (see `accord.core.services.decimal_bounds`), NaN/Infinity refused."""
    from accord.core.services import decimal_bounds

    largest, places = decimal_bounds(model, name)
    return Field(
        ge=-float(largest),
        le=float(largest),
        allow_inf_nan=False,
        description=kwargs.pop("description", None)
        or f"At most {places} decimal places, between -{largest} and {largest}.",
        **kwargs,
    )


class Pagination(LimitOffsetPagination):
    """`limit` (at most NINJA_PAGINATION_MAX_LIMIT) and `offset` (an Offset)."""

    class Input(Schema):
        limit: int = Field(
            settings.NINJA_PAGINATION_PER_PAGE, ge=1, le=settings.NINJA_PAGINATION_MAX_LIMIT
        )
        offset: Offset = 0


LIST_COUNT_UP_TO = 10_000


class BoundedCountPagination(Pagination):
    """`limit` and `offset` as on every list, but the count stops at LIST_COUNT_UP_TO: counting
    a million events on every call is what would cost."""

    class Output(Schema):
        items: list[Any]
        count: int | None = Field(
            description=f"How many items match, when at most {LIST_COUNT_UP_TO}; null when more "
            "do (page on with `offset` until a page comes back shorter than `limit`)."
        )

    def paginate_queryset(self, queryset, pagination, request, **params):
        offset, limit = pagination.offset, pagination.limit
        counted = queryset.order_by()[: LIST_COUNT_UP_TO + 1].count()
        return {
            "items": queryset[offset : offset + limit],
            "count": counted if counted <= LIST_COUNT_UP_TO else None,
        }


class InputSchema(Schema):
    """The body of a write (POST, PUT, PATCH), or a part of one. A field it does not declare
    is a 422 naming that field (`{"titel": ["Unknown field: …"]}`), not silently dropped: a
    misspelt field must not "succeed" with nothing changed. Output schemas stay `Schema`,
    so an answer may grow fields without breaking anything."""

    model_config = ConfigDict(extra="forbid")


class PatchSchema(InputSchema):
    """The body of a partial update: a field left out keeps its value; `null` clears a
    field only where the stored column may be empty (the model's `null=True`, e.g. a
    parent, an owner, a due date); elsewhere it is a 422 naming the field, and the
    OpenAPI description does not offer null there.

    Set `model` to the model the body changes; `<name>_id` fields map to `<name>`.
    """

    model: ClassVar[type[models.Model] | None] = None
    nullable: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        if cls.model is None:
            return
        columns = {f.name: f for f in cls.model._meta.get_fields() if f.concrete}
        cls.nullable = frozenset(
            name
            for name in cls.model_fields
            if (f := columns.get(name.removesuffix("_id"))) is not None and f.null
        )

    @field_validator("*", mode="after")
    @classmethod
    def _refuse_null(cls, value: Any, info: Any) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("Cannot be null. Leave the field out to keep its value.")
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> Any:
        json_schema = handler(core_schema)
        target = handler.resolve_ref_schema(json_schema)
        for name, prop in target.get("properties", {}).items():
            if name in cls.nullable or "anyOf" not in prop:
                continue
            options = [o for o in prop["anyOf"] if o.get("type") != "null"]
            del prop["anyOf"]
            if len(options) == 1:
                prop.update(options[0])
            else:
                prop["anyOf"] = options
            if prop.get("default", 0) is None:
                del prop["default"]
        return json_schema


FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class NotJson(ValueError):
    """A body the API cannot read as JSON, with what to send instead (a 400)."""


class JsonParser(Parser):
    """ninja's JSON parser, refusing what no endpoint can store: a body that is not a JSON
    object, and NUL characters anywhere in a body or query (PostgreSQL cannot store them).

    A body with nothing in it is no body, whatever its Content-Type: blank, or a form
    without a field (`curl -X POST -d ''`, a client that sends an empty multipart form).
    An operation whose body is optional then runs without one; one whose body is required
    says it is missing. JSON sent under a form's Content-Type (`curl -d '{…}'`) is read as
    JSON; a form with fields is refused, saying the body must be JSON."""

    def parse_body(self, request: HttpRequest):
        body = request.body
        if not body.strip():
            return None
        try:
            data = json.loads(body)
        except ValueError as exc:
            if request.content_type not in FORMS:
                raise NotJson("The request body is not valid JSON.") from exc
            if not _form_fields(request):
                return None
            raise NotJson(
                "The request body is a form; this API takes JSON: send a JSON object with "
                "Content-Type: application/json."
            ) from exc
        if not isinstance(data, dict):
            raise ServiceError(
                'The request body must be a JSON object, e.g. {"name": "…"}.',
                fields={"request": ["Expected a JSON object."]},
            )
        refuse_nul(data)
        return data

    def parse_querydict(self, data, list_fields, request: HttpRequest):
        result = super().parse_querydict(data, list_fields, request)
        refuse_nul(result)
        return result


def _form_fields(request: HttpRequest) -> int:
    """How many fields and files a form body holds; one that cannot be read counts as
    holding something (it is not empty)."""
    try:
        return len(request.POST) + len(request.FILES)
    except (MultiPartParserError, SuspiciousOperation, ValueError):
        return 1


def refuse_nul(data: Any, where: str = "") -> None:
    """Refuse a NUL character in any text of `data` (nested dicts and lists), naming it."""
    if isinstance(data, str):
        if "\x00" in data:
            field = where or "request"
            raise ServiceError(
                f"{field} contains a NUL character (\\x00), which text may not hold.",
                fields={field: ["Remove the NUL character (\\x00)."]},
            )
    elif isinstance(data, dict):
        for key, value in data.items():
            refuse_nul(key, where or "request")
            refuse_nul(value, f"{where}.{key}" if where else str(key))
    elif isinstance(data, list | tuple):
        for i, value in enumerate(data):
            refuse_nul(value, f"{where}.{i}" if where else str(i))


class TokenAuth(HttpBearer):
    """`Authorization: Bearer acc_…`; sets request.org and request.person.

    Every token-authenticated call passes here, so here the token's scope is enforced
    (`accord.api.scopes.require_scope`): reads need `read`, writes need `write_scope` —
    `member` unless the operation says `auth=REPORTING` — and a paused agent is refused.
    Then the per-person (per-agent) rate limit is counted.

    Here too, before the body is read, a viewer's write is refused (403, `forbidden`)
    unless the operation says `auth=OWN_SETTINGS`: a viewer changes nothing but their own
    settings, so they learn that first, whatever the body, and nothing of what the body
    should hold. A transport that checks each call itself (`write_scope=read`, the MCP
    server) is not refused here."""

    def __init__(self, write_scope: str = TokenScope.MEMBER, *, viewer_may: bool = False) -> None:
        super().__init__()
        self.write_scope = TokenScope(write_scope)
        self.viewer_may = viewer_may

    def authenticate(self, request: HttpRequest, token: str):
        throttle.check(request)
        found = tokens.authenticate(token)
        if found is None:
            throttle.record_failure(request)
            return None
        request.token = found  # type: ignore[attr-defined]
        scopes.require_usable(found)
        throttle.count_call(found.person)
        needed = scopes.scope_for_method(request.method or "", self.write_scope)
        scopes.require_scope(found, needed)
        if needed != TokenScope.READ and not self.viewer_may:
            require_role(found.person, Role.MEMBER, VIEWER_WRITE)
        request.org = found.org  # type: ignore[attr-defined]
        request.person = found.person  # type: ignore[attr-defined]
        # Dates the person sends (a past or future one) and reads: their own day, as on
        # the pages (`core.days`); the organization middleware resets it after the request.
        activate_own_zone(found.person)
        return found


REPORTING = TokenAuth(write_scope=TokenScope.REPORT)
"""`auth=` of a write a `report` token may make (check-ins, key-result values, progress)."""

OWN_SETTINGS = TokenAuth(viewer_may=True)
"""`auth=` of a write a viewer may make too: on their own settings (profile, notifications,
briefing schedule, inbox, saved views, tokens). Its service still checks they are their
own; every other write refuses a viewer before its body is read."""

VIEWER_WRITE = "make this change (a viewer changes only their own settings)"
"""What a viewer is refused, in `require_role`'s words: "Only someone with the Member role
or above may make this change (a viewer changes only their own settings); your role is
Viewer." """


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


# A list's query filter by id names an object of one kind; an id the organization does not
# have is a 404 naming it (`require_known_ids`), whichever list it filters: not an empty page,
# which reads as "none match". accord.api.main applies it to every GET taking one of these.
ID_FILTERS: dict[str, tuple[str, str]] = {
    "team_id": ("org.Team", "team"),
    "parent_id": ("org.Team", "team"),
    "from_team_id": ("org.Team", "team"),
    "to_team_id": ("org.Team", "team"),
    "person_id": ("org.Person", "person"),
    "owner_id": ("org.Person", "person"),
    "actor_id": ("org.Person", "person"),
    "approver_id": ("org.Person", "person"),
    "driver_id": ("org.Person", "person"),
    "raised_by_id": ("org.Person", "person"),
    "raised_in_id": ("org.Team", "team"),
    "period_id": ("alignment.Period", "period"),
    "objective_id": ("alignment.Objective", "objective"),
    "root_id": ("alignment.Objective", "objective"),
    "key_result_id": ("alignment.KeyResult", "key result"),
    "initiative_id": ("alignment.Initiative", "initiative"),
    "from_initiative_id": ("alignment.Initiative", "initiative"),
    "to_initiative_id": ("alignment.Initiative", "initiative"),
    "cadence_id": ("rhythm.Cadence", "cadence"),
}
NOT_ID_FILTERS = frozenset({"source_id", "target_id", "linked_id"})
"""Id filters whose kind depends on another filter (`source_type`, `target_type`,
`linked_type`)."""


def require_known_ids(org: Organization, values: dict[str, Any]) -> None:
    """404 for the first id filter in `values` (name -> id or None) naming an object this
    organization does not have; one indexed existence query per filter given."""
    from django.apps import apps

    for name, pk in values.items():
        if pk is None or name not in ID_FILTERS:
            continue
        label, what = ID_FILTERS[name]
        if not apps.get_model(label)._default_manager.filter(org=org, pk=pk).exists():
            error = NotFound(f"No {what} with id {pk}.")
            error.fields = {name: [f"Unknown {what} {pk}."]}
            raise error


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


# --- conditional requests (RFC 9110 §13): ETag, If-Match, If-None-Match --------------------

IF_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-Match",
    "required": False,
    "schema": {"type": "string", "examples": ['"3.9f86d081884c7d65"', '"3"', '"3", "4"', "*"]},
    "description": 'The `ETag` (or just the `version`, e.g. `"3"`) your change is based on: '
    "when the object's version has changed since, the call is refused with 409 and changes "
    "nothing. Several, comma-separated, accept any of their versions. `*` (or no header): any "
    "current version. A value that is neither is a 422 naming the header.",
}
"""How an operation that honours `If-Match` declares it in the OpenAPI description."""

IF_NONE_MATCH_PARAMETER = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string", "examples": ['"3.9f86d081884c7d65"', "*"]},
    "description": "The `ETag` of the copy you hold (several, comma-separated, for any of "
    "them; `W/` is ignored): when the answer would carry the same `ETag`, it is 304 Not "
    "Modified with that `ETag` and no body. `*`: any existing object. A bare version "
    '(`"3"`) names no answer, so it never gives 304. A value that is not an `ETag` of this '
    "API is a 422 naming the header.",
}
"""How an operation that honours `If-None-Match` (a read of one versioned object) declares it
in the OpenAPI description."""

NOT_MODIFIED_RESPONSE = {
    "description": "Not Modified: the `If-None-Match` names the current `ETag`; no body.",
    "headers": {"ETag": {"schema": {"type": "string"}, "description": "The current `ETag`."}},
}


def reads_if_match(view: Any) -> bool:
    """Whether an API view honours `If-Match`: it calls `if_match(request)` itself."""
    return "if_match" in inspect.unwrap(view).__code__.co_names


def answers_etag(operation: Any) -> bool:
    """Whether an operation is a read of one versioned object: a GET whose 200 answer has an
    integer `version`. Its answer carries an `ETag` (see `conditional`) and honours
    `If-None-Match`, as accord.api.main declares."""
    if "GET" not in operation.methods:
        return False
    model = operation.response_models.get(200)
    fields = getattr(model, "model_fields", {})
    out = fields["response"].annotation if "response" in fields else None
    version = getattr(out, "model_fields", {}).get("version")
    return version is not None and version.annotation is int


_TAG = re.compile(r"[0-9]{1,18}(?:\.[0-9a-f]{1,64})?")
"""An entity tag this API sends (`3.9f86d081884c7d65`: the version, a fingerprint of the
answer) or a bare version (`3`), without `W/` and quotes."""


def etag(version: int, content: bytes) -> str:
    """The ETag of an answer showing an object at `version`: `"3.9f86d081884c7d65"`, the
    version and a fingerprint of the body. The fingerprint changes with anything the answer
    shows (a rolled-up progress, a name of a related object, a flag that depends on the
    date), which the object's own version does not count; `If-Match` takes the tag back and
    compares its version."""
    return f'"{version}.{hashlib.blake2b(content, digest_size=8).hexdigest()}"'


def entity_tags(request: HttpRequest, header: str) -> tuple[str, ...]:
    """The entity tags a conditional header lists (RFC 9110 §13.1.1, §13.1.2), without `W/`
    and quotes: `"3", W/"4.9f…"` is ("3", "4.9f…"), `*` is ("*",), no header is (). A value
    that is not a tag this API sends, or a version, is a 422 naming the header."""
    raw = request.headers.get(header, "").strip()
    if raw == "*":
        return ("*",)
    tags = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue  # an empty list element (RFC 9110 §5.6.1)
        tag = part.removeprefix("W/").strip('"').strip()
        if not _TAG.fullmatch(tag):
            raise ServiceError(
                f"{header} must carry ETags this API sent (or versions), for example "
                f'{header}: "3" or {header}: "3", "4"; not {part[:40]}.',
                fields={header: ["Expected a version number or an ETag of this API."]},
            )
        tags.append(tag)
    return tuple(tags)


def if_match(request: HttpRequest) -> int | frozenset[int] | None:
    """The version a client based its change on, from `If-Match: "3"` or an `ETag` it was
    sent (`"3.9f…"`, its version counts); several (`"3", "4"`) are a set, any of them
    current (`core.services.check_version`). `*` is any current version (RFC 9110), the
    same as no header: None."""
    tags = entity_tags(request, "If-Match")
    if tags in ((), ("*",)):
        return None
    versions = frozenset(int(tag.partition(".")[0]) for tag in tags)
    return next(iter(versions)) if len(versions) == 1 else versions


def conditional(request: HttpRequest, response: HttpResponse, version: int) -> HttpResponse:
    """An answer showing one object at `version` (a 200 or 201), given its `ETag`; for a GET
    whose `If-None-Match` names that tag (weak comparison: `W/` does not count) or is `*`,
    304 Not Modified instead, with the tag and no body. It runs after the view, so a 404 or
    403 always wins, and a 304 costs what the 200 would, no more."""
    tag = etag(version, response.content)
    response["ETag"] = tag
    if request.method != "GET" or not request.headers.get("If-None-Match"):
        return response
    wanted = entity_tags(request, "If-None-Match")
    if wanted != ("*",) and tag.strip('"') not in wanted:
        return response
    not_modified = HttpResponseNotModified()
    for header in ("Cache-Control", "Content-Location", "Date", "ETag", "Expires", "Vary"):
        if header in response:  # what RFC 9110 §15.4.5 asks a 304 to repeat
            not_modified[header] = response[header]
    not_modified.cookies = response.cookies
    return not_modified


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
