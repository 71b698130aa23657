"""Removing a team by leaving it out of a file: the plan lists everything the apply does.

One policy: what only describes the team (its memberships, past terms, open positions, its
links to other teams) is removed with it and listed as removals of its own; a team still
used by records the file keeps (initiatives, objectives, cadences, issues, …) is not
removed, and the plan says why.
The same whether the plan tries the writes (small file) or only compares (large file)."""

from __future__ import annotations

import pytest

from accord.alignment import services as alignment
from accord.interchange import services as interchange
from accord.org import services
from accord.org.models import Membership, Organization, Team, TeamLink

from .helpers import ORG_FILE

WITHOUT_OPS = """\
teams:
  - {slug: initech, name: Initech}
  - {slug: eng, name: Engineering, parent: initech, description: Builds the TPS report generator.}
"""


@pytest.fixture
def initech(db) -> Organization:
    outcome = interchange.apply_file(ORG_FILE, org_slug="initech")
    assert outcome.applied and not outcome.report, outcome.as_text()
    org = Organization.objects.get(slug="initech")
    eng, ops = (Team.objects.get(org=org, slug=s) for s in ("eng", "ops"))
    services.link_teams(org, None, eng, ops, "stakeholder")
    return org


@pytest.mark.parametrize("large", [False, True], ids=["tried", "compared"])
def test_the_plan_lists_the_memberships_and_links_a_team_takes_with_it(initech, monkeypatch, large):
    if large:
        monkeypatch.setattr(interchange, "LARGE_BYTES", 0)
    planned = interchange.plan_file(WITHOUT_OPS, org_slug="initech")
    assert planned.counts() == {
        "teams": {"create": 0, "update": 0, "remove": 1},
        "memberships": {"create": 0, "update": 0, "remove": 1},
        "team_links": {"create": 0, "update": 0, "remove": 1},
    }
    text = planned.as_text()
    assert "- teams ops" in text
    assert "- memberships ops/peter@initech.example" in text
    assert "- team_links eng -> ops (stakeholder)" in text
    assert not planned.report, planned.report.as_text()
    applied = interchange.apply_file(WITHOUT_OPS, org_slug="initech")
    assert applied.counts() == planned.counts()
    assert not Team.objects.filter(org=initech, slug="ops").exists()
    assert not Membership.objects.filter(team__slug="ops").exists()
    assert not TeamLink.objects.filter(org=initech).exists()


@pytest.mark.parametrize("large", [False, True], ids=["tried", "compared"])
def test_a_team_still_in_use_is_refused_in_the_plan_and_kept(initech, monkeypatch, large):
    if large:
        monkeypatch.setattr(interchange, "LARGE_BYTES", 0)
    ops = Team.objects.get(org=initech, slug="ops")
    alignment.create_initiative(initech, None, team=ops, title="Fix the printer")
    planned = interchange.plan_file(WITHOUT_OPS, org_slug="initech")
    assert planned.changes == []
    (problem,) = planned.report.problems
    assert problem.kind == "in_use" and "1 initiative(s)" in problem.why
    applied = interchange.apply_file(WITHOUT_OPS, org_slug="initech")
    assert applied.changes == [] and [p.kind for p in applied.report.problems] == ["in_use"]
    assert Team.objects.filter(org=initech, slug="ops").exists()
    assert Membership.objects.filter(team=ops).count() == 1
    # Strict mode refuses the file.
    strict = interchange.apply_file(WITHOUT_OPS, org_slug="initech", strict=True)
    assert strict.aborted


def test_a_parent_whose_sub_team_stays_is_kept_too(initech):
    eng = Team.objects.get(org=initech, slug="eng")
    alignment.create_initiative(initech, None, team=eng, title="TPS reports")
    planned = interchange.plan_file(
        "teams:\n  - {slug: ops, name: Operations}\n", org_slug="initech"
    )
    removed = {c.key for c in planned.changes if c.action == "remove" and c.section == "teams"}
    assert removed == set()
    assert {p.value for p in planned.report.problems} == {"eng", "initech"}


@pytest.mark.parametrize("large", [False, True], ids=["tried", "compared"])
def test_the_plan_lists_a_removed_teams_past_terms_and_open_positions(initech, monkeypatch, large):
    if large:
        monkeypatch.setattr(interchange, "LARGE_BYTES", 0)
    ops = Team.objects.get(org=initech, slug="ops")
    services.end_term(initech, None, Membership.objects.get(team=ops))
    services.open_vacancy(initech, None, ops, role="lead")
    planned = interchange.plan_file(WITHOUT_OPS, org_slug="initech")
    counts = planned.counts()
    assert counts["past_terms"] == {"create": 0, "update": 0, "remove": 1}
    assert counts["vacancies"] == {"create": 0, "update": 0, "remove": 1}
    assert not planned.report, planned.report.as_text()
    applied = interchange.apply_file(WITHOUT_OPS, org_slug="initech")
    assert applied.counts() == counts
    assert not Team.objects.filter(org=initech, slug="ops").exists()
    assert not Membership.terms.filter(org=initech, team__slug="ops").exists()
