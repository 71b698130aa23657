"""A CSV named after a section is that section: a misspelt or missing column is named
against it and nothing else is made of the file. The reviewer's `objectives.csv` with the
header `id,title,perod,level,team,owner` was read as initiatives (the objectives section
needs a period column, so the file's name was set aside for "the section the columns fit
most") and created an initiative, exit 0. A name that matches no section still leaves the
choice to the columns."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accord.alignment.models import Initiative, Objective, Period
from accord.interchange import csvio
from tests.conftest import login

from .helpers import dump

pytestmark = pytest.mark.urls("tests.interchange.urls")

MISSPELT = (
    "id,title,perod,level,team,owner\r\n"
    "rvc-obj-9,Faster reports,2027 Q1,team,platform,leo.leader@acme.example\r\n"
)


@pytest.fixture
def acme(cast):
    import datetime as dt

    Period.objects.create(
        org=cast.org, name="2027 Q1", start=dt.date(2027, 1, 1), end=dt.date(2027, 3, 31)
    )
    return cast


def test_a_file_named_objectives_with_a_misspelt_period_is_refused_and_nothing_made(acme):
    before = dump()
    outcome = csvio.import_csv(MISSPELT.encode(), org_slug="acme", filename="objectives.csv")
    assert not outcome.ok and outcome.fatal.kind == "missing_columns", outcome.as_text()
    assert outcome.csv_section == "objectives"
    why = outcome.fatal.why
    assert "An objectives CSV needs the column period." in why
    assert "Column 'perod' is not a column of an objectives CSV; did you mean 'period'?" in why
    assert "initiative" not in outcome.as_text()
    assert dump() == before
    assert not Initiative.objects.filter(org=acme.org).exists()


def test_without_a_file_name_a_misspelt_column_still_counts_for_the_section_it_means(acme):
    """The API's body has no file name: the columns choose, and "perod" counts for the
    objectives' period, so the file is an objectives CSV refused as such, not initiatives."""
    from tests.conftest import api_client

    objectives = Objective.objects.filter(org=acme.org).count()
    r = api_client(acme.admin).post(
        "/api/v1/interchange/csv", data=MISSPELT, content_type="text/csv"
    )
    assert r.status_code == 422, r.content
    assert "did you mean 'period'?" in r.content.decode()
    assert Objective.objects.filter(org=acme.org).count() == objectives
    assert not Initiative.objects.filter(org=acme.org).exists()


def test_the_command_refuses_it_too_and_exits_non_zero(acme, tmp_path):
    path = tmp_path / "objectives.csv"
    path.write_text(MISSPELT)
    before = dump()
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was changed"):
        call_command("import", "csv", str(path), "--org", "acme", stdout=out)
    text = out.getvalue()
    assert "did you mean 'period'?" in text and "Applied" not in text, text
    assert dump() == before


def test_the_import_page_reads_the_uploaded_file_name_the_same_way(acme):
    admin = login(acme.admin)
    before = dump()
    response = admin.post(
        "/o/acme/interchange/plan/",
        {"file": SimpleUploadedFile("objectives.csv", MISSPELT.encode())},
    )
    page = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 422
    assert "did you mean 'period'?" in page
    assert 'href="/o/acme/interchange/templates/objectives.csv" download' in page
    assert dump() == before


def test_a_file_named_after_a_section_is_read_as_it_whatever_its_columns(acme):
    """`teams.csv` holding memberships is refused as a teams CSV, naming where the columns
    belong, rather than imported as memberships behind the name's back."""
    text = b"team,person\r\nplatform,leo.leader@acme.example\r\n"
    outcome = csvio.import_csv(text, org_slug="acme", filename="teams.csv", dry_run=True)
    assert outcome.fatal and outcome.fatal.kind == "missing_columns", outcome.as_text()
    assert "A teams CSV needs the column name." in outcome.fatal.why  # (slug: from it)
    assert "(it is a column of the memberships CSV)" in outcome.fatal.why
    # Named otherwise, the columns say what it is; --section says it too.
    assert csvio.import_csv(text, org_slug="acme", filename="x.csv", dry_run=True).ok
    given = csvio.import_csv(
        text, org_slug="acme", filename="teams.csv", section="memberships", dry_run=True
    )
    assert given.ok and given.csv_section == "memberships", given.as_text()


@pytest.mark.parametrize(
    "name", ["objectives.csv", "Objectives.CSV", "exports/objectives.csv", "C:\\x\\objectives.csv"]
)
def test_a_section_is_known_by_its_file_name_in_any_case_and_folder(name):
    assert csvio.section_of_filename(name) == "objectives"


def test_spaces_and_dashes_in_a_file_name_read_as_underscores():
    assert csvio.section_of_filename("Key results.csv") == "key_results"
    assert csvio.section_of_filename("team-links.csv") == "team_links"
    assert csvio.section_of_filename("objectives (1).csv") is None
    assert csvio.section_of_filename("upload.csv") is None


def test_a_correct_objectives_csv_named_so_still_imports(acme):
    fixed = MISSPELT.replace("perod", "period")
    outcome = csvio.import_csv(fixed.encode(), org_slug="acme", filename="objectives.csv")
    assert outcome.ok and outcome.applied, outcome.as_text()
    assert Objective.objects.filter(org=acme.org, title="Faster reports").exists()
    assert not Initiative.objects.filter(org=acme.org).exists()
