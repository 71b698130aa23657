"""Queueing: every recorded event inserts one delivery per matching subscription, in the
transaction that records it. Nothing here touches the network; the worker sends.

Matching costs one indexed query per transaction and organization (the subscriptions of an
organization are read once and kept until the transaction ends), so a write in an
organization without webhooks pays one small query, and a bulk write no more.
"""

from __future__ import annotations

import re

from django.db import transaction

from accord.activity import kinds
from accord.activity.models import Event
from accord.activity.queries import ADMIN_KINDS, PERSONAL_KINDS, PERSONAL_VERBS
from accord.core.errors import ServiceError

MAX_PATTERNS = 50

# One pattern syntax and check for subscriptions and the event log: accord.activity.kinds.
matches = kinds.matches

# Kinds of object the pages show to nobody but the person concerned or admins: someone's
# own settings and reading (time off, tokens, delivery preferences, inbox…) and accounts,
# webhooks and exports of the whole organization (`accord.activity.queries`).
NAMED_ONLY = frozenset(PERSONAL_KINDS) | frozenset(ADMIN_KINDS)


def wants(patterns: list[str], kind: str) -> bool:
    """Whether a subscription's `patterns` ask for an event of `kind`. `*` and an area
    (`rhythm.*`) leave out what the pages show to nobody but the person concerned or admins
    (NAMED_ONLY, and a read of one's inbox, `org.person.inbox_read`): a subscription gets
    those only by naming them, their kind of object (`rhythm.away.*`) or the kind itself."""
    object_kind, _, verb = kind.rpartition(".")
    if verb in PERSONAL_VERBS:
        return kind in patterns
    if object_kind in NAMED_ONLY:
        return kind in patterns or f"{object_kind}.*" in patterns
    return matches(patterns, kind)


def clean_patterns(values: list[str] | str, field: str = "events") -> list[str]:
    """The event kinds a subscription asks for, checked (`accord.activity.kinds.parse`): `*`,
    `app.*`, `app.model.*` or `app.model.verb`, naming an area and object kind that record
    events (`org.team.` is kept as `org.team.*`)."""
    if isinstance(values, str):
        values = re.split(r"[\s,]+", values)
    out: list[str] = []
    for raw in values:
        if not str(raw).strip():
            continue
        value = kinds.parse(raw, field).text
        if value not in out:
            out.append(value)
    if not out:
        raise ServiceError(
            "Choose at least one event kind (e.g. * for every event).",
            fields={field: ["Required."]},
        )
    if len(out) > MAX_PATTERNS:
        raise ServiceError(
            f"At most {MAX_PATTERNS} event kinds.", fields={field: ["Too many event kinds."]}
        )
    return out


# --- per-transaction memo of subscriptions -------------------------------------------------


class _Memo:
    """Subscriptions read in the current transaction, by organization. It lives as long as
    the no-op commit hook it registered: Django drops the hooks of a transaction that ends
    (commit or rollback) and of a savepoint rolled back, which ends the memo with them."""

    def __init__(self) -> None:
        self.by_org: dict[int, list[tuple[int, list[str]]]] = {}
        self.index = -1
        self.kick_registered = False

    def __call__(self) -> None:  # the commit hook: nothing to do but exist
        return None


def _memo() -> _Memo:
    conn = transaction.get_connection()
    memo: _Memo | None = getattr(conn, "_accord_hooks_memo", None)
    hooks = conn.run_on_commit
    if memo is not None and memo.index < len(hooks) and hooks[memo.index][1] is memo:
        return memo
    memo = _Memo()
    transaction.on_commit(memo)
    memo.index = len(conn.run_on_commit) - 1
    conn._accord_hooks_memo = memo  # type: ignore[attr-defined]
    return memo


def forget() -> None:
    """Drop the memo: the organization's subscriptions just changed in this transaction."""
    conn = transaction.get_connection()
    conn._accord_hooks_memo = None  # type: ignore[attr-defined]


def queue_event(event: Event) -> int:
    """Insert a pending delivery of `event` for each subscription that wants it."""
    from accord.hooks.models import Delivery, Webhook

    memo = _memo()
    subscriptions = memo.by_org.get(event.org_id)
    if subscriptions is None:
        subscriptions = list(
            Webhook.objects.filter(org_id=event.org_id).values_list("id", "events")
        )
        memo.by_org[event.org_id] = subscriptions
    kind = event.kind
    rows = [
        Delivery(
            org_id=event.org_id,
            webhook_id=hook_id,
            event=event,
            next_attempt_at=event.created_at,
            created_at=event.created_at,
        )
        for hook_id, patterns in subscriptions
        if wants(patterns, kind)
    ]
    if not rows:
        return 0
    Delivery.objects.bulk_create(rows)
    if not memo.kick_registered:
        memo.kick_registered = True
        transaction.on_commit(kick)
    return len(rows)


def kick() -> None:
    """Ask the worker to send now rather than at its next periodic run."""
    from accord.hooks.tasks import deliver_webhooks

    try:
        deliver_webhooks.enqueue()
    except Exception:  # the periodic run sends it anyway
        import logging

        logging.getLogger("accord.hooks").exception("could not enqueue webhook delivery")
