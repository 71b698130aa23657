"""Critical paths on hand-built cases: the upstream chain with the largest total duration."""

from __future__ import annotations

import datetime as dt

from accord.coordination import graph

D = dt.date(2026, 1, 1)


def span(days: int, offset: int = 0):
    return (D + dt.timedelta(days=offset), D + dt.timedelta(days=offset + days))


def test_it_follows_the_longest_chain_by_duration():
    # A depends on B and C; B depends on D. A=10, B=5, C=30, D=20 days.
    edges = [("A", "B"), ("A", "C"), ("B", "D")]
    dates = {"A": span(10), "B": span(5), "C": span(30), "D": span(20)}
    result = graph.critical_paths("A", edges, dates)
    assert result.paths == [["A", "C"]]
    assert result.length == 40


def test_a_longer_chain_of_short_pieces_wins_over_one_long_piece():
    edges = [("A", "B"), ("B", "D"), ("A", "C")]
    dates = {"A": span(10), "B": span(15), "C": span(30), "D": span(20)}
    result = graph.critical_paths("A", edges, dates)
    assert result.paths == [["A", "B", "D"]]
    assert result.length == 45


def test_ties_return_every_critical_path():
    edges = [("A", "B"), ("A", "C")]
    dates = {"A": span(1), "B": span(7), "C": span(7)}
    result = graph.critical_paths("A", edges, dates)
    assert sorted(result.paths) == [["A", "B"], ["A", "C"]]


def test_without_dates_the_chain_that_reaches_furthest_upstream_wins():
    edges = [(1, 2), (2, 3), (3, 4), (1, 5)]
    result = graph.critical_paths(1, edges, {})
    assert result.paths == [[1, 2, 3, 4]]
    assert result.length == 0


def test_an_initiative_with_no_dependencies_is_its_own_critical_path():
    result = graph.critical_paths(7, [(1, 2)], {7: span(3)})
    assert result.paths == [[7]]
    assert result.length == 3


def test_a_cycle_upstream_does_not_loop_forever():
    edges = [("A", "B"), ("B", "C"), ("C", "B"), ("C", "D")]
    dates = {k: span(1) for k in "ABCD"}
    result = graph.critical_paths("A", edges, dates)
    # Inside the cycle B<->C no edge counts; the chain ends where the cycle is entered.
    assert result.paths[0][0] == "A"
    assert result.length >= 2


def test_the_organizations_longest_chain_starts_at_the_most_downstream_initiative():
    edges = [(1, 2), (2, 3), (10, 11)]
    dates = {1: span(5), 2: span(5), 3: span(5), 10: span(12), 11: span(1)}
    result = graph.longest_chain([1, 2, 3, 10, 11], edges, dates)
    assert result.paths == [[1, 2, 3]]
    assert result.length == 15


def test_coordination_load_counts_both_sides():
    load = graph.coordination_load([("s", "o", False), ("s", "o", True), ("o", "p", False)])
    assert (load["s"].outbound, load["s"].inbound, load["s"].outbound_late) == (2, 0, 1)
    assert (load["o"].inbound, load["o"].outbound, load["o"].inbound_late) == (2, 1, 1)
    assert (load["p"].inbound, load["p"].late) == (1, 0)


def _all_chains(start, edges):
    out, work = [], [[start]]
    while work:
        path = work.pop()
        nexts = [b for a, b in edges if a == path[-1]]
        if not nexts:
            out.append(path)
        work.extend([*path, b] for b in nexts)
    return out


def test_on_random_acyclic_graphs_it_matches_trying_every_chain():
    import random

    rng = random.Random(3)
    for _ in range(200):
        n = rng.randint(1, 8)
        edges = sorted({(a, b) for a in range(n) for b in range(a + 1, n) if rng.random() < 0.35})
        dates = {i: span(rng.randint(0, 5)) for i in range(n)}
        chains = _all_chains(0, edges)
        best = max(sum(graph.duration_days(*dates[x]) for x in c) for c in chains)
        result = graph.critical_paths(0, edges, dates, limit=1000)
        assert result.length == best
        assert all(sum(graph.duration_days(*dates[x]) for x in p) == best for p in result.paths)
        top = [c for c in chains if sum(graph.duration_days(*dates[x]) for x in c) == best]
        longest_hops = max(len(c) for c in top)
        assert sorted(result.paths) == sorted(c for c in top if len(c) == longest_hops)
