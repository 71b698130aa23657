"""`accord worker` as a real process rides out a database that is busy or gone: SQLite's
write lock held by another connection for longer than the worker's 5-second wait (as
`accord load-demo` or a bulk import holds it), a PostgreSQL whose connections are cut and
refused for a while. The worker logs it, waits, carries on; no task is lost or run twice."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from accord.core import scheduler
from accord.core.models import ScheduledRun
from tests.core.sleepy import sleep_and_note
from tests.test_worker import ACCORD, ROOT, database_url

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE = 90  # seconds any one wait may take on a loaded machine


@contextlib.contextmanager
def running_worker(log: Path):
    """`accord worker` in a session of its own, its log (stdout and stderr) in `log`."""
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONPATH": str(ROOT)}
    env.pop("TASKS_BACKEND", None)
    with log.open("w") as out:
        worker = subprocess.Popen(
            [ACCORD, "worker", "--interval", "0.1"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield worker
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(30)


def wait_for(condition, worker, what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert worker.poll() is None, f"the worker died waiting for {what}"
        assert time.monotonic() < deadline, f"still waiting for {what}"
        time.sleep(0.2)


def run_a_task(worker, tmp_path: Path, name: str) -> DBTaskResult:
    """Enqueue a short task and wait until the worker has run it."""
    result_id = sleep_and_note.enqueue(str(tmp_path / f"{name}.txt"), 0).id

    def finished():
        return DBTaskResult.objects.get(pk=result_id).status in ("SUCCESSFUL", "FAILED")

    wait_for(finished, worker, f"task {name} to run")
    return DBTaskResult.objects.get(pk=result_id)


def settle(worker) -> None:
    """Wait until the worker's first scheduler tick has queued every periodic job (each
    claimed with its task, in one transaction) and the worker has run every task queued."""
    jobs = set(scheduler.discover())

    def ticked():
        return set(ScheduledRun.objects.values_list("job", flat=True)) >= jobs

    def idle():
        return not DBTaskResult.objects.filter(status__in=("READY", "RUNNING")).exists()

    wait_for(ticked, worker, "the first scheduler tick")
    wait_for(idle, worker, "the queue to empty")


@contextlib.contextmanager
def sqlite_write_lock():
    """SQLite's write lock, held from a connection of this process's own."""
    held = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None, timeout=60)
    held.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        held.execute("COMMIT")
        held.close()


def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's write lock")


def test_an_idle_worker_outlasts_sqlites_write_lock_and_runs_what_comes_next(tmp_path):
    sqlite_only()
    log = tmp_path / "worker.log"
    with running_worker(log) as worker:
        assert run_a_task(worker, tmp_path, "before").status == "SUCCESSFUL"
        settle(worker)
        with sqlite_write_lock():  # held past the worker's 5 s wait for it
            wait_for(lambda: "while polling the queue" in log.read_text(), worker, "the log")
            assert worker.poll() is None
        done = run_a_task(worker, tmp_path, "after")
        assert done.status == "SUCCESSFUL", done.traceback
        assert worker.poll() is None
    text = log.read_text()
    assert "the database is busy or unreachable while polling the queue" in text
    assert "OperationalError: database is locked" in text
    assert "Traceback" not in text


def test_a_task_that_ends_while_the_database_is_locked_is_recorded_once(tmp_path):
    """The task finishes while another connection holds the lock for longer than the
    worker's own retries of the outcome (three 5-second waits): the outcome is written when
    the lock goes, as a success, and the task is not run again."""
    sqlite_only()
    log = tmp_path / "worker.log"
    notes = tmp_path / "notes.txt"
    with running_worker(log) as worker:
        assert run_a_task(worker, tmp_path, "before").status == "SUCCESSFUL"
        settle(worker)
        result_id = sleep_and_note.enqueue(str(notes), 2).id
        wait_for(lambda: notes.exists() and "start" in notes.read_text(), worker, "the task")
        with sqlite_write_lock():
            wait_for(
                lambda: "writing a finished task's outcome" in log.read_text(),
                worker,
                "the outcome's wait",
            )
            assert DBTaskResult.objects.get(pk=result_id).status == "RUNNING"
            assert worker.poll() is None
        wait_for(
            lambda: DBTaskResult.objects.get(pk=result_id).status != "RUNNING",
            worker,
            "the outcome",
        )
        done = DBTaskResult.objects.get(pk=result_id)
        assert done.status == "SUCCESSFUL", done.traceback
        assert done.return_value == "slept" and len(done.worker_ids) == 1
        assert notes.read_text().count("start") == 1 and notes.read_text().count("done") == 1
        assert run_a_task(worker, tmp_path, "next").status == "SUCCESSFUL"
        assert worker.poll() is None


def test_on_postgresql_a_worker_outlasts_its_connection_cut_and_refused(tmp_path):
    """As when the server restarts: every connection to the database is ended, and new ones
    are refused for a while."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's connections")
    import psycopg

    log = tmp_path / "worker.log"
    db = connection.settings_dict
    name = connection.ops.quote_name(db["NAME"])
    # A database cannot refuse connections from one of its own: this one is to "postgres".
    admin = psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    )
    with admin, running_worker(log) as worker:
        assert run_a_task(worker, tmp_path, "before").status == "SUCCESSFUL"
        settle(worker)
        try:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS false")
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> %s",
                [db["NAME"], connection.connection.info.backend_pid],
            )
            wait_for(
                lambda: log.read_text().count("while polling the queue") >= 2,
                worker,
                "a second try to be refused too",
            )
            assert worker.poll() is None
        finally:
            admin.execute(f"ALTER DATABASE {name} ALLOW_CONNECTIONS true")
        done = run_a_task(worker, tmp_path, "after")
        assert done.status == "SUCCESSFUL", done.traceback
        assert worker.poll() is None
    assert "the database is busy or unreachable while polling the queue" in log.read_text()
