"""Applying an organization file: creates, changes, removes; idempotent; reports problems."""

from __future__ import annotations

from accord.interchange import services
from accord.org.models import Membership, Organization, Person, Team

from .helpers import ORG_FILE, event_count


def test_it_creates_the_organization_described_by_the_file(db):
    outcome = services.apply_file(ORG_FILE, org_slug="initech")
    assert outcome.ok and outcome.applied and not outcome.report
    org = Organization.objects.get(slug="initech")
    assert org.name == "Initech"
    eng = Team.objects.get(org=org, slug="eng")
    assert eng.parent.slug == "initech" and eng.description.startswith("Builds")
    peter = Person.objects.get(org=org, email="peter@initech.example")
    assert peter.timezone == "America/Chicago" and peter.role == "member"
    assert not Person.objects.get(org=org, email="milton@initech.example").is_active
    assert {
        (m.team.slug, m.role, m.allocation) for m in Membership.objects.filter(person=peter)
    } == {
        ("eng", "lead", 60),
        ("ops", "member", 40),
    }
    assert outcome.counts()["teams"] == {"create": 3, "update": 0, "remove": 0}


def test_applying_the_same_file_twice_records_no_events(db):
    services.apply_file(ORG_FILE, org_slug="initech")
    before = event_count()
    again = services.apply_file(ORG_FILE, org_slug="initech")
    assert again.ok and again.changes == []
    assert event_count() == before


def test_it_changes_moves_and_removes_what_the_file_says(db):
    services.apply_file(ORG_FILE, org_slug="initech")
    changed = (
        ORG_FILE.replace("name: Operations\n    parent: initech", "name: Ops\n    parent: eng")
        .replace("  - {team: ops, person: peter@initech.example, allocation: 40}\n", "")
        .replace("allocation: 60", "allocation: 100")
    )
    outcome = services.apply_file(changed, org_slug="initech")
    assert outcome.ok, outcome.as_text()
    ops = Team.objects.get(slug="ops", org__slug="initech")
    assert (ops.name, ops.parent.slug) == ("Ops", "eng")
    peter = Person.objects.get(email="peter@initech.example")
    assert [(m.team.slug, m.allocation) for m in peter.memberships.all()] == [("eng", 100)]
    actions = {(c.section, c.key, c.action) for c in outcome.changes}
    assert ("memberships", "ops/peter@initech.example", "remove") in actions
    assert ("teams", "ops", "update") in actions


def test_a_section_left_out_of_the_file_is_left_alone(db):
    services.apply_file(ORG_FILE, org_slug="initech")
    only_teams = (
        "teams:\n  - {slug: initech, name: Initech}\n"
        "  - {slug: eng, name: Engineering, parent: initech,"
        " description: Builds the TPS report generator.}\n"
        "  - {slug: ops, name: Operations, parent: initech}\n"
    )
    outcome = services.plan_file(only_teams, org_slug="initech")
    assert outcome.changes == []


def test_the_plan_changes_nothing(db):
    services.apply_file(ORG_FILE, org_slug="initech")
    before = event_count()
    outcome = services.plan_file(ORG_FILE.replace("Operations", "Ops"), org_slug="initech")
    assert [(c.key, c.fields) for c in outcome.changes] == [
        ("ops", {"name": ("Operations", "Ops")})
    ]
    assert not outcome.applied
    assert Team.objects.get(slug="ops").name == "Operations"
    assert event_count() == before


def test_a_plan_for_a_new_organization_creates_nothing(db):
    outcome = services.plan_file(ORG_FILE, org_slug="initech")
    assert outcome.creates_org and outcome.counts()["people"]["create"] == 3
    assert not Organization.objects.filter(slug="initech").exists()


def test_without_strict_it_takes_what_is_clear_and_lists_the_rest(db):
    bad = ORG_FILE.replace("timezone: America/Chicago", "timezone: Mars/Olympus")
    outcome = services.apply_file(bad, org_slug="initech")
    assert outcome.applied
    problems = outcome.report.as_json()["problems"]
    assert {(p["path"], p["kind"]) for p in problems} == {
        ("people[1].timezone", "invalid_value"),
        ("memberships[0].person", "missing_reference"),
        ("memberships[1].person", "missing_reference"),
    }
    assert problems[0]["line"] == 20 and problems[0]["value"] == "Mars/Olympus"
    assert not Person.objects.filter(email="peter@initech.example").exists()
    assert Team.objects.filter(org__slug="initech").count() == 3


def test_an_id_removed_by_one_file_can_be_created_again_by_the_next(db):
    with_work = ORG_FILE + "initiatives:\n  - {id: tps, team: eng, title: TPS reports}\n"
    services.apply_file(with_work, org_slug="initech")
    removed = services.apply_file(ORG_FILE + "initiatives: []\n", org_slug="initech")
    assert [(c.key, c.action) for c in removed.changes] == [("tps", "remove")]
    again = services.apply_file(with_work, org_slug="initech")
    assert again.ok and not again.report, again.as_text()
    assert [(c.key, c.action) for c in again.changes] == [("tps", "create")]
    assert services.apply_file(with_work, org_slug="initech").changes == []


def test_values_accord_sets_itself_settle_in_one_apply(db):
    base = ORG_FILE + (
        "cadences:\n  - {id: c, name: Weekly, team: eng, rrule: 'rrule:freq=weekly;byday=mo',"
        " start_date: 2026-01-05, time: '9:05'}\n"
        "initiatives:\n  - {id: i, team: eng, title: Work, status: active, progress: 40}\n"
        "decisions:\n  - {id: d, question: Which?, approver: bill@initech.example, outcome: This}\n"
    )
    services.apply_file(base, org_slug="initech")
    later = base.replace("status: active, progress: 40", "status: done, progress: 40").replace(
        "outcome: This}", "outcome: This, status: decided}"
    )
    second = services.apply_file(later, org_slug="initech")
    assert {c.key for c in second.changes} == {"i", "d"}
    assert services.apply_file(later, org_slug="initech").changes == []
