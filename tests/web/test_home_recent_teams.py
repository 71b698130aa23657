"""Home's "Recent activity" is of the reader's teams and the teams below them (as the
Activity page's team filter reads them), with a link to the organization's; someone in
no team (a viewer, an admin of no team) reads the organization's."""

from __future__ import annotations

import pytest

from accord.activity import queries as activity_queries
from accord.org import services
from accord.org.models import MembershipRole
from tests.conftest import login


def recent(page: str) -> str:
    return page[page.index("<h2>Recent activity</h2>") :].split("</section>")[0]


@pytest.fixture
def tree(cast):
    """Acme > Platform (Mia Member's team) > Payments, and Acme > Design; each renamed by
    the admin, Design last."""
    payments = services.create_team(cast.org, None, name="Payments", parent=cast.platform)
    design = services.create_team(cast.org, None, name="Design", parent=cast.root)
    services.update_team(cast.org, cast.admin, cast.platform, name="Platform Core")
    services.update_team(cast.org, cast.admin, payments, name="Payments Ops")
    services.update_team(cast.org, cast.admin, design, name="Design Studio")
    return {"payments": payments, "design": design}


def test_a_members_home_shows_their_teams_and_those_below_not_a_strangers(cast, tree):
    home = recent(login(cast.member).get("/o/acme/").content.decode())
    assert "Platform Core" in home and "Payments Ops" in home  # Payments is below Platform
    assert "Design Studio" not in home  # another team's, though the newest
    assert "and the teams below it." in home
    assert 'href="/o/acme/activity/?team=platform"' in home
    assert "All of the organization's activity →" in home
    everything = login(cast.member).get("/o/acme/activity/").content.decode()
    assert "Design Studio" in everything  # still on the Activity page


def test_someone_in_no_team_reads_the_organizations(cast, tree):
    for person in (cast.admin, cast.viewer):
        home = recent(login(person).get("/o/acme/").content.decode())
        assert "Design Studio" in home and "Payments Ops" in home and "Platform Core" in home
        assert "All activity →" in home and "teams below" not in home


@pytest.mark.parametrize("few", [64, 1])  # the teams named by their ids; by a subquery
def test_several_teams_read_together_and_the_top_team_reads_everything(
    cast, tree, few, monkeypatch
):
    monkeypatch.setattr(activity_queries, "FEW_TEAMS", few)
    leo = cast.leader
    for team in (tree["payments"], tree["design"]):
        services.add_membership(cast.org, None, person=leo, team=team, allocation=20)
    home = recent(login(leo).get("/o/acme/").content.decode())
    assert "Design Studio" in home and "Payments Ops" in home
    assert "Platform Core" not in home  # above Payments, not below it
    assert "and the teams below them." in home
    services.add_membership(
        cast.org, None, person=leo, team=cast.root, role=MembershipRole.LEAD, allocation=20
    )
    home = recent(login(leo).get("/o/acme/").content.decode())
    assert "Platform Core" in home  # Acme's subtree: every team


def test_a_team_with_nothing_yet_says_so(cast):
    services.update_team(cast.org, cast.admin, cast.root, description="Acme's own")
    quiet = services.create_team(cast.org, None, name="Quiet", parent=cast.root)
    services.add_membership(cast.org, None, person=cast.leader, team=quiet)
    home = recent(login(cast.leader).get("/o/acme/").content.decode())
    assert "Nothing yet in your team." in home and "Acme" not in home.split("<ol")[1]
