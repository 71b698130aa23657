"""A CSV speaks for its columns: a column left out leaves that field as it is on an existing
object (a new one takes the default); an empty cell in a present column still means the
default (or, for allocation, unknown). The organization file keeps its own rule: a field
left out means its default."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accord.alignment.models import Initiative, KeyResult, Milestone, Objective
from accord.interchange import csvio, services
from accord.org.models import Membership, Organization, Person, Team
from tests.conftest import login

from .helpers import dump, event_count

ORG = """\
accord: 1
organization: {name: Initech, slug: initech}
teams:
  - {slug: initech, name: Initech}
  - slug: eng
    name: Engineering
    parent: initech
    description: Builds the TPS report generator.
    mission: Ship reports people read.
    chat: "#eng"
  - {slug: ops, name: Operations, parent: initech}
people:
  - {email: bill@initech.example, name: Bill Lumbergh, role: admin, title: Vice President}
  - email: peter@initech.example
    name: Peter Gibbons
    role: leader
    title: Engineering lead
    timezone: America/Chicago
    emails: [pgibbons@initech.example]
memberships:
  - {team: eng, person: peter@initech.example, role: lead, allocation: 60}
  - {team: ops, person: peter@initech.example, allocation: 40}
  - {team: initech, person: bill@initech.example, role: lead}
periods:
  - {name: 2027 Q1, start: 2027-01-01, end: 2027-03-31}
milestones:
  - {name: Release, date: 2027-03-22}
  - {name: Freeze, anchor: Release, offset_days: -14}
objectives:
  - {id: faster, title: Faster reports, period: 2027 Q1, team: eng}
  - id: lighter
    title: Lighter reports
    period: 2027 Q1
    team: eng
    owner: peter@initech.example
    parents: [faster]
key_results:
  - id: kr-speed
    objective: faster
    name: Report time
    unit: s
    direction: decrease
    start: 60
    target: 10
    current: 40
initiatives:
  - id: cover
    team: eng
    title: New cover sheet
    status: active
    owner: peter@initech.example
    start_date: 2027-01-04
    target_date: 2027-03-01
    effort_weeks: 6
    progress: 30
    key_results: [kr-speed]
