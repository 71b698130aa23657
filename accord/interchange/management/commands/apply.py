"""`accord apply FILE`: apply an organization file idempotently."""

from __future__ import annotations

from accord.interchange.management.commands.plan import Command as PlanCommand


class Command(PlanCommand):
    help = (
        "Apply an organization file: in one transaction up to 64 KB, in short ones above "
        "(applying it again finishes one cut short). Problems are skipped and listed; with "
        "--strict any problem aborts (in a large file, at the first change the database "
        "refuses: the changes before it stay written)."
    )
    apply = True
