"""`accord plan FILE` and `accord import kubernetes DIR --dry-run` exit 3 when applying
would skip items for their problems, as `accord apply`, the import and `accord import csv
--dry-run` do: a script checking a file first tells a clean one (0) from one that would be
partly applied (3) and from one that cannot be applied (1). The plan is printed all the same.
Run as the command line runs it: the installed `accord`, on a database of its own.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from accord.interchange.management.commands._common import SKIPPED_EXIT, Said
from accord.org import services as org_services
from accord.org.models import Person
from tests.interchange.conftest import accord_on_own_database

ORG = """\
accord: 1
organization: {name: Acme, slug: acme}
teams:
  - {slug: engineering, name: Engineering}
people:
  - {email: ada@acme.example, name: Ada Admin, role: admin}
"""

ONE_PROBLEM = ORG + (
    "  - {email: linus@acme.example, name: Linus Firm}\n"
    "  - {email: bob@acme.example, name: Bob Typo, role: boss}\n"
)


@pytest.fixture
def accord(db, tmp_path):
    """`accord ARGS…` on a database file of its own holding Acme: (exit status, output)."""
    return accord_on_own_database(tmp_path, ORG)


def test_a_plan_that_would_skip_an_item_exits_3_and_still_shows_the_plan(accord, tmp_path):
    path = tmp_path / "more.yaml"
    path.write_text(ONE_PROBLEM)

    code, out = accord("plan", str(path))
    assert code == 3, out
    assert "+ people Linus Firm" in out or "+ people linus@acme.example" in out
    assert "people[2].role" in out
    assert "Applying it would skip 1 item for the problems above." in out
    code, out = accord("plan", str(path), "--json")
    assert code == 3 and json.loads(out)["skipped"] == 1

    # Applying it skips that item and exits 3 as the plan said; a plan again is clean: 0.
    assert accord("apply", str(path))[0] == 3
    path.write_text(ONE_PROBLEM.replace("role: boss", "role: member"))
    code, out = accord("plan", str(path))
    assert code == 0, out
    assert "would skip" not in out


def test_a_clean_plan_exits_0_and_one_that_cannot_be_applied_1(accord, tmp_path):
    path = tmp_path / "same.yaml"
    path.write_text(ORG)
    code, out = accord("plan", str(path))
    assert (code, "No changes." in out) == (0, True), out

    path.write_text(ORG.replace("accord: 1", "accord: 9"))
    assert accord("plan", str(path))[0] == 1
    path.write_text(ONE_PROBLEM)
    assert accord("plan", str(path), "--strict")[0] == 1  # strict: refused, not skipped


def _refused_item(tmp_path: Path) -> None:
    """Kubernetes data whose second chair's GitHub handle is someone else's in Accord:
    an item Accord refuses (not an oddity of the data)."""
    (tmp_path / "keps").mkdir()
    (tmp_path / "sigs.yaml").write_text(
        "sigs:\n  - dir: sig-docs\n    name: Docs\n    leadership:\n      chairs:\n"
        "        - {github: one, name: One, email: one@example.com}\n"
        "        - {github: two, name: Two, email: two@example.com}\n"
    )
    org = org_services.create_organization("Kubernetes", "kubernetes")
    org_services.add_person(org, None, name="Both", email="one@example.com", handles=["github:two"])


def test_a_kubernetes_dry_run_exits_3_when_the_import_would_refuse_items(db, tmp_path):
    _refused_item(tmp_path)
    out = io.StringIO()
    with pytest.raises(Said) as raised:
        call_command("import", "kubernetes", str(tmp_path), "--dry-run", stdout=out)
    assert raised.value.returncode == SKIPPED_EXIT
    assert "identity_taken" in out.getvalue()
    assert "Applying it would skip 2 items for the problems above." in out.getvalue()
    assert Person.objects.count() == 1  # a dry run writes nothing

    with pytest.raises(Said) as applied:  # as the import itself exits
        call_command("import", "kubernetes", str(tmp_path), "--quiet", stdout=io.StringIO())
    assert applied.value.returncode == SKIPPED_EXIT


def test_a_clean_kubernetes_dry_run_exits_0(db, tmp_path):
    (tmp_path / "keps").mkdir()
    (tmp_path / "sigs.yaml").write_text(
        "sigs:\n  - dir: sig-docs\n    name: Docs\n    leadership:\n      chairs:\n"
        "        - {github: one, name: One, email: one@example.com}\n"
    )
    out = io.StringIO()
    call_command("import", "kubernetes", str(tmp_path), "--dry-run", stdout=out)
    assert "would skip" not in out.getvalue()
    assert Person.objects.count() == 0
