"""Helpers about the database connection itself, shared by bulk work (generating an
organization, evaluating the intelligence catalogue)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

ROOMY_CACHE_KIB = 256 * 1024  # bulk work: large indexes grow and are read in random order


@contextmanager
def roomy_cache(kib: int = ROOMY_CACHE_KIB) -> Iterator[None]:
    """On SQLite, a larger page cache for this connection during bulk work (the default
    2 MB sends every insert into a large index to the file), restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        old = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA cache_size = -{kib}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {old}")
