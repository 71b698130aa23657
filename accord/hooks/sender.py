"""Sending: the worker's side of outbound webhooks.

Each subscription's queue is sent in order by one worker at a time: a worker takes a
subscription by setting its lease in one UPDATE (as healthchecks' sendalerts claims a
check), sends the queue's head, and goes on to the next delivery only once the head is
delivered or given up. A failed head is retried with exponential back-off for
WEBHOOK_RETRY_HOURS, then given up; WEBHOOK_PAUSE_AFTER failed attempts in a row pause
the subscription and tell its organization's admins. A worker that dies mid-send leaves
the head pending; when its lease passes another worker sends it again (at least once:
receivers de-duplicate by the `webhook-id` header).

Requests follow the Standard Webhooks specification (https://www.standardwebhooks.com):
`webhook-id`, `webhook-timestamp` and `webhook-signature` headers, HMAC-SHA256 with a
`whsec_` secret, computed by the `standardwebhooks` package. During a rotation's overlap
the header carries one signature per secret, and receivers accept either.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from standardwebhooks import Webhook as Signer

from accord.activity import delivery as notices
from accord.activity.models import Event
from accord.core import outbound
from accord.hooks.models import Delivery, DeliveryState, Webhook
from accord.org.models import Organization, Person, Role, Team

log = logging.getLogger("accord.hooks")

LEASE = dt.timedelta(minutes=2)
BACKOFF_SECONDS = 30  # 30 s, 1 min, 2 min, … doubling, at most MAX_BACKOFF apart
MAX_BACKOFF = dt.timedelta(hours=2)
BATCH = 50


def backoff(attempts: int) -> dt.timedelta:
    """How long a delivery that failed `attempts` times waits before the next attempt."""
    seconds = BACKOFF_SECONDS * 2 ** min(max(0, attempts - 1), 20)
    return min(dt.timedelta(seconds=seconds), MAX_BACKOFF)


# --- what is sent ------------------------------------------------------------------------


def target_path(org: Organization, target_type: str, target_id: str) -> str | None:
    """The page of an event's object, when it has one."""
    from accord.conversation import targets

    try:
        pk = int(target_id)
    except ValueError:
        return None
    for kind in targets.KINDS.values():
        if kind.model.lower() == target_type:
            return targets.path(org, kind.model_class()(pk=pk))
    try:
        if target_type == "org.person":
            return reverse("org:person", kwargs={"org_slug": org.slug, "person_id": pk})
        if target_type == "rhythm.cadence":
            return reverse("rhythm:cadence", kwargs={"org_slug": org.slug, "cadence_id": pk})
        if target_type == "org.team":
            # A team's page is named by its slug, which may have changed since the event.
            slug = Team.objects.for_org(org).filter(pk=pk).values_list("slug", flat=True).first()
            return (
                reverse("org:team", kwargs={"org_slug": org.slug, "team_slug": slug})
                if slug
                else None
            )
    except NoReverseMatch:  # pragma: no cover
        return None
    return None


def actor(event: Event) -> dict:
    """Who did it, as the event log (`GET /api/v1/events`) and the activity feed say it: an
    agent with the person accountable for it, and the API token a change came through (the
    API, or an assistant over MCP)."""
    owner = (
        {"id": event.on_behalf_of_id, "name": event.on_behalf_of_name} if event.by_agent else None
    )
    return {
        "id": event.actor_id,
        "name": event.actor_name,
        "is_agent": event.by_agent,
        "on_behalf_of": owner,
        "via_token": event.via_token,
        "display": event.actor_display,
    }


def payload(event: Event) -> dict:
    """The body of a delivery: the Standard Webhooks envelope around the event."""
    org = event.org
    path = target_path(org, event.target_type, event.target_id)
    return {
        "type": event.kind,
        "timestamp": event.created_at.isoformat(),
        "data": {
            "id": event.pk,
            "kind": event.kind,
            "verb": event.verb,
            "time": event.created_at.isoformat(),
            "organization": {"slug": org.slug, "name": org.name},
            "actor": actor(event),
            "target": {
                "type": event.target_type,
                "id": event.target_id,
                "label": event.target_label,
                "url": notices.site_link(path) if path else None,
            },
            "before": event.before,
            "after": event.after,
        },
    }


