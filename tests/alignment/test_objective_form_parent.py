"""The new-objective form offers as parents only what the chosen period may contribute
to, as the objective page's picker does; a parent of another period is refused beside
its field, naming the period, with everything typed kept."""

from __future__ import annotations

from django.urls import reverse

from accord.alignment import services as s
from accord.alignment.models import Objective
from tests.conftest import login

NEW = reverse("alignment:objective_new", kwargs={"org_slug": "acme"})


def _parents(body: str) -> str:
    return body.split('name="parent"')[1].split("</select>")[0]


def test_the_parent_list_follows_the_period(cast, plan):
    s.create_objective(cast.org, None, title="Year goal", period=plan.year, level="org")
    s.create_objective(cast.org, None, title="Q2 goal", period=plan.q2, level="org")
    client = login(cast.member)
    current = _parents(client.get(NEW).content.decode())
    assert "Grow revenue" in current and "Year goal" in current and "Q2 goal" not in current
    q2 = client.get(f"{NEW}?period={plan.q2.pk}").content.decode()
    assert f'<option value="{plan.q2.pk}" selected>' in q2
    assert "Q2 goal" in _parents(q2) and "Year goal" in _parents(q2)
    assert "Grow revenue" not in _parents(q2)


def test_adding_a_contribution_starts_in_a_period_its_parent_encloses(cast, plan):
    q2_goal = s.create_objective(cast.org, None, title="Q2 goal", period=plan.q2, level="org")
    body = login(cast.member).get(f"{NEW}?parent={q2_goal.pk}").content.decode()
    assert f'<option value="{plan.q2.pk}" selected>' in body
    assert f'<option value="{q2_goal.pk}" selected>' in _parents(body)


def test_a_parent_of_another_period_is_refused_beside_it_with_what_was_typed(cast, plan):
    client = login(cast.member)
    typed = {
        "title": "Plan the summer",
        "description": "Roadmap for the summer",
        "period": plan.q2.pk,
        "level": "team",
        "team": cast.platform.pk,
        "status": "active",
        "parent": plan.company.pk,  # Grow revenue, of Q1
        "weight": "2",
    }
    r = client.post(NEW, typed)
    assert r.status_code == 422
    body = r.content.decode()
    parent = body.split('for="id_parent"')[1].split('<div class="field')[0]
    assert "Choose an objective of Q2 2026 or of a period that encloses it." in parent
    assert 'value="Plan the summer"' in body and "Roadmap for the summer" in body
    assert f'<option value="{plan.q2.pk}" selected>' in body and 'value="2"' in body
    assert not Objective.objects.filter(title="Plan the summer").exists()
    validated = client.post(NEW + "?validate=1", typed).json()["errors"]
    assert validated["parent"] == [
        "Choose an objective of Q2 2026 or of a period that encloses it."
    ]
