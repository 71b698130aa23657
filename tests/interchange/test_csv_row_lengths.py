"""A CSV row with more cells than the header is skipped, saying so; one with fewer gives only
the cells it has.

`r1@acme.example,Doe, Jane,Engineer` under `email,name,title` planned the name "Doe" and
the title "Jane", and dropped "Engineer"; `linus@acme.example,Linus Firm` under the same
header emptied Linus's title. A row with cells beyond the last column is a problem of that
row (skipped, reported; --strict refuses the file). A short row leaves the columns it does
not reach as a file without those columns does: not given (kept on an existing record, the
default on a new one).
"""

from __future__ import annotations

from django.core.management import ManagementUtility

from accord.interchange import csvio
from accord.org.models import Person

from .helpers import dump


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="acme", **kwargs)


def test_a_row_with_more_cells_than_the_header_is_skipped_naming_it(cast):
    outcome = _csv(
        "email,name,title\r\nr1@acme.example,Doe, Jane,Engineer\r\nr2@acme.example,Roe,Engineer\r\n"
    )
    assert outcome.applied
    problems = outcome.report.problems
    assert [(p.kind, p.line, p.path, p.value) for p in problems] == [
        ("extra_cells", 2, "people[0]", "Engineer")
    ]
    assert "The row has 4 cells and the header 3 columns" in problems[0].why
    assert '"Doe, Jane"' in problems[0].why and problems[0].why.endswith("Row skipped.")
    assert outcome.skipped() == 1
    assert not Person.objects.filter(org=cast.org, email="r1@acme.example").exists()
    assert Person.objects.get(org=cast.org, email="r2@acme.example").title == "Engineer"


def test_strict_refuses_a_file_with_such_a_row(cast, tmp_path, monkeypatch, capsys):
    path = tmp_path / "people.csv"
    path.write_text("email,name,title\r\nr1@acme.example,Doe, Jane,Engineer\r\n")
    before = dump()
    monkeypatch.setattr("django.db.connections.close_all", lambda: None)
    try:
        ManagementUtility(
            ["accord", "import", "csv", str(path), "--org", "acme", "--strict"]
        ).execute()
        code = 0
    except SystemExit as stopped:
        code = stopped.code
    out = capsys.readouterr().out
    assert code == 1, out
    assert "extra_cells" in out and "nothing was changed" in out.lower()
    assert dump() == before


def test_trailing_empty_cells_are_nothing(cast):
    # Excel's trailing separators, and a row one separator longer than its header.
    outcome = _csv("email,name,title,,\r\nr3@acme.example,Rae,Cook,,,\r\n")
    assert outcome.applied and not outcome.report, outcome.as_text()
    assert Person.objects.get(org=cast.org, email="r3@acme.example").title == "Cook"


def test_a_short_row_leaves_the_fields_it_does_not_reach_as_they_are(cast):
    cast.member.title = "Firmware engineer"
    cast.member.timezone = "Europe/Paris"
    cast.member.save()
    email = cast.member.email
    outcome = _csv(f"email,name,title,timezone\r\n{email},Mia Member\r\n")
    assert outcome.applied and not outcome.report, outcome.as_text()
    assert not outcome.changes  # nothing it reaches differs
    mia = Person.objects.get(pk=cast.member.pk)
    assert (mia.title, mia.timezone) == ("Firmware engineer", "Europe/Paris")
    # It reaches title (emptied, as an empty cell says), not timezone.
    _csv(f"email,name,title,timezone\r\n{email},Mia Member,\r\n")
    mia.refresh_from_db()
    assert (mia.title, mia.timezone) == ("", "Europe/Paris")
    # A new person of a short row takes the defaults of what it does not reach.
    assert _csv("email,name,title,timezone\r\nr4@acme.example,Ray\r\n").applied
    ray = Person.objects.get(org=cast.org, email="r4@acme.example")
    assert (ray.title, ray.timezone) == ("", "UTC")


def test_a_short_people_row_makes_no_membership_of_a_team_it_does_not_reach(cast):
    email = cast.member.email
    outcome = _csv(f"email,name,team\r\n{email},Mia Member\r\nr5@acme.example,Rex,platform\r\n")
    assert outcome.applied and not outcome.report, outcome.as_text()
    assert [c.key for c in outcome.changes if c.section == "memberships"] == [
        "platform/r5@acme.example"
    ]
