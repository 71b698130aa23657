"""Benchmark of the dependency-graph analyses (accord/coordination/graph.py).

A synthetic organization: TEAMS teams, 3 initiatives each, DEPS dependencies between
initiatives of different teams (mostly pointing "upstream" as real plans do, plus a few
cycles). Prints the time of every analysis and its ratio to one plain pass over the edge
list, at 1x, 10x and 100x the size (100x = 10,000 teams / 100,000 dependencies).

If networkx and/or rustworkx are importable, the same analyses are timed with them too
(graph construction included, since our data arrives as plain lists).

    python bench/coordination_graph.py            # 1x, 10x, 100x
    python bench/coordination_graph.py --only 100 # just the largest
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from accord.coordination import graph


def synthetic(teams: int, deps: int, seed: int = 7):
    rng = random.Random(seed)
    per_team = 3
    n = teams * per_team
    team_of = {i: i // per_team for i in range(n)}
    base = dt.date(2026, 1, 1)
    dates = {}
    for i in range(n):
        start = base + dt.timedelta(days=rng.randrange(0, 180))
        dates[i] = (start, start + dt.timedelta(days=rng.randrange(7, 90)))
    edges = set()
    while len(edges) < deps:
        a = rng.randrange(n)
        # Mostly depend on an "earlier" initiative (upstream); 0.1% go the other way.
        if rng.random() < 0.001:
            b = rng.randrange(n)
        else:
            b = rng.randrange(max(0, a - 2000), a) if a > 0 else 1
        if team_of[a] != team_of[b]:
            edges.add((a, b))
    edges = sorted(edges)
    late = [rng.random() < 0.1 for _ in edges]
    objectives_of = {i: [i // 10] for i in range(n)}
    return list(range(n)), edges, dates, team_of, late, objectives_of


def timed(fn, repeat: int = 3):
    best = float("inf")
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def plain_pass(edges):
    count = 0
    for a, b in edges:
        if a != b:
            count += 1
    return count


def run(teams: int, deps: int) -> None:
    nodes, edges, dates, team_of, late, objectives_of = synthetic(teams, deps)
    base, _ = timed(lambda: plain_pass(edges))
    start = nodes[-1]
    source_team = team_of[nodes[len(nodes) // 2]]
    team_nodes = [n for n in nodes if team_of[n] == source_team]
    triples = [(team_of[a], team_of[b], lt) for (a, b), lt in zip(edges, late, strict=True)]
    analyses = {
        "cycles (Tarjan SCC)": lambda: graph.cycles(nodes, edges),
        "critical path from one initiative": lambda: graph.critical_paths(start, edges, dates),
        "longest chain in the organization": lambda: graph.longest_chain(nodes, edges, dates),
        "blast radius of a team": lambda: graph.blast_radius(
            team_nodes, edges, team_of, objectives_of
        ),
        "coordination load per team": lambda: graph.coordination_load(triples),
    }
    print(f"\n{teams:,} teams · {len(nodes):,} initiatives · {len(edges):,} dependencies")
    print(f"  {'plain pass over the edge list':40s} {base * 1000:8.1f} ms   1.0x")
    results = {}
    for name, fn in analyses.items():
        t, results[name] = timed(fn)
        print(f"  {name:40s} {t * 1000:8.1f} ms {t / base:5.1f}x")
    found = results["cycles (Tarjan SCC)"]
    print(
        f"  ({len(found)} cycles, critical path length "
        f"{results['critical path from one initiative'].length} days, blast radius "
        f"{len(results['blast radius of a team'].initiatives)} initiatives)"
    )
    _libraries(nodes, edges, base)


def _libraries(nodes, edges, base) -> None:
    try:
        import networkx as nx
    except ImportError:
        nx = None
    try:
        import rustworkx as rx
    except ImportError:
        rx = None
    if nx is not None:

        def nx_cycles():
            g = nx.DiGraph()
            g.add_nodes_from(nodes)
            g.add_edges_from(edges)
            return [c for c in nx.strongly_connected_components(g) if len(c) > 1]

        def nx_blast():
            g = nx.DiGraph()
            g.add_nodes_from(nodes)
            g.add_edges_from(edges)
            return nx.ancestors(g, nodes[len(nodes) // 2])

        for name, fn in (("networkx: cycles", nx_cycles), ("networkx: blast radius", nx_blast)):
            t, _ = timed(fn)
            print(f"  {name:40s} {t * 1000:8.1f} ms {t / base:5.1f}x")
    if rx is not None:

        def rx_build():
            g = rx.PyDiGraph()
            idx = dict(zip(nodes, g.add_nodes_from(nodes), strict=True))
            g.add_edges_from_no_data([(idx[a], idx[b]) for a, b in edges])
            return g, idx

        def rx_cycles():
            g, _ = rx_build()
            return [c for c in rx.strongly_connected_components(g) if len(c) > 1]

        def rx_blast():
            g, idx = rx_build()
            return rx.ancestors(g, idx[nodes[len(nodes) // 2]])

        for name, fn in (
            ("rustworkx: build only", rx_build),
            ("rustworkx: cycles", rx_cycles),
            ("rustworkx: blast radius", rx_blast),
        ):
            t, _ = timed(fn)
            print(f"  {name:40s} {t * 1000:8.1f} ms {t / base:5.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, choices=(1, 10, 100), help="one scale only")
    args = parser.parse_args()
    scales = [args.only] if args.only else [1, 10, 100]
    for k in scales:
        run(teams=100 * k, deps=1000 * k)


if __name__ == "__main__":
    main()
