"""Creating, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accord.activity import services as activity
from accord.api.models import ApiToken, TokenScope
from accord.core.errors import NotFound, PermissionDenied, ServiceError
from accord.core.services import require_text
from accord.org.models import Organization, Person
from accord.org.permissions import can_manage_agent

TOKEN_PREFIX = "acc_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(
    org: Organization,
    person: Person,
    name: str,
    *,
    scope: str | None = None,
    actor: Person | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `person`, made by `actor` (by default the person themself; for an
    agent, its owner or an admin). `scope`: read, report or member; by default member for
    a person and report for an agent. Returns the row and the raw token, never stored."""
    if person.org_id != org.id:
        raise NotFound("No such person.")
    actor = person if actor is None else actor
    if actor.pk != person.pk and not can_manage_agent(actor, person):
        raise PermissionDenied(
            "Only the person themself, or an agent's owner or an admin, may create its tokens."
        )
    if person.is_agent and actor.pk == person.pk:
        raise PermissionDenied("An agent cannot create tokens; its owner or an admin does.")
    name = require_text(name, "name", max_length=100)
    if scope in (None, ""):
        scope = TokenScope.REPORT if person.is_agent else TokenScope.MEMBER
    if scope not in TokenScope.values:
        raise ServiceError(
            f"Unknown scope {scope!r}; use one of {', '.join(TokenScope.values)}.",
            fields={"scope": ["Unknown scope."]},
        )
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        org=org, person=person, name=name, prefix=raw[:10], digest=_digest(raw), scope=scope
    )
    activity.record(
        org,
        actor,
        "created",
        token,
        after={"name": name, "prefix": token.prefix, "scope": scope, "person": person.pk},
    )
    return token, raw


@transaction.atomic
def revoke_token(org: Organization, actor: Person, token: ApiToken) -> ApiToken:
    if token.org_id != org.id:
        raise NotFound("No such token.")
    if (
        token.person_id != actor.pk
        and not actor.has_role("admin")
        and not can_manage_agent(actor, token.person)
    ):
        raise PermissionDenied("Only the token's owner or an admin may revoke it.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        activity.record(org, actor, "revoked", token, after={"revoked_at": token.revoked_at})
    return token


def authenticate(raw: str) -> ApiToken | None:
    """The active token for `raw`, with its person and organization, or None."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    try:
        # The digest is unique: no ordering to compile on every API call (`first()` would
        # sort by the model's ordering).
        token = ApiToken.objects.select_related("person", "person__owner", "org").get(
            digest=_digest(raw), revoked_at__isnull=True, person__is_active=True
        )
    except ApiToken.DoesNotExist:
        return None
    now = timezone.now()
    # Touch at most once a minute, so reads do not turn into a write per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
