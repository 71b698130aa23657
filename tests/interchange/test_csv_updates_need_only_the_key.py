"""A CSV that only changes what is there needs only the column naming its rows (a people
CSV's email, a teams CSV's slug): "Delete the columns you do not mean to change". A people
CSV `email,title` was refused as matching no CSV template because it had no name column,
though every row named someone already there. Now only a row that would create someone (an
address nobody has) needs the name: it is skipped, saying so on its line, and counted as a
skipped row is (the command exits 3; with --strict nothing is imported)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from accord.interchange import csvio
from accord.org.models import Person, Team
from tests.conftest import login

from .helpers import dump


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="acme", **kwargs)


def _why(outcome) -> str:
    return " | ".join(p.why for p in outcome.report.problems)


def test_a_people_csv_of_email_and_title_changes_the_titles_of_people_there_are(cast):
    name = cast.member.name
    text = f"email,title\r\n{cast.member.email},Staff engineer\r\n"
    plan = _csv(text, dry_run=True, filename="people_edit.csv")
    assert plan.ok and plan.fatal is None, plan.as_text()
    assert [(c.section, c.action, dict(c.fields)) for c in plan.changes] == [
        ("people", "update", {"title": (cast.member.title, "Staff engineer")})
    ], plan.as_text()
    applied = _csv(text, filename="people_edit.csv")
    assert applied.applied and not applied.report, applied.as_text()
    member = Person.objects.get(pk=cast.member.pk)
    assert (member.title, member.name) == ("Staff engineer", name)


def test_a_row_that_would_create_someone_without_a_name_is_skipped_saying_so(cast, tmp_path):
    text = (
        f"email,title\r\n{cast.member.email},Staff engineer\r\nnobody.yet@acme.example,Intern\r\n"
    )
    people = Person.objects.filter(org=cast.org).count()
    outcome = _csv(text)
    assert outcome.partly and outcome.skipped() == 1, outcome.as_text()
    [problem] = outcome.report.problems
    assert problem.line == 3
    assert problem.why == (
        "There is no person 'nobody.yet@acme.example' to update, and a new person needs "
        "name: add the column name, or correct email to name a person there is; item skipped."
    )
    assert Person.objects.filter(org=cast.org).count() == people
    assert Person.objects.get(pk=cast.member.pk).title == "Staff engineer"
    # The command says it on the row's line and exits 3, as for any skipped row; with
    # --strict nothing at all is imported.
    path = tmp_path / "people.csv"
    path.write_text(text.replace("Staff engineer", "Principal engineer"))
    before = dump()
    out = io.StringIO()
    with pytest.raises(CommandError) as strict:
        call_command("import", "csv", str(path), "--org", "acme", "--strict", stdout=out)
    assert strict.value.returncode == 1 and dump() == before
    assert "line 3" in out.getvalue() and "a new person needs name" in out.getvalue()
    with pytest.raises(CommandError) as skipped:
        call_command("import", "csv", str(path), "--org", "acme", stdout=io.StringIO())
    assert skipped.value.returncode == 3
    assert Person.objects.get(pk=cast.member.pk).title == "Principal engineer"


def test_a_teams_csv_of_slug_and_description_updates_and_names_a_new_team_s_need(cast):
    text = "slug,description\r\nplatform,Runs the platform.\r\nnew-team,Something new.\r\n"
    teams = Team.objects.filter(org=cast.org).count()
    outcome = _csv(text)
    assert outcome.partly and outcome.skipped() == 1, outcome.as_text()
    assert "There is no team 'new-team' to update, and a new team needs name" in _why(outcome)
    assert Team.objects.get(pk=cast.platform.pk).description == "Runs the platform."
    assert Team.objects.filter(org=cast.org).count() == teams


def test_a_people_csv_without_email_is_refused_naming_it_not_as_matching_no_template(cast):
    outcome = _csv("title,Notes\r\nStaff engineer,x\r\n")
    assert outcome.fatal.kind == "unknown_columns"
    assert outcome.fatal.why.startswith("A people CSV needs the column email.")
    assert "match no CSV template" not in outcome.fatal.why


@pytest.mark.urls("tests.interchange.urls")
def test_the_import_page_plans_and_applies_it(cast):
    admin = login(cast.admin)
    text = f"email,title\r\n{cast.member.email},CTO\r\n"
    upload = SimpleUploadedFile("people_edit.csv", text.encode())
    response = admin.post("/o/acme/interchange/plan/", {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200, page
    assert "match no CSV template" not in page and "needs the column" not in page, page
    assert "CTO" in page


@pytest.mark.parametrize("section", ["team_links", "initiative_links"])
def test_a_links_csv_may_leave_out_kind_whose_default_its_rows_take(cast, section):
    """A link's `kind` is part of its key but has a default: a CSV of `from,to` is read
    (as it always was), not refused as lacking the column kind."""
    plan = _csv("from,to\r\na,b\r\n", section=section, dry_run=True)
    assert "needs the column" not in plan.as_text(), plan.as_text()
    assert plan.fatal is None, plan.as_text()
