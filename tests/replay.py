"""Organizations that tests build often, built once per test process and replayed after.

Building Northwind through the services takes about ten seconds (thirteen weeks of history,
evaluated and briefed) and some twenty test files need it; the cast of `tests/conftest.py`
is in nearly every test. The first build in a test process runs for real and records every
row it added; a later one, in a test whose database has been rolled back or flushed since,
inserts the same rows again, exactly as they were (stored values, not recomputed ones).
(The generated organizations are larger still: their modules use copies of a database that
holds them, `tests/template_db.py::derived`.)

It builds for real again whenever a replay could differ from a build: another key (the demo
is dated from today, and from the moment a test sets the clock to), another database, or
rows already in the way of the recorded keys (a test that made its own rows first, on
SQLite, where a rollback hands their keys out again).
Rows already there exactly as recorded are left as they are.

Under pytest-xdist the recording is shared by the run's processes: the first to need a key
builds it and leaves the rows in a file that the others replay from then on (every process's
test database is a copy of the same template, so the rows fit each of them). A process that
needs the key while another is still building it builds its own rather than wait.

A recording made "as of now" (the cast of `tests/conftest.py`) is replayed with every moment
moved on by the time since it was recorded, so its rows read as made now, as a build would
make them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from django.apps import apps
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from accord import demo
from accord.core.database import keys_after_rows
from tests.template_db import locked


@dataclass
class _Table:
    model: type[models.Model]
    columns: list[str]
    rows: list[tuple[Any, ...]]

    @property
    def pk_at(self) -> int:
        return self.columns.index(self.model._meta.pk.column)


T = TypeVar("T")
_build = demo.load
# The clock as Django has it, before any test sets it (tests.conftest.at).
_real_now = timezone.now
# Each recording's rows, and the moment its build ended.
_recorded: dict[tuple, tuple[list[_Table], dt.datetime]] = {}
# Fewer rows than this get no fresh planner statistics (tests/replay.py::_analyze).
ANALYZE_FROM = 1000


def _models() -> list[type[models.Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]


def _columns(model: type[models.Model]) -> list[str]:
    # Generated columns are the database's to fill.
    return [f.column for f in model._meta.concrete_fields if not getattr(f, "generated", False)]


def _select(model: type[models.Model], columns: list[str], where: str = "", params=()) -> list:
    quote = connection.ops.quote_name
    # SQLite's `+column` is the stored value itself: Django's converters (dates, times,
    # booleans) apply to plain columns only, and their results would not bind back.
    raw = "+" if connection.vendor == "sqlite" else ""
    names = ", ".join(raw + quote(c) for c in columns)
    sql = f"SELECT {names} FROM {quote(model._meta.db_table)} {where}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Rows are read and written as the database stores them, through the cursor: no model
# instance, no field conversion either way (a fraction of the ORM's time for the hundred
# thousand rows of the generated organizations, and exactly the stored values back).
def _keys() -> dict[type[models.Model], set]:
    return {m: {row[0] for row in _select(m, [m._meta.pk.column])} for m in _models()}


def _added_since(before: dict[type[models.Model], set]) -> list[_Table]:
    tables = []
    for model, old in before.items():
        columns = _columns(model)
        pk_at = columns.index(model._meta.pk.column)
        rows = [tuple(row) for row in _select(model, columns) if row[pk_at] not in old]
        if rows:
            tables.append(_Table(model, columns, rows))
    return tables


def _missing(tables: list[_Table]) -> list[_Table] | None:
    """The recorded rows not in the database yet, or None if a row is in the way: one of the
    recorded keys holding other values. (Rows kept as recorded, like the people's logins an
    organization's deletion leaves behind, are simply not written again.)"""
    missing = []
    for table in tables:
        pk = connection.ops.quote_name(table.model._meta.pk.column)
        pk_at = table.pk_at
        keys = [row[pk_at] for row in table.rows]
        if all(isinstance(k, int) for k in keys):
            found = _select(
                table.model, table.columns, f"WHERE {pk} BETWEEN %s AND %s", [min(keys), max(keys)]
            )
        else:
            found = []
            for i in range(0, len(keys), 500):
                chunk = keys[i : i + 500]
                marks = ", ".join(["%s"] * len(chunk))
                found += _select(table.model, table.columns, f"WHERE {pk} IN ({marks})", chunk)
        if not found:
            missing.append(table)
            continue
        recorded = {row[pk_at]: row for row in table.rows}
        if any(recorded.get(row[pk_at]) != tuple(row) for row in found):
            return None
        present = {row[pk_at] for row in found}
        rows = [row for row in table.rows if row[pk_at] not in present]
        if rows:
            missing.append(_Table(table.model, table.columns, rows))
    return missing


def _shifted(tables: list[_Table], by: dt.timedelta) -> list[_Table]:
    """The rows with every date and time column moved on by `by` (SQLite stores them as
    text, PostgreSQL hands them back as datetimes)."""
    if not by:
        return tables

    def move(value):
        if value is None:
            return None
        if isinstance(value, str):
            return str(dt.datetime.fromisoformat(value) + by)
        return value + by

    out = []
    for table in tables:
        moments = {
            table.columns.index(f.column)
            for f in table.model._meta.concrete_fields
            if f.get_internal_type() == "DateTimeField" and f.column in table.columns
        }
        if not moments:
            out.append(table)
            continue
        rows = [
            tuple(move(v) if i in moments else v for i, v in enumerate(row)) for row in table.rows
        ]
        out.append(_Table(table.model, table.columns, rows))
    return out


@transaction.atomic
def _replay(tables: list[_Table]) -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables:
            into = f"{quote(table.model._meta.db_table)} ({', '.join(map(quote, table.columns))})"
            if connection.vendor == "postgresql":
                # COPY: one stream per table rather than a statement per row.
                with cursor.cursor.copy(f"COPY {into} FROM STDIN") as copy:
                    for row in table.rows:
                        copy.write_row(row)
                continue
            marks = ", ".join(["%s"] * len(table.columns))
            cursor.executemany(f"INSERT INTO {into} VALUES ({marks})", table.rows)
    # PostgreSQL's sequences are not rolled back, and a test may have set one back since
    # (the generator resets them to the largest key it finds): start them past these rows.
    keys_after_rows(t.model for t in tables)


def _analyze(tables: list[_Table]) -> None:
    """Give PostgreSQL's planner statistics of the rows just written.

    Tests write inside a transaction that is rolled back, so autovacuum never sees these
    rows; the statistics it took of a table when earlier tests had left a few rows in it
    make the planner take an organization's thousands of rows for one, and nested-loop
    plans then run for minutes. ANALYZE inside the transaction counts the transaction's
    own rows, and its statistics are rolled back with them."""
    if connection.vendor != "postgresql" or sum(len(t.rows) for t in tables) < ANALYZE_FROM:
        return
    names = ", ".join(connection.ops.quote_name(t.model._meta.db_table) for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {names}")


def _shelf(key: tuple) -> Path | None:
    """Where this run's processes share the rows recorded for `key` (None outside xdist)."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if not run:
        return None
    runs = Path(settings.DATA_DIR) / "test-replays"
    here = runs / run
    if not here.exists():
        here.mkdir(parents=True, exist_ok=True)
        for old in runs.iterdir():  # runs that ended a while ago
            if old != here and old.stat().st_mtime < time.time() - 3600:
                shutil.rmtree(old, ignore_errors=True)
    return here / (hashlib.sha256(repr(key).encode()).hexdigest()[:16] + ".pickle")


def _dumps(tables: list[_Table], at: dt.datetime) -> bytes:
    # Models go by label (auto-created through models have no importable class); psycopg
    # reads bytea as memoryview, which does not pickle, and bytes bind back the same.
    return pickle.dumps(
        (
            at,
            [
                (
                    t.model._meta.label_lower,
                    t.columns,
                    [
                        tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
                        for r in t.rows
                    ],
                )
                for t in tables
            ],
        )
    )


def _loads(data: bytes) -> tuple[list[_Table], dt.datetime]:
    at, tables = pickle.loads(data)
    return [_Table(apps.get_model(label), cols, rows) for label, cols, rows in tables], at


def _record(local: tuple, build: Callable[[], T]) -> T:
    before = _keys()
    built = build()
    # The end of the build: a replay moves its last moment to the present, not past it.
    _recorded[local] = _added_since(before), timezone.now()
    return built


def once(
    key: tuple, build: Callable[[], T], find: Callable[[], T], *, as_of_now: bool = False
) -> T:
    """build() the first time for this key and database; after, replay its rows and find().

    `as_of_now`: the build stamps its rows with the present moment; the replay moves them on
    by the time since the recording."""
    local = (connection.vendor, connection.settings_dict["NAME"], *key)
    shelf = _shelf((connection.vendor, *key)) if local not in _recorded else None
    if shelf is not None and not shelf.exists():
        # Another process building it: build one's own rather than wait (a core left
        # waiting is time lost on a small machine).
        with locked(shelf.with_suffix(".lock"), wait=False) as first:
            if first and not shelf.exists():
                built = _record(local, build)
                partial = shelf.with_suffix(".partial")
                partial.write_bytes(_dumps(*_recorded[local]))
                partial.rename(shelf)
                _analyze(_recorded[local][0])
                return built
    if shelf is not None and shelf.exists():
        _recorded[local] = _loads(shelf.read_bytes())
    tables, at = _recorded.get(local, (None, None))
    if tables is not None and as_of_now:
        tables = _shifted(tables, timezone.now() - at)
    missing = _missing(tables) if tables is not None else None
    if missing is not None:
        _replay(missing)
        _analyze(missing)
        return find()
    built = build() if tables is not None else _record(local, build)
    _analyze(_recorded[local][0])
    return built


def load(*, today: dt.date | None = None):
    """`demo.load()`, replayed after the first build.

    The story is dated up to the moment it loads (a meeting still going on is not held yet):
    a test that sets the clock gets the demo of its own moment, not one recorded earlier that
    day at another hour."""
    if demo.demo_org() is not None:
        return None
    moment = timezone.now() if timezone.now is not _real_now else None
    key = ("demo", today, timezone.localdate(), moment)
    return once(key, lambda: _build(today=today), demo.demo_org)
