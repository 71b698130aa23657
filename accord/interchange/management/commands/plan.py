"""`accord plan FILE`: what applying an organization file would create, change and remove."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand

from accord.interchange import services
from accord.interchange.management.commands._common import (
    SaysItsRefusals,
    exit_if_skipped,
    exit_if_would_skip,
    read_source,
    refuse,
    write_json,
)


class Command(SaysItsRefusals, BaseCommand):
    help = (
        "Show what applying an organization file would create, change and remove; exit "
        "status 3 when applying it would skip items for their problems, 1 when it cannot be "
        "applied."
    )
    apply = False

    def add_arguments(self, parser):
        parser.add_argument("file", help="the organization file (YAML)")
        parser.add_argument(
            "--org",
            help="slug of the organization (default: the file's organization.slug); one "
            "that does not exist is created by apply (plan only shows what apply would create)",
        )
        parser.add_argument("--strict", action="store_true", help="any problem aborts")
        parser.add_argument("--json", action="store_true", help="print JSON instead of text")
        parser.add_argument("--report", metavar="FILE.json", help="also write a JSON report")
        parser.add_argument("--quiet", action="store_true", help="counts only, not each change")

    def handle(self, *args, **opts):
        source = read_source(opts["file"])
        progress = self._progress() if services.is_large(source) else None
        common = {"org_slug": opts.get("org") or "", "strict": opts["strict"], "progress": progress}
        if self.apply:
            outcome = services.apply_file(
                source,
                name=Path(opts["file"]).name,
                allow_removals=opts["allow_removals"],
                **common,
            )
        else:
            outcome = services.plan_file(source, **common)
        write_json(opts.get("report"), outcome.as_json())
        shown = ""
        if opts["json"]:
            self.stdout.write(json.dumps(outcome.as_json(), indent=2, default=str))
        else:
            shown = outcome.as_text(verbose=not opts["quiet"])
            self.stdout.write(shown)
            if not self.apply and outcome.ok and outcome.large_removals():
                self.stdout.write(
                    f"Applying this file needs --allow-removals: it would {outcome.removal_text()}."
                )
        if outcome.unconfirmed:
            refuse(
                self,
                opts,
                f"This file would {outcome.removal_text()}. If that is what it means, apply "
                "it again with --allow-removals. Nothing was changed.",
                shown,
                # (the plan says what it would take away, and that nothing was changed)
                rest="If that is what it means, apply the file again with --allow-removals.",
            )
        if not outcome.ok:
            refuse(
                self,
                opts,
                "Stopped part-way; apply the file again once fixed."
                if outcome.changes and not outcome.stopped
                else "Nothing was changed.",
                shown,
            )
        if self.apply:
            exit_if_skipped(outcome)
        else:  # a plan exits as applying it would: 3 when that would skip items
            exit_if_would_skip(outcome, "Applying this file")

    def _progress(self):
        """Where a large file has got to, on stderr (at most every two seconds)."""
        last = {"at": 0.0, "phase": ""}

        def tell(done: int, total: int, phase: str) -> None:
            now = time.monotonic()
            if phase == last["phase"] and now - last["at"] < 2:
                return
            last.update(at=now, phase=phase)
            counted = f" {done:,}/{total:,}" if total else ""
            self.stderr.write(f"{phase}{counted}")

        return tell
