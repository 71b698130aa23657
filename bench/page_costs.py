"""Where a page's time goes: the database, Django's ORM around it, templates, the rest.

For each page of bench/pages.py, on an organization bench/pages.py has built and kept
(`--reuse`), in-process as there: the median of 5 fetches (after a warm-up round of every
page), split into

- SQL: time inside the database driver's `execute` (what bench/pages.py calls the bare SQL,
  without the fetching of rows);
- ORM: the rest of each query, outermost `SQLCompiler.execute_sql` minus its SQL: building
  the statement, fetching and converting rows (model instances are built outside it);
- templates: outermost `Template.render`, less the queries it makes (counted above);
- the rest: middleware, views, forms, model instances, and the response.

The first two rows are floors: the shell alone, the cheapest page a signed-in person can
open (the password form: the request path, the session, the organization, the navigation
around a form that reads nothing), and the API's cheapest call (`/api/v1/me`: the token
and who it belongs to). No page or API call costs less on this stack, so one whose SQL
takes less than a third of its floor cannot be within 3x of its SQL; the last line counts
those.

    .venv/bin/python bench/page_costs.py --data-dir /tmp/pagesbench-10000 --org bench-10000
    .venv/bin/python bench/page_costs.py --database-url postgres://…/db --org bench-10000

It writes nothing but a session and an API token for the benchmark's people (as
bench/pages.py does), so point it only at a benchmark database.
"""

from __future__ import annotations

import argparse
import time

from inprocess import add_database_arguments, serve_in_process, use_database

RUNS = 5


class Timers:
    """Seconds spent in the outermost call of each wrapped function, since `reset`."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self.depth: dict[str, int] = {}

    def reset(self) -> None:
        self.spent = dict.fromkeys(self.spent, 0.0)

    def wrap(self, owner, name: str, key: str, *, within: str = "") -> None:
        """Time `owner.name` as `key`; the part of it spent inside `within` (outermost
        calls of another key) is also counted as `key` + " in " + `within`."""
        original = getattr(owner, name)
        inside = f"{key} in {within}"
        self.spent[key], self.depth[key] = 0.0, 0
        if within:
            self.spent[inside] = 0.0

        def timed(*args, **kwargs):
            if self.depth[key]:
                return original(*args, **kwargs)
            self.depth[key] += 1
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.depth[key] -= 1
                took = time.perf_counter() - began
                self.spent[key] += took
                if within and self.depth.get(within):
                    self.spent[inside] += took

        setattr(owner, name, timed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser)
    parser.add_argument("--org", default="bench-10000")
    parser.add_argument("--only", nargs="*", default=[], help="pages whose label has a word")
    args = parser.parse_args()
    use_database(args)
    from django.db import connection
    from django.db.backends import utils as db_utils
    from django.db.models.sql import compiler
    from django.template import base as template_base
    from django.test import Client
    from pages import load_avg, pages, viewers

    from accord.api import services as token_services
    from accord.org.models import Organization

    timers = Timers()
    timers.wrap(db_utils.CursorWrapper, "_execute", "sql")
    timers.wrap(template_base.Template, "render", "templates")
    timers.wrap(compiler.SQLCompiler, "execute_sql", "orm", within="templates")

    org = Organization.objects.get(slug=args.org)
    serve_in_process()
    people = viewers(org)
    clients = {}
    for who, person in people.items():
        clients[who] = Client()
        clients[who].force_login(person.user)
    _, raw = token_services.create_token(org, people["admin"], "page costs")
    api = Client(headers={"Authorization": f"Bearer {raw}"})

    floors = [
        ("the shell alone (the password form)", clients["admin"], f"/o/{org.slug}/password/"),
        ("the API's floor (/api/v1/me)", api, "/api/v1/me"),
    ]
    chosen = [
        (label, api if url.startswith("/api/") else clients[who], url)
        for label, who, url in pages(org)
        if not args.only or any(word in label for word in args.only)
    ]
    for _, client, url in [*floors, *chosen]:  # a warm-up round of every page before timing any
        client.get(url)
    print(f"{args.org} on {connection.vendor}, median of {RUNS}, load {load_avg()}")
    print("| page | ms | SQL | ORM | templates | the rest |")
    print("|---|---:|---:|---:|---:|---:|")
    totals = dict.fromkeys(("all", "sql", "orm", "templates", "rest"), 0.0)
    floor, below_floor = {}, []
    for label, client, url in [*floors, *chosen]:
        runs = []
        for _ in range(RUNS):
            timers.reset()
            began = time.perf_counter()
            client.get(url)
            whole = time.perf_counter() - began
            s = timers.spent
            orm = s["orm"] - s["sql"]
            templates = s["templates"] - s["orm in templates"]  # its queries are counted above
            rest = whole - s["sql"] - orm - templates
            runs.append((whole, s["sql"], orm, templates, rest))
        whole, sql, orm, templates, rest = sorted(runs)[RUNS // 2]
        ms = [f"{v * 1000:.1f}" for v in (whole, sql, orm, templates, rest)]
        print(f"| {label} | {' | '.join(ms)} |", flush=True)
        if (label, client, url) in floors:
            floor[client is api] = whole
            continue
        if 3 * sql < floor[client is api]:
            below_floor.append(label)
        for key, value in zip(totals, (whole, sql, orm, templates, rest), strict=True):
            totals[key] += value
    share = {k: f"{100 * v / totals['all']:.0f}%" for k, v in totals.items() if k != "all"}
    print(
        f"| **all pages** | {totals['all'] * 1000:.0f} | {share['sql']} | {share['orm']} | "
        f"{share['templates']} | {share['rest']} |"
    )
    print(
        f"SQL under a third of their floor ({floor[False] * 1000:.1f} ms a page, "
        f"{floor[True] * 1000:.1f} ms an API call), so never within 3x of it: "
        f"{len(below_floor)} of {len(chosen)}: {', '.join(below_floor)}"
    )
    print(f"load after: {load_avg()}")


if __name__ == "__main__":
    main()
