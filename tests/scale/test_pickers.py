"""A form page of each pillar is as large, and does as many queries, for an organization
of 200 teams as for one of 30: fields over many choices are search boxes, not selects."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.org.models import Role
from accord.web import pickers
from tests.conftest import login, make_person

FORMS = [
    "teams/new/",
    "alignment/objectives/new/",
    "alignment/initiatives/new/",
    "coordination/new/",
    "rhythm/cadences/new/",
    "decisions/new/",
]
# Pages whose lists belong to their pillar: here only their forms' options are counted.
LISTS_WITH_FORMS = ["decisions/", "decisions/actions/", "decisions/issues/"]
# List pages whose filters choose a team: a search box, never a select of every team.
TEAM_FILTERS = [
    ("decisions/actions/", "team-pick"),
    ("decisions/issues/", "team-pick"),
    ("coordination/list/", "team-pick"),
    ("insights/", "f-team"),
    ("coordination/map/", "map-team"),
]


@pytest.fixture
def lowered(monkeypatch):
    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 10)


@pytest.mark.parametrize("path", FORMS + LISTS_WITH_FORMS)
def test_form_pages_are_bounded(generated, db, lowered, path):
    seen = {}
    for size, org in generated.items():
        client = login(make_person(org, f"Pia Picker {size.title()}", Role.ADMIN))
        url = f"/o/{org.slug}/{path}"
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        seen[size] = (len(ctx.captured_queries), html.count("<option"), len(html))
    (small_q, small_opts, _), (large_q, large_opts, large_len) = seen["small"], seen["large"]
    assert small_opts == large_opts
    if path in FORMS:
        assert small_q == large_q
        assert large_len < 100_000


def test_the_search_endpoint_is_bounded(generated, db):
    seen = {}
    for size, org in generated.items():
        client = login(make_person(org, f"Sid Search {size.title()}", Role.ADMIN))
        for kind in pickers.KINDS:
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(f"/o/{org.slug}/pick/{kind}/", {"q": "e"})
            assert response.status_code == 200
            seen[size, kind] = (len(ctx.captured_queries), response.content.count(b'role="option"'))
    for kind in pickers.KINDS:
        assert seen["small", kind][0] == seen["large", kind][0]
        assert seen["large", kind][1] <= pickers.SEARCH_LIMIT


@pytest.mark.parametrize("path,box", TEAM_FILTERS)
def test_team_filters_are_search_boxes(generated, db, path, box):
    """At 200 teams as at 30, a list's team filter is the picker's search box: the page
    holds no more options, and is no larger, than for the smaller organization."""
    seen = {}
    for size, org in generated.items():
        client = login(make_person(org, f"Flo Filter {size.title()}", Role.ADMIN))
        url = f"/o/{org.slug}/{path}"
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert f'<select id="{box}"' not in html, url
        assert f'id="{box}" data-picker-input' in html, url
        seen[size] = (html.count("<option"), len(html))
    assert seen["small"][0] == seen["large"][0], path
