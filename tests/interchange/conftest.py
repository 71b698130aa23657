"""The Kubernetes community data lives outside the repository (../shared/datasets); tests copy
it into a temporary directory so nothing they do can touch the original. And the installed
`accord` run as the command line runs it, on a database of its own (`accord_on_own_database`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import template_db

ACCORD = str(Path(sys.executable).with_name("accord"))  # the installed console script

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


def accord_on_own_database(tmp_path: Path, org_file: str) -> Callable[..., tuple[int, str]]:
    """`accord ARGS…` on a database file of its own holding the organization `org_file`
    (YAML, applied first): (exit status, output)."""
    database = tmp_path / "accord.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "ACCORD_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> tuple[int, str]:
        done = subprocess.run([ACCORD, *args], capture_output=True, text=True, timeout=120, env=env)
        assert "Traceback" not in done.stderr, done.stderr
        return done.returncode, done.stdout

    if not template_db.migrated_sqlite(database):
        assert run("migrate")[0] == 0
    (tmp_path / "org.yaml").write_text(org_file)
    assert run("apply", str(tmp_path / "org.yaml"))[0] == 0
    return run
