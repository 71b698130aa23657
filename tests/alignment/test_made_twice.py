"""Back, then submit again (or a retried API call): the same objective, key result or
initiative its person made a moment ago is refused, naming the one made then, and made a
second time only when asked (the form's box, the API's `again`), as decisions, action
items and issues are (`accord.core.twice`)."""

from __future__ import annotations

import html as htmllib

import pytest
from django.urls import reverse

from accord.alignment import services as s
from accord.alignment.models import Initiative, KeyResult, Objective
from accord.core.errors import Duplicate
from accord.org import services as org_services
from tests.conftest import api_client, login


@pytest.fixture(autouse=True)
def mia_in_sales(cast, plan):
    """Mia, who makes things twice here, is of Sales too (a team's work is its own)."""
    org_services.add_membership(cast.org, None, person=cast.member, team=plan.sales, allocation=10)


def _post(client, url: str, data: dict) -> tuple[int, str]:
    r = client.post(url, data)
    return r.status_code, htmllib.unescape(r.content.decode())


# --- services ----------------------------------------------------------------------------


def test_the_services_refuse_the_same_one_again_unless_asked(cast, plan):
    org = cast.org
    made = s.create_objective(
        org, cast.member, title="Faster search", period=plan.q1, team=plan.sales
    )
    with pytest.raises(Duplicate) as twin:
        s.create_objective(
            org, cast.member, title="faster search ", period=plan.q1, team=plan.sales
        )
    assert twin.value.existing == made and twin.value.code == "duplicate"
    assert f"(#{made.pk})" in twin.value.message and "Sales in Q1 2026" in twin.value.message
    again = s.create_objective(
        org, cast.member, title="Faster search", period=plan.q1, team=plan.sales, again=True
    )
    assert again.pk != made.pk
    # Another team, another period or another person is no second click.
    s.create_objective(org, cast.member, title="Faster search", period=plan.q1, team=cast.platform)
    s.create_objective(org, cast.member, title="Faster search", period=plan.q2, team=plan.sales)
    s.create_objective(org, cast.leader, title="Faster search", period=plan.q1, team=plan.sales)

    kr = s.create_key_result(org, cast.member, made, name="p95 latency", start=300, target=900)
    with pytest.raises(Duplicate, match=f"#{kr.pk}"):
        s.create_key_result(org, cast.member, made, name="P95 latency", start=300, target=900)
    s.create_key_result(org, cast.member, made, name="p95 latency", start=3, target=9, again=True)
    assert KeyResult.objects.filter(objective=made).count() == 2

    work = s.create_initiative(org, cast.member, team=plan.sales, title="Search index")
    with pytest.raises(Duplicate, match=f"#{work.pk}, proposed"):
        s.create_initiative(org, cast.member, team=plan.sales, title="Search index")
    s.create_initiative(org, cast.member, team=plan.sales, title="Search index", again=True)
    assert Initiative.objects.filter(title="Search index").count() == 2
    # Imports and the demo (no person) record what they are given.
    s.create_initiative(org, None, team=plan.sales, title="Search index")
    s.create_initiative(org, None, team=plan.sales, title="Search index")


# --- pages -------------------------------------------------------------------------------


def test_the_objective_form_asks_before_making_a_second_one(cast, plan):
    url = reverse("alignment:objective_new", kwargs={"org_slug": "acme"})
    client = login(cast.member)
    typed = {
        "title": "Happier on-call",
        "period": plan.q1.pk,
        "level": "team",
        "team": plan.sales.pk,
        "status": "active",
        "weight": "1",
    }
    assert client.post(url, typed).status_code == 302
    made = Objective.objects.get(title="Happier on-call")
    status, page = _post(client, url, typed)
    assert status == 422
    assert "You set this objective for Sales in Q1 2026" in page and f"(#{made.pk})" in page
    assert "tick the box to make a second one" in page
    assert 'type="checkbox" name="again"' in page and "Make it anyway: a second objective" in page
    assert Objective.objects.filter(title="Happier on-call").count() == 1
    assert client.post(url, {**typed, "again": "on"}).status_code == 302
    assert Objective.objects.filter(title="Happier on-call").count() == 2


def test_the_key_result_form_asks_before_adding_a_second_one(cast, plan):
    url = reverse(
        "alignment:kr_new", kwargs={"org_slug": "acme", "objective_id": plan.sales_obj.pk}
    )
    client = login(cast.member)
    typed = {
        "name": "Deals won",
        "direction": "increase",
        "start": "0",
        "target": "10",
        "weight": "1",
    }
    assert client.post(url, typed).status_code == 302
    status, page = _post(client, url, typed)
    assert status == 200 and "You added this key result to Win enterprise deals" in page
    assert KeyResult.objects.filter(objective=plan.sales_obj, name="Deals won").count() == 1
    assert client.post(url, {**typed, "again": "on"}).status_code == 302
    assert KeyResult.objects.filter(objective=plan.sales_obj, name="Deals won").count() == 2


def test_the_initiative_form_asks_before_making_a_second_one(cast, plan):
    url = reverse("alignment:initiative_new", kwargs={"org_slug": "acme"})
    client = login(cast.member)
    typed = {"title": "Partner portal", "team": plan.sales.pk, "status": "proposed", "progress": 0}
    assert client.post(url, typed).status_code == 302
    status, page = _post(client, url, typed)
    assert status == 200 and "You created this initiative for Sales" in page
    assert Initiative.objects.filter(title="Partner portal").count() == 1
    assert client.post(url, {**typed, "again": "on"}).status_code == 302
    assert Initiative.objects.filter(title="Partner portal").count() == 2


# --- API ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["objectives", "key-results", "initiatives"])
def test_the_api_refuses_a_retried_create_as_other_twins_are(cast, plan, kind):
    body = {
        "objectives": {
            "title": "Cut cloud spend",
            "period_id": plan.q1.pk,
            "team_id": plan.sales.pk,
        },
        "key-results": {
            "objective_id": plan.sales_obj.pk,
            "name": "Spend",
            "direction": "decrease",
            "target": 5,
            "start": 9,
        },
        "initiatives": {"title": "Spot instances", "team_id": plan.sales.pk},
    }[kind]
    model = {"objectives": Objective, "key-results": KeyResult, "initiatives": Initiative}[kind]
    api = api_client(cast.member)
    url = f"/api/v1/{kind}"
    first = api.post(url, body, content_type="application/json")
    assert first.status_code == 201, first.content
    before = model.objects.count()
    again = api.post(url, body, content_type="application/json")
    assert again.status_code == 422, again.content
    error = again.json()["error"]
    assert error["code"] == "duplicate" and error["existing_id"] == first.json()["id"]
    assert "again" in error["fields"] and f"#{first.json()['id']}" in error["message"]
    assert model.objects.count() == before
    sent = api.post(url, {**body, "again": True}, content_type="application/json")
    assert sent.status_code == 201, sent.content
    assert model.objects.count() == before + 1
