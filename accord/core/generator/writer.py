"""Bulk writing for the generator: ids known up front, rows inserted in batches.

Each table gets its ids from one counter that starts past the table's highest id, so the
generator can refer to a row before it is written (a team's parent, an event's target).
Rows are plain tuples in the order of the fields named for the table; they are converted
with the database's own adapters (`connection.ops`) and inserted `BATCH` at a time with
`executemany` (SQLite) or `COPY` (PostgreSQL), a few times cheaper than building model
instances for `bulk_create`.

Writing rows directly, rather than through the models' `save()`, is also what lets the
history carry its real past timestamps: `auto_now_add` / `auto_now` fields (an event's
`created_at`, a team's) and the event log's append-only guard act on `save()` only. The
event log stays append-only: this only ever inserts.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

from accord.activity.models import Event
from accord.core.database import keys_after_rows

BATCH = 2000
EVENT_FIELDS = (
    "org_id",
    "actor_id",
    "actor_name",
    "verb",
    "target_type",
    "target_id",
    "target_label",
    "before",
    "after",
    "created_at",
    "team_id",
    "other_team_id",
)


def _json_default(value: Any) -> Any:
    """What the event log stores for values JSON lacks (as `activity.services` does)."""
    if isinstance(value, dt.date | dt.time):  # datetimes too
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    raise TypeError(f"Cannot store {value!r} as JSON")


class _Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        return _json_default(o)


def _sqlite_datetime(value: dt.datetime) -> str:
    """SQLite's stored form of an aware datetime: naive UTC text, as Django writes it."""
    if value.tzinfo is not dt.UTC:
        value = value.astimezone(dt.UTC)
    return value.isoformat(" ")[:-6]  # without the "+00:00"


_ENCODER = json.JSONEncoder(default=_json_default)


def _sqlite_json(value: Any) -> str:
    return _ENCODER.encode(value) if value else "{}" if isinstance(value, dict) else "[]"


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    """The database adapter a value of `field` needs, or None when it needs none.
    SQLite gets quick equivalents of Django's adapters for JSON and datetimes, the
    values most rows carry; other databases get Django's own."""
    ops = connection.ops
    sqlite = connection.vendor == "sqlite"
    if isinstance(field, models.JSONField):
        if sqlite:
            return _sqlite_json
        return lambda v: ops.adapt_json_value(v, _Encoder)
    if isinstance(field, models.DateTimeField):
        return _sqlite_datetime if sqlite else ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.TimeField):
        return ops.adapt_timefield_value
    if isinstance(field, models.DecimalField):
        return lambda v: ops.adapt_decimalfield_value(v, field.max_digits, field.decimal_places)
    return None


class Table:
    """One table being filled: its next id, its INSERT statement and a buffer of rows."""

    def __init__(self, model: type[models.Model], fields: Sequence[str] = ()):
        self.model = model
        self.fields: tuple[str, ...] = ()
        if fields:
            self.configure(fields)
        top = model._base_manager.aggregate(top=models.Max("id"))["top"]
        self.next_id = (top or 0) + 1
        self.rows: list[list[Any]] = []
        self.written = 0

    def configure(self, fields: Sequence[str]) -> None:
        """Name the fields rows will carry, in order (the id always comes first)."""
        model = self.model
        self.fields = ("id", *fields)
        meta = model._meta
        columns = [meta.get_field(f).column for f in self.fields]
        quote = connection.ops.quote_name
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(meta.db_table),
            ", ".join(quote(c) for c in columns),
            ", ".join(["%s"] * len(columns)),
        )
        self.copy_sql = "COPY {} ({}) FROM STDIN".format(
            quote(meta.db_table), ", ".join(quote(c) for c in columns)
        )
        self.converters = [
            (i, conv)
            for i, f in enumerate(self.fields)
            if (conv := _converter(meta.get_field(f))) is not None
        ]

    def new_id(self) -> int:
        pk = self.next_id
        self.next_id += 1
        return pk

    def add(self, *values: Any, pk: int | None = None) -> int:
        """Queue one row (values in the table's field order); returns its id."""
        if pk is None:
            pk = self.new_id()
        row = [pk, *values]
        for i, conv in self.converters:
            if row[i] is not None:
                row[i] = conv(row[i])
        self.rows.append(row)
        if len(self.rows) >= BATCH:
            self.flush()
        return pk

    def flush(self) -> None:
        if self.rows:
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    # COPY: one stream for the batch instead of a statement per row.
                    with cursor.cursor.copy(self.copy_sql) as copy:
                        for row in self.rows:
                            copy.write_row(row)
                else:
                    cursor.executemany(self.sql, self.rows)
            self.written += len(self.rows)
            self.rows = []


class Writer:
    """Every table the generator fills, plus the event log of the history it writes."""

    def __init__(self, org_id: int):
        self.org_id = org_id
        self.tables: dict[type[models.Model], Table] = {}
        self.events = self.table(Event, EVENT_FIELDS)

    def table(self, model: type[models.Model], fields: Sequence[str] = ()) -> Table:
        """The table of `model`; `fields` are needed before its first row is added."""
        table = self.tables.get(model)
        if table is None:
            table = self.tables[model] = Table(model, fields)
        elif fields and not table.fields:
            table.configure(fields)
        return table

    def event(
        self,
        at: dt.datetime,
        verb: str,
        target_type: str,
        target_id: int,
        label: str,
        actor: tuple[int, str] | None = None,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        team: int | None = None,
        other_team: int | None = None,
    ) -> None:
        """Append one event of the history, as the service doing that write would; `team`
        is the id of the team its subject belongs to and `other_team` of the second team it
        concerns (`activity.teams`), as `record` sets them."""
        actor_id, actor_name = actor if actor is not None else (None, "Accord")
        self.events.add(
            self.org_id,
            actor_id,
            actor_name,
            verb,
            target_type,
            str(target_id),
            label[:300],
            before or {},
            after or {},
            at,
            team,
            other_team,
        )

    def finish(self) -> dict[str, int]:
        """Write what is still buffered, move sequences past the ids used (PostgreSQL)
        and return the rows written per table."""
        for table in self.tables.values():
            table.flush()
        keys_after_rows(self.tables)
        return {t.model._meta.label: t.written for t in self.tables.values()}
