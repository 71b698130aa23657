"""A people CSV names each person's role in their team, beside the team.

A new customer's `name,email,team,role_in_team` file was read with "Ignored columns:
role_in_team": everyone became a plain member, no team had a lead, and what other teams
asked of them reached nobody of their own. The people CSV's `team_role` column (read as
`Team role`, `Role in team`…) takes what a memberships CSV's `role` takes, a role of the
organization's list by its key or name in any case; a value that is none of them is a
problem of its row, as another column's is.
"""

from __future__ import annotations

from accord.interchange import csvio
from accord.org.models import Membership, Person

from .helpers import dump


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="acme", filename="people.csv", **kwargs)


def _role(cast, email: str) -> str:
    return Membership.objects.get(team=cast.platform, person__email=email).role


PEOPLE = (
    "Name,Email,Team,Role in team\r\n"
    "Zoe Lead,zoe@acme.example,Platform,Lead\r\n"
    "Yan Chair,yan@acme.example,platform,CHAIR\r\n"
    "Xia Plain,xia@acme.example,Platform,\r\n"
)


def test_a_team_role_column_makes_leads_and_the_plan_says_so(cast):
    before = dump()
    plan = _csv(PEOPLE, dry_run=True)
    assert plan.ignored_columns == [], plan.as_text()  # read, not "Ignored columns: …"
    text = plan.as_text()
    assert "Would make 2 team leads: zoe@acme.example (lead of platform), " in text
    assert "yan@acme.example (chair of platform)" in text
    assert dump() == before  # a plan writes nothing

    done = _csv(PEOPLE)
    assert done.applied and not done.report, done.as_text()
    assert "Made 2 team leads" in done.as_text()
    assert _role(cast, "zoe@acme.example") == "lead"
    assert _role(cast, "yan@acme.example") == "chair"
    assert _role(cast, "xia@acme.example") == "member"  # an empty cell: a plain member
    leads = Membership.objects.leading().filter(team=cast.platform)
    assert {m.person.email for m in leads} >= {"zoe@acme.example", "yan@acme.example"}
    # Again: nothing to change.
    assert _csv(PEOPLE).changes == []


def test_the_column_is_read_by_its_spreadsheet_names(cast):
    for header in ("team_role", "Team role", "TEAM-ROLE", "role_in_team", "Role in the team"):
        assert csvio.column_names([header]) == ["team_role"], header
    outcome = _csv("email,name,team,role_in_team\r\nwu@acme.example,Wu,Platform,Team lead\r\n")
    assert outcome.applied and outcome.ignored_columns == [], outcome.as_text()
    assert _role(cast, "wu@acme.example") == "lead"  # "Team lead": the role lead
    # The template offers it beside team.
    assert csvio.template("people").rstrip().endswith(",team,team_role")


def test_an_existing_member_is_made_lead_and_an_empty_cell_keeps_a_role(cast):
    outcome = _csv("email,team,team_role\r\nmia.member@acme.example,Platform,co-lead\r\n")
    assert "~ memberships platform/mia.member@acme.example (role: 'member' → 'co-lead')" in (
        outcome.as_text()
    )
    assert _role(cast, "mia.member@acme.example") == "co-lead"
    again = _csv("email,team,team_role\r\nmia.member@acme.example,Platform,\r\n")
    assert again.changes == [], again.as_text()
    assert _role(cast, "mia.member@acme.example") == "co-lead"


def test_a_team_role_the_organization_lacks_is_a_problem_of_its_row(cast):
    outcome = _csv(
        "name,email,team,team_role\r\n"
        "Good Row,good@acme.example,Platform,member\r\n"
        "Bad Role,bad@acme.example,Platform,boss\r\n"
        "No Team,none@acme.example,,lead\r\n"
    )
    assert outcome.skipped() == 2, outcome.as_text()
    assert Person.objects.filter(email="good@acme.example").exists()
    assert not Person.objects.filter(email__in=["bad@acme.example", "none@acme.example"]).exists()
    bad, none = outcome.report.problems
    assert (bad.path, bad.line) == ("people[1].team_role", 3)
    assert "There is no team role 'boss'" in bad.why
    assert "chair, co-lead, lead, liaison, member" in bad.why and "Row skipped" in bad.why
    assert none.path == "people[2].team_role"
    assert "gives the team role 'lead' but no team" in none.why
    assert "Partly applied: " in outcome.as_text()


def test_a_team_role_in_the_organization_role_column_says_where_it_goes(cast):
    outcome = _csv("name,email,role,team\r\nRole Mixup,mix@acme.example,Lead,Platform\r\n")
    [problem] = outcome.report.problems
    assert problem.path == "people[0].role"
    assert "'Lead' is a role in a team" in problem.why
    assert "team_role column" in problem.why
    assert not Person.objects.filter(email="mix@acme.example").exists()


def test_a_memberships_csv_reads_team_role_as_its_role(cast):
    outcome = csvio.import_csv(
        b"team,person,Team role\r\nplatform,vic.viewer@acme.example,Lead\r\n",
        org_slug="acme",
        filename="memberships.csv",
    )
    assert outcome.applied and outcome.ignored_columns == [], outcome.as_text()
    assert _role(cast, "vic.viewer@acme.example") == "lead"


def test_someone_in_two_teams_has_the_role_of_each_row(cast):
    outcome = _csv(
        "email,name,team,team_role\r\n"
        "two@acme.example,Two Teams,Platform,lead\r\n"
        "two@acme.example,Two Teams,Acme,member\r\n"
    )
    assert outcome.applied and not outcome.report, outcome.as_text()
    assert Person.objects.filter(email="two@acme.example").count() == 1
    terms = Membership.objects.filter(person__email="two@acme.example")
    assert dict(terms.values_list("team__slug", "role")) == {"platform": "lead", "acme": "member"}
