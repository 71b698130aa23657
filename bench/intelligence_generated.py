"""The intelligence engine on organizations built by `accord generate`: the full run.

For each size (default 1,000 and 10,000 teams, same seed), a scratch SQLite database
under /tmp/evalbench-N/ (`--dir`; never the worktree's) holds the organization `accord generate`
builds with a fixed clock. Each size runs in its own process. `evaluate(org)` runs as of
that clock twice:

- first run: no signal stored yet, every signal, episode and team link is inserted;
- steady state: an hour later, most signals already exist and are updated in place;

each split into load (the snapshot from the database), detect (the catalogue and the
reach), store signals and health (measures, scores, roll-up and the `HealthScore` rows),
timed by wrapping the engine's own steps (the `Evaluation` row records only the total).
Then, at each size, the Insights page (`/o/<org>/insights/`) on those really evaluated
rows, as an admin through Django's test client (best of 5): its query count and time,
against the same SQL statements run bare (best of 5), for the whole organization and one
department (a team under the root). The machine's load average is printed with each run.

    .venv/bin/python bench/intelligence_generated.py                 # 1,000 and 10,000 teams
    .venv/bin/python bench/intelligence_generated.py --sizes 1000    # one size
    .venv/bin/python bench/intelligence_generated.py --reuse         # keep generated databases

With `--reuse`, a database already generated under /tmp/evalbench-N/ is used again (what
the engine stored there before is deleted first, so the first run is a first run);
without it, the organization is generated afresh (`--replace`). `--backfill W` also
stores W weeks of health history before the page is measured (the page's trends).
`--digest` prints a digest of what each run stored (`evaluate.stored_digest`): the same
database evaluated by two versions of the engine must give the same digests.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-30T12:00:00+00:00"  # the generator's clock, as in bench/generate.py


def load_avg() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def reset_peak_rss() -> None:
    """Start measuring the process's peak memory afresh (Linux: /proc/self/clear_refs)."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """The process's peak resident memory since the last reset (VmHWM), in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(teams: int, seed: int, reuse: bool, backfill_weeks: int, digest: bool) -> dict:
    """Runs in a process whose ACCORD_DATA_DIR is the size's scratch directory."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from accord.core.generator import generate
    from accord.intelligence import evaluate as ev
    from accord.intelligence import health as health_mod
    from accord.intelligence import snapshot as snapshot_mod
    from accord.intelligence.models import (
        Evaluation,
        HealthScore,
        Signal,
        SignalEpisode,
        SignalTeam,
    )
    from accord.org.models import Membership, Organization, Person, Team

    out: dict = {"teams": teams, "load_before": load_avg()}
    call_command("migrate", verbosity=0)
    now = dt.datetime.fromisoformat(NOW)
    slug = f"bench-{teams}"
    org = Organization.objects.filter(slug=slug).first()
    if org is None or not reuse:
        t = time.perf_counter()
        generate(teams, seed=seed, slug=slug, now=now, replace=True)
        out["generated_s"] = time.perf_counter() - t
        org = Organization.objects.get(slug=slug)
    else:  # start from nothing stored by the engine (plain DELETEs: the ORM's cascade
        # would load every signal into memory, which the peak RSS would then measure)
        from django.db import connection

        with connection.cursor() as cursor:
            for model in (SignalTeam, SignalEpisode, Signal, HealthScore, Evaluation):
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE org_id = %s", [org.pk])
    out["people"] = Person.objects.filter(org=org).count()
    out["team_count"] = Team.objects.filter(org=org).count()
    out["memberships"] = Membership.objects.filter(org=org).count()

    # Time the engine's steps by wrapping them where `evaluate` looks them up.
    spent: dict[str, float] = {}

    def timed(step, func):
        def wrapper(*args, **kwargs):
            t, cpu = time.perf_counter(), time.process_time()
            try:
                return func(*args, **kwargs)
            finally:
                spent[step] = spent.get(step, 0.0) + time.perf_counter() - t
                spent[f"{step} (CPU)"] = spent.get(f"{step} (CPU)", 0.0) + (
                    time.process_time() - cpu
                )

        return wrapper

    snapshot_mod.load = timed("load the snapshot", snapshot_mod.load)
    ev.run_catalogue = timed("detect (catalogue and reach)", ev.run_catalogue)
    ev._plan_signals = timed("store signals: read and plan", ev._plan_signals)
    ev._apply_signals = timed("store signals: write (in the transaction)", ev._apply_signals)
    ev._health = timed("health (all of it)", ev._health)
    ev._store_health = timed("health: stored (in the transaction)", ev._store_health)
    health_mod.compute = timed("health: scores and roll-up", health_mod.compute)
    ev.measures = timed("health: measures", ev.measures)

    runs = []
    for label, moment in (("first", now), ("steady", now + dt.timedelta(hours=1))):
        spent.clear()
        reset_peak_rss()
        load = load_avg()
        t, cpu = time.perf_counter(), time.process_time()
        run = ev.evaluate(org, moment, announce=False)
        wall, cpu = time.perf_counter() - t, time.process_time() - cpu
        runs.append(
            {
                "run": label,
                "wall": wall,
                "cpu": cpu,
                "duration_ms": run.duration_ms,
                "found": run.found,
                "opened": run.opened,
                "resolved": run.resolved,
                "steps": dict(spent),
                "load": load,
                "load_after": load_avg(),
                "rss_mb": peak_rss_mb(),
            }
        )
        if digest:
            runs[-1]["digest"] = ev.stored_digest(org)
        print(f"{teams} teams, {label} run: {json.dumps(runs[-1])}", file=sys.stderr, flush=True)
    out["runs"] = runs
    out["signals"] = Signal.objects.filter(org=org).count()
    out["signal_teams"] = SignalTeam.objects.filter(org=org).count()
    out["health_rows"] = HealthScore.objects.filter(org=org).count()
    if backfill_weeks:
        t = time.perf_counter()
        ev.backfill(org, backfill_weeks, today=now.date())
        out["backfill_s"] = time.perf_counter() - t
        out["backfill_weeks"] = backfill_weeks
    out["pages"] = insights(org)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out["load_after"] = load_avg()
    return out


def insights(org) -> list[dict]:
    """The Insights page against its bare SQL, measured as bench/insights_page.py does."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from inprocess import bench_admin, serve_in_process

    from accord.org.models import Team

    serve_in_process()
    admin = bench_admin(org)
    root = Team.objects.filter(org=org, parent__isnull=True).order_by("pk").first()
    department = Team.objects.filter(org=org, parent=root).order_by("pk").first()
    base = f"/o/{org.slug}/insights/"
    client = Client()
    client.force_login(admin.user)

    def best(fn, runs=5) -> float:
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    rows = []
    for label, url in (
        ("whole organization", base + "?scope=all"),
        (f"a department ({department.name})", f"{base}?scope={department.pk}"),
    ):
        client.get(url)  # warm caches (templates, the catalogue)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.status_code
        statements = [q["sql"] for q in ctx.captured_queries]
        page = best(lambda url=url: client.get(url))

        def bare(statements=statements):
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()

        sql = best(bare)
        rows.append({"page": label, "queries": len(statements), "page_s": page, "sql_s": sql})
    return rows


