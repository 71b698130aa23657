"""Outbound webhooks: an organization's subscriptions (a URL, the event kinds it wants, its
signing secrets) and the outbox of deliveries, one row per event and subscription."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accord.activity.models import Event
from accord.core import crypto
from accord.org.models import OrgScoped, Person


class Webhook(OrgScoped):
    """A subscription: every event of the organization whose kind matches one of `events`
    (`org.team.created`, `coordination.*`, `*`) is POSTed to `url`, signed with `secret`
    (and, until `previous_secret_expires_at`, with the secret it replaced)."""

    url = models.URLField(max_length=500)
    description = models.CharField(max_length=200, blank=True)
    events = models.JSONField(default=list)
    # Both stored encrypted (accord/core/crypto.py); `secrets()` reads them.
    secret = models.TextField()
    previous_secret = models.TextField(blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    # A worker sending this subscription's queue holds it until then (one sender at a time
    # keeps the order; a worker that dies lets go when it passes).
    lease_until = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["pk"]
        verbose_name = "webhook"

    def __str__(self) -> str:
        return self.description or self.url

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    @property
    def state(self) -> str:
        """The one word the list and the webhook's page show: paused, failing (its last
        attempt failed and it keeps retrying) or active."""
        if self.is_paused:
            return "paused"
        return "failing" if self.consecutive_failures else "active"

    def secrets(self, now=None) -> list[str]:
        """The secrets that sign a request now: the current one, and the previous one during
        the overlap after a rotation. Empty when the current one cannot be read (the
        encryption key changed): the webhook's secret must be rotated."""
        now = now or timezone.now()
        current = crypto.decrypt(self.secret)
        if not current:
            return []
        out = [current]
        if (
            self.previous_secret
            and self.previous_secret_expires_at
            and now < self.previous_secret_expires_at
        ):
            previous = crypto.decrypt(self.previous_secret)
            if previous:
                out.append(previous)
        return out


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Waiting"
    DELIVERED = "delivered", "Delivered"
    GIVEN_UP = "given_up", "Given up"


class Delivery(OrgScoped):
    """One event for one subscription. A subscription's deliveries go out in `id` order: the
    next waits until the one before is delivered or given up."""

    webhook = models.ForeignKey(
        Webhook, on_delete=models.CASCADE, related_name="deliveries", db_index=False
    )
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(
        max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-pk"]
        verbose_name_plural = "deliveries"
        indexes = [
            # The head of a subscription's queue: its first pending delivery.
            models.Index(fields=["webhook", "state", "id"], name="hooks_delivery_queue"),
            # A subscription's log, newest first.
            models.Index(fields=["webhook", "id"], name="hooks_delivery_log"),
            models.Index(fields=["state", "finished_at"], name="hooks_delivery_finished"),
        ]

    def __str__(self) -> str:
        return f"event {self.event_id} to webhook {self.webhook_id}"
