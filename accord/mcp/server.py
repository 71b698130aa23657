"""Accord's MCP server: tools, resources and prompts for AI assistants and agents.

Transports. `accord mcp` serves it over stdio for clients that start a local process.
Over HTTP it answers at `/mcp` in the running app (`accord serve`, gunicorn, WSGI): the
view in `accord/mcp/http.py` hands each POST to the SDK's streamable-HTTP transport in
stateless JSON-response mode (one JSON-RPC request in, one JSON answer out, no session
to keep between requests). That was chosen over an ASGI entry point mounting the SDK's
Starlette app beside Django's because it keeps one server, one process model and one
middleware stack: the same gunicorn workers, host checks, database-busy handling and
token throttling as every other request, and nothing else to deploy. What the stateless
mode gives up (server-initiated requests, resumable streams) no tool here needs.

Identity. Every call runs as the person whose API token authenticated it (the API's own
`TokenAuth` over HTTP, the same token lookup for stdio), within that token's organization,
through the same services and queries as the API: validation, permissions (a viewer's
token writes nothing), events and tenancy are theirs. The caller is held in a context
variable for the duration of a request.

Database work. Tool, resource and prompt bodies are plain synchronous functions run with
`sync_to_async(thread_sensitive=True)`: in the HTTP view that is the request's own thread
(and database connection), under stdio one thread for the process.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from asgiref.sync import sync_to_async
from django.core.exceptions import ObjectDoesNotExist
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import (
    ResourceError,
    ResourceNotFoundError,
    ToolError,
    UnexpectedToolError,
)
from mcp.shared.exceptions import MCPError
from mcp.types import ToolAnnotations
from pydantic import ValidationError

from accord import __version__
from accord.activity import services as activity_services
from accord.api.common import refuse_nul
from accord.api.models import ApiToken, TokenScope
from accord.api.scopes import TokenRefused, require_scope
from accord.api.throttle import RateLimited, count_call
from accord.core.days import in_own_zone
from accord.core.errors import Duplicate, NotFound, ServiceError
from accord.mcp.answers import refusal
from accord.org.models import Organization, Person


@dataclass(frozen=True)
class Caller:
    org: Organization
    person: Person
    token: ApiToken | None = None
    # Over HTTP each request is counted by the API's TokenAuth; a stdio session counts
    # each call here instead, against the same per-person (per-agent) limit.
    count_calls: bool = False


_caller: contextvars.ContextVar[Caller | None] = contextvars.ContextVar(
    "accord_mcp_caller", default=None
)


def caller() -> Caller:
    found = _caller.get()
    if found is None:  # pragma: no cover - the transports always set it
        raise ServiceError("A valid API token is required.", code="unauthenticated")
    return found


@contextmanager
def acting_as(
    org: Organization,
    person: Person,
    api_token: ApiToken | None = None,
    *,
    count_calls: bool = False,
) -> Iterator[None]:
    """Run what follows as `person` of `org`, with the token that authenticated them (its
    scope is checked before each tool, resource and prompt, as the API checks it before
    each operation). With `count_calls`, each of those also counts against the person's
    API rate limit (stdio, where no HTTP request is counted)."""
    token = _caller.set(Caller(org, person, api_token, count_calls))
    try:
        with activity_services.through(api_token):  # its writes name the token, as the API's
            yield
    finally:
        _caller.reset(token)


INSTRUCTIONS = (
    "Accord is the coordination system of a team-of-teams organization: objectives and key "
    "results, cross-team dependencies, check-ins and meetings, decisions, action items, "
    "issues, and signals of what is going wrong. Every call acts as the person whose API "
    "token you use, with their permissions. Ids come from search, get_team or the team "
    "tree resource (accord://teams). Answers are bounded to 16,000 characters; a cut list "
    "ends with '… N more: call <tool> again with …, offset=N'."
)


class AccordServer(MCPServer):
    """The SDK's server, but a call whose arguments do not fit the tool (an unknown one, a
    missing one, a wrong type, a NUL character in any text) is a tool error in plain
    sentences naming each argument, as a refused write is, rather than the SDK's pydantic
    dump with its links."""

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        tool = self._tool_manager.get_tool(name)
        if tool is not None:
            known = tool.parameters.get("properties", {})
            unknown = [key for key in arguments or {} if key not in known]
            if unknown:
                return refusal(
                    f"{name} does not take {_names(unknown)}; it takes "
                    f"{_names(list(known)) or 'no arguments'}. Nothing was changed.",
                    {key: ["Unknown argument."] for key in unknown},
                )
        try:
            # As the API's parser: no text anywhere in the arguments may hold a NUL
            # (PostgreSQL cannot store one), with the API's words.
            refuse_nul(arguments or {}, "")
        except ServiceError as exc:
            return refusal(exc.message, exc.fields)
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc, UnexpectedToolError) or not isinstance(
                exc.__cause__, ValidationError
            ):
                raise
            return refusal(
                f"The arguments of {name} are not valid. Nothing was changed.",
                argument_problems(exc.__cause__),
            )


def _names(keys: list[str]) -> str:
    return ", ".join(f"`{k}`" for k in keys)


def argument_problems(error: ValidationError) -> dict[str, list[str]]:
    """Each argument's problems as sentences, without the values or pydantic's links."""
    problems: dict[str, list[str]] = {}
    for err in error.errors(include_url=False, include_input=False):
        where = ".".join(str(part) for part in err["loc"]) or "arguments"
        said = err["msg"].removeprefix("Value error, ").rstrip(".")
        message = "Required." if err["type"] == "missing" else f"{said}."
        problems.setdefault(where, []).append(message)
    return problems


server: MCPServer = AccordServer(
    name="accord", title="Accord", version=__version__, instructions=INSTRUCTIONS
)


def _require_scope(scope: str) -> ApiToken | None:
    """The token's scope and state, read afresh for each call: a token revoked or an agent
    paused while a stdio session runs is refused at the very next call, and the call
    counts against its person's rate limit when the transport did not count it. Returns
    the token as read now (None without one), its person with their role of now."""
    me = caller()
    found = me.token
    if found is None:
        return None
    fresh = (
        ApiToken.objects.select_related("person", "person__owner", "org")
        .filter(pk=found.pk)
        .first()
    )
    if fresh is None:
        raise TokenRefused("This API token has been revoked or its person deactivated.")
    require_scope(fresh, scope)
    if me.count_calls:
        count_call(fresh.person)
    return fresh


@contextmanager
def _as_now(scope: str) -> Iterator[None]:
    """The token's checks (`_require_scope`), then what follows acting as its person as
    read now: a person demoted to viewer (or an agent given a narrower role) while an
    `accord mcp` session runs writes nothing from the next call on, as over HTTP, where
    each request reads the person afresh."""
    me = caller()
    fresh = _require_scope(scope)
    if fresh is None:
        yield
        return
    with (
        acting_as(fresh.org, fresh.person, fresh, count_calls=me.count_calls),
        in_own_zone(fresh.person),
    ):
        yield


def _call(fn: Callable[..., Any], kwargs: dict[str, Any], scope: str = TokenScope.READ) -> Any:
    try:
        with _as_now(scope):
            return fn(**kwargs)
    except Duplicate as exc:  # made a moment ago: say which one, by the id tools take
        return refusal(f"{exc.message} Its id: {exc.existing_id}.", exc.fields)
    except ServiceError as exc:
        return refusal(exc.message, exc.fields)
    except RateLimited as exc:
        return refusal(exc.message)
    except ObjectDoesNotExist as exc:
        return refusal(str(exc) or "Not found.")


def tool(
    *, write: bool = False, title: str = "", report: bool = False
) -> Callable[[Callable[..., Any]], Any]:
    """Register a synchronous function as a tool; its docstring is the description, its
    typed parameters the input schema. A refused write (ServiceError) is a tool error.

    The token's scope is checked first, as the API checks it: a read needs `read`, a write
    `member`, and a progress report (`report=True`: key-result values, check-ins) `report`."""
    scope = TokenScope.READ
    if write:
        scope = TokenScope.REPORT if report else TokenScope.MEMBER

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        async def run(**kwargs: Any) -> Any:
            return await sync_to_async(_call, thread_sensitive=True)(fn, kwargs, scope)

        server.add_tool(
            run,
            name=fn.__name__,
            title=title or None,
            description=inspect.getdoc(fn),
            annotations=ToolAnnotations(
                title=title or None,
                read_only_hint=not write,
                destructive_hint=False,
                open_world_hint=False,
            ),
        )
        return fn

    return register


REFUSED = -32001  # the JSON-RPC error code of a refused prompt (as /mcp's refusals)


def _read(fn: Callable[..., Any], kwargs: dict[str, Any], *, prompt: bool = False) -> Any:
    """A resource or prompt, after the same token checks as a tool, as the token's person
    read now; a refusal is an error carrying its message (the SDK would hide any other
    exception's in a prompt). A resource that is not there (a team of another organization,
    one deleted) is the protocol's "not found" (`ResourceNotFoundError`: invalid params,
    -32602, with the `uri`, as the MCP specification of 2026-07-28 has it), not an
    internal error."""
    try:
        with _as_now(TokenScope.READ):
            return fn(**kwargs)
    except NotFound as exc:
        if prompt:
            raise MCPError(REFUSED, exc.message) from None
        raise ResourceNotFoundError(exc.message) from None
    except (ServiceError, RateLimited) as exc:
        if prompt:
            raise MCPError(REFUSED, exc.message) from None
        raise ResourceError(exc.message) from None


def resource(uri: str, **options: Any) -> Callable[[Callable[..., Any]], Any]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        async def run(**kwargs: Any) -> Any:
            return await sync_to_async(_read, thread_sensitive=True)(fn, kwargs)

        server.resource(uri, description=inspect.getdoc(fn), **options)(run)
        return fn

    return register


def prompt(name: str, title: str) -> Callable[[Callable[..., Any]], Any]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        async def run(**kwargs: Any) -> Any:
            return await sync_to_async(_read, thread_sensitive=True)(fn, kwargs, prompt=True)

        server.prompt(name=name, title=title, description=inspect.getdoc(fn))(run)
        return fn

    return register


def load() -> MCPServer:
    """The server with every tool, resource and prompt registered."""
    from accord.mcp import prompts, resources, tools  # noqa: F401  (they register)

    return server
