"""An action item given with no team is for its owner's home team (the highest team they
lead, else their first), from any page, the API or an assistant, so that the owner's team
lead sees it on the team's action items; a team chosen is kept; an owner in no team gives
it none."""

from __future__ import annotations

import pytest

from accord.decisions import services
from accord.decisions.forms import ActionItemForm
from accord.decisions.models import ActionItem
from accord.org import services as org_services
from accord.org.models import MembershipRole
from tests.conftest import api_client, login


@pytest.fixture
def lead_of_platform(cast):
    org_services.add_membership(
        cast.org, None, person=cast.admin, team=cast.platform, role=MembershipRole.LEAD
    )
    return cast.admin


def test_an_item_given_from_a_decisions_page_is_on_the_owners_teams_list(cast, lead_of_platform):
    d = services.create_decision(cast.org, cast.leader, "Roll back?", approver=cast.leader)
    page = f"/o/acme/decisions/{d.pk}/"
    response = login(cast.leader).post(
        "/o/acme/decisions/actions/new/",
        {
            "title": "Rotate the IdP key",
            "owner": cast.member.pk,
            "team": "",
            "source_type": "decisions.decision",
            "source_id": d.pk,
            "next": page,
        },
        follow=True,
    )
    assert "for Mia Member (Platform)." in response.content.decode()
    item = ActionItem.objects.get(title="Rotate the IdP key")
    assert item.team == cast.platform
    listed = login(lead_of_platform).get("/o/acme/decisions/actions/?team=platform&only=1")
    assert "Rotate the IdP key" in listed.content.decode()


def test_the_api_files_it_for_the_owners_team_unless_a_team_is_given(cast):
    api = api_client(cast.leader)
    for team_id, title, expected in (
        (None, "Unfiled", cast.platform),
        (cast.root.pk, "Filed at the top", cast.root),
    ):
        body = {"title": title, "owner_id": cast.member.pk}
        if team_id is not None:
            body["team_id"] = team_id
        response = api.post("/api/v1/action-items", body, content_type="application/json")
        assert response.status_code == 201, response.content
        assert response.json()["team_id"] == expected.pk


def test_the_owners_home_team_is_the_highest_they_lead_and_none_for_no_team(cast):
    for team in (cast.platform, cast.root):
        org_services.add_membership(
            cast.org, None, person=cast.leader, team=team, role=MembershipRole.LEAD, allocation=50
        )
    led = services.create_action_item(cast.org, cast.member, "Approve the budget", cast.leader)
    assert led.team == cast.root
    alone = services.create_action_item(cast.org, cast.member, "Read the memo", cast.admin)
    assert alone.team is None  # Ada is in no team


def test_the_same_item_again_is_refused_by_the_form_as_by_the_service(cast):
    data = {"title": "Rotate the IdP key", "owner": cast.member.pk, "team": ""}
    services.create_action_item(cast.org, cast.leader, "Rotate the IdP key", cast.member)
    form = ActionItemForm(data, org=cast.org, person=cast.leader)
    assert not form.is_valid()
    assert "You recorded this action item for Mia Member" in str(form.errors)
