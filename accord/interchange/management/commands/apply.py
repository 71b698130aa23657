"""`accord apply FILE`: apply an organization file idempotently."""

from __future__ import annotations

from accord.interchange.management.commands.plan import Command as PlanCommand


class Command(PlanCommand):
    help = (
        "Apply an organization file: in one transaction up to 64 KB, in short ones above "
        "(applying it again finishes one cut short). Items with problems are skipped, listed "
        "and counted (exit status 3); with "
        "--strict any problem aborts (in a large file, at the first change the database "
        "refuses: the changes before it stay written). A file with a section that cannot be "
        "applied (e.g. no admin left) changes nothing. A file that takes away more than half "
        "of a kind of item (people, memberships, teams…) or more than 20 of them is applied "
        "only with --allow-removals."
    )
    apply = True

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--allow-removals",
            action="store_true",
            help="confirm a large removal: more than half of a kind of item, or more than 20, "
            "deactivated or removed (without it such a file is refused and nothing changes)",
        )
