"""CSV import and export, including what Excel writes (BOM, `;`, CRLF, decimal commas)."""

from __future__ import annotations

import csv
import io
import zipfile

from accord.interchange import csvio, services
from accord.org.models import Membership, Person, Team

from .helpers import ORG_FILE, dump

TEAM_COLUMNS = (
    "slug,name,parent,description,kind,state,retired_on,mission,website,repository,chat,"
    "mailing_list"
)


def test_templates_list_the_fields_of_each_section():
    assert csvio.template("teams") == f"{TEAM_COLUMNS}\r\n"
    assert csvio.template("memberships").startswith("team,person,role,allocation")
    assert csvio.template("initiatives").startswith("id,team,title,status")


def test_it_imports_excel_csv_with_bom_semicolons_and_crlf(cast):
    excel = "\ufeffslug;name;parent\r\nsales;Sales;acme\r\nemea;Sales EMEA;sales\r\n"
    outcome = csvio.import_csv(excel.encode("utf-8"), org_slug="acme")
    assert outcome.ok and not outcome.report, outcome.as_text()
    assert Team.objects.get(org=cast.org, slug="emea").parent.slug == "sales"
    # a CSV never removes: the existing teams are still there
    assert Team.objects.filter(org=cast.org, slug="platform").exists()


def test_it_reads_windows_1252_and_decimal_commas(cast):
    people = "email;name;title\r\nzoe@acme.example;Zoë Ângelo;Léad\r\n".encode("cp1252")
    outcome = csvio.import_csv(people, org_slug="acme")
    assert outcome.ok
    assert Person.objects.get(email="zoe@acme.example").name == "Zoë Ângelo"
    assert outcome.report.problems[0].kind == "encoding"
    rows = "team;person;allocation\r\nacme;zoe@acme.example;40,0\r\n"
    assert csvio.import_csv(rows.encode(), org_slug="acme").ok
    assert Membership.objects.get(person__email="zoe@acme.example").allocation == 40


def test_bad_rows_are_reported_with_their_line_and_strict_writes_nothing(cast):
    rows = (
        "team,person,allocation\r\n"
        "platform,ada.admin@acme.example,30\r\n"
        "nowhere,ada.admin@acme.example,10\r\n"
    )
    before = dump()
    strict = csvio.import_csv(rows.encode(), org_slug="acme", strict=True)
    assert strict.aborted and dump() == before
    relaxed = csvio.import_csv(rows.encode(), org_slug="acme")
    assert [(p.line, p.kind) for p in relaxed.report.problems] == [(3, "missing_reference")]
    assert Membership.objects.filter(team=cast.platform, person=cast.admin).exists()


def test_unknown_columns_are_ignored_and_named(cast):
    outcome = csvio.import_csv(b"slug,name,colour\nx,X,red\n", org_slug="acme")
    assert outcome.applied and outcome.ignored_columns == ["colour"], outcome.as_text()
    assert "Ignored columns: colour" in outcome.as_text()
    assert Team.objects.filter(org=cast.org, slug="x").exists()


def test_the_zip_export_has_one_csv_per_section_and_imports_back(db):
    services.apply_file(ORG_FILE, org_slug="initech")
    from accord.org.models import Organization
    from accord.org.services import create_organization

    org = Organization.objects.get(slug="initech")
    data = b"".join(csvio.export_zip(org))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        teams = zf.read("teams.csv")
    assert "people.csv" in names and "decisions.csv" in names
    assert teams.startswith(b"\xef\xbb\xbf" + TEAM_COLUMNS.encode() + b"\r\n")
    table = list(csv.DictReader(io.StringIO(teams.decode("utf-8-sig"))))
    assert {"slug": "eng", "name": "Engineering", "parent": "initech"}.items() <= table[1].items()
    create_organization("Initech copy", "initech-copy")  # a CSV import never creates one
    outcome = csvio.import_csv(teams, org_slug="initech-copy")
    assert outcome.ok and Team.objects.filter(org__slug="initech-copy").count() == 3


def test_initiatives_with_links_import_from_csv(db):
    services.apply_file(ORG_FILE, org_slug="initech")
    rows = (
        "id;team;title;status;owner;target_date;progress\r\n"
        "cover-sheet;eng;New cover sheet;active;peter@initech.example;2026-09-15;25\r\n"
        "printer;ops;Fix the printer;proposed;;;\r\n"
    )
    outcome = csvio.import_csv(rows.encode(), org_slug="initech")
    assert outcome.ok and not outcome.report, outcome.as_text()
    from accord.alignment.models import Initiative

    cover = Initiative.objects.get(title="New cover sheet")
    assert (cover.team.slug, cover.status, cover.rank, cover.progress) == ("eng", "active", 1, 25)
    assert str(cover.target_date) == "2026-09-15" and cover.owner.name == "Peter Gibbons"
    again = csvio.import_csv(rows.encode(), org_slug="initech")
    assert again.changes == []
