"""The initiatives list, its board and the API's list on a generated organization.

Run against a copy of a generated database (never the shared one):

    mkdir -p /tmp/il-10k && cp /tmp/evalbench-10000/accord.sqlite3 /tmp/il-10k/
    ACCORD_DATA_DIR=/tmp/il-10k .venv/bin/python manage.py migrate
    ACCORD_DATA_DIR=/tmp/il-10k .venv/bin/python bench/initiatives_list.py bench-10000

Each URL fetched in-process through Django's test client as an admin: one warm-up, then
the median of 5 (wall-clock, and this process's CPU time), and the size of the response.
(Query counts are guarded by tests/scale/test_initiatives_list.py.)
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def main(slug: str) -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from inprocess import bench_admin, serve_in_process

    from accord.alignment.models import Initiative
    from accord.api import services as token_services
    from accord.org.models import Organization, Team

    serve_in_process()
    org = Organization.objects.get(slug=slug)
    admin = bench_admin(org)
    client = Client()
    client.force_login(admin.user)
    _, raw = token_services.create_token(org, admin, "bench")
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    root = Team.objects.filter(org=org, parent=None).order_by("pk").first()
    middle = Team.objects.filter(org=org, parent=root).order_by("pk").first()
    o = f"/o/{slug}/alignment/initiatives/"
    urls = [
        ("list, whole organization", o),
        ("list, root team and below", f"{o}?team={root.pk}"),
        ("list, a second-level team and below", f"{o}?team={middle.pk}"),
        ("list, blocked, by progress", f"{o}?blocked=yes&sort=-progress"),
        ("list, late and unaligned, by target", f"{o}?late=yes&aligned=no&sort=target"),
        ("list, page 40 by title", f"{o}?sort=title&page=40"),
        ("board, root team and below", f"{o}board/?team={root.pk}"),
        (
            "API, root subtree, blocked",
            f"/api/v1/initiatives?team_id={root.pk}&subtree=true&blocked=true",
        ),
    ]
    n = Initiative.objects.filter(org=org).count()
    teams = Team.objects.filter(org=org).count()
    print(
        f"{slug}: {teams} teams, {n} initiatives, {connection.vendor}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print("| page | median | CPU | HTML/JSON |")
    print("|---|---:|---:|---:|")
    for label, url in urls:
        c = api if url.startswith("/api/") else client
        c.get(url)
        response = c.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times, cpu = [], []
        for _ in range(RUNS):
            t, p = time.perf_counter(), time.process_time()
            c.get(url)
            times.append(time.perf_counter() - t)
            cpu.append(time.process_time() - p)
        ms = statistics.median(times) * 1000
        cpu_ms = statistics.median(cpu) * 1000
        kb = len(response.content) / 1024
        print(f"| {label} | {ms:,.0f} ms | {cpu_ms:,.0f} ms | {kb:.1f} kB |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench-10000")
