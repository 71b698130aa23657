"""Background work on Redis (`ACCORD_TASKS_BACKEND=redis`): django-tasks-rq, made safe for
many machines.

Two things the database queue gives for free need care once the queue is elsewhere:

- A task enqueued inside a transaction must not reach a worker before that transaction
  commits (the worker would not see the rows it is about), nor at all if it rolls back.
  `RQBackend.enqueue` hands the job to Redis once the transaction commits.
- A worker can die mid-task (kill -9, a lost machine). Every job may be tried again
  `ACCORD_TASK_RETRIES` times; `Worker` notices a running task whose worker has been
  silent for three heartbeats and lets rq's own sweep retry it (or, once out of retries,
  keep it as failed, where `rq requeue` runs it again). rq alone would wait at least a
  minute and a half, and sweep only every ten minutes.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import django_rq
from django.conf import settings
from django.db import transaction
from django_tasks.base import TASK_MAX_PRIORITY, Task, TaskResult, TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import get_random_id
from django_tasks_rq import backend as rq_backend
from rq import Retry
from rq import Worker as BaseWorker
from rq.executions import Execution
from rq.job import Callback, JobStatus
from rq.registry import StartedJobRegistry

log = logging.getLogger("accord.worker")


class RQBackend(rq_backend.RQBackend):
    def enqueue(self, task: Task, args: Any, kwargs: Any) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=None,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=args,
            kwargs=kwargs,
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        # Outside a transaction this sends at once; inside one, when (and if) it commits.
        transaction.on_commit(lambda: self._send(result))
        return result

    def _send(self, result: TaskResult) -> None:
        task = result.task
        queue = django_rq.get_queue(task.queue_name, job_class=rq_backend.Job)
        job = queue.create_job(
            task.module_path,
            args=result.args,
            kwargs=result.kwargs,
            job_id=result.id,
            status=JobStatus.SCHEDULED if task.run_after else JobStatus.QUEUED,
            on_failure=Callback(rq_backend.failed_callback),
            on_success=Callback(rq_backend.success_callback),
            meta={"backend_name": self.alias},
            retry=Retry(max=settings.ACCORD_TASK_RETRIES) if settings.ACCORD_TASK_RETRIES else None,
        )
        if task.run_after is None:
            job = queue.enqueue_job(job, at_front=task.priority == TASK_MAX_PRIORITY)
        else:
            job = queue.schedule_job(job, task.run_after)
        object.__setattr__(result, "enqueued_at", job.enqueued_at)
        task_enqueued.send(type(self), task_result=result)


class Worker(BaseWorker):
    """rq's forking worker, which also takes over the tasks of workers that died."""

    def run_maintenance_tasks(self) -> None:
        for queue in self.queues:
            mark_abandoned(queue, silent_for=3 * self.job_monitoring_interval)
        super().run_maintenance_tasks()


def mark_abandoned(queue, silent_for: float) -> int:
    """Mark as expired every running task of `queue` whose worker has not sent a heartbeat
    for `silent_for` seconds, so rq's registry sweep retries it (or records it as failed)."""
    registry = StartedJobRegistry(queue=queue)
    connection = queue.connection
    cutoff = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=silent_for)
    marked = 0
    for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
        try:
            beat = Execution.fetch(execution_id, job_id, connection).last_heartbeat
        except ValueError:  # its record expired with its worker
            beat = None
        if beat is None or beat < cutoff:
            # xx: only if still running; a score in the past is what rq's sweep looks for.
            entry = f"{job_id}:{execution_id}"
            marked += connection.zadd(registry.key, {entry: 0}, xx=True, ch=True)
            log.warning("task %s: its worker stopped answering; it will be tried again", job_id)
    return marked


def worker(heartbeat: int) -> Worker:
    """A worker of every configured queue, heartbeating every `heartbeat` seconds and
    sweeping for dead workers' tasks as often."""
    from django_rq.utils import reset_db_connections

    reset_db_connections()  # a forked task opens its own database connection
    return django_rq.get_worker(
        *settings.RQ_QUEUES,
        job_class=rq_backend.Job,
        worker_class=Worker,
        job_monitoring_interval=heartbeat,
        maintenance_interval=heartbeat,
        # An idle worker wakes up this often (worker_ttl - 15 s) to sweep and heartbeat.
        worker_ttl=heartbeat + 16,
    )
