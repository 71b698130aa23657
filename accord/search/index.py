"""The search index: one row per searchable thing, kept current by the database itself.

Every table below gets triggers (created by this app's migration) that insert, replace and
delete its row in `search_document` whenever a row is written — through the services, the
generator's bulk inserts, `QuerySet.update()` or a cascade alike — so there is no second
write path to forget. The index is the database's own full-text search:

- SQLite: an FTS5 virtual table (`unicode61` tokens, prefix indexes for type-ahead),
  ranked with bm25;
- PostgreSQL: a table with a stored, GIN-indexed `tsvector` generated from the title
  (weight A) and the body (weight B), ranked with `ts_rank` through Django's SearchRank.

A row's id is `code * ID_SPAN + the object's id`, so a trigger finds its row without a lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

ID_SPAN = 10**12
TABLE = "search_document"


@dataclass(frozen=True)
class Source:
    code: int  # the kind's number in the index (a deactivated person is INACTIVE_PERSON)
    kind: str
    table: str
    title: str  # SQL over the row, "{r}" standing for the row (NEW, OLD or the table)
    body: str
    columns: tuple[str, ...]  # an UPDATE of one of these re-indexes the row
    kind_sql: str = ""  # SQL for the kind column when it depends on the row
    # Its triggers' and function's name when "search_<kind>" is taken (the cadence's:
    # `search_cadence` keeps its meetings' titles).
    trigger: str = ""

    def kind_expr(self, r: str) -> str:
        return self.kind_sql.format(r=r) if self.kind_sql else str(self.code)

    @property
    def name(self) -> str:
        return self.trigger or f"search_{self.kind}"


INACTIVE_PERSON = 10

SOURCES: tuple[Source, ...] = (
    Source(1, "team", "org_team", "{r}.name", "{r}.description", ("name", "description")),
    Source(
        2,
        "person",
        "org_person",
        "{r}.name",
        "{r}.title || ' ' || {r}.email",
        ("name", "title", "email", "is_active"),
        kind_sql=f"CASE WHEN {{r}}.is_active THEN 2 ELSE {INACTIVE_PERSON} END",
    ),
    Source(
        3,
        "objective",
        "alignment_objective",
        "{r}.title",
        "{r}.description",
        ("title", "description"),
    ),
    Source(4, "key_result", "alignment_keyresult", "{r}.name", "''", ("name",)),
    Source(
        5,
        "initiative",
        "alignment_initiative",
        "{r}.title",
        "{r}.description",
        ("title", "description"),
    ),
    Source(
        6,
        "dependency",
        "coordination_dependency",
        "{r}.title",
        "{r}.description",
        ("title", "description"),
    ),
    Source(
        7,
        "decision",
        "decisions_decision",
        "{r}.question",
        "{r}.context || ' ' || {r}.outcome || ' ' || {r}.rationale",
        ("question", "context", "outcome", "rationale"),
    ),
    Source(
        8,
        "issue",
        "decisions_issue",
        "{r}.title",
        "{r}.description || ' ' || {r}.resolution",
        ("title", "description", "resolution"),
    ),
    Source(11, "action_item", "decisions_actionitem", "{r}.title", "''", ("title",)),
    Source(
        9,
        "meeting",
        "rhythm_meeting",
        "(SELECT c.name FROM rhythm_cadence c WHERE c.id = {r}.cadence_id)",
        "{r}.summary",
        ("cadence_id", "summary"),
    ),
    # Added after the first kinds (migration 0003): the rhythm's cadences themselves (an
    # upcoming meeting is no row until it is opened: its cadence is what finds it), the
    # organization's dated milestones and its periods.
    Source(12, "cadence", "rhythm_cadence", "{r}.name", "''", ("name",), trigger="search_rhythm"),
    Source(
        13,
        "milestone",
        "alignment_milestone",
        "{r}.name",
        "{r}.description",
        ("name", "description"),
    ),
    Source(14, "period", "alignment_period", "{r}.name", "''", ("name",)),
)
MEETING = next(s for s in SOURCES if s.kind == "meeting")

BY_KIND = {s.kind: s for s in SOURCES}
KIND_OF_CODE = {s.code: s.kind for s in SOURCES} | {INACTIVE_PERSON: "person"}


def _values(s: Source, r: str) -> str:
    return (
        f"{s.code} * {ID_SPAN} + {r}.id, {r}.org_id, {s.kind_expr(r)}, {r}.id, "
        f"coalesce({s.title.format(r=r)}, ''), coalesce({s.body.format(r=r)}, '')"
    )


COLUMNS = "{id}, org_id, kind, object_id, title, body"


# SQLite ----------------------------------------------------------------------------------


def sqlite_install() -> list[str]:
    return [
        f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
        "title, body, org_id UNINDEXED, kind UNINDEXED, object_id UNINDEXED, "
        "tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
        *sqlite_triggers(),
        *sqlite_fill(),
    ]


def sqlite_triggers() -> list[str]:
    cols = COLUMNS.format(id="rowid")
    sql = []
    for s in SOURCES:
        insert = f"INSERT INTO {TABLE}({cols}) "
        delete = f"DELETE FROM {TABLE} WHERE rowid = {s.code} * {ID_SPAN} + OLD.id;"
        name = s.name
        sql += [
            f"CREATE TRIGGER {name}_ai AFTER INSERT ON {s.table} BEGIN "
            f"{insert}VALUES ({_values(s, 'NEW')}); END",
            f"CREATE TRIGGER {name}_au AFTER UPDATE OF {', '.join((*s.columns, 'org_id'))} "
            f"ON {s.table} BEGIN {delete} {insert}VALUES ({_values(s, 'NEW')}); END",
            f"CREATE TRIGGER {name}_ad AFTER DELETE ON {s.table} BEGIN {delete} END",
        ]
    # A meeting's title is its cadence's name: follow a rename, and a cadence written after
    # its meetings (bulk writers insert in any order while foreign keys are deferred).
    for op, when in (("au", "UPDATE OF name"), ("ai", "INSERT")):
        sql.append(
            f"CREATE TRIGGER search_cadence_{op} AFTER {when} ON rhythm_cadence BEGIN "
            f"UPDATE {TABLE} SET title = NEW.name WHERE rowid IN "
            f"(SELECT {MEETING.code} * {ID_SPAN} + m.id FROM rhythm_meeting m "
            f"WHERE m.cadence_id = NEW.id); END"
        )
    return sql


def sqlite_fill() -> list[str]:
    cols = COLUMNS.format(id="rowid")
    return [
        f"INSERT INTO {TABLE}({cols}) SELECT {_values(s, s.table)} FROM {s.table}" for s in SOURCES
    ]


def sqlite_drop_triggers() -> list[str]:
    sql = ["DROP TRIGGER IF EXISTS search_cadence_au", "DROP TRIGGER IF EXISTS search_cadence_ai"]
    for s in SOURCES:
        sql += [f"DROP TRIGGER IF EXISTS {s.name}_{op}" for op in ("ai", "au", "ad")]
    return sql


def sqlite_uninstall() -> list[str]:
    return [*sqlite_drop_triggers(), f"DROP TABLE IF EXISTS {TABLE}"]


# PostgreSQL ------------------------------------------------------------------------------


def postgresql_install() -> list[str]:
    sql = [
        f"CREATE TABLE {TABLE} ("
        "id bigint PRIMARY KEY, org_id bigint NOT NULL, kind smallint NOT NULL, "
        "object_id bigint NOT NULL, title text NOT NULL, body text NOT NULL, "
        "vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
        "setweight(to_tsvector('simple'::regconfig, body), 'B')) STORED)",
        f"CREATE INDEX search_document_vector ON {TABLE} USING gin (vector)",
        f"CREATE INDEX search_document_org ON {TABLE} (org_id, kind)",
        # Django's test flush and a bulk reset truncate tables: no row trigger fires then.
        "CREATE FUNCTION search_forget_kind() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN DELETE FROM {TABLE} WHERE id / {ID_SPAN} = TG_ARGV[0]::bigint; "
        "RETURN NULL; END $$",
    ]
    for s in SOURCES:
        sql += postgresql_source(s)
    sql += [
        "CREATE FUNCTION search_cadence() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"UPDATE {TABLE} d SET title = NEW.name FROM rhythm_meeting m "
        f"WHERE m.cadence_id = NEW.id AND d.id = {MEETING.code} * {ID_SPAN} + m.id; "
        "RETURN NULL; END $$",
        "CREATE TRIGGER search_cadence AFTER INSERT OR UPDATE OF name ON rhythm_cadence "
        "FOR EACH ROW EXECUTE FUNCTION search_cadence()",
    ]
    return sql


def postgresql_source(s: Source) -> list[str]:
    """One kind's trigger on PostgreSQL, and its rows already there. Runs again unharmed:
    a kind added to SOURCES later is installed by its own migration, and a database
    created after that migration was written has it from the first one already."""
    cols = COLUMNS.format(id="id")
    name = s.name
    return [
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP <> 'INSERT' THEN "
        f"DELETE FROM {TABLE} WHERE id = {s.code} * {ID_SPAN} + OLD.id; END IF; "
        f"IF TG_OP <> 'DELETE' THEN INSERT INTO {TABLE}({cols}) "
        f"VALUES ({_values(s, 'NEW')}) ON CONFLICT (id) DO UPDATE SET "
        "org_id = EXCLUDED.org_id, kind = EXCLUDED.kind, title = EXCLUDED.title, "
        "body = EXCLUDED.body; END IF; RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {name} ON {s.table}",
        f"CREATE TRIGGER {name} AFTER INSERT OR DELETE OR UPDATE OF "
        f"{', '.join((*s.columns, 'org_id'))} ON {s.table} "
        f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        f"DROP TRIGGER IF EXISTS {name}_truncate ON {s.table}",
        f"CREATE TRIGGER {name}_truncate AFTER TRUNCATE ON {s.table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION search_forget_kind('{s.code}')",
        f"INSERT INTO {TABLE}({cols}) SELECT {_values(s, s.table)} FROM {s.table} "
        "ON CONFLICT (id) DO NOTHING",
    ]


def add_kind(schema_editor, kind: str) -> None:
    """Installs one kind added to SOURCES after the index was (a migration of its own).
    On SQLite nothing is to do here: a `migrate` run that has work to do puts every
    kind's triggers back and refills the index when it is done (`after_migrate`)."""
    if schema_editor.connection.vendor == "postgresql":
        for statement in postgresql_source(BY_KIND[kind]):
            schema_editor.execute(statement, params=None)


