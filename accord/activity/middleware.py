"""Each request's writes name the API token they came through (`services.through`)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from accord.activity import services


class ChannelMiddleware:
    """Around every request: its events are recorded as made through the API token that
    authenticated it (`request.token`, set by the API's `TokenAuth`, which `/mcp` uses too),
    none for a request of the pages. Read when an event is recorded, as the token is known
    only once the view has authenticated it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with services.through(lambda: getattr(request, "token", None)):
            return self.get_response(request)
