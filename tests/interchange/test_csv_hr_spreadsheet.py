"""A typical HR spreadsheet imports as it is.

A new customer's people CSV `Name,Email,Team,Job title,Cost centre` lost the team (people
created in no team) and was refused for `Job title` ("did you mean title?"); a teams CSV
`name,parent` was refused for lacking `slug`, and its parent was given by name; a
memberships CSV naming the team "Field Sales" and a person by name was refused ("may hold
only letters, digits, - and _", "not an e-mail address").
"""

from __future__ import annotations

from accord.interchange import csvio
from accord.org.models import Membership, Person, Team

from .helpers import dump


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="acme", **kwargs)


def _whys(outcome) -> str:
    return " | ".join(p.why for p in outcome.report.problems)


TEAMS = "name,parent\r\nSales,Acme\r\nField Sales,Sales\r\nInside Sales,sales\r\n"


def test_a_teams_csv_without_slug_derives_it_and_takes_a_parent_by_name(cast):
    outcome = _csv(TEAMS, filename="teams.csv")
    assert outcome.applied and not outcome.report, outcome.as_text()
    sales = Team.objects.get(org=cast.org, slug="sales")
    assert sales.name == "Sales" and sales.parent == cast.root  # "Acme": the root's name
    field = Team.objects.get(org=cast.org, slug="field-sales")  # as the team form derives it
    assert field.parent == sales
    assert Team.objects.get(org=cast.org, slug="inside-sales").parent == sales
    # Imported again: the teams of those names keep their addresses; nothing changes.
    again = _csv(TEAMS.replace("Sales,Acme", "Sales,acme"), filename="teams.csv")
    assert again.applied and again.changes == [], again.as_text()
    # By columns alone (no file name), `name,parent` is a teams CSV.
    assert _csv("name,parent\r\nSupport,Acme\r\n").csv_section == "teams"


def test_a_derived_slug_taken_by_another_team_gets_a_free_one(cast):
    # "Platform Team" is new; "platform-team" is free, but two rows may not share one.
    outcome = _csv("name\r\nPlatform Team\r\nPlatform-Team\r\n", filename="teams.csv")
    assert outcome.applied, outcome.as_text()
    slugs = set(Team.objects.filter(org=cast.org).values_list("slug", flat=True))
    assert {"platform-team", "platform-team-2"} <= slugs


def test_an_unknown_parent_is_a_problem_of_its_row_naming_near_matches(cast):
    outcome = _csv("name,parent\r\nBilling,Platfrom\r\n", filename="teams.csv")
    assert "There is no team 'Platfrom' (by address or name); did you mean 'Platform'" in (
        _whys(outcome)
    )
    assert outcome.report.problems[0].path == "teams[0].parent"
    assert not Team.objects.filter(org=cast.org, name="Billing").exists()


HR = (
    "Name,Email,Team,Job title,Cost centre\r\n"
    "Anna Field,anna@acme.example,Platform,Engineer,CC-1\r\n"
    "Ben Root,ben@acme.example,acme,Director,CC-2\r\n"
    "Carl Nowhere,carl@acme.example,Platfrom,Engineer,CC-1\r\n"
    "Dora Free,dora@acme.example,,Analyst,CC-3\r\n"
)


def test_a_people_csv_with_team_and_job_title_columns_imports_as_is(cast):
    outcome = _csv(HR, filename="staff.csv")
    assert outcome.applied and not outcome.unconfirmed, outcome.as_text()
    assert outcome.ignored_columns == ["Cost centre"]  # listed, not a near miss
    anna = Person.objects.get(org=cast.org, email="anna@acme.example")
    assert anna.title == "Engineer"  # "Job title" is title
    assert Membership.objects.filter(person=anna, team=cast.platform).exists()
    ben = Person.objects.get(org=cast.org, email="ben@acme.example")
    assert Membership.objects.filter(person=ben, team=cast.root).exists()
    dora = Person.objects.get(org=cast.org, email="dora@acme.example")
    assert not Membership.objects.filter(person=dora).exists()  # no team given
    # The unknown team: a problem of that row (person not created), naming the team meant.
    assert not Person.objects.filter(org=cast.org, email="carl@acme.example").exists()
    [problem] = outcome.report.problems
    assert problem.path == "people[2].team" and problem.line == 4
    assert "There is no team 'Platfrom'" in problem.why and "'Platform' (platform)" in (problem.why)
    assert outcome.skipped() == 1
    # Again: nothing to change (the memberships exist), the same row skipped.
    again = _csv(HR, filename="staff.csv")
    assert again.changes == [] and again.skipped() == 1


def test_header_aliases_are_read_in_any_case_spacing_or_underscores(cast):
    text = "FULL_NAME,E-mail Address,job  title\r\nEve Alias,eve@acme.example,Designer\r\n"
    outcome = _csv(text)
    assert outcome.csv_section == "people" and outcome.applied, outcome.as_text()
    assert outcome.ignored_columns == []
    eve = Person.objects.get(org=cast.org, email="eve@acme.example")
    assert (eve.name, eve.title) == ("Eve Alias", "Designer")
    assert csvio.column_names(["E-mail", "Email address", "Full name", "Job title"]) == [
        "email",
        "email",
        "name",
        "title",
    ]


def test_a_memberships_csv_takes_a_team_by_name_and_a_person_by_unique_name(cast):
    text = (
        "team,person,role\r\n"
        "PLATFORM,Leo Leader,lead\r\n"  # a team's name, a person's name, in any case
        "Platform,Nobody Here,member\r\n"
        "Platfrom,vic.viewer@acme.example,member\r\n"
    )
    outcome = _csv(text, filename="memberships.csv")
    assert Membership.objects.get(person=cast.leader, team=cast.platform).role == "lead"
    whys = _whys(outcome)
    assert "There is no one named 'Nobody Here' in the organization (give their e-mail" in whys
    assert "There is no team 'Platfrom'" in whys
    assert not Membership.objects.filter(person=cast.viewer).exists()
    assert outcome.skipped() == 2


def test_a_name_two_people_share_asks_for_the_address(cast):
    from accord.org import services

    services.add_person(cast.org, None, name="Leo Leader", email="leo2@acme.example")
    outcome = _csv("team,person\r\nplatform,leo leader\r\n", filename="memberships.csv")
    assert "2 people are named 'leo leader'; give the e-mail address" in _whys(outcome)
    assert not Membership.objects.filter(person__name="Leo Leader").exists()


def test_a_strict_import_of_a_spreadsheet_with_an_unknown_team_changes_nothing(cast):
    before = dump()
    outcome = _csv(HR, filename="staff.csv", strict=True)
    assert not outcome.ok and "There is no team 'Platfrom'" in _whys(outcome)
    assert dump() == before


def test_a_bad_people_row_with_a_team_is_one_row_skipped(cast):
    outcome = _csv(
        "name,email,role,team\r\nBad Role,bad@acme.example,superuser,Platform\r\n",
        filename="people.csv",
    )
    assert not Person.objects.filter(email="bad@acme.example").exists()
    assert outcome.skipped() == 1, outcome.as_text()  # its membership is skipped with it
    assert "Nothing was applied: 1 row skipped" in outcome.as_text()
