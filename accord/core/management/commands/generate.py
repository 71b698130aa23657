"""accord generate: a synthetic organization of N teams, with weeks of history."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from accord.core.errors import ServiceError
from accord.core.generator import generate


class Command(BaseCommand):
    help = (
        "Generate a realistic synthetic organization of N teams (about 10 people each) with "
        "objectives, key results, initiatives, dependencies, cadences, check-ins, meetings, "
        "decisions, action items, issues and the events of weeks of history. The same seed "
        "gives the same organization. Sign in to it with `accord createadmin --email E --org SLUG`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--teams", type=int, required=True, help="Number of teams.")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--org", default="synthetic", help="Address (slug) of the organization to create."
        )
        parser.add_argument("--name", default="", help="Name of the organization.")
        parser.add_argument(
            "--weeks", type=int, default=12, help="Weeks of history before now (default 12)."
        )
        parser.add_argument(
            "--now",
            default=None,
            help="Generate as of this instant (ISO 8601, e.g. 2026-11-30T12:00:00Z); "
            "default: the current time.",
        )
        parser.add_argument(
            "--evaluate",
            action="store_true",
            help="Then evaluate it as of the end of each week of its history and as of now, "
            "so its signals and weekly health come with that history (one evaluation a "
            "week: about a minute each at 10,000 teams).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete an existing organization at that address first.",
        )

    def handle(self, *args, teams, seed, org, name, weeks, now, replace, evaluate, **options):
        when = None
        if now:
            try:
                when = dt.datetime.fromisoformat(now)
            except ValueError:
                raise CommandError(f"--now must be an ISO 8601 instant, not {now!r}.") from None
            if when.tzinfo is None:
                raise CommandError("--now needs a time zone, e.g. 2026-11-30T12:00:00Z.")
        verbose = options.get("verbosity", 1) > 1
        try:
            result = generate(
                teams,
                seed=seed,
                slug=org,
                name=name,
                weeks=weeks,
                now=when,
                replace=replace,
                progress=self.stdout.write if verbose else None,
                evaluate=evaluate,
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        total = sum(result.rows.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated {result.org.name} (/o/{result.org.slug}/): {total:,} rows "
                f"in {result.seconds:.1f}s."
            )
        )
        if result.evaluated_seconds is not None:
            self.stdout.write(
                f"Evaluated as of the end of each week of its history and as of now in "
                f"{result.evaluated_seconds:.1f}s."
            )
        width = max(len(label) for label in result.rows)
        for label, count in sorted(result.rows.items()):
            self.stdout.write(f"  {label.ljust(width)}  {count:>10,}")
