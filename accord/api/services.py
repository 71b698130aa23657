"""Creating, checking and revoking API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import connection, connections, transaction
from django.utils import timezone

from accord.activity import services as activity
from accord.api.models import ApiToken, TokenScope
from accord.api.scopes import revoked
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
        _revoke(org, actor, token)
    return token


def _revoke(org: Organization, actor: Person | None, token: ApiToken, reason: str = "") -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    after = {"revoked_at": token.revoked_at, **({"reason": reason} if reason else {})}
    activity.record(org, actor, "revoked", token, after=after)


def revoke_tokens_of(org: Organization, actor: Person | None, person: Person) -> None:
    """Someone deactivated: every token of theirs is revoked. (Agents they own are paused
    instead, see `accord.org.services`: their tokens stay, for a new owner.)"""
    for token in ApiToken.objects.filter(org=org, person=person, revoked_at__isnull=True):
        _revoke(org, actor, token, f"{person.name} was deactivated")


def authenticate(raw: str) -> ApiToken | None:
    """The active token for `raw`, with its person, the person's owner (an agent's) and
    its organization, or None for a token that never was. A token that was real but is
    revoked, or whose person was deactivated, raises `scopes.TokenRevoked` (401
    `token_revoked`, saying when and by whom): whoever sends it held a real token, so it is
    not a guess. Found by the same digest in the same one statement either way."""
    if not raw or not raw.startswith(TOKEN_PREFIX):
        return None
    token = _TokenLookup.of(connection).find(_digest(raw))
    if token is None:
        return None
    if token.revoked_at is not None or not token.person.is_active:
        raise revoked(token)
    now = timezone.now()
    # Touch at most once a minute, so reads do not turn into a write per request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


class _TokenLookup:
    """The statement every API call starts with, written once per database connection.

    The ORM compiles a query again on each call: for this one (a token with its person,
    the person's owner and its organization, 42 columns) that was 0.9 to 1.9 ms of CPU, more
    than half of what a typical API call costs, against 0.07 ms for the statement itself.
    So the statement is built here once from the models' own fields, and each row is
    decoded with the converters the ORM itself would apply (`Field.get_db_converters` and
    the backend's), into instances made by `Model.from_db`: the same objects
    `ApiToken.objects.select_related("person", "person__owner", "org").get(...)` gives,
    which `tests/api/test_authenticate.py` checks field by field on both databases."""

    _built: dict[str, _TokenLookup] = {}

    @classmethod
    def of(cls, conn) -> _TokenLookup:
        lookup = cls._built.get(conn.alias)
        if lookup is None or lookup.vendor != conn.vendor:
            lookup = cls._built[conn.alias] = cls(conn)
        return lookup

    def __init__(self, conn) -> None:
        self.vendor = conn.vendor
        self.alias = conn.alias
        q = conn.ops.quote_name
        # (table alias, model) in the order of the select list.
        self.parts = [("t", ApiToken), ("p", Person), ("o", Organization), ("w", Person)]
        self.decoders = []
        columns = []
        for table, model in self.parts:
            fields = model._meta.concrete_fields
            columns += [f"{table}.{q(f.column)}" for f in fields]
            decode = []
            for f in fields:
                col = f.get_col(table)
                convert = conn.ops.get_db_converters(col) + f.get_db_converters(conn)
                decode.append((col, convert))
            names = [f.attname for f in fields]
            self.decoders.append((names, decode, names.index(model._meta.pk.attname)))
        token, person, org = (m._meta for m in (ApiToken, Person, Organization))

        def column(meta, name: str) -> str:
            return q(meta.get_field(name).column)

        person_pk = column(person, person.pk.name)
        self.sql = (
            f"SELECT {', '.join(columns)} FROM {q(token.db_table)} t"
            f" JOIN {q(person.db_table)} p ON p.{person_pk} = t.{column(token, 'person')}"
            f" JOIN {q(org.db_table)} o"
            f" ON o.{column(org, org.pk.name)} = t.{column(token, 'org')}"
            f" LEFT JOIN {q(person.db_table)} w ON w.{person_pk} = p.{column(person, 'owner')}"
            f" WHERE t.{column(token, 'digest')} = %s"
        )

    def find(self, digest: str) -> ApiToken | None:
        conn = connections[self.alias]
        with conn.cursor() as cursor:
            cursor.execute(self.sql, [digest])
            row = cursor.fetchone()
        if row is None:
            return None
        made = []
        start = 0
        for (_, model), (names, decode, pk) in zip(self.parts, self.decoders, strict=True):
            values = list(row[start : start + len(names)])
            start += len(names)
            for i, (col, convert) in enumerate(decode):
                for converter in convert:
                    values[i] = converter(values[i], col, conn)
            # The owner's columns are all NULL for a person (the LEFT JOIN found no row).
            found = values[pk] is not None
            made.append(model.from_db(self.alias, names, values) if found else None)
        token, person, org, owner = made
        Person.owner.field.set_cached_value(person, owner)
        ApiToken.person.field.set_cached_value(token, person)
        ApiToken.org.field.set_cached_value(token, org)
        return token
