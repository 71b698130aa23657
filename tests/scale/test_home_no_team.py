"""Home of someone in no team (the organization's view: its health, top signals, key
results at risk and objectives) asks the database the same questions at 30 teams as at
200: it reads stored signals and health in order, never the organization's tree."""

from __future__ import annotations

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from accord.org.models import Person, Role
from accord.web import panels
from tests.conftest import make_person


def _viewer(org) -> Person:
    found = Person.objects.for_org(org).filter(name="Bea Board").first()
    return found or make_person(org, "Bea Board", Role.VIEWER)


def _measure(org) -> tuple[int, str]:
    """(queries, HTML) of home's panels for a viewer in no team. (Its Recent activity reads
    the titles of the kinds of thing the organization's last events are about: a few
    more or fewer queries by what was done last, whatever the size.)"""
    request = RequestFactory().get(f"/o/{org.slug}/")
    request.org, request.person, request.user = org, _viewer(org), _viewer(org).user
    panels.collect("home", request)  # warm the caches
    with CaptureQueriesContext(connection) as ctx:
        html = "".join(panels.collect("home", request))
    return len(ctx.captured_queries), html


def test_the_organizations_view_on_home_does_not_grow_with_it(generated, db):
    (small_q, small), (large_q, large) = (_measure(generated[k]) for k in ("small", "large"))
    assert small_q == large_q, (small_q, large_q)
    for page in (small, large):
        assert "/insights/teams/" in page  # the top team's health, loaded after
        assert 'id="org-objectives-h"' in page  # the organization's own objectives
