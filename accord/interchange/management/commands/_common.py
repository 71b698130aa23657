"""What the plan, apply, export and import commands share."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import CommandError

from accord.interchange import engine
from accord.org.models import Organization


def read_source(path: str) -> bytes:
    """The file's bytes, refusing oversized files before reading them whole."""
    p = Path(path)
    if not p.is_file():
        raise CommandError(f"No such file: {path}")
    size = p.stat().st_size
    limit = engine.max_bytes()
    if size > limit:
        raise CommandError(
            f"{path} is {size:,} bytes; organization files may be at most {limit:,} bytes "
            "(ACCORD_ORGFILE_MAX_BYTES). Nothing was changed."
        )
    with p.open("rb") as fh:
        return fh.read(limit + 1)


def find_org(slug: str | None, *, required: bool = True) -> Organization | None:
    """The organization at address `slug`; without one, the only organization there is.
    When `required`, an unknown address names the one probably meant, and a choice left
    open lists the addresses to choose from (as `accord import csv` and `createadmin` do)."""
    from accord.core.management.commands.createadmin import meant_address, which_organization

    if slug:
        org = Organization.objects.filter(slug=slug).first()
        if org is None and required:
            raise CommandError(f"No organization {slug!r}.{meant_address(slug)}")
        return org
    orgs = list(Organization.objects.order_by("slug")[:6])
    if len(orgs) == 1:
        return orgs[0]
    if required:
        if not orgs:
            raise CommandError("There is no organization yet.")
        raise CommandError(which_organization(orgs))
    return None


class Said(CommandError):
    """A refusal the command's own output has just said (its plan ends "Nothing was
    changed."): on the command line it only makes the exit status 1, rather than being
    printed a second time as "CommandError: …"; `call_command` raises it as it is."""


class SaysItsRefusals:
    """Mixed into a command (before BaseCommand) whose refusals are `Said`."""

    def run_from_argv(self, argv):
        self._from_argv = True
        super().run_from_argv(argv)

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except Said as exc:
            if not getattr(self, "_from_argv", False):
                raise
            sys.exit(exc.returncode)


def refuse(command, opts, message: str, shown: str, rest: str = "") -> None:
    """Stop the command with `message`: after its text output `shown`, which may say it
    already (else it is printed; `rest`: what `shown` does not say of it), not printed
    again as an error. With --json (which prints no sentences) the error it is."""
    if opts.get("json"):
        raise CommandError(message)
    said = rest or message
    if said.lower() not in shown.lower():
        command.stdout.write(said)
    raise Said(message)


# The exit status of `accord apply` and `accord import` when they applied the rest of a
# file but skipped items (rows) for their problems: not 0, so a setup script sees that
# something was left out, and not 1 (refused, nothing changed), so it can tell which; also
# that of `accord plan` and `accord import --dry-run` when applying would skip some.
SKIPPED_EXIT = 3


def exit_if_skipped(outcome) -> None:
    """End an apply that skipped items for their problems with SKIPPED_EXIT (its output
    has said how many were skipped, and what was applied)."""
    if outcome.partly:
        raise Said(
            f"{outcome.skipped_text()} skipped for their problems; the rest was applied.",
            returncode=SKIPPED_EXIT,
        )


def exit_if_would_skip(outcome, applying: str) -> None:
    """End a plan (a dry run) with SKIPPED_EXIT when applying it would skip items (rows)
    for their problems, as that apply would exit: a script checking a file first tells a
    clean file (0) from one that would be partly applied (3). `applying`: "Applying this
    file", "Importing this data"… (its plan has said how many it would skip)."""
    if outcome.ok and not outcome.applied and outcome.skipped():
        raise Said(
            f"{applying} would skip {outcome.skipped_text()} for their problems.",
            returncode=SKIPPED_EXIT,
        )


def write_json(path: str | None, data) -> None:
    if path:
        Path(path).write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
