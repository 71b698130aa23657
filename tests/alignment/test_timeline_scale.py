"""The initiatives timeline costs the same queries for a generated organization of 30 teams
and one of 200, whatever the filters: a page of rows, never every initiative; the
dependencies of the page in one query; blocked marks in one query for the page."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org.models import Role, Team
from tests.conftest import login, make_person

BAR = re.compile(rb'class="tl-bar-link" data-initiative="\d+"')
MARK = re.compile(rb'class="tl-dep tl-dep--')


@pytest.fixture(scope="module")
def viewers(generated, django_db_blocker):
    with django_db_blocker.unblock():
        return {
            size: make_person(org, f"Tia {size}", Role.VIEWER) for size, org in generated.items()
        }


def _root(org) -> Team:
    return Team.objects.for_org(org).filter(parent=None).order_by("id").first()


@pytest.mark.parametrize(
    "qs",
    [
        "",
        "team={root}&blocked=yes&sort=-progress",
        "status=active&sort=target&page=2",
    ],
)
def test_the_timeline_costs_the_same_whatever_the_size(generated, viewers, db, qs):
    got = {}
    for size, org in generated.items():
        client = login(viewers[size])
        url = f"/o/{org.slug}/alignment/initiatives/timeline/?" + qs.format(root=_root(org).pk)
        client.get(url)  # warm the session and labels alike for both sizes
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        got[size] = (len(ctx.captured_queries), response)
    # A plain select reads its few options; a search box at scale reads none.
    assert got["large"][0] <= got["small"][0], qs
    for _, response in got.values():
        assert 0 < len(BAR.findall(response.content)) <= 50, qs  # rows on both sides
    if not qs:
        assert MARK.findall(got["large"][1].content)  # dependencies drawn at scale too
