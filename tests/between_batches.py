"""Whether another connection can write while a background job runs: the job's first event
(of `verb`) starts a thread that writes on a connection of its own, a request's write; each
later event notes whether that write is done. A job in one transaction holds SQLite's write
lock to its end, so the write waits for it; one that commits in batches lets it in between."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from accord.activity import services as activity


@contextmanager
def a_write_meanwhile(verb: str, write: Callable[[], None]) -> Iterator[list[bool]]:
    """Within the block, the list says at each event of `verb` whether `write` had committed
    (False at the first, which starts it). SQLite's only: PostgreSQL locks rows, so a
    request's write to other rows never waits for the job, batched or not, and whether it
    lands between two batches is a race."""
    if connection.vendor != "sqlite":
        pytest.skip("the database-wide write lock waited on here is SQLite's")
    done = threading.Event()
    errors: list[BaseException] = []

    def other() -> None:
        try:
            write()
            done.set()
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=other)
    seen: list[bool] = []

    def listener(event) -> None:
        if event.verb != verb:
            return
        seen.append(done.is_set())
        if len(seen) == 1:
            thread.start()

    activity.LISTENERS.append(listener)
    try:
        yield seen
    finally:
        activity.LISTENERS.remove(listener)
        if thread.is_alive() or seen:
            thread.join(30)
    assert not errors, errors
