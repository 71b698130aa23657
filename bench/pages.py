"""Every main page and API list at two sizes, against the bare SQL of what it shows.

For each size (default 100 and 10,000 teams, seed 1, the generator's fixed clock), a
scratch SQLite database under /tmp/pagesbench-N/ (`--data-root`) holds the organization
`accord generate` builds (`--reuse` keeps it between runs), evaluated once by the
intelligence engine and with the planner's statistics refreshed, as the worker would have
done. Each size runs in its own process. Each page is fetched through Django's test
client, in-process, as the person it is for (an admin for organization-wide pages, the
lead of a leaf team for personal ones): after one warm-up, the median of 5 fetches
(wall-clock, and this process's CPU time: what an idle machine would take). Its SQL
statements, captured once, are then run bare (`cursor.execute` + `fetchall`, median of
5) for the ratio. The sizes are printed side by
side with the ratio of their times: a page that shows the same amount at both sizes should
take about the same time.

    .venv/bin/python bench/pages.py                       # 100 and 10,000 teams
    .venv/bin/python bench/pages.py --sizes 100 1000      # other sizes
    .venv/bin/python bench/pages.py --reuse --only home   # keep databases; some pages

On PostgreSQL: `--database-url postgres://…/db` (each size is its own organization,
`bench-N`, in that one database; generated there unless `--reuse` finds it).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-30T12:00:00+00:00"  # the generator's clock, as in bench/generate.py
RUNS = 5


def load_avg() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def median_time(fn, runs: int = RUNS) -> float:
    return median_times(fn, runs)[0]


def median_times(fn, runs: int = RUNS) -> tuple[float, float]:
    """Median wall-clock and CPU time (this process: the page and SQLite's work; what an
    idle machine would take when others share it)."""
    times, cpu = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(times), statistics.median(cpu)


def pages(org) -> list[tuple[str, str, str]]:
    """(label, who, url): who is "admin", "lead" (the lead of a leaf team) or "top" (the
    lead of the top team: their home and Insights span the whole tree)."""
    from django.utils import timezone

    from accord.alignment.models import Objective
    from accord.coordination.models import Dependency
    from accord.decisions.models import Decision
    from accord.org.models import Person, Team
    from accord.rhythm.models import Cadence
    from accord.rhythm.queries import next_occurrence

    o = f"/o/{org.slug}"
    root = Team.objects.filter(org=org, parent__isnull=True).order_by("pk").first()
    leaf = leaf_team(org)
    objective = Objective.objects.filter(org=org).order_by("-pk").first()
    decision = Decision.objects.filter(org=org).order_by("-pk").first()
    dependency = Dependency.objects.filter(org=org).order_by("-pk").first()
    org_cadence = (
        Cadence.objects.filter(org=org, scope="org").order_by("pk").first()
        or Cadence.objects.filter(org=org).order_by("pk").first()
    )
    upcoming = next_occurrence(org_cadence) if org_cadence else None  # built from live data
    division = Team.objects.filter(org=org, parent=root).order_by("pk").first() or root
    top_lead = lead_of(org, root) or Person.objects.filter(org=org).order_by("pk").first()
    week_ago = (timezone.now() - dt.timedelta(days=7)).date().isoformat()
    out = [
        ("home", "lead", f"{o}/"),
        ("home (the top team's lead)", "top", f"{o}/"),
        ("team page (root)", "admin", f"{o}/teams/{root.slug}/"),
        ("team page (leaf)", "lead", f"{o}/teams/{leaf.slug}/"),
        ("team page (a team below the top)", "admin", f"{o}/teams/{division.slug}/"),
        ("teams directory", "admin", f"{o}/teams/"),
        ("people list", "admin", f"{o}/people/"),
        ("person page (the top team's lead)", "admin", f"{o}/people/{top_lead.pk}/"),
        ("person form (the top team's lead)", "admin", f"{o}/people/{top_lead.pk}/edit/"),
        ("retire page (a leaf team)", "admin", f"{o}/teams/{leaf.slug}/retire/"),
        ("alignment", "admin", f"{o}/alignment/"),
        ("team alignment (leaf)", "lead", f"{o}/alignment/teams/{leaf.slug}/"),
        ("team alignment (root)", "admin", f"{o}/alignment/teams/{root.slug}/"),
        (
            "team alignment (a team below the top)",
            "admin",
            f"{o}/alignment/teams/{division.slug}/",
        ),
        ("objective detail", "admin", f"{o}/alignment/objectives/{objective.pk}/"),
        ("scorecard (the organization)", "admin", f"{o}/alignment/scorecard/"),
        (
            "scorecard (a team below the top)",
            "admin",
            f"{o}/alignment/scorecard/?team={division.slug}",
        ),
        ("coordination list", "admin", f"{o}/coordination/"),
        ("dependencies (the top team's)", "admin", f"{o}/coordination/list/?team={root.slug}"),
        ("dependency map data", "lead", f"{o}/coordination/map.json"),
        (
            "dependencies of an initiative",
            "admin",
            f"{o}/coordination/list/?initiative={dependency.requester_initiative_id}",
        ),
        ("dependency detail", "admin", f"{o}/coordination/d/{dependency.pk}/"),
        (
            "initiative detail (its dependencies)",
            "admin",
            f"{o}/alignment/initiatives/{dependency.requester_initiative_id}/",
        ),
        ("coordination team page", "lead", f"{o}/coordination/teams/{leaf.slug}/"),
        ("coordination team page (root)", "top", f"{o}/coordination/teams/{root.slug}/"),
        (
            "coordination team page (a team below the top)",
            "admin",
            f"{o}/coordination/teams/{division.slug}/",
        ),
        ("rhythm: my week", "lead", f"{o}/rhythm/"),
        ("cadence list", "admin", f"{o}/rhythm/cadences/"),
        ("rhythm: a team's page (leaf)", "lead", f"{o}/rhythm/teams/{leaf.slug}/"),
        ("decisions list", "admin", f"{o}/decisions/"),
        ("decisions list (the top team's)", "admin", f"{o}/decisions/?team={root.pk}"),
        ("decision detail", "admin", f"{o}/decisions/{decision.pk}/"),
        ("decision latency", "admin", f"{o}/decisions/latency/"),
        ("action items (mine)", "lead", f"{o}/decisions/actions/"),
        ("action items (a team's)", "lead", f"{o}/decisions/actions/?team={leaf.slug}"),
        ("action items (the top team's)", "admin", f"{o}/decisions/actions/?team={root.slug}"),
        ("issues", "admin", f"{o}/decisions/issues/"),
        ("issues (the top team's)", "admin", f"{o}/decisions/issues/?team={root.slug}"),
        ("activity", "admin", f"{o}/activity/"),
        ("insights", "admin", f"{o}/insights/?scope=all"),
        ("insights (the top team)", "top", f"{o}/insights/?scope={root.pk}"),
        ("insights (a team below the top)", "admin", f"{o}/insights/?scope={division.pk}"),
        ("insights as of a week ago", "admin", f"{o}/insights/?scope=all&as_of={week_ago}"),
        ("insights panel (the top team)", "admin", f"{o}/insights/teams/{root.pk}/panel/"),
        ("API: alignment tree", "admin", "/api/v1/alignment-tree"),
        ("API: objectives", "admin", "/api/v1/objectives"),
        ("API: orphaned objectives", "admin", "/api/v1/orphaned-objectives"),
        ("API: dependencies", "admin", "/api/v1/dependencies"),
        (
            "API: initiative blockers",
            "admin",
            f"/api/v1/initiatives/{dependency.requester_initiative_id}/blockers",
        ),
        ("API: decisions", "admin", "/api/v1/decisions"),
        ("API: decision latency", "admin", "/api/v1/decisions/latency"),
        ("API: action items", "admin", "/api/v1/action-items"),
        ("API: events", "admin", "/api/v1/events"),
        ("API: people", "admin", "/api/v1/people"),
    ]
    if upcoming is not None:
        out.insert(
            [label for label, _, _ in out].index("rhythm: my week"),
            (
                "organization-wide agenda",
                "admin",
                f"{o}/rhythm/cadences/{org_cadence.pk}/{upcoming.key}/",
            ),
        )
    return out


def leaf_team(org):
    from accord.org.models import Membership, MembershipRole, Team

    leaves = Team.objects.filter(org=org, children__isnull=True).order_by("pk")
    led = Membership.objects.filter(
        org=org, role=MembershipRole.LEAD, team__in=leaves[:200]
    ).order_by("team_id")
    return led.first().team if led.exists() else leaves.first()


def lead_of(org, team):
    """The person of `team`'s first lead term, if any."""
    from accord.org.models import Membership, MembershipRole

    m = (
        Membership.objects.filter(org=org, team=team, role=MembershipRole.LEAD)
        .select_related("person")
        .order_by("pk")
        .first()
    )
    return m.person if m else None


