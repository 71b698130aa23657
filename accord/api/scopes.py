"""What a token may do: the one check every token-authenticated call passes.

A token carries a scope chosen when it is created (`accord.api.models.TokenScope`):

- `read`: reads only;
- `report`: reads, plus reporting progress — check-ins, the values of its person's own key
  results and those of the teams they lead (as a check-in takes them), and the status of
  the initiatives and action items its person owns;
- `member`: everything its person's role allows (the default for people).

The REST API checks it in `TokenAuth` (`accord/api/common.py`) for every operation: a
read needs `read`, a write needs `member` unless the operation declares `auth=REPORTING`,
in which case `report` will do (and the view adds `owner_id=` where only the owner may
report); it refuses a viewer's write there too, unless the operation declares
`auth=OWN_SETTINGS`, so that both refusals come before the body is read. Another
transport (the MCP server) calls `require_scope(token, scope)` with the token it
authenticated, before each tool runs, and gets the same answers: a paused agent, a revoked
token or a deactivated person is refused, then a scope too narrow for the call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from accord.api.models import SCOPE_RANK, ApiToken, TokenScope
from accord.core.errors import PermissionDenied, ServiceError
from accord.org.permissions import acts_as

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class AgentPaused(ServiceError):
    """The token's person is a paused agent: refused until its owner or an admin resumes it."""

    status = 403

    def __init__(self, message: str):
        super().__init__(message, code="agent_paused")


class TokenRefused(ServiceError):
    """A revoked token, or one of a deactivated person (401: it no longer authenticates)."""

    status = 401

    def __init__(self, message: str, code: str = "unauthenticated"):
        super().__init__(message, code=code)


class TokenRevoked(TokenRefused):
    """A token that was real but no longer authenticates: revoked, or its person deactivated
    (401 `token_revoked`, saying when and by whom). Whoever sends it held a real token, so it
    is not counted as a guess (`accord.api.throttle`)."""

    def __init__(self, message: str):
        super().__init__(message, code="token_revoked")


def revoked(token: ApiToken) -> TokenRevoked:
    """The refusal of `token`, revoked or of a deactivated person: which token and since
    when, nothing more. Who revoked it and why are for the token pages: a token is often
    revoked because it leaked, and this answer goes to whoever holds it."""
    which = f"This API token ({token.prefix}…)"
    advice = (
        "Use another token, or create a new one (under your name → API tokens; an agent's, "
        "on its page)."
    )
    if token.revoked_at is None:
        return TokenRevoked(f"{which} no longer works: its person was deactivated. {advice}")
    when = token.revoked_at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    return TokenRevoked(f"{which} was revoked on {when}. {advice}")


def scope_for_method(method: str, write_scope: str = TokenScope.MEMBER) -> TokenScope:
    """The scope an HTTP method needs: `read` for reads, else the operation's write scope."""
    return TokenScope.READ if method.upper() in SAFE_METHODS else TokenScope(write_scope)


def token_of(request_or_token: Any) -> ApiToken:
    """The ApiToken itself, or the one a request was authenticated with."""
    if isinstance(request_or_token, ApiToken):
        return request_or_token
    token = getattr(request_or_token, "auth", None) or getattr(request_or_token, "token", None)
    if not isinstance(token, ApiToken):
        raise TokenRefused("A valid API token is required: Authorization: Bearer acc_…")
    return token


def require_usable(token: ApiToken) -> None:
    """Refuse a revoked token, a deactivated person's, or a paused agent's (read from the
    row loaded for this request, so a pause applies to the very next call)."""
    person = token.person
    if token.revoked_at is not None or not person.is_active:
        raise revoked(token)
    if person.is_agent and person.paused_at is not None:
        raise AgentPaused(
            f"{person.name} is paused: its tokens are refused until its owner or an admin "
            "resumes it."
        )


def require_scope(request_or_token: Any, scope: str, *, owner_id: int | None = None) -> ApiToken:
    """Refuse (403) unless the token may do something that needs `scope`.

    `request_or_token`: an ApiToken, or a request authenticated with one (`request.auth`).
    `owner_id`: for a report on one object, its owner; a `report` token may report only on
    what its own person owns (an agent's: what it or its owner owns, as on whose behalf it
    works: `org.permissions.acts_as`). Returns the token.
    """
    token = token_of(request_or_token)
    require_usable(token)
    needed = TokenScope(scope)
    have = TokenScope(token.scope)
    if SCOPE_RANK[have] < SCOPE_RANK[needed]:
        raise PermissionDenied(
            f"This token's scope is {have.value} ({have.label.lower()}); this needs "
            f"{needed.value}. Create a token with a wider scope."
        )
    if have == TokenScope.REPORT and owner_id is not None and owner_id not in acts_as(token.person):
        raise PermissionDenied(
            "A report token may report progress only on what its own person owns."
        )
    return token


ADMIN_ONLY = "settings, webhooks, imports and exports"


def meaning(scope: str, role: str) -> str:
    """What a token of `scope` held by a person of `role` may do, in words: the scope never
    widens the role (a viewer's token reads, and with `member` changes only its person's own
    profile: name, title, time zone) and `member` follows
    the role (an admin's reads and changes what only admins may)."""
    from accord.org.models import Role

    if scope == TokenScope.READ:
        return "read only"
    if role == Role.VIEWER:  # a viewer changes nothing but their own settings
        if scope == TokenScope.MEMBER:
            return "read, and change only its person's own profile (name, title, time zone)"
        return "read only (a viewer changes nothing but their own settings)"
    if scope == TokenScope.REPORT:
        return (
            "read, and report progress: check-ins, the values of its person's key results "
            "and of the teams they lead, and the status of what its person owns"
        )
    if role == Role.ADMIN:
        return f"everything an admin may do, including what only admins may ({ADMIN_ONLY})"
    return f"everything a {Role(role).label.lower()} may do"
