"""Whether background work gets done, for the one notice an organization's admins see on
every page (web/_background_notice.html): no `accord worker` has run for a while, or
messages (e-mail, chat posts) fail to go out. Nothing here tells anyone else: a member can
do nothing about either.

Two short indexed reads per admin page while all is well (the deliveries' figures and
the scheduler's newest claim), one or two more when something is wrong.
"""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.utils import timezone

from accord.core import scheduler

# A worker ticks every SCHEDULER_TICK_SECONDS and claims the most frequent job's slot each
# period; silent this much longer than that period, it is taken as not running.
WORKER_QUIET_SECONDS = 600
# Backends `accord worker` runs; another (immediate, dummy) needs no worker.
WORKER_BACKENDS = ("django_tasks_db.DatabaseBackend", "accord.core.redis_queue.RQBackend")


# A session's mark that its admin just queued messages they expect to go out (invitation
# e-mails): their next page tells them at once when no worker runs to send them, not only
# once the messages are overdue.
EXPECTING = "background_expecting"


def expect(request) -> None:
    """Mark that the admin behind `request` just queued messages for the worker: their next
    page shows the notice if no worker runs (`admin_notice(expecting=True)`)."""
    request.session[EXPECTING] = True


def admin_notice(org, *, expecting: bool = False) -> dict | None:
    """None when background work is fine, else what the notice says:

    - "worker": {"last_seen": when a worker last ticked (None: never), "messages": messages
      due for more than 10 minutes and unsent, "tasks": whether tasks have waited as long},
      when no worker has ticked for WORKER_QUIET_SECONDS and one had run before, something
      waits for one, or the admin is `expecting` what they just queued to be sent;
    - "failing": {"email": n, "chat": n, "error": the newest error}, messages whose last
      attempt failed in the last day (activity.delivery.trouble).
    """
    from accord.activity import delivery

    now = timezone.now()
    found = delivery.trouble(org, now)
    notice: dict = {}
    if found["email"] or found["chat"]:
        notice["failing"] = {k: found[k] for k in ("email", "chat", "error")}
    if settings.TASKS["default"]["BACKEND"] in WORKER_BACKENDS:
        last = scheduler.worker_last_seen()
        if _quiet(last):
            tasks = _tasks_waiting(now - delivery.OVERDUE_AFTER)
            if expecting or last is not None or found["overdue"] or tasks:
                seen = dt.datetime.fromtimestamp(last, tz=dt.UTC) if last is not None else None
                notice["worker"] = {"last_seen": seen, "messages": found["overdue"], "tasks": tasks}
    return notice or None


def worker_running() -> bool:
    """Whether background work gets done: the queue needs no worker (an immediate backend),
    or an `accord worker` has ticked lately (within WORKER_QUIET_SECONDS of its period).
    One indexed query when a worker is needed (home's "Getting started" step)."""
    if settings.TASKS["default"]["BACKEND"] not in WORKER_BACKENDS:
        return True
    return not _quiet(scheduler.worker_last_seen())


def _quiet(last: float | None) -> bool:
    """Whether a worker last seen at `last` (None: never) counts as not running."""
    return last is None or time.time() - last > WORKER_QUIET_SECONDS + scheduler.fastest_period()


def _tasks_waiting(before: dt.datetime) -> bool:
    """Whether a task of the database queue, due to run, has waited since before `before`
    (off the queue's index of ready tasks)."""
    if settings.TASKS["default"]["BACKEND"] != "django_tasks_db.DatabaseBackend":
        return False
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.ready().filter(enqueued_at__lt=before).exists()
