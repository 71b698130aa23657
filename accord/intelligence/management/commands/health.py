"""`accord health`: coordination health of a team and the teams right below it."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import floatformat

from accord.intelligence import evaluate, queries
from accord.intelligence import health as health_mod
from accord.intelligence.management.commands._common import add_scope_arguments, scope, table
from accord.intelligence.models import DIMENSIONS
from accord.org.queries import only_top_team


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
            help="first compute weekly health for the last WEEKS weeks from history "
            f"(1 to {evaluate.MAX_BACKFILL_WEEKS}, five years)",
        )

    def handle(self, *args, **opts):
        weeks = opts.get("backfill")
        if weeks is not None and not 1 <= weeks <= evaluate.MAX_BACKFILL_WEEKS:
            raise CommandError(
                f"--backfill takes 1 to {evaluate.MAX_BACKFILL_WEEKS} weeks, not {weeks}."
            )
        org, team, as_of = scope(opts)
        if team is None:  # one root: show it and the teams right below it
            team = only_top_team(org)
        if weeks is not None:
            evaluate.backfill(org, weeks=weeks)
        if opts["refresh"]:
            evaluate.evaluate(org)
        rows = []
        if team is not None:
            own = queries.health(org, team.pk, as_of)
            rows.append((team, own, True))
        for r in queries.heatmap(org, team.pk if team else None, as_of):
            rows.append((r.team, r.score, False))
        if all(h is None for _, h, _ in rows):
            if as_of is not None:  # --refresh computes today's: the past comes from history
                raise CommandError(
                    f"No health stored for {org.name} on or before {as_of}: "
                    "`accord health --backfill WEEKS` computes past weeks from its history."
                )
            raise CommandError(
                f"No health computed for {org.name} yet: run `accord health --refresh`."
            )
        keys = [*DIMENSIONS, "overall"]

        def rolled(h) -> dict:
            return {k: getattr(h, f"rollup_{k}") for k in keys}

        if opts["json"]:
            data = [
                {
                    "team": t.name,
                    "team_id": t.pk,
                    "date": h.date.isoformat() if h else None,
                    "people": h.rollup_people if h else 0,
                    # None: nothing to judge ("reason" and "left_out" say what was empty)
                    **{k: (getattr(h, f"rollup_{k}") if h else None) for k in keys},
                    "reason": health_mod.unscored_reason(rolled(h)) if h else None,
                    "left_out": health_mod.left_out(rolled(h)) if h else {},
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
        body, notes = [], []
        for t, h, is_self in rows:
            name = t.name if is_self or team is None else f"  {t.name}"
            if h is None:
                body.append([name, "—", *["—"] * len(keys), "", ""])
                continue
            scores = rolled(h)
            if (why := health_mod.unscored_reason(scores)) is not None:
                notes.append(f"{t.name}: {why}")
            body.append(
                [
                    name,
                    str(h.rollup_people),
                    # rounded as the pages round them (94.5 is 95, not f"{:.0f}"'s 94);
                    # "n/a": nothing to judge, left out of overall
                    *["n/a" if v is None else floatformat(v, 0) for v in scores.values()],
                    str(h.rollup_open_critical),
                    str(h.rollup_open_warning),
                ]
            )
        headers = ["TEAM", "PEOPLE", *[k.upper() for k in keys], "CRIT", "WARN"]
        self.stdout.write(table(headers, body))
        if any("n/a" in row for row in body):
            self.stdout.write("n/a: not scored, nothing to judge (left out of overall).\n")
        for note in notes:
            self.stdout.write(note + "\n")
