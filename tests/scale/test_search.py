"""Search answers with as many queries for an organization of 200 teams as for one of 30,
whatever it finds: cadences with when they are next, people with their teams and those near
the searcher, a team's work when its name is typed, and "Did you mean …?" when nothing
matches (read from the index's term lists, never from every name)."""

from __future__ import annotations

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org.models import Membership, Role, Team
from tests.conftest import login, make_person

# Session, person, identities, index, a few per kind found, people near, a team's work.
MOST_QUERIES = 25
TYPED = ["sync", "check-in", "ada", "ada chen", "ads platform", "ads platfrom", "zzzz"]


def test_the_type_ahead_is_bounded_whatever_it_finds(generated, db):
    seen = {}
    for size, org in generated.items():
        me = make_person(org, f"Sam Searcher {size.title()}", Role.ADMIN)
        team = Team.objects.for_org(org).get(name="Ads Platform")
        Membership.objects.create(org=org, person=me, team=team)
        client = login(me)
        for q in TYPED:
            url = f"/o/{org.slug}/search/"
            client.get(url, {"q": q}, headers={"HX-Request": "true"})  # warm
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, {"q": q}, headers={"HX-Request": "true"})
            assert response.status_code == 200
            html = response.content.decode()
            kinds = frozenset(re.findall(r'class="search__kind">([^<]+)<', html))
            seen[size, q] = (len(ctx.captured_queries), html, kinds)
    for q in TYPED:
        # Each kind found is read in a query or a few: the same kinds, the same queries.
        if seen["small", q][2] == seen["large", q][2]:
            assert seen["small", q][0] == seen["large", q][0], q
        assert seen["large", q][0] <= MOST_QUERIES, q
    assert "Did you mean" in seen["large", "ads platfrom"][1]
    assert "All of Ads Platform\u2019s" in seen["large", "ads platform"][1]
