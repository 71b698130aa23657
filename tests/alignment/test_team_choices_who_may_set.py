"""The new-objective and new-initiative forms, and the edit forms that move one to another
team, offer only the teams whose work the person may set (`services.teams_acted_for`,
the rule `acts_for` applies on saving): their own teams and those below a team they lead;
every team for leaders and admins. Their search box offers the same; a team posted anyway
is refused beside the field, not by a 403 after the whole form is filled in. Someone who
may set work for no team is told so in place of the form."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from accord.alignment import services as s
from accord.alignment.models import Initiative, Objective
from accord.org import services as org_services
from accord.org.models import MembershipRole, Role
from tests.conftest import login, make_person


def _offered(client, q: str = "") -> set[str]:
    """The team names the search box of the forms' team field offers."""
    body = client.get("/o/acme/pick/work_team/", {"q": q}).content.decode()
    return set(re.findall(r'aria-label="([^"]+)" ', body))


def _posted(kind: str, plan, team) -> dict:
    common = {"title": "Ship the thing", "team": team.pk, "status": "active"}
    if kind == "objective":
        return common | {"period": plan.q1.pk, "level": "team", "weight": "1"}
    return common | {"status": "proposed", "progress": "0"}


@pytest.fixture
def urls():
    return {
        "objective": reverse("alignment:objective_new", kwargs={"org_slug": "acme"}),
        "initiative": reverse("alignment:initiative_new", kwargs={"org_slug": "acme"}),
    }


def test_a_member_is_offered_only_their_team_and_another_is_refused_beside_the_field(
    cast, plan, urls
):
    client = login(cast.member)  # Mia, a member of Platform
    assert _offered(client) == {"Platform"}
    assert _offered(client, "sal") == set()  # Sales exists, but is not hers to plan
    for kind, url in urls.items():
        page = client.get(url).content.decode()
        assert "/o/acme/pick/work_team/" in page and "data-no-team" not in page
        r = client.post(url, _posted(kind, plan, plan.sales))
        assert r.status_code in (200, 422)  # the form again, not a 403
        body = r.content.decode()
        field = body.split('for="id_team"')[1].split('<div class="field')[0]
        assert 'aria-invalid="true"' in field
        assert client.post(url, _posted(kind, plan, cast.platform)).status_code == 302
    assert not Objective.objects.filter(team=plan.sales, title="Ship the thing").exists()
    assert not Initiative.objects.filter(team=plan.sales).exists()
    assert Objective.objects.filter(team=cast.platform, title="Ship the thing").exists()
    assert Initiative.objects.filter(team=cast.platform, title="Ship the thing").exists()


def test_a_lead_is_offered_their_team_and_every_team_below_it(cast, plan):
    lead = make_person(cast.org, "Lena Lead", Role.MEMBER)
    org_services.add_membership(
        cast.org, None, person=lead, team=cast.root, role=MembershipRole.LEAD
    )
    assert _offered(login(lead)) == {"Acme", "Platform", "Sales"}
    # a plain member of the top team: that team only
    plain = make_person(cast.org, "Pat Plain", Role.MEMBER)
    org_services.add_membership(cast.org, None, person=plain, team=cast.root)
    assert _offered(login(plain)) == {"Acme"}


@pytest.mark.parametrize("who", ["leader", "admin"])
def test_leaders_and_admins_are_offered_every_team(cast, plan, who):
    assert _offered(login(getattr(cast, who))) == {"Acme", "Platform", "Sales"}


def test_an_agent_is_offered_its_owners_teams(cast, plan):
    agent = org_services.add_agent(cast.org, cast.admin, name="Planner bot", owner=cast.member)
    assert set(s.teams_acted_for(cast.org, agent).values_list("name", flat=True)) == {"Platform"}


@pytest.mark.parametrize("kind", ["objective", "initiative"])
def test_someone_in_no_team_is_told_so_in_place_of_the_form(cast, plan, urls, kind):
    loner = make_person(cast.org, "Lou Loner", Role.MEMBER)
    client = login(loner)
    assert _offered(client) == set()
    page = client.get(urls[kind]).content.decode()
    assert 'data-no-team="member"' in page
    assert f"There is no team whose {kind}s you may set" in page
    assert 'name="title"' not in page  # no form to fill in for nothing
    # a leader without a team still sets organization objectives, and has every team
    assert "data-no-team" not in login(cast.leader).get(urls[kind]).content.decode()


def test_moving_an_initiative_offers_only_the_teams_it_may_move_to(cast, plan):
    item = s.create_initiative(
        cast.org, None, team=plan.sales, title="Sales deck", owner=cast.member
    )
    client = login(cast.member)  # its owner, though not in Sales
    edit = reverse(
        "alignment:initiative_edit", kwargs={"org_slug": "acme", "initiative_id": item.pk}
    )
    page = client.get(edit)
    assert page.status_code == 200
    assert "/o/acme/pick/work_team/" in page.content.decode()
    form = page.context["form"]
    assert set(form.fields["team"].queryset.values_list("name", flat=True)) == {
        "Platform",
        "Sales",  # its own team kept
    }
    body = {
        "title": "Sales deck",
        "team": cast.root.pk,
        "progress": "0",
        "version": item.version,
    }
    r = client.post(edit, body)
    assert r.status_code in (200, 422)
    field = r.content.decode().split('for="id_team"')[1].split('<div class="field')[0]
    assert 'aria-invalid="true"' in field
    item.refresh_from_db()
    assert item.team == plan.sales
    assert client.post(edit, body | {"team": cast.platform.pk}).status_code == 302
    item.refresh_from_db()
    assert item.team == cast.platform


def test_moving_an_objective_offers_only_the_teams_it_may_move_to(cast, plan):
    client = login(cast.member)
    edit = reverse(
        "alignment:objective_edit",
        kwargs={"org_slug": "acme", "objective_id": plan.platform_obj.pk},
    )
    form = client.get(edit).context["form"]
    assert set(form.fields["team"].queryset.values_list("name", flat=True)) == {"Platform"}


def _team_field(page: str) -> str:
    """The team field's markup on a form page: its label, picker and help."""
    return page.split('for="id_team"')[1].split('<div class="field')[0]


@pytest.mark.parametrize("kind", ["objective", "initiative"])
def test_a_member_of_one_team_finds_it_chosen_and_is_told_which_teams_are_offered(
    cast, plan, urls, kind
):
    """Mia, in Platform only, starts a new objective or initiative with Platform chosen, and
    the field says that it lists the teams whose work she may set (so "Sales" not being
    found is not a surprise)."""
    page = login(cast.member).get(urls[kind])
    assert page.context["form"]["team"].value() in (cast.platform, cast.platform.pk)
    field = _team_field(page.content.decode())
    assert "Platform" in field
    assert f"The teams whose {kind}s you may set." in field


@pytest.mark.parametrize("kind", ["objective", "initiative"])
def test_a_leader_offered_every_team_gets_no_such_hint(cast, plan, urls, kind):
    field = _team_field(login(cast.leader).get(urls[kind]).content.decode())
    assert "you may set" not in field
