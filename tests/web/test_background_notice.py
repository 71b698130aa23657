"""Admins are told, on every page, when background work stalls: no `accord worker` has run
for a while (so reminders and notices only queue up), or messages fail to go out (an SMTP
server that refuses them). Members are not: they can do nothing about either."""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import DeliveryStatus, Notification
from accord.core import scheduler
from accord.core.models import ScheduledRun
from tests.conftest import login
from tests.rhythm.servers import free_port

NOTICE = 'data-testid="background-notice"'


def tell(cast, *, now=None, people=None):
    with transaction.atomic():
        return delivery.notify(
            cast.org,
            kind="checkin_nudge",
            key=f"test:{time.monotonic_ns()}",
            subject="Your check-in is due",
            text="Platform's weekly check-in closes at 5 pm.",
            people=people or [cast.member],
            now=now,
        )


def home(person) -> str:
    response = login(person).get("/o/acme/")
    assert response.status_code == 200
    return response.content.decode()


def worker_ticked(at: float) -> None:
    """What a worker's tick leaves: the most frequent job's slot claimed."""
    jobs = scheduler.discover()
    fastest = min(jobs.values(), key=lambda job: (job.every, job.name))
    ScheduledRun.objects.create(job=fastest.name, slot=int(at // fastest.every) * fastest.every)


def test_nothing_is_said_while_nothing_waits_for_a_worker(cast):
    tell(cast)  # just queued: a worker has minutes to send it
    assert NOTICE not in home(cast.admin)


def test_messages_waiting_with_no_worker_are_told_to_admins_with_what_to_do(cast):
    tell(cast, now=timezone.now() - dt.timedelta(minutes=30), people=[cast.member, cast.viewer])
    html = home(cast.admin)
    assert NOTICE in html
    assert "Background work is not running." in html
    assert "No <code>accord worker</code> has run yet, and 2 messages wait to be sent" in html
    assert "starts one next to the app with <code>accord worker</code>" in html
    assert NOTICE not in home(cast.member)
    assert NOTICE not in home(cast.leader)


def test_a_worker_that_stopped_is_told_and_one_that_runs_is_not(cast):
    worker_ticked(time.time() - 3600)  # an hour ago, and nothing since
    html = home(cast.admin)
    assert NOTICE in html and "Background work is not running." in html
    assert "The last <code>accord worker</code> ran 1 hour ago." in html.replace("\xa0", " ")
    worker_ticked(time.time())
    assert NOTICE not in home(cast.admin)


def test_e_mail_that_fails_to_go_out_is_told_with_its_error_and_the_settings(cast, settings):
    """A worker runs, but the SMTP server refuses every message: the page that queued the
    reminders said nothing was wrong; the admins' notice does."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    worker_ticked(time.time())
    tell(cast, people=[cast.member, cast.viewer, cast.leader])
    assert delivery.deliver() == {"sent": 0, "retry": 3, "given_up": 0}
    html = home(cast.admin)
    assert NOTICE in html and "Messages are not getting through." in html
    assert "In the last day 3 e-mails failed (newest error: ConnectionRefusedError" in html
    assert "<code>EMAIL_HOST</code>" in html
    assert "Background work is not running" not in html
    assert NOTICE not in home(cast.member)
    # Once they are sent (the server is fixed), the notice goes.
    Notification.objects.update(status=DeliveryStatus.SENT)
    assert NOTICE not in home(cast.admin)


def test_messages_given_up_days_ago_are_no_longer_told(cast):
    worker_ticked(time.time())
    tell(cast)
    Notification.objects.update(
        status=DeliveryStatus.GIVEN_UP,
        attempts=delivery.MAX_ATTEMPTS,
        last_error="OSError: HTTP 404",
        next_attempt_at=timezone.now() - dt.timedelta(hours=2),
    )
    assert "1 e-mail failed" in home(cast.admin)
    Notification.objects.update(next_attempt_at=timezone.now() - dt.timedelta(days=2))
    assert NOTICE not in home(cast.admin)
