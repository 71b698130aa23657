"""The objective forms offer the Organization level only to leaders and admins; one posted
anyway is refused beside the Level field with everything typed kept (422), never a bare
403 page. A new objective's Team starts as the person's team when they are in one only."""

from __future__ import annotations

from django.urls import reverse

from accord.alignment.forms import ORG_LEVEL_REFUSED
from accord.alignment.models import Objective
from accord.org import services as org_services
from tests.conftest import login

NEW = reverse("alignment:objective_new", kwargs={"org_slug": "acme"})


def _select(body: str, name: str) -> str:
    return body.split(f'name="{name}"')[1].split("</select>")[0]


def test_a_member_is_not_offered_the_organization_level(cast, plan):
    body = login(cast.member).get(NEW).content.decode()
    assert 'value="org"' not in _select(body, "level")
    assert "Organization objectives are set by leaders and admins." in body
    assert 'value="org"' in _select(login(cast.leader).get(NEW).content.decode(), "level")


def test_the_organization_level_posted_by_a_member_is_refused_beside_it(cast, plan):
    typed = {
        "title": "Company-wide reliability",
        "description": "Fewer incidents everywhere",
        "period": plan.q1.pk,
        "level": "org",
        "team": "",
        "status": "active",
        "weight": "1",
    }
    r = login(cast.member).post(NEW, typed)
    assert r.status_code == 422
    body = r.content.decode()
    assert (
        f'<small class="error" id="id_level_error" data-field-error>{ORG_LEVEL_REFUSED}</small>'
        in body
    )
    assert 'value="Company-wide reliability"' in body and "Fewer incidents everywhere" in body
    assert not Objective.objects.filter(title="Company-wide reliability").exists()
    # A leader may.
    assert login(cast.leader).post(NEW, typed).status_code == 302
    assert Objective.objects.get(title="Company-wide reliability").level == "org"


def test_the_edit_form_refuses_it_too(cast, plan):
    edit = reverse(
        "alignment:objective_edit", kwargs={"org_slug": "acme", "objective_id": plan.sales_obj.pk}
    )
    org_services.add_membership(cast.org, None, person=cast.member, team=plan.sales, allocation=10)
    client = login(cast.member)
    assert 'value="org"' not in _select(client.get(edit).content.decode(), "level")
    r = client.post(
        edit,
        {
            "title": "Win every deal",
            "period": plan.q1.pk,
            "level": "org",
            "team": plan.sales.pk,
            "status": "active",
            "version": plan.sales_obj.version,
        },
    )
    assert r.status_code == 422
    assert f'id="id_level_error" data-field-error>{ORG_LEVEL_REFUSED}<' in r.content.decode()
    assert 'value="Win every deal"' in r.content.decode()
    plan.sales_obj.refresh_from_db()
    assert (plan.sales_obj.level, plan.sales_obj.title) == ("team", "Win enterprise deals")


def _team(body: str) -> str:
    """The team picker's chosen value."""
    return body.split('name="team" value="')[1].split('"')[0]


def test_team_starts_as_the_persons_only_team(cast, plan):
    body = login(cast.member).get(NEW).content.decode()  # Mia is in Platform only
    assert _team(body) == str(cast.platform.pk) and 'value="Platform"' in body
    org_services.add_membership(cast.org, None, person=cast.member, team=plan.sales, allocation=10)
    assert _team(login(cast.member).get(NEW).content.decode()) == ""  # two teams: no guess
    assert _team(login(cast.leader).get(NEW).content.decode()) == ""  # in no team
