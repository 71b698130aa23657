"""`/api/v1/webhooks`: admins create (the secret once), read, change, delete, read the
delivery log, redeliver, rotate the secret, pause and resume; others' webhooks are 404,
non-admins get 403, bad input a 422 that changes nothing."""

from __future__ import annotations

import json

from standardwebhooks import Webhook as Verifier

from accord.hooks import sender
from accord.hooks.models import Delivery, Webhook
from accord.org import services as org
from tests.conftest import api_client


def post(client, path, body=None, **headers):
    return client.post(
        path, json.dumps(body or {}), content_type="application/json", headers=headers
    )


def patch(client, path, body, **headers):
    return client.patch(path, json.dumps(body), content_type="application/json", headers=headers)


def test_an_admin_manages_a_webhook_through_the_api(cast, api_admin, receiver):
    created = post(
        api_admin,
        "/api/v1/webhooks",
        {"url": receiver.url, "events": ["org.team.*"], "description": "Data lake"},
    )
    assert created.status_code == 201, created.content
    hook = created.json()
    secret = hook["secret"]
    assert secret.startswith("whsec_") and hook["events"] == ["org.team.*"]
    hook_id = hook["id"]
    read = api_admin.get(f"/api/v1/webhooks/{hook_id}").json()
    assert "secret" not in read and read["url"] == receiver.url and not read["paused"]
    listed = api_admin.get("/api/v1/webhooks").json()
    assert listed["count"] == 1 and "secret" not in listed["items"][0]

    changed = patch(
        api_admin,
        f"/api/v1/webhooks/{hook_id}",
        {"events": ["org.team.created"]},
        **{"If-Match": f'"{read["version"]}"'},
    )
    assert changed.status_code == 200 and changed.json()["events"] == ["org.team.created"]
    stale = patch(
        api_admin,
        f"/api/v1/webhooks/{hook_id}",
        {"description": "x"},
        **{"If-Match": f'"{read["version"]}"'},
    )
    assert stale.status_code == 409

    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    sender.deliver()
    log = api_admin.get(f"/api/v1/webhooks/{hook_id}/deliveries").json()
    assert log["count"] == 1
    [entry] = log["items"]
    assert entry["kind"] == "org.team.created" and entry["state"] == "delivered"
    assert entry["response_status"] == 200 and entry["attempts"] == 1
    assert entry["target_label"] == "Payments" and entry["duration_ms"] is not None

    again = post(api_admin, f"/api/v1/webhooks/{hook_id}/deliveries/{entry['id']}/redeliver")
    assert again.status_code == 202 and again.json()["redelivery_of"] == entry["id"]
    assert again.json()["state"] == "pending"

    paused = post(api_admin, f"/api/v1/webhooks/{hook_id}/pause")
    assert paused.json()["paused"] is True and paused.json()["paused_reason"]
    sender.deliver()
    assert len(receiver.requests) == 1  # the redelivery waits while paused
    resumed = post(api_admin, f"/api/v1/webhooks/{hook_id}/resume")
    assert resumed.json()["paused"] is False
    sender.deliver()
    assert len(receiver.requests) == 2
    state = api_admin.get(f"/api/v1/webhooks/{hook_id}/deliveries?state=pending").json()
    assert state["count"] == 0

    rotated = post(api_admin, f"/api/v1/webhooks/{hook_id}/rotate-secret?overlap_hours=2")
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != secret and rotated.json()["previous_secret_expires_at"]
    org.create_team(cast.org, cast.leader, name="Billing", parent=cast.root)
    sender.deliver()
    headers, body = receiver.requests[-1]
    assert Verifier(secret).verify(body, headers) == Verifier(new_secret).verify(body, headers)

    deleted = api_admin.delete(f"/api/v1/webhooks/{hook_id}")
    assert deleted.status_code == 204
    assert not Webhook.objects.exists() and not Delivery.objects.exists()
    assert api_admin.get(f"/api/v1/webhooks/{hook_id}").status_code == 404


def test_another_organizations_webhooks_are_not_found(cast, api_admin, receiver):
    theirs = post(  # its own creation is its first delivery (webhooks' events: named only)
        api_client(cast.outsider),
        "/api/v1/webhooks",
        {"url": receiver.url, "events": ["*", "hooks.webhook.*"]},
    ).json()["id"]
    for method, path in [
        ("get", f"/api/v1/webhooks/{theirs}"),
        ("get", f"/api/v1/webhooks/{theirs}/deliveries"),
        ("post", f"/api/v1/webhooks/{theirs}/pause"),
        ("post", f"/api/v1/webhooks/{theirs}/rotate-secret"),
        ("delete", f"/api/v1/webhooks/{theirs}"),
    ]:
        answer = getattr(api_admin, method)(path)
        assert answer.status_code == 404, (method, path, answer.content)
        assert answer.json()["error"]["code"] == "not_found"
    assert api_admin.get("/api/v1/webhooks").json()["count"] == 0
    their_delivery = Delivery.objects.get(webhook_id=theirs)
    mine = post(api_admin, "/api/v1/webhooks", {"url": receiver.url, "events": ["*"]}).json()
    redeliver = post(
        api_admin, f"/api/v1/webhooks/{mine['id']}/deliveries/{their_delivery.pk}/redeliver"
    )
    assert redeliver.status_code == 404
    Webhook.objects.get(pk=theirs).refresh_from_db()
    assert Webhook.objects.get(pk=theirs).paused_at is None


def test_only_admins_may_use_the_webhooks_api(cast, receiver):
    for person in (cast.leader, cast.member, cast.viewer):
        client = api_client(person)
        assert client.get("/api/v1/webhooks").status_code == 403
        answer = post(client, "/api/v1/webhooks", {"url": receiver.url, "events": ["*"]})
        assert answer.status_code == 403
    assert not Webhook.objects.exists()


def test_bad_input_is_a_422_naming_the_field_and_creates_nothing(cast, api_admin, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    cases = [
        ({"url": "ftp://example.com/x", "events": ["*"]}, "url"),
        ({"url": "http://127.0.0.1:9/x", "events": ["*"]}, "url"),
        ({"url": "https://example.com/x", "events": []}, "events"),
        ({"url": "https://example.com/x", "events": ["teams.*"]}, "events"),
        ({"url": "https://example.com/x"}, "events"),
    ]
    for body, field in cases:
        answer = post(api_admin, "/api/v1/webhooks", body)
        assert answer.status_code == 422, (body, answer.content)
        assert field in answer.json()["error"]["fields"], answer.json()
    assert not Webhook.objects.exists()
