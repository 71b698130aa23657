"""An import leaves what it does not give to the organization's own rules: an allocation
not given is 100% for someone in no team yet and unknown for someone already in one (never
"200%"), and a person without a time zone gets the organization's."""

from __future__ import annotations

import re

import pytest

from accord.interchange import csvio, services
from accord.org.models import Membership, Organization, Person

ORG = """\
accord: 1
organization: {name: Initech, slug: initech}
teams:
  - {slug: eng, name: Engineering}
  - {slug: ops, name: Operations}
people:
  - {email: bill@initech.example, name: Bill Lumbergh, role: admin}
  - {email: peter@initech.example, name: Peter Gibbons, timezone: America/Chicago}
memberships:
  - {team: eng, person: peter@initech.example, allocation: 60}
"""

ADA = "ada@initech.example"
PETER = "peter@initech.example"


@pytest.fixture
def initech(db) -> Organization:
    outcome = services.apply_file(ORG, org_slug="initech")
    assert outcome.ok and not outcome.report, outcome.as_text()
    return Organization.objects.get(slug="initech")


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="initech", **kwargs)


def _terms(email: str) -> list[tuple[str, int | None]]:
    terms = Membership.objects.filter(person__email=email).order_by("team__slug")
    return [(m.team.slug, m.allocation) for m in terms]


def test_a_people_csv_naming_someone_in_two_teams_imports_both_memberships(initech):
    text = f"email,name,team\n{ADA},Ada Lovelace,eng\n{ADA},Ada Lovelace,ops\n"
    plan = _csv(text, dry_run=True)
    assert plan.ok and not plan.report, plan.as_text()
    assert "100" not in plan.as_text() and "200%" not in plan.as_text()
    outcome = _csv(text)
    assert outcome.ok and not outcome.report, outcome.as_text()
    assert _terms(ADA) == [("eng", 100), ("ops", None)]
    assert Person.objects.filter(org=initech, email=ADA).count() == 1
    # The same file again changes nothing.
    assert _csv(text, dry_run=True).changes == []


def test_a_repeated_person_row_that_says_something_else_is_still_a_duplicate(initech):
    text = f"email,name,team\n{ADA},Ada Lovelace,eng\n{ADA},Ada King,ops\n"
    outcome = _csv(text, dry_run=True)
    assert [p.kind for p in outcome.report.problems] == ["duplicate"], outcome.as_text()


def test_a_memberships_csv_without_allocation_adds_someone_in_a_team_as_unknown(initech):
    outcome = _csv(f"team,person\nops,{PETER}\n")
    assert outcome.ok and not outcome.report, outcome.as_text()
    assert _terms(PETER) == [("eng", 60), ("ops", None)]


def test_a_share_given_comes_first_and_one_left_out_never_refuses(initech):
    # The left-out one (eng) is first in the file: the given 100% still stands.
    text = f"team,person,allocation\neng,{ADA}\nops,{ADA},100\n"
    _csv(f"email,name\n{ADA},Ada Lovelace\n")
    outcome = _csv(text)
    assert outcome.ok and not outcome.report, outcome.as_text()
    assert _terms(ADA) == [("eng", None), ("ops", 100)]


def test_shares_given_above_100_are_still_refused_clearly(initech):
    _csv(f"email,name\n{ADA},Ada Lovelace\n")
    outcome = _csv(f"team,person,allocation\neng,{ADA},70\nops,{ADA},50\n")
    problems = outcome.report.problems
    assert [p.kind for p in problems] == ["over_allocated"], outcome.as_text()
    assert f"{ADA} would be allocated 120% in all (at most 100%)" in problems[0].why
    assert problems[0].value == "50"
    assert _terms(ADA) == [("eng", 70)]


def test_the_organization_file_leaving_allocation_out_keeps_an_existing_share(initech):
    plan = services.plan_file(ORG.replace(", allocation: 60", ""), org=initech)
    assert plan.ok and plan.changes == [], plan.as_text()
    # ... and a new term left out takes the rule: unknown beside the 60% Peter has.
    outcome = services.apply_file(ORG + f"  - {{team: ops, person: {PETER}}}\n", org=initech)
    assert outcome.ok and not outcome.report, outcome.as_text()
    assert _terms(PETER) == [("eng", 60), ("ops", None)]


def test_a_person_imported_without_a_timezone_gets_the_organizations(initech):
    initech.timezone = "Europe/Berlin"
    initech.save(update_fields=["timezone"])
    outcome = _csv(f"email,name,team\n{ADA},Ada Lovelace,eng\n")
    assert outcome.ok and not outcome.report, outcome.as_text()
    assert Person.objects.get(org=initech, email=ADA).timezone == "Europe/Berlin"
    # From the organization file too.
    samir = "  - {email: samir@initech.example, name: Samir}\nmemberships:"
    outcome = services.apply_file(ORG.replace("memberships:", samir), org=initech)
    assert outcome.ok, outcome.as_text()
    assert Person.objects.get(org=initech, email="samir@initech.example").timezone == (
        "Europe/Berlin"
    )


def test_leaving_the_timezone_out_keeps_an_existing_persons(initech):
    initech.timezone = "Europe/Berlin"
    initech.save(update_fields=["timezone"])
    no_zone = ORG.replace(", timezone: America/Chicago", "")
    assert services.plan_file(no_zone, org=initech).changes == []
    assert _csv(f"email,name,timezone\n{PETER},Peter Gibbons,\n", dry_run=True).changes == []
    assert Person.objects.get(org=initech, email=PETER).timezone == "America/Chicago"


def _shares(org) -> list[tuple[str, str, int | None]]:
    terms = Membership.objects.filter(org=org)
    return sorted((m.team.slug, m.person.email, m.allocation) for m in terms)


def test_an_export_applied_to_a_new_organization_gives_the_same_shares(initech):
    _csv(f"email,name,team\n{ADA},Ada Lovelace,eng\n{ADA},Ada Lovelace,ops\n")
    _csv("email,name,team\nsamir@initech.example,Samir,ops\n")
    _csv(f"team,person,allocation\nops,{PETER},40\n")
    text = services.export_text(initech)
    # Only someone's only term at 100% (Samir's) leaves the allocation out.
    assert re.findall(r"allocation: (\S+)", text) == ["100", "60", "null", "40"]
    assert services.plan_file(text, org=initech).changes == []
    copy = services.apply_file(text.replace("slug: initech", "slug: initech2", 1))
    assert copy.ok and not copy.report, copy.as_text()
    new = Organization.objects.get(slug="initech2")
    assert _shares(new) == _shares(initech)
    assert ("ops", "samir@initech.example", 100) in _shares(new)
