"""What Accord forgets by itself: an invitation's one-time link once the e-mail is sent,
the text of any message sent longer ago than ACCORD_NOTIFICATION_TEXT_DAYS, and web
sessions once they have expired (the worker's hourly housekeeping)."""

from __future__ import annotations

import datetime as dt

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accord.activity import delivery
from accord.activity.models import DeliveryStatus, Notification
from accord.core.tasks import prune_housekeeping
from accord.org import services
from accord.org.models import Person
from tests.rhythm.servers import smtp  # noqa: F401 (fixture)


def test_an_invitations_link_is_forgotten_once_it_is_sent(cast, smtp):  # noqa: F811
    nina = services.add_person(cast.org, cast.admin, name="Nina New", email="nina@acme.example")
    services.send_invitation(cast.org, cast.admin, nina)
    queued = Notification.objects.get(person=nina, kind="invitation")
    assert "/accounts/welcome/" in queued.link and queued.link in queued.body_text

    assert delivery.deliver(now=timezone.now() + dt.timedelta(seconds=1))["sent"] == 1
    (mail,) = smtp.messages
    assert "/accounts/welcome/" in mail.get_body(("plain",)).get_content()  # it went out

    sent = Notification.objects.get(pk=queued.pk)
    assert sent.status == DeliveryStatus.SENT and sent.sent_at is not None
    assert (sent.link, sent.body_text, sent.body_html) == ("", "", "")
    assert sent.subject  # what went out, and when, is still known


def notice(cast, key: str, *, status: str, days_ago: int, person: Person) -> Notification:
    at = timezone.now() - dt.timedelta(days=days_ago)
    return Notification.objects.create(
        org=cast.org,
        key=key,
        topic=key,
        kind="mention",
        channel="email",
        person=person,
        subject="Leo Leader mentioned you",
        body_text="Leo Leader wrote: the supplier is late again",
        body_html="<p>Leo Leader wrote: the supplier is late again</p>",
        link="http://localhost:8000/o/acme/",
        status=status,
        next_attempt_at=at,
        sent_at=at if status == DeliveryStatus.SENT else None,
        created_at=at,
    )


def test_sent_messages_keep_their_text_for_the_retention_period_only(cast, settings):
    settings.NOTIFICATION_TEXT_DAYS = 90
    old = notice(cast, "old", status=DeliveryStatus.SENT, days_ago=91, person=cast.member)
    given_up = notice(cast, "gone", status=DeliveryStatus.GIVEN_UP, days_ago=95, person=cast.member)
    recent = notice(cast, "recent", status=DeliveryStatus.SENT, days_ago=89, person=cast.member)
    waiting = notice(cast, "wait", status=DeliveryStatus.PENDING, days_ago=120, person=cast.member)

    assert prune_housekeeping.call()["notification_texts"] == 2

    for cleared in (old, given_up):
        cleared.refresh_from_db()
        assert (cleared.body_text, cleared.body_html, cleared.link) == ("", "", "")
        assert cleared.subject == "Leo Leader mentioned you"  # the row stays: sent once
    for kept in (recent, waiting):
        kept.refresh_from_db()
        assert "the supplier is late again" in kept.body_text and kept.link
    assert prune_housekeeping.call()["notification_texts"] == 0  # nothing twice

    settings.NOTIFICATION_TEXT_DAYS = 30  # a shorter period takes effect at the next run
    assert prune_housekeeping.call()["notification_texts"] == 1
    recent.refresh_from_db()
    assert recent.body_text == ""


def session(user_id: int, expires_in: dt.timedelta) -> str:
    store = SessionStore()
    store["_auth_user_id"] = str(user_id)
    store.create()
    Session.objects.filter(session_key=store.session_key).update(
        expire_date=timezone.now() + expires_in
    )
    return store.session_key


def test_expired_sessions_are_cleared_and_live_ones_kept(cast):
    expired = session(cast.member.user_id, -dt.timedelta(minutes=1))
    live = session(cast.member.user_id, dt.timedelta(days=3))

    assert prune_housekeeping.call()["sessions"] == 1

    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()


def test_the_housekeeping_reads_only_messages_that_still_hold_their_text(db):
    """Cleared rows stay forever; the hourly run must not read them all again each time."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import sqlite_plan

    with CaptureQueriesContext(connection) as queries:
        delivery.forget_old_text(timezone.now())
    [sent, _given_up] = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    if connection.vendor == "sqlite":
        plan = sqlite_plan(sent)
        assert "USING INDEX activity_notification_text" in plan, plan
