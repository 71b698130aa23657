"""Two header cells naming one field are refused, naming both. `Name,Email,Display
name,Mail` read "Mail" (an alias of email) over "Email": the person's personal address
became the login, silently, because a row was read as `dict(zip(header, row))`."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accord.interchange import csvio
from accord.org.models import Person
from tests.conftest import login

from .helpers import dump

pytestmark = pytest.mark.urls("tests.interchange.urls")

PEOPLE = (
    "Name,Email,Display name,Mail\r\nNia Okafor,nia@acme.example,Nia,nia.private@mail.example\r\n"
)
WHY = "Columns “Email” and “Mail” both give email: keep one."


def test_parse_refuses_two_columns_giving_one_field_naming_both():
    with pytest.raises(csvio.Refused) as refused:
        csvio.parse_csv(PEOPLE.encode(), filename="people.csv")
    problem = refused.value.problem
    assert problem.kind == "duplicate_columns" and problem.line == 1
    assert WHY in problem.why
    assert "Columns “Name” and “Display name” both give name: keep one." in problem.why
    assert refused.value.section == "people"


def test_three_cells_for_one_field_are_all_named():
    text = "email,Mail,E-mail address,name\r\na@x.example,b@x.example,c@x.example,A\r\n"
    with pytest.raises(csvio.Refused) as refused:
        csvio.parse_csv(text.encode(), section="people")
    assert (
        refused.value.problem.why
        == "Columns “email”, “Mail” and “E-mail address” all give email: keep one."
    )


def test_one_cell_per_field_still_imports(cast):
    outcome = csvio.import_csv(
        b"Display name,Mail\r\nNia,nia@acme.example\r\n", org_slug="acme", filename="people.csv"
    )
    assert outcome.applied, outcome.as_text()
    assert Person.objects.get(org=cast.org, email="nia@acme.example").name == "Nia"


def test_the_import_changes_nothing(cast):
    before = dump()
    outcome = csvio.import_csv(PEOPLE.encode(), org_slug="acme", filename="people.csv")
    assert not outcome.ok and outcome.fatal.kind == "duplicate_columns", outcome.as_text()
    assert WHY in outcome.fatal.why
    assert dump() == before
    assert not Person.objects.filter(org=cast.org, name__startswith="Nia").exists()


def test_the_command_refuses_it(cast, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    before = dump()
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("import", "csv", str(path), "--org", "acme", stdout=out)
    assert WHY in out.getvalue() and "Applied" not in out.getvalue()
    assert dump() == before


def test_the_import_page_refuses_it(cast):
    admin = login(cast.admin)
    before = dump()
    response = admin.post(
        "/o/acme/interchange/plan/",
        {"file": SimpleUploadedFile("people.csv", PEOPLE.encode())},
    )
    assert response.status_code == 422
    assert WHY in response.content.decode()
    assert dump() == before