UNREADABLE_SECRET = (
    "The signing secret cannot be read (the encryption key changed): rotate the secret."
)


def message_id(event_id: int) -> str:
    """The `webhook-id`: the same for every attempt (and redelivery) of one event."""
    return f"evt_{event_id}"


def sign(secrets: list[str], msg_id: str, at: dt.datetime, body: str) -> str:
    """The `webhook-signature` header: one `v1,…` signature per secret, space-separated."""
    return " ".join(Signer(s).sign(msg_id, at, body) for s in secrets)


def headers_for(hook: Webhook, event_id: int, body: str, now: dt.datetime) -> dict[str, str]:
    sent_at = timezone.now()  # the receiver checks it against its own clock
    msg_id = message_id(event_id)
    return {
        "Content-Type": "application/json",
        "User-Agent": "Accord-Webhooks/1",
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(sent_at.timestamp())),
        "webhook-signature": sign(hook.secrets(now), msg_id, sent_at, body),
    }


# --- the worker's loop ---------------------------------------------------------------------


def deliver(now: dt.datetime | None = None, limit: int = 1000, budget: float = 50.0) -> dict:
    """Send what is due, each subscription's queue in order. Returns counts by outcome.

    Stops after `limit` requests or `budget` seconds; the next run goes on from there."""
    now = now or timezone.now()
    counts = {"delivered": 0, "retry": 0, "given_up": 0, "paused": 0}
    started = time.monotonic()
    due = (
        Webhook.objects.filter(paused_at__isnull=True)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(deliveries__state=DeliveryState.PENDING)
        .values_list("pk", flat=True)
        .distinct()
    )
    for hook_id in list(due):
        if sum(counts.values()) >= limit or time.monotonic() - started > budget:
            break
        claimed = (
            Webhook.objects.filter(pk=hook_id, paused_at__isnull=True)
            .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
            .update(lease_until=now + LEASE)
        )
        if not claimed:
            continue  # another worker has it, or it was paused
        try:
            _drain(hook_id, now, counts, limit, started, budget)
        finally:
            Webhook.objects.filter(pk=hook_id).update(lease_until=None)
    return counts


def _drain(hook_id: int, now, counts: dict, limit: int, started: float, budget: float) -> None:
    while sum(counts.values()) < limit and time.monotonic() - started <= budget:
        hook = Webhook.objects.select_related("org").filter(pk=hook_id).first()
        if hook is None or hook.is_paused:
            return
        Webhook.objects.filter(pk=hook_id).update(lease_until=now + LEASE)
        batch = list(
            Delivery.objects.filter(webhook_id=hook_id, state=DeliveryState.PENDING)
            .select_related("event", "event__org")
            .order_by("pk")[:BATCH]
        )
        if not batch:
            return
        for d in batch:
            if d.next_attempt_at > now:
                return  # the head waits for its retry, and everything behind it
            outcome = _attempt(hook, d, now)
            counts[outcome] += 1
            if outcome in ("retry", "paused"):
                return
            if sum(counts.values()) >= limit or time.monotonic() - started > budget:
                return


def _send(hook: Webhook, d: Delivery, now: dt.datetime) -> tuple[str, int | None, int | None]:
    """One request of a delivery, the only way Accord sends a webhook: (error or "", HTTP
    status, milliseconds)."""
    body = json.dumps(payload(d.event), separators=(",", ":"), ensure_ascii=False)
    error, status, duration = "", None, None
    try:
        if not hook.secrets(now):
            raise outbound.OutboundError(UNREADABLE_SECRET)
        answer = outbound.request(
            "POST",
            hook.url,
            headers=headers_for(hook, d.event_id, body, now),
            body=body.encode(),
            timeout=settings.WEBHOOK_TIMEOUT,
        )
    except outbound.OutboundError as exc:
        error = str(exc)
    else:
        status, duration = answer.status, int(answer.seconds * 1000)
        if not answer.ok:
            error = f"HTTP {answer.status}"
    return error[:500], status, duration


