"""What `accord signals` and `accord health` share: the organization, the team, the date."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError

from accord.core.errors import ServiceError
from accord.intelligence import queries
from accord.interchange.management.commands._common import find_org
from accord.org.models import Organization, Team


def add_scope_arguments(parser) -> None:
    parser.add_argument("--org", help="slug of the organization")
    parser.add_argument("--team", help="slug (or id) of a team: it and every team below it")
    parser.add_argument(
        "--as-of",
        dest="as_of",
        help="a past date, YYYY-MM-DD: today in UTC, the day signals and health are dated "
        "on as on Insights, or earlier (default: now)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def scope(opts) -> tuple[Organization, Team | None, dt.date | None]:
    org = find_org(opts.get("org"))
    assert org is not None
    team = None
    if opts.get("team"):
        raw = opts["team"]
        qs = Team.objects.for_org(org)
        team = qs.filter(slug=raw).first() or (
            qs.filter(pk=int(raw)).first() if raw.isdigit() else None
        )
        if team is None:
            raise CommandError(f"No team {raw!r} in {org.name}.")
    as_of = None
    if opts.get("as_of"):
        # A usage error, as argparse's own: exit status 2.
        try:
            as_of = dt.date.fromisoformat(opts["as_of"])
        except ValueError:
            raise CommandError(
                f"--as-of takes a date like 2026-03-31, not {opts['as_of']!r}.", returncode=2
            ) from None
        try:
            # A past date (or today in UTC, whatever the site's zone says the date is, as on
            # Insights): a later one would show today's figures as its own.
            queries.check_as_of(as_of, "as_of", "--as-of")
        except ServiceError as exc:
            raise CommandError(exc.message, returncode=2) from None
    return org, team, as_of


def table(headers: list[str], rows: list[list[str]]) -> str:
    """A plain, aligned text table."""
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line.rstrip(), "  ".join("-" * w for w in widths)]
    for row in rows:
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    return "\n".join(out)
