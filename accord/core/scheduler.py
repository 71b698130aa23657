"""Periodic work without cron: `accord worker` ticks, and each due job is enqueued once.

Apps register jobs with `@periodic(seconds)` on a django-tasks task. A tick claims the
current slot of every job by inserting a ScheduledRun row; the unique key means that of
several workers ticking at once exactly one enqueues the job for that slot.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.db import IntegrityError, transaction
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.exceptions import TaskResultDoesNotExist

from accord.core.models import ScheduledRun

log = logging.getLogger("accord.scheduler")


@dataclass(frozen=True)
class Job:
    name: str
    every: int  # seconds
    task: object  # a django-tasks Task


JOBS: dict[str, Job] = {}


def periodic(every: int) -> Callable:
    """Decorate a django-tasks `@task` so the worker enqueues it every `every` seconds."""

    def register(task):
        name = f"{task.func.__module__}.{task.func.__name__}"
        JOBS[name] = Job(name=name, every=every, task=task)
        return task

    return register


def discover() -> dict[str, Job]:
    """Import every accord app's tasks module, which registers its jobs."""
    for config in apps.get_app_configs():
        if config.name.startswith("accord.") and find_spec(f"{config.name}.tasks"):
            import_module(f"{config.name}.tasks")
    return JOBS


def tick(now: float | None = None) -> list[str]:
    """Enqueue every job whose current slot nobody has claimed yet, unless its last run is
    still queued or running: a run longer than its period (a large organization's weekly
    briefings) is followed by one more, not by a queue of them that keeps every other
    job waiting. Returns the names of the jobs enqueued."""
    now = time.time() if now is None else now
    jobs = discover()
    slots = {name: int(now // job.every) * job.every for name, job in jobs.items()}
    claimed = set(
        ScheduledRun.objects.filter(job__in=list(jobs), slot__in=set(slots.values()))
        .values_list("job", "slot")
        .iterator()
    )
    enqueued = []
    for name, job in jobs.items():
        slot = slots[name]
        if (name, slot) in claimed or still_running(job):
            continue
        if not claim(name, slot, job.task.enqueue):  # type: ignore[attr-defined]
            continue  # another worker has this slot
        enqueued.append(name)
        log.info("enqueued %s for slot %s", name, slot)
    return enqueued


def claim(name: str, slot: int, enqueue: Callable[[], TaskResult]) -> bool:
    """Claim `slot` of the job `name` and, if this process is first, `enqueue()` its task,
    keeping the task's id with the claim (`last_run_status`). False: already claimed."""
    try:
        with transaction.atomic():
            run = ScheduledRun.objects.create(job=name, slot=slot)
            run.result_id = str(enqueue().id)[:64]
            run.save(update_fields=["result_id"])
    except IntegrityError:
        return False
    return True


def run_again(task) -> bool:
    """Queue the next run of the periodic job `task` now: a run that stopped with work
    left, so that the jobs queued meanwhile run first. It is claimed as the job's latest
    run (`still_running` sees it), so the tick queues no other run beside it. False if a
    run of this second was claimed already (the tick's: it does the rest)."""
    job = next(j for j in JOBS.values() if j.task is task)
    slot = int(time.time())
    if slot % job.every == 0:
        slot += 1  # a second the tick never claims
    return claim(job.name, slot, task.enqueue)


def worker_seen(within: float = 300) -> bool:
    """Whether a worker has ticked in the last `within` seconds: the most frequent job's
    newest claimed slot (a ticking worker claims it every period). One indexed query."""
    last = worker_last_seen()
    return last is not None and time.time() - last < within + fastest_period()


def worker_last_seen() -> float | None:
    """When a worker last ticked, as the start (seconds since the epoch) of the newest slot
    it claimed of the most frequent job; None if no worker ever has. One indexed query."""
    jobs = discover()
    if not jobs:
        return None
    fastest = min(jobs.values(), key=lambda job: (job.every, job.name))
    return (
        ScheduledRun.objects.filter(job=fastest.name)
        .order_by("-slot")
        .values_list("slot", flat=True)
        .first()
    )


def fastest_period() -> int:
    """Seconds between two runs of the most frequent periodic job."""
    return min((job.every for job in discover().values()), default=0)


def still_running(job: Job) -> bool:
    """Whether the last run the scheduler enqueued of `job` is queued or running still (a
    run whose worker was killed is either queued again or failed: see db_queue)."""
    return last_run_status(job.name, job.task) in (
        TaskResultStatus.READY,
        TaskResultStatus.RUNNING,
    )


def last_run_status(name: str, task) -> TaskResultStatus | None:
    """The status of the task enqueued under the latest claimed slot of `name` (a
    ScheduledRun's job); None when there is none or its backend no longer knows it."""
    last = (
        ScheduledRun.objects.filter(job=name)
        .exclude(result_id="")
        .order_by("-slot")
        .values_list("result_id", flat=True)
        .first()
    )
    if last is None:
        return None
    try:
        return task.get_result(last).status
    except TaskResultDoesNotExist:  # pruned, or enqueued by a backend since replaced
        return None
    except Exception:  # the backend cannot say: the next run is the safer mistake
        log.exception("the state of %s's last run is unknown", name)
        return None
