"""Requests Accord makes to addresses its users give it: chat webhooks, outbound webhooks,
key-result sources, work trackers.

One rule for all of them: an address must be http(s) and, unless the setting
`OUTBOUND_ALLOW_PRIVATE` (`ACCORD_OUTBOUND_ALLOW_PRIVATE`) allows it, every address its host
resolves to must be public: loopback, private, link-local, shared, reserved and multicast
ranges are refused, so that a tenant cannot use Accord to probe the network it runs in.
An address may not carry credentials (`user:password@`): it is shown where they would leak
(lists, the activity feed, events); callers authenticate with a header instead (a webhook's
signature, a source's encrypted header values).
The check runs when the address is saved (`check_url`, a clear error for the form) and again
right before each request (`request`, after resolving the name at that moment); redirects are
not followed, since they would lead past the check.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from accord.core.errors import ServiceError

# Bodies larger than this are cut off: a source or tracker answers a few kilobytes.
MAX_BODY = 1024 * 1024


class OutboundError(OSError):
    """A request could not be made or failed; `str()` is a message for the person who set it."""


# What the person who set the address reads next to a refusal: who can allow it, and how.
ALLOW_PRIVATE_HINT = (
    "an administrator can allow private addresses with ACCORD_OUTBOUND_ALLOW_PRIVATE=1 (see README)"
)


CREDENTIALS_REFUSED = (
    "The address may not hold a user name or password (user:password@host): addresses are "
    "shown in lists, the activity feed and events. Check who calls with a header instead: "
    "webhooks are signed with their secret (webhook-signature), sources send header values "
    "kept encrypted."
)


def _refuse(message: str, field: str) -> ServiceError:
    return ServiceError(message, fields={field: [message]}, code="address_refused")


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise OutboundError(f"cannot resolve {host}: {exc}") from None
    return sorted({info[4][0] for info in infos})


def _host_port(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.hostname or "", port


def refusal(url: str) -> str | None:
    """Why a request to `url` is refused now, or None when it may be made."""
    if getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False):
        return None
    return unreachable(url)


def unreachable(url: str) -> str | None:
    """Why Accord cannot call `url` now: its name does not resolve (also where private
    addresses are allowed), or it resolves to a private or local one (where they are not);
    None when it can."""
    host, port = _host_port(url)
    try:
        addresses = _resolve(host, port)
    except OutboundError as exc:
        return str(exc)
    if getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False):
        return None
    private = [a for a in addresses if not _is_public(a)]
    if private:
        return (
            f"{host} resolves to a private or local address ({private[0]}); "
            "Accord only calls public addresses."
        )
    return None


def check_url(url: str, field: str = "url") -> str:
    """The address, stripped, if Accord may call it; else a ServiceError for `field`."""
    url = (url or "").strip()
    if "@" in url.partition("://")[2].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
        raise _refuse(CREDENTIALS_REFUSED, field)  # first, not repeating the address
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise _refuse(f"{url!r} is not an http(s) address.", field) from None
    host, _port = _host_port(url)
    if not getattr(settings, "OUTBOUND_ALLOW_PRIVATE", False):
        try:
            literal = ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            literal = None
        if literal is not None and not _is_public(str(literal)):
            raise _refuse(
                f"{host} is a private or local address; use a public one, or {ALLOW_PRIVATE_HINT}.",
                field,
            )
        # A name is resolved at each request (it can change); here only literal addresses and
        # names that resolve now to private ones are refused, with the reason.
        reason = refusal(url)
        if reason and "resolves to a private" in reason:
            raise _refuse(f"{reason[:-1]}; {ALLOW_PRIVATE_HINT}.", field)
    return url


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        raise urllib.error.HTTPError(
            req.full_url, code, f"redirect to {newurl} not followed", headers, fp
        )


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = 10.0,
) -> Response:
    """Make one request to a user-given address, checked at this moment.

    Answers any HTTP status as a Response (the caller decides what a 4xx or 5xx means); raises
    OutboundError when the address is refused, unreachable, or times out.
    """
    reason = refusal(url)
    if reason:
        raise OutboundError(reason)
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    started = time.monotonic()
    try:
        with _opener.open(req, timeout=timeout) as answer:
            data = answer.read(MAX_BODY + 1)
            status, answer_headers = answer.status, dict(answer.headers.items())
    except urllib.error.HTTPError as exc:
        data = exc.read(MAX_BODY + 1) if exc.fp else b""
        status, answer_headers = exc.code, dict(exc.headers.items()) if exc.headers else {}
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, socket.timeout | TimeoutError):
            raise OutboundError(f"no answer within {timeout:g} s") from None
        raise OutboundError(f"could not reach {url}: {reason}") from None
    if len(data) > MAX_BODY:
        raise OutboundError(f"the answer is larger than {MAX_BODY // 1024} kB")
    return Response(status, answer_headers, data, time.monotonic() - started)
