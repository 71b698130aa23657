"""The alignment tree page costs the same number of queries for 20 or 2,000 objectives,
and shows a bounded number of them."""

from __future__ import annotations

import random

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accord.alignment import services as s
from accord.alignment.models import (
    Initiative,
    InitiativeKeyResult,
    InitiativeObjective,
    KeyResult,
    Objective,
    ObjectiveLink,
)
from accord.org.models import Team
from tests.conftest import login


def build(org, period, people, n: int, seed: int = 1) -> None:
    """A synthetic tree: a few organization objectives, team objectives below, two key
    results each, one initiative per five objectives, some objectives with two parents."""
    rng = random.Random(seed)
    teams = Team.objects.bulk_create(
        [Team(org=org, name=f"Team {n}-{i}", slug=f"t{n}-{i}") for i in range(max(2, n // 50))]
    )
    roots = max(1, n // 20)
    objs = Objective.objects.bulk_create(
        [
            Objective(
                org=org,
                title=f"Objective {i}",
                period=period,
                level="org" if i < roots else "team",
                team=None if i < roots else rng.choice(teams),
                owner=rng.choice(people),
                status="active",
            )
            for i in range(n)
        ]
    )
    links = []
    for i, o in enumerate(objs[roots:], start=roots):
        links.append(ObjectiveLink(org=org, child=o, parent=objs[rng.randrange(0, i)], weight=1))
        if i % 10 == 0:
            other = objs[rng.randrange(0, roots)]
            if other.pk != links[-1].parent_id:
                links.append(ObjectiveLink(org=org, child=o, parent=other, weight=2))
    ObjectiveLink.objects.bulk_create(links)
    krs = KeyResult.objects.bulk_create(
        [
            KeyResult(
                org=org,
                objective=o,
                name=f"KR {o.pk}-{j}",
                start=0,
                target=10,
                current=rng.randint(0, 10),
                owner=rng.choice(people),
            )
            for o in objs
            for j in range(2)
        ]
    )
    inits = Initiative.objects.bulk_create(
        [
            Initiative(
                org=org,
                team=rng.choice(teams),
                title=f"Work {i}",
                status="active",
                rank=i + 1,
                owner=rng.choice(people),
            )
            for i in range(n // 5)
        ]
    )
    InitiativeKeyResult.objects.bulk_create(
        [InitiativeKeyResult(org=org, initiative=i, key_result=rng.choice(krs)) for i in inits[::2]]
    )
    InitiativeObjective.objects.bulk_create(
        [
            InitiativeObjective(org=org, initiative=i, objective=rng.choice(objs))
            for i in inits[1::2]
        ]
    )


def _count(client, url) -> tuple[int, bytes]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response.content


def test_the_tree_page_runs_the_same_queries_for_2000_objectives_as_for_20(cast):
    from accord.org import services as org_services

    people = [cast.admin, cast.leader, cast.member]
    small_org, big_org = cast.org, cast.other_org
    small_period = s.create_period(
        small_org, None, name="Q1", start="2026-01-01", end="2026-03-31", is_current=True
    )
    big_period = s.create_period(
        big_org, None, name="Q1", start="2026-01-01", end="2026-03-31", is_current=True
    )
    build(small_org, small_period, people, 20)
    big_people = [cast.outsider] + [
        org_services.add_person(big_org, None, name=f"P{i}") for i in range(3)
    ]
    build(big_org, big_period, big_people, 2000)

    small_n, small_html = _count(
        login(cast.admin), reverse("alignment:index", kwargs={"org_slug": "acme"})
    )
    big_n, big_html = _count(
        login(cast.outsider), reverse("alignment:index", kwargs={"org_slug": "globex"})
    )
    print(f"\nqueries: {small_n} for 20 objectives, {big_n} for 2,000")
    assert small_n == big_n, (small_n, big_n)
    assert small_n < 30
    # A small tree is shown whole; a big one starts at its top objectives, a page at a time.
    assert small_html.count(b'class="node-title"') >= 20  # and objectives met twice
    assert 30 <= big_html.count(b'class="node-title"') <= 60
    assert b"Next" in big_html and b"Next" not in small_html
