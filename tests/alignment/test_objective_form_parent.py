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


def _field(body: str, name: str) -> str:
    """The field's box (web/_form.html), as the period select's htmx swaps it."""
    return body.split(f'id="id_{name}-field"')[1].split('<div class="field')[0]


def test_choosing_another_period_shows_contributes_to_again_for_it(cast, plan):
    """The period select asks this page for the period chosen and swaps in only the
    "Contributes to" field: that period's objectives and its enclosing ones, the parent
    chosen kept where it still fits."""
    year_goal = s.create_objective(cast.org, None, title="Year goal", period=plan.year, level="org")
    s.create_objective(cast.org, None, title="Q2 goal", period=plan.q2, level="org")
    client = login(cast.member)
    period = _field(client.get(NEW).content.decode(), "period")
    assert f'hx-get="{NEW}"' in period and 'hx-trigger="change"' in period
    assert 'hx-include="[name=&#x27;parent&#x27;]"' in period
    assert 'hx-target="#id_parent-field"' in period and 'hx-select="#id_parent-field"' in period
    # What htmx asks when Q2 is chosen with Year goal picked: kept, as it encloses Q2.
    q2 = _field(
        client.get(NEW, {"period": plan.q2.pk, "parent": year_goal.pk}).content.decode(), "parent"
    )
    assert "Q2 goal" in q2 and f'<option value="{year_goal.pk}" selected>' in q2
    assert "Grow revenue" not in q2 and "Faster checkout" not in q2
    assert "Any team&#x27;s objective of Q2 2026 or of a period that encloses it." in q2
    # Back to Q1 with a Q2 objective picked: not offered, so not chosen any more.
    q2_goal = Objective.objects.get(title="Q2 goal")
    q1 = _field(
        client.get(NEW, {"period": plan.q1.pk, "parent": q2_goal.pk}).content.decode(), "parent"
    )
    assert "Grow revenue" in q1 and "Year goal" in q1 and "Q2 goal" not in q1
    assert " selected>" not in q1.split("</select>")[0].split('value=""')[1]


def test_in_a_large_organization_the_search_box_offers_the_periods_objectives(
    cast, plan, monkeypatch
):
    """Where "Contributes to" is a search box, it searches the chosen period's objectives
    and its enclosing ones, as the select offers them."""
    from accord.web import pickers

    monkeypatch.setattr(pickers, "PICKER_THRESHOLD", 0)
    s.create_objective(cast.org, None, title="Year revenue goal", period=plan.year, level="org")
    s.create_objective(cast.org, None, title="Q2 revenue goal", period=plan.q2, level="org")
    client = login(cast.member)
    box = _field(client.get(NEW, {"period": plan.q2.pk}).content.decode(), "parent")
    url = box.split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    assert url == f"/o/acme/pick/objective/?period={plan.q2.pk}"
    found = client.get(f"{url}&q=revenue").content.decode()
    assert "Q2 revenue goal" in found and "Year revenue goal" in found
    assert "Grow revenue" not in found  # of Q1
    q1 = client.get("/o/acme/pick/objective/", {"q": "revenue", "period": plan.q1.pk})
    assert "Grow revenue" in q1.content.decode() and "Q2 revenue goal" not in q1.content.decode()
    # Without a period (another form's box) every open period's objectives are found.
    every = client.get("/o/acme/pick/objective/", {"q": "revenue"}).content.decode()
    assert all(t in every for t in ("Grow revenue", "Q2 revenue goal", "Year revenue goal"))
