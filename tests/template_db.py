"""The test database: migrated once into a template, then copied for each test process.

Running every migration takes half a minute or more (Django renders the project's models
again after nearly every operation, and every model points at Organization), and each
pytest-xdist worker used to do it on its own, on every run. Here the first process to need
a test database migrates a template under a file lock; every process then gets a copy of it
(SQLite: the file, through SQLite's backup API; PostgreSQL: `CREATE DATABASE … TEMPLATE`),
and Django's own setup runs on the copy with nothing left to apply.

The template is named by a digest of everything that decides its schema: the source of every
migration, of the project modules those migrations import (custom fields, data-migration
helpers), Django's version and the backend. Change any of them and the next run migrates a
new template from scratch; `pytest --create-db` does so unconditionally. A SQLite template
outlives the run in ACCORD_DATA_DIR (older ones are removed), so a run whose migrations have
not changed migrates nothing. A PostgreSQL template lives as long as its server; for the
throwaway server of each `scripts/test.sh` run, a `pg_dump` of the last one built is kept
beside the SQLite template and restored instead (migrating if the restore fails).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import inspect
import os
import pickle
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import django
from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader

PREFIX = "test-template-"
T = TypeVar("T")
ROOT = Path(settings.BASE_DIR).resolve()


def _sources_of(module) -> set[str]:
    """The migration's file and the project's modules it refers to."""
    files = {module.__file__}
    for value in vars(module).values():
        source = (
            value
            if inspect.ismodule(value)
            else sys.modules.get(getattr(value, "__module__", "") or "")
        )
        path = getattr(source, "__file__", None)
        if path and Path(path).resolve().is_relative_to(ROOT):
            files.add(path)
    return files


def digest(connection) -> str:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    files: set[str] = set()
    for migration in loader.disk_migrations.values():
        files |= _sources_of(sys.modules[type(migration).__module__])
    h = hashlib.sha256(f"{django.__version__} {connection.vendor}".encode())
    for path in sorted(files):
        h.update(path.encode())
        h.update(Path(path).read_bytes())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def locked(path: Path, *, wait: bool = True) -> Iterator[bool]:
    """Hold the lock file `path` across processes; yields whether it is held (always, unless
    `wait=False` found another process holding it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _migrate_into(connection, name: str) -> None:
    """Create the database `name` and run every migration on it, as Django's test setup
    does; the connection is left pointing where it was."""
    test = connection.settings_dict.setdefault("TEST", {})
    before = test.get("NAME")
    test["NAME"] = name
    old_name = connection.settings_dict["NAME"]
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    finally:
        test["NAME"] = before
        # keepdb: leave the database as it is; this only closes and points back.
        connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=True)


def _sqlite_template(connection) -> Path:
    return Path(connection.creation._get_test_db_name()).parent / (
        f"{PREFIX}{digest(connection)}.sqlite3"
    )


