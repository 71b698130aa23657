"""The one API instance at /api/v1/. Each accord app contributes `router` in its api.py.

An api.py does not use `from __future__ import annotations`: django-ninja reads the
annotations of a `@paginate` endpoint in the globals of its own wrapper, where an app's
names (`Role | None`, `dt.date`) are not found. Plain annotations work on Python 3.11.
"""

from __future__ import annotations

import functools
import logging
import typing
from collections.abc import Iterator
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.operation import Operation
from pydantic import BaseModel

from accord.api import throttle
from accord.api.common import (
    ID_FILTERS,
    IF_MATCH_PARAMETER,
    IF_NONE_MATCH_PARAMETER,
    NOT_MODIFIED_RESPONSE,
    JsonParser,
    NotJson,
    TokenAuth,
    answers_etag,
    conditional,
    reads_if_match,
    require_known_ids,
)
from accord.api.docs import LocalSwaggerUI
from accord.api.openapi import document_errors
from accord.core import middleware as busy
from accord.core.errors import Duplicate, ServiceError

log = logging.getLogger(__name__)


class AccordAPI(NinjaAPI):
    """The description is built once per process and prefix: django-ninja builds it again
    for every request of /api/v1/openapi.json (half a megabyte, a second of CPU), while it
    changes only with the code. Callers read it; they do not change it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._openapi_schemas: dict[str, dict] = {}  # by path prefix

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        if path_prefix not in self._openapi_schemas:
            schema = super().get_openapi_schema(path_prefix=path_prefix)
            self._openapi_schemas[path_prefix] = document_errors(schema)
        return self._openapi_schemas[path_prefix]

    def validation_error_from_error_contexts(self, error_contexts):
        """ninja's errors, each unknown body field (`extra_forbidden`) carrying the fields
        its part of the body takes (`takes`), for `validation_error` to name them."""
        errors = []
        for context in error_contexts:
            found = super().validation_error_from_error_contexts([context]).errors
            raw = context.pydantic_validation_error.errors(include_url=False)
            for err, original in zip(found, raw, strict=True):
                if err.get("type") == "extra_forbidden":
                    part = _model_at(context.model, original["loc"][:-1])
                    if part is not None:
                        err["takes"] = _field_names(part)
                errors.append(err)
        return NinjaValidationError(errors)

    def create_response(self, request, data, *, status=None, temporal_response=None):
        """Every answer; one that is a versioned object read, created or changed (answered
        200 or 201 with its `version`) carries its `ETag` for `If-Match` and, on a read,
        honours `If-None-Match` (304): `accord.api.common.conditional`."""
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if (
            request.method in ("GET", "POST", "PATCH", "PUT")
            and response.status_code in (200, 201)
            and isinstance(data, dict)
            and type(data.get("version")) is int
        ):
            try:
                return conditional(request, response, data["version"])
            except ServiceError as exc:  # a malformed If-None-Match
                return service_error(request, exc)
        return response


api = AccordAPI(
    title="Accord API",
    version="1",
    description=(
        "The Accord REST API. Authenticate with a personal token created under the menu "
        "under your name → API tokens: `Authorization: Bearer acc_…`. A token belongs to one "
        "organization; every call is scoped to it. Errors are "
        '`{"error": {"code", "message", "fields"}}`. Lists take `limit` and `offset`. '
        "Objects carry a `version`. Reading, creating or changing one answers with its `ETag` "
        '(`"<version>.<fingerprint of the answer>"`); send it back as `If-Match` (or '
        '`If-Match: "<version>"`) to refuse lost updates (409); several tags, comma-separated, '
        "accept any of their versions; `If-Match: *` is any current version. Send it as "
        "`If-None-Match` when reading that object again: 304 Not Modified, no body, while the "
        "answer would be the same (`*`: while it exists). A body field an operation does not "
        "take is a 422 naming it and those it takes; so is a query parameter it does not list "
        "(`?stauts=`). A list filtered by an id the organization does not have "
        "(`team_id`, `owner_id`, …) is a 404 naming it."
    ),
    auth=TokenAuth(),
    urls_namespace="api",
    docs=LocalSwaggerUI(),
    parser=JsonParser(),
)


def _error(request, status: int, code: str, message: str, fields=None, **more):
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}, **more}},
        status=status,
    )


@api.exception_handler(ServiceError)
def service_error(request, exc: ServiceError):
    status = exc.status
    if status == 400:
        # Refused input is a validation problem: the same status as schema errors.
        status = 422
    more = {"existing_id": exc.existing_id} if isinstance(exc, Duplicate) else {}
    return _error(request, status, exc.code, exc.message, exc.fields, **more)


UNKNOWN_FIELD = "Unknown field: this operation does not take it (check the spelling)."


def takes(names) -> str:
    """What an operation (or a part of its body) takes, said after an unknown field or query
    parameter: `It takes: a, b.`"""
    return f"It takes: {', '.join(sorted(names)) or 'none'}."


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model of the part of a body at `loc` (pydantic's path below `model`: field
    names, and list indexes), or None when the path leaves models (a dict's keys)."""
    for part in loc:
        if isinstance(part, int):
            continue  # an item of the list the previous field holds
        field = model.model_fields.get(part) or next(
            (f for f in model.model_fields.values() if f.alias == part), None
        )
        found = _model_in(field.annotation) if field is not None else None
        if found is None:
            return None
        model = found
    return model


