"""The initiatives timeline beside the list it draws, on a generated organization.

Run against a copy of a generated database (never the shared one):

    mkdir -p /tmp/tl-10k && cp /tmp/evalbench-10000/accord.sqlite3 /tmp/tl-10k/
    ACCORD_DATA_DIR=/tmp/tl-10k .venv/bin/python manage.py migrate
    ACCORD_DATA_DIR=/tmp/tl-10k .venv/bin/python bench/initiatives_timeline.py bench-10000

Each URL fetched in-process through Django's test client as an admin: one warm-up, then
the median of 5, the dependencies drawn and the size of the response. (Query counts are
guarded by tests/alignment/test_timeline_scale.py.)
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
    from accord.org.models import Organization, Team

    serve_in_process()
    org = Organization.objects.get(slug=slug)
    client = Client()
    client.force_login(bench_admin(org).user)
    root = Team.objects.filter(org=org, parent=None).order_by("pk").first()
    middle = Team.objects.filter(org=org, parent=root).order_by("pk").first()
    o = f"/o/{slug}/alignment/initiatives/"
    urls = [
        ("list, whole organization", o),
        ("timeline, whole organization", f"{o}timeline/"),
        ("timeline, root team and below", f"{o}timeline/?team={root.pk}"),
        ("timeline, a second-level team and below", f"{o}timeline/?team={middle.pk}"),
        ("timeline, active, by target, page 2", f"{o}timeline/?status=active&sort=target&page=2"),
        ("timeline, blocked, by progress", f"{o}timeline/?blocked=yes&sort=-progress"),
    ]
    n = Initiative.objects.filter(org=org).count()
    teams = Team.objects.filter(org=org).count()
    print(
        f"{slug}: {teams} teams, {n} initiatives, {connection.vendor}, "
        f"load {os.getloadavg()[0]:.1f}"
    )
    print("| page | median | dependencies drawn | HTML |")
    print("|---|---:|---:|---:|")
    for label, url in urls:
        client.get(url)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(RUNS):
            t = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - t)
        ms = statistics.median(times) * 1000
        kb = len(response.content) / 1024
        deps = response.content.count(b'class="tl-dep tl-dep--')
        print(f"| {label} | {ms:,.0f} ms | {deps} | {kb:.0f} kB |")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench-10000")
