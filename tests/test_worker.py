"""`accord worker --batch` as a real process: the scheduler enqueues periodic work once per
slot, and the worker runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django_tasks_db.models import DBTaskResult

from accord.core import scheduler
from accord.core.models import ScheduledRun

pytestmark = pytest.mark.django_db(transaction=True)

ACCORD = str(Path(sys.executable).with_name("accord"))
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
    env = {**os.environ, "DATABASE_URL": database_url()}
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
    assert done[0].return_value == {"scheduled_runs": 0, "task_results": 0}


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
