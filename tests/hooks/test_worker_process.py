"""A real `accord worker --batch` process sends what a write queued, signed, to a real
receiver; a second run sends nothing again."""

from __future__ import annotations

import os
import subprocess

import pytest
from django_tasks_db.models import DBTaskResult

from accord.hooks import services
from accord.hooks.models import Delivery, DeliveryState
from accord.org import services as org
from tests.test_worker import ACCORD, database_url

pytestmark = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    env = {**os.environ, "DATABASE_URL": database_url(), "ACCORD_OUTBOUND_ALLOW_PRIVATE": "true"}
    env.pop("TASKS_BACKEND", None)
    result = subprocess.run(
        [ACCORD, "worker", "--batch", "--interval", "0.1"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_the_worker_delivers_what_a_write_queued_once(cast, receiver):
    hook, secret = services.create_webhook(
        cast.org, cast.admin, url=receiver.url, events=["org.team.created"]
    )
    org.create_team(cast.org, cast.leader, name="Payments", parent=cast.root)
    # The write asked the worker to send at once (besides its periodic run).
    assert DBTaskResult.objects.filter(task_path="accord.hooks.tasks.deliver_webhooks").exists()
    run_worker()
    [body] = receiver.verified(secret)
    assert body["data"]["target"]["label"] == "Payments"
    assert Delivery.objects.get(webhook=hook).state == DeliveryState.DELIVERED
    run_worker()
    assert len(receiver.requests) == 1
