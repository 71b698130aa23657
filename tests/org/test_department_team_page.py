"""A team with sub-teams (a department) shows on its page what a department head expects:
its open issues, action items, follow-through and dependencies with the teams below it
(each linking to the list of them), beside the team's own counts. A team with no sub-teams
shows its own, as before."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from accord.coordination import services as coordination
from accord.decisions import services as decisions
from accord.org import services
from tests.conftest import login
from tests.coordination.conftest import initiative


@pytest.fixture
def dept(cast):
    """Engineering with Web below it; the work is Web's, none filed to Engineering."""
    org = cast.org
    eng = services.create_team(org, None, name="Engineering", slug="eng", parent=cast.root)
    web = services.create_team(org, None, name="Web", slug="web", parent=eng)
    today = timezone.localdate()
    decisions.raise_issue(org, cast.member, web, "Flaky deploys")
    for title, days in (("Fix the build", -2), ("Write the runbook", 5)):
        decisions.create_action_item(
            org, cast.admin, title, cast.member, due_on=today + dt.timedelta(days=days), team=web
        )
    coordination.create_dependency(
        org,
        None,
        requester_initiative=initiative(org, cast.platform, "Platform thing"),
        provider_team=web,
        title="Web hooks",
        need_by=today + dt.timedelta(days=20),
    )
    return eng, web


def _card(page: str, heading_id: str) -> str:
    return page.split(f'id="{heading_id}"')[1].split("</section>")[0]


def test_a_departments_page_counts_the_teams_below_it(cast, dept):
    page = login(cast.member).get("/o/acme/teams/eng/").content.decode()
    issues = _card(page, "tiss-h")
    assert re.search(r'href="/o/acme/decisions/issues/\?team=eng"[^>]*>1</a>', issues)
    assert "Flaky deploys" in issues and ">Web</small>" in issues
    assert ">0 at Engineering itself</a>" in issues
    items = _card(page, "tact-h")
    assert re.search(r'href="/o/acme/decisions/actions/\?team=eng"[^>]*>2</a>', items)
    assert ">1 overdue</a>" in items and ">0 of Engineering itself</a>" in items
    assert "with the teams below: <strong>0%</strong> (0 of 1 on time)" in items
    assert "Fix the build" in items and "· Web</small>" in items
    deps = _card(page, "coord-team-h")
    assert ">1 active dependencies</a>" in deps and ">1 waiting for an answer from them</a>" in deps
    assert ">1 asked of them by other teams</a>" in deps
    assert "<strong>Engineering itself:</strong>" in deps and ">0 asked of Engineering</a>" in deps


def test_a_team_with_no_sub_teams_shows_its_own(cast, dept):
    page = login(cast.member).get("/o/acme/teams/web/").content.decode()
    issues = _card(page, "tiss-h")
    assert re.search(r'href="/o/acme/decisions/issues/\?team=web&amp;only=1"[^>]*>1</a>', issues)
    assert "With the teams below" not in page and "data-scope-figures" not in page
    items = _card(page, "tact-h")
    assert re.search(r'\?team=web&amp;only=1"[^>]*>2</a>', items)
    assert ">1 asked of Web</a>" in _card(page, "coord-team-h")
