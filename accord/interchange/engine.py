"""Organization as code: read a file, validate all of it, plan, apply in one transaction.

The file is a mapping of sections (teams, people, memberships, …); each section is a list of
items matched to existing objects by a stable key (a slug, an e-mail, an external id), never
by database id. Each section is handled by a `Kind` (see kinds_*.py).

* `read(source)` parses safely and validates every item (types, unknown keys, references,
  duplicates, cycles) into a `Desired` state, collecting problems instead of raising.
* `plan(org, desired)` compares it with the organization: what would be created, changed,
  removed (removal only for sections present in the file).
* `apply(...)` runs the plan through each app's services (actor None = Accord), in one
  transaction. Each change runs in its own savepoint: in non-strict mode a refused change is
  reported and skipped; in strict mode any problem rolls everything back. Applying the same
  file twice plans nothing the second time, so records no events.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError

from accord.activity.services import discard_events, event_mark
from accord.core.errors import ServiceError
from accord.interchange import safeyaml
from accord.interchange.fields import F, Invalid, KeptOnly
from accord.interchange.report import Problem, Report, short
from accord.org.models import Organization
from accord.org.services import NOT_GIVEN

FORMAT_VERSION = 1
MAX_ITEMS = 200_000


def max_bytes() -> int:
    """The largest organization file accepted (ACCORD_ORGFILE_MAX_BYTES), in bytes."""
    from django.conf import settings

    return int(settings.ACCORD_ORGFILE_MAX_BYTES)


def size_text(size: int) -> str:
    """`size` bytes as a person reads it: "256 MB", "2,000 bytes"."""
    mib = 1024 * 1024
    return f"{size // mib:,} MB" if size >= mib and size % mib == 0 else f"{size:,} bytes"


def too_large(size: int) -> str:
    """What to say of a file of `size` bytes over `max_bytes()`."""
    return (
        f"The file is {size:,} bytes; at most {max_bytes():,} are accepted "
        "(ACCORD_ORGFILE_MAX_BYTES). Nothing was changed."
    )


# The top-level key of a file that holds only part of an organization (one person's own
# export): such a file is refused by plan and apply, which would remove the rest.
EXTRACT = "extract"


class Fatal(Exception):
    """The file as a whole cannot be used (not YAML, too big, wrong version…)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.why)
        self.problem = problem


class Rejected(dict):
    """An item its reader already found wrong (a CSV row naming a team there is none of):
    its fields, and its problems as (kind, field, value, why); each is reported at the
    item's place, next to whatever else is wrong with it, and the item is skipped."""

    def __init__(self, data: dict[str, Any], problems: list[tuple[str, str, Any, str]]):
        super().__init__(data)
        self.problems = problems


class Aborted(Exception):
    """Strict mode met a problem: everything was rolled back."""


class _DryRun(Exception):
    pass


@dataclass(slots=True)
class Item:
    key: str
    data: dict[str, Any]  # canonical values, defaults filled in
    path: str  # e.g. teams[3]
    line: int | None = None
    # The fields the item speaks for, when it speaks only for some (a CSV's columns: see
    # Context.partial); None: every field, those it leaves out meaning their default.
    given: frozenset[str] | None = None


@dataclass(slots=True)
class Change:
    section: str
    key: str
    action: str  # create, update, remove
    fields: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)  # name -> (before, after)
    path: str = ""
    line: int | None = None
    name: str = ""  # the key as the file (or the organization) spells it, case kept

    def as_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "key": self.key,
            "name": self.name or self.key,
            "action": self.action,
            "fields": {k: {"before": b, "after": a} for k, (b, a) in self.fields.items()},
        }


class Created(Mapping[str, tuple[None, Any]]):
    """The fields of an object to create, `name -> (None, value)`, read from the item's own
    data instead of a copy of it (a plan of a large file holds one per item). A field the
    item leaves to the services (`NOT_GIVEN`: a membership's allocation) is not among them,
    so the services apply their own rule."""

    __slots__ = ("data",)

    def __init__(self, data: dict[str, Any]):
        self.data = data

    def __getitem__(self, name: str) -> tuple[None, Any]:
        value = self.data[name]
        if value is NOT_GIVEN:
            raise KeyError(name)
        return (None, value)

    def __iter__(self) -> Iterator[str]:
        return (name for name, value in self.data.items() if value is not NOT_GIVEN)

    def __len__(self) -> int:
        return sum(1 for _name in self)


