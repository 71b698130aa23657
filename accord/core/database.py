"""Helpers about the database connection itself, shared by bulk work (generating an
organization, evaluating the intelligence catalogue)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection, models

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


def keys_after_rows(tables: Iterable[type[models.Model]]) -> None:
    """Set each table's key sequence to hand out the keys after its rows (PostgreSQL), for
    rows written with their keys given; SQLite takes the largest key there by itself."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(tables)):
            cursor.execute(sql)


ANALYSIS_LIMIT = 1000  # rows SQLite samples per index: a third of a second at 10,000 teams


def refresh_planner_statistics() -> None:
    """Let the database's query planner know how the tables are shaped now.

    Without statistics SQLite guesses that an index matching more columns by equality is
    the better one, so at scale it reads a whole organization through `(org, state)` where
    `(org, team, state)` or a unique `(cadence, start)` would read a few rows. Run after
    bulk loads (`accord generate`, either database) and, on SQLite, hourly by the worker as
    the data grows (`accord.core.tasks.refresh_planner_statistics`). SQLite samples
    `ANALYSIS_LIMIT` rows per index; PostgreSQL's ANALYZE samples on its own, and its
    autovacuum analyzes each table as it changes."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")


def analyse_new_index(schema_editor, index: str) -> None:
    """In a migration that adds `index`: a SQLite database the planner already has
    statistics of gets the new index's too. Without them, until the worker's next hourly
    refresh, SQLite may prefer the new index where an older one reads far fewer rows (the
    top team's action items: 50 ms of SQL instead of 1.3). PostgreSQL's planner needs no
    statistics of an index."""
    connection = schema_editor.connection
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone():
            cursor.execute(f"PRAGMA analysis_limit = {ANALYSIS_LIMIT}")
            cursor.execute(f"ANALYZE {connection.ops.quote_name(index)}")
