"""Recording an event stays cheap: matching subscriptions costs one indexed query per
transaction and organization, none for the further events of that transaction, and no
request leaves Accord while the write is made."""

from __future__ import annotations

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accord.activity import services as activity
from accord.hooks import outbox, services
from accord.hooks.models import Delivery
from accord.org import services as org


def hook_queries(ctx) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if "hooks_" in q["sql"]]


def test_an_organization_without_webhooks_pays_one_query_per_transaction(cast):
    # The test itself runs in one transaction, where the fixture's writes were read already.
    outbox.forget()
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        for i in range(20):
            org.update_team(cast.org, cast.leader, cast.platform, description=f"rev {i}")
    [query] = hook_queries(ctx)
    assert query.lstrip().upper().startswith("SELECT")
    assert not Delivery.objects.exists()


def test_events_queue_a_row_per_matching_subscription_and_no_request(cast, receiver):
    services.create_webhook(cast.org, cast.admin, url=receiver.url, events=["org.team.*"])
    services.create_webhook(cast.org, cast.admin, url=receiver.url, events=["org.person.*"])
    outbox.forget()  # as at the start of a new transaction
    with CaptureQueriesContext(connection) as ctx, transaction.atomic():
        for i in range(10):
            org.update_team(cast.org, cast.leader, cast.platform, description=f"rev {i}")
    selects = [q for q in hook_queries(ctx) if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1
    assert Delivery.objects.count() == 10
    assert receiver.requests == []


def test_a_subscription_made_in_a_transaction_sees_the_events_after_it(cast, receiver):
    with transaction.atomic():
        org.update_team(cast.org, cast.leader, cast.platform, description="before")
        services.create_webhook(cast.org, cast.admin, url=receiver.url, events=["org.team.*"])
        org.update_team(cast.org, cast.leader, cast.platform, description="after")
    [d] = Delivery.objects.all()
    assert d.event.after == {"description": "after"}


def test_a_rolled_back_write_queues_nothing(cast, receiver):
    services.create_webhook(cast.org, cast.admin, url=receiver.url, events=["*"])
    queued = Delivery.objects.count()
    try:
        with transaction.atomic():
            org.update_team(cast.org, cast.leader, cast.platform, description="doomed")
            raise RuntimeError
    except RuntimeError:
        pass
    assert Delivery.objects.count() == queued
    assert activity.LISTENERS.count(activity.LISTENERS[-1]) == 1