"""

PETER = "peter@initech.example"


@pytest.fixture
def initech(db) -> Organization:
    outcome = services.apply_file(ORG, org_slug="initech")
    assert outcome.ok and not outcome.report, outcome.as_text()
    return Organization.objects.get(slug="initech")


def _csv(text: str, **kwargs):
    return csvio.import_csv(text.encode(), org_slug="initech", **kwargs)


def _fields(outcome) -> list[tuple[str, str, dict]]:
    return [(c.section, c.key, dict(c.fields)) for c in outcome.changes]


def test_a_people_csv_without_title_role_or_timezone_keeps_them(initech):
    assert _csv(f"email,name\n{PETER},Peter Gibbons\n", dry_run=True).changes == []
    outcome = _csv(f"email,name\n{PETER},Peter R. Gibbons\n")
    assert _fields(outcome) == [
        ("people", PETER, {"name": ("Peter Gibbons", "Peter R. Gibbons")})
    ], outcome.as_text()
    peter = Person.objects.get(org=initech, email=PETER)
    assert (peter.name, peter.title, peter.role, peter.timezone) == (
        "Peter R. Gibbons",
        "Engineering lead",
        "leader",
        "America/Chicago",
    )


def test_a_memberships_csv_without_role_or_allocation_keeps_them(initech):
    assert _csv(f"team,person\neng,{PETER}\n", dry_run=True).changes == []
    # Only the role column: the allocations (60 + 40) are checked as they are, not as 100 each.
    outcome = _csv(f"team,person,role\neng,{PETER},co-lead\nops,{PETER},member\n")
    assert outcome.ok and not outcome.report, outcome.as_text()
    assert _fields(outcome) == [("memberships", f"eng/{PETER}", {"role": ("lead", "co-lead")})]
    terms = Membership.objects.filter(person__email=PETER).order_by("team__slug")
    assert [(m.team.slug, m.role, m.allocation) for m in terms] == [
        ("eng", "co-lead", 60),
        ("ops", "member", 40),
    ]


def test_an_initiatives_csv_moving_a_team_keeps_status_owner_dates_progress_and_links(initech):
    outcome = _csv("id,team,title\ncover,ops,New cover sheet\n")
    assert _fields(outcome) == [("initiatives", "cover", {"team": ("eng", "ops")})]
    cover = Initiative.objects.get(org=initech, title="New cover sheet")
    assert (cover.team.slug, cover.status, cover.owner.email, cover.progress) == (
        "ops",
        "active",
        PETER,
        30,
    )
    assert (str(cover.start_date), str(cover.target_date), cover.effort_weeks) == (
        "2027-01-04",
        "2027-03-01",
        6,
    )
    assert [kr.name for kr in cover.key_results.all()] == ["Report time"]


def test_a_teams_csv_that_reparents_keeps_mission_and_chat(initech):
    outcome = _csv("slug,name,parent\neng,Engineering,ops\n")
    assert _fields(outcome) == [("teams", "eng", {"parent": ("initech", "ops")})]
    eng = Team.objects.get(org=initech, slug="eng")
    assert (eng.parent.slug, eng.mission, eng.chat, eng.description) == (
        "ops",
        "Ship reports people read.",
        "#eng",
        "Builds the TPS report generator.",
    )


def test_objectives_key_results_and_milestones_keep_what_their_csv_leaves_out(initech):
    # Without a `parents` column the link stays; without `owner`, the owner stays.
    assert _csv("id,title,period,team\nlighter,Lighter reports,2027 Q1,eng\n").changes == []
    lighter = Objective.objects.get(org=initech, title="Lighter reports")
    assert lighter.owner.email == PETER and lighter.parent_links.count() == 1
    # Without `current`, no check-in of 0 is recorded.
    outcome = _csv("id,objective,name\nkr-speed,faster,Report time (p95)\n")
    assert _fields(outcome) == [
        ("key_results", "kr-speed", {"name": ("Report time", "Report time (p95)")})
    ]
    kr = KeyResult.objects.get(org=initech)
    assert (kr.current, kr.target, kr.direction, kr.unit) == (40, 10, "decrease", "s")
    # A relative milestone given without `date` and `anchor` still has its anchor: the check
    # "a milestone needs a date or an anchor" sees what it holds.
    outcome = _csv("name,description\nFreeze,No new features.\n", section="milestones")
    assert outcome.ok and not outcome.report, outcome.as_text()
    freeze = Milestone.objects.get(org=initech, name="Freeze")
    assert (freeze.anchor.name, freeze.offset_days, freeze.description) == (
        "Release",
        -14,
        "No new features.",
    )


def test_an_empty_cell_in_a_present_column_still_means_the_default(initech):
    outcome = _csv(f"email,name,title\n{PETER},Peter Gibbons,\n")
    assert _fields(outcome) == [("people", PETER, {"title": ("Engineering lead", "")})]
    outcome = _csv(f"team,person,allocation\neng,{PETER},\n")  # empty allocation: unknown
    assert _fields(outcome) == [("memberships", f"eng/{PETER}", {"allocation": (60, None)})]
    assert Membership.objects.get(team__slug="eng", person__email=PETER).role == "lead"
    # A row shorter than the header gives only the cells it has: the timezone it does not
    # reach stays as it is, as without that column.
    outcome = _csv(f"email,name,title,timezone\n{PETER},Peter Gibbons,Boss\n")
    assert _fields(outcome) == [("people", PETER, {"title": ("", "Boss")})]


def test_a_new_item_takes_the_defaults_of_the_columns_left_out(initech):
    outcome = _csv("email,name\nsamir@initech.example,Samir Nagheenanajar\n")
    assert outcome.ok and not outcome.report
    samir = Person.objects.get(org=initech, email="samir@initech.example")
    assert (samir.title, samir.role, samir.timezone, samir.is_active) == ("", "member", "UTC", True)
    assert _csv("team,person\nops,samir@initech.example\n").ok
    samir_ops = Membership.objects.get(person=samir)
    assert (samir_ops.role, samir_ops.allocation) == ("member", 100)


def test_a_person_named_by_another_address_keeps_their_fields(initech):
    outcome = _csv("email,name\npgibbons@initech.example,Peter Gibbons\n", dry_run=True)
    assert outcome.ok and not outcome.report, outcome.as_text()
    assert outcome.changes == []


def test_a_large_csv_compared_without_trial_writes_keeps_the_fields_too(initech, monkeypatch):
    monkeypatch.setattr(services, "LARGE_BYTES", 10)
    plan = _csv(f"team,person\neng,{PETER}\n", dry_run=True)
    assert plan.changes == [] and plan.ok
    applied = _csv(f"email,name\n{PETER},Pete Gibbons\n")
    assert _fields(applied) == [("people", PETER, {"name": ("Peter Gibbons", "Pete Gibbons")})]
    assert Person.objects.get(email=PETER).role == "leader"


def test_the_organization_file_still_means_the_default_for_a_field_left_out(initech):
    outcome = services.plan_file(ORG.replace("    title: Engineering lead\n", ""), org=initech)
    assert _fields(outcome) == [("people", PETER, {"title": ("Engineering lead", "")})]


# --- the import page ----------------------------------------------------------------------

BASE = "/o/initech/interchange/"


@pytest.fixture
def admin(initech):
    from accord.org.services import ensure_user

    bill = Person.objects.get(org=initech, email="bill@initech.example")
    bill.user = ensure_user(bill.email, "pw-bill-123456", name=bill.name)
    bill.save(update_fields=["user"])
    return login(bill)


def _plan(client, name: str, text: str):
    response = client.post(f"{BASE}plan/", {"file": SimpleUploadedFile(name, text.encode())})
    return response, response.content.decode()


@pytest.mark.urls("tests.interchange.urls")
def test_the_page_plans_and_applies_only_the_columns_of_the_csv(admin, initech):
    before = dump()
    response, page = _plan(admin, "teams.csv", "slug,name,parent\neng,Engineering,ops\n")
    assert response.status_code == 200 and dump() == before
    assert "parent: initech → ops" in page
    assert "mission" not in page and "chat" not in page.split("What would change")[1]
    assert "Check before applying" not in page
    fields = dict(re.findall(r'name="(payload|digest|name)" value="([^"]*)"', page))
    applied = admin.post(f"{BASE}apply/", fields)
    assert applied.status_code == 200 and "Applied teams.csv" in applied.content.decode()
    eng = Team.objects.get(org=initech, slug="eng")
    assert (eng.parent.slug, eng.mission, eng.chat) == ("ops", "Ship reports people read.", "#eng")


@pytest.mark.urls("tests.interchange.urls")
def test_the_page_shows_a_demotion_or_a_cleared_field_without_opening_every_change(admin, initech):
    events = event_count()
    text = f"email,name,title,role\n{PETER},Peter Gibbons,,member\n"
    _response, page = _plan(admin, "people.csv", text)
    shown = page.split("<details>")[0]  # what is visible before "Every change" is opened
    assert "Check before applying: 1 change takes something away" in shown
    assert "title cleared; role lowered from leader to member" in shown
    text = f"team,person,allocation,role\neng,{PETER},,member\n"
    _response, page = _plan(admin, "memberships.csv", text)
    shown = page.split("<details>")[0]
    assert "no longer lead (now member); allocation now unknown (was 60%)" in shown
    # A change that takes nothing away is not flagged.
    _response, page = _plan(admin, "people.csv", f"email,name,role\n{PETER},Peter G.,admin\n")
    assert "Check before applying" not in page and "What would change" in page
    assert event_count() == events


def test_the_api_csv_import_changes_only_the_columns_given(cast, api_admin):
    member = cast.member.email
    body = f"team,person,role\nplatform,{member},lead\n"
    response = api_admin.post(
        "/api/v1/interchange/csv?dry_run=true", data=body, content_type="text/csv"
    )
    assert response.status_code == 200, response.content
    assert response.json()["changes"] == [
        {
            "section": "memberships",
            "key": f"platform/{member}",
            "name": f"platform/{member}",
            "action": "update",
            "fields": {"role": {"before": "member", "after": "lead"}},
        }
    ]
    api_admin.post("/api/v1/interchange/csv", data=body, content_type="text/csv")
    term = Membership.objects.get(team=cast.platform, person=cast.member)
    assert (term.role, term.allocation) == ("lead", 50)
