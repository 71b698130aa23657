"""The alignment API: CRUD, value history, links, the stack, the tree; bad input refused."""

from __future__ import annotations

import json

import pytest

from accord.activity.models import Event
from accord.alignment import services as s
from accord.alignment.models import Initiative, KeyResult, KeyResultValue, Objective
from tests.conftest import api_client


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client, url, data, **headers):
    return client.patch(url, json.dumps(data), content_type="application/json", headers=headers)


def test_it_creates_an_objective_with_key_results_and_records_values(cast, plan):
    api = api_client(cast.member)
    r = post(
        api,
        "/api/v1/objectives",
        {
            "title": "Faster search",
            "period_id": plan.q1.pk,
            "team_id": cast.platform.pk,
            "parents": [{"parent_id": plan.company.pk, "weight": 2}],
        },
    )
    assert r.status_code == 201, r.content
    obj = r.json()
    assert obj["parents"] == [{"parent_id": plan.company.pk, "weight": 2.0}]
    assert obj["progress"] is None

    r = post(
        api,
        "/api/v1/key-results",
        {
            "objective_id": obj["id"],
            "name": "p95",
            "unit": "ms",
            "direction": "decrease",
            "start": 800,
            "target": 200,
        },
    )
    assert r.status_code == 201, r.content
    kr = r.json()
    assert kr["progress"] == 0

    r = post(api, f"/api/v1/key-results/{kr['id']}/values", {"value": 500, "note": "cache on"})
    assert r.status_code == 201
    assert r.json()["current"] == 500 and r.json()["progress"] == 50

    history = api.get(f"/api/v1/key-results/{kr['id']}/values").json()
    assert [v["value"] for v in history["items"]] == [500, 800]
    assert api.get(f"/api/v1/objectives/{obj['id']}").json()["progress"] == 50


def test_lists_filter_by_period_team_owner_and_status(cast, plan):
    s.update_objective(cast.org, None, plan.sales_obj, owner=cast.member, status="draft")
    api = api_client(cast.viewer)

    def titles(qs):
        return [o["title"] for o in api.get(f"/api/v1/objectives?{qs}").json()["items"]]

    assert titles(f"period_id={plan.q1.pk}") == [
        "Faster checkout",
        "Grow revenue",
        "Win enterprise deals",
    ]
    assert titles(f"team_id={cast.platform.pk}") == ["Faster checkout"]
    assert titles(f"owner_id={cast.member.pk}") == ["Win enterprise deals"]
    assert titles("status=draft") == ["Win enterprise deals"]
    assert titles(f"period_id={plan.q2.pk}") == []


@pytest.mark.parametrize("value", ["abc", None, [], {"x": 1}])
def test_it_refuses_a_non_numeric_value_and_changes_nothing(cast, plan, value):
    kr = s.create_key_result(cast.org, None, plan.sales_obj, name="Deals", target=10)
    api = api_client(cast.member)
    events = Event.objects.count()
    r = post(api, f"/api/v1/key-results/{kr.pk}/values", {"value": value})
    assert r.status_code == 422
    assert "value" in r.json()["error"]["fields"]
    kr.refresh_from_db()
    assert kr.current == 0 and kr.version == 1
    assert KeyResultValue.objects.filter(key_result=kr).count() == 1
    assert Event.objects.count() == events


def test_other_tenants_ids_are_unknown_and_nothing_changes(cast, plan):
    other_period = s.create_period(
        cast.other_org, None, name="Q1", start=plan.q1.start, end=plan.q1.end
    )
    foreign_obj = s.create_objective(
        cast.other_org, None, title="Theirs", period=other_period, level="org"
    )
    foreign_kr = s.create_key_result(cast.other_org, None, foreign_obj, name="Their KR", target=5)
    api = api_client(cast.admin)
    events = Event.objects.for_org(cast.org).count()
    objectives = Objective.objects.count()

    r = post(
        api, "/api/v1/objectives", {"title": "X", "period_id": other_period.pk, "level": "org"}
    )
    assert r.status_code == 422 and "period_id" in r.json()["error"]["fields"]
    r = post(
        api,
        "/api/v1/objectives",
        {"title": "X", "period_id": plan.q1.pk, "team_id": cast.other_team.pk},
    )
    assert r.status_code == 422 and "team_id" in r.json()["error"]["fields"]
    r = post(api, f"/api/v1/objectives/{plan.sales_obj.pk}/parents", {"parent_id": foreign_obj.pk})
    assert r.status_code == 422 and "parent_id" in r.json()["error"]["fields"]
    assert post(api, f"/api/v1/key-results/{foreign_kr.pk}/values", {"value": 1}).status_code == 404
    assert api.get(f"/api/v1/objectives/{foreign_obj.pk}").status_code == 404
    r = post(
        api,
        "/api/v1/initiatives",
        {"team_id": cast.platform.pk, "title": "I", "key_result_ids": [foreign_kr.pk]},
    )
    assert r.status_code == 422 and "key_result_ids" in r.json()["error"]["fields"]
    r = post(api, "/api/v1/initiatives", {"team_id": 999999, "title": "I"})
    assert r.status_code == 422 and "team_id" in r.json()["error"]["fields"]

    assert Objective.objects.count() == objectives
    assert not Initiative.objects.exists()
    assert Event.objects.for_org(cast.org).count() == events
    foreign_kr.refresh_from_db()
    assert foreign_kr.current == 0


