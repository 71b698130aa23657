"""Home's "Your work" and a person's page ask the database the same questions, and show the
same rows, whether the organization has 30 teams or 200: the work is read from the
person's own rows, never the organization's."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.alignment import services as alignment
from accord.alignment.models import KeyResult, ObjectiveLink, PeriodState
from accord.decisions import services as decisions
from accord.org import services as org_services
from accord.org.models import Person, Role
from tests.conftest import login, make_person

NAME = "Wendy Worker"


def _worker(org) -> Person:
    """Someone in a team of their own, with more of each kind of work than the card shows:
    initiatives serving a key result of an objective that serves another (the generated
    cascade), action items, decisions to make."""
    found = Person.objects.for_org(org).filter(name=NAME).first()
    if found is not None:
        return found
    person = make_person(org, NAME, Role.MEMBER)
    team = org_services.create_team(org, None, name="Worker team", parent=None)
    org_services.add_membership(org, None, person=person, team=team, allocation=100)
    link = (
        ObjectiveLink.objects.for_org(org)
        .exclude(child__period__state=PeriodState.CLOSED)
        .filter(child__key_results__isnull=False)
        .order_by("pk")
        .first()
    )
    assert link is not None, "the generator links objectives"
    kr = KeyResult.objects.for_org(org).filter(objective_id=link.child_id).order_by("pk").first()
    assert kr is not None, "the generator gives objectives key results"
    # Made by the worker: home's Recent activity (what people did) lists the same kinds of
    # thing at both sizes, and so reads their titles in as many queries.
    for n in range(7):
        alignment.create_initiative(
            org, person, team=team, title=f"Worker initiative {n}", owner=person,
            status="active", key_results=[kr],
        )  # fmt: skip
        decisions.create_action_item(org, person, f"Worker item {n}", person, team=team)
        decisions.create_decision(org, person, f"Worker question {n}?", approver=person)
    return person


def _measure(org, url: str) -> tuple[int, str]:
    client = login(_worker(org))
    client.get(url)  # warm the session and caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    card = re.search(r'<section class="card work"(.*?)</section>', html, re.S)
    assert card, url
    return len(ctx.captured_queries), card.group(1)


@pytest.mark.parametrize("page", ["home", "person page"])
def test_the_work_card_does_not_grow_with_the_organization(generated, db, page):
    got = {}
    for size, org in generated.items():
        url = f"/o/{org.slug}/"
        if page == "person page":
            url += f"people/{_worker(org).pk}/"
        got[size] = _measure(org, url)
    (small_q, small_card), (large_q, large_card) = got["small"], got["large"]
    assert small_q == large_q, (page, small_q, large_q)
    rows = [len(re.findall(r"<li>", card)) for card in (small_card, large_card)]
    assert rows[0] == rows[1] >= 15, rows  # five of each kind, and the check-ins
    assert "All 7 →" in large_card and "All 7 open →" in large_card
    assert "→ " in large_card  # the chain each initiative serves


def _rows_read(org) -> tuple[int, int]:
    """(queries, rows their statements read back) of one person's work summary."""
    from accord.web.work import work_of

    person = _worker(org)
    with CaptureQueriesContext(connection) as ctx:
        work_of(org, person, person)
    rows = 0
    with connection.cursor() as cursor:
        for q in ctx.captured_queries:
            if q["sql"].lstrip().upper().startswith(("SELECT", "WITH", "(")):
                cursor.execute(q["sql"])
                rows += len(cursor.fetchall())
    return len(ctx.captured_queries), rows


def test_the_work_summary_reads_the_persons_rows_not_the_organizations(generated, db):
    """Not the organization's objective links or check-ins: as many rows read at 200 teams
    as at 30 (where a whole-organization load would read several times more)."""
    small, large = (_rows_read(org) for org in (generated["small"], generated["large"]))
    assert small == large, (small, large)