def run(
    teams: int, seed: int, reuse: bool, backfill_weeks: int, directory: str, digest: bool
) -> dict:
    data_dir = Path(directory.format(teams=teams))
    data_dir.mkdir(exist_ok=True)
    env = {**os.environ, "ACCORD_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)
    args = [sys.executable, __file__, "--child", str(teams), "--seed", str(seed)]
    args += ["--backfill", str(backfill_weeks)] + (["--reuse"] if reuse else [])
    args += ["--digest"] if digest else []
    proc = subprocess.run(args, env=env, check=True, stdout=subprocess.PIPE, text=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def report(results: list[dict]) -> None:
    ratio = len(results) == 2
    head = " | ".join(f"{r['teams']:,} teams" for r in results)
    print(f"| | {head} |" + (" ratio |" if ratio else ""))
    print("|---|" + "---:|" * (len(results) + ratio))

    def line(label, values, fmt, show_ratio=True):
        cells = " | ".join(fmt(v) for v in values)
        extra = ""
        if ratio:
            extra = f" {values[1] / values[0]:.1f}x |" if show_ratio and values[0] else " |"
        print(f"| {label} | {cells} |{extra}")

    num = "{:,}".format
    line("teams", [r["team_count"] for r in results], num)
    line("people", [r["people"] for r in results], num)
    names = ("first run (inserting every signal)", "steady state (an hour later)")
    for i, name in enumerate(names):
        runs = [r["runs"][i] for r in results]
        line(f"**{name}**: wall-clock", [x["wall"] for x in runs], "{:.1f} s".format)
        line("  CPU", [x["cpu"] for x in runs], "{:.1f} s".format)
        steps = [s for s in runs[0]["steps"] if s in runs[-1]["steps"]]
        for step in steps:
            line(f"  {step}", [x["steps"][step] for x in runs], "{:.2f} s".format)
        line("  signals found", [x["found"] for x in runs], num, False)
        line("  opened", [x["opened"] for x in runs], num, False)
        line("  resolved", [x["resolved"] for x in runs], num, False)
        line("  load average (1/5/15 min)", [x["load"] for x in runs], str, False)
        line("  load average after", [x["load_after"] for x in runs], str, False)
        line("  peak RSS of the run", [x["rss_mb"] for x in runs], "{:.0f} MB".format)
        if "digest" in runs[0]:
            line("  digest of what was stored", [x["digest"][:16] for x in runs], str, False)
    line("signal rows", [r["signals"] for r in results], num)
    line("signal-team links", [r["signal_teams"] for r in results], num)
    line("health rows", [r["health_rows"] for r in results], num)
    if "backfill_s" in results[0]:
        line(
            f"backfill of {results[0]['backfill_weeks']} weeks",
            [r["backfill_s"] for r in results],
            "{:.1f} s".format,
        )
    line("peak RSS", [r["peak_rss_mb"] for r in results], "{:.0f} MB".format)
    print()
    print("| teams | Insights page | queries | page time | bare SQL | ratio |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in results:
        for p in r["pages"]:
            print(
                f"| {r['teams']:,} | {p['page']} | {p['queries']} | {p['page_s'] * 1000:.0f} ms"
                f" | {p['sql_s'] * 1000:.0f} ms | {p['page_s'] / p['sql_s']:.1f}x |"
            )
    print()
    for r in results:
        gen = f", generated in {r['generated_s']:.0f} s" if "generated_s" in r else ", reused"
        print(
            f"<!-- {r['teams']:,} teams{gen}; load average {r['load_before']} before, "
            f"{r['load_after']} after -->"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--reuse", action="store_true", help="reuse generated databases")
    parser.add_argument("--backfill", type=int, default=0, help="weeks of health history")
    parser.add_argument(
        "--dir",
        default="/tmp/evalbench-{teams}",
        help="scratch directory of each size ({teams} is replaced by the size)",
    )
    parser.add_argument(
        "--digest",
        action="store_true",
        help="print a digest of what each run stored (compare two versions of the engine)",
    )
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.seed, args.reuse, args.backfill, args.digest)))
        return
    print(f"load average (1/5/15 min) at start: {load_avg()}", flush=True)
    results = []
    for n in args.sizes:
        results.append(run(n, args.seed, args.reuse, args.backfill, args.dir, args.digest))
        print(f"{n:,} teams measured; load average now {load_avg()}", flush=True)
    report(results)


if __name__ == "__main__":
    main()
