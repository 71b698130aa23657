"""*Retry now* on a delivery queued behind an earlier one of the same webhook: a webhook's
events go in order, so it cannot go sooner. The API answers 409 saying so (and changes
nothing), the page says it is queued behind that event and is sent after it; the delivery at
the head of the queue is still retried now (202)."""

from __future__ import annotations

import html

from django.utils import timezone

from accord.hooks import sender, services
from accord.hooks.models import Delivery
from accord.org import services as org

QUEUED_BEHIND = (
    "This delivery is queued behind an earlier one (event #{}) and will be sent after it"
)


def two_queued(cast, receiver):
    """A failing webhook: the first delivery waits for its retry, the second (never tried)
    waits behind it."""
    hook, _ = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["org.team.created"]
    )
    receiver.always_fail = True
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    org.create_team(cast.org, cast.leader, name="Billing", parent=cast.root)
    assert sender.deliver()["retry"] == 1
    head, behind = Delivery.objects.order_by("pk")
    assert head.attempts == 1 and behind.attempts == 0 and behind.state == "pending"
    return hook, head, behind


def post(client, path):
    return client.post(path, "{}", content_type="application/json")


def test_the_api_refuses_to_retry_a_delivery_queued_behind_an_earlier_one(
    cast, api_admin, receiver
):
    hook, head, behind = two_queued(cast, receiver)
    waiting_until = behind.next_attempt_at
    path = f"/api/v1/webhooks/{hook.pk}/deliveries/{{}}/retry"

    refused = post(api_admin, path.format(behind.pk))
    assert refused.status_code == 409, refused.content
    error = refused.json()["error"]
    assert error["code"] == "conflict" and error["fields"] == {}
    assert error["message"].startswith(QUEUED_BEHIND.format(head.event_id))
    assert "Retry that one instead." in error["message"]
    behind.refresh_from_db()
    assert behind.next_attempt_at == waiting_until and behind.attempts == 0

    retried = post(api_admin, path.format(head.pk))  # the head: retrying does something
    assert retried.status_code == 202, retried.content
    head.refresh_from_db()
    assert head.next_attempt_at <= timezone.now()
    receiver.always_fail = False
    assert sender.deliver()["delivered"] == 2  # the head, then the one behind it, in order


def test_the_page_says_a_delivery_is_queued_behind_an_earlier_one(cast, as_admin, receiver):
    hook, head, behind = two_queued(cast, receiver)
    detail = f"/o/acme/settings/webhooks/{hook.pk}/"
    page = as_admin.get(detail).content.decode()
    assert f"Queued behind event #{head.event_id}; sent after it." in page
    retry = f"/o/acme/settings/webhooks/{hook.pk}/deliveries/{{}}/retry/"
    assert f'action="{retry.format(head.pk)}"' in page  # the head offers Retry now
    assert f'action="{retry.format(behind.pk)}"' not in page

    # A form posted anyway (an older copy of the page): the page says why, nothing changes.
    waiting_until = behind.next_attempt_at
    answer = as_admin.post(retry.format(behind.pk), follow=True)
    assert answer.redirect_chain == [(detail, 302)]
    shown = html.unescape(answer.content.decode())
    assert QUEUED_BEHIND.format(head.event_id) in shown
    assert "is tried again now" not in shown
    behind.refresh_from_db()
    assert behind.next_attempt_at == waiting_until

    tried = html.unescape(as_admin.post(retry.format(head.pk), follow=True).content.decode())
    assert f"Event {head.event_id} is tried again now." in tried