def send_now(hook: Webhook, d: Delivery, now: dt.datetime | None = None) -> Delivery | None:
    """Send one delivery at once, out of its queue's order (a test event an admin asked
    for), and finish it: delivered, or given up after this one attempt (a test is not
    retried, and does not count towards pausing the webhook). None when a worker holds
    the webhook's queue now: the delivery stays queued and the worker sends it."""
    now = now or timezone.now()
    claimed = (
        Webhook.objects.filter(pk=hook.pk)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .update(lease_until=now + LEASE)
    )
    if not claimed:
        return None
    try:
        d = Delivery.objects.select_related("event", "event__org").get(pk=d.pk)
        if d.state != DeliveryState.PENDING:
            return d
        error, status, duration = _send(hook, d, now)
        Delivery.objects.filter(pk=d.pk).update(
            state=DeliveryState.GIVEN_UP if error else DeliveryState.DELIVERED,
            attempts=d.attempts + 1,
            response_status=status,
            duration_ms=duration,
            last_error=error,
            finished_at=now,
        )
    finally:
        Webhook.objects.filter(pk=hook.pk).update(lease_until=None)
    d.refresh_from_db()
    return d


def _attempt(hook: Webhook, d: Delivery, now: dt.datetime) -> str:
    error, status, duration = _send(hook, d, now)
    attempts = d.attempts + 1
    if not error:
        Delivery.objects.filter(pk=d.pk).update(
            state=DeliveryState.DELIVERED,
            attempts=attempts,
            response_status=status,
            duration_ms=duration,
            last_error="",
            finished_at=now,
        )
        if hook.consecutive_failures:
            Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
            hook.consecutive_failures = 0
        return "delivered"
    return _failed(hook, d, now, attempts, status, duration, error)


def _failed(hook, d, now, attempts, status, duration, error) -> str:
    log.warning("webhook %s: delivery %s failed (attempt %s): %s", hook.pk, d.pk, attempts, error)
    give_up = now - d.created_at >= dt.timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    with transaction.atomic():
        Delivery.objects.filter(pk=d.pk).update(
            state=DeliveryState.GIVEN_UP if give_up else DeliveryState.PENDING,
            attempts=attempts,
            response_status=status,
            duration_ms=duration,
            last_error=error,
            finished_at=now if give_up else None,
            next_attempt_at=d.next_attempt_at if give_up else now + backoff(attempts),
        )
        Webhook.objects.filter(pk=hook.pk).update(
            consecutive_failures=F("consecutive_failures") + 1
        )
        hook.refresh_from_db(fields=["consecutive_failures", "paused_at", "version"])
        if hook.paused_at is None and hook.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER:
            _pause_after_failures(hook, now, error)
            return "paused"
    return "given_up" if give_up else "retry"


def _pause_after_failures(hook: Webhook, now: dt.datetime, error: str) -> None:
    from accord.core.services import update_and_record

    org = hook.org
    reason = f"Paused after {hook.consecutive_failures} failed attempts in a row (last: {error})"
    update_and_record(
        org, None, hook, {"paused_at": now, "paused_reason": reason[:300]}, verb="paused"
    )
    admins = Person.objects.for_org(org).filter(role=Role.ADMIN, is_active=True)
    link = notices.site_link(
        reverse("hooks:detail", kwargs={"org_slug": org.slug, "webhook_id": hook.pk})
    )
    notices.notify(
        org,
        kind="webhook_paused",
        key=f"webhook:{hook.pk}:paused:{int(now.timestamp())}",
        subject=f"Webhook to {hook.url} paused"[:300],
        text=(
            f"Accord paused the webhook to {hook.url} after {hook.consecutive_failures} "
            f"failed attempts in a row. The last error was: {error}\n"
            "Events keep waiting for it; resume it once the receiver answers again."
        ),
        link=link,
        people=list(admins),
        now=now,
    )