def remove_sqlite(path: Path | str) -> None:
    """Remove the SQLite database `path` with its journal files."""
    for extra in ("", "-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy the SQLite database `source` to `target` (replaced), whatever its journal holds."""
    remove_sqlite(target)
    # The backup API copies a consistent database, committed pages only.
    source_db, copied = sqlite3.connect(source), sqlite3.connect(target)
    try:
        source_db.backup(copied)
    finally:
        source_db.close()
        copied.close()


def migrated_sqlite(target: Path) -> bool:
    """Make `target` a copy of this checkout's migrated SQLite template, for a test that needs
    a database file of its own (a process it kills, say). False when no template is built
    (a run on PostgreSQL): the caller migrates as before."""
    connection = connections["default"]
    if connection.vendor != "sqlite":
        return False
    template = _sqlite_template(connection)
    with locked(template.parent / f"{PREFIX}lock"):
        if not template.exists():
            return False
        copy_sqlite(template, target)
    return True


def _sqlite(connection, createdb: bool, copy: bool = True) -> None:
    """Build the template if missing and (`copy`) make the process's test database a copy of
    it, both under the lock: another process never copies a template being rebuilt."""
    target = Path(connection.creation._get_test_db_name())
    template = _sqlite_template(connection)
    folder = template.parent
    with locked(folder / f"{PREFIX}lock"):
        if createdb or not template.exists():
            for old in folder.glob(f"{PREFIX}*.sqlite3*"):
                old.unlink()
            partial = template.with_suffix(".partial")
            _migrate_into(connection, str(partial))
            for extra in ("-wal", "-shm"):
                Path(f"{partial}{extra}").unlink(missing_ok=True)
            partial.rename(template)
        if copy:
            copy_sqlite(template, target)


def _pg_tool(name: str) -> str:
    """Debian's newest PostgreSQL client tool (as scripts/pg.sh picks the server)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3])
    )
    return str(found[-1]) if found else name


def _pg_run(connection, tool: str, *args: str) -> bool:
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    where = ["-h", db.get("HOST") or "localhost", "-p", str(db.get("PORT") or 5432)]
    command = [_pg_tool(tool), *where, "-U", db.get("USER") or "", *args]
    try:
        return subprocess.run(command, env=env, capture_output=True).returncode == 0
    except OSError:
        return False


def _pg_server_lock(connection, what: str = "") -> Path:
    """A lock file for the templates of one PostgreSQL server (shared by every run using it)."""
    where = f"{connection.settings_dict.get('HOST')}:{connection.settings_dict.get('PORT')}"
    server = hashlib.sha256(where.encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"accord-{PREFIX}{server}{what}.lock"


def _postgresql(connection, createdb: bool, copy: bool = True) -> None:
    """Build the template if missing and (`copy`) create the process's test database from
    it, both under the locks."""
    creation = connection.creation
    quote = connection.ops.quote_name
    key = digest(connection)
    target = creation._get_test_db_name()
    template = f"test_template_{key}"
    # A throwaway server (scripts/test.sh starts one per run) keeps no template: a dump of
    # the last one built, beside the SQLite template, is restored in a second or two.
    dump = Path(settings.DATA_DIR) / f"{PREFIX}{key}.pgdump"
    # The dump's own lock, not the SQLite template's: scripts/test.sh builds both templates
    # at once, and under one lock the two builds ran one after the other.
    with locked(_pg_server_lock(connection)), locked(dump.parent / f"{PREFIX}pgdump.lock"):
        with creation._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            exists = cursor.fetchone() is not None
            if exists and createdb:
                cursor.execute(f"DROP DATABASE {quote(template)}")
        if createdb or not exists:
            # Built under another name and renamed when whole: a run stopped midway leaves
            # no template that looks complete.
            partial = f"{template}_partial"
            with creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {quote(partial)}")
                cursor.execute(f"CREATE DATABASE {quote(partial)} TEMPLATE template0")
            restored = (
                not createdb
                and dump.exists()
                and _pg_run(connection, "pg_restore", "--no-owner", "-d", partial, str(dump))
            )
            if not restored:
                _migrate_into(connection, partial)
                for old in dump.parent.glob(f"{PREFIX}*.pgdump"):
                    old.unlink()
                if not _pg_run(
                    connection, "pg_dump", "-Fc", "--no-owner", "-f", str(dump), partial
                ):
                    dump.unlink(missing_ok=True)
            with creation._nodb_cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {quote(partial)} RENAME TO {quote(template)}")
        if not copy:
            return
        with creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(target)}")
            cursor.execute(f"CREATE DATABASE {quote(target)} TEMPLATE {quote(template)}")


def _derived_sqlite(connection, name: str, family: str, build: Callable[[], T]) -> Path:
    """Build the derived template `name` if missing and copy it for this process; returns
    where its build's result is (beside the template)."""
    base = _sqlite_template(connection)
    template = base.with_name(f"{base.stem}-{name}.sqlite3")
    with locked(base.parent / f"{PREFIX}{family}.lock"):
        if not template.exists():
            # Those of this family built for other keys (earlier runs) go.
            for old in base.parent.glob(f"{base.stem}-{family}_*"):
                old.unlink()
            partial = template.with_suffix(".partial")
            copy_sqlite(base, partial)
            _build_in(connection, str(partial), build, template.with_suffix(".result"))
            partial.rename(template)
        copy_sqlite(template, Path(_copy_name(connection, name)))
    return template.with_suffix(".result")


def _derived_postgresql(connection, name: str, family: str, build: Callable[[], T]) -> Path:
    """Build the derived template `name` if missing and copy it for this process; returns
    where its build's result is."""
    quote = connection.ops.quote_name
    base = f"test_template_{digest(connection)}"
    template = f"{base}_{name}"
    result = Path(settings.DATA_DIR) / f"{PREFIX}{template}.result"
    with locked(_pg_server_lock(connection, f"-{family}")):
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template])
            exists = cursor.fetchone() is not None and result.exists()
        if not exists:
            partial = f"{template}_partial"
            with connection.creation._nodb_cursor() as cursor:
                # Those of this family built for other keys (earlier runs) go.
                cursor.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    [f"{base}_{family}_%"],
                )
                for (old,) in cursor.fetchall():
                    cursor.execute(f"DROP DATABASE IF EXISTS {quote(old)}")
            for old in result.parent.glob(f"{PREFIX}{base}_{family}_*.result"):
                old.unlink()
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"CREATE DATABASE {quote(partial)} TEMPLATE {quote(base)}")
            _build_in(connection, partial, build, result)
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"ALTER DATABASE {quote(partial)} RENAME TO {quote(template)}")
        copy = _copy_name(connection, name)
        with connection.creation._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(copy)}")
            cursor.execute(f"CREATE DATABASE {quote(copy)} TEMPLATE {quote(template)}")
    return result


