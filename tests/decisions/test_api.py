"""The API: decisions with decide/supersede/reverse actions, action items, issues, filters."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from accord.api import services as tokens
from accord.decisions import services
from accord.decisions.models import Decision
from tests.conftest import api_client


def _post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def test_a_decision_goes_from_open_to_decided_to_superseded_through_the_api(cast):
    member, leader = api_client(cast.member), api_client(cast.leader)
    issue = services.raise_issue(cast.org, cast.member, cast.platform, "CI is slow")
    resp = _post(
        member,
        "/api/v1/decisions",
        {
            "question": "Which CI runner?",
            "approver_id": cast.leader.pk,
            "team_ids": [cast.platform.pk],
            "links": [{"target_type": "decisions.issue", "target_id": issue.pk, "label": "CI"}],
        },
    )
    assert resp.status_code == 201, resp.content
    d = resp.json()
    assert d["status"] == "open" and d["driver_id"] == cast.member.pk
    assert d["team_ids"] == [cast.platform.pk] and d["links"][0]["target_id"] == issue.pk

    resp = _post(
        member, f"/api/v1/decisions/{d['id']}/options", {"title": "GitHub", "pros": "Easy"}
    )
    assert resp.status_code == 201

    resp = _post(member, f"/api/v1/decisions/{d['id']}/decide", {"outcome": "GitHub"})
    assert resp.status_code == 403
    assert "approver" in resp.json()["error"]["message"]

    resp = _post(
        leader, f"/api/v1/decisions/{d['id']}/decide", {"outcome": "GitHub", "rationale": "Easy"}
    )
    assert resp.status_code == 200 and resp.json()["status"] == "decided"
    assert resp.json()["options"][0]["title"] == "GitHub"

    resp = _post(
        member, "/api/v1/decisions", {"question": "CI, again?", "approver_id": cast.leader.pk}
    )
    new_id = resp.json()["id"]
    # Still open, it cannot replace a decided one: only a decided decision may.
    resp = _post(
        leader, f"/api/v1/decisions/{d['id']}/supersede", {"by_id": new_id, "reason": "Costs"}
    )
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "replacement_not_decided"
    resp = _post(
        leader, f"/api/v1/decisions/{new_id}/decide", {"outcome": "GitLab", "rationale": "Cheap"}
    )
    assert resp.status_code == 200
    resp = _post(
        leader, f"/api/v1/decisions/{d['id']}/supersede", {"by_id": new_id, "reason": "Costs"}
    )
    assert resp.status_code == 200 and resp.json()["superseded_by_id"] == new_id
    assert leader.get(f"/api/v1/decisions/{new_id}").json()["supersedes_ids"] == [d["id"]]

    resp = member.patch(
        f"/api/v1/decisions/{d['id']}", {"outcome": "GitLab"}, content_type="application/json"
    )
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "immutable"


def test_the_decision_log_filters_by_status_team_approver_and_words(cast):
    a = services.create_decision(
        cast.org, None, "Adopt Kafka?", approver=cast.leader, teams=[cast.platform]
    )
    services.decide(cast.org, None, a, outcome="Yes")
    services.create_decision(cast.org, None, "Rename the wiki?", approver=cast.admin)
    client = api_client(cast.member)

    def ids(**params):
        resp = client.get("/api/v1/decisions", params)
        assert resp.status_code == 200
        return [d["question"] for d in resp.json()["items"]]

    assert ids(status="decided") == ["Adopt Kafka?"]
    assert ids(team_id=cast.platform.pk) == ["Adopt Kafka?"]
    assert ids(approver_id=cast.admin.pk) == ["Rename the wiki?"]
    assert ids(q="wiki") == ["Rename the wiki?"]
    assert len(ids()) == 2


def test_an_issue_is_escalated_and_solved_through_the_api(cast):
    client = api_client(cast.leader)
    resp = _post(client, "/api/v1/issues", {"team_id": cast.platform.pk, "title": "Slow builds"})
    assert resp.status_code == 201
    issue_id = resp.json()["id"]
    resp = _post(client, f"/api/v1/issues/{issue_id}/escalate", {"reason": "Needs money"})
    assert resp.status_code == 200 and resp.json()["team_id"] == cast.root.pk
    assert resp.json()["escalations"][0]["from_team_id"] == cast.platform.pk
    resp = _post(client, f"/api/v1/issues/{issue_id}/escalate", {"reason": "Higher"})
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "at_root"
    resp = _post(client, f"/api/v1/issues/{issue_id}/solve", {"resolution": "Bigger runners"})
    assert resp.status_code == 200 and resp.json()["status"] == "solved"


def test_action_items_are_completed_and_filtered_through_the_api(cast):
    client = api_client(cast.member)
    # Recorded a month ago, due last week (a new one is due today or later).
    item_id = services.create_action_item(
        cast.org,
        cast.member,
        "Write the RFC",
        cast.member,
        due_on=timezone.localdate() - dt.timedelta(days=7),
        created_at=timezone.now() - dt.timedelta(days=30),
    ).pk
    assert client.get("/api/v1/action-items", {"overdue": True}).json()["count"] == 1
    resp = _post(client, f"/api/v1/action-items/{item_id}/complete")
    assert resp.status_code == 200 and resp.json()["done_at"]
    assert client.get("/api/v1/action-items", {"status": "done"}).json()["count"] == 1
    ft = client.get("/api/v1/action-items/follow-through", {"person_id": cast.member.pk})
    assert ft.status_code == 200


def test_a_report_token_changes_the_status_of_its_persons_own_items_only(cast):
    """A `report` token reports the status of what its person owns: done, dropped or
    reopened; never on another's item, even one its person recorded and may change."""
    _, raw = tokens.create_token(cast.org, cast.member, "reporter", scope="report")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    mine = services.create_action_item(cast.org, cast.member, "Write the RFC", cast.member)
    theirs = services.create_action_item(cast.org, cast.member, "Review it", cast.leader)
    for verb, status in (("complete", "done"), ("reopen", "open"), ("drop", "dropped")):
        resp = _post(client, f"/api/v1/action-items/{mine.pk}/{verb}")
        assert resp.status_code == 200, (verb, resp.content)
        assert resp.json()["status"] == status
    assert _post(client, f"/api/v1/action-items/{mine.pk}/reopen").json()["status"] == "open"
    services.complete_action_item(cast.org, cast.member, theirs)
    for verb in ("reopen", "drop", "complete"):
        resp = _post(client, f"/api/v1/action-items/{theirs.pk}/{verb}")
        assert resp.status_code == 403, (verb, resp.content)
        assert "only on what its own person owns" in resp.json()["error"]["message"]
    theirs.refresh_from_db()
    assert theirs.status == "done"


