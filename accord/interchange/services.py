"""Plan, apply and export organization files. The CLI, the API and the upload page call these.

outcome = plan_file(source, org_slug="acme")             # changes nothing
outcome = apply_file(source, org_slug="acme", strict=True)
for chunk in export_yaml(org): ...                       # streams the same format
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import logging
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accord.activity.services import recorded_as
from accord.core.errors import ServiceError
from accord.interchange import engine
from accord.interchange.engine import Aborted, Change, Context, Fatal, Kind, compact
from accord.interchange.report import Problem, Report, short
from accord.org.models import LEADING_ROLES, ROLE_RANK, Organization

log = logging.getLogger("accord.interchange")


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
    aborted: bool = False  # strict mode met a problem (or no organization); nothing written
    strict: bool = False
    creates_org: bool = False
    notes: list[str] = field(default_factory=list)  # plan lines that are not problems
    # Why nothing was applied, when it is not the problems of strict mode: a section that
    # cannot be applied (the file is refused whole), or removals not confirmed.
    stopped: str = ""
    # The apply was refused because it takes away a large share of a kind of item and that
    # was not confirmed (`allow_removals`), or a CSV's column looks like a known one misspelt
    # and ignoring it was not (`allow_ignored_columns`); `changes` are then the plan's, none
    # written.
    unconfirmed: bool = False
    # A CSV's columns its section does not have, as its header writes them (ignored), and
    # those of them that look like a known column misspelt -> that column ("Emial": email).
    ignored_columns: list[str] = field(default_factory=list)
    near_misses: dict[str, str] = field(default_factory=dict)
    # The section a CSV was read as (or, refused, the one whose template would help); "".
    csv_section: str = ""
    # section -> how many of its items the organization holds (that a file could remove),
    # for the sections the plan removes from: what "29 of the 30 people" counts against.
    held: dict[str, int] = field(default_factory=dict)
    # The first `oddities` problems of the report are the source data's own oddities, found
    # by an importer before Accord saw an item (the Kubernetes data's: a meeting whose time
    # cannot be read, a group that does not exist): what it leaves out by design, reported,
    # not items Accord refused (`skipped`).
    oddities: int = 0

    @property
    def ok(self) -> bool:
        return self.fatal is None and not self.aborted

    def attention(self) -> list[tuple[Change, list[str]]]:
        """The changes a reader should not miss among many, each with what it does: first
        what is removed (someone deactivated, a term ended, a team removed), then updates
        that take something away: a role lowered, a field emptied, links dropped (see
        `_losses`)."""
        order = {section: n for n, section in enumerate(_removal_verbs())}
        removals = sorted(
            ((c, [_removal_words(c)]) for c in self.changes if c.action == "remove"),
            key=lambda pair: order.get(pair[0].section, len(order)),
        )
        updates = [
            (c, losses) for c in self.changes if c.action == "update" and (losses := _losses(c))
        ]
        return removals + updates

    def removals(self) -> list[dict[str, Any]]:
        """Per section the plan removes from, in the order of the file's sections: how many
        it removes (`removed`), of how many (`of`), with what verb (deactivate, remove), and
        whether that is a large removal that must be confirmed (`large`)."""
        counted = Counter(c.section for c in self.changes if c.action == "remove")
        verbs = _removal_verbs()
        order = {section: n for n, section in enumerate(verbs)}
        out = []
        for section in sorted(counted, key=lambda s: order.get(s, len(order))):
            removed = counted[section]
            held = max(self.held.get(section, removed), removed)
            out.append(
                {
                    "section": section,
                    "removed": removed,
                    "of": held,
                    "verb": verbs.get(section, "remove"),
                    "large": is_large_removal(removed, held),
                }
            )
        return out

    def large_removals(self) -> list[dict[str, Any]]:
        """The removals that must be confirmed before the plan is applied (see
        `is_large_removal`)."""
        return [r for r in self.removals() if r["large"]]

    @property
    def removal_summary(self) -> str:
        """Every removal of the plan, per section: "deactivate 2 of the 30 people"."""
        return self.removal_text(large=False) if self.removals() else ""

    @property
    def confirm_text(self) -> str:
        """What confirming a large removal agrees to: "deactivates 29 of the 30 people"."""
        return self.removal_text(third_person=True) if self.large_removals() else ""

    def removal_text(self, *, large: bool = True, third_person: bool = False) -> str:
        """ "deactivate 29 of the 30 people and remove 27 of the 27 memberships" (or, with
        `third_person`, "deactivates … removes …")."""
        parts = [
            f"{r['verb']}{'s' if third_person else ''} {r['removed']:,} of the {r['of']:,} "
            f"{r['section'].replace('_', ' ')}"
            for r in (self.large_removals() if large else self.removals())
        ]
        return _and(parts)

    def near_miss_text(self) -> str:
        """ "the column 'Emial' looks like email misspelt, and would be ignored" """
        if not self.near_misses:
            return ""
        cells = _and([repr(c) for c in self.near_misses])
        meant = _and(list(self.near_misses.values()))
        if len(self.near_misses) == 1:
            return f"the column {cells} looks like {meant} misspelt, and would be ignored"
        return f"the columns {cells} look like {meant} misspelt, and would be ignored"

    @property
    def rename_advice(self) -> str:
        """What the plan asks of columns that look misspelt, naming each: "Rename 'Titel' to
        'title' in the file, or confirm below that it is meant to be ignored. The other
        column is ignored." (empty when none looks misspelt)."""
        near = self.near_misses
        if not near:
            return ""
        renames = _and([f"{cell!r} to {meant!r}" for cell, meant in near.items()])
        many = len(near) > 1
        text = (
            f"Rename {renames} in the file, or confirm below that "
            f"{'they are' if many else 'it is'} meant to be ignored."
        )
        others = len(self.ignored_columns) - len(near)
        if others > 0:
            text += f" The other column{'s are' if others > 1 else ' is'} ignored."
        return text

    @property
    def columns_confirm_text(self) -> str:
        """What confirming agrees to: "the columns Emial and team_slug are ignored, not read
        as email and team" (empty when there is nothing to confirm)."""
        if not self.near_misses or self.applied:
            return ""
        many = len(self.near_misses) > 1
        return (
            f"the column{'s' if many else ''} {_and(list(self.near_misses))} "
            f"{'are' if many else 'is'} ignored, not read as "
            f"{_and(list(self.near_misses.values()))}"
        )

    def skipped(self) -> int:
        """How many items (a CSV's rows) were skipped for their problems (action
        "skipped"): each counted once, however many problems it has. An importer's
        oddities of its data (`oddities`) are not counted: see `not_taken`."""
        return self._count_skipped(self.report.problems[self.oddities :])

    def not_taken(self) -> int:
        """How many things of the source data an importer left out for its oddities."""
        return self._count_skipped(self.report.problems[: self.oddities])

    def not_taken_text(self) -> str:
        """ "50 items (unknown_group 20, meeting_time 5, …)", or "" """
        n = self.not_taken()
        if not n:
            return ""
        kinds = Counter(
            p.kind for p in self.report.problems[: self.oddities] if p.action == "skipped"
        )
        top = ", ".join(f"{k} {c}" for k, c in kinds.most_common(4))
        more = ", …" if len(kinds) > 4 else ""
        return f"{n:,} item{'' if n == 1 else 's'} ({top}{more})"

    def _count_skipped(self, problems: list[Problem]) -> int:
        seen = set()
        for p in problems:
            if p.action != "skipped":
                continue
            if self.csv_section and p.line:  # a row (a people CSV's makes a membership too)
                seen.add((p.file, p.line))
                continue
            item = re.match(r"[^.\[]+\[\d+\]", p.path)  # "people[1]" of "people[1].role"
            seen.add((p.file, item.group(0)) if item else (p.file, p.path, p.line, p.value))
        return len(seen)

    def skipped_text(self) -> str:
        """ "4 rows" (of a CSV) or "1 item" (of an organization file) skipped, or ""."""
        n = self.skipped()
        if not n:
            return ""
        noun = "row" if self.csv_section else "item"
        return f"{n:,} {noun}{'' if n == 1 else 's'}"

    @property
    def partly(self) -> bool:
        """Applied, but with items (rows) skipped for their problems: the rest is written."""
        return self.applied and self.skipped() > 0

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, Counter] = {}
        for change in self.changes:
            out.setdefault(change.section, Counter())[change.action] += 1
        return {s: {a: c[a] for a in ("create", "update", "remove")} for s, c in out.items()}

    def as_json(self) -> dict[str, Any]:
        return {
            "organization": self.org.slug if self.org else None,
            "applied": self.applied,
            "skipped": self.skipped(),  # items (a CSV's rows) skipped for their problems
            "aborted": self.aborted,
            "fatal": self.fatal.__dict__ if self.fatal else None,
            "creates_organization": self.creates_org,
            "notes": self.notes,
            "stopped": self.stopped,
            "unconfirmed": self.unconfirmed,
            "ignored_columns": self.ignored_columns,
            "near_misses": self.near_misses,
            "csv_section": self.csv_section,
            "held": self.held,
            "oddities": self.oddities,
            "not_taken": self.not_taken(),
            "large_removals": [
                {k: r[k] for k in ("section", "removed", "of", "verb")}
                for r in self.large_removals()
            ],
            "counts": self.counts(),
            "changes": [c.as_json() for c in self.changes],
            "report": self.report.as_json(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Outcome:
        """The outcome `as_json` described (a background job's result), to show it again."""
        report = Report(
            problems=[Problem(**p) for p in data["report"]["problems"]],
            summary=data["report"].get("summary") or {},
        )
        changes = [
            Change(
                c["section"],
                c["key"],
                c["action"],
                {k: (v["before"], v["after"]) for k, v in c["fields"].items()},
                name=c.get("name") or "",
            )
            for c in data["changes"]
        ]
        return cls(
            None,
            changes=changes,
            report=report,
            applied=data["applied"],
            fatal=Problem(**data["fatal"]) if data.get("fatal") else None,
            aborted=data["aborted"],
            creates_org=data["creates_organization"],
            notes=list(data.get("notes") or []),
            stopped=data.get("stopped") or "",
            unconfirmed=bool(data.get("unconfirmed")),
            ignored_columns=list(data.get("ignored_columns") or []),
            near_misses=dict(data.get("near_misses") or {}),
            csv_section=data.get("csv_section") or "",
            held=dict(data.get("held") or {}),
            oddities=int(data.get("oddities") or 0),
        )

    def as_text(self, *, verbose: bool = True) -> str:
        lines: list[str] = []
        if self.fatal:
            lines.append(f"error: {self.fatal.as_text()}")
            lines.append("Nothing was changed.")
            return "\n".join(lines)
        counts = self.counts()
        done = self.applied or (self.aborted and self.changes and not self.unconfirmed)
        if self.creates_org:
            # A strict apply that stopped wrote nothing: it says what it would have done.
            would = "would have been created" if self.aborted else "to create"
            lines.append(f"+ organization ({'created' if done else would})")
        lines.extend(f"= {note}" for note in self.notes)
        if verbose:
            for c in self.changes:
                sign = {"create": "+", "update": "~", "remove": "-"}[c.action]
                detail = ""
                if c.action == "update":
                    detail = (
                        " ("
                        + ", ".join(
                            f"{k}: {_shown(b)} → {_shown(a)}" for k, (b, a) in c.fields.items()
                        )
                        + ")"
                    )
                elif c.action == "remove" and c.fields:
                    detail = f" ({_removal_words(c)})"
                lines.append(f"{sign} {c.section} {c.name or c.key}{detail}")
        if not done and self.removals():
            lines.append(f"Check before applying: this would {self.removal_text(large=False)}.")
        for section, n in counts.items():
            if done:
                lines.append(
                    f"{section}: {n['create']} created, {n['update']} changed, "
                    f"{n['remove']} removed"
                )
            else:
                lines.append(
                    f"{section}: {n['create']} to create, {n['update']} to change, "
                    f"{n['remove']} to remove"
                )
        skipped = self.skipped_text()
        if not counts and not self.aborted and not (self.applied and skipped):
            lines.append("No changes.")
        if self.report:
            lines.append("")
            lines.append("Problems:")
            lines.append(self.report.as_text())
        if self.stopped:
            lines.append(self.stopped)
        elif self.aborted and self.changes:
            lines.append("Strict mode stopped part-way: the changes listed above were written.")
        elif self.aborted:
            lines.append(
                f"{'Strict mode: aborted' if self.strict else 'Aborted'} on the problems above; "
                "nothing was changed."
            )
        elif self.applied and skipped and self.changes:
            made = len(self.changes)
            lines.append(
                f"Partly applied: {made:,} change{'' if made == 1 else 's'} made, "
                f"{skipped} skipped for the problems above."
            )
        elif self.applied and skipped:
            lines.append(f"Nothing was applied: {skipped} skipped for the problems above.")
        elif self.applied and self.oddities and not self.changes:
            lines.append("Up to date: the organization already holds this data; nothing changed.")
        elif self.applied:
            lines.append("Applied.")
        elif skipped and not self.unconfirmed:
            lines.append(
                f"Plan only: nothing was changed. Applying it would skip {skipped} for the "
                "problems above."
            )
        else:
            lines.append("Plan only: nothing was changed.")
        not_taken = self.not_taken_text()
        if not_taken and not self.aborted:
            lines.append(
                f"Not taken from the data, by design (its oddities, listed above): {not_taken}."
            )
        return "\n".join(lines)


# A plan that takes away more than this many items of one section, or more than half of
# the section's items (two or more), is applied only when that is confirmed: `accord apply
# --allow-removals`, the page's checkbox, the API's `allow_removals=true`. A file that
# leaves out most of a section by mistake (a "new hires" file with a people section) would
# otherwise deactivate everyone it does not name.
CONFIRM_OVER = 20


def _and(words: list[str]) -> str:
    """ "a", "a and b", "a, b and c" """
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def is_large_removal(removed: int, held: int) -> bool:
    """Whether removing `removed` of the `held` items of a section must be confirmed."""
    return removed > CONFIRM_OVER or (removed >= 2 and 2 * removed > held)


@functools.cache
def _removal_verbs() -> dict[str, str]:
    """section -> what leaving one of its items out does: deactivate (people, cadences)
    or remove; in the order the sections are applied."""
    return {kind.section: kind.removal_verb for kind in all_kinds()}


def _shown(value: Any) -> str:
    """A value of a change as the plan prints it: a long text cut as the problems cut it
    (a description of 20,000 characters is not printed whole)."""
    if isinstance(value, str) and value != short(value):
        return repr(short(value))
    return repr(value)


def _removal_words(change: Change) -> str:
    """What a removal does to its object, as the plan's "Check before applying" says it."""
    if change.section == "memberships" and "ended_on" in change.fields:
        return f"term ends {change.fields['ended_on'][1]}, kept as a past term"
    verb = _removal_verbs().get(change.section, "remove")
    return f"{verb}d"


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _losses(change: Change) -> list[str]:
    """What an update takes away, in words: a lower organization role, a team's leading
    role given up, a person deactivated, a field emptied or list entries dropped."""
    out = []
    for name, (before, after) in change.fields.items():
        if name == "role" and change.section == "people":
            if ROLE_RANK.get(after, 0) < ROLE_RANK.get(before, 0):
                out.append(f"role lowered from {before} to {after}")
        elif name == "role" and change.section == "memberships":
            if before in LEADING_ROLES and after not in LEADING_ROLES:
                out.append(f"no longer {before} (now {after})")
        elif name == "active" and before is True and after is False:
            out.append("deactivated")
        elif name == "state" and change.section == "teams" and after == "retired":
            out.append("retired")
        elif name == "allocation" and after is None and before is not None:
            out.append(f"allocation now unknown (was {before}%)")
        elif _empty(after) and not _empty(before):
            out.append(f"{name} cleared")
        elif isinstance(before, list) and isinstance(after, list):
            dropped = len({str(v).lower() for v in before} - {str(v).lower() for v in after})
            if dropped:
                out.append(f"{dropped} of its {name} dropped")
    return out


# A file larger than this is "large": planned without trial writes (which would hold the
# database's write lock for as long as they take) and applied in short transactions.
# Smaller files are planned by applying and rolling back, and applied in one transaction.
LARGE_BYTES = 64 * 1024
# The page and the API run a file larger than this as a background job (`accord worker`);
# smaller ones are planned or applied in the request.
JOB_BYTES = 256 * 1024
# An apply commits its writes in transactions of about this many seconds, so other writers
# never wait longer than that for SQLite's write lock.
CHUNK_SECONDS = 0.5
UNTRIED = (
    "Large file: this plan compares the file with the organization without trying the "
    "writes; a change the database refuses while writing (e.g. removing a team still in "
    "use) is reported when the file is applied."
)


def is_large(source: bytes | str | None) -> bool:
    return source is not None and len(source) > LARGE_BYTES


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
    partial: bool = False,
    report: Report | None = None,
    actor=None,
    trial: bool = True,
    chunked: bool = False,
    progress: engine.Progress | None = None,
    name: str = "",
    source_format: str = "organization file",
    allow_removals: bool = False,
    keep_admins: bool = False,
    baseline: str = "",
    oddities: bool = False,
) -> Outcome:
    """Read and validate everything, plan, then (unless `dry_run`) write: in one
    transaction, or in short ones when `chunked`. A plan tries the writes and rolls them
    back when `trial`; otherwise it only compares. `progress(done, total, phase)` hears how
    far it got. With `partial`, an item's fields left out keep their values (Context.partial).
    The writes' events name `actor` (the admin applying it; None: Accord), and an apply that
    changed something records one event of the import itself (`name`, `source_format`).
    Nothing is written when a section cannot be applied at all (the file is refused whole),
    nor when the plan takes away a large share of a section (`is_large_removal`) and
    `allow_removals` does not confirm it. With `keep_admins` (an importer's data, which
    knows nothing of Accord's roles), no admin is given a lower role. With `baseline` (the
    name of an importer run again and again), a field changed in Accord since that
    importer's last apply keeps Accord's value unless the data changed it too
    (`_three_way`), and the apply records what the data said, for the next time. With
    `oddities`, `report`'s problems are the source data's own oddities (Outcome.oddities),
    and a certain correction among them (action corrected) does not stop strict mode."""
    kinds = kinds or all_kinds()
    if org is None and org_slug:
        org = Organization.objects.filter(slug=org_slug).first()
    ctx = Context(org, kinds, strict=strict, prune=prune, partial=partial, actor=actor)
    ctx.org_from_file = org is None and not org_slug
    ctx.progress = progress
    ctx.keep_admins = keep_admins
    if report is not None:
        ctx.report.extend(report.problems)
        ctx.report.summary = report.summary
    try:
        ctx.tell("reading")
        if data is None:  # a file: read and validated one item at a time
            desired = engine.read_source(ctx, source or "")
        else:
            desired = engine.read(ctx, data)
    except Fatal as exc:
        return Outcome(org, fatal=exc.problem, report=ctx.report)
    org = ctx.org
    slug = org_slug or desired.organization.get("slug", "")
    if org is None and not slug:
        ctx.report.add("no_organization", "Say which organization (--org SLUG).", path="")
        return Outcome(None, report=ctx.report, aborted=True, strict=strict)
    outcome = Outcome(
        org, report=ctx.report, creates_org=org is None, notes=ctx.notes, strict=strict
    )
    if oddities and report is not None:
        outcome.oddities = len(report.problems)

    def stops_strict() -> bool:
        """Any problem stops strict mode, but a certain correction of the data's own."""
        return any(
            p.action != "corrected" or n >= outcome.oddities
            for n, p in enumerate(ctx.report.problems)
        )

    if ctx.refused:  # a section that cannot be applied: the others depend on it
        outcome.aborted = True
        outcome.stopped = _refused_text(ctx.refused)
        _nothing_skipped(ctx.report)
        return outcome
    if strict and stops_strict():
        outcome.aborted = True
        _nothing_skipped(ctx.report)
        return outcome
    ctx.tell("planning")
    changes = engine.diff(ctx)
    if baseline and ctx.org is not None:
        changes = _three_way(ctx, changes, baseline, source_format)
    ctx.total = len(changes)
    outcome.held = _held(ctx, changes)
    if strict and stops_strict():  # planning found more (e.g. a team still in use)
        outcome.aborted = True
        _nothing_skipped(ctx.report)
        return outcome
    outcome.changes = changes
    if not dry_run and not allow_removals and outcome.large_removals():
        outcome.aborted = outcome.unconfirmed = True
        outcome.stopped = (
            f"Not applied: this file would {outcome.removal_text()}. A file that takes away "
            f"more than half of a kind of item, or more than {CONFIRM_OVER}, is applied only "
            "once that is confirmed. Nothing was changed."
        )
        return outcome
    if dry_run and not trial:
        outcome.changes = changes
        if changes:
            ctx.notes.append(UNTRIED)
        ctx.tell("planned")
        return outcome
    # A plan's trial writes are one transaction, rolled back; a large apply commits in chunks.
    chunks = engine.Chunks(CHUNK_SECONDS) if chunked and not dry_run else None
    ctx.chunks = chunks
    try:
        with chunks or transaction.atomic():
            if ctx.org is None:
                ctx.org = _create_organization(ctx, desired.organization.get("name") or slug, slug)
                outcome.org = ctx.org
            with recorded_as(ctx.actor) as recorded:
                engine.execute(ctx, changes)
            if dry_run:
                raise engine._DryRun
            if baseline:
                _save_baseline(ctx, baseline)
            if recorded.count:  # something changed (a write that changes nothing records none)
                _record_import(ctx, name or "upload.yaml", source_format)
            ctx.tell("written")
    except Aborted:
        outcome.aborted = True
        _nothing_skipped(ctx.report)
        if chunks is not None and chunks.commits:
            outcome.changes = ctx.done
            ctx.notes.append(
                f"Strict mode stopped the apply at a change the database refused; the "
                f"{len(ctx.done)} change(s) before it were written. Fix the problem and apply "
                "the file again: what is already applied is not repeated."
            )
        else:
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


def _plain(value: Any) -> Any:
    """A field's value as JSON stores it (a date as its ISO text), to compare with a
    baseline's."""
    return json.loads(json.dumps(value, default=str))


def _three_way(
    ctx: Context, changes: list[Change], source: str, source_format: str
) -> list[Change]:
    """Of each field an update would change, compare Accord's value with what the data
    said at the last import (`ImportBaseline`): when Accord's differs, someone changed it
    in Accord since. If the data still says what it said then, Accord's value is kept (and
    the plan says so); if the data changed too, the data's value is written and the plan
    says it overwrites a change made in Accord. Without a baseline (a first import, or
    one from before baselines), the data's value is written."""
    from accord.interchange.models import Import, ImportBaseline

    found = ImportBaseline.objects.filter(org=ctx.org, source=source).first()
    if found is None:
        updates = any(c.action == "update" for c in changes)
        if updates and Import.objects.filter(org=ctx.org, format=source_format).exists():
            ctx.notes.append(
                "No record of what the last import wrote (it was made by an older Accord): "
                "this import writes the data's values, even over changes made in Accord "
                "since; from now on such changes are kept unless the data changes too."
            )
        return changes
    base = found.values
    kept, overwritten, out = [], [], []
    for change in changes:
        last = base.get(change.section, {}).get(change.key) if change.action == "update" else None
        if last is None:
            out.append(change)
            continue
        fields = dict(change.fields)
        for name, (before, after) in change.fields.items():
            if name not in last or _plain(before) == last[name]:
                continue  # not changed in Accord since the last import
            what = f"{change.section} {change.name or change.key} {name}"
            if _plain(after) == last[name]:
                del fields[name]
                kept.append(f"{what} {_shown(before)} (the data still says {_shown(after)})")
            else:
                overwritten.append(f"{what} {_shown(before)} → {_shown(after)}")
        if fields:
            out.append(dataclasses.replace(change, fields=fields))
    for line in kept:
        ctx.notes.append(f"kept, changed in Accord since the last import: {line}")
    for line in overwritten:
        ctx.notes.append(
            f"overwrites a change made in Accord since the last import (the data changed "
            f"too): {line}"
        )
    return out


def _save_baseline(ctx: Context, source: str) -> None:
    """What the data said, item by item, for the next import's `_three_way` (an item
    whose write was refused keeps what the data said before)."""
    from accord.interchange.models import ImportBaseline

    assert ctx.desired is not None and ctx.org is not None
    found = ImportBaseline.objects.filter(org=ctx.org, source=source).first()
    old = found.values if found else {}
    values: dict[str, dict[str, Any]] = {}
    for section, items in ctx.desired.sections.items():
        failed = ctx.failed.get(section, set())
        mine = values[section] = {}
        for item in items:
            if item.key in failed:
                if item.key in old.get(section, {}):
                    mine[item.key] = old[section][item.key]
                continue
            mine[item.key] = _plain(item.data)
    ImportBaseline.objects.update_or_create(org=ctx.org, source=source, defaults={"values": values})


def _refused_text(refused: dict[str, str]) -> str:
    sections = ", ".join(refused)
    kinds = ", ".join(sorted(set(refused.values())))
    return (
        f"The {sections} section{'s' if len(refused) > 1 else ''} cannot be applied ({kinds}, "
        "above), and the rest of the file depends on it: a file is applied whole or not at "
        "all. Nothing was changed."
    )


def _held(ctx: Context, changes: list[Change]) -> dict[str, int]:
    """How many items the organization holds (that a file could remove) in each section
    the plan removes from."""
    sections = {c.section for c in changes if c.action == "remove"}
    out = {}
    for kind in ctx.kinds:
        if kind.section in sections:
            existing = ctx.existing_of(kind.section)
            out[kind.section] = sum(1 for k, (_o, d) in existing.items() if kind.removable(k, d))
    return out


def _record_import(ctx: Context, name: str, source_format: str) -> None:
    """The import's own event, in the transaction of its (last) writes: who applied which
    file and how many objects it created, updated and removed."""
    from accord.activity.services import record
    from accord.interchange.models import Import

    if not ctx.done or ctx.org is None:
        return
    actions = Counter(change.action for change in ctx.done)
    counts = {
        "created": actions["create"],
        "updated": actions["update"],
        "removed": actions["remove"],
    }
    made = Import.objects.create(
        org=ctx.org, actor=ctx.actor, name=name[:200], format=source_format[:40], counts=counts
    )
    record(
        ctx.org,
        ctx.actor,
        "applied",
        made,
        after={"file": made.name, "format": made.format, **counts},
    )


def _create_organization(ctx: Context, name: str, slug: str) -> Organization:
    """The organization a file creates; one that cannot be created (its address malformed)
    aborts the run, with the reason as the file's problem."""
    from accord.org.services import create_organization

    try:
        return create_organization(name, slug)
    except ServiceError as exc:
        ctx.report.add("organization", str(exc), path="organization")
        raise Aborted from None


_SKIPPED = re.compile(r"(?:[;.,]?\s*(?:[Ii]tem|[Ss]ection) skipped|;\s*this one was skipped)\.?$")


def _nothing_skipped(report: Report) -> None:
    """Strict mode aborted: no item was skipped, the whole file was refused. The problems
    say what is wrong, not "item skipped", and are marked refused."""
    report.problems = [
        dataclasses.replace(
            p,
            why=_SKIPPED.sub(".", p.why),
            action="refused" if p.action == "skipped" else p.action,
        )
        for p in report.problems
    ]


def apply_data(
    data: dict[str, Any],
    *,
    org_slug: str,
    strict: bool = False,
    dry_run: bool = False,
    prune: bool = False,
    partial: bool = False,
    report: Report | None = None,
    actor=None,
    trial: bool = True,
    chunked: bool = False,
    progress: engine.Progress | None = None,
    name: str = "",
    source_format: str = "organization file",
    allow_removals: bool = False,
    keep_admins: bool = False,
    baseline: str = "",
    oddities: bool = False,
) -> Outcome:
    """Apply an already-built organization document (importers); `report` holds what the
    importer found before, so strict mode also aborts on it. Without `prune`, nothing
    missing from `data` is removed. With `partial` (a CSV), a field an item leaves out
    keeps the value the existing object has, instead of taking its default. A dry run
    without `trial` only compares. `keep_admins`, `baseline` and `oddities`: see `_run`."""
    return _run(
        None,
        org=None,
        org_slug=org_slug,
        strict=strict,
        dry_run=dry_run,
        data=data,
        prune=prune,
        partial=partial,
        report=report,
        actor=actor,
        trial=trial,
        chunked=chunked,
        progress=progress,
        name=name,
        source_format=source_format,
        allow_removals=allow_removals,
        keep_admins=keep_admins,
        baseline=baseline,
        oddities=oddities,
    )


def plan_file(
    source: bytes | str,
    *,
    org: Organization | None = None,
    org_slug: str = "",
    strict=False,
    actor=None,
    progress: engine.Progress | None = None,
) -> Outcome:
    """What applying `source` would do, found by applying it and rolling back (a large file
    is only compared, see LARGE_BYTES). `actor`, the admin applying it (None from the
    command line), is never deactivated or demoted."""
    return _run(
        source,
        org=org,
        org_slug=org_slug,
        strict=strict,
        dry_run=True,
        actor=actor,
        trial=not is_large(source),
        progress=progress,
    )


def apply_file(
    source: bytes | str,
    *,
    org: Organization | None = None,
    org_slug: str = "",
    strict=False,
    actor=None,
    progress: engine.Progress | None = None,
    name: str = "",
    allow_removals: bool = False,
) -> Outcome:
    """Validate `source`, then write it: in one transaction, or for a large file in short
    ones (CHUNK_SECONDS each) so other writers are not held up. A file with a problem in
    strict mode writes nothing, nor does one with a section that cannot be applied, nor
    one taking away a large share of a section (`is_large_removal`) unless
    `allow_removals`; a large apply cut short is finished by applying the file again."""
    return _run(
        source,
        org=org,
        org_slug=org_slug,
        strict=strict,
        dry_run=False,
        actor=actor,
        chunked=is_large(source),
        progress=progress,
        name=name,
        allow_removals=allow_removals,
    )


# --- export -----------------------------------------------------------------------------

HEADER = (
    "# Accord organization file (format 1). Apply with `accord apply FILE` (to make another\n"
    "# organization of it, change organization.slug first).\n"
    "# Sections present in this file are authoritative: what they omit would be removed.\n"
)


# libyaml's emitter where PyYAML was built with it (as safeyaml's parser): four times faster
# than the pure-Python one, which also writes a text's NEL character (U+0085) so that it
# reads back as a space.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


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


def register_keys(org: Organization, keys: list[tuple[str, str, Any]]) -> None:
    """`register_key` for many (section, key, object) at once, in one statement per
    thousand: an apply creating n keyed objects stores their keys without n queries."""
    from accord.interchange.models import ExternalKey

    if any(obj.org_id != org.id for _s, _k, obj in keys):
        raise ServiceError("The object belongs to another organization.")
    rows = {(section, key): obj.pk for section, key, obj in keys}
    ExternalKey.objects.bulk_create(
        [ExternalKey(org=org, section=s, key=k, object_id=pk) for (s, k), pk in rows.items()],
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["org", "section", "key"],
        update_fields=["object_id"],
    )


# --- who may, and one person's own data ---------------------------------------------------


def require_admin(actor, action: str) -> None:
    """Files and imports change people and roles, so only admins apply, plan or export them."""
    from accord.org.models import Role
    from accord.org.permissions import require_role

    require_role(actor, Role.ADMIN, action)


def export_person(person) -> Iterator[str]:
    """Everything Accord holds about one person, in the file format (their own export):
    see `accord.interchange.personal`. Reading it records nothing; `record_export` does."""
    from accord.interchange.personal import export_person as own_data

    return own_data(person)


def record_export(org: Organization, actor, *, fmt: str, via: str, person=None):
    """Record that data left Accord, before it is sent: the whole organization (`person`
    None; admins only, and its event is one only admins read) or one person's own data
    (their own, or anyone's for an admin; its event is personal: read by whoever took it
    and admins). `actor` None is the command line. Returns the record."""
    from accord.activity import services as activity
    from accord.interchange.models import ExportVia, OrganizationExport, PersonalDataExport

    if via not in ExportVia.values:
        raise ServiceError(f"Unknown way of exporting {via!r}.")
    if person is None:
        if fmt not in ("yaml", "csv"):
            raise ServiceError(f"No export format {fmt!r}: yaml or csv.")
        if actor is not None:
            require_admin(actor, "export the organization")
        name = f"{org.slug}.yaml" if fmt == "yaml" else f"{org.slug}-csv.zip"
        with transaction.atomic():
            made = OrganizationExport.objects.create(
                org=org, actor=actor, format=fmt, via=via, name=name
            )
            activity.record(
                org, actor, "created", made, after={"format": fmt, "via": via, "file": name}
            )
        return made
    if person.org_id != org.id:
        raise ServiceError("The person belongs to another organization.")
    if fmt != "yaml":
        raise ServiceError("A person's own data is exported as YAML only.")
    if actor is not None and actor.pk != person.pk:
        require_admin(actor, "export another person's data")
    with transaction.atomic():
        made = PersonalDataExport.objects.create(
            org=org, person=person, actor=actor, format=fmt, via=via
        )
        activity.record(
            org, actor, "created", made, after={"person": person, "format": fmt, "via": via}
        )
    return made


# --- background jobs (large files) ------------------------------------------------------

STALL_SECONDS = 90  # a running job silent this long lost its worker and is queued again
REQUEUE_SECONDS = 600  # a queued job not picked up this long is handed to the queue again


def needs_job(content: bytes) -> bool:
    """Whether the page and the API run this file as a background job."""
    return len(content) > JOB_BYTES


def submit_job(
    org: Organization,
    actor,
    *,
    name: str,
    content: bytes,
    kind: str,
    strict: bool,
    allow_removals: bool = False,
    allow_ignored_columns: bool = False,
):
    """Store the file and queue its plan or apply for `accord worker`. Admins only.
    `allow_removals` confirms a large removal (see `is_large_removal`);
    `allow_ignored_columns`, a CSV's columns that look misspelt (see `csvio.import_csv`)."""
    from accord.activity import services as activity
    from accord.interchange.models import ImportJob
    from accord.interchange.tasks import run_import

    require_admin(actor, "import organization files")
    if kind not in ImportJob.Kind.values:
        raise ServiceError(f"Unknown kind of job {kind!r}.")
    if len(content) > engine.max_bytes():
        raise ServiceError(engine.too_large(len(content)), code="too_large")
    with transaction.atomic():
        job = ImportJob.objects.create(
            org=org,
            created_by=actor,
            name=(name or "upload.yaml")[:200],
            content=content,
            kind=kind,
            strict=strict,
            allow_removals=allow_removals,
            allow_ignored_columns=allow_ignored_columns,
            heartbeat_at=timezone.now(),
        )
        activity.record(
            org,
            actor,
            "created",
            job,
            after={"kind": kind, "name": job.name, "bytes": len(content), "strict": strict},
            label=f"{job.get_kind_display()} of {job.name}",
        )
        # Queued in the same transaction (the database queue): no job without its task.
        run_import.enqueue(job.pk)
    return job


def _outcome_of(job, progress: engine.Progress) -> Outcome:
    from accord.interchange import csvio

    content = bytes(job.content)
    actor = job.created_by
    if job.name.lower().endswith(".csv"):
        return csvio.import_csv(
            content,
            org_slug=job.org.slug,
            strict=job.strict,
            dry_run=job.kind == "plan",
            filename=job.name,
            actor=actor,
            progress=progress,
            allow_ignored_columns=job.allow_ignored_columns,
        )
    if job.kind == "plan":
        return plan_file(content, org=job.org, strict=job.strict, actor=actor, progress=progress)
    return apply_file(
        content,
        org=job.org,
        strict=job.strict,
        actor=actor,
        progress=progress,
        name=job.name,
        allow_removals=job.allow_removals,
    )


def run_job(job_id: int) -> str:
    """Run a queued job (the worker calls this). Claimed atomically, so a job queued twice
    runs once; a job interrupted before is run again from the start, which finishes it."""
    from django.db import OperationalError

    from accord.core.middleware import is_busy
    from accord.interchange.models import ImportJob
    from accord.interchange.tasks import run_import

    State = ImportJob.State
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING, heartbeat_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return "not queued"
    ImportJob.objects.filter(pk=job_id, started_at=None).update(started_at=now)
    job = ImportJob.objects.select_related("org", "created_by").get(pk=job_id)
    rows = ImportJob.objects.filter(pk=job_id)

    def progress(done: int, total: int, phase: str) -> None:
        rows.update(done=done, total=total, phase=phase[:60], heartbeat_at=timezone.now())

    try:
        outcome = _outcome_of(job, progress)
    except OperationalError as exc:
        if not is_busy(exc):
            raise
        # Other writers kept the database busy: what is written stays; try again shortly.
        with transaction.atomic():
            rows.update(state=State.QUEUED, phase="waiting for the database")
            run_import.enqueue(job_id)
        return "busy; queued again"
    except Exception as exc:  # the job says what went wrong; the worker carries on
        log.exception("import job %s failed", job_id)
        rows.update(
            state=State.FAILED,
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        return "failed"
    if job.attempts > 1:
        outcome.notes.append(
            f"This run was interrupted and started again (attempt {job.attempts}); what the "
            "earlier attempt wrote is not repeated, so the lists above show the rest."
        )
    error = ""
    if outcome.fatal:
        error = outcome.fatal.why
    elif outcome.stopped:
        error = outcome.stopped
    elif outcome.aborted:
        error = f"{'Strict mode: aborted' if outcome.strict else 'Aborted'} on the problems listed."
    total = max(rows.values_list("total", flat=True).first() or 0, len(outcome.changes))
    rows.update(
        state=State.DONE if outcome.ok else State.FAILED,
        result=json.loads(json.dumps(outcome.as_json(), default=str)),
        error=error,
        phase="done" if outcome.ok else "stopped",
        done=0 if outcome.unconfirmed else len(outcome.changes),
        total=total,
        finished_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    return "done" if outcome.ok else "failed"


def resume_stalled_jobs(now=None) -> int:
    """Queue again the jobs whose worker died (no sign of life for STALL_SECONDS) and those
    the queue lost. Returns how many."""
    from accord.interchange.models import ImportJob
    from accord.interchange.tasks import run_import

    State = ImportJob.State
    now = now or timezone.now()
    stalled = ImportJob.objects.filter(
        Q(state=State.RUNNING, heartbeat_at__lt=now - dt.timedelta(seconds=STALL_SECONDS))
        | Q(state=State.QUEUED, heartbeat_at__lt=now - dt.timedelta(seconds=REQUEUE_SECONDS))
    )
    count = 0
    for job_id, state in stalled.values_list("id", "state"):
        with transaction.atomic():
            taken = ImportJob.objects.filter(pk=job_id, state=state).update(
                state=State.QUEUED, heartbeat_at=now
            )
            if taken:
                run_import.enqueue(job_id)
                count += 1
                log.warning("import job %s was %s without a worker; queued again", job_id, state)
    return count


def job_json(job) -> dict[str, Any]:
    return {
        "id": job.pk,
        "kind": job.kind,
        "name": job.name,
        "strict": job.strict,
        "state": job.state,
        "progress": {"done": job.done, "total": job.total, "phase": job.phase},
        "result": job.result,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def recent_jobs(org: Organization, limit: int = 5) -> list:
    from accord.interchange.models import ImportJob

    return list(ImportJob.objects.for_org(org).defer("content", "result")[:limit])


def get_job(org: Organization, actor, job_id: int):
    """One job of `org` (admins); another organization's job is not found."""
    from accord.core.errors import NotFound
    from accord.interchange.models import ImportJob

    require_admin(actor, "see imports")
    job = ImportJob.objects.for_org(org).defer("content").filter(pk=job_id).first()
    if job is None:
        raise NotFound("No such import job.")
    return job


KEEP_JOB_DAYS = 14


def prune_jobs(now=None) -> int:
    """Delete finished jobs older than KEEP_JOB_DAYS (bookkeeping: no event)."""
    from accord.interchange.models import ImportJob

    cutoff = (now or timezone.now()) - dt.timedelta(days=KEEP_JOB_DAYS)
    deleted, _ = ImportJob.objects.filter(
        state__in=[ImportJob.State.DONE, ImportJob.State.FAILED], finished_at__lt=cutoff
    ).delete()
    return deleted
