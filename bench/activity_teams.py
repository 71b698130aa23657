"""A team's activity feed on an existing (generated) organization: the events whose team or
second team is in the subtree (`accord.activity.queries.of_team`), a page of 51 as the
activity page reads it, for the largest department right below the top, the smallest team
with at least 80 teams below it, and a leaf; unfiltered, one kind that has a second team
(dependencies) and one that has none (check-ins), and the department's third page. Median
of 7 after a warm-up, in-process (the SQL and the events made from it), on whichever
database `DATABASE_URL` names. Point it at a copy of a generated database:

    ACCORD_DATA_DIR=/tmp/NAME-10k .venv/bin/python bench/activity_teams.py --org big
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--org", default="bench-10000")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.db import connection

    from accord.activity import queries
    from accord.org.models import Organization, Person, Team
    from accord.org.queries import descendants_of, parent_map

    org = Organization.objects.get(slug=args.org)
    viewer = Person.objects.for_org(org).filter(role="admin").order_by("pk").first()
    teams = list(Team.objects.for_org(org))
    parents = parent_map(org)
    below = {t.pk: len(descendants_of(t.pk, parents)) for t in teams}
    tops = {t.pk for t in teams if t.parent_id is None}
    department = max((t for t in teams if t.parent_id in tops), key=lambda t: below[t.pk])
    middle = min((t for t in teams if below[t.pk] >= 80), key=lambda t: (below[t.pk], t.pk))
    leaf = min((t for t in teams if below[t.pk] == 0), key=lambda t: t.pk)
    cases = [
        ("department", department, {}, 0),
        ("department, page 3", department, {}, 100),
        ("department, dependencies", department, {"target_type": "coordination.dependency"}, 0),
        ("department, check-ins", department, {"target_type": "rhythm.checkin"}, 0),
        ("middle", middle, {}, 0),
        ("middle, dependencies", middle, {"target_type": "coordination.dependency"}, 0),
        ("leaf", leaf, {}, 0),
    ]
    print(f"{connection.vendor}, {org.slug}: department {below[department.pk] + 1} teams, ", end="")
    print(f"middle {below[middle.pk] + 1}, leaf 1")
    print("| feed | ms | events |")
    print("|---|---:|---:|")
    for name, team, filters, offset in cases:
        page = queries.feed(org, viewer, team=team, **filters)[offset : offset + 51]
        shown = list(page._clone())  # warm-up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            list(page._clone())
            times.append(time.perf_counter() - start)
        print(f"| {name} | {statistics.median(times) * 1000:.1f} | {len(shown)} |")


if __name__ == "__main__":
    main()
