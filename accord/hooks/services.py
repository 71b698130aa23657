"""Every write to an organization's webhooks: validate, change and record the event in one
transaction. Only admins manage webhooks; the secret is returned once, when created or
rotated, and never appears in an event."""

from __future__ import annotations

import base64
import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accord.activity import services as activity
from accord.core import crypto, outbound
from accord.core.errors import Conflict, ServiceError
from accord.core.services import require_same_org, require_text, update_and_record
from accord.hooks import outbox, queries
from accord.hooks.models import Delivery, DeliveryState, Webhook
from accord.org.models import Organization, Person, Role
from accord.org.permissions import require_role

SECRET_PREFIX = "whsec_"
MAX_OVERLAP_HOURS = 24 * 7


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 24 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(24)).decode()


def _admin(actor: Person | None) -> None:
    require_role(actor, Role.ADMIN, "manage webhooks")


def _description(value: str | None) -> str:
    value = (value or "").strip()
    return require_text(value, "description", max_length=200) if value else ""


def _url(value: str) -> str:
    url = outbound.check_url(value, "url")
    if len(url) > 500:
        raise ServiceError(
            "The address is too long (at most 500 characters).",
            fields={"url": ["At most 500 characters."]},
        )
    return url


@transaction.atomic
def create_webhook(
    org: Organization,
    actor: Person | None,
    *,
    url: str,
    events: list[str] | str,
    description: str = "",
) -> tuple[Webhook, str]:
    """Subscribe `url` to `events`. Returns the webhook and its secret (shown once)."""
    _admin(actor)
    url = _url(url)
    patterns = outbox.clean_patterns(events)
    description = _description(description)
    secret = new_secret()
    hook = Webhook.objects.create(
        org=org,
        url=url,
        events=patterns,
        description=description,
        secret=crypto.encrypt(secret),
        created_by=actor,
    )
    outbox.forget()
    activity.record(
        org,
        actor,
        "created",
        hook,
        after={"url": url, "events": patterns, "description": description},
    )
    return hook, secret


@transaction.atomic
def update_webhook(
    org: Organization,
    actor: Person | None,
    hook: Webhook,
    *,
    url: str | None = None,
    events: list[str] | str | None = None,
    description: str | None = None,
    expected_version: int | None = None,
) -> Webhook:
    require_same_org(org, hook, "webhook")
    _admin(actor)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    changes: dict[str, object] = {}
    if url is not None:
        changes["url"] = _url(url)
    if events is not None:
        changes["events"] = outbox.clean_patterns(events)
    if description is not None:
        changes["description"] = _description(description)
    outbox.forget()
    update_and_record(org, actor, hook, changes, expected_version=expected_version)
    return hook


@transaction.atomic
def delete_webhook(org: Organization, actor: Person | None, hook: Webhook) -> None:
    """Unsubscribe: the webhook and its deliveries (sent or waiting) are gone."""
    require_same_org(org, hook, "webhook")
    _admin(actor)
    activity.record(org, actor, "deleted", hook, before={"url": hook.url, "events": hook.events})
    hook.delete()
    outbox.forget()


@transaction.atomic
def pause_webhook(org: Organization, actor: Person | None, hook: Webhook) -> Webhook:
    """Stop sending; events keep queueing and wait for `resume_webhook`."""
    require_same_org(org, hook, "webhook")
    _admin(actor)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    if hook.paused_at is None:
        who = actor.name if actor else "Accord"
        update_and_record(
            org,
            actor,
            hook,
            {"paused_at": timezone.now(), "paused_reason": f"Paused by {who}"[:300]},
            verb="paused",
        )
    return hook


@transaction.atomic
def resume_webhook(org: Organization, actor: Person | None, hook: Webhook) -> Webhook:
    """Send again: what waited goes out in order, starting now."""
    require_same_org(org, hook, "webhook")
    _admin(actor)
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    if hook.paused_at is not None:
        now = timezone.now()
        Webhook.objects.filter(pk=hook.pk).update(consecutive_failures=0)
        hook.consecutive_failures = 0
        Delivery.objects.filter(
            webhook=hook, state=DeliveryState.PENDING, next_attempt_at__gt=now
        ).update(next_attempt_at=now)
        update_and_record(
            org, actor, hook, {"paused_at": None, "paused_reason": ""}, verb="resumed"
        )
        transaction.on_commit(outbox.kick)
    return hook


