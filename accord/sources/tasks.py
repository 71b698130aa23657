"""Scheduled pulls: every 5 minutes the worker pulls each source and tracker link whose last
attempt is older than SOURCES_PULL_MINUTES (oldest first, at most BATCH of each per run)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from accord.alignment.models import PeriodState
from accord.core.scheduler import periodic
from accord.sources import services
from accord.sources.models import KeyResultSource, TrackerLink

BATCH = 200


def _due(model, now: dt.datetime):
    cutoff = now - dt.timedelta(minutes=settings.SOURCES_PULL_MINUTES)
    return model.objects.filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=cutoff))


def _claim(model, row, now: dt.datetime) -> bool:
    """Claim one row for this worker: of several workers, exactly one updates it."""
    return bool(
        model.objects.filter(pk=row.pk, last_attempt_at=row.last_attempt_at).update(
            last_attempt_at=now
        )
    )


def pull_due(now: dt.datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts = {"sources": 0, "trackers": 0, "failed": 0}
    sources = (
        _due(KeyResultSource, now)
        .exclude(key_result__objective__period__state=PeriodState.CLOSED)
        .exclude(measurable__is_active=False)
        .select_related("org")
        .order_by("last_attempt_at", "id")[:BATCH]
    )
    for source in sources:
        if _claim(KeyResultSource, source, now):
            result = services.pull_source(source.org, None, source)
            counts["sources"] += 1
            counts["failed"] += not result.ok
    links = _due(TrackerLink, now).select_related("org").order_by("last_attempt_at", "id")[:BATCH]
    for link in links:
        if _claim(TrackerLink, link, now):
            result = services.pull_tracker(link.org, None, link)
            counts["trackers"] += 1
            counts["failed"] += not result.ok
    return counts


@periodic(every=300)
@task()
def pull_sources() -> dict[str, int]:
    """Pull the key-result sources and tracker links that are due."""
    return pull_due()
