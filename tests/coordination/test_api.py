"""The API: create, one endpoint per action, filtered lists, the graph analyses."""

from __future__ import annotations

import datetime as dt

from accord.coordination.models import Dependency
from accord.intelligence import evaluate
from tests.conftest import api_client
from tests.coordination.conftest import initiative


def _create(client, world, **kw):
    body = {
        "requester_initiative_id": world.launch.pk,
        "provider_team_id": world.ops.pk,
        "title": "Stock for the launch",
        "need_by": (world.today + dt.timedelta(days=10)).isoformat(),
        "priority": "high",
    }
    body.update(kw)
    return client.post("/api/v1/dependencies", body, content_type="application/json")


def test_it_creates_accepts_and_delivers_a_dependency(world):
    asker, giver = api_client(world.asker), api_client(world.giver)
    r = _create(asker, world)
    assert r.status_code == 201, r.content
    dep = r.json()
    assert dep["state"] == "requested" and dep["priority"] == "high"
    assert "accept" in dep["allowed_actions"]

    committed = (world.today + dt.timedelta(days=12)).isoformat()
    r = giver.post(
        f"/api/v1/dependencies/{dep['id']}/accept",
        {"provider_initiative_id": world.warehouse.pk, "committed_date": committed},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert r.status_code == 200, r.content
    assert r.json()["state"] == "accepted" and r.json()["committed_date"] == committed
    # warehouse targets day 20, after the committed day 12, itself after the need-by (day
    # 10): at risk, with both reasons.
    reasons = r.json()["risk_reasons"]
    assert r.json()["at_risk"] and len(reasons) == 2
    assert reasons[0].startswith("Committed for") and "New warehouse" in reasons[1]

    r = giver.post(
        f"/api/v1/dependencies/{dep['id']}/confirm_delivery", {}, content_type="application/json"
    )
    assert r.status_code == 403
    r = asker.post(
        f"/api/v1/dependencies/{dep['id']}/confirm_delivery",
        {},
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert r.status_code == 409
    r = asker.post(
        f"/api/v1/dependencies/{dep['id']}/confirm_delivery", {}, content_type="application/json"
    )
    assert r.json()["state"] == "delivered"


def test_an_illegal_action_is_a_422_naming_the_allowed_ones(world):
    dep = world.request()
    r = api_client(world.asker).post(
        f"/api/v1/dependencies/{dep.pk}/agree", {}, content_type="application/json"
    )
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "illegal_transition"
    assert "accept, decline, propose, cancel" in err["message"]
    r = api_client(world.asker).post(
        f"/api/v1/dependencies/{dep.pk}/teleport", {}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "unknown_action"


def test_lists_filter_by_team_direction_state_late_and_at_risk(world):
    client = api_client(world.asker)
    first = world.request()
    second = world.request(title="Forecast")
    Dependency.objects.filter(pk=second.pk).update(need_by=world.today - dt.timedelta(days=2))
    other = initiative(world.org, world.ops, "Ops thing")
    from accord.coordination import services

    third = services.create_dependency(
        world.org,
        world.giver,
        requester_initiative=other,
        provider_team=world.sales,
        title="Sales figures",
        need_by=world.today + dt.timedelta(days=3),
    )
    services.transition(world.org, world.giver, first, "flag_at_risk", note="Tight")

    def ids(**params):
        r = client.get("/api/v1/dependencies", params)
        assert r.status_code == 200, r.content
        return {d["id"] for d in r.json()["items"]}

    assert ids() == {first.pk, second.pk, third.pk}
    assert ids(team_id=world.sales.pk, direction="outbound") == {first.pk, second.pk}
    assert ids(team_id=world.sales.pk, direction="inbound") == {third.pk}
    assert ids(late="true") == {second.pk}
    assert ids(late="false") == {first.pk, third.pk}
    assert ids(at_risk="true") == {first.pk}
    assert ids(state="declined") == set()
    r = client.get("/api/v1/dependencies", {"state": "nonsense"})
    assert r.status_code == 422


def test_graph_analyses_are_served_as_json(world):
    from accord.coordination import services

    a = world.request()
    services.transition(
        world.org,
        world.giver,
        a,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=30),
    )
    b = services.create_dependency(
        world.org,
        world.giver,
        requester_initiative=world.warehouse,
        provider_team=world.sales,
        title="Demand forecast",
        need_by=world.today + dt.timedelta(days=5),
    )
    services.transition(
        world.org,
        world.asker,
        b,
        "accept",
        provider_initiative=world.launch,
        committed_date=world.today + dt.timedelta(days=5),
    )
    client = api_client(world.viewer)
    # Cycles are the ones the last evaluation stored: none before it runs.
    assert client.get("/api/v1/graph/cycles").json()["items"] == []
    evaluate.evaluate(world.org, announce=False)
    cycles = client.get("/api/v1/graph/cycles").json()["items"]
    assert len(cycles) == 1
    assert {t["name"] for t in cycles[0]["teams"]} == {"Sales", "Operations"}
    assert {i["id"] for i in cycles[0]["initiatives"]} == {world.launch.pk, world.warehouse.pk}
    mine = client.get("/api/v1/graph/cycles", {"team_id": world.ops.pk}).json()
    assert mine["count"] == 1

    path = client.get(f"/api/v1/graph/critical-path/{world.launch.pk}").json()
    assert path["paths"][0][0]["id"] == world.launch.pk

    blast = client.get("/api/v1/graph/blast-radius", {"initiative_id": world.warehouse.pk}).json()
    assert {i["id"] for i in blast["initiatives"]} == {world.launch.pk, world.warehouse.pk}
    blast = client.get("/api/v1/graph/blast-radius", {"team_id": world.ops.pk}).json()
    assert {t["name"] for t in blast["teams"]} == {"Sales", "Operations"}
    assert client.get("/api/v1/graph/blast-radius").status_code == 422

    load = {r["team"]: r for r in client.get("/api/v1/graph/load").json()["items"]}
    assert load["Sales"]["inbound"] == 1 and load["Sales"]["outbound"] == 1
    one = client.get("/api/v1/graph/load", {"team_id": world.ops.pk}).json()
    assert [r["team"] for r in one["items"]] == ["Operations"]

    r = client.get("/api/v1/graph/critical-path/999999")
    assert r.status_code == 404


def test_another_organization_sees_none_of_it(world, cast):
    dep = world.request()
    outsider = api_client(cast.outsider)
    assert outsider.get("/api/v1/dependencies").json()["items"] == []
    assert outsider.get(f"/api/v1/dependencies/{dep.pk}").status_code == 404
    r = outsider.post(
        f"/api/v1/dependencies/{dep.pk}/cancel", {"note": "x"}, content_type="application/json"
    )
    assert r.status_code == 404
    assert outsider.get(f"/api/v1/graph/critical-path/{world.launch.pk}").status_code == 404


def test_the_list_takes_a_bounded_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client(world.asker)
    client.get("/api/v1/dependencies")  # the token's first use is recorded once
    counts = []
    for n in (1, 10):
        for i in range(n):
            world.request(title=f"Thing {n}-{i}")
        with CaptureQueriesContext(connection) as ctx:
            r = client.get("/api/v1/dependencies", {"at_risk": "false"})
        assert r.status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]


def test_a_commitment_from_an_initiative_blocked_by_what_it_needs_is_at_risk(world, cast):
    """Operations' warehouse needs something from Sales that Sales declined, with nothing
    else planned: the warehouse is blocked, so what Operations promised Sales from it is at
    risk, with the reason, in the list's filter and on the dependency."""
    from accord.coordination import services

    asks = services.create_dependency(
        world.org,
        world.giver,
        requester_initiative=world.warehouse,
        provider_team=world.sales,
        title="Forecast for the warehouse",
        need_by=world.today + dt.timedelta(days=40),
    )
    promised = world.request(need_by=world.today + dt.timedelta(days=30))
    services.transition(
        world.org,
        world.giver,
        promised,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=25),
    )
    client = api_client(world.asker)
    before = client.get(f"/api/v1/dependencies/{promised.pk}").json()
    assert not before["at_risk"], before["risk_reasons"]
    services.transition(world.org, world.asker, asks, "decline", note="No analyst free")
    after = client.get(f"/api/v1/dependencies/{promised.pk}").json()
    assert after["at_risk"]
    assert after["risk_reasons"] == ["New warehouse is itself blocked by what it needs."]
    listed = client.get("/api/v1/dependencies", {"at_risk": "true"}).json()["items"]
    assert [d["id"] for d in listed] == [promised.pk]