def _copy_name(connection, name: str) -> str:
    own = connection.settings_dict["NAME"]
    return f"{own}-{name}" if connection.vendor == "sqlite" else f"{own}_{name}"


def _build_in(connection, name: str, build: Callable[[], T], result: Path) -> None:
    from django.db import transaction

    with pointed_at(connection, name), transaction.atomic():
        built = build()
    partial = result.with_suffix(".partial-result")
    partial.write_bytes(pickle.dumps(built))
    partial.rename(result)


@contextlib.contextmanager
def pointed_at(connection, name: str) -> Iterator[None]:
    """The connection, for the block, opened on the database `name` instead of its own."""
    own = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = own


@contextlib.contextmanager
def derived(key: tuple, build: Callable[[], T]) -> Iterator[T]:
    """The default connection, for the block, on a copy of the migrated template with what
    `build()` writes committed in it: a second template, built once for `key` (by the first
    process of a run to need it, the others waiting for it) and copied for each block, which
    is given what `build()` returned (pickled: model instances, ids, tokens).

    For module fixtures whose organizations are large (the generated organizations of
    tests/conftest.py, the pillars' two organizations): copying a database costs a fraction
    of writing its rows again, and the rows are as the build left them, with the planner
    statistics it took. Each block has a copy of its own, dropped after it, so nothing its
    tests commit outlives it. `key[0]` names the family: a new key removes the templates of
    the same family built for the others."""
    connection = connections["default"]
    family = key[0]
    name = f"{family}_{hashlib.sha256(repr(key).encode()).hexdigest()[:12]}"
    if connection.vendor == "sqlite":
        result = _derived_sqlite(connection, name, family, build)
    else:
        result = _derived_postgresql(connection, name, family, build)
    copy = _copy_name(connection, name)
    try:
        with pointed_at(connection, copy):
            yield pickle.loads(result.read_bytes())
    finally:
        if connection.vendor == "sqlite":
            remove_sqlite(copy)
        else:
            with connection.creation._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(copy)}")


def prepare(createdb: bool = False, copy: bool = True) -> None:
    """Give this process's test database (every alias) the fully migrated schema; with
    `copy=False`, only build the templates that are missing (scripts/test.sh does so beside
    its checks, so that no test process waits for a migration)."""
    for connection in connections.all():
        if connection.vendor == "sqlite" and not connection.creation.is_in_memory_db(
            connection.creation._get_test_db_name()
        ):
            _sqlite(connection, createdb, copy)
        elif connection.vendor == "postgresql":
            _postgresql(connection, createdb, copy)


if __name__ == "__main__":  # python -m tests.template_db (DJANGO_SETTINGS_MODULE set)
    django.setup()
    prepare(copy=False)
