"""Reads of an organization's webhooks and their delivery logs, for pages and the API."""

from __future__ import annotations

from accord.core.errors import NotFound
from accord.hooks.models import Delivery, DeliveryState, Webhook
from accord.org.models import Organization


def webhooks(org: Organization):
    return Webhook.objects.for_org(org).order_by("pk")


def webhook(org: Organization, pk: object) -> Webhook:
    """One of the organization's webhooks; another organization's is not found."""
    found = Webhook.objects.for_org(org).filter(pk=pk).first()
    if found is None:
        raise NotFound(f"No webhook with id {pk} in {org.name}.")
    return found


def deliveries(hook: Webhook):
    """A webhook's delivery log, newest first, with the event each one carries."""
    return Delivery.objects.filter(webhook=hook).select_related("event").order_by("-pk")


def delivery(org: Organization, hook: Webhook, pk: object) -> Delivery:
    found = Delivery.objects.filter(org=org, webhook=hook, pk=pk).first()
    if found is None:
        raise NotFound(f"No delivery with id {pk} for this webhook.")
    return found


def queue_head(webhook_id: int) -> Delivery | None:
    """The first delivery a webhook's queue waits on (the oldest pending one); those behind
    it go after it, in order. One indexed query (`hooks_delivery_queue`)."""
    return (
        Delivery.objects.filter(webhook_id=webhook_id, state=DeliveryState.PENDING)
        .order_by("pk")
        .first()
    )
