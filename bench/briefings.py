"""Weekly briefings on a generated organization: one briefing, and the worker's weekly run.

Usage (on a copy of a generated organization, never the original):
    ACCORD_DATA_DIR=/tmp/NAME .venv/bin/python manage.py migrate
    ACCORD_DATA_DIR=/tmp/NAME .venv/bin/python bench/briefings.py --org gen \
        --now 2026-11-30T12:00:00Z

Prints the time to build the whole organization's briefing (an admin's), one team lead's,
and the worker's run that builds, stores and queues every subscriber's briefing of the
week (rolled back afterwards), with the number of queries.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from accord.briefings import compose, queries, services  # noqa: E402
from accord.org.models import Membership, Organization, Person, Team  # noqa: E402


class Rollback(Exception):
    pass


def timed(label: str, fn):
    with CaptureQueriesContext(connection) as q:
        t = time.perf_counter()
        out = fn()
        took = time.perf_counter() - t
    print(f"{label:<55} {took * 1000:>9.0f} ms  {len(q):>6} queries")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--org", default="gen")
    parser.add_argument("--now", default="2026-11-30T12:00:00Z")
    args = parser.parse_args()
    org = Organization.objects.get(slug=args.org)
    now = dt.datetime.fromisoformat(args.now.replace("Z", "+00:00"))
    week = compose.last_complete_week(now)
    admin = Person.objects.for_org(org).filter(role="admin").order_by("pk").first()
    lead = Person.objects.get(
        pk=Membership.objects.for_org(org).filter(role="lead").order_by("pk")[0].person_id
    )
    teams = Team.objects.for_org(org).count()
    print(f"{org.name}: {teams} teams, week {week.label}")
    history = compose.History(org)
    timed(
        "load the week's start and end (two snapshots)",
        lambda: (history.snap(week.start - dt.timedelta(microseconds=1)), history.snap(week.as_of)),
    )
    timed("the organization's briefing (an admin's)", lambda: services.build_for(
        org, week, person=admin, history=history))  # fmt: skip
    timed("a team lead's briefing (same history)", lambda: services.build_for(
        org, week, person=lead, history=history))  # fmt: skip
    subscribers = len(queries.subscribers(org))
    try:
        with transaction.atomic():
            Person.objects.filter(org=org).update(created_at=now - dt.timedelta(weeks=4))
            got = timed(
                f"the worker's weekly run ({subscribers} subscribers)",
                lambda: services.send_due_for(org, now + dt.timedelta(days=2)),
            )
            print(f"  sent: {got}")
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
