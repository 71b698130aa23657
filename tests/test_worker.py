"""`accord worker --batch` as a real process: the scheduler enqueues periodic work once per
slot, and the worker runs it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from accord.core import db_queue, scheduler
from accord.core.models import ScheduledRun

pytestmark = pytest.mark.django_db(transaction=True)

ACCORD = str(Path(sys.executable).with_name("accord"))
ROOT = Path(__file__).resolve().parents[1]  # workers import tests.core.sleepy from here
HOUSEKEEPING = "accord.core.tasks.prune_housekeeping"


def database_url() -> str:
    """The test database, as a DATABASE_URL another process can use."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    host = quote(db["HOST"] or "localhost", safe="")  # a Unix socket's directory is a path
    return f"postgres://{auth}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def run_worker() -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONPATH": str(ROOT)}
    env.pop("TASKS_BACKEND", None)  # the default: the database backend this worker runs
    result = subprocess.run(
        [ACCORD, "worker", "--batch", "--interval", "0.1"],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def housekeeping_results():
    return DBTaskResult.objects.filter(task_path=HOUSEKEEPING)


def test_the_worker_enqueues_and_runs_periodic_housekeeping():
    assert database_url().startswith(("sqlite:////", "postgres://"))
    hour = int(time.time() // 3600)
    result = run_worker()
    assert "periodic job(s)" in result.stdout
    runs = list(ScheduledRun.objects.filter(job=HOUSEKEEPING))
    assert [r.slot for r in runs] in ([hour * 3600], [(hour + 1) * 3600])
    done = list(housekeeping_results())
    assert len(done) == 1
    assert done[0].status == "SUCCESSFUL", done[0].exception_class_path
    assert done[0].return_value == {
        "scheduled_runs": 0,
        "task_results": 0,
        "sessions": 0,
        "notification_texts": 0,
    }


def test_a_slot_is_claimed_once_however_many_ticks():
    started = int(time.time() // 3600)
    run_worker()
    run_worker()  # a second worker in the same hour enqueues no second housekeeping run
    ended = int(time.time() // 3600)
    slots = ScheduledRun.objects.filter(job=HOUSEKEEPING).values_list("slot", flat=True)
    assert len(slots) == len({started, ended})
    assert housekeeping_results().count() == len(slots)
    # Ticking again at the very time of every claimed slot enqueues none of those jobs.
    for run in ScheduledRun.objects.all():
        assert run.job not in scheduler.tick(now=run.slot), run.job
    assert housekeeping_results().count() == len(slots)


def test_a_job_whose_last_run_has_not_ended_is_not_enqueued_again():
    """A run longer than its period is followed by one more run, not a queue of them."""
    every = scheduler.discover()[HOUSEKEEPING].every
    slot = (int(time.time() // every) + 10) * every  # clear of the slots of the real clock
    assert HOUSEKEEPING in scheduler.tick(now=slot)
    first = housekeeping_results().get()
    assert ScheduledRun.objects.get(job=HOUSEKEEPING, slot=slot).result_id == str(first.id)
    for status in ("READY", "RUNNING"):  # waiting in the queue, then being run
        DBTaskResult.objects.filter(pk=first.pk).update(status=status)
        assert HOUSEKEEPING not in scheduler.tick(now=slot + every), status
    assert not ScheduledRun.objects.filter(job=HOUSEKEEPING, slot=slot + every).exists()
    assert housekeeping_results().count() == 1
    # Once it has ended, well or not, the slot that has come is claimed and enqueued.
    DBTaskResult.objects.filter(pk=first.pk).update(status="FAILED")
    assert HOUSEKEEPING in scheduler.tick(now=slot + every)
    DBTaskResult.objects.exclude(pk=first.pk).filter(task_path=HOUSEKEEPING).update(
        status="SUCCESSFUL"
    )
    assert HOUSEKEEPING in scheduler.tick(now=slot + 2 * every)
    assert housekeeping_results().count() == 3


def test_a_task_whose_worker_was_killed_runs_again_and_is_never_lost(tmp_path):
    """kill -9 the worker in the middle of a task: the task is not left "running" forever;
    the next worker on the machine queues it again and runs it."""
    from tests.core.sleepy import sleep_and_note

    notes = tmp_path / "notes.txt"
    result_id = sleep_and_note.enqueue(str(notes), 120).id
    env = {**os.environ, "DATABASE_URL": database_url(), "PYTHONPATH": str(ROOT)}
    env.pop("TASKS_BACKEND", None)
    worker = subprocess.Popen(
        [ACCORD, "worker", "--interval", "0.1"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 90
        while not (notes.exists() and "start" in notes.read_text()):
            status = DBTaskResult.objects.get(pk=result_id).status
            assert worker.poll() is None and time.monotonic() < deadline, status
            time.sleep(0.2)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(30)
    killed = DBTaskResult.objects.get(pk=result_id)
    assert killed.status == "RUNNING" and len(killed.worker_ids) == 1
    assert killed.worker_ids[0].split(":")[1] == str(worker.pid)

    run_worker()
    done = DBTaskResult.objects.get(pk=result_id)
    assert done.status == "SUCCESSFUL", done.traceback
    assert done.return_value == "slept" and len(done.worker_ids) == 2
    assert notes.read_text().count("start") == 2 and notes.read_text().count("done") == 1


def test_a_task_that_kills_its_worker_every_time_is_marked_failed_not_retried_forever():
    from tests.core.sleepy import sleep_and_note

    finished = subprocess.Popen(["true"])  # a process id that no longer runs
    finished.wait()
    lost = [f"{db_queue.host()}:{finished.pid}:{n}" for n in ("a1", "b2", "c3")]
    result_id = sleep_and_note.enqueue("/nonexistent/notes", 0).id
    DBTaskResult.objects.filter(pk=result_id).update(status="RUNNING", worker_ids=lost)
    # A worker elsewhere (another host) is none of this machine's business.
    elsewhere_id = sleep_and_note.enqueue("/nonexistent/notes", 0).id
    DBTaskResult.objects.filter(pk=elsewhere_id).update(
        status="RUNNING", worker_ids=["other-host:1:ab"]
    )
    assert db_queue.recover_lost() == {"requeued": 0, "failed": 1}
    failed = DBTaskResult.objects.get(pk=result_id)
    assert failed.status == "FAILED" and failed.exception_class_path.endswith("WorkerLost")
    assert "stopped before it finished, 3 times" in failed.traceback
    assert DBTaskResult.objects.get(pk=elsewhere_id).status == "RUNNING"
