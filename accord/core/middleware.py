"""A write that meets a busy database answers 503 with Retry-After, never a 500.

SQLite lets one writer at a time; a request that waits longer than the busy timeout for
the write lock (another process is writing) gets `OperationalError: database is locked`.
That is not a fault of the request: it answers 503 Service Unavailable with `Retry-After`,
as JSON (`{"error": {"code": "busy", …}}`) under /api/, as one plain sentence to a request
htmx sent in place (which shell.js says beside the form, never as HTML) and as a short page
elsewhere, and the client tries again. Nothing was written: the lock is taken before any write
(transactions begin IMMEDIATE).

Views' exceptions arrive through `process_exception`; an exception raised further in (e.g.
while the session middleware saves the session) is turned into a 500 by Django before it
reaches this middleware, so those are recognised by `got_request_exception` and the 500 is
replaced here.
"""

from __future__ import annotations

import json
import logging

from django.core.signals import got_request_exception
from django.db import OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

log = logging.getLogger("accord.busy")

RETRY_AFTER_SECONDS = 2
_BUSY_MESSAGES = ("database is locked", "database table is locked", "database is busy")
_FLAG = "_accord_database_busy"


def is_busy(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and any(m in str(exc) for m in _BUSY_MESSAGES)


def busy_response(request) -> HttpResponse:
    message = "The database is busy with other changes; nothing was saved. Try again shortly."
    if request.path.startswith("/api/"):
        body = json.dumps({"error": {"code": "busy", "message": message, "fields": {}}})
        response = HttpResponse(body, status=503, content_type="application/json")
    elif request.headers.get("HX-Request") == "true":
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    else:
        response = HttpResponse(
            render_to_string("core/busy.html", {"message": message, "retry": RETRY_AFTER_SECONDS}),
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _remember(sender, request=None, **kwargs) -> None:
    import sys

    exc = sys.exc_info()[1]
    if request is not None and exc is not None and is_busy(exc):
        setattr(request, _FLAG, True)


got_request_exception.connect(_remember, dispatch_uid="accord.core.middleware.busy")


class DatabaseBusyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, _FLAG, False):
            log.warning("database busy: %s %s answered 503", request.method, request.path)
            return busy_response(request)
        return response

    def process_exception(self, request, exc):
        if is_busy(exc):
            log.warning("database busy: %s %s answered 503", request.method, request.path)
            return busy_response(request)
        return None
