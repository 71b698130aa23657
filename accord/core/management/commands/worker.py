"""accord worker: runs background tasks and the scheduler tick for periodic work.

A database that is busy (SQLite's write lock held longer than its 5-second wait by a bulk
load, `accord load-demo`, a migration) or gone for a while (PostgreSQL restarted, the
connection lost) does not stop the worker: it logs one line, waits (1 s, doubling to 30 s)
and carries on. A task's claim is one transaction, so a poll that fails claims nothing;
a task that ran while the database was away has its outcome written once the database is
back, and is never run again for it (`PatientWorker`).
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.core import checks
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, close_old_connections
from django_tasks_db.compat import DEFAULT_TASK_BACKEND_ALIAS, DEFAULT_TASK_QUEUE_NAME
from django_tasks_db.management.commands.db_worker import Worker

from accord.core import db_queue, scheduler

log = logging.getLogger("accord.worker")

# What a busy or unreachable database raises: SQLite's "database is locked", PostgreSQL's
# lost or refused connection ("server closed the connection", "connection already closed").
DATABASE_AWAY = (OperationalError, InterfaceError)
FIRST_WAIT = 1.0  # seconds; doubled after each failure in a row
LONGEST_WAIT = 30.0


def _away(exc: BaseException) -> bool:
    """Whether `exc` says the database is busy or unreachable, to be waited out; not a
    table or column missing (a database not migrated for this version): that stops the
    worker, and `accord` says to run `accord migrate`."""
    text = str(exc).lower()
    missing = "no such table" in text or "no such column" in text
    return isinstance(exc, DATABASE_AWAY) and not missing


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


class PatientWorker(Worker):
    """django-tasks-db's worker, riding out a database that is busy or gone.

    - Polling: `Worker.run` claims a task in one transaction (`exclusive_transaction`, then
      `claim`); a failure there rolls the claim back, so the task stays queued. The failure
      ends `Worker.run`; this loop logs it, waits and polls again.
    - A task being run: its outcome (`set_successful`/`set_failed`, which retry only three
      times a tenth of a second apart) waits for the database as long as it takes. Left
      to django-tasks-db, a successful task whose outcome could not be written was marked
      failed with "database is locked", or the worker died and left it "running".
    - Stopping (SIGTERM, Ctrl-C) ends the waits: a task whose outcome is still unwritten
      stays "running" and is queued again by the next worker, as for a killed worker
      (`db_queue.recover_lost`).
    """

    def run(self) -> None:
        wait = FIRST_WAIT
        while True:
            started = time.monotonic()
            try:
                super().run()
                return
            except DATABASE_AWAY as exc:
                if not self.running or not _away(exc):
                    raise
                if time.monotonic() - started > LONGEST_WAIT:
                    wait = FIRST_WAIT  # it had been working: a new outage starts short
                self.rest(exc, wait, "polling the queue")
                wait = min(wait * 2, LONGEST_WAIT)

    def run_task(self, db_task_result) -> None:
        for name in ("set_successful", "set_failed"):
            setattr(db_task_result, name, self.patiently(getattr(db_task_result, name)))
        super().run_task(db_task_result)

    def patiently(self, write):
        """`write` (an outcome's save), tried again until the database takes it."""

        def attempt(*args, **kwargs):
            wait = FIRST_WAIT
            while True:
                try:
                    return write(*args, **kwargs)
                except DATABASE_AWAY as exc:
                    if not self.running or not _away(exc):
                        raise
                    self.rest(exc, wait, "writing a finished task's outcome")
                    wait = min(wait * 2, LONGEST_WAIT)

        return attempt

    def rest(self, exc: BaseException, wait: float, doing: str) -> None:
        log.warning(
            "the database is busy or unreachable while %s (%s); trying again in %g s",
            doing,
            _first_line(exc),
            wait,
        )
        close_old_connections()  # a broken connection is dropped; the next query reconnects
        time.sleep(wait)


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
        worker = PatientWorker(
            queue_names=[DEFAULT_TASK_QUEUE_NAME],
            interval=interval,
            batch=False,
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=False,
            max_tasks=None,
            worker_id=me,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        try:
            worker.run()
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
        except DATABASE_AWAY as exc:  # busy or unreachable: one line, the next tick tries
            log.warning(
                "scheduler tick skipped: the database is busy or unreachable (%s)", _first_line(exc)
            )
        except Exception:  # keep ticking; a database hiccup must not stop periodic work
            log.exception("scheduler tick failed")
        finally:
            close_old_connections()
        stop.wait(settings.SCHEDULER_TICK_SECONDS)
