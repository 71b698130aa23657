"""Applying a file costs a few queries per person and membership, whatever the file's size,
and the lookups it spares (open positions, other people's addresses) still hold."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accord.activity.models import Event
from accord.core.errors import Conflict
from accord.interchange import services
from accord.org import known
from accord.org import services as org_services
from accord.org.models import Membership, Organization, Person, Team, TeamVacancy


def _file(people: int) -> str:
    lines = ["accord: 1", "organization: {name: Q Co, slug: qco}", "teams:"]
    lines.append("  - {slug: root, name: Root}")
    lines += [f"  - {{slug: t{t}, name: Team {t}, parent: root}}" for t in range(5)]
    lines.append("people:")
    lines += [f"  - {{email: p{p}@q.example, name: Person {p}}}" for p in range(people)]
    lines.append("memberships:")
    lines += [
        f"  - {{team: t{p % 5}, person: p{p}@q.example, allocation: 50}}" for p in range(people)
    ]
    return "\n".join(lines) + "\n"


def _apply_counting(people: int) -> tuple[int, int]:
    """(queries other than savepoints, all statements) of applying the file into a new org."""
    Organization.objects.filter(slug="qco").delete()
    with CaptureQueriesContext(connection) as ctx:
        outcome = services.apply_file(_file(people), org_slug="qco")
    assert outcome.applied and not outcome.report, outcome.report.as_json()
    assert Membership.objects.filter(org__slug="qco").count() == people
    sql = [q["sql"].lstrip().upper() for q in ctx.captured_queries]
    savepoints = sum(1 for s in sql if s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))
    return len(sql) - savepoints, len(sql)


def test_people_and_memberships_are_written_in_batches_not_one_by_one(db):
    small, small_all = _apply_counting(10)
    large, large_all = _apply_counting(410)
    # New people and new memberships are written 200 at a time, each batch in a handful of
    # queries (checks, an insert, a lock of the people on a database with row locks) and
    # one savepoint: 400 more people with a membership each cost three batches more of
    # each, not a query per object.
    assert large - small <= 2 * 3 * 5
    assert large_all - small_all <= 2 * 3 * (5 + 2)


def test_a_membership_in_a_file_fills_the_open_position_it_takes(db):
    services.apply_file(_file(2), org_slug="qco")
    org = Organization.objects.get(slug="qco")
    t1 = Team.objects.get(org=org, slug="t1")
    org_services.open_vacancy(org, None, t1, role="lead")
    org_services.open_vacancy(org, None, Team.objects.get(org=org, slug="t2"), role="lead")
    body = _file(2).replace(
        "memberships:\n",
        "memberships:\n  - {team: t1, person: p0@q.example, role: lead, allocation: 50}\n",
    )
    outcome = services.apply_file(body, org=org)
    assert outcome.applied and not outcome.report, outcome.report.as_json()
    assert list(TeamVacancy.objects.filter(org=org).values_list("team__slug", "role")) == [
        ("t2", "lead")
    ]
    assert Event.objects.filter(org=org, verb="filled", target_type="org.teamvacancy").count() == 1


def test_what_a_run_knows_is_looked_up_again_after_a_commit(db):
    services.apply_file(_file(2), org_slug="qco")
    org = Organization.objects.get(slug="qco")
    t0 = Team.objects.get(org=org, slug="t0")
    ada = Person.objects.get(org=org, email="p0@q.example")
    with known.remembering(org):
        with transaction.atomic():
            assert not known.of(org).may_have_vacancy(t0.pk, "lead")
        known.forget()
        # Another writer opens a position between two transactions of the run.
        TeamVacancy.objects.create(org=org, team=t0, role="lead", since="2026-01-01")
        with transaction.atomic():
            org_services.update_membership(
                org, None, Membership.objects.get(person=ada), role="lead"
            )
    assert not TeamVacancy.objects.filter(org=org).exists()


def test_an_address_given_earlier_in_the_same_run_is_still_refused_as_a_primary_one(db):
    services.apply_file(_file(1), org_slug="qco")
    org = Organization.objects.get(slug="qco")
    with known.remembering(org), transaction.atomic():
        assert not known.of(org).may_have_extra_emails()
        org_services.add_person(
            org, None, name="Ada", email="ada@q.example", emails=["a@home.example"]
        )
        with pytest.raises(Conflict, match=r"a@home\.example is an address of Ada"):
            org_services.add_person(org, None, name="Bea", email="a@home.example")