@transaction.atomic
def rotate_secret(
    org: Organization,
    actor: Person | None,
    hook: Webhook,
    *,
    overlap_hours: float | None = None,
) -> tuple[Webhook, str]:
    """A new secret; the old one keeps signing (beside the new) for `overlap_hours`
    (default WEBHOOK_SECRET_OVERLAP_HOURS, 0 to stop at once). Returns the new secret."""
    require_same_org(org, hook, "webhook")
    _admin(actor)
    if overlap_hours is None:
        overlap_hours = settings.WEBHOOK_SECRET_OVERLAP_HOURS
    if not 0 <= overlap_hours <= MAX_OVERLAP_HOURS:
        raise ServiceError(
            f"The overlap is 0 to {MAX_OVERLAP_HOURS} hours.",
            fields={"overlap_hours": [f"Between 0 and {MAX_OVERLAP_HOURS}."]},
        )
    hook = Webhook.objects.select_for_update().get(pk=hook.pk)
    secret = new_secret()
    expires = timezone.now() + dt.timedelta(hours=overlap_hours)
    hook.previous_secret = hook.secret if overlap_hours else ""  # both stay encrypted
    hook.previous_secret_expires_at = expires if overlap_hours else None
    hook.secret = crypto.encrypt(secret)
    hook.version += 1
    hook.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at", "version"])
    activity.record(
        org,
        actor,
        "secret_rotated",
        hook,
        after={"previous_secret_expires_at": hook.previous_secret_expires_at},
    )
    return hook, secret


@transaction.atomic
def redeliver(org: Organization, actor: Person | None, delivery: Delivery) -> Delivery:
    """Send an event again: a new delivery at the end of the subscription's queue."""
    require_same_org(org, delivery, "delivery")
    _admin(actor)
    now = timezone.now()
    again = Delivery.objects.create(
        org=org,
        webhook_id=delivery.webhook_id,
        event_id=delivery.event_id,
        next_attempt_at=now,
        created_at=now,
        redelivery_of=delivery,
    )
    activity.record(
        org,
        actor,
        "redelivered",
        delivery.webhook,
        after={"event": delivery.event_id, "delivery": again.pk},
    )
    transaction.on_commit(outbox.kick)
    return again


def send_test_event(org: Organization, actor: Person | None, hook: Webhook) -> Delivery:
    """Send the webhook a test event now (also when it is paused) and return its delivery,
    finished: delivered, or failed with the reason (not retried). The event is recorded
    like any other (`hooks.webhook.tested`); when a worker is sending the webhook's queue
    at that moment, the delivery waits in it and is returned still pending."""
    from accord.hooks import sender

    require_same_org(org, hook, "webhook")
    _admin(actor)
    with transaction.atomic():
        event = activity.record(org, actor, "tested", hook, after={"url": hook.url})
        # Queued already when the webhook asks for such events; else queued here.
        test = Delivery.objects.filter(webhook=hook, event=event).first()
        if test is None:
            test = Delivery.objects.create(
                org=org,
                webhook=hook,
                event=event,
                next_attempt_at=event.created_at,
                created_at=event.created_at,
            )
    sent = sender.send_now(hook, test)
    if sent is None:
        outbox.kick()
        return test
    return sent


@transaction.atomic
def retry_now(org: Organization, actor: Person | None, delivery: Delivery) -> Delivery:
    """A delivery waiting for its next attempt is tried at once (by the worker, in its
    queue's order) instead of at the end of its back-off. One queued behind an earlier
    delivery of the same webhook cannot go sooner (the queue goes in order): refused (409),
    naming the one it waits for, which may be retried instead. Nothing of the organization
    changes, so no event is recorded."""
    require_same_org(org, delivery, "delivery")
    _admin(actor)
    if delivery.state != DeliveryState.PENDING:
        raise Conflict("This delivery is finished; redeliver it to send it again.")
    ahead = queries.queue_head(delivery.webhook_id)
    if ahead is not None and ahead.pk < delivery.pk:
        raise Conflict(queued_behind(ahead))
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(next_attempt_at=now)
    transaction.on_commit(outbox.kick)  # a paused webhook stays paused: resume sends it
    delivery.next_attempt_at = now
    return delivery


def queued_behind(ahead: Delivery) -> str:
    """Why a delivery queued behind `ahead` (the head of its webhook's queue) cannot be
    tried sooner: the webhook's events go in order."""
    return (
        f"This delivery is queued behind an earlier one (event #{ahead.event_id}) and will "
        "be sent after it: a webhook's events go in order. Retry that one instead."
    )
