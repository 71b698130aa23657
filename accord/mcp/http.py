"""`/mcp`: the MCP server over streamable HTTP, in the app `accord serve` runs.

A plain Django view (see accord/mcp/server.py for why): it authenticates the bearer
token with the API's `TokenAuth` (the same lookup, throttling and 401), then hands the
request to the SDK's streamable-HTTP transport in stateless JSON-response mode and
returns its one JSON answer. GET (a server-to-client stream) and DELETE (ending a session)
answer 405: a stateless server has neither.
"""

from __future__ import annotations

from asgiref.sync import async_to_sync
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from ninja.errors import Throttled

from accord.api import throttle
from accord.api.common import TokenAuth
from accord.api.models import TokenScope
from accord.core.errors import ServiceError

# Every MCP call is a POST: the transport asks only for a usable token (read scope, not a
# paused agent); each tool then checks the scope it needs (accord/mcp/server.py).
_auth = TokenAuth(write_scope=TokenScope.READ)

MAX_BODY = 1_000_000  # bytes of one JSON-RPC request


def _error(status: int, message: str, code: str = "", **headers: str) -> JsonResponse:
    """A JSON-RPC error; `code`, the REST API's code for it (`token_revoked`,
    `throttled`…), in its `data`."""
    error = {"code": -32001, "message": message, **({"data": {"code": code}} if code else {})}
    response = JsonResponse({"jsonrpc": "2.0", "id": None, "error": error}, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


@csrf_exempt
def endpoint(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _error(405, "Send MCP requests as POST (this server is stateless).")
        response["Allow"] = "POST"
        return response
    try:
        found = _auth(request)
    except Throttled as exc:
        wait = str(int(exc.wait or 1))
        return _error(429, throttle.message(exc), "throttled", **{"Retry-After": wait})
    except ServiceError as exc:  # a paused agent, a revoked token
        if exc.status == 401:
            header = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
            return _error(exc.status, exc.message, exc.code, **header)
        return _error(exc.status, exc.message, exc.code)
    if not found:
        return _error(
            401,
            "A valid API token is required: Authorization: Bearer acc_…",
            "unauthenticated",
            **{"WWW-Authenticate": "Bearer"},
        )
    body = request.body
    if len(body) > MAX_BODY:
        return _error(413, f"A request may hold at most {MAX_BODY} bytes.")
    status, headers, content = async_to_sync(_serve)(request, found, body)
    response = HttpResponse(content, status=status)
    for name, value in headers:
        if name.lower() not in ("content-length", "connection", "transfer-encoding"):
            response[name] = value
    return response


async def _serve(request: HttpRequest, found, body: bytes) -> tuple[int, list, bytes]:
    # The SDK is imported on the first MCP request, not by every process that loads the
    # URLs (it costs seconds of start-up: each CLI command, worker and server pays it).
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager

    from accord.mcp.server import acting_as, load

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": request.scheme,
        "path": request.path,
        "raw_path": request.path.encode(),
        "query_string": request.META.get("QUERY_STRING", "").encode(),
        "root_path": "",
        "headers": [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in request.headers.items()
        ],
        "client": (request.META.get("REMOTE_ADDR", ""), 0),
        "server": (request.get_host(), 0),
    }
    sent = False

    async def receive() -> dict:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    status, headers, chunks = 500, [], []

    async def send(message: dict) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status = message["status"]
            headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in message["headers"]]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    # A fresh manager per request: stateless, it holds nothing between requests.
    manager = StreamableHTTPSessionManager(
        app=load()._lowlevel_server, json_response=True, stateless=True
    )
    with acting_as(found.org, found.person, found):
        async with manager.run():
            await manager.handle_request(scope, receive, send)
    return status, headers, b"".join(chunks)