def _model_in(annotation) -> type[BaseModel] | None:
    """The model an annotation holds: itself, or inside `X | None`, `list[X]`, `Annotated`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _field_names(model: type[BaseModel]) -> list[str]:
    """The fields of a body part as a client writes them (their alias, if any)."""
    return sorted(f.alias or name for name, f in model.model_fields.items())


NO_BODY = "This operation takes a JSON object as its body (Content-Type: application/json)."


# How pydantic says a body parameter is missing: none sent ("missing"), or one with
# nothing in it, which `JsonParser` reads as None (it refuses any other non-object).
NO_OBJECT = {"missing", "model_attributes_type", "model_type", "dict_type"}


def _no_body(err: dict) -> bool:
    """The error is about the body as a whole (not one of its fields), and there was none."""
    loc = tuple(err.get("loc", ()))
    return len(loc) == 2 and loc[0] == "body" and err.get("type") in NO_OBJECT


@api.exception_handler(NinjaValidationError)
def validation_error(request, exc: NinjaValidationError):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        # Drop where the value came from (`body`, `query`, …) and the body's parameter name,
        # but not a field that happens to be called `query` or `path`.
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header", "cookie", "form"):
            loc = loc[1:]
        if loc and loc[0] == "payload":
            loc = loc[1:]
        message = err.get("msg", "Invalid.")
        if err.get("type") == "extra_forbidden":
            message = f"{UNKNOWN_FIELD} {takes(err['takes'])}" if "takes" in err else UNKNOWN_FIELD
        elif _no_body(err):
            message = NO_BODY
        fields.setdefault(".".join(loc) or "request", []).append(message)
    summary = "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())
    return _error(request, 422, "invalid", f"The request is not valid. {summary}", fields)


@api.exception_handler(AuthenticationError)
def auth_error(request, exc):
    return _error(
        request,
        401,
        "unauthenticated",
        "A valid API token is required: Authorization: Bearer acc_…",
    )


@api.exception_handler(Http404)
def not_found(request, exc):
    return _error(request, 404, "not_found", str(exc) or "Not found.")


HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    429: "throttled",
}


@api.exception_handler(Throttled)
def throttled(request, exc: Throttled):
    response = _error(request, 429, "throttled", throttle.message(exc))
    response["Retry-After"] = str(exc.wait or 1)
    return response


@api.exception_handler(HttpError)
def http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, ServiceError):  # the body parser's own refusal
        return service_error(request, exc.__cause__)
    if isinstance(exc.__cause__, SuspiciousOperation):
        return suspicious(request, exc.__cause__)
    message = str(exc)
    if isinstance(exc.__cause__, NotJson):  # the body parser's: what to send instead
        message = str(exc.__cause__)
    elif exc.status_code == 400 and exc.__cause__ is not None:
        message = "The request body is not valid JSON."
    return _error(request, exc.status_code, HTTP_CODES.get(exc.status_code, "error"), message)


@api.exception_handler(SuspiciousOperation)
def suspicious(request, exc: SuspiciousOperation):
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad multipart: 400."""
    return _error(request, 400, "bad_request", api_error_message(exc))


@api.exception_handler(Exception)
def unexpected(request, exc: Exception):
    """A bug: logged with its traceback, answered in the API's format rather than HTML.
    (Django's own "not found" and "forbidden" keep their meaning.)"""
    if isinstance(exc, ObjectDoesNotExist):
        return _error(request, 404, "not_found", "Not found.")
    if isinstance(exc, DjangoPermissionDenied):
        return _error(request, 403, "forbidden", "You do not have permission to do that.")
    if busy.is_busy(exc):  # not a bug: another writer holds the database; try again
        return busy.busy_response(request)
    log.error("Internal Server Error: %s", request.path, exc_info=exc)
    return _error(
        request, 500, "server_error", "Something went wrong on our side; it has been logged."
    )


