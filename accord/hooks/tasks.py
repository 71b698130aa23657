"""Sending webhooks from the worker, and forgetting old deliveries."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from accord.core.scheduler import periodic

KEEP_DAYS = 30


@periodic(every=60)
@task()
def deliver_webhooks() -> dict[str, int]:
    """Send every webhook delivery whose time has come, each subscription's in order.
    Also enqueued right after a write that queued deliveries."""
    from accord.hooks import sender

    return sender.deliver()


@periodic(every=3600)
@task()
def prune_webhook_deliveries() -> dict[str, int]:
    """Forget deliveries finished (delivered or given up) more than 30 days ago."""
    from accord.hooks.models import Delivery, DeliveryState

    cutoff = timezone.now() - dt.timedelta(days=KEEP_DAYS)
    done, _ = Delivery.objects.filter(
        state__in=[DeliveryState.DELIVERED, DeliveryState.GIVEN_UP], finished_at__lt=cutoff
    ).delete()
    return {"deliveries": done}
