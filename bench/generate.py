"""Benchmark of `accord generate` (accord/core/generator/): time, rows and memory.

Each size runs in its own process against its own scratch SQLite database (created and
migrated first, in a temporary directory that is removed afterwards), so the figures do
not depend on what ran before. Prints the rows written per table, the wall-clock and CPU
time of the generation (migrations excluded), rows per second and the peak memory (RSS)
of the process.

    python bench/generate.py                    # 100, 1,000 and 10,000 teams
    python bench/generate.py --sizes 100 1000   # some sizes only
    python bench/generate.py --keep DIR         # keep the databases under DIR
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOW = "2026-11-30T12:00:00+00:00"  # a fixed clock: the same organization on every run


def one(teams: int, seed: int) -> dict:
    """Run in a child process whose environment points at a scratch database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accord.core.generator import generate

    wall, cpu = time.perf_counter(), time.process_time()
    result = generate(teams, seed=seed, slug=f"bench-{teams}", now=dt.datetime.fromisoformat(NOW))
    return {
        "teams": teams,
        "rows": result.rows,
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run(teams: int, seed: int, keep: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix=f"gen-{teams}-", dir=keep) as data_dir:
        env = {**os.environ, "ACCORD_DATA_DIR": data_dir, "PYTHONPATH": str(ROOT)}
        env.pop("DATABASE_URL", None)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(teams), "--seed", str(seed)],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        if keep:  # keep the directory: move the database out before it is removed
            target = Path(keep) / f"generate-{teams}.sqlite3"
            os.replace(Path(data_dir) / "accord.sqlite3", target)
        return json.loads(out.strip().splitlines()[-1])


def report(results: list[dict]) -> None:
    labels = sorted({label for r in results for label in r["rows"]})
    width = max(len(label) for label in labels)
    print(f"{'table'.ljust(width)}  " + "  ".join(f"{r['teams']:>12,}" for r in results))
    for label in labels:
        counts = "  ".join(f"{r['rows'].get(label, 0):>12,}" for r in results)
        print(f"{label.ljust(width)}  {counts}")
    rows = [sum(r["rows"].values()) for r in results]
    lines = {
        "rows in all": [f"{n:>12,}" for n in rows],
        "wall time (s)": [f"{r['wall']:>12.1f}" for r in results],
        "CPU time (s)": [f"{r['cpu']:>12.1f}" for r in results],
        "rows per second": [f"{n / r['wall']:>12,.0f}" for n, r in zip(rows, results, strict=True)],
        "peak RSS (MB)": [f"{r['peak_rss_mb']:>12,.0f}" for r in results],
    }
    for name, cells in lines.items():
        print(f"{name.ljust(width)}  " + "  ".join(cells))
    load = os.getloadavg()
    print(f"load average after the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", default=None, help="Keep the databases in this directory.")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        print(json.dumps(one(args.child, args.seed)))
        return
    results = []
    for teams in args.sizes:
        results.append(run(teams, args.seed, args.keep))
        r = results[-1]
        print(f"{teams:,} teams: {sum(r['rows'].values()):,} rows in {r['wall']:.1f}s", flush=True)
    report(results)


if __name__ == "__main__":
    main()
