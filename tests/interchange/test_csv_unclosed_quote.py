"""A CSV whose quote is never closed is refused, naming the line the quote opened on.

`email,name,title` then `q1@acme.example,Quinn One,"Engineer` then three more good rows: the
plan said "people: 1 to create" and nothing else, even with --strict, and Quinn One's title
held the other three rows, line ends and all. The CSV reader takes a quote left open to the
end of the file as one cell; it is an error of the file, refused whole (nothing changed), on
the command line, the page and the API alike.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import ManagementUtility

from accord.interchange import csvio
from accord.org.models import Person
from tests.conftest import login

from .helpers import dump

pytestmark = pytest.mark.urls("tests.interchange.urls")

STRAY = (
    "email,name,title\n"
    'q1@acme.example,Quinn One,"Engineer\n'
    "q2@acme.example,Quinn Two,Engineer\n"
    "q3@acme.example,Quinn Three,Engineer\n"
    "q4@acme.example,Quinn Four,Engineer\n"
)
OPENED = 'Line 2 opens a quoted cell (") that is never closed'


def _cli(monkeypatch, capsys, *argv: str) -> tuple[int, str]:
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    try:
        ManagementUtility(["accord", *argv]).execute()
        code = 0
    except SystemExit as stopped:
        code = stopped.code
    return code, capsys.readouterr().out


@pytest.mark.parametrize("extra", [(), ("--strict",), ("--dry-run",)])
def test_the_command_refuses_it_naming_the_line(cast, tmp_path, monkeypatch, capsys, extra):
    path = tmp_path / "people.csv"
    path.write_text(STRAY)
    before = dump()
    code, out = _cli(monkeypatch, capsys, "import", "csv", str(path), "--org", "acme", *extra)
    assert code == 1, out
    assert "people.csv:2:" in out and OPENED in out
    assert "Nothing was changed." in out
    assert "to create" not in out
    assert dump() == before


def test_the_page_and_the_api_refuse_it_too(cast, api_admin):
    admin = login(cast.admin)
    before = dump()
    page = admin.post(
        "/o/acme/interchange/plan/", {"file": SimpleUploadedFile("people.csv", STRAY.encode())}
    )
    assert page.status_code == 422
    html = page.content.decode().replace("&quot;", '"')
    assert OPENED in html and "Nothing was changed." in html
    assert "Apply" not in html
    answer = api_admin.post("/api/v1/interchange/csv", data=STRAY, content_type="text/csv")
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "invalid_csv" and error["message"].startswith(OPENED)
    assert answer.json()["fatal"]["line"] == 2
    assert dump() == before
    assert not Person.objects.filter(org=cast.org, email__startswith="q").exists()


def test_the_line_is_where_the_quote_opened_not_where_its_row_began():
    # A quoted cell spanning two lines, closed; the next cell's quote is left open.
    text = 'email,name,title\r\na@acme.example,"Ann\r\nAnn",Boss\r\nb@acme.example,Bo,"Cook\r\n'
    with pytest.raises(csvio.services.Fatal) as refused:
        csvio.parse_csv(text.encode())
    assert refused.value.problem.line == 4
    assert refused.value.problem.why.startswith('Line 4 opens a quoted cell (")')
    # In the header itself.
    with pytest.raises(csvio.services.Fatal) as refused:
        csvio.parse_csv(b'email,"name\r\na@acme.example,Ann\r\n')
    assert refused.value.problem.line == 1


def test_text_after_a_closing_quote_is_refused_at_its_line():
    text = 'email,name,title\r\na@acme.example,Ann,Boss\r\nb@acme.example,"Bo" Ray,Cook\r\n'
    with pytest.raises(csvio.services.Fatal) as refused:
        csvio.parse_csv(text.encode())
    problem = refused.value.problem
    assert problem.line == 3 and problem.kind == "invalid_csv"
    assert "text after the closing quote" in problem.why


def test_quotes_written_as_spreadsheets_write_them_still_read():
    text = (
        'email,name,title\r\na@acme.example,"Doe, Jane","Says ""hi""\r\nand more"\r\n'
        'b@acme.example,Bo "the" Ray,Cook\r\n'
    )
    document, _, _ = csvio.parse_csv(text.encode())
    rows = [(r["name"], r["title"]) for r in document["people"]]
    assert rows == [("Doe, Jane", 'Says "hi"\r\nand more'), ('Bo "the" Ray', "Cook")]
    assert document["people"].lines == [2, 4]
