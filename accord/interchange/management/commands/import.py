"""`accord import kubernetes DIR`: an organization from another tool's data, with a report of
everything that could not be taken."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accord.interchange.management.commands._common import (
    SaysItsRefusals,
    exit_if_skipped,
    exit_if_would_skip,
    refuse,
    write_json,
)


class Command(SaysItsRefusals, BaseCommand):
    help = (
        "Import an organization from another source: `kubernetes DIR` (the Kubernetes "
        "community data: sigs.yaml and keps/), or `csv FILE` (any section of the "
        "organization file, e.g. teams, people, memberships, objectives, key results, "
        "initiatives or cadences: known by the file's name, as the zip export names them, "
        "or by its columns, or given with --section; see docs/org-format.md) into an "
        "organization that exists. A CSV's teams may be given by address or name, a people "
        "CSV's team column makes members (in the role its team_role column gives: lead, "
        "co-lead, chair, member…), a teams CSV may leave out slug. Rows skipped for "
        "a problem are counted, and the import then exits 3 (a --dry-run too, when the import "
        "would skip rows, or items Accord refuses). What the Kubernetes import "
        "leaves out for the data's own oddities is reported and counted ('Not taken from "
        "the data, by design'), and does not make it exit 3; --strict stops on any oddity "
        "but a certain correction (a release written without 'v', a misspelt status, another "
        "name of a group)."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", choices=["kubernetes", "csv"])
        parser.add_argument("path", help="the directory (kubernetes) or file (csv)")
        parser.add_argument(
            "--org",
            help="address (slug) of the organization. csv: it must exist (may be left out "
            "when there is only one); kubernetes: created if missing (default: kubernetes)",
        )
        parser.add_argument(
            "--name", help="kubernetes: name of the organization it creates", default=""
        )
        parser.add_argument(
            "--section", help="csv: the section the file is of (default: from its name/columns)"
        )
        parser.add_argument("--strict", action="store_true", help="any problem aborts")
        parser.add_argument(
            "--allow-ignored-columns",
            action="store_true",
            help="csv: confirm that columns looking like a known column misspelt (Emial: "
            "email) are ignored (without it such a file is refused and nothing changes); "
            "other unknown columns are ignored and listed anyway",
        )
        parser.add_argument("--dry-run", action="store_true", help="report, change nothing")
        parser.add_argument("--report", metavar="FILE.json", help="write the full JSON report")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.add_argument("--quiet", action="store_true", help="counts and problems only")

    def handle(self, *args, **opts):
        path = Path(opts["path"])
        if opts["source"] == "kubernetes":
            from accord.interchange.kubernetes_import import import_directory

            if not path.is_dir():
                raise CommandError(f"No such directory: {path}")
            if not (path / "sigs.yaml").is_file() and not (path / "keps").is_dir():
                raise CommandError(
                    f"{path} holds neither sigs.yaml nor a keps/ directory: nothing to import "
                    "(give a checkout of kubernetes/community, with kubernetes/enhancements' "
                    "keps/ in it). Nothing was changed."
                )
            outcome = import_directory(
                path,
                org_slug=opts.get("org") or "kubernetes",
                name=opts.get("name") or "Kubernetes",
                strict=opts["strict"],
                dry_run=opts["dry_run"],
            )
        else:
            from accord.core.management.commands.createadmin import find_organization
            from accord.interchange import csvio
            from accord.interchange.management.commands._common import read_source

            # A CSV goes into an organization that exists: a typo never creates one.
            org = find_organization(
                opts.get("org"),
                create_hint="A CSV import does not create one: check the address, or create "
                "it first with `accord createadmin --create-org NAME`.",
            )
            outcome = csvio.import_csv(
                read_source(str(path)),
                org_slug=org.slug,
                section=opts.get("section") or None,
                strict=opts["strict"],
                dry_run=opts["dry_run"],
                filename=path.name,
                allow_ignored_columns=opts["allow_ignored_columns"],
            )
        write_json(opts.get("report"), outcome.as_json())
        shown = ""
        if opts["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), indent=2, default=str))
        else:
            shown = outcome.as_text(verbose=not opts["quiet"])
            self.stdout.write(shown)
            if outcome.report.summary:
                summary = ", ".join(f"{k} {v}" for k, v in outcome.report.summary.items())
                self.stdout.write(f"Source: {summary}")
        if outcome.ok and outcome.columns_confirm_text and not opts["allow_ignored_columns"]:
            # A dry run of a file the import refuses without the confirmation: it exits as
            # that import would (1), so a script checking a file first is not told it is fine.
            refuse(
                self,
                opts,
                f"Importing this file needs --allow-ignored-columns: {outcome.near_miss_text()}.",
                shown,
            )
        if outcome.unconfirmed:
            refuse(
                self,
                opts,
                f"Not imported: {outcome.near_miss_text()}. Rename the column, or if it is "
                "meant to be ignored, import the file again with --allow-ignored-columns. "
                "Nothing was changed.",
                shown,
                # (the plan says which column, and that nothing was changed)
                rest="If it is meant to be ignored, import the file again with "
                "--allow-ignored-columns.",
            )
        if not outcome.ok:
            refuse(self, opts, "Nothing was changed.", shown)
        if opts["dry_run"]:
            # A dry run exits as the import would: 3 when it would skip items (a CSV's rows)
            # for their problems (its plan has said how many), so a script checking a file
            # first is not told it is fine.
            exit_if_would_skip(
                outcome, "Importing this file" if opts["source"] == "csv" else "Importing this data"
            )
        # The Kubernetes data's own oddities (a meeting without a readable time…) are left
        # out by design and reported; only items Accord refused make the import exit 3.
        exit_if_skipped(outcome)
