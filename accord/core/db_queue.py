"""The database task queue (django-tasks-db) on one machine: worker ids that say where a
worker runs, and recovery of the tasks a killed worker left "running".

A worker killed mid-task (kill -9, the machine's out-of-memory killer, a power cut) cannot
mark its task finished: the task would stay "running" forever and never run again. Each
worker's id is `host:pid:random`, so a worker on the same host can tell that the one which
claimed a task is gone (no such process). Such a task goes back to the queue and is run
again, up to `MAX_ATTEMPTS` claims in all; after that it is marked failed (a task that
kills its worker each time must not take the queue down with it), with the reason in its
traceback, and can be enqueued again by whoever needs it.

Every worker does this when it starts and on each scheduler tick. Tasks claimed by workers
on other hosts are left to those hosts' workers (on many machines, use the Redis backend:
README, "Running on many machines").
"""

from __future__ import annotations

import logging
import os
import secrets
import socket

from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

log = logging.getLogger("accord.worker")

MAX_ATTEMPTS = 3


class WorkerLost(Exception):
    """The worker running the task stopped before the task finished."""


def host() -> str:
    return socket.gethostname()[:40]


def worker_id() -> str:
    """`host:pid:random`, at most 64 characters (django-tasks-db's limit)."""
    return f"{host()}:{os.getpid()}:{secrets.token_hex(4)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def _lost(worker: str) -> bool:
    """Whether the worker with this id ran on this host and is gone."""
    parts = worker.split(":")
    if len(parts) != 3 or parts[0] != host() or not parts[1].isdigit():
        return False
    return int(parts[1]) != os.getpid() and not _alive(int(parts[1]))


def recover_lost() -> dict[str, int]:
    """Requeue (or, after MAX_ATTEMPTS claims, fail) the running tasks whose worker on this
    host is gone. Returns how many of each."""
    counts = {"requeued": 0, "failed": 0}
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    for pk, workers in running.values_list("pk", "worker_ids"):
        if not workers or not _lost(workers[-1]):
            continue
        with transaction.atomic():
            result = (
                DBTaskResult.objects.select_for_update()
                .filter(pk=pk, status=TaskResultStatus.RUNNING)
                .first()
            )
            if result is None or result.worker_ids != workers:  # claimed or finished since
                continue
            if len(workers) < MAX_ATTEMPTS:
                result.status = TaskResultStatus.READY
                result.started_at = None
                result.save(update_fields=["status", "started_at"])
                counts["requeued"] += 1
                log.warning(
                    "task %s (%s): its worker %s is gone; queued again",
                    pk,
                    result.task_path,
                    workers[-1],
                )
            else:
                result.set_failed(
                    WorkerLost(
                        f"The worker running it stopped before it finished, "
                        f"{len(workers)} times; not tried again."
                    )
                )
                counts["failed"] += 1
                log.error(
                    "task %s (%s): its worker was lost %d times; marked failed",
                    pk,
                    result.task_path,
                    len(workers),
                )
    return counts
