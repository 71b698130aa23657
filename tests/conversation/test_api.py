"""The conversation endpoints: comments on an object, and my inbox."""

from __future__ import annotations

import json

from accord.conversation.models import Comment, InboxItem
from tests.conftest import api_client


def post(client, url, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_comment_list_edit_and_delete_through_the_api(world):
    member = api_client(world.member)
    body = {"target": "initiative", "target_id": world.initiative.pk, "body": "Hi @leo.leader"}
    created = post(member, "/api/v1/comments", body)
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["author_name"] == "Mia Member" and data["target"] == "initiative"
    assert 'class="mention"' in data["body_html"]
    assert data["link"].endswith(f"#comment-{data['id']}")
    listed = member.get(
        "/api/v1/comments", {"target": "initiative", "target_id": world.initiative.pk}
    ).json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == data["id"]

    stale = member.patch(
        f"/api/v1/comments/{data['id']}",
        json.dumps({"body": "changed"}),
        content_type="application/json",
        headers={"If-Match": '"7"'},
    )
    assert stale.status_code == 409
    changed = member.patch(
        f"/api/v1/comments/{data['id']}",
        json.dumps({"body": "changed"}),
        content_type="application/json",
        headers={"If-Match": '"1"'},
    )
    assert changed.status_code == 200 and changed.json()["version"] == 2
    leader = api_client(world.leader)
    assert leader.delete(f"/api/v1/comments/{data['id']}").status_code == 403
    assert member.delete(f"/api/v1/comments/{data['id']}").status_code == 204
    assert not Comment.objects.exists()


def test_a_viewer_reads_comments_but_may_not_write_them(world):
    api_client(world.member).post(
        "/api/v1/comments",
        json.dumps({"target": "objective", "target_id": world.objective.pk, "body": "hi"}),
        content_type="application/json",
    )
    viewer = api_client(world.viewer)
    listed = viewer.get(
        "/api/v1/comments", {"target": "objective", "target_id": world.objective.pk}
    )
    assert listed.status_code == 200 and listed.json()["count"] == 1
    refused = post(
        viewer,
        "/api/v1/comments",
        {"target": "objective", "target_id": world.objective.pk, "body": "me too"},
    )
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert Comment.objects.count() == 1


def test_bad_input_is_a_422(world):
    member = api_client(world.member)
    cases = [
        {"target": "initiative", "target_id": world.initiative.pk, "body": ""},
        {"target": "team", "target_id": world.platform.pk, "body": "x"},
        {"target": "initiative", "target_id": 0, "body": "x"},
        {"target": "initiative", "target_id": world.initiative.pk, "body": "x" * 10_001},
    ]
    for body in cases:
        response = post(member, "/api/v1/comments", body)
        assert response.status_code == 422, (body, response.content)
    assert not Comment.objects.exists()


def test_another_organizations_objects_are_not_found(world):
    outsider = api_client(world.outsider)
    foreign = post(
        outsider,
        "/api/v1/comments",
        {"target": "initiative", "target_id": world.initiative.pk, "body": "hi @mia.member"},
    )
    assert foreign.status_code == 422
    assert "target_id" in foreign.json()["error"]["fields"]
    listed = outsider.get(
        "/api/v1/comments", {"target": "initiative", "target_id": world.initiative.pk}
    )
    assert listed.status_code == 404
    comment = post(
        api_client(world.member),
        "/api/v1/comments",
        {"target": "initiative", "target_id": world.initiative.pk, "body": "@leo.leader"},
    ).json()
    assert outsider.get(f"/api/v1/comments/{comment['id']}").status_code == 404
    assert outsider.delete(f"/api/v1/comments/{comment['id']}").status_code == 404
    item = InboxItem.objects.get(person=world.leader)
    assert post(outsider, f"/api/v1/me/inbox/{item.pk}/done").status_code == 404
    assert not InboxItem.objects.filter(done_at__isnull=False).exists()


def test_my_inbox_through_the_api(world):
    post(
        api_client(world.member),
        "/api/v1/comments",
        {"target": "initiative", "target_id": world.initiative.pk, "body": "@leo.leader look"},
    )
    leader = api_client(world.leader)
    assert leader.get("/api/v1/me/inbox/unread").json() == {"unread": 1}
    page = leader.get("/api/v1/me/inbox").json()
    assert page["count"] == 1
    (item,) = page["items"]
    assert item["kind"] == "mention" and item["read_at"] is None
    # Someone else's item is not theirs to mark.
    assert post(api_client(world.admin), f"/api/v1/me/inbox/{item['id']}/done").status_code == 404
    done = post(leader, f"/api/v1/me/inbox/{item['id']}/done")
    assert done.status_code == 200 and done.json()["done_at"]
    assert leader.get("/api/v1/me/inbox/unread").json() == {"unread": 0}
    assert leader.get("/api/v1/me/inbox").json()["count"] == 0
    assert leader.get("/api/v1/me/inbox", {"state": "done"}).json()["count"] == 1
    assert post(leader, f"/api/v1/me/inbox/{item['id']}/reopen").json()["done_at"] is None
    assert post(leader, "/api/v1/me/inbox/read").json() == {"unread": 0}
    assert leader.get("/api/v1/me/inbox", {"state": "nonsense"}).status_code == 422


def test_the_organizations_comments_and_one_kinds(world):
    member = api_client(world.member)
    for target, obj in (("initiative", world.initiative), ("objective", world.objective)):
        post(member, "/api/v1/comments", {"target": target, "target_id": obj.pk, "body": target})
    assert member.get("/api/v1/comments").json()["count"] == 2
    only = member.get("/api/v1/comments", {"target": "objective"}).json()
    assert [c["body"] for c in only["items"]] == ["objective"]
    assert member.get("/api/v1/comments", {"target_id": world.objective.pk}).status_code == 422
    assert api_client(world.outsider).get("/api/v1/comments").json()["count"] == 0