def test_a_cycle_is_a_clear_422(cast, plan):
    api = api_client(cast.admin)
    r = post(api, f"/api/v1/objectives/{plan.company.pk}/parents", {"parent_id": plan.sales_obj.pk})
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "cycle"
    assert "parent_id" in r.json()["error"]["fields"]


def test_initiatives_replan_with_a_reason_and_show_the_slip(cast, plan):
    api = api_client(cast.member)
    r = post(
        api,
        "/api/v1/initiatives",
        {
            "team_id": cast.platform.pk,
            "title": "Edge cache",
            "status": "active",
            "target_date": "2026-03-01",
            "objective_ids": [plan.platform_obj.pk],
        },
    )
    assert r.status_code == 201, r.content
    i = r.json()
    assert i["aligned"] and i["rank"] == 1 and i["objective_ids"] == [plan.platform_obj.pk]

    r = patch(api, f"/api/v1/initiatives/{i['id']}", {"target_date": "2026-03-20"})
    assert r.status_code == 422 and "reason" in r.json()["error"]["fields"]
    r = patch(
        api,
        f"/api/v1/initiatives/{i['id']}",
        {"target_date": "2026-03-20", "reason": "Vendor late"},
    )
    assert r.status_code == 200
    body = r.json()
    assert (
        body["baseline_target_date"],
        body["target_date"],
        body["slip_days"],
        body["replan_count"],
    ) == ("2026-03-01", "2026-03-20", 19, 1)
    replans = api.get(f"/api/v1/initiatives/{i['id']}/replans").json()["items"]
    assert [x["reason"] for x in replans] == ["Vendor late"]


def test_the_stack_api_moves_one_item_and_flags_wip(cast):
    ids = [
        s.create_initiative(cast.org, None, team=cast.platform, title=t, status="active").pk
        for t in "ABC"
    ]
    api = api_client(cast.admin)
    r = client_put = api.put(
        f"/api/v1/stacks/{cast.platform.pk}/wip-limit",
        json.dumps({"wip_limit": 2}),
        content_type="application/json",
    )
    assert client_put.status_code == 200 and r.json()["over_wip"] is True
    r = post(
        api, f"/api/v1/stacks/{cast.platform.pk}/moves", {"initiative_id": ids[2], "position": 1}
    )
    assert r.status_code == 200
    assert [x["title"] for x in r.json()["items"]] == ["C", "A", "B"]
    assert [x["rank"] for x in r.json()["items"]] == [1, 2, 3]
    r = post(
        api, f"/api/v1/stacks/{cast.platform.pk}/moves", {"initiative_id": ids[0], "position": 9}
    )
    assert r.status_code == 422 and "position" in r.json()["error"]["fields"]
    r = post(
        api,
        f"/api/v1/stacks/{cast.platform.pk}/moves",
        {"initiative_id": ids[0], "position": "top"},
    )
    assert r.status_code == 422
    assert [x["title"] for x in api.get(f"/api/v1/stacks/{cast.platform.pk}").json()["items"]] == [
        "C",
        "A",
        "B",
    ]


def test_a_viewer_changes_nothing_through_the_api(cast, plan):
    kr = s.create_key_result(cast.org, None, plan.sales_obj, name="Deals", target=10)
    api = api_client(cast.viewer)
    assert post(api, f"/api/v1/key-results/{kr.pk}/values", {"value": 3}).status_code == 403
    assert (
        post(
            api,
            "/api/v1/objectives",
            {"title": "X", "period_id": plan.q1.pk, "team_id": cast.platform.pk},
        ).status_code
        == 403
    )
    assert KeyResult.objects.get(pk=kr.pk).current == 0


def test_the_tree_is_one_document(cast, plan):
    s.create_key_result(cast.org, None, plan.sales_obj, name="Deals", start=0, target=10, current=5)
    doc = api_client(cast.viewer).get("/api/v1/alignment-tree?depth=2").json()
    assert doc["period"]["name"] == "Q1 2026"
    (root,) = doc["objectives"]
    assert root["title"] == "Grow revenue" and root["progress"] == 50
    assert [c["title"] for c in root["children"]] == ["Faster checkout", "Win enterprise deals"]
    assert root["children"][1]["key_results"][0]["progress"] == 50


def test_labels_are_configurable_per_organization(cast):
    api = api_client(cast.admin)
    assert api.get("/api/v1/alignment-labels").json()["objective_label"] == "Objective"
    r = patch(
        api, "/api/v1/alignment-labels", {"objective_label": "Goal", "initiative_label": "Rock"}
    )
    assert r.status_code == 200 and r.json()["initiative_label"] == "Rock"
    assert (
        api_client(cast.outsider).get("/api/v1/alignment-labels").json()["objective_label"]
        == "Objective"
    )
    assert (
        patch(
            api_client(cast.member), "/api/v1/alignment-labels", {"objective_label": "X"}
        ).status_code
        == 403
    )


def test_periods_close_and_carry_over(cast, plan):
    api = api_client(cast.leader)
    r = post(api, f"/api/v1/periods/{plan.q1.pk}/close", {})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    r = post(api, f"/api/v1/periods/{plan.q1.pk}/carry-over", {"to_period_id": plan.q2.pk})
    assert r.status_code == 201
    assert len(r.json()) == 3
    r = post(api, "/api/v1/periods", {"name": "Bad", "start": "2026-05-01", "end": "2026-04-01"})
    assert r.status_code == 422 and "end" in r.json()["error"]["fields"]
