"""`accord health`: coordination health of a team and the teams right below it."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import floatformat

from accord.intelligence import evaluate, queries
from accord.intelligence.management.commands._common import add_scope_arguments, scope, table
from accord.intelligence.models import DIMENSIONS
from accord.org.models import Team


class Command(BaseCommand):
    help = "Show coordination health (0-100) per dimension for a team and its sub-teams."

    def add_arguments(self, parser):
        add_scope_arguments(parser)
        parser.add_argument(
            "--refresh", action="store_true", help="evaluate the organization first"
        )
        parser.add_argument(
            "--backfill",
            type=int,
            metavar="WEEKS",
            help="first compute weekly health for the last WEEKS weeks from history",
        )

    def handle(self, *args, **opts):
        org, team, as_of = scope(opts)
        if team is None:  # one root: show it and the teams right below it
            roots = list(Team.objects.for_org(org).filter(parent__isnull=True)[:2])
            team = roots[0] if len(roots) == 1 else None
        if opts.get("backfill"):
            evaluate.backfill(org, weeks=opts["backfill"])
        if opts["refresh"]:
            evaluate.evaluate(org)
        rows = []
        if team is not None:
            own = queries.health(org, team.pk, as_of)
            rows.append((team, own, True))
        for r in queries.heatmap(org, team.pk if team else None, as_of):
            rows.append((r.team, r.score, False))
        if all(h is None for _, h, _ in rows):
            raise CommandError(
                f"No health computed for {org.name} yet: run `accord health --refresh`."
            )
        keys = [*DIMENSIONS, "overall"]
        if opts["json"]:
            data = [
                {
                    "team": t.name,
                    "team_id": t.pk,
                    "date": h.date.isoformat() if h else None,
                    "people": h.rollup_people if h else 0,
                    **{k: (getattr(h, f"rollup_{k}") if h else None) for k in keys},
                    "open_critical": h.rollup_open_critical if h else 0,
                    "open_warning": h.rollup_open_warning if h else 0,
                    "explanation": h.explanation if (h and is_self) else None,
                }
                for t, h, is_self in rows
            ]
            self.stdout.write(json.dumps({"organization": org.name, "teams": data}, indent=2))
            return
        day = next((h.date for _, h, _ in rows if h), None)
        self.stdout.write(f"{org.name}: coordination health on {day} (subtree roll-ups)\n")
        body = []
        for t, h, is_self in rows:
            name = t.name if is_self or team is None else f"  {t.name}"
            if h is None:
                body.append([name, "—", *["—"] * len(keys), "", ""])
                continue
            body.append(
                [
                    name,
                    str(h.rollup_people),
                    # rounded as the pages round them (94.5 is 95, not f"{:.0f}"'s 94)
                    *[floatformat(getattr(h, f"rollup_{k}"), 0) for k in keys],
                    str(h.rollup_open_critical),
                    str(h.rollup_open_warning),
                ]
            )
        headers = ["TEAM", "PEOPLE", *[k.upper() for k in keys], "CRIT", "WARN"]
        self.stdout.write(table(headers, body))
