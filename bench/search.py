"""Find anything: how fast the index answers while someone types, on a large organization.

Run against a migrated copy of a generated organization (never the shared original):

    mkdir -p /tmp/search-10k && cp /tmp/evalbench-10000/accord.sqlite3 /tmp/search-10k/
    ACCORD_DATA_DIR=/tmp/search-10k .venv/bin/python manage.py migrate
    ACCORD_DATA_DIR=/tmp/search-10k .venv/bin/python bench/search.py --org bench-10000

On PostgreSQL, set DATABASE_URL instead. For each query, typed as a person types it
(prefixes of growing length, common and rare words, several words, syntax characters),
the script prints how many rows of the organization's index match, then the median of 7
runs (after one warm-up), wall-clock and CPU, of `accord.search.queries.search` (the
ranked index query and the loading of the results shown, 8 as in the top bar) and of the
whole htmx answer of `/o/<org>/search/` through Django's test client, as an admin of the
organization.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

QUERIES = [
    "a",
    "ac",
    "acc",
    "accessibility",
    "accessibility automation",
    "accessibility automation 10",
    "sync",
    "inventory sync",
    "platform",
    "should we adopt",
    "check-in",
    "maya",
    "maya zhang",
    "web services sync",
    "platfrom",
    "jnoas",
    "zzzz",
    '"quoted" NEAR(x y) -minus *',
]
RUNS = 7


def median_ms(fn) -> tuple[float, float]:
    """Median wall-clock and median CPU time of `fn`, in ms. SQLite works inside this
    process, so on a machine busy with other work the CPU time is what an answer costs."""
    fn()
    wall, cpu = [], []
    for _ in range(RUNS):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def matching(org_id: int, words: list[str]) -> int:
    from django.db import connection

    from accord.search import index
    from accord.search.queries import _term

    if not words:
        return 0
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            match = " AND ".join(_term(w, "fts5") for w in words)
            cursor.execute(
                f"SELECT count(*) FROM {index.TABLE} WHERE {index.TABLE} MATCH %s AND org_id = %s",
                [match, org_id],
            )
        else:
            cursor.execute(
                f"SELECT count(*) FROM {index.TABLE} WHERE org_id = %s "
                "AND vector @@ to_tsquery('simple', %s)",
                [org_id, " & ".join(_term(w, "tsquery") for w in words)],
            )
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--org", default="bench-10000")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from accord.org.models import Organization, Person, Role, Team
    from accord.search import queries
    from accord.search.models import Document

    settings.ALLOWED_HOSTS = ["*"]
    org = Organization.objects.get(slug=args.org)
    admin = Person.objects.for_org(org).filter(role=Role.ADMIN, user__isnull=False).first()
    if admin is None:
        sys.exit("No admin who can sign in: run `accord createadmin` on this copy first.")
    client = Client()
    client.force_login(admin.user)
    url = f"/o/{org.slug}/search/"
    teams = Team.objects.for_org(org).count()
    rows = Document.objects.filter(org_id=org.id).count()
    print(f"{connection.vendor}: {org.slug}, {teams:,} teams, {rows:,} rows in the index")
    print(f"load average: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(
        f"{'query':<32} {'matches':>9} {'search()':>10} {'htmx answer':>12}"
        f" {'search() CPU':>13} {'htmx CPU':>10}"
    )
    for q in QUERIES:
        n = matching(org.id, queries.terms(q))
        t_search, c_search = median_ms(lambda q=q: queries.search(org, admin, q))
        t_page, c_page = median_ms(
            lambda q=q: client.get(url, {"q": q}, headers={"HX-Request": "true"}).content
        )
        print(
            f"{q[:32]:<32} {n:>9,} {t_search:>8.1f}ms {t_page:>10.1f}ms"
            f" {c_search:>11.1f}ms {c_page:>8.1f}ms"
        )
    print(f"load average: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
