"""CPU and memory of planning and applying an organization file, and of an export read back.

    .venv/bin/python bench/interchange.py [--objects 1000]
    .venv/bin/python bench/interchange.py --generated 100     # export -> apply -> export

A fresh data directory (SQLite) is migrated. With --objects, a synthetic file of about that
many objects (bench/orgfile_gen.py: teams, people, memberships, a period, objectives and
initiatives) is planned, then applied into a new organization; with --generated N, an
organization of N teams is generated (`accord generate`), exported, and the export applied
into an empty organization and exported again. Prints the CPU seconds (this process, after
start-up) and the peak resident memory of each step, and for --generated whether the second
export equals the first and how many items were skipped.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _step(name: str, fn):
    from django.db import connection

    queries = [0]

    def count(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    cpu, wall = time.process_time(), time.perf_counter()
    with connection.execute_wrapper(count):
        result = fn()
    print(
        f"{name:<28} cpu {time.process_time() - cpu:7.2f} s   wall "
        f"{time.perf_counter() - wall:7.2f} s   peak rss {_peak_mib():7.0f} MiB   "
        f"{queries[0]:,} queries",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objects", type=int, default=1000)
    parser.add_argument("--generated", type=int, default=0, help="teams of a generated org")
    parser.add_argument(
        "--migrated", default="", help="a migrated, empty accord.sqlite3 to start from"
    )
    parser.add_argument("--profile", default="", help="write cProfile stats of apply here")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="accord-bench-interchange-")
    os.environ["ACCORD_DATA_DIR"] = data_dir
    if args.migrated:
        import shutil

        shutil.copy(args.migrated, Path(data_dir) / "accord.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.core.management import call_command

    if not args.migrated:
        call_command("migrate", verbosity=0)
    from accord.interchange import services

    if args.generated:
        import datetime as dt

        from accord.core.generator import generate

        now = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)
        org = _step(
            f"generate {args.generated} teams",
            lambda: generate(args.generated, seed=1, slug="gen", now=now).org,
        )
        first = _step("export", lambda: services.export_text(org))
        print(f"export: {len(first.encode()):,} bytes")
        outcome = _step(
            "apply into an empty org", lambda: services.apply_file(first, org_slug="copy")
        )
        skipped = sum(1 for p in outcome.report.problems)
        print(f"applied {len(outcome.changes):,} changes, {skipped:,} problem(s)")
        for p in outcome.report.problems[:5]:
            print("  ", p.as_text()[:200])
        copy = outcome.org
        second = _step("export the copy", lambda: services.export_text(copy))
        same = first.split("\nteams:", 1)[1] == second.split("\nteams:", 1)[1]
        print(f"second export identical: {same}")
        return

    from bench.orgfile_gen import org_file

    # orgfile_gen: per 10 people, 1 team, 10 memberships, 1 objective, 1 initiative (~2.3 a person)
    people = max(round(args.objects / 2.3), 10)
    text = org_file(people, slug="bigco")
    items = sum(1 for line in text.splitlines() if line.startswith("  - "))
    print(f"file: {items:,} objects, {len(text.encode()):,} bytes")
    plan = _step("plan (new org)", lambda: services.plan_file(text, org_slug="bigco"))
    print(f"planned {len(plan.changes):,} changes, {len(plan.report):,} problem(s)")

    def apply():
        if not args.profile:
            return services.apply_file(text, org_slug="bigco")
        import cProfile

        with cProfile.Profile() as prof:
            outcome = services.apply_file(text, org_slug="bigco")
        prof.dump_stats(args.profile)
        return outcome

    applied = _step("apply (new org)", apply)
    print(f"applied {len(applied.changes):,} changes, {len(applied.report):,} problem(s)")
    _step("plan again (no changes)", lambda: services.plan_file(text, org_slug="bigco"))


if __name__ == "__main__":
    main()
