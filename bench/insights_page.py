"""The Insights page on a large organization: queries and time against the bare SQL.

Builds, in a throwaway SQLite database, an organization of N teams (a tree, ten children
per team) with what the engine would have stored: 14 weekly days of health for every
team, 2 signals per team (1-3 teams each, every state and severity). Then times the
Insights page (whole organization, and one top-level department) as an admin through
Django's test client, counts its queries, and times the same SQL statements run bare
(cursor.execute + fetchall) for the ratio page / bare SQL.

    .venv/bin/python bench/insights_page.py            # 1,000 and 10,000 teams
    .venv/bin/python bench/insights_page.py 10000      # one size
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["ACCORD_DATA_DIR"] = tempfile.mkdtemp(prefix="accord-bench-insights-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
os.environ.pop("DATABASE_URL", None)

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.core.signals import request_finished, request_started  # noqa: E402
from django.db import close_old_connections, connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accord.intelligence.models import (  # noqa: E402
    DIMENSIONS,
    HealthScore,
    Signal,
    SignalTeam,
)
from accord.org import services as org_services  # noqa: E402
from accord.org.models import Role, Team  # noqa: E402

KINDS = [
    "load.overloaded",
    "dependencies.overdue",
    "decisions.overdue",
    "checkins.missed_in_a_row",
    "initiatives.unaligned",
    "key_results.off_pace",
]
STATES = ["open"] * 6 + ["acknowledged", "snoozed", "dismissed", "resolved", "resolved"]


def build(slug: str, n: int):
    rng = random.Random(n)
    org = org_services.create_organization(slug.capitalize(), slug)
    admin = org_services.add_person(
        org,
        None,
        name="Ada Admin",
        email=f"ada@{slug}.example",
        role=Role.ADMIN,
        user=org_services.ensure_user(f"ada@{slug}.example", "pw", name="Ada"),
    )
    root = Team.objects.create(org=org, name=f"{slug} root", slug="root")
    teams, parents, k = [root], [root], 0
    while len(teams) < n:
        level = []
        for p in parents:
            for _ in range(10):
                if len(teams) + len(level) >= n:
                    break
                k += 1
                level.append(Team(org=org, name=f"Team {k:05d}", slug=f"t{k}", parent=p))
        Team.objects.bulk_create(level, batch_size=2000)
        teams += level
        parents = level
    today = timezone.localdate()
    now = timezone.now()
    rows = []
    for w in range(14):
        day = today - dt.timedelta(weeks=w)
        for t in teams:
            v = {d: rng.uniform(40, 100) for d in (*DIMENSIONS, "overall")}
            rows.append(
                HealthScore(
                    org=org,
                    team=t,
                    date=day,
                    people=10,
                    rollup_people=10,
                    **v,
                    **{f"rollup_{d}": x for d, x in v.items()},
                    rollup_open_critical=rng.randint(0, 3),
                    rollup_open_warning=rng.randint(0, 9),
                    computed_at=now,
                )
            )
        if len(rows) > 20000:
            HealthScore.objects.bulk_create(rows, batch_size=5000)
            rows = []
    HealthScore.objects.bulk_create(rows, batch_size=5000)
    signals = []
    for i in range(2 * n):
        state = rng.choice(STATES)
        first = now - dt.timedelta(days=rng.randint(0, 60))
        signals.append(
            Signal(
                org=org,
                kind=rng.choice(KINDS),
                severity=rng.choice(["info", "warning", "warning", "critical"]),
                subject_type="org.team",
                subject_id=str(i),
                subject_label=f"Subject {i}",
                title=f"Signal {i}",
                explanation=f"Signal {i} explained in a plain sentence with its numbers.",
                evidence=[{"label": "x", "value": 1, "target_type": "", "target_id": ""}],
                reach_teams=rng.randint(1, 5),
                reach_people=rng.randint(1, 80),
                first_seen=first,
                last_seen=now,
                state=state,
                snoozed_until=today + dt.timedelta(days=3) if state == "snoozed" else None,
                resolved_at=first + dt.timedelta(days=2) if state == "resolved" else None,
            )
        )
    Signal.objects.bulk_create(signals, batch_size=2000)
    links = []
    ids = list(Signal.objects.filter(org=org).values_list("id", flat=True))
    for sid in ids:
        for t in rng.sample(teams, rng.randint(1, 3)):
            links.append(SignalTeam(org=org, signal_id=sid, team=t))
    SignalTeam.objects.bulk_create(links, batch_size=5000)
    return org, admin, teams


def best(fn, runs=5) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def measure(org, admin, url: str) -> tuple[int, float, float]:
    client = Client()
    client.force_login(admin.user)
    client.get(url)  # warm caches (templates, the catalogue)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    statements = [q["sql"] for q in ctx.captured_queries]  # before the next request resets
    page = best(lambda: client.get(url))

    def bare():
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description:
                    cursor.fetchall()

    return len(statements), page, best(bare)


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1000, 10000]
    settings.ALLOWED_HOSTS = ["testserver"]
    # Keep one connection across requests, as the test runner does, to count queries.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    call_command("migrate", verbosity=0)
    print("| teams | signals | page | queries | page time | bare SQL | ratio |")
    print("|---:|---:|---|---:|---:|---:|---:|")
    for n in sizes:
        t = time.perf_counter()
        org, admin, teams = build(f"bench{n}", n)
        built = time.perf_counter() - t
        base = f"/o/{org.slug}/insights/"
        for label, url in (
            ("whole organization", base + "?scope=all"),
            ("a department", f"{base}?scope={teams[1].pk}"),
            ("whole org, resolved, page 3", base + "?scope=all&state=resolved&page=3"),
        ):
            q, page, bare = measure(org, admin, url)
            print(
                f"| {n:,} | {2 * n:,} | {label} | {q} | {page * 1000:.0f} ms "
                f"| {bare * 1000:.0f} ms | {page / bare:.1f} x |"
            )
        print(f"<!-- built {n} teams in {built:.0f} s -->")


if __name__ == "__main__":
    main()
