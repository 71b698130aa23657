"""Background writes over a whole organization, in short transactions.

A periodic job that writes a row (and its event) for each of thousands of things must not
do it in one transaction: on SQLite a transaction holds the database's only write lock from
its start (`transaction_mode` IMMEDIATE), and a sign-in, a check-in or any other request
that writes waits for it, up to the 5-second busy timeout, then answers "Busy for a
moment". So such a job writes in batches, each in its own transaction (a few hundred
milliseconds at most), and claims each row in the batch's transaction with what it writes
(a conditional update, an event the next run reads), so a run killed midway loses only its
open batch, and the next run does what is left, nothing twice:

    for batch in in_batches(rows, BATCH):
        with transaction.atomic():
            for row in batch:
                ...

Between two batches the job pauses `PAUSE_SECONDS` on SQLite: a request waiting for the
lock sleeps up to 100 ms between tries (SQLite's busy handler), and would otherwise find the
lock taken again by the next batch each time it looks. PostgreSQL locks rows, not the
database, so there it does not pause; nor does a job run inside a transaction of its caller
(a demo organization's load), whose batches release nothing until that one ends.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from typing import TypeVar

from django.db import connection

T = TypeVar("T")

PAUSE_SECONDS = 0.12  # longer than SQLite's longest sleep between two tries of a waiting write
BATCH_SECONDS = 0.2  # a batch takes no more items once it has written this long


def in_batches(
    items: Sequence[T], size: int, seconds: float = BATCH_SECONDS
) -> Iterator[Iterator[T]]:
    """`items` in consecutive batches, each of at most `size` items and closed once it has
    taken `seconds` (so a slow database, or a costly item, makes batches smaller, not
    transactions longer), pausing between two on SQLite (see the module docstring); the
    caller writes each batch in a transaction of its own and goes through all of it."""
    size = max(1, size)
    at = 0

    def batch(began: float) -> Iterator[T]:
        nonlocal at
        taken = 0
        while at < len(items) and taken < size:
            if taken and time.monotonic() - began >= seconds:
                return
            item = items[at]
            at += 1
            taken += 1
            yield item

    while at < len(items):
        if at and connection.vendor == "sqlite" and not connection.in_atomic_block:
            time.sleep(PAUSE_SECONDS)
        yield batch(time.monotonic())
