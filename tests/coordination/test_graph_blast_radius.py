"""The blast radius of a slip equals brute-force reachability on random graphs."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from accord.coordination import graph

graphs_with_sources = st.integers(min_value=1, max_value=12).flatmap(
    lambda n: st.tuples(
        st.just(list(range(n))),
        st.lists(
            st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n * 3, unique=True
        ),
        st.sets(st.integers(0, n - 1), min_size=1, max_size=3),
    )
)


def _brute_force_downstream(nodes, edges, sources):
    """Repeat 'anything that depends on something reached is reached' until nothing changes."""
    reached = set()
    frontier = set(sources)
    while True:
        new = {a for a, b in edges if b in frontier or b in reached} - reached
        if not new:
            return reached
        reached |= new
        frontier = new


@settings(max_examples=300, deadline=None)
@given(graphs_with_sources)
def test_blast_radius_equals_brute_force_reachability(g):
    nodes, edges, sources = g
    team_of = {n: f"team-{n % 3}" for n in nodes}
    objectives_of = {n: [f"obj-{n % 4}"] for n in nodes}
    expected = _brute_force_downstream(nodes, edges, sources)
    got = graph.blast_radius(sources, edges, team_of, objectives_of)
    assert got.initiatives == expected
    assert got.teams == {team_of[n] for n in expected}
    assert got.objectives == {f"obj-{n % 4}" for n in expected}


def test_a_slip_reaches_through_a_chain_but_not_upstream():
    # 1 depends on 2 depends on 3; 4 depends on 1. A slip of 2 hurts 1 and 4, not 3.
    edges = [(1, 2), (2, 3), (4, 1)]
    assert graph.downstream([2], edges) == {1, 4}
    assert graph.downstream([4], edges) == set()
