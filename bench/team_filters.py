"""Lists cut by a team and the teams below it, on an existing (generated) organization.

For the organization's root team (its subtree is every team), a team in the middle and a
leaf, each list (action items, issues, decisions, dependencies, activity; page and API) is fetched
through Django's test client as an admin: after one warm-up, the median of 5 fetches
(wall-clock, and the process's CPU time, which SQLite's work is part of), its number of SQL
statements and its size. Point it at a copy of a generated database, never the
original:

    mkdir -p /tmp/NAME-10k && cp /tmp/evalbench-10000/accord.sqlite3 /tmp/NAME-10k/
    ACCORD_DATA_DIR=/tmp/NAME-10k .venv/bin/python bench/team_filters.py --org bench-10000
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
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from inprocess import bench_admin, serve_in_process

    from accord.api import services as token_services
    from accord.org.models import Organization, Team

    org = Organization.objects.get(slug=args.org)
    serve_in_process()
    admin = bench_admin(org)
    client = Client()
    client.force_login(admin.user)
    _, raw = token_services.create_token(org, admin, "bench")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    teams = Team.objects.filter(org=org)
    root = teams.filter(parent__isnull=True).order_by("pk").first()
    middle = (
        teams.filter(parent=root)
        .annotate(n=Count("children"))
        .filter(n__gt=0)
        .order_by("pk")
        .first()
    )
    leaf = teams.filter(children__isnull=True).order_by("pk").first()
    o = f"/o/{org.slug}"
    print(f"{args.org}: {teams.count()} teams, {connection.vendor}")
    print(f"load average: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("| list | team | queries | median ms | CPU ms | kB |")
    print("|---|---|---:|---:|---:|---:|")
    for label, team in (("root", root), ("middle", middle), ("leaf", leaf)):
        for name, who, url in (
            ("action items page", client, f"{o}/decisions/actions/?team={team.slug}"),
            ("issues page", client, f"{o}/decisions/issues/?team={team.slug}"),
            ("decision log", client, f"{o}/decisions/?team={team.pk}"),
            ("dependencies page", client, f"{o}/coordination/list/?team={team.slug}&active=1"),
            ("activity page", client, f"{o}/activity/?team={team.slug}"),
            ("API action items", api, f"/api/v1/action-items?team_id={team.pk}"),
            ("API issues", api, f"/api/v1/issues?team_id={team.pk}"),
            ("API decisions", api, f"/api/v1/decisions?team_id={team.pk}"),
            ("API dependencies", api, f"/api/v1/dependencies?team_id={team.pk}"),
            ("API events", api, f"/api/v1/events?team_id={team.pk}"),
        ):
            assert who.get(url).status_code == 200, url
            with CaptureQueriesContext(connection) as ctx:
                who.get(url)
            # Read now: every request starts by emptying the connection's query log.
            statements = len(ctx.captured_queries)
            times, cpu = [], []
            for _ in range(5):
                t, c = time.perf_counter(), time.process_time()
                size = len(who.get(url).content)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
            ms = statistics.median(times) * 1000
            cpu_ms = statistics.median(cpu) * 1000
            print(
                f"| {name} | {label} | {statements} | {ms:.0f} | {cpu_ms:.0f}"
                f" | {size / 1000:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