def viewers(org) -> dict:
    """{who: Person with a login} for `pages`: the benchmark's admin, a leaf team's lead
    and the top team's lead (given a login when the generator made none)."""
    from inprocess import bench_admin

    from accord.org import services as org_services
    from accord.org.models import Team

    admin = bench_admin(org)
    root = Team.objects.filter(org=org, parent__isnull=True).order_by("pk").first()
    out = {"admin": admin}
    for who, team in (("lead", leaf_team(org)), ("top", root)):
        person = lead_of(org, team) or admin
        if person.user_id is None:
            email = person.email or f"bench-{who}@{org.slug}.example"
            person.user = org_services.ensure_user(
                email, f"bench-{who}-passphrase", name=person.name
            )
            person.save(update_fields=["user"])
        out[who] = person
    return out


def child(teams: int, seed: int, reuse: bool, only: list[str], stats: bool = True) -> dict:
    """Runs in a process whose database is the size's scratch database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accord.api import services as token_services
    from accord.core.generator import generate
    from accord.intelligence.evaluate import evaluate
    from accord.intelligence.models import Evaluation
    from accord.org.models import Organization, Person

    out: dict = {"teams": teams, "load_before": load_avg(), "vendor": connection.vendor}
    call_command("migrate", verbosity=0)
    slug = f"bench-{teams}"
    org = Organization.objects.filter(slug=slug).first()
    if org is None or not reuse:
        t = time.perf_counter()
        generate(teams, seed=seed, slug=slug, now=dt.datetime.fromisoformat(NOW), replace=True)
        out["generated_s"] = time.perf_counter() - t
        org = Organization.objects.get(slug=slug)
    out["people"] = Person.objects.filter(org=org).count()
    if not Evaluation.objects.filter(org=org).exists():  # what the worker would have stored
        t = time.perf_counter()
        evaluate(org, dt.datetime.fromisoformat(NOW), announce=False)
        out["evaluated_s"] = time.perf_counter() - t
    from accord.decisions import latency
    from accord.decisions.models import LatencyFigure

    if not LatencyFigure.objects.filter(org=org).exists():  # kept from before they were stored
        latency.refresh(org, today=dt.date.fromisoformat(NOW[:10]))
    from accord.core.database import refresh_planner_statistics

    if stats:
        refresh_planner_statistics()  # as the worker does hourly on SQLite
    elif connection.vendor == "sqlite":  # as a database never analysed
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
            if cursor.fetchone():
                cursor.execute("DELETE FROM sqlite_stat1")
        connection.close()  # the planner reads the statistics when a connection opens

    from inprocess import serve_in_process

    serve_in_process()
    people = viewers(org)
    admin = people["admin"]
    clients = {}
    for who, person in people.items():
        client = Client()
        client.force_login(person.user)
        clients[who] = client
    _, raw = token_services.create_token(org, admin, "bench")
    api = Client(headers={"Authorization": f"Bearer {raw}"})

    rows = []
    for label, who, url in pages(org):
        if only and not any(word in label for word in only):
            continue
        client = api if url.startswith("/api/") else clients[who]
        try:
            first = client.get(url)  # warm caches (templates, the catalogue)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
        except Exception as error:  # a page that fails is a figure too
            rows.append({"page": label, "url": url, "error": repr(error)[:200]})
            continue
        # A server-side cursor (PostgreSQL, `.iterator()`) is recorded as its DECLARE: run
        # its query bare like the others.
        statements = [
            re.sub(r'^DECLARE "[^"]+" NO SCROLL CURSOR WITH(OUT)? HOLD FOR ', "", q["sql"])
            for q in ctx.captured_queries
        ]
        page_s, page_cpu = median_times(lambda client=client, url=url: client.get(url))

        def bare(statements=statements):
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()

        sql_s = median_time(bare)
        rows.append(
            {
                "page": label,
                "url": url,
                "status": response.status_code,
                "first_status": first.status_code,
                "queries": len(statements),
                "bytes": len(response.content),
                "page_ms": page_s * 1000,
                "page_cpu_ms": page_cpu * 1000,
                "sql_ms": sql_s * 1000,
            }
        )
        print(f"{teams} teams: {json.dumps(rows[-1])}", file=sys.stderr, flush=True)
    out["pages"] = rows
    out["load_after"] = load_avg()
    return out


def size(n: float) -> str:
    for unit in ("B", "kB", "MB"):
        if n < 1000 or unit == "MB":
            return f"{n:,.0f} {unit}" if unit == "B" else f"{n:,.1f} {unit}"
        n /= 1000
    return str(n)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="keep generated databases")
    parser.add_argument("--only", nargs="*", default=[], help="pages whose label has a word")
    parser.add_argument("--database-url", help="PostgreSQL server URL (a database per size)")
    parser.add_argument(
        "--data-root", default="/tmp/pagesbench", help="SQLite databases in ROOT-N/ (N teams)"
    )
    parser.add_argument(
        "--no-statistics",
        action="store_true",
        help="SQLite: drop the planner's statistics first (a database never analysed)",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        stats = not args.no_statistics
        print(json.dumps(child(args.child, args.seed, args.reuse, args.only, stats)))
        return

    results = []
    for teams in args.sizes:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        env["ACCORD_DATA_DIR"] = f"{args.data_root}-{teams}"
        env.pop("DATABASE_URL", None)
        if args.database_url:
            env["DATABASE_URL"] = args.database_url
        Path(env["ACCORD_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, __file__, "--child", str(teams), "--seed", str(args.seed)]
        cmd += ["--reuse"] if args.reuse else []
        cmd += ["--no-statistics"] if args.no_statistics else []
        cmd += ["--only", *args.only] if args.only else []
        done = subprocess.run(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        if done.returncode:
            sys.exit(f"{teams} teams failed (see above)")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))

    print(
        f"\nload average before / after: {[(r['load_before'], r['load_after']) for r in results]}"
    )
    print(
        f"database: {results[0]['vendor']}; median of {RUNS}; people: "
        + ", ".join(f"{r['teams']:,} teams → {r['people']:,}" for r in results)
    )
    head = "| page |" + "".join(
        f" {r['teams']:,}: queries | page | CPU | SQL | x SQL | HTML |" for r in results
    )
    if len(results) > 1:
        head += f" {results[-1]['teams']:,} / {results[0]['teams']:,} |"
    print(head)
    print("|---|" + "---:|" * (6 * len(results) + (len(results) > 1)))
    by_label = [{row["page"]: row for row in r["pages"]} for r in results]
    for label in by_label[0]:
        line = f"| {label} |"
        for table in by_label:
            row = table.get(label, {})
            if "error" in row or not row:
                line += f" error: {row.get('error', 'missing')} | | | | | |"
                continue
            status = "" if row["status"] == 200 else f" ({row['status']})"
            line += (
                f" {row['queries']}{status} | {row['page_ms']:,.0f} ms"
                f" | {row.get('page_cpu_ms', 0):,.0f} ms | {row['sql_ms']:,.0f} ms"
                f" | {row['page_ms'] / max(row['sql_ms'], 0.01):.1f}x | {size(row['bytes'])} |"
            )
        if len(by_label) > 1:
            a, b = by_label[0].get(label, {}), by_label[-1].get(label, {})
            if "page_ms" in a and "page_ms" in b:
                line += f" {b['page_ms'] / a['page_ms']:.1f}x |"
            else:
                line += " |"
        print(line)


if __name__ == "__main__":
    main()
