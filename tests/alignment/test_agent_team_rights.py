"""An agent acts for the teams its owner is a member of or leads above, and for what its
owner owns; rights over every team come only from its own role, never from its owner's.
A Member agent of a leader (or of an admin) is refused another team's objectives, key
results and initiatives, in the service and through the API alike, and the forms offer it
only the teams the service accepts; a Leader agent still acts for every team."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from accord.alignment import services as s
from accord.alignment.forms import InitiativeForm
from accord.alignment.models import Initiative, KeyResult, Objective
from accord.api import services as tokens
from accord.core.errors import PermissionDenied
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role


def agent_client(agent) -> Client:
    """An API client holding a `member` token of `agent`, made by its owner."""
    _, raw = tokens.create_token(agent.org, agent, "assistant", scope="member", actor=agent.owner)
    return Client(headers={"Authorization": f"Bearer {raw}"})


def patch(client, address, data):
    return client.patch(address, json.dumps(data), content_type="application/json")


def post(client, address, data):
    return client.post(address, json.dumps(data), content_type="application/json")


@pytest.fixture
def leos_bot(cast, plan):
    """Leo (Leader role) is a member of Platform only; his bot has the Member role."""
    org_services.add_membership(
        cast.org, None, person=cast.leader, team=cast.platform, allocation=50
    )
    return org_services.add_agent(cast.org, cast.leader, name="Leo's bot", owner=cast.leader)


def test_a_member_agent_of_a_leader_is_refused_a_team_its_owner_is_not_in(cast, plan, leos_bot):
    org, bot = cast.org, leos_bot
    kr = s.create_key_result(org, None, plan.sales_obj, name="Deals", start=0, target=10)
    item = s.create_initiative(org, None, team=plan.sales, title="Partner deals")
    with pytest.raises(PermissionDenied):
        s.update_objective(org, bot, plan.sales_obj, title="Ours now")
    with pytest.raises(PermissionDenied):
        s.update_key_result(org, bot, kr, name="Ours now")
    with pytest.raises(PermissionDenied):
        s.update_initiative(org, bot, item, title="Ours now")
    with pytest.raises(PermissionDenied):
        s.create_initiative(org, bot, team=plan.sales, title="Automate deals")
    with pytest.raises(PermissionDenied):
        s.create_objective(org, bot, title="Sell more", period=plan.q1, team=plan.sales)
    assert not s.acts_for(bot, plan.sales)
    assert not s.may_change(bot, plan.sales_obj)
    # The API answers 403 alike, and nothing changed.
    client = agent_client(bot)
    r = patch(client, f"/api/v1/objectives/{plan.sales_obj.pk}", {"title": "Ours now"})
    assert r.status_code == 403, r.content
    r = patch(client, f"/api/v1/initiatives/{item.pk}", {"title": "Ours now"})
    assert r.status_code == 403, r.content
    r = post(client, "/api/v1/initiatives", {"team_id": plan.sales.pk, "title": "Automate"})
    assert r.status_code == 403, r.content
    assert Objective.objects.get(pk=plan.sales_obj.pk).title == "Win enterprise deals"
    assert KeyResult.objects.get(pk=kr.pk).name == "Deals"
    assert Initiative.objects.get(pk=item.pk).title == "Partner deals"
    assert not Initiative.objects.filter(title__in=["Automate deals", "Automate"]).exists()


def test_it_acts_for_its_owners_team_and_its_owners_own_objective(cast, plan, leos_bot):
    org, bot = cast.org, leos_bot
    assert s.acts_for(bot, cast.platform)
    s.update_objective(org, bot, plan.platform_obj, title="Faster checkout, everywhere")
    s.create_initiative(org, bot, team=cast.platform, title="Automate releases")
    r = patch(
        agent_client(bot), f"/api/v1/objectives/{plan.platform_obj.pk}", {"title": "Fast checkout"}
    )
    assert r.status_code == 200, r.content
    # Sales' objective that Leo owns is his own work: his bot changes it.
    leos = s.create_objective(
        org, None, title="Land two banks", period=plan.q1, team=plan.sales, owner=cast.leader
    )
    assert s.may_change(bot, leos)
    s.update_objective(org, bot, leos, title="Land three banks")
    assert Objective.objects.get(pk=leos.pk).title == "Land three banks"


def test_the_forms_offer_the_agent_the_teams_the_service_accepts(cast, plan, leos_bot):
    org, bot = cast.org, leos_bot
    offered = s.teams_acted_for(org, bot)
    assert set(offered.values_list("name", flat=True)) == {"Platform"}
    form = InitiativeForm(org=org, person=bot)
    assert set(form.fields["team"].queryset) == {cast.platform}
    # Leo leads the top team: his bot then acts for every team below it, as he would.
    org_services.add_membership(
        org, None, person=cast.leader, team=cast.root, role=MembershipRole.LEAD, allocation=10
    )
    assert set(s.teams_acted_for(org, bot)) == {cast.root, cast.platform, plan.sales}
    assert s.acts_for(bot, plan.sales)
    s.update_objective(org, bot, plan.sales_obj, title="Win bank deals")


def test_an_admins_member_agent_acts_only_for_its_owners_teams(cast, plan):
    org = cast.org
    bot = org_services.add_agent(org, cast.admin, name="Ada's bot", owner=cast.admin)
    assert not s.teams_acted_for(org, bot).exists()
    assert not s.acts_for(bot, cast.platform)
    org_services.add_membership(org, None, person=cast.admin, team=plan.sales)
    assert set(s.teams_acted_for(org, bot)) == {plan.sales}
    assert s.acts_for(bot, plan.sales) and not s.acts_for(bot, cast.platform)
    with pytest.raises(PermissionDenied):
        s.update_objective(org, bot, plan.platform_obj, title="Ours now")


def test_a_leader_agent_still_acts_for_every_team(cast, plan):
    org = cast.org
    bot = org_services.add_agent(
        org, cast.leader, name="Leo's planner", owner=cast.leader, role=Role.LEADER
    )
    assert s.acts_for(bot, plan.sales)
    assert set(s.teams_acted_for(org, bot)) == {cast.root, cast.platform, plan.sales}
    s.update_objective(org, bot, plan.sales_obj, title="Win bank deals")
    r = patch(agent_client(bot), f"/api/v1/objectives/{plan.sales_obj.pk}", {"title": "Win"})
    assert r.status_code == 200, r.content
