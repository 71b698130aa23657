"""Guessing API tokens does not pay: too many bad tokens from one address answer 429.

Counts live in Django's cache (settings.CACHES["default"]), in fixed windows of
ACCORD_API_TOKEN_FAILURE_WINDOW seconds. The default cache is a database table, so every app
process sharing the database shares the counts; a Redis cache does the same across
machines. Once an address has sent ACCORD_API_TOKEN_FAILURE_LIMIT bad tokens in a window,
every token it sends is refused until the window ends, a valid one too: otherwise a
guesser would still learn when a guess was right. A token that was real but is revoked is
not a guess: it is refused (401 `token_revoked`, `accord.api.services.authenticate`) without
being counted, so an integration still sending an old token locks out no one at its address.
"""

from __future__ import annotations

import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from ninja.errors import Throttled

from accord.core.security import client_ip, count_in_window


class RateLimited(Throttled):
    """Too many calls by one person or agent in a window: 429 with Retry-After."""

    def __init__(self, wait: int, message: str) -> None:
        super().__init__(wait=wait)
        self.message = message


def message(exc: Throttled) -> str:
    """What a 429 says, over REST and MCP alike: why, and how long to wait."""
    if isinstance(exc, RateLimited):
        return exc.message
    return (
        "Too many requests with an invalid API token from your address; "
        f"try again in {exc.wait or 1} seconds."
    )


def _window() -> tuple[int, float]:
    """The current window's number and the seconds until it ends."""
    size = max(1, settings.ACCORD_API_TOKEN_FAILURE_WINDOW)
    now = time.time()
    number = int(now // size)
    return number, (number + 1) * size - now


def _key(request: HttpRequest, number: int) -> str:
    return f"accord:api-bad-token:{client_ip(request) or 'unknown'}:{number}"


def check(request: HttpRequest) -> None:
    """Raise Throttled (429, Retry-After) if this address is over the limit."""
    number, left = _window()
    failures = cache.get(_key(request, number), 0)
    if failures >= settings.ACCORD_API_TOKEN_FAILURE_LIMIT:
        raise Throttled(wait=math.ceil(left))


def record_failure(request: HttpRequest) -> None:
    """Count one bad token from this address in the current window."""
    count_in_window(
        f"accord:api-bad-token:{client_ip(request) or 'unknown'}",
        max(1, settings.ACCORD_API_TOKEN_FAILURE_WINDOW),
    )


# --- calls per person: agents stricter than people ------------------------------------------


def count_call(person) -> None:
    """Count one API call by `person` in the current window of ACCORD_API_RATE_WINDOW
    seconds; over ACCORD_API_AGENT_RATE_LIMIT calls for an agent (ACCORD_API_PERSON_RATE_LIMIT
    for a person; 0 = no limit), raise RateLimited until the window ends. Counts live in
    the shared cache, so every app process counts together."""
    limit = (
        settings.ACCORD_API_AGENT_RATE_LIMIT
        if person.is_agent
        else settings.ACCORD_API_PERSON_RATE_LIMIT
    )
    if limit <= 0:
        return
    size = max(1, settings.ACCORD_API_RATE_WINDOW)
    calls, left = count_in_window(f"accord:api-calls:{person.pk}", size)
    if calls > limit:
        who = "agent" if person.is_agent else "person"
        raise RateLimited(
            math.ceil(left),
            f"{person.name} has made more than {limit} API calls in {size} seconds (the "
            f"limit per {who}); try again in {math.ceil(left)} seconds.",
        )
