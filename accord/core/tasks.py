"""Housekeeping every deployment needs."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from accord.core.models import ScheduledRun
from accord.core.scheduler import periodic

KEEP_DAYS = 14


@periodic(every=3600)
@task()
def prune_housekeeping() -> dict[str, int]:
    """Forget scheduler claims and finished task results older than two weeks, web sessions
    that have expired (a session keeps who signed in, and what a form sent signed out held),
    and the text of messages sent longer ago than `NOTIFICATION_TEXT_DAYS`."""
    from django_tasks_db.models import DBTaskResult

    from accord.activity import delivery

    now = timezone.now()
    cutoff = now - dt.timedelta(days=KEEP_DAYS)
    runs, _ = ScheduledRun.objects.filter(claimed_at__lt=cutoff).delete()
    results, _ = DBTaskResult.objects.filter(finished_at__lt=cutoff).delete()
    return {
        "scheduled_runs": runs,
        "task_results": results,
        "sessions": clear_expired_sessions(now),
        "notification_texts": delivery.forget_old_text(now),
    }


def clear_expired_sessions(now: dt.datetime) -> int:
    """Delete the sessions that have expired (what `manage.py clearsessions` does), counted
    when they are kept in the database; a session store that forgets them by itself (the
    cache, signed cookies) has nothing to clear."""
    from importlib import import_module

    from django.conf import settings

    store = import_module(settings.SESSION_ENGINE).SessionStore
    if hasattr(store, "get_model_class"):  # the database, or the cache backed by it
        gone, _ = store.get_model_class().objects.filter(expire_date__lt=now).delete()
        return gone
    store.clear_expired()
    return 0


@periodic(every=3600)
@task()
def prune_sign_in_attempts() -> dict[str, int]:
    """Forget failed sign-ins older than the cool-off period: they lock nothing any more,
    and an attacker who never comes back would otherwise leave them forever."""
    from axes.models import AccessAttempt
    from django.conf import settings

    cutoff = timezone.now() - dt.timedelta(minutes=settings.AXES_COOLOFF_MINUTES)
    attempts, _ = AccessAttempt.objects.filter(attempt_time__lt=cutoff).delete()
    return {"sign_in_attempts": attempts}


@periodic(every=3600)
@task()
def refresh_planner_statistics() -> dict[str, float | bool]:
    """Keep SQLite's query-planner statistics in step with the data (see
    `accord.core.database.refresh_planner_statistics`). PostgreSQL's autovacuum analyzes
    each table as it changes, so there the job leaves it to the database: a database-wide
    ANALYZE every hour would read a sample of every table whether it changed or not."""
    import time

    from django.db import connection

    from accord.core import database

    if connection.vendor != "sqlite":
        return {"analyzed": False, "seconds": 0.0}
    started = time.monotonic()
    database.refresh_planner_statistics()
    return {"analyzed": True, "seconds": round(time.monotonic() - started, 3)}
