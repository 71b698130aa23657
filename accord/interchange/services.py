"""Plan, apply and export organization files. The CLI, the API and the upload page call these.

outcome = plan_file(source, org_slug="acme")             # changes nothing
outcome = apply_file(source, org_slug="acme", strict=True)
for chunk in export_yaml(org): ...                       # streams the same format
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db import transaction

from accord.core.errors import ServiceError
from accord.interchange import engine
from accord.interchange.engine import Aborted, Change, Context, Fatal, Kind, compact
from accord.interchange.report import Problem, Report
from accord.org.models import Organization


def all_kinds() -> list[Kind]:
    """Every section of the file, in the order they are applied."""
    from accord.interchange.kinds_org import people_kinds

    kinds = people_kinds()
    try:
        from accord.interchange.kinds_pillars import pillar_kinds
    except ImportError:  # pragma: no cover - pillars not installed
        return kinds
    return kinds + pillar_kinds()


@dataclass
class Outcome:
    org: Organization | None
    changes: list[Change] = field(default_factory=list)
    report: Report = field(default_factory=Report)
    applied: bool = False  # True when the changes are in the database
    fatal: Problem | None = None  # the file could not be used at all
    aborted: bool = False  # strict mode met a problem; nothing was written
    creates_org: bool = False
    notes: list[str] = field(default_factory=list)  # plan lines that are not problems

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.aborted

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, Counter] = {}
        for change in self.changes:
            out.setdefault(change.section, Counter())[change.action] += 1
        return {s: {a: c[a] for a in ("create", "update", "remove")} for s, c in out.items()}

    def as_json(self) -> dict[str, Any]:
        return {
            "organization": self.org.slug if self.org else None,
            "applied": self.applied,
            "aborted": self.aborted,
            "fatal": self.fatal.__dict__ if self.fatal else None,
            "creates_organization": self.creates_org,
            "notes": self.notes,
            "counts": self.counts(),
            "changes": [c.as_json() for c in self.changes],
            "report": self.report.as_json(),
        }

    def as_text(self, *, verbose: bool = True) -> str:
        lines: list[str] = []
        if self.fatal:
            lines.append(f"error: {self.fatal.as_text()}")
            lines.append("Nothing was changed.")
            return "\n".join(lines)
        if self.creates_org:
            lines.append("+ organization (created)")
        lines.extend(f"= {note}" for note in self.notes)
        if verbose:
            for c in self.changes:
                sign = {"create": "+", "update": "~", "remove": "-"}[c.action]
                detail = ""
                if c.action == "update":
                    detail = (
                        " ("
                        + ", ".join(f"{k}: {b!r} → {a!r}" for k, (b, a) in c.fields.items())
                        + ")"
                    )
                lines.append(f"{sign} {c.section} {c.key}{detail}")
        counts = self.counts()
        if counts:
            for section, n in counts.items():
                lines.append(
                    f"{section}: {n['create']} to create, {n['update']} to change, "
                    f"{n['remove']} to remove"
                )
        else:
            lines.append("No changes.")
        if self.report:
            lines.append("")
            lines.append("Problems:")
            lines.append(self.report.as_text())
        if self.aborted:
            lines.append("Strict mode: aborted on the problems above; nothing was changed.")
        elif self.applied:
            lines.append("Applied.")
        else:
            lines.append("Plan only: nothing was changed.")
        return "\n".join(lines)


def _run(
    source: bytes | str | None,
    *,
    org: Organization | None,
    org_slug: str,
    strict: bool,
    dry_run: bool,
    kinds: list[Kind] | None = None,
    data: dict[str, Any] | None = None,
    prune: bool = True,
    report: Report | None = None,
    actor=None,
) -> Outcome:
    kinds = kinds or all_kinds()
    if org is None and org_slug:
        org = Organization.objects.filter(slug=org_slug).first()
    ctx = Context(org, kinds, strict=strict, prune=prune, actor=actor)
    if report is not None:
        ctx.report.extend(report.problems)
        ctx.report.summary = report.summary
    try:
        if data is None:
            data = engine.parse(source or "")
        desired = engine.read(ctx, data)
    except Fatal as exc:
        return Outcome(org, fatal=exc.problem, report=ctx.report)
    slug = org_slug or desired.organization.get("slug", "")
    if org is None and not slug:
        ctx.report.add("no_organization", "Say which organization (--org SLUG).", path="")
        return Outcome(None, report=ctx.report, aborted=True)
    outcome = Outcome(org, report=ctx.report, creates_org=org is None, notes=ctx.notes)
    if strict and ctx.report:
        outcome.aborted = True
        return outcome
    changes = engine.diff(ctx)
    try:
        with transaction.atomic():
            if ctx.org is None:
                from accord.org.services import create_organization

                ctx.org = create_organization(desired.organization.get("name") or slug, slug)
                outcome.org = ctx.org
            engine.execute(ctx, changes)
            if dry_run:
                raise engine._DryRun
    except Aborted:
        outcome.aborted = True
        outcome.changes = []
        if outcome.creates_org:
            outcome.org = None
        return outcome
    except engine._DryRun:
        if outcome.creates_org:
            outcome.org = None
    outcome.changes = ctx.done
    outcome.applied = not dry_run
    return outcome


def apply_data(
    data: dict[str, Any],
    *,
    org_slug: str,
    strict: bool = False,
    dry_run: bool = False,
    prune: bool = False,
    report: Report | None = None,
    actor=None,
) -> Outcome:
    """Apply an already-built organization document (importers); `report` holds what the
    importer found before, so strict mode also aborts on it. Without `prune`, nothing
    missing from `data` is removed."""
    return _run(
        None,
        org=None,
        org_slug=org_slug,
        strict=strict,
        dry_run=dry_run,
        data=data,
        prune=prune,
        report=report,
        actor=actor,
    )


def plan_file(
    source: bytes | str,
    *,
    org: Organization | None = None,
    org_slug: str = "",
    strict=False,
    actor=None,
) -> Outcome:
    """What applying `source` would do, found by applying it and rolling back. `actor`, the
    admin applying it (None from the command line), is never deactivated or demoted."""
    return _run(source, org=org, org_slug=org_slug, strict=strict, dry_run=True, actor=actor)


def apply_file(
    source: bytes | str,
    *,
    org: Organization | None = None,
    org_slug: str = "",
    strict=False,
    actor=None,
) -> Outcome:
    """Apply `source` in one transaction; a strict run with any problem changes nothing."""
    return _run(source, org=org, org_slug=org_slug, strict=strict, dry_run=False, actor=actor)


# --- export -----------------------------------------------------------------------------

HEADER = (
    "# Accord organization file (format 1). Apply with `accord apply FILE --org SLUG`.\n"
    "# Sections present in this file are authoritative: what they omit would be removed.\n"
)


def _dump(value: Any) -> str:
    return yaml.safe_dump(value, sort_keys=False, allow_unicode=True, width=100)


def export_yaml(org: Organization, kinds: list[Kind] | None = None) -> Iterator[str]:
    """The organization in the file format, as a stream of text chunks (one per item)."""
    yield HEADER
    yield _dump({"accord": engine.FORMAT_VERSION})
    yield _dump({"organization": {"name": org.name, "slug": org.slug}})
    for kind in kinds or all_kinds():
        first = True
        for data in kind.export_items(org):
            if first:
                yield f"{kind.section}:\n"
                first = False
            yield _dump([compact(kind, data)])
        if first:
            yield f"{kind.section}: []\n"


def export_text(org: Organization) -> str:
    return "".join(export_yaml(org))


# --- the JSON Schema --------------------------------------------------------------------


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the organization file, generated from the same field tables the
    validator reads (accord/interchange/schema/org.schema.json is this, committed)."""
    from accord.interchange.fields import json_schema_of

    sections: dict[str, Any] = {}
    for kind in all_kinds():
        sections[kind.section] = {
            "description": kind.title,
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [f.name for f in kind.fields if f.required],
                "properties": {f.name: json_schema_of(f) for f in kind.fields},
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://accord.example/schema/org.schema.json",
        "title": "Accord organization file",
        "description": "Teams, people and their work, as one YAML file. See docs/org-format.md.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "accord": {"const": engine.FORMAT_VERSION, "description": "Format version."},
            "organization": {
                "type": "object",
                "additionalProperties": False,
                "properties": {"name": {"type": "string"}, "slug": {"type": "string"}},
            },
            **sections,
        },
    }


