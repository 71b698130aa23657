"""The action items page opens on the viewer's own items; someone who owns none open (a
department head) sees their team's instead, told why in one quiet line, rather than an
empty page. What the address asks for (`?person=`, `?team=`) is always what is shown."""

from __future__ import annotations

import pytest

from accord.decisions import services
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import login

URL = "/o/acme/decisions/actions/"
WHY = "You have no open action items; showing your teams'."


@pytest.fixture
def head(cast):
    """Leo leads the department (Acme, Platform below it) and owns no item; Mia of
    Platform owns one."""
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.root, role=MembershipRole.LEAD
    )
    services.create_action_item(
        cast.org, None, "Publish the price list", cast.member, team=cast.platform
    )
    return cast.leader


def heading(html: str) -> str:
    return html[html.index("<h1>") + 4 : html.index("</h1>")]


def test_a_head_with_no_open_items_of_their_own_opens_on_their_teams(cast, head):
    client = login(head)

    html = client.get(URL).content.decode()

    assert heading(html) == "Action items · Acme"
    assert "Acme and the teams below it." in html
    assert "Publish the price list" in html
    assert html.count(WHY) == 1
    # Their own list is a click away, and shown when asked for.
    assert f'href="?person={head.pk}">Mine</a>' in html
    own = client.get(URL, {"person": head.pk}).content.decode()
    assert heading(own) == "Action items · Leo Leader"
    assert "Publish the price list" not in own and WHY not in own


def test_what_the_address_asks_for_is_shown(cast, head):
    client = login(head)
    platform = client.get(URL, {"team": "platform", "only": "1"}).content.decode()
    assert heading(platform) == "Action items · Platform" and WHY not in platform
    # The filter's form sent with an empty box: their own, as its placeholder says.
    cleared = client.get(URL, {"team": ""}).content.decode()
    assert heading(cleared) == "Action items · Leo Leader" and WHY not in cleared


def test_someone_with_an_open_item_of_their_own_opens_on_it(cast, head):
    services.create_action_item(cast.org, cast.member, "Call the supplier", head)
    html = login(head).get(URL).content.decode()
    assert heading(html) == "Action items · Leo Leader"
    assert "Call the supplier" in html and WHY not in html
    # Nor does anyone in no team who owns an open item.
    services.create_action_item(cast.org, cast.member, "Sign the lease", cast.admin)
    lone = login(cast.admin).get(URL).content.decode()
    assert heading(lone) == "Action items · Ada Admin" and "Sign the lease" in lone
    assert NO_TEAM not in lone


NO_TEAM = "You have no open action items and no team; showing the whole organization's."


def test_someone_in_no_team_with_no_items_opens_on_the_organizations(cast, head):
    """A viewer or an executive in no team sees the organization's figures (its only team
    at the top, with every team below it), not an empty list of their own."""
    for person in (cast.viewer, cast.admin):
        client = login(person)
        html = client.get(URL).content.decode()
        assert heading(html) == "Action items · Acme"
        assert "Acme and the teams below it." in html
        assert "Publish the price list" in html
        assert html.count(NO_TEAM) == 1 and WHY not in html
        assert f'href="?person={person.pk}">Mine</a>' in html
        own = client.get(URL, {"person": person.pk}).content.decode()
        assert heading(own) == f"Action items · {person.name}" and NO_TEAM not in own
    # The admin's new item is not filed to the whole organization by default.
    form = login(cast.admin).get(URL).context["form"]
    assert form.initial["team"] is None


def test_with_several_teams_at_the_top_no_one_is_the_organizations(cast, head):
    org_services.create_team(cast.org, None, name="Labs", slug="labs")
    html = login(cast.viewer).get(URL).content.decode()
    assert heading(html) == "Action items · Vic Viewer" and NO_TEAM not in html


def test_a_retired_team_at_the_top_is_history_not_a_second_organization(cast, head):
    old = org_services.create_team(cast.org, None, name="Old labs", slug="old-labs")
    org_services.retire_team(cast.org, None, old)
    html = login(cast.viewer).get(URL).content.decode()
    assert heading(html) == "Action items · Acme" and html.count(NO_TEAM) == 1


def test_someone_who_handed_out_an_open_item_opens_on_their_own_page(cast, head):
    """Their page lists what they handed out and is waiting on: not an empty page."""
    services.create_action_item(cast.org, head, "Send the contract", cast.member)
    html = login(head).get(URL).content.decode()
    assert heading(html) == "Action items · Leo Leader"
    assert "Send the contract" in html and WHY not in html
