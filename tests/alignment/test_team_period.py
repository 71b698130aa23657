"""A team's alignment page shows the period asked for, and an objective's links to its
team's page keep the objective's period."""

from __future__ import annotations

from django.urls import reverse

from accord.alignment import services as s
from tests.conftest import login


def team_page(**query) -> str:
    url = reverse("alignment:team", kwargs={"org_slug": "acme", "team_slug": "platform"})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_team_page_shows_the_period_asked_for(cast, plan):
    s.create_objective(
        cast.org, None, title="Next quarter's plan", period=plan.q2, team=cast.platform
    )
    client = login(cast.member)
    current = client.get(team_page()).content.decode()
    assert "Faster checkout" in current and "Next quarter&#x27;s plan" not in current
    nxt = client.get(team_page(period=plan.q2.pk)).content.decode()
    assert "Next quarter&#x27;s plan" in nxt and "Faster checkout" not in nxt
    assert f'<option value="{plan.q2.pk}" selected>Q2 2026</option>' in nxt
    assert f"?team=platform&amp;period={plan.q2.pk}" in nxt  # a new objective is for Q2 too
    year = client.get(team_page(period=plan.year.pk)).content.decode()
    assert "No objectives for this team in 2026." in year
    # an unknown period is the current one, as on the tree
    assert "Faster checkout" in client.get(team_page(period=999999)).content.decode()


def test_an_objectives_team_links_carry_its_period(cast, plan):
    o = s.create_objective(cast.org, None, title="Next quarter", period=plan.q2, team=cast.platform)
    kr = s.create_key_result(cast.org, None, o, name="Signups", target=10)
    client = login(cast.member)
    for page in (
        reverse("alignment:objective", kwargs={"org_slug": "acme", "objective_id": o.pk}),
        reverse("alignment:key_result", kwargs={"org_slug": "acme", "kr_id": kr.pk}),
    ):
        body = client.get(page).content.decode()
        assert body.count(f'href="{team_page(period=plan.q2.pk)}"') == 2, page
        assert f'href="{team_page()}"' not in body
