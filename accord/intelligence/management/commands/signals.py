"""`accord signals`: the signals of an organization (or a team's subtree) as a table."""

from __future__ import annotations

import difflib
import json

from django.core.management.base import BaseCommand

from accord.core.errors import ServiceError
from accord.intelligence import evaluate, queries
from accord.intelligence.management.commands._common import add_scope_arguments, scope, table
from accord.intelligence.models import SignalSeverity


def _check_kind(kind: str | None) -> None:
    """A kind no signal has is refused with the kinds there are (the API's refusal points
    to GET /api/v1/signal-kinds, which a terminal does not answer)."""
    from accord.intelligence.registry import discover

    kinds = sorted(discover())
    if kind and kind not in kinds:
        close = difflib.get_close_matches(kind, kinds, n=1)
        meant = f" Did you mean {close[0]!r}?" if close else ""
        raise ServiceError(  # (said plainly by `accord`, as the queries' refusals are)
            f"Unknown kind of signal {kind!r}.{meant} The kinds are: {', '.join(kinds)}.",
            fields={"kind": ["Unknown kind of signal."]},
        )


class Command(BaseCommand):
    help = "List signals ranked by severity and reach (live ones by default)."

    def add_arguments(self, parser):
        add_scope_arguments(parser)
        parser.add_argument("--kind", help="only this kind, e.g. dependencies.overdue")
        parser.add_argument("--severity", choices=SignalSeverity.values)
        parser.add_argument(
            "--state",
            default="live",
            help="live (the default: neither resolved nor dismissed), open, acknowledged, "
            "snoozed, dismissed, resolved, or any",
        )
        parser.add_argument("--limit", type=int, default=50, help="at most this many (50)")
        parser.add_argument(
            "--refresh", action="store_true", help="evaluate the organization first"
        )

    def handle(self, *args, **opts):
        org, team, as_of = scope(opts)
        _check_kind(opts.get("kind"))
        if opts["refresh"]:
            evaluate.evaluate(org)
        filters = dict(
            team_id=team.pk if team else None,
            kind=opts.get("kind"),
            severity=opts.get("severity"),
            state=opts["state"] or "any",
        )
        if as_of:
            rows = queries.signals_as_of(org, as_of, **filters)
        else:
            rows = list(queries.signals(org, **filters))
        total = len(rows)
        rows = rows[: max(0, opts["limit"])]
        if opts["json"]:
            data = [
                {
                    "id": s.pk,
                    "kind": s.kind,
                    "severity": s.severity,
                    "state": s.state,
                    "subject": {"type": s.subject_type, "id": s.subject_id,
                                "label": s.subject_label},
                    "title": s.title,
                    "explanation": s.explanation,
                    "next_step": s.next_step,
                    "evidence": s.evidence,
                    "reach_teams": s.reach_teams,
                    "reach_people": s.reach_people,
                    "first_seen": s.first_seen.isoformat(),
                    "last_seen": s.last_seen.isoformat(),
                }
                for s in rows
            ]  # fmt: skip
            self.stdout.write(json.dumps({"count": total, "signals": data}, indent=2))
            return
        where = f" in {team.name} and below" if team else ""
        when = f" as of {as_of}" if as_of else ""
        self.stdout.write(f"{org.name}: {total} signal{'s' if total != 1 else ''}{where}{when}\n")
        if not rows:
            return
        body = [
            [
                s.severity.upper(),
                s.kind,
                s.state,
                f"{s.reach_teams}/{s.reach_people}",
                s.explanation if len(s.explanation) <= 110 else s.explanation[:109] + "…",
            ]
            for s in rows
        ]
        self.stdout.write(table(["SEVERITY", "KIND", "STATE", "REACH", "WHAT"], body))
        if total > len(rows):
            self.stdout.write(f"… and {total - len(rows)} more (--limit).")
