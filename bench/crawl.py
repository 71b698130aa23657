"""Every page a few clicks from the benchmark's pages, and every GET of the API, timed.

bench/pages.py measures 43 chosen pages; a slow page elsewhere (a person's page, a
running meeting) is found by following links. On an organization bench/pages.py has
built and kept (`--reuse`), in-process as there, this fetches the benchmark's pages as
one person (`--who`: admin, lead or top), follows the links of each page found to
`--depth` clicks (at most `--per-kind` pages of each kind of URL, ids counting as one
kind, and `--max` pages in all), and with `--api` also every GET path of
`/api/v1/openapi.json` (ids taken from the API's own lists). Each page is fetched once
as found (a first, cold fetch); the slowest are fetched again, warm (the median of 3),
and printed slowest first with their queries and size. Errors (5xx) are listed apart.
With `--scans`, every statement is also planned and those that read a large table whole
are listed with the first URL that made them: an index missing, or one the planner's
statistics talk it out of. A large table has more than 5,000 rows by the planner's
statistics; reading it whole is, on SQLite, a `SCAN` of it or a search of it by
organization alone followed by a sort, and on PostgreSQL a `Seq Scan` of it.

    .venv/bin/python bench/crawl.py --data-dir /tmp/pagesbench-10000 --who lead
    .venv/bin/python bench/crawl.py --database-url postgres://…/db --api
    .venv/bin/python bench/crawl.py --data-dir /tmp/pagesbench-10000 --api --scans

It writes nothing but a session and an API token for the benchmark's people (as
bench/pages.py does) and the things GETs record (none), so point it only at a benchmark
database. Links that change data are never followed: only GETs are made.
"""

from __future__ import annotations

import argparse
import collections
import re
import statistics
import time

from inprocess import add_database_arguments, serve_in_process, use_database

LINK = re.compile(r'href="(/o/[^"#]*)"')
SKIP = re.compile(r"logout|export|download|\.csv|\.zip|\.ics|/edit/|/new/|delete")
SLOWEST = 25
SCAN = re.compile(r"\bSCAN (\w+)")
SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")
NUMBERS = re.compile(r"\d+(?:\s*,\s*\d+)*")
# A table searched by organization alone, then sorted: every row of the organization.
SORTED = re.compile(r"\bSEARCH (\w+) USING (?:COVERING )?INDEX \w+ \(org_id=\?\)")
LARGE = 5000  # rows of a table whose whole read is reported


