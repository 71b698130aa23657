"""A dependency flagged blocked is at risk wherever at risk is counted or listed (what
Insights calls critical is not hidden on the coordination pages): the overview's figure
and section, the list's filter, a scope's figures and a department's rows on the home
page; and each of its rows says Blocked."""

from __future__ import annotations

import datetime as dt
import html as htmllib

from django.template.loader import render_to_string

from accord.coordination import panels, queries, services
from tests.conftest import login

URL = "/o/acme/coordination/"


def _blocked(world, *, state="requested"):
    dep = world.request(need_by=world.today + dt.timedelta(days=30), title="Pallets")
    if state == "negotiating":
        dep = services.transition(
            world.org,
            world.giver,
            dep,
            "propose",
            provider_initiative=world.warehouse,
            proposed_date=world.today + dt.timedelta(days=25),
        )
    return services.transition(world.org, world.giver, dep, "flag_blocked", note="No stock.")


def _risk_section(page: str) -> str:
    return page.split('id="risk-h"')[1].split("</section>")[0]


def test_the_overview_counts_and_lists_a_blocked_one_as_at_risk(world):
    dep = _blocked(world, state="negotiating")
    client = login(world.asker)
    for query in ("?team=", "?team=sales"):  # the whole organization, a team's scope
        page = htmllib.unescape(client.get(URL + query).content.decode())
        section = _risk_section(page)
        assert f"/coordination/d/{dep.pk}/" in section, query
        assert '<span class="tag tag--bad">Blocked</span>' in section, query
        assert "Nothing is at risk." not in section, query
    whole = htmllib.unescape(client.get(URL + "?team=").content.decode())
    assert "1 at risk</a>" in whole


def test_the_lists_at_risk_filter_takes_a_blocked_one_in_and_not_at_risk_leaves_it_out(world):
    dep = _blocked(world)
    client = login(world.asker)
    risky = client.get(URL + "list/?at_risk=1").content.decode()
    calm = client.get(URL + "list/?at_risk=0").content.decode()
    assert f"/coordination/d/{dep.pk}/" in risky
    assert f"/coordination/d/{dep.pk}/" not in calm
    assert [d.pk for d in queries.filtered(world.org, at_risk=True)] == [dep.pk]
    (row,) = queries.decorate([dep])
    assert row.at_risk and row.risk_reasons == ["Flagged blocked: No stock."]


def test_a_scopes_figures_and_a_departments_rows_count_a_blocked_one(world, cast):
    dep = _blocked(world)
    assert queries.scope_figures(world.org, world.sales, at_risk=True)["at_risk"] == 1
    (head,) = panels.departments(world.org, [cast.root])
    assert head["scope"]["at_risk"] == 1
    assert [d.pk for d in head["rows"]] == [dep.pk]
    html = render_to_string(
        "coordination/_panel_home_teams.html", {"org": world.org, "heads": [head], "teams": []}
    )
    row = html.split(f"/coordination/d/{dep.pk}/")[1].split("</li>")[0]
    assert '<span class="tag tag--bad">blocked</span>' in row and "at risk" not in row