class Kind:
    """One section of the file. Subclasses say how to read, compare and write it."""

    section = ""
    noun = ""  # one item, e.g. "team"
    title = ""  # for docs and the schema
    fields: tuple[F, ...] = ()
    key_fields: tuple[str, ...] = ("slug",)
    removal_verb = "remove"
    remove_first = False  # remove before creating (e.g. to free allocation)

    def key_of(self, data: dict[str, Any]) -> str:
        return self.name_of(data).lower()

    def name_of(self, data: dict[str, Any]) -> str:
        """The key as written, case kept: what a plan shows."""
        return "/".join(str(data[f]) for f in self.key_fields)

    def existing(self, org: Organization | None) -> dict[str, tuple[Any, dict[str, Any]]]:
        """key -> (object, its canonical data) for what the organization holds now."""
        raise NotImplementedError

    def names_existing(self, ctx: Context, item: Item) -> bool:
        """Whether `item` names an object the organization has (else applying creates one)."""
        return item.key in ctx.existing_of(self.section)

    def check(self, ctx: Context, items: list[Item]) -> None:
        """Checks across items of this section (cycles, totals); call ctx.skip on failures."""

    def upsert(self, ctx: Context, changes: list[Change]) -> None:
        for change in changes:
            ctx.run(change, lambda c=change: self.write(ctx, c))

    def write(self, ctx: Context, change: Change) -> None:
        raise NotImplementedError

    def remove_all(self, ctx: Context, changes: list[Change]) -> None:
        for change in changes:
            ctx.run(change, lambda c=change: self.remove(ctx, c))

    def remove(self, ctx: Context, change: Change) -> None:
        raise NotImplementedError

    def cascade(self, ctx: Context, changes: list[Change]) -> None:
        """Once every change is planned: list (or refuse) what a removal of this kind would
        take with it, so the plan shows everything the apply changes."""

    def finish(self, ctx: Context, changes: list[Change]) -> None:
        """Work that must wait until every section is written (e.g. closing periods)."""

    def removable(self, key: str, data: dict[str, Any]) -> bool:
        """Whether an object missing from the file counts as to be removed: only in a kind
        that can remove (a kind without a removal step leaves what the file omits alone)."""
        return type(self).remove is not Kind.remove

    def removal_fields(
        self, ctx: Context, key: str, data: dict[str, Any]
    ) -> dict[str, tuple[Any, Any]]:
        """What the removal of an object the file leaves out changes, when it is not deleted
        (e.g. a membership's term ends: `ended_on`); shown in the plan. {}: removed."""
        return {}

    def export_items(
        self, org: Organization, *, people: Collection[int] | None = None
    ) -> Iterable[dict[str, Any]]:
        """The section's items; with `people` (ids), only those naming one of them in a
        field that names a person (`ref="people"`), read from their rows alone (one
        person's own data: `personal.export_person`). Each kind with such a field says
        how."""
        if people is not None:
            raise NotImplementedError(f"{self.section} names no person")
        for _key, (_obj, data) in sorted(self.existing(org).items()):
            yield data


def field_by_name(kind: Kind, name: str) -> F:
    return next(f for f in kind.fields if f.name == name)


class Implied(dict):
    """An exported item with fields a file may leave out because leaving them out gives
    the value they hold (someone's only term at 100%: `default_allocation`): `compact`
    leaves them out; a CSV, where an empty cell says something else, keeps them."""

    def __init__(self, data: dict[str, Any], implied: tuple[str, ...]):
        super().__init__(data)
        self.implied = implied


