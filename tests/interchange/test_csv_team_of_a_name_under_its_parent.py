"""A teams CSV without `slug` updates the team of that name under the row's parent.

With "Hardware" under Engineering and a top-level "hardware", the row
`Hardware,Engineering,Build the robot body` of `name,parent,mission` derived a new address
(hardware-3) and was refused: "A team under Engineering is already called 'Hardware' …
Choose another name" — that team was the one meant. A name several teams have is matched
within the row's parent; when that still leaves more than one (no parent column), the row is
skipped asking for the slug column.
"""

from __future__ import annotations

from accord.interchange import csvio
from accord.org import services
from accord.org.models import Team


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="acme", section="teams", **kwargs)


def _teams(cast):
    engineering = services.create_team(cast.org, None, name="Engineering", slug="engineering")
    inner = services.create_team(
        cast.org, None, name="Hardware", slug="hardware-2", parent=engineering
    )
    top = services.create_team(cast.org, None, name="hardware", slug="hardware")
    return engineering, inner, top


def test_the_team_of_the_name_under_the_rows_parent_is_updated(cast):
    engineering, inner, top = _teams(cast)
    count = Team.objects.filter(org=cast.org).count()
    outcome = _csv(
        "name,parent,mission\r\nHardware,Engineering,Build the robot body\r\nhardware,,Tools\r\n"
    )
    assert outcome.applied and not outcome.report, outcome.as_text()
    assert Team.objects.filter(org=cast.org).count() == count
    inner.refresh_from_db()
    top.refresh_from_db()
    assert (inner.mission, inner.parent_id) == ("Build the robot body", engineering.pk)
    assert (top.mission, top.parent_id) == ("Tools", None)


def test_a_new_team_of_a_shared_name_under_another_parent_is_created(cast):
    _teams(cast)
    outcome = _csv("name,parent\r\nHardware,platform\r\n")
    assert outcome.applied and not outcome.report, outcome.as_text()
    made = Team.objects.get(org=cast.org, name="Hardware", parent=cast.platform)
    assert made.slug == "hardware-3"


def test_without_a_parent_column_a_shared_name_asks_for_the_slug(cast):
    _, inner, top = _teams(cast)
    outcome = _csv("name,mission\r\nHardware,Build the robot body\r\n")
    [problem] = outcome.report.problems
    assert (problem.kind, problem.line) == ("ambiguous_reference", 2)
    assert "2 teams are named 'Hardware'" in problem.why
    assert "hardware-2" in problem.why and "add a slug column" in problem.why
    assert outcome.skipped() == 1 and not outcome.changes
    assert Team.objects.filter(pk__in=[inner.pk, top.pk], mission="").count() == 2