def large_tables(connection) -> set[str]:
    """Tables of more than LARGE rows by the planner's statistics (empty without them)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [LARGE]
            )
            return {name for (name,) in cursor.fetchall()}
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if not cursor.fetchall():
            return set()
        cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
        return {tbl for tbl, stat in cursor.fetchall() if int(stat.split()[0]) > LARGE}


def whole_reads(connection, statements, large: set[str]) -> list[tuple[str, str]]:
    """(table, statement) for each statement whose plan reads a large table whole."""
    out = []
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            if connection.vendor == "postgresql":
                cursor.execute("EXPLAIN " + sql)
                plan = " | ".join(str(row[0]) for row in cursor.fetchall())
                out += [(t, sql) for t in SEQ_SCAN.findall(plan) if t in large]
                continue
            cursor.execute("EXPLAIN QUERY PLAN " + sql)
            plan = " | ".join(str(row[-1]) for row in cursor.fetchall())
            out += [(m.group(1), sql) for m in SCAN.finditer(plan) if m.group(1) in large]
            if "TEMP B-TREE FOR ORDER BY" in plan:
                out += [
                    (f"{m.group(1)} (sorted)", sql)
                    for m in SORTED.finditer(plan)
                    if m.group(1) in large
                ]
    return out


def kind_of(url: str) -> str:
    return re.sub(r"\d+", "N", url.split("?")[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser)
    parser.add_argument("--org", default="bench-10000")
    parser.add_argument("--who", default="admin", choices=["admin", "lead", "top"])
    parser.add_argument("--depth", type=int, default=3, help="clicks from the benchmark's pages")
    parser.add_argument("--per-kind", type=int, default=2, help="pages of each kind of URL")
    parser.add_argument("--max", type=int, default=1000, help="pages in all")
    parser.add_argument("--api", action="store_true", help="also every GET of the API")
    parser.add_argument(
        "--scans", action="store_true", help="list statements reading a large table whole"
    )
    args = parser.parse_args()
    use_database(args)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from pages import load_avg, pages, viewers

    from accord.api import services as token_services
    from accord.org.models import Organization

    org = Organization.objects.get(slug=args.org)
    serve_in_process()
    people = viewers(org)
    client = Client()
    client.force_login(people[args.who].user)
    _, raw = token_services.create_token(org, people[args.who], "crawl")
    api = Client(headers={"Authorization": f"Bearer {raw}"})

    large = large_tables(connection) if args.scans else set()
    scans: dict[tuple[str, str], str] = {}  # (table, statement's start) -> first URL

    def fetch(c, url: str):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx:
            began = time.perf_counter()
            response = c.get(url)
            took = time.perf_counter() - began
        size = -1 if getattr(response, "streaming", False) else len(response.content)
        if large:
            for table, sql in whole_reads(connection, [q["sql"] for q in ctx], large):
                shape = NUMBERS.sub("?", sql)  # one entry per statement, whatever its ids
                scans.setdefault((table, shape[:160]), url)
        return took, len(ctx.captured_queries), size, response

    found: list[tuple[float, str, Client]] = []
    errors: list[tuple[int, str]] = []
    queue = collections.deque((url, 0) for _, _, url in pages(org) if not url.startswith("/api/"))
    seen: set[str] = set()
    kinds: collections.Counter = collections.Counter()
    while queue and len(seen) < args.max:
        url, depth = queue.popleft()
        url = url.replace("&amp;", "&")
        if url in seen or SKIP.search(url) or kinds[kind_of(url)] >= args.per_kind:
            continue
        seen.add(url)
        kinds[kind_of(url)] += 1
        took, _, _, response = fetch(client, url)
        if response.status_code >= 500:
            errors.append((response.status_code, url))
        found.append((took, url, client))
        html = response.get("Content-Type", "").startswith("text/html")
        if response.status_code == 200 and html and depth < args.depth:
            for link in LINK.findall(response.content.decode("utf-8", "replace")):
                queue.append((link, depth + 1))
    if args.api:
        for url in api_urls(api):
            took, _, _, response = fetch(api, url)
            if response.status_code >= 500:
                errors.append((response.status_code, url))
            found.append((took, url, api))

    print(f"{args.org} on {connection.vendor} as {args.who}: {len(found)} URLs, load {load_avg()}")
    print("| warm ms | first ms | queries | size | URL |")
    print("|---:|---:|---:|---:|---|")
    for first, url, c in sorted(found, key=lambda f: -f[0])[:SLOWEST]:
        runs = [fetch(c, url) for _ in range(3)]
        warm = statistics.median(r[0] for r in runs)
        _, queries, size, _ = runs[-1]
        kb = "streamed" if size < 0 else f"{size / 1000:,.0f} kB"
        print(f"| {warm * 1000:,.0f} | {first * 1000:,.0f} | {queries} | {kb} | {url} |")
    print(f"errors: {errors or 'none'}")
    if args.scans:
        if not large:
            print("scans: not planned (no planner's statistics: run ANALYZE first)")
        for (table, start), url in sorted(scans.items()):
            print(f"scan of {table} at {url}\n    {start}")
        print(f"scans of a large table: {len(scans)}")


def api_urls(api) -> list[str]:
    """Every GET path of the API's description, its ids taken from the API's lists; the
    paths whose id no list gives are left out."""
    spec = api.get("/api/v1/openapi.json").json()
    lists = {
        "objective_id": "/api/v1/objectives",
        "kr_id": "/api/v1/key-results",
        "key_result_id": "/api/v1/key-results",
        "initiative_id": "/api/v1/initiatives",
        "dependency_id": "/api/v1/dependencies",
        "dep_id": "/api/v1/dependencies",
        "decision_id": "/api/v1/decisions",
        "team_id": "/api/v1/teams",
        "person_id": "/api/v1/people",
        "cadence_id": "/api/v1/rhythm/cadences",
        "meeting_id": "/api/v1/rhythm/meetings",
        "issue_id": "/api/v1/issues",
        "item_id": "/api/v1/action-items",
        "signal_id": "/api/v1/signals",
        "period_id": "/api/v1/periods",
    }
    ids = {}
    for name, path in lists.items():
        body = api.get(path).json()
        items = body.get("items") if isinstance(body, dict) else body
        if isinstance(items, list) and items and isinstance(items[-1], dict):
            ids[name] = items[-1].get("id")
    out = []
    for path, operations in spec["paths"].items():
        if "get" not in operations or SKIP.search(path):
            continue
        names = re.findall(r"{(\w+)}", path)
        if all(ids.get(n) is not None for n in names):
            for n in names:
                path = path.replace("{" + n + "}", str(ids[n]))
            out.append(path)
    return out


if __name__ == "__main__":
    main()
