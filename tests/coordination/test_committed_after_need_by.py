"""A commitment that lands after the need-by date is at risk: the dependency page says why,
and the list's at-risk filter, the API's and the overview's at-risk figure find it."""

from __future__ import annotations

import datetime as dt

from accord.coordination import queries, services
from accord.web.templatetags.dates import day
from tests.conftest import api_client, login


def _accepted(world, *, need_in: int, committed_in: int, title: str):
    dep = world.request(title=title, need_by=world.today + dt.timedelta(days=need_in))
    # The warehouse targets day 20: on or before every commitment here, so that is no reason.
    return services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=committed_in),
    )


def test_a_commitment_after_the_need_by_is_at_risk_everywhere(world):
    late = _accepted(world, need_in=21, committed_in=35, title="Feed committed late")
    on_time = _accepted(world, need_in=30, committed_in=30, title="Feed on time")
    why = f"Committed for {day(late.committed_date)}, after it is needed ({day(late.need_by)})."

    assert queries.decorate([late])[0].risk_reasons == [why]
    assert queries.decorate([on_time])[0].risk_reasons == []
    at_risk = queries.filtered(world.org, team=world.sales, at_risk=True)
    assert list(at_risk.values_list("title", flat=True)) == ["Feed committed late"]

    client = login(world.asker)
    page = client.get(f"/o/acme/coordination/d/{late.pk}/").content.decode()
    assert "At risk:" in page and why in page
    listed = client.get("/o/acme/coordination/list/?team=sales&at_risk=1").content.decode()
    assert "Feed committed late" in listed and "Feed on time" not in listed
    overview = client.get("/o/acme/coordination/").content.decode()
    assert "1 at risk</a>" in overview
    assert "Feed committed late" in overview.split('id="risk-h"')[1].split("</section>")[0]

    api = api_client(world.asker).get("/api/v1/dependencies", {"at_risk": "true"}).json()
    assert [(d["title"], d["risk_reasons"]) for d in api["items"]] == [
        ("Feed committed late", [why])
    ]


def test_it_is_no_longer_at_risk_once_delivered(world):
    dep = _accepted(world, need_in=21, committed_in=35, title="Feed committed late")
    services.transition(world.org, world.asker, dep, "confirm_delivery")
    assert not queries.filtered(world.org, at_risk=True).exists()
