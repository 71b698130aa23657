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
from tests.decisions.helpers import recorded_long_ago


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
            org,
            cast.admin,
            title,
            cast.member,
            due_on=today + dt.timedelta(days=days),
            team=web,
            **recorded_long_ago(),  # one of them overdue already
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
    assert ">1 overdue</a>" in items and ">0 open at Engineering itself</a>" in items
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


def test_a_departments_decisions_are_its_teams_too(cast, dept):
    """Waiting decisions of the teams below come first, soonest deadline, each naming its
    team; the counts are the decision log's, cut to the department."""
    eng, web = dept
    today = timezone.localdate()
    org = cast.org
    decisions.create_decision(
        org,
        None,
        "Drop IE support?",
        cast.admin,
        teams=[web],
        decide_by=today - dt.timedelta(1),
        opened_at=timezone.now() - dt.timedelta(days=10),
    )
    decisions.create_decision(org, None, "Own the CDN?", cast.admin, teams=[eng])
    decisions.create_decision(org, None, "Platform only", cast.admin, teams=[cast.platform])
    page = login(cast.member).get("/o/acme/teams/eng/").content.decode()
    card = _card(page, "tdec-h")
    assert re.search(r'\?team=\d+&amp;status=open"[^>]*>2</a></h2>', card)
    assert ">1 overdue</a>" in card and ">0 proposed</a>" in card
    assert card.index("Drop IE support?") < card.index("Own the CDN?")
    assert "· Web</small>" in card.split("Own the CDN?")[0]
    assert "Platform only" not in card
    # A team with no sub-teams lists its own, with no department figures.
    web_card = _card(login(cast.member).get("/o/acme/teams/web/").content.decode(), "tdec-h")
    assert "Drop IE support?" in web_card and "Own the CDN?" not in web_card
    assert "With the teams below" not in web_card


def test_a_departments_objectives_card_gives_its_trees_figures(cast, dept):
    from accord.alignment import services as alignment

    eng, web = dept
    org = cast.org
    today = timezone.localdate()
    period = alignment.create_period(
        org,
        None,
        name="This quarter",
        start=today - dt.timedelta(days=30),
        end=today + dt.timedelta(days=60),
        state="active",
        is_current=True,
    )
    mine = alignment.create_objective(org, None, title="Ship it", period=period, team=eng)
    alignment.create_objective(org, None, title="Faster pages", period=period, team=web)
    alignment.create_objective(
        org, None, title="Under ours", period=period, team=web, parents=[mine]
    )
    page = login(cast.member).get("/o/acme/teams/eng/").content.decode()
    card = page.split('id="team-align-h"')[1].split("</section>")[0]
    assert "<strong>With the teams below it:</strong>" in card
    assert f'?period={period.pk}&amp;team=eng">3 objectives</a>' in card
    assert "Engineering itself" in card and "Ship it" in card
    web_card = login(cast.member).get("/o/acme/teams/web/").content.decode()
    assert "With the teams below it" not in web_card.split('id="team-align-h"')[1]