def remove_kind(schema_editor, kind: str) -> None:
    """Undoes `add_kind`: the kind's trigger and its rows (on SQLite, `after_migrate`
    puts back the triggers of SOURCES as they are then)."""
    s = BY_KIND[kind]
    if schema_editor.connection.vendor == "postgresql":
        for statement in (
            f"DROP TRIGGER IF EXISTS {s.name} ON {s.table}",
            f"DROP TRIGGER IF EXISTS {s.name}_truncate ON {s.table}",
            f"DROP FUNCTION IF EXISTS {s.name}()",
        ):
            schema_editor.execute(statement, params=None)
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE kind = {s.code}", params=None)


def postgresql_uninstall() -> list[str]:
    sql = ["DROP TRIGGER IF EXISTS search_cadence ON rhythm_cadence"]
    for s in SOURCES:
        sql += [
            f"DROP TRIGGER IF EXISTS {s.name} ON {s.table}",
            f"DROP TRIGGER IF EXISTS {s.name}_truncate ON {s.table}",
            f"DROP FUNCTION IF EXISTS {s.name}()",
        ]
    return [
        *sql,
        "DROP FUNCTION IF EXISTS search_cadence()",
        "DROP FUNCTION IF EXISTS search_forget_kind()",
        f"DROP TABLE IF EXISTS {TABLE}",
    ]