def test_a_viewer_cannot_write_and_an_outsider_sees_nothing(cast):
    d = services.create_decision(cast.org, None, "Secret?", approver=cast.leader)
    viewer = api_client(cast.viewer)
    resp = _post(viewer, "/api/v1/decisions", {"question": "Q?", "approver_id": cast.leader.pk})
    assert resp.status_code == 403
    outsider = api_client(cast.outsider)
    assert outsider.get(f"/api/v1/decisions/{d.pk}").status_code == 404
    assert outsider.get("/api/v1/decisions").json()["count"] == 0
    assert Decision.objects.count() == 1


def test_the_openapi_description_lists_the_decision_actions(cast):
    from django.test import Client

    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/decisions/{decision_id}/decide",
        "/api/v1/decisions/{decision_id}/supersede",
        "/api/v1/decisions/{decision_id}/reverse",
        "/api/v1/issues/{issue_id}/escalate",
        "/api/v1/action-items/follow-through",
    ):
        assert path in paths


def test_the_decision_list_does_a_bounded_number_of_queries(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_client(cast.member)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/decisions").status_code == 200
        return len(ctx)

    services.create_decision(cast.org, None, "One?", approver=cast.leader)
    few = count()
    for n in range(12):
        d = services.create_decision(
            cast.org,
            None,
            f"Q{n}?",
            approver=cast.leader,
            teams=[cast.platform],
            informed=[cast.viewer],
        )
        services.add_option(cast.org, None, d, "A")
    assert count() <= few


def test_an_outsider_lists_none_of_our_action_items_or_issues(cast):
    services.create_action_item(cast.org, None, "Ours", cast.member)
    services.raise_issue(cast.org, None, cast.platform, "Ours")
    client = api_client(cast.outsider)
    assert client.get("/api/v1/action-items").json()["count"] == 0
    assert client.get("/api/v1/issues").json()["count"] == 0


def test_latency_is_available_per_team_and_approver(cast):
    import datetime as dt

    t0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    d = services.create_decision(
        cast.org, None, "A?", approver=cast.leader, teams=[cast.platform], opened_at=t0
    )
    services.decide(cast.org, None, d, outcome="Yes", decided_at=t0 + dt.timedelta(days=3))
    # Decided in March: outside the stored 90 days, inside a range asked for.
    client = api_client(cast.member)
    assert client.get("/api/v1/decisions/latency").json()["count"] == 0
    body = client.get("/api/v1/decisions/latency", {"decided_since": "2026-03-01"}).json()
    assert body["count"] == 1 and body["median_days"] == 3.0
    assert body["per_team"] == [
        {
            "id": cast.platform.pk,
            "name": "Platform",
            "count": 1,
            "median_days": 3.0,
            "mean_days": 3.0,
            "max_days": 3.0,
            "few": True,  # one decision: ranked after teams of three or more
        }
    ]
    assert body["per_approver"][0]["name"] == "Leo Leader"


def test_a_stale_if_match_is_refused_with_409_and_changes_nothing(cast):
    d = services.create_decision(cast.org, cast.member, "Rename the app?", approver=cast.leader)
    client = api_client(cast.member)
    resp = client.patch(
        f"/api/v1/decisions/{d.pk}",
        {"context": "Branding"},
        content_type="application/json",
        headers={"If-Match": f'"{d.version}"'},
    )
    assert resp.status_code == 200 and resp.json()["version"] == d.version + 1
    resp = client.patch(
        f"/api/v1/decisions/{d.pk}",
        {"context": "Stale"},
        content_type="application/json",
        headers={"If-Match": f'"{d.version}"'},
    )
    assert resp.status_code == 409
    d.refresh_from_db()
    assert d.context == "Branding"


def test_roles_are_changed_through_the_api(cast):
    d = services.create_decision(cast.org, cast.member, "Who is in?", approver=cast.leader)
    resp = api_client(cast.member).patch(
        f"/api/v1/decisions/{d.pk}",
        {"contributor_ids": [cast.admin.pk], "team_ids": [cast.platform.pk]},
        content_type="application/json",
    )
    assert resp.status_code == 200
    assert resp.json()["contributor_ids"] == [cast.admin.pk]
    assert resp.json()["team_ids"] == [cast.platform.pk]
    resp = api_client(cast.member).patch(
        f"/api/v1/decisions/{d.pk}",
        {"informed_ids": [cast.outsider.pk]},
        content_type="application/json",
    )
    assert resp.status_code == 422 and "informed_ids" in resp.json()["error"]["fields"]


def test_action_item_pages_keep_the_due_order_across_the_undated(cast):
    """Soonest due first, undated last, ties by id; every page (limit/offset) a slice of
    that one order, including pages that straddle the last dated item."""
    import datetime as dt

    from accord.decisions.models import ActionItem

    dues = [dt.date(2026, 3, 5), None, dt.date(2026, 3, 1), None, dt.date(2026, 3, 5), None]
    dues += [dt.date(2026, 2, 20), None, dt.date(2026, 3, 1)]
    for n, due in enumerate(dues):
        services.create_action_item(cast.org, None, f"Item {n}", cast.member, due_on=due)
    items = ActionItem.objects.filter(org=cast.org)
    expected = [a.pk for a in items.filter(due_on__isnull=False).order_by("due_on", "id")]
    expected += [a.pk for a in items.filter(due_on__isnull=True).order_by("id")]
    assert len(expected) == len(dues)
    client = api_client(cast.member)
    whole = client.get("/api/v1/action-items", {"limit": 100}).json()
    assert [i["id"] for i in whole["items"]] == expected and whole["count"] == len(dues)
    for limit in (1, 2, 3, 4):
        for offset in range(len(dues) + 2):
            page = client.get("/api/v1/action-items", {"limit": limit, "offset": offset}).json()
            assert [i["id"] for i in page["items"]] == expected[offset : offset + limit], (
                limit,
                offset,
            )
    # Filters keep the order too: an owner's open items.
    page = client.get(
        "/api/v1/action-items", {"owner_id": cast.member.pk, "status": "open", "offset": 3}
    ).json()
    assert [i["id"] for i in page["items"]] == expected[3:]