# --- stable keys -------------------------------------------------------------------------


def register_key(org: Organization, section: str, key: str, obj: Any) -> None:
    """Remember that `key` names `obj` in files and imports. Called in the transaction that
    created `obj` (whose own event records the creation); the key is bookkeeping of this app,
    so it records no event of its own."""
    from accord.interchange.models import ExternalKey

    if obj.org_id != org.id:
        raise ServiceError("The object belongs to another organization.")
    # A key left behind by an object deleted since is taken over by the new one.
    ExternalKey.objects.update_or_create(
        org=org, section=section, key=key, defaults={"object_id": obj.pk}
    )


# --- who may, and one person's own data ---------------------------------------------------


def require_admin(actor, action: str) -> None:
    """Files and imports change people and roles, so only admins apply, plan or export them."""
    from accord.org.models import Role
    from accord.org.permissions import require_role

    require_role(actor, Role.ADMIN, action)


def export_person(person) -> Iterator[str]:
    """Everything Accord holds about one person, in the file format (their own export)."""
    org = person.org
    email = (person.email or "").lower()
    yield "# Accord: the data of one person, in the organization-file format.\n"
    yield _dump({"accord": engine.FORMAT_VERSION})
    yield _dump({"organization": {"name": org.name, "slug": org.slug}})
    people_fields = ("email", "owner", "approver", "driver", "person")
    list_fields = ("contributors", "informed")
    for kind in all_kinds():
        if kind.section in ("teams", "periods"):
            continue
        mine = [
            compact(kind, data)
            for data in kind.export_items(org)
            if any(str(data.get(f) or "").lower() == email for f in people_fields)
            or any(email in [str(v).lower() for v in data.get(f) or []] for f in list_fields)
        ]
        if mine:
            yield _dump({kind.section: mine})