def install(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_install, "postgresql": postgresql_install}[vendor]()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def uninstall(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_uninstall, "postgresql": postgresql_uninstall}[vendor]()
    for statement in statements:
        schema_editor.execute(statement, params=None)


# Migrations on SQLite -------------------------------------------------------------------
#
# SQLite changes most columns by rebuilding the table (create a copy, drop the original,
# rename the copy), and a rebuild breaks the triggers above: the original's own triggers go
# with it, and the rename is refused while a trigger on another table names the table being
# renamed ("error in trigger search_meeting_ai: no such table: main.rhythm_cadence"). So a
# `migrate` run that has work to do on a database whose index exists takes the triggers off
# first, and puts them back and refills the index when it is done, whatever it rebuilt.

_suspended: set[str] = set()


def _sqlite_index_exists(connection) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [TABLE])
        return cursor.fetchone() is not None


def before_migrate(sender, using, plan=None, **kwargs) -> None:
    from django.db import connections

    connection = connections[using]
    if not plan or connection.vendor != "sqlite" or not _sqlite_index_exists(connection):
        return
    with connection.cursor() as cursor:
        for statement in sqlite_drop_triggers():
            cursor.execute(statement)
    _suspended.add(using)


def after_migrate(sender, using, **kwargs) -> None:
    from django.db import connections, transaction

    if using not in _suspended:
        return
    _suspended.discard(using)
    connection = connections[using]
    if not _sqlite_index_exists(connection):  # the run took the index away
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")
        for statement in (*sqlite_triggers(), *sqlite_fill()):
            cursor.execute(statement)
