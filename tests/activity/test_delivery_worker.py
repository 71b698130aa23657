"""Real `accord worker --batch` processes deliver what a pillar queued, against a real
local SMTP server: the first run sends each message once, a second run sends nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import transaction

from accord.activity import delivery
from accord.activity.models import DeliveryStatus, Notification
from accord.core.models import ScheduledRun
from tests.test_worker import database_url

pytestmark = pytest.mark.django_db(transaction=True)

ACCORD = str(Path(sys.executable).with_name("accord"))


def run_worker(settings) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": settings.EMAIL_HOST,
        "EMAIL_PORT": str(settings.EMAIL_PORT),
    }
    env.pop("TASKS_BACKEND", None)
    result = subprocess.run(
        [ACCORD, "worker", "--batch", "--interval", "0.1"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_a_second_worker_run_sends_nothing_twice(cast, smtp, settings):
    with transaction.atomic():
        queued = delivery.notify(
            cast.org,
            kind="decision_decided",
            key="decision:1:decided",
            subject="Decided: ship it",
            text="Leo Leader decided: ship it.",
            people=[cast.member, cast.leader],
        )
    assert queued == 2
    run_worker(settings)
    assert sorted(m["X-Rcpt"] for m in smtp.messages) == sorted(
        [cast.member.email, cast.leader.email]
    )
    assert set(Notification.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    # Forget the claimed slots, so the next run enqueues the delivery task again.
    ScheduledRun.objects.all().delete()
    run_worker(settings)
    assert len(smtp.messages) == 2
