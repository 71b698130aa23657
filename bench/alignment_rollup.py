"""Benchmark of the alignment roll-up (accord/alignment/queries.py, on plain data).

A synthetic period: N objectives (5% organization level, the rest in a tree below them,
every tenth with a second parent), three key results each of mixed directions. Times
the set-based roll-up (key-result progress, objective progress through the graph, team
and organization progress) at 1x, 10x and 100x (100x = 100,000 objectives, 300,000 key
results) and prints the cost per objective, which should stay flat (linear growth).

    python bench/alignment_rollup.py            # 1x, 10x, 100x
    python bench/alignment_rollup.py --only 10  # just one size
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

import django

django.setup()

from accord.alignment import queries  # noqa: E402

DIRECTIONS = ["increase", "decrease", "above", "below", "range"]


def synthetic(n: int, seed: int = 3):
    rng = random.Random(seed)
    roots = max(1, n // 20)
    teams = max(2, n // 40)
    objectives = {
        i: {
            "id": i,
            "title": f"Objective {i}",
            "status": "dropped" if rng.random() < 0.02 else "active",
            "level": "org" if i < roots else "team",
            "team_id": None if i < roots else rng.randrange(teams),
            "owner_id": None,
            "period_id": 1,
            "confidence": None,
            "confidence_updated_at": None,
        }
        for i in range(n)
    }
    children = defaultdict(list)
    parents = defaultdict(list)
    for i in range(roots, n):
        p = rng.randrange(0, i)
        children[p].append((i, 1.0))
        parents[i].append((p, 1.0))
        if i % 10 == 0:
            q = rng.randrange(0, roots)
            if q != p:
                children[q].append((i, 2.0))
                parents[i].append((q, 2.0))
    key_results = {}
    for i in range(n):
        for j in range(3):
            kid = i * 3 + j
            start, target = rng.uniform(0, 50), rng.uniform(50, 100)
            key_results[kid] = {
                "id": kid,
                "objective_id": i,
                "direction": rng.choice(DIRECTIONS),
                "start": start,
                "target": target,
                "current": rng.uniform(0, 120),
                "range_low": 40.0,
                "range_high": 60.0,
                "is_milestone": j == 2 and rng.random() < 0.2,
                "done": rng.random() < 0.5,
                "weight": rng.choice([1.0, 1.0, 2.0]),
            }
    return objectives, key_results, dict(children), dict(parents)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", type=int, choices=[1, 10, 100])
    args = parser.parse_args()
    base = 1000
    print(f"{'size':>6} {'objectives':>11} {'key results':>12} {'roll-up':>9} {'µs/objective':>13}")
    for factor in [args.only] if args.only else [1, 10, 100]:
        objectives, key_results, children, parents = synthetic(base * factor)
        gc.collect()
        gc.freeze()  # the synthetic input is long-lived; do not let it skew the timing
        started = time.perf_counter()
        r = queries._compute([1], objectives, key_results, children, parents)
        elapsed = time.perf_counter() - started
        assert r.org_progress is not None
        per = elapsed / len(objectives) * 1e6
        sizes = f"{len(objectives):>11,} {len(key_results):>12,}"
        print(f"{factor:>5}x {sizes} {elapsed:>8.3f}s {per:>13.1f}")


if __name__ == "__main__":
    main()
