"""The API's error shape for a method a path does not take.

django-ninja answers such a request itself, before any of the API's exception handlers,
with a plain-text 405; every other error under /api/ is JSON (`accord.api.main._error`).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse


class MethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code != 405
            or not request.path.startswith("/api/")
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        allowed = response.get("Allow", "")
        message = f"{request.method} is not allowed here"
        message += f"; this path takes {allowed}." if allowed else "."
        answer = JsonResponse(
            {"error": {"code": "method_not_allowed", "message": message, "fields": {}}},
            status=405,
        )
        if allowed:
            answer["Allow"] = allowed
        return answer
