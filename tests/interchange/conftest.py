"""The Kubernetes community data lives outside the repository (../shared/datasets); tests copy
it into a temporary directory so nothing they do can touch the original."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

DATASET = Path(
    os.environ.get(
        "ACCORD_KUBERNETES_DATASET",
        Path(__file__).resolve().parents[2].parent / "shared" / "datasets" / "kubernetes",
    )
)


def _only_kep_files(directory: str, names: list[str]) -> list[str]:
    return [n for n in names if n != "kep.yaml" and not (Path(directory) / n).is_dir()]


@pytest.fixture(scope="session")
def k8s_source(tmp_path_factory) -> Path:
    if not (DATASET / "sigs.yaml").exists():
        pytest.skip(
            f"The Kubernetes dataset is not at {DATASET} (set ACCORD_KUBERNETES_DATASET); "
            "the project does not commit it."
        )
    target = tmp_path_factory.mktemp("kubernetes")
    shutil.copy(DATASET / "sigs.yaml", target / "sigs.yaml")
    shutil.copytree(
        DATASET / "keps",
        target / "keps",
        ignore=shutil.ignore_patterns("*.md", "*.png", "*.svg", "*.jpg"),
    )
    return target


@pytest.fixture
def k8s_dir(k8s_source, tmp_path) -> Path:
    """A private copy a test may change."""
    target = tmp_path / "kubernetes"
    shutil.copytree(k8s_source, target)
    return target
