"""A task for tests that kill a worker mid-task: it notes each attempt in a file, sleeps
(`seconds` the first time, so there is time to kill it; briefly on later attempts), then
notes that it finished. Workers import it by its path (tests.core.sleepy)."""

from __future__ import annotations

import os
import time

from django_tasks import task


@task()
def sleep_and_note(path: str, seconds: float) -> str:
    first = not os.path.exists(path)
    with open(path, "a") as f:
        f.write(f"start {os.getpid()}\n")
    time.sleep(seconds if first else 0.5)
    with open(path, "a") as f:
        f.write(f"done {os.getpid()}\n")
    return "slept"
