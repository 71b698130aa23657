"""`accord import csv --dry-run` exits 3 when the import would skip rows, as the import does.

A people CSV with one misspelt team and one row without an e-mail address: the dry run
printed its plan and exited 0, the import itself then exited 3 ("Partly applied: 2 changes
made, 2 rows skipped"); a script checking the file first with --dry-run was told it was
fine. Run as the command line runs it: the installed `accord`, on a database of its own.
"""

from __future__ import annotations

import json

import pytest

from tests.interchange.conftest import accord_on_own_database

ORG = """\
accord: 1
organization: {name: Acme, slug: acme}
teams:
  - {slug: engineering, name: Engineering}
  - {slug: firmware, name: Firmware, parent: engineering}
people:
  - {email: ada@acme.example, name: Ada Admin, role: admin}
  - {email: linus@acme.example, name: Linus Firm}
"""

PEOPLE = (
    "Full name,E-mail address,Job title,Team\r\n"
    "Linus Firm,linus@acme.example,Firmware engineer,Firmware\r\n"
    "Bob Typo,bob@acme.example,Engineer,Firmwre\r\n"
    "No Email,,Engineer,Firmware\r\n"
)


@pytest.fixture
def accord(db, tmp_path):
    """`accord ARGS…` on a database file of its own holding Acme: (exit status, output)."""
    return accord_on_own_database(tmp_path, ORG)


def test_a_dry_run_that_would_skip_rows_exits_3_as_the_import_does(accord, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    args = ("import", "csv", str(path), "--org", "acme")

    code, out = accord(*args, "--dry-run")
    assert code == 3, out
    assert "Applying it would skip 2 rows for the problems above." in out
    code, out = accord(*args, "--dry-run", "--json")
    assert code == 3 and json.loads(out)["skipped"] == 2
    # --strict: the dry run says the import would be refused (1), as before.
    assert accord(*args, "--dry-run", "--strict")[0] == 1

    code, out = accord(*args)  # the import itself: the same status
    assert code == 3, out
    assert "Partly applied: 2 changes made, 2 rows skipped for the problems above." in out


def test_a_dry_run_of_a_clean_file_still_exits_0(accord, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("email,title\r\nlinus@acme.example,Firmware lead\r\n")
    code, out = accord("import", "csv", str(path), "--org", "acme", "--dry-run")
    assert code == 0, out
    assert "Plan only: nothing was changed." in out
