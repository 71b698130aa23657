"""accord worker: runs background tasks and the scheduler tick for periodic work."""

from __future__ import annotations

import logging
import threading

from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from accord.core import db_queue, scheduler

log = logging.getLogger("accord.worker")


class Command(BaseCommand):
    help = "Run background tasks and enqueue periodic work (no cron needed)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch",
            action="store_true",
            help="Tick once, run every queued task, then exit (for cron or tests).",
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="Seconds between queue polls."
        )

    def check(self, *args, **kwargs):
        """Every system check but those of the URLs: a worker serves no page, and checking
        them imports every view and API schema, most of a worker's start-up (seconds, at
        every `--batch` run from cron). `accord serve` checks them."""
        registry = checks.registry.registry
        every = registry.registered_checks
        registry.registered_checks = {
            check for check in every if checks.Tags.urls not in getattr(check, "tags", ())
        }
        try:
            return super().check(*args, **kwargs)
        finally:
            registry.registered_checks = every

    def handle(self, *args, batch: bool, interval: float, **options):
        backend = settings.TASKS["default"]["BACKEND"]
        if backend not in ("django_tasks_db.DatabaseBackend", "accord.core.redis_queue.RQBackend"):
            raise CommandError(
                f"Tasks go to {backend}; run that backend's own worker. "
                "`accord worker` runs the database and the Redis backends."
            )
        jobs = scheduler.discover()
        self.stdout.write(f"Worker started; {len(jobs)} periodic job(s).")
        if backend == "accord.core.redis_queue.RQBackend":
            return self.work_on_redis(batch)
        me = db_queue.worker_id()
        if batch:
            db_queue.recover_lost()
            scheduler.tick()
            call_command(
                "db_worker",
                batch=True,
                interval=interval,
                startup_delay=False,
                reload=False,
                worker_id=me,
            )
            return
        stop = threading.Event()
        ticker = threading.Thread(target=_tick_forever, args=(stop, True), daemon=True)
        ticker.start()
        try:
            call_command(
                "db_worker", interval=interval, startup_delay=False, reload=False, worker_id=me
            )
        finally:
            stop.set()

    def work_on_redis(self, batch: bool) -> None:
        """rq's forking worker: each task runs in a child process; periodic work is ticked
        here as with the database queue (the claim of each slot is in the database)."""
        from accord.core import redis_queue

        if batch:
            scheduler.tick()
            redis_queue.worker(settings.ACCORD_WORKER_HEARTBEAT_SECONDS).work(burst=True)
            return
        stop = threading.Event()
        ticker = threading.Thread(target=_tick_forever, args=(stop,), daemon=True)
        ticker.start()
        try:
            worker = redis_queue.worker(settings.ACCORD_WORKER_HEARTBEAT_SECONDS)
            worker.work(with_scheduler=True)  # the scheduler runs tasks deferred to later
        finally:
            stop.set()


def _tick_forever(stop: threading.Event, database_queue: bool = False) -> None:
    while not stop.is_set():
        try:
            if database_queue:
                db_queue.recover_lost()
            scheduler.tick()
        except Exception:  # keep ticking; a database hiccup must not stop periodic work
            log.exception("scheduler tick failed")
        finally:
            close_old_connections()
        stop.wait(settings.SCHEDULER_TICK_SECONDS)
