"""`POST /api/v1/webhooks/{id}/test` and `…/deliveries/{delivery_id}/retry`: what the
pages' *Send a test event* and *Retry now* do, over the API, through the same services, to
a real receiver; admins only (with a token that may write), another organization's are 404."""

from __future__ import annotations

import datetime as dt
import json

from django.test import Client
from django.utils import timezone

from accord.api import services as tokens
from accord.hooks import sender, services
from accord.hooks.models import Delivery, Webhook
from accord.org import services as org
from tests.conftest import api_client


def post(client, path):
    return client.post(path, "{}", content_type="application/json")


def test_a_test_event_is_sent_at_once_and_answers_its_delivery(cast, api_admin, receiver):
    hook, secret = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["org.team.*"]
    )
    sent = post(api_admin, f"/api/v1/webhooks/{hook.pk}/test")
    assert sent.status_code == 200, sent.content
    delivery = sent.json()
    assert delivery["kind"] == "hooks.webhook.tested" and delivery["state"] == "delivered"
    assert delivery["response_status"] == 200 and delivery["attempts"] == 1
    assert delivery["duration_ms"] is not None and delivery["finished_at"]
    [body] = receiver.verified(secret)  # signed as every delivery is
    assert body["type"] == "hooks.webhook.tested" and body["data"]["id"] == delivery["event_id"]

    receiver.always_fail = True
    services.pause_webhook(cast.org, cast.admin, hook)  # a test goes out while paused too
    failed = post(api_admin, f"/api/v1/webhooks/{hook.pk}/test")
    assert failed.status_code == 200
    assert failed.json()["state"] == "given_up" and failed.json()["attempts"] == 1
    assert failed.json()["response_status"] == 503 and "HTTP 503" in failed.json()["last_error"]
    assert len(receiver.requests) == 2
    hook.refresh_from_db()
    assert hook.consecutive_failures == 0  # a test does not count towards the pause
    listed = api_admin.get(f"/api/v1/webhooks/{hook.pk}/deliveries").json()["items"]
    assert [d["id"] for d in listed[:2]] == [failed.json()["id"], delivery["id"]]


def test_a_delivery_waiting_for_its_retry_is_tried_now_and_a_finished_one_is_409(
    cast, api_admin, receiver
):
    hook, _ = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["org.team.created"]
    )
    receiver.fail_next = 1
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    assert sender.deliver()["retry"] == 1
    d = Delivery.objects.get()
    assert d.next_attempt_at > timezone.now() + dt.timedelta(seconds=10)
    retry = f"/api/v1/webhooks/{hook.pk}/deliveries/{d.pk}/retry"

    answer = post(api_admin, retry)
    assert answer.status_code == 202, answer.content
    assert answer.json()["id"] == d.pk and answer.json()["state"] == "pending"
    assert answer.json()["attempts"] == 1
    d.refresh_from_db()
    assert d.next_attempt_at <= timezone.now()
    assert sender.deliver()["delivered"] == 1
    assert len(receiver.requests) == 2

    finished = post(api_admin, retry)
    assert finished.status_code == 409
    error = finished.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"] == "This delivery is finished; redeliver it to send it again."
    d.refresh_from_db()
    assert d.state == "delivered" and d.attempts == 2
    missing = post(api_admin, f"/api/v1/webhooks/{hook.pk}/deliveries/999999/retry")
    assert missing.status_code == 404


def test_only_admins_with_a_writing_token_test_or_retry_and_only_their_own(cast, receiver):
    hook, _ = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["org.team.created"]
    )
    receiver.always_fail = True
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    sender.deliver()
    d = Delivery.objects.get()
    waiting_until = d.next_attempt_at
    paths = [
        f"/api/v1/webhooks/{hook.pk}/test",
        f"/api/v1/webhooks/{hook.pk}/deliveries/{d.pk}/retry",
    ]
    _, read_only = tokens.create_token(cast.org, cast.admin, "dashboard", scope="read")
    clients = [api_client(p) for p in (cast.leader, cast.member, cast.viewer)]
    clients.append(Client(headers={"Authorization": f"Bearer {read_only}"}))
    for client in clients:
        for path in paths:
            assert post(client, path).status_code == 403, path
    outsider = api_client(cast.outsider)  # an admin of another organization
    for path in paths:
        answer = post(outsider, path)
        assert answer.status_code == 404, answer.content
        assert answer.json()["error"]["code"] == "not_found"
    assert len(receiver.requests) == 1  # only the first attempt; no test went out
    d.refresh_from_db()
    assert d.next_attempt_at == waiting_until
    assert Delivery.objects.count() == 1 and Webhook.objects.count() == 1


def test_the_openapi_description_lists_both(cast, api_admin):
    paths = json.loads(Client().get("/api/v1/openapi.json").content)["paths"]
    assert "post" in paths["/api/v1/webhooks/{webhook_id}/test"]
    assert "post" in paths["/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/retry"]
