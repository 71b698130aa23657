"""Initiatives listed by their team's priority put ranked work first (#1 at the top), then
what has no rank, on SQLite as on PostgreSQL (which sort an empty rank at opposite ends):
the default order of initiatives, which an objective's page lists them in, and a team's
unaligned initiatives, both say so."""

from __future__ import annotations

from django.urls import reverse

from accord.alignment import services as s
from accord.alignment.models import Initiative
from tests.conftest import login


def _titles_in(page: str, *titles: str) -> list[str]:
    """`titles` in the order `page` shows them."""
    return sorted(titles, key=page.index)


def test_an_objectives_page_lists_its_ranked_initiatives_first(cast, plan):
    org, sales = cast.org, plan.sales
    # By title alone the unranked would come first; by rank, the ranked one does.
    s.create_initiative(org, None, team=sales, title="Alpha pilot", objectives=[plan.sales_obj])
    s.create_initiative(
        org, None, team=sales, title="Zeta rollout", status="active", objectives=[plan.sales_obj]
    )
    ranked = Initiative.objects.get(title="Zeta rollout")
    assert ranked.rank == 1 and Initiative.objects.get(title="Alpha pilot").rank is None
    assert [i.title for i in Initiative.objects.filter(team=sales)] == [
        "Zeta rollout",
        "Alpha pilot",
    ]
    address = reverse(
        "alignment:objective", kwargs={"org_slug": "acme", "objective_id": plan.sales_obj.pk}
    )
    page = login(cast.admin).get(address).content.decode()
    assert _titles_in(page, "Alpha pilot", "Zeta rollout") == ["Zeta rollout", "Alpha pilot"]


def test_a_teams_unaligned_initiatives_list_ranked_work_first(cast, plan):
    org = cast.org
    s.create_initiative(org, None, team=cast.platform, title="Alpha pilot")
    s.create_initiative(org, None, team=cast.platform, title="Zeta rollout", status="active")
    address = reverse("alignment:team", kwargs={"org_slug": "acme", "team_slug": "platform"})
    page = login(cast.admin).get(address).content.decode()
    unaligned = page[page.index('id="unaligned-h"') :]
    assert _titles_in(unaligned, "Alpha pilot", "Zeta rollout") == ["Zeta rollout", "Alpha pilot"]
