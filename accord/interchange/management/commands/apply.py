"""`accord apply FILE`: apply an organization file idempotently, in one transaction."""

from __future__ import annotations

from accord.interchange.management.commands.plan import Command as PlanCommand


class Command(PlanCommand):
    help = (
        "Apply an organization file in one transaction. Problems are skipped and listed; "
        "with --strict any problem aborts and nothing is changed."
    )
    apply = True
