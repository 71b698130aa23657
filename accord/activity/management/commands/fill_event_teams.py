"""`accord fill-event-teams`: give the events recorded before events had a team (before
migration activity 0005) the team of their subject, and those recorded before events had a
second team (before 0006) the second team they concern (a dependency's providing team, the
team a move took its subject from, the team a link between two teams is to: recorded
without it before that too), so the activity page and the events API cut by a team find
them too. In short transactions, while Accord runs; running it again goes on where it
stopped and then finds nothing to do."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from accord.activity.teams import FILL_BATCH, fill_event_teams
from accord.core.database import refresh_planner_statistics
from accord.interchange.management.commands._common import find_org


class Command(BaseCommand):
    help = (
        "Give the events recorded before events had a team (and a second team) the teams "
        "of their subject."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", help="slug of one organization (default: every one)")
        parser.add_argument("--batch", type=int, default=FILL_BATCH, help="events per transaction")
        parser.add_argument("--quiet", action="store_true", help="no progress lines")

    def handle(self, *args, **opts):
        org = find_org(opts["org"]) if opts.get("org") else None
        started = last = time.monotonic()

        def progress(done: int, given: int) -> None:
            nonlocal last
            if not opts["quiet"] and time.monotonic() - last >= 5:
                last = time.monotonic()
                self.stdout.write(f"{done:,} events read, {given:,} given their teams…")

        given = fill_event_teams(org, batch=max(1, opts["batch"]), progress=progress)
        if given:
            refresh_planner_statistics()  # the team index has just filled
        seconds = time.monotonic() - started
        self.stdout.write(f"{given:,} events given the teams of their subject in {seconds:.1f}s")