def api_error_message(exc: Exception) -> str:
    from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent

    if isinstance(exc, RequestDataTooBig):
        return "The request body is too large."
    if isinstance(exc, TooManyFieldsSent):
        return "The request has too many fields."
    return "The request could not be read."


def _register_app_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("accord.") or config.name == "accord.api":
            continue
        module_name = f"{config.name}.api"
        if find_spec(module_name) is None:
            continue
        module = import_module(module_name)
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router("/", router)
    # Last, so it only answers what no app's router does: JSON, not the HTML 404 page.
    api.add_router("/", _fallback)
    for operation in _operations():
        _declare_if_match(operation)
        _declare_if_none_match(operation)
        _check_id_filters(operation)
        _refuse_unknown_query(operation)  # last: outermost, before an id filter's 404


def _operations() -> Iterator[Operation]:
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            yield from path_view.operations


def _declare_if_match(operation: Operation) -> None:
    """An operation that honours `If-Match` declares the header, so a generated client
    offers it."""
    if reads_if_match(operation.view_func):
        extra = dict(operation.openapi_extra or {})
        extra["parameters"] = [*extra.get("parameters", []), IF_MATCH_PARAMETER]
        operation.openapi_extra = extra


def _declare_if_none_match(operation: Operation) -> None:
    """A read of one versioned object honours `If-None-Match` (see AccordAPI.create_response)
    and declares it, with its 304 answer."""
    if answers_etag(operation):
        extra = dict(operation.openapi_extra or {})
        extra["parameters"] = [*extra.get("parameters", []), IF_NONE_MATCH_PARAMETER]
        extra["responses"] = {**extra.get("responses", {}), 304: NOT_MODIFIED_RESPONSE}
        operation.openapi_extra = extra


def query_names(operation: Operation) -> set[str]:
    return {
        name
        for model in operation.models
        if getattr(model, "__ninja_param_source__", None) == "query"
        for name in model.model_fields
    }


def accepted_query(operation: Operation) -> frozenset[str]:
    """The query parameters `operation` takes, as a client writes them: its own filters
    and, on a list, `limit` and `offset` (ninja nests those under `ninja_pagination`; its
    flatten map names them as sent)."""
    names: set[str] = set()
    for model in operation.models:
        if getattr(model, "__ninja_param_source__", None) != "query":
            continue
        names.update(getattr(model, "__ninja_flatten_map__", None) or model.model_fields)
        names.update(f.alias for f in model.model_fields.values() if f.alias)
    return frozenset(names)


UNKNOWN_PARAMETER = "Unknown query parameter: this operation does not take it (check the spelling)."


def _refuse_unknown_query(operation: Operation) -> None:
    """A query parameter an operation does not take (`?stauts=done`, `?team=17` for
    `team_id`) is a 422 naming it and the ones it takes, before the view runs: a misspelt
    filter must not read (or let an integration act on) everything. One rule for every
    operation, as an unknown body field (`UNKNOWN_FIELD`) is."""
    if operation.view_func in (index, unknown_path):
        return  # no endpoint there: a 404 whatever the query
    accepted = accepted_query(operation)
    view = operation.view_func
    names = ", ".join(sorted(accepted)) or "none"

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        unknown = sorted(set(request.GET) - accepted)
        if unknown:
            raise ServiceError(
                f"Unknown query parameter{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(unknown)}; this operation takes: {names}.",
                fields={name: [f"{UNKNOWN_PARAMETER} {takes(accepted)}"] for name in unknown},
            )
        return view(request, *args, **kwargs)

    operation.view_func = checked


def _check_id_filters(operation: Operation) -> None:
    """A read filtered by an id (`team_id`, `owner_id`, … see ID_FILTERS) the organization
    does not have answers 404 naming it, before the view runs: one rule for every list."""
    names = frozenset(query_names(operation) & ID_FILTERS.keys())
    if "GET" not in operation.methods or not names:
        return
    view = operation.view_func

    @functools.wraps(view)
    def checked(request, *args, **kwargs):
        org = getattr(request, "org", None)  # set by the token's authentication
        if org is not None:
            require_known_ids(org, {name: kwargs.get(name) for name in names})
        return view(request, *args, **kwargs)

    operation.view_func = checked


_fallback = Router()


@_fallback.get("/", auth=None, include_in_schema=False)
def index(request):
    """What a person or program finds at /api/v1/: where the description and docs are."""
    return {
        "name": api.title,
        "version": api.version,
        "openapi": request.build_absolute_uri("openapi.json"),
        "docs": request.build_absolute_uri("docs"),
    }


@_fallback.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_path(request, rest: str):
    return _error(request, 404, "not_found", f"No API endpoint at /api/v1/{rest}.")


_register_app_routers()
