"""The issues list opens on the viewer's home team and the teams below it (a department
head's department, a member's team), as Insights and the coordination overview do, told so
with a one-click link to every team; what the address asks for (`?team=SLUG`, or `?team=`
for every team) is always what is shown."""

from __future__ import annotations

import re

import pytest

from accord.decisions import services
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import login

URL = "/o/acme/decisions/issues/"


@pytest.fixture
def issues(cast):
    """Acme > Platform > Payments and Acme > Design, an issue at each; Leo heads Platform."""
    payments = org_services.create_team(
        cast.org, None, name="Payments", slug="payments", parent=cast.platform
    )
    design = org_services.create_team(
        cast.org, None, name="Design", slug="design", parent=cast.root
    )
    for team in (cast.platform, payments, design):
        services.raise_issue(cast.org, cast.member, team, f"Issue of {team.slug}")
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, role=MembershipRole.LEAD
    )
    return design


def _shown(html: str) -> set[str]:
    return set(re.findall(r">Issue of (\w+)</a>", html))


def test_a_head_opens_on_their_department_told_so(cast, issues):
    html = login(cast.leader).get(URL).content.decode()
    assert _shown(html) == {"platform", "payments"}
    scope = re.search(r"<p class=\"muted\" data-scope>(.*?)</p>", html, re.S).group(1)
    assert scope.startswith("Your team: Platform and the teams below it.")
    assert '<a href="?team=" data-every-team>Every team</a>' in scope
    assert html.count(">Every team</a>") == 1


def test_a_member_opens_on_their_team(cast, issues):
    assert _shown(login(cast.member).get(URL).content.decode()) == {"platform", "payments"}


def test_the_address_is_obeyed(cast, issues):
    client = login(cast.leader)
    every = client.get(URL, {"team": ""}).content.decode()
    assert _shown(every) == {"platform", "payments", "design"}
    assert "data-every-team" not in every
    design = client.get(URL, {"team": "design"}).content.decode()
    assert _shown(design) == {"design"} and "Your team:" not in design
    # Solved and dropped ones of every team, a click away from those of the home team.
    closed = client.get(URL, {"show": "closed"}).content.decode()
    assert 'href="?team=&amp;show=closed" data-every-team' in closed


def test_someone_in_no_team_sees_every_team(cast, issues):
    html = login(cast.admin).get(URL).content.decode()
    assert _shown(html) == {"platform", "payments", "design"}
    assert "Your team:" not in html
