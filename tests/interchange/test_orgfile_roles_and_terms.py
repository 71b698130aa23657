"""Roles in teams, terms with dates, past terms, open positions, liaisons and unknown
allocations in the organization file: planned, applied once, exported back the same."""

from __future__ import annotations

import datetime as dt

from accord.activity.models import Event
from accord.interchange import csvio, services
from accord.org.models import Membership, Organization, TeamLink, TeamRole, TeamVacancy

from .helpers import ORG_FILE, dump

TERMS = ORG_FILE.replace(
    "  - {team: ops, person: peter@initech.example, allocation: 40}\n",
    "  - {team: ops, person: peter@initech.example, role: chair, allocation: null,"
    " started_on: 2025-03-01}\n",
) + (
    """\
team_roles:
  - {slug: scribe, name: Scribe}
past_terms:
  - {team: eng, person: bill@initech.example, role: lead, started_on: 2020-01-06,
     ended_on: 2022-12-31}
  - {team: eng, person: bill@initech.example, role: lead, ended_on: 2024-06-30}
vacancies:
  - {team: ops, role: lead, since: 2026-01-15, note: Ask Bill}
team_links:
  - {from: eng, to: ops, kind: liaison, person: peter@initech.example}
"""
)


def test_the_new_fields_are_planned_applied_once_and_round_trip(db):
    plan = services.plan_file(TERMS, org_slug="initech")
    assert plan.ok and not plan.report, plan.report.as_text()
    assert plan.counts()["past_terms"]["create"] == 2
    assert plan.counts()["vacancies"]["create"] == 1
    assert not Organization.objects.filter(slug="initech").exists()

    outcome = services.apply_file(TERMS, org_slug="initech")
    assert outcome.ok and not outcome.report, outcome.report.as_text()
    org = Organization.objects.get(slug="initech")
    assert TeamRole.objects.filter(org=org, slug="scribe").exists()
    chair = Membership.objects.get(org=org, team__slug="ops")
    assert (chair.role, chair.allocation, chair.started_on) == ("chair", None, dt.date(2025, 3, 1))
    past = Membership.terms.filter(org=org).past().order_by("ended_on")
    assert [(m.person.name, m.started_on, m.ended_on) for m in past] == [
        ("Bill Lumbergh", dt.date(2020, 1, 6), dt.date(2022, 12, 31)),
        ("Bill Lumbergh", None, dt.date(2024, 6, 30)),
    ]
    assert not Membership.objects.filter(org=org, team__slug="eng", person__name="Bill Lumbergh")
    vacancy = TeamVacancy.objects.get(org=org)
    assert (vacancy.team.slug, vacancy.role, vacancy.note) == ("ops", "lead", "Ask Bill")
    link = TeamLink.objects.get(org=org)
    assert (link.kind, link.person.name) == ("liaison", "Peter Gibbons")

    events = Event.objects.count()
    assert services.apply_file(TERMS, org=org).changes == []
    assert Event.objects.count() == events

    text = services.export_text(org)
    assert "allocation: null" in text and "past_terms:" in text and "vacancies:" in text
    copy = services.apply_file(text, org_slug="initech-copy")
    assert copy.ok and not copy.report, copy.report.as_text()
    copy_org = Organization.objects.get(slug="initech-copy")
    body = services.export_text(copy_org).split("\nteams:", 1)[1]
    assert body == text.split("\nteams:", 1)[1]


def test_leaving_allocation_out_still_means_all_of_their_time(db):
    services.apply_file(ORG_FILE, org_slug="initech")
    bill = Membership.objects.get(org__slug="initech", person__name="Bill Lumbergh")
    assert bill.allocation == 100


def test_an_unknown_role_or_a_liaison_without_a_person_writes_nothing(db):
    services.apply_file(ORG_FILE, org_slug="initech")
    org = Organization.objects.get(slug="initech")
    before = dump()
    wrong_role = ORG_FILE.replace("allocation: 40}", "role: boss, allocation: 40}")
    outcome = services.apply_file(wrong_role, org=org, strict=True)
    assert not outcome.ok and "boss" in outcome.as_text()
    no_person = ORG_FILE + "team_links:\n  - {from: eng, to: ops, kind: liaison}\n"
    outcome = services.apply_file(no_person, org=org, strict=True)
    assert not outcome.ok and "liaison" in outcome.as_text()
    assert dump() == before


def test_csv_memberships_take_roles_starts_and_an_empty_allocation(cast):
    rows = (
        "team,person,role,allocation,started_on\r\n"
        "acme,ada.admin@acme.example,chair,,2025-09-01\r\n"
        "acme,leo.leader@acme.example,co-lead,unknown,\r\n"
    )
    outcome = csvio.import_csv(rows.encode(), org_slug="acme")
    assert outcome.ok, outcome.as_text()
    ada = Membership.objects.get(person=cast.admin)
    assert (ada.role, ada.allocation, ada.started_on) == ("chair", None, dt.date(2025, 9, 1))
    assert Membership.objects.get(person=cast.leader).allocation is None
    exported = "\r\n".join(
        ",".join(str(c) for c in row)
        for row in csvio.rows(cast.org, csvio.kinds_by_section()["memberships"])
    )
    assert "acme,ada.admin@acme.example,chair,,2025-09-01" in exported
    # Without the column, a membership still takes all of the person's time.
    rows = "team,person\r\nacme,vic.viewer@acme.example\r\n"
    assert csvio.import_csv(rows.encode(), org_slug="acme").ok
    assert Membership.objects.get(person=cast.viewer).allocation == 100
    # An unknown role is refused with its line.
    bad = "team,person,role\r\nplatform,vic.viewer@acme.example,boss\r\n"
    before = dump()
    assert csvio.import_csv(bad.encode(), org_slug="acme", strict=True).aborted
    assert dump() == before