def compact(kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
    """The item as written to a file: fields at their default (or `Implied`) are left out."""
    out = {}
    implied = getattr(data, "implied", ())
    for f in kind.fields:
        value = data.get(f.name)
        keep = value != f.default and value not in (None, [], "") and f.name not in implied
        if f.null_means_unknown and value is None and f.name in data:
            keep = True  # an explicit null says "unknown", unlike leaving the field out
        if f.required or f.name in kind.key_fields or keep:
            out[f.name] = value
    return out


# --- reading and validating -------------------------------------------------------------


@dataclass
class Desired:
    sections: dict[str, list[Item]] = field(default_factory=dict)  # present sections only
    skipped: dict[str, set[str]] = field(default_factory=dict)  # keys of invalid items
    unkeyed: set[str] = field(default_factory=set)  # sections with items of unknown key
    # Items skipped for their values, holding the references that were readable: these are
    # checked too, so the plan names every problem of an item at once (`check_refs`).
    # (the item, the line of each of those fields)
    invalid: dict[str, list[tuple[Item, dict[str, int | None]]]] = field(default_factory=dict)
    organization: dict[str, Any] = field(default_factory=dict)
    report: Report = field(default_factory=Report)


class Context:
    """What validation and application share: the org, the problems, resolved objects."""

    def __init__(
        self,
        org: Organization | None,
        kinds: list[Kind],
        *,
        strict: bool = False,
        prune: bool = True,
        partial: bool = False,
        actor: Any = None,
    ):
        self.org = org
        self.kinds = kinds
        self.strict = strict
        self.prune = prune  # remove what a present section leaves out
        # Items speak only for the fields they give (a CSV speaks for its columns): a field
        # an item leaves out keeps the existing object's value (a new object's: its default).
        # Without it (the organization file), a field left out means its default.
        self.partial = partial
        # The admin applying the file (page, API); a file never deactivates or demotes them.
        self.actor = actor if org is not None and getattr(actor, "org_id", None) == org.id else None
        # An importer's data, which knows nothing of Accord's roles: no admin is demoted.
        self.keep_admins = False
        self.notes: list[str] = []  # lines of the plan that are not problems
        # section -> why it cannot be applied at all (e.g. no admin would be left): a file
        # with such a section is refused whole, since other sections depend on it.
        self.refused: dict[str, str] = {}
        self.report = Report()
        self.desired: Desired | None = None
        self.existing: dict[str, dict[str, tuple[Any, dict[str, Any]]]] = {}
        self.objects: dict[str, dict[str, Any]] = {}  # section -> key -> model instance
        # section -> another key an item was written with -> its object's own key as
        # written (a person named by another of their addresses); references follow it.
        self.aliases: dict[str, dict[str, str]] = {}
        self.failed: dict[str, set[str]] = {}  # section -> keys whose write was refused
        self.done: list[Change] = []
        self.later: list[tuple[Change, Callable[[], None]]] = []  # after every section
        self.kept: dict[str, Any] = {}  # what a kind keeps for this apply, by its section
        self.chunks: Chunks | None = None  # when set, writes commit in short transactions
        self.progress: Progress | None = None
        # No organization named: the file's `organization.slug` names it (created if missing).
        self.org_from_file = False
        self.total = 0  # changes to write
        self.written = 0  # changes tried so far
        self._staged_keys: list[tuple[str, str, Any]] = []  # by the write in progress
        self.keys: list[tuple[str, str, Any]] = []  # by writes that succeeded, to store

    def stage_key(self, section: str, key: str, obj: Any) -> None:
        """Remember that `key` names the new `obj`; stored in bulk (flush_keys) with the
        transaction that created it, and forgotten if its write is refused."""
        self._staged_keys.append((section, key, obj))

    def flush_keys(self) -> None:
        if self.keys and self.org is not None:
            from accord.interchange.services import register_keys

            register_keys(self.org, self.keys)
        self.keys = []

    def flush(self) -> None:
        """Write what the writes so far left for later, in the transaction in progress: the
        stable keys of new objects, the deferred roll-ups and the events (see `execute`)."""
        from accord.activity.services import flush_events
        from accord.alignment import rollups
        from accord.org import known

        self.flush_keys()
        rollups.flush()
        flush_events()
        known.forget()  # a commit may follow: the next transaction looks again

    # references
    def existing_of(self, section: str) -> dict[str, tuple[Any, dict[str, Any]]]:
        if section not in self.existing:
            kind = next(k for k in self.kinds if k.section == section)
            self.existing[section] = kind.existing(self.org)
        return self.existing[section]

    def available(self, section: str) -> set[str]:
        """Keys a reference to `section` may name once the file is applied."""
        assert self.desired is not None
        items = self.desired.sections.get(section)
        existing = set(self.existing_of(section))
        if items is None:
            return existing
        kind = next(k for k in self.kinds if k.section == section)
        if not self.prune or type(kind).remove is Kind.remove:  # what the file omits stays
            return {i.key for i in items} | existing
        skipped = self.desired.skipped.get(section, set())
        return {i.key for i in items} | (skipped & existing)

    def obj(self, section: str, key: str) -> Any:
        """The model instance for `key` (created earlier in this run, or existing)."""
        key = key.lower()
        key = self.aliases.get(section, {}).get(key, key).lower()
        found = self.objects.get(section, {}).get(key)
        if found is not None:
            return found
        pair = self.existing_of(section).get(key)
        if pair is None or key in self.failed.get(section, set()):
            raise ServiceError(f"{_noun(self.kinds, section)} {key!r} does not exist.")
        return pair[0]

    def remember(self, section: str, key: str, obj: Any) -> None:
        self.objects.setdefault(section, {})[key.lower()] = obj

    def skip(self, section: str, item: Item, path: str, value: Any, why: str, kind: str) -> None:
        assert self.desired is not None
        self.report.add(kind, why, path=path, line=item.line, value=value)
        items = self.desired.sections[section]
        if item in items:
            items.remove(item)
        self.desired.skipped.setdefault(section, set()).add(item.key)

    def refuse(self, section: str, kind: str, why: str, line: int | None = None) -> None:
        """The whole of `section` cannot be applied: say why. Nothing of the file is then
        applied (a section depending on it would be applied against what it should have
        changed: memberships of people never created, removals never meant)."""
        self.report.add(kind, why, path=section, line=line, action="refused")
        self.refused[section] = kind

    def tell(self, phase: str) -> None:
        if self.progress is not None:
            self.progress(self.written, self.total, phase)

    # running one write
    def _commit_if_due(self, section: str) -> None:
        """Between writes: commit the short transaction once it has lasted long enough,
        recording progress with it."""
        if self.chunks is not None and self.chunks.due():
            phase = f"writing {section.replace('_', ' ')}"
            self.chunks.commit(lambda: (self.flush(), self.tell(phase)))

    def run(self, change: Change, write: Callable[[], None], *, record: bool = True) -> None:
        self._commit_if_due(change.section)
        self.written += record
        self._staged_keys = []
        mark = event_mark()
        try:
            with transaction.atomic():
                write()
        except (ServiceError, ProtectedError, RestrictedError, IntegrityError) as exc:
            discard_events(mark)  # rolled back with the write
            self._staged_keys = []
            why = getattr(exc, "message", None) or _db_error(exc)
            self.report.add(
                "refused",
                f"Could not {change.action} {_noun(self.kinds, change.section)} "
                f"{change.key!r}: {why}",
                path=change.path,
                line=change.line,
                value=change.key,
            )
            self.failed.setdefault(change.section, set()).add(change.key)
            if self.strict:
                raise Aborted(why) from None
        else:
            self.keys.extend(self._staged_keys)
            self._staged_keys = []
            if record:
                self.done.append(change)

    def run_many(
        self,
        changes: list[Change],
        write_many: Callable[[list[Change]], list[Any]],
        write: Callable[[Change], None],
        *,
        size: int = 200,
    ) -> None:
        """`run` for many changes of one section, `size` at a time through `write_many`
        (a service that writes a batch as its single write would be written, or refuses it
        all), which returns the object each change created or changed. A refused batch is
        written again one change at a time through `write`, so each refusal is reported
        against its own item, as `run` reports it."""
        for start in range(0, len(changes), size):
            batch = changes[start : start + size]
            self._commit_if_due(batch[0].section)
            mark = event_mark()
            try:
                with transaction.atomic():
                    objects = write_many(batch)
            except (ServiceError, ProtectedError, RestrictedError, IntegrityError):
                discard_events(mark)
                for change in batch:
                    self.run(change, lambda c=change: write(c))
            else:
                for change, obj in zip(batch, objects, strict=True):
                    self.remember(change.section, change.key, obj)
                self.written += len(batch)
                self.done.extend(batch)


Progress = Callable[[int, int, str], None]  # (done, total, phase)


class Chunks:
    """Writes in short transactions: the open one is committed once it has lasted `seconds`
    and the next one begins, so another writer never waits longer than about that for
    SQLite's write lock. Used as `with Chunks(): ...`; an exception rolls back only the
    transaction in progress (what was committed stays: applying a file is idempotent, so
    applying it again finishes the work)."""

    # SQLite's busy handler lets a waiting writer try again every 100 ms at most; pausing
    # a little longer than that between transactions lets waiting writers in, instead of
    # this loop taking the lock again the instant it let go of it.
    PAUSE = 0.11

    def __init__(self, seconds: float = 0.5):
        self.seconds = seconds
        self.commits = 0
        self._block: Any = None
        self._began = 0.0

    def __enter__(self) -> Chunks:
        self._begin()
        return self

    def __exit__(self, *exc: Any) -> Any:
        block, self._block = self._block, None
        return block.__exit__(*exc)

    def _begin(self) -> None:
        self._block = transaction.atomic()
        self._block.__enter__()
        self._began = time.monotonic()

    def due(self) -> bool:
        return self._block is not None and time.monotonic() - self._began >= self.seconds

    def commit(self, last_words: Callable[[], None] | None = None) -> None:
        """Commit what is written (after `last_words`, e.g. recording progress, in the same
        transaction) and begin the next transaction."""
        if last_words is not None:
            last_words()
        block, self._block = self._block, None
        block.__exit__(None, None, None)
        self.commits += 1
        time.sleep(self.PAUSE)
        self._begin()


def _name(kind: Kind, data: dict[str, Any]) -> str:
    try:
        return kind.name_of(data)
    except KeyError:
        return ""


def _noun(kinds: list[Kind], section: str) -> str:
    return next((k.noun for k in kinds if k.section == section), section)


def _db_error(exc: Exception) -> str:
    if isinstance(exc, ProtectedError | RestrictedError):
        return "other things still refer to it."
    return "the database refused it."


def parse(source: bytes | str, *, limit: int | None = None) -> dict[str, Any]:
    """The whole file as plain data (for callers that need the tree; `read_source` reads a
    file item by item without it)."""
    try:
        loaded = safeyaml.load(source, max_bytes=limit or max_bytes())
    except safeyaml.YamlRefused as exc:
        raise Fatal(_problem(exc)) from None
    data = loaded.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise Fatal(
            Problem(kind="wrong_type", why="The file must be a mapping of sections.", line=1)
        )
    if loaded.duplicates:
        line, key = loaded.duplicates[0]
        raise Fatal(_problem(safeyaml.Duplicate(key, line)))
    return data


def _problem(exc: safeyaml.YamlRefused) -> Problem:
    if isinstance(exc, safeyaml.Duplicate):
        return Problem(kind=exc.code, why=exc.message, line=exc.line, value=short(exc.key))
    return Problem(kind=exc.code, why=exc.message, line=exc.line)


# One entry of the file's top level: (section, line, value); a list's value is an iterable of
# (item, line).
Entry = tuple[Any, int | None, Any]


def read(ctx: Context, data: dict[str, Any]) -> Desired:
    """Validate every item of every section of `data`; what is invalid is reported and
    left out."""

    def entries() -> Iterable[Entry]:
        for key, value in data.items():
            line = safeyaml.line_of(data, key)
            if isinstance(value, list):
                yield key, line, ((v, safeyaml.line_of(value, i)) for i, v in enumerate(value))
            else:
                yield key, line, value

    return _read_entries(ctx, entries())


def read_source(ctx: Context, source: bytes | str) -> Desired:
    """`read` of a file's text, parsed one item at a time: memory holds the validated items,
    never the whole parsed tree."""
    try:
        return _read_entries(ctx, safeyaml.sections(source or "", max_bytes=max_bytes()))
    except safeyaml.YamlRefused as exc:
        raise Fatal(_problem(exc)) from None


def _read_entries(ctx: Context, entries: Iterable[Entry]) -> Desired:
    desired = Desired(report=ctx.report)
    ctx.desired = desired
    kinds = {k.section: k for k in ctx.kinds}
    version: Any = FORMAT_VERSION
    version_line = None
    found: dict[str, Report] = {}  # section -> what its items' validation found
    for key, line, value in entries:
        if key in ("accord",):
            version, version_line = value, line
            continue
        if key == EXTRACT:
            raise Fatal(
                Problem(
                    kind="extract",
                    why=f"This file is an extract ({value}), not a whole organization: "
                    "applied, it would remove everything it leaves out. Plan or apply the "
                    "organization's own export (`accord export`).",
                    path=EXTRACT,
                    line=line,
                )
            )
        if key == "organization":
            if isinstance(value, dict) and set(value) <= {"name", "slug"}:
                desired.organization = {k: str(v) for k, v in value.items() if v is not None}
                slug = desired.organization.get("slug", "").strip()
                if ctx.org_from_file and ctx.org is None:
                    ctx.org = Organization.objects.filter(slug=slug).first() if slug else None
                elif ctx.org is not None and slug and slug != ctx.org.slug:
                    raise Fatal(
                        Problem(
                            kind="other_organization",
                            why=f"This file describes the organization {slug!r}, not "
                            f"{ctx.org.slug!r}: applied here it would make {ctx.org.slug!r} "
                            f"into {slug!r}. Apply it to {slug!r}, or change its "
                            "organization.slug if it is meant for this one.",
                            path="organization.slug",
                            line=line,
                            value=slug,
                        )
                    )
                _note_other_name(ctx, desired.organization.get("name", "").strip())
            else:
                ctx.report.add(
                    "wrong_type",
                    "`organization` must be a mapping with name (and slug); ignored.",
                    path="organization",
                    line=line,
                )
            continue
        if key not in kinds:
            ctx.report.add(
                "unknown_key",
                f"Unknown section; expected one of {', '.join(sorted(kinds))}.",
                path=str(key),
                line=line,
                value=key,
            )
            continue
        if value is None:
            value = ()
        if isinstance(value, dict | str | int | float | bool):
            ctx.refuse(
                str(key),
                "wrong_type",
                f"A section must be a list of items, not {_type_name(value)}: the section, "
                "and so the whole file, cannot be applied.",
                line=line,
            )
            continue
        desired.sections[key] = []
        # Item problems are listed section by section in the order sections are applied.
        report, ctx.report = ctx.report, Report()
        try:
            _read_section(ctx, kinds[key], value)
        finally:
            found[key], ctx.report = ctx.report, report
    if version != FORMAT_VERSION:
        raise Fatal(
            Problem(
                kind="version",
                why=f"This file is format {version!r}; this Accord reads format {FORMAT_VERSION}.",
                path="accord",
                line=version_line,
            )
        )
    for kind in ctx.kinds:
        if kind.section in found:
            ctx.report.extend(found[kind.section].problems)
    ctx.tell("validating")
    for kind in ctx.kinds:
        if kind.section in desired.sections:
            _follow_aliases(ctx, kind)
            if ctx.partial:
                for item in desired.sections[kind.section]:
                    keep_unsaid(ctx, kind, item)
                refuse_incomplete(ctx, kind)
            check_refs(ctx, kind)
            kind.check(ctx, desired.sections[kind.section])
    return desired


def _note_other_name(ctx: Context, name: str) -> None:
    """A file naming its organization otherwise than Accord does: a file names an
    organization only when it creates it, so the plan says the name stays."""
    if ctx.org is None or not name or name == ctx.org.name:
        return
    ctx.notes.append(
        f"The file calls the organization {name!r}; here it is {ctx.org.name!r}, and applying "
        "a file does not rename it (organization.name names an organization only when the "
        "file creates it)."
    )


def _follow_aliases(ctx: Context, kind: Kind) -> None:
    """References written with another key of an object (a person's other address) are
    rewritten to its own key, so they compare and match as if written that way."""
    assert ctx.desired is not None
    fields = [f for f in kind.fields if ctx.aliases.get(f.ref)]
    if not fields:
        return
    items = ctx.desired.sections[kind.section]
    seen: dict[str, str] = {}
    for item in list(items):
        for f in fields:
            table = ctx.aliases[f.ref]
            value = item.data.get(f.name)
            if isinstance(value, list):
                new: Any = [table.get(str(v).lower(), v) for v in value]
            else:
                new = table.get(str(value).lower(), value) if value is not None else None
            if new != value:
                item.data = {**item.data, f.name: new}
                if f.name in kind.key_fields:
                    item.key = kind.key_of(item.data)
        if item.key in seen:
            ctx.skip(
                kind.section,
                item,
                item.path,
                item.key,
                f"{kind.noun.capitalize()} {item.key!r} is already described at "
                f"{seen[item.key]}; this one was skipped.",
                "duplicate",
            )
            continue
        seen[item.key] = item.path


def keep_unsaid(ctx: Context, kind: Kind, item: Item) -> None:
    """An item that speaks only for some fields (`Item.given`) and names an existing object
    takes that object's values for the others, so the checks across fields (totals, cycles,
    dates) see what the object will hold and the plan shows only what the item changes.
    Called again by a kind that finds the item names another object (another address)."""
    if item.given is None:
        return
    current = ctx.existing_of(kind.section).get(item.key)
    if current is None:
        return  # a new object: the fields it leaves out take their defaults
    kept = {
        f.name: current[1][f.name]
        for f in kind.fields
        if f.name not in item.given and f.name in current[1]
    }
    if kept:
        item.data = {**item.data, **kept}


def refuse_incomplete(ctx: Context, kind: Kind) -> None:
    """Skip each item that speaks only for some fields (`Item.given`, a CSV's columns),
    leaves out a field a new object must have (a person's name), and names no object the
    organization has: it would create one, so it must give that field."""
    assert ctx.desired is not None
    required = [f.name for f in kind.fields if f.required]
    for item in list(ctx.desired.sections[kind.section]):
        if item.given is None:
            continue
        lacking = [name for name in required if name not in item.given]
        if not lacking or kind.names_existing(ctx, item):
            continue
        many = len(lacking) > 1
        ctx.skip(
            kind.section,
            item,
            item.path,
            kind.name_of(item.data),
            f"There is no {kind.noun} {kind.name_of(item.data)!r} to update, and a new "
            f"{kind.noun} needs {_and(lacking)}: add the column{'s' if many else ''} "
            f"{_and(lacking)}, or correct {_and(list(kind.key_fields))} to name "
            f"{_a(kind.noun)} there is; item skipped.",
            "missing_field",
        )


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def _and(words: list[str]) -> str:
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else "".join(words)


def _type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "dict"  # the parser's mapping type is a subclass
    return type(value).__name__


def _read_section(ctx: Context, kind: Kind, raw_items: Iterable[tuple[Any, int | None]]) -> None:
    assert ctx.desired is not None
    items = ctx.desired.sections[kind.section]
    seen: dict[str, str] = {}
    names = {f.name for f in kind.fields}
    givens: dict[frozenset[str], frozenset[str]] = {}  # one set per header, not per item
    for i, (raw, line) in enumerate(raw_items):
        if i >= MAX_ITEMS:
            raise Fatal(
                Problem(kind="too_large", why=f"More than {MAX_ITEMS} items.", path=kind.section)
            )
        path = f"{kind.section}[{i}]"
        if not isinstance(raw, dict):
            ctx.desired.unkeyed.add(kind.section)
            ctx.report.add(
                "wrong_type",
                f"Each item must be a mapping of fields, not {_type_name(raw)}; skipped.",
                path=path,
                line=line,
                value=raw,
            )
            continue
        bad = False
        rejected = set()  # the fields its reader found wrong (`Rejected`): said once
        for problem_kind, name, value, why in getattr(raw, "problems", ()):
            # (a problem of the item as a whole, e.g. a CSV row's cells, names no field)
            where = f"{path}.{name}" if name else path
            ctx.report.add(problem_kind, why, path=where, line=line, value=value)
            rejected.add(name)
            bad = True
        for name in raw:
            if name not in names:
                ctx.report.add(
                    "unknown_key",
                    f"Unknown field {name!r}; expected {', '.join(f.name for f in kind.fields)}. "
                    "Item skipped.",
                    path=f"{path}.{name}",
                    line=safeyaml.line_of(raw, name),
                    value=name,
                )
                bad = True
        data: dict[str, Any] = {}
        kept_only: list[tuple[F, KeptOnly]] = []
        for f in kind.fields:
            if f.name in rejected:
                continue
            try:
                if f.null_means_unknown and f.name in raw and raw[f.name] is None:
                    data[f.name] = None
                    continue
                if ctx.partial and f.name not in raw and f.name not in kind.key_fields:
                    # Not spoken for (no column): the existing object's value, or for a new
                    # one its default; a new one without a required field is refused once
                    # it is known to be new (`refuse_incomplete`).
                    data[f.name] = None if f.required else f.clean(None)
                    continue
                data[f.name] = f.clean(raw.get(f.name))
            except KeptOnly as exc:
                data[f.name] = exc.value
                kept_only.append((f, exc))
            except Invalid as exc:
                ctx.report.add(
                    "invalid_value",
                    f"{f.name} {exc}; item skipped.",
                    path=f"{path}.{f.name}",
                    line=safeyaml.line_of(raw, f.name) or line,
                    value=raw.get(f.name) if raw.get(f.name) is not None else "",
                )
                bad = True
        if kept_only:
            bad = _refuse_new(ctx, kind, kept_only, raw, data, path, line) or bad
        if bad:
            _skip_key(ctx, kind, data)
            refs = {
                f.name: data[f.name]
                for f in kind.fields
                if f.ref and f.name in data and f.name not in rejected
            }
            if refs:
                ctx.desired.invalid.setdefault(kind.section, []).append(
                    (
                        Item(key="", data=refs, path=path, line=line),
                        {name: safeyaml.line_of(raw, name) or line for name in refs},
                    )
                )
            continue
        key = kind.key_of(data)
        if key in seen:
            ctx.report.add(
                "duplicate",
                f"{kind.noun.capitalize()} {key!r} is already described at {seen[key]}; "
                "this one was skipped.",
                path=path,
                line=line,
                value=key,
            )
            continue
        seen[key] = path
        given = None
        if ctx.partial:
            names_given = frozenset(raw)
            given = givens.setdefault(names_given, names_given)
        items.append(Item(key=key, data=data, path=path, line=line, given=given))


def _refuse_new(
    ctx: Context,
    kind: Kind,
    kept_only: list[tuple[F, KeptOnly]],
    raw: dict[str, Any],
    data: dict[str, Any],
    path: str,
    line: int | None,
) -> bool:
    """Whether the item gives anew a value that may only stay (`KeptOnly`: a time zone
    such as EST): reported, unless the object the item names holds that very value."""
    try:
        current = ctx.existing_of(kind.section).get(kind.key_of(data))
    except (KeyError, TypeError):
        current = None  # its key is itself invalid (and reported)
    bad = False
    for f, exc in kept_only:
        if current is not None and current[1].get(f.name) == exc.value:
            continue  # stored before such values were refused: it keeps working
        ctx.report.add(
            "invalid_value",
            f"{f.name} {exc}; item skipped.",
            path=f"{path}.{f.name}",
            line=safeyaml.line_of(raw, f.name) or line,
            value=exc.value,
        )
        bad = True
    return bad


def _skip_key(ctx: Context, kind: Kind, data: dict[str, Any]) -> None:
    """Remember the key of an invalid item (when readable) so it is not taken as removed."""
    assert ctx.desired is not None
    try:
        key = kind.key_of({f: data[f] for f in kind.key_fields})
    except (KeyError, TypeError):
        ctx.desired.unkeyed.add(kind.section)
        return
    ctx.desired.skipped.setdefault(kind.section, set()).add(key)


def _missing_refs(
    ctx: Context, kind: Kind, item: Item, offered: dict[str, set[str]]
) -> list[tuple[F, Any]]:
    """Each reference of `item` (every field, every item of a list) that names nothing
    the file or the organization offers."""
    missing: list[tuple[F, Any]] = []
    for f in kind.fields:
        if not f.ref:
            continue
        value = item.data.get(f.name)
        if f.ref not in offered:
            offered[f.ref] = ctx.available(f.ref)
        available = offered[f.ref]
        for v in dict.fromkeys(value if isinstance(value, list) else [value]):
            if v is not None and str(v).lower() not in available:
                missing.append((f, v))
    return missing


def _missing_ref_text(ctx: Context, f: F, value: Any) -> str:
    noun = _noun(ctx.kinds, f.ref)
    if str(value).lower() in ctx.existing_of(f.ref):  # in the organization: the file drops it
        return (
            f"{f.name} refers to {noun} {value!r}, which this file removes (it is in the "
            f"organization but not in the file's {f.ref}: section); item skipped."
        )
    return (
        f"{f.name} refers to {noun} {value!r}, which is not among the "
        "file's valid items nor in the organization; item skipped."
    )


def check_refs(ctx: Context, kind: Kind) -> None:
    """Every reference names something that will exist; repeat until nothing changes, since
    skipping one item may break another's reference. Each reference an item gets wrong is
    reported (not only its first), and so are those of the items already skipped for their
    values (`Desired.invalid`, once), so one plan names every problem of an item."""
    assert ctx.desired is not None
    if not any(f.ref for f in kind.fields):
        return
    changed = True
    while changed:
        changed = False
        # The keys each section offers, once per pass (not once per item: that was quadratic
        # on large files); a skip in this pass is seen by the next one, which runs until
        # nothing changes.
        offered: dict[str, set[str]] = {}
        for item in list(ctx.desired.sections[kind.section]):
            for f, v in _missing_refs(ctx, kind, item, offered):
                ctx.skip(
                    kind.section,
                    item,
                    f"{item.path}.{f.name}",
                    v,
                    _missing_ref_text(ctx, f, v),
                    "missing_reference",
                )
                changed = True
    invalid = ctx.desired.invalid.pop(kind.section, [])
    if not invalid:
        return
    # Next to the item's other problems, in the order of the file.
    found: dict[str, list[Problem]] = {}
    offered = {}
    for item, lines in invalid:
        for f, v in _missing_refs(ctx, kind, item, offered):
            found.setdefault(item.path, []).append(
                Problem(
                    kind="missing_reference",
                    why=_missing_ref_text(ctx, f, v),
                    path=f"{item.path}.{f.name}",
                    line=lines.get(f.name),
                    value=short(v),
                )
            )
    if found:
        problems = ctx.report.problems
        last = {p.path.split(".", 1)[0]: n for n, p in enumerate(problems)}
        after = {last[path]: more for path, more in found.items() if path in last}
        merged: list[Problem] = []
        for n, p in enumerate(problems):
            merged.append(p)
            merged.extend(after.get(n, ()))
        merged.extend(p for path, more in found.items() if path not in last for p in more)
        problems[:] = merged


# --- planning ---------------------------------------------------------------------------


def diff(ctx: Context) -> list[Change]:
    assert ctx.desired is not None
    changes: list[Change] = []
    for kind in ctx.kinds:
        items = ctx.desired.sections.get(kind.section)
        if items is None:
            continue
        existing = ctx.existing_of(kind.section)
        wanted = set()
        for item in items:
            wanted.add(item.key)
            current = existing.get(item.key)
            if current is None:
                changes.append(
                    Change(
                        kind.section,
                        item.key,
                        "create",
                        Created(item.data),
                        item.path,
                        item.line,
                        kind.name_of(item.data),
                    )
                )
                continue
            auto = {f.name: f.default for f in kind.fields if f.auto}
            exported = {f.name for f in kind.fields if f.export_only}
            delta = {
                name: (current[1].get(name), value)
                for name, value in item.data.items()
                if current[1].get(name) != value
                and not (name in auto and value == auto[name])
                and name not in exported
            }
            if delta:
                changes.append(
                    Change(
                        kind.section,
                        item.key,
                        "update",
                        delta,
                        item.path,
                        item.line,
                        kind.name_of(item.data),
                    )
                )
        skipped = ctx.desired.skipped.get(kind.section, set())
        if not ctx.prune:
            continue
        if kind.section in ctx.desired.unkeyed:
            ctx.report.add(
                "removals_withheld",
                f"Some {kind.section} could not be read well enough to know which they are, so "
                f"no {kind.noun} is removed.",
                path=kind.section,
                action="ignored",
            )
            continue
        for key, (_obj, data) in existing.items():
            if key not in wanted and key not in skipped and kind.removable(key, data):
                changes.append(
                    Change(
                        kind.section,
                        key,
                        "remove",
                        kind.removal_fields(ctx, key, data),
                        kind.section,
                        None,
                        _name(kind, data),
                    )
                )
    for kind in ctx.kinds:
        kind.cascade(ctx, changes)
    return changes


# --- applying ---------------------------------------------------------------------------


def execute(ctx: Context, changes: list[Change]) -> None:
    """Write `changes` section by section. Objectives' roll-ups are refreshed once per
    transaction (before each commit and before the finishing steps), not after each write,
    and the writes' events are inserted together at the same moments. The services look up
    open positions and extra addresses once per transaction (`known`), not once per write."""
    from contextlib import nullcontext

    from accord.activity.services import batched
    from accord.alignment import rollups
    from accord.org import known

    remembering = known.remembering(ctx.org) if ctx.org is not None else nullcontext()
    with rollups.deferred(), batched(), remembering:
        _execute(ctx, changes)
        ctx.flush()


def _execute(ctx: Context, changes: list[Change]) -> None:
    by_section: dict[str, list[Change]] = {}
    for change in changes:
        by_section.setdefault(change.section, []).append(change)
    for kind in ctx.kinds:
        mine = by_section.get(kind.section, [])
        if kind.remove_first:
            kind.remove_all(ctx, [c for c in mine if c.action == "remove"])
        kind.upsert(ctx, [c for c in mine if c.action != "remove"])
    ctx.flush()
    for change, later in ctx.later:
        if change.key not in ctx.failed.get(change.section, set()):
            ctx.run(change, later, record=False)
    ctx.flush()
    for kind in ctx.kinds:
        kind.finish(ctx, [c for c in by_section.get(kind.section, []) if c.action != "remove"])
    for kind in reversed(ctx.kinds):
        mine = by_section.get(kind.section, [])
        if not kind.remove_first:
            kind.remove_all(ctx, [c for c in mine if c.action == "remove"])
