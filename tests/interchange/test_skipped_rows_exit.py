"""An import or apply that skips rows says how many it applied and skipped, and exits 3.

A customer's setup script ran `accord import csv memberships.csv` whose four rows were all
rejected: it printed "No changes. … 4 problem(s) … Applied." and exited 0; a people CSV with
a duplicate address and a role `superuser` was partly applied, exit 0. The script could not
tell rows were lost. And `accord apply --strict` of a bad file printed "+ organization
(created)" above "nothing was changed".
"""

from __future__ import annotations

import io
import json

from django.core.management import ManagementUtility, call_command

from accord.org.models import Membership, Organization, Person

from .helpers import ORG_FILE

NOBODY = (
    "team,person,role\r\n"
    "nowhere,a@acme.example,member\r\n"
    "nowhere,b@acme.example,member\r\n"
    "nowhere,c@acme.example,member\r\n"
    "nowhere,d@acme.example,member\r\n"
)
PEOPLE = (
    "name,email,role\r\n"
    "Ann,ann@acme.example,member\r\n"
    "Ann Again,ann@acme.example,member\r\n"
    "Bob,bob@acme.example,superuser\r\n"
    "Cid,cid@acme.example,member\r\n"
)


def _run(monkeypatch, capsys, *argv: str) -> tuple[int, str, str]:
    """`accord *argv` as the command line runs it: exit status, output, errors."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    try:
        ManagementUtility(["accord", *argv]).execute()
        code = 0
    except SystemExit as exc:
        code = exc.code
    said = capsys.readouterr()
    return code, said.out, said.err


def test_all_rows_rejected_says_nothing_was_applied_and_exits_3(
    cast, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "memberships.csv"
    path.write_text(NOBODY)
    code, out, err = _run(monkeypatch, capsys, "import", "csv", str(path), "--org", "acme")
    assert code == 3, out
    assert "Nothing was applied: 4 rows skipped for the problems above." in out
    assert "Applied." not in out and "No changes." not in out
    assert err == ""


def test_a_partly_applied_people_csv_counts_both_and_exits_3(cast, tmp_path, monkeypatch, capsys):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE)
    code, out, _ = _run(monkeypatch, capsys, "import", "csv", str(path), "--org", "acme")
    assert code == 3, out
    assert "Partly applied: 2 changes made, 2 rows skipped for the problems above." in out
    assert "Applied." not in out
    assert set(
        Person.objects.filter(
            org=cast.org, email__in=["ann@acme.example", "cid@acme.example"]
        ).values_list("email", flat=True)
    ) == {"ann@acme.example", "cid@acme.example"}
    # --json: the report alone (its "skipped" count), the same exit status.
    code, out, _ = _run(monkeypatch, capsys, "import", "csv", str(path), "--org", "acme", "--json")
    assert code == 3 and json.loads(out)["skipped"] == 2


def test_a_row_with_several_problems_counts_once(cast):
    from accord.interchange import csvio

    outcome = csvio.import_csv(
        b"team,person\r\nnowhere,nobody@acme.example\r\n", org_slug="acme", dry_run=True
    )
    assert outcome.skipped() == 1
    assert "Applying it would skip 1 row for the problems above." in outcome.as_text()


def test_a_clean_import_still_says_applied_and_exits_0(cast, tmp_path):
    path = tmp_path / "memberships.csv"
    path.write_text("team,person,role\r\nplatform,leo.leader@acme.example,lead\r\n")
    out = io.StringIO()
    call_command("import", "csv", str(path), "--org", "acme", stdout=out)  # raises otherwise
    assert out.getvalue().rstrip().endswith("Applied.")
    assert Membership.objects.get(person=cast.leader).role == "lead"


def test_apply_that_skips_an_item_exits_3(db, tmp_path, monkeypatch, capsys):
    path = tmp_path / "initech.yaml"
    path.write_text(ORG_FILE.replace("America/Chicago", "Mars/Olympus"))
    code, out, _ = _run(monkeypatch, capsys, "apply", str(path), "--org", "initech")
    assert code == 3, out
    # Peter (an unknown time zone) and his two memberships.
    assert "changes made, 3 items skipped for the problems above." in out, out
    assert out.rstrip().splitlines()[-1].startswith("Partly applied: ")
    # The plan says what applying would skip, and exits 3 as applying does (it changes
    # nothing).
    code, out, _ = _run(monkeypatch, capsys, "plan", str(path), "--org", "initech")
    assert code == 3 and "Applying it would skip" in out


def test_a_strict_apply_that_stops_says_what_it_would_have_created(
    db, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "initech.yaml"
    path.write_text(ORG_FILE.replace("America/Chicago", "Mars/Olympus"))
    code, out, _ = _run(monkeypatch, capsys, "apply", str(path), "--strict")
    assert code == 1
    assert "+ organization (would have been created)" in out
    assert "(created)" not in out and "nothing was changed" in out
    assert not Organization.objects.filter(slug="initech").exists()
    code, out, _ = _run(monkeypatch, capsys, "plan", str(path))
    assert "+ organization (to create)" in out and "(created)" not in out
