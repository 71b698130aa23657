"""Request ids and JSON-lines logs for log collectors (ACCORD_LOG_FORMAT=json).

Every request gets an id: the caller's `X-Request-ID` when it is a plain token (a proxy's
or load balancer's), else a new one; it is echoed in the response's `X-Request-ID` and
attached to every log record written while the request is handled. With JSON logs each
record is one object on one line: time, level, logger, message, and request_id, method
and path when a request is being handled; each request also writes one `accord.request`
line with its status and duration (gunicorn's own access log is then off).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid

from django.conf import settings

_current: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "accord_request", default=None
)
_TOKEN = re.compile(r"[A-Za-z0-9._:-]{1,64}")
request_log = logging.getLogger("accord.request")


def current_request() -> dict[str, str] | None:
    """{"request_id", "method", "path"} of the request being handled, if any."""
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.log_requests = settings.ACCORD_LOG_FORMAT == "json"

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _TOKEN.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = _current.set(
            {"request_id": request_id, "method": request.method, "path": request.path}
        )
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if self.log_requests:
                request_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "status": response.status_code,
                        "duration_ms": round((time.monotonic() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            _current.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line (newlines in messages are escaped)."""

    EXTRA = ("status", "duration_ms", "status_code")

    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _current.get()
        if context:
            data.update(context)
        else:
            # django.request logs 4xx/5xx after the middleware has finished, with the request.
            request = getattr(record, "request", None)
            for key, attr in (("request_id", "request_id"), ("method", "method"), ("path", "path")):
                value = getattr(request, attr, None)
                if isinstance(value, str):
                    data[key] = value
        for key in self.EXTRA:
            value = getattr(record, key, None)
            if isinstance(value, int | float | str):
                data[key] = value
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        elif record.stack_info:
            data["stack"] = self.formatStack(record.stack_info)
        return json.dumps(data, ensure_ascii=False, default=str)
