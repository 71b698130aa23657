"""`accord import csv --dry-run` exits as the import itself would: a file with a column that
looks like a known one misspelt (`Titel`) is not imported without --allow-ignored-columns
(exit 1), so its dry run exits 1 too, as `accord plan` does for a file that cannot be
applied; with --allow-ignored-columns both go ahead (exit 0)."""

from __future__ import annotations

import pytest
from django.core.management import ManagementUtility

from .helpers import dump

MISSPELT = "email,name,Titel\r\nnia@acme.example,Nia Noor,Engineer\r\n"


def _exit(monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    """The exit status and output of `accord …` as on the command line."""
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    try:
        ManagementUtility(["accord", *argv]).execute()
        code = 0
    except SystemExit as stopped:
        code = stopped.code
    return code, capsys.readouterr().out


def test_the_dry_run_of_a_file_the_import_refuses_exits_1(cast, tmp_path, monkeypatch, capsys):
    path = tmp_path / "people.csv"
    path.write_text(MISSPELT)
    before = dump()
    args = ("import", "csv", str(path), "--org", "acme")
    code, out = _exit(monkeypatch, capsys, *args, "--dry-run")
    assert code == 1, out
    assert out.count("Importing this file needs --allow-ignored-columns") == 1, out
    assert _exit(monkeypatch, capsys, *args)[0] == 1  # as the import itself
    assert dump() == before
    code, out = _exit(monkeypatch, capsys, *args, "--dry-run", "--allow-ignored-columns")
    assert code == 0 and "needs --allow-ignored-columns" not in out, out
    assert dump() == before
    code, out = _exit(monkeypatch, capsys, *args, "--dry-run", "--json")
    assert code == 1


@pytest.mark.parametrize("json", [False, True])
def test_a_dry_run_without_such_a_column_exits_0(cast, tmp_path, monkeypatch, capsys, json):
    path = tmp_path / "people.csv"
    path.write_text("email,name,Notes\r\nnia@acme.example,Nia Noor,hello\r\n")
    extra = ("--json",) if json else ()
    code, out = _exit(
        monkeypatch, capsys, "import", "csv", str(path), "--org", "acme", "--dry-run", *extra
    )
    assert code == 0, out
