"""The top team covers every team: its pages give the organization's figures exactly, as the
coordination overview does, where a team below counts up to SCOPE_COUNTED ("200+"). At
10,000 teams the top team's page said "200+ active dependencies · 200+ late" beside an
overview saying 64,623 and 35,490."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache

from accord.coordination import queries


def test_the_top_team_says_the_organizations_figures_exactly(world, cast, monkeypatch):
    monkeypatch.setattr(queries, "SCOPE_COUNTED", 1)
    cache.clear()
    for title in ("Pallets", "Crates", "Boxes"):
        world.request(need_by=world.today + dt.timedelta(days=30), title=title)
    below = queries.scope_figures(world.org, world.sales, at_risk=True)
    assert below["active_shown"] == "1+"  # a team below: counted up to the limit
    top = queries.scope_figures(world.org, cast.root, at_risk=True)
    assert top["whole"] and top["active"] == 3 and top["active_shown"] == "3"
    assert top["late"] == 0 and top["late_shown"] == "0"
    assert queries.whole_figures(world.org, world.today)["active"] == 3
