"""Cycles are found exactly: compared with a brute-force check on random small graphs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.coordination import graph

small_graphs = st.integers(min_value=1, max_value=9).flatmap(
    lambda n: st.tuples(
        st.just(list(range(n))),
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n * 3, unique=True
        ),
    )
)


def _reach(nodes, edges):
    """reach[a] = set of nodes reachable from a by one or more edges (Floyd-Warshall style)."""
    reach = {n: set() for n in nodes}
    for a, b in edges:
        reach[a].add(b)
    changed = True
    while changed:
        changed = False
        for a in nodes:
            extra = set()
            for b in reach[a]:
                extra |= reach[b]
            if not extra <= reach[a]:
                reach[a] |= extra
                changed = True
    return reach


def _brute_force_cycles(nodes, edges):
    reach = _reach(nodes, edges)
    groups = []
    seen = set()
    for a in nodes:
        if a in seen or a not in reach[a]:
            continue
        group = sorted({a} | {b for b in reach[a] if a in reach[b]})
        seen.update(group)
        groups.append(group)
    return sorted(groups)


@settings(max_examples=300, deadline=None)
@given(small_graphs)
def test_it_finds_exactly_the_cycles_a_brute_force_check_finds(g):
    nodes, edges = g
    assert graph.cycles(nodes, edges) == _brute_force_cycles(nodes, edges)


@settings(max_examples=200, deadline=None)
@given(small_graphs)
def test_strongly_connected_components_partition_the_nodes(g):
    nodes, edges = g
    comps = graph.strongly_connected_components(nodes, edges)
    flat = [n for c in comps for n in c]
    assert sorted(flat) == nodes


def test_it_handles_a_chain_far_deeper_than_the_recursion_limit():
    n = 50_000
    edges = [(i, i + 1) for i in range(n - 1)] + [(n - 1, 0)]
    found = graph.cycles(range(n), edges)
    assert len(found) == 1 and len(found[0]) == n


def test_a_self_dependency_is_a_cycle_and_a_chain_is_not():
    assert graph.cycles([1, 2, 3], [(1, 2), (2, 3)]) == []
    assert graph.cycles([1, 2], [(1, 1), (1, 2)]) == [[1]]
