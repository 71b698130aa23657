"""Duplicate detection on real data: the Kubernetes enhancement proposals, whose replaces /
superseded-by links are known related pairs. The data lives outside the repository
(../shared/datasets/kubernetes); without it these tests are skipped and say why."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from accord.intelligence import duplicates

ROOT = Path(__file__).resolve().parents[2]
DATASET = Path(
    os.environ.get("ACCORD_KUBERNETES_DATASET", ROOT.parent / "shared" / "datasets" / "kubernetes")
)

pytestmark = pytest.mark.skipif(
    not (DATASET / "sigs.yaml").exists(),
    reason=f"The Kubernetes dataset is not at {DATASET} (set ACCORD_KUBERNETES_DATASET); "
    "the project does not commit it.",
)


@pytest.fixture(scope="module")
def proposals():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from duplicates import kubernetes_items  # bench/duplicates.py
    finally:
        sys.path.remove(str(ROOT / "bench"))
    duplicates.forget()
    return kubernetes_items(DATASET)


def test_replacement_proposals_are_among_each_others_nearest(proposals):
    items, known = proposals
    assert len(known) >= 8
    # Text alone (every proposal its own team): most replacements are near each other.
    alone = [duplicates.Item(i.id, i.id, i.text) for i in items]
    q = duplicates.measure(alone, known)
    assert q.recall_top >= 0.75, q
    assert q.recall >= 0.4, q


def test_the_replacement_across_groups_is_found_at_the_default_threshold(proposals):
    items, known = proposals
    team = {i.id: i.team_id for i in items}
    across = {(min(a, b), max(a, b)) for a, b in known if team[a] != team[b]}
    assert across  # bound service account tokens, owned by another group than their volumes
    found = {(p.a, p.b) for p in duplicates.find_pairs(items)}
    assert across <= found
    # ...and never a pair inside one group, however alike.
    assert all(team[a] != team[b] for a, b in found)
