"""Creating, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from accord.activity import services as activity
from accord.api.models import ApiToken
from accord.core.errors import NotFound, PermissionDenied
from accord.core.services import require_text
from accord.org.models import Organization, Person

TOKEN_PREFIX = "acc_"


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def create_token(org: Organization, person: Person, name: str) -> tuple[ApiToken, str]:
    """A new token for `person`. Returns the row and the raw token, which is never stored."""
    if person.org_id != org.id:
        raise NotFound("No such person.")
    name = require_text(name, "name", max_length=100)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        org=org, person=person, name=name, prefix=raw[:10], digest=_digest(raw)
    )
    activity.record(org, person, "created", token, after={"name": name, "prefix": token.prefix})
    return token, raw


@transaction.atomic
def revoke_token(org: Organization, actor: Person, token: ApiToken) -> ApiToken:
    if token.org_id != org.id:
        raise NotFound("No such token.")
    if token.person_id != actor.pk and not actor.has_role("admin"):
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
    token = (
        ApiToken.objects.select_related("person", "org")
        .filter(digest=_digest(raw), revoked_at__isnull=True, person__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Touch at most once a minute, so reads do not turn into a write per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
