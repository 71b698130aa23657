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
    """Enqueue every job whose current slot nobody has claimed yet. Returns their names."""
    now = time.time() if now is None else now
    enqueued = []
    for job in discover().values():
        slot = int(now // job.every) * job.every
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, slot=slot)
                job.task.enqueue()  # type: ignore[attr-defined]
        except IntegrityError:
            continue  # another worker has this slot
        enqueued.append(job.name)
        log.info("enqueued %s for slot %s", job.name, slot)
    return enqueued
