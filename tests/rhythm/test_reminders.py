"""Reminders against a real local SMTP server (aiosmtpd) and a real local HTTP server for
chat webhooks: the right people get the right messages, a second run sends nothing twice,
and a failing webhook is retried with back-off and then given up with an event."""

from __future__ import annotations

import datetime as dt

from accord.activity import delivery
from accord.activity.models import DeliveryStatus, Event, Notification
from accord.rhythm import notifications, services
from tests.rhythm.conftest import DUE

H = dt.timedelta(hours=1)
OPENS = DUE - 48 * H  # the check-in window of Fri 6 Nov opens on Wed 4 Nov 15:00 UTC


def run(now: dt.datetime) -> dict[str, int]:
    """What the worker's two periodic tasks do at `now`: plan reminders, then deliver."""
    return {"planned": notifications.plan_all(now), **delivery.deliver(now)}


def test_the_window_opening_reminds_each_person_once_by_email_and_chat(
    cast, rhythm, smtp, good_hook
):
    cast.member.timezone = "America/New_York"
    cast.member.save()
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="slack")
    result = run(now=OPENS + dt.timedelta(minutes=5))
    assert result["sent"] == 3  # two e-mails, one chat post
    by_rcpt = {m["X-Rcpt"]: m for m in smtp.messages}
    assert set(by_rcpt) == {cast.leader.email, cast.member.email}
    mia = by_rcpt[cast.member.email]
    assert (
        mia["Subject"].strip()
        == "Check-in open: Weekly team check-in · Platform (due Fri 6 Nov 2026, 10:00)"
    )
    leo = by_rcpt[cast.leader.email]
    assert leo["Subject"].endswith("(due Fri 6 Nov 2026, 15:00)")  # Leo lives in UTC
    text = mia.get_body(("plain",)).get_content()
    html = mia.get_body(("html",)).get_content()
    assert "America/New_York" in text and "<strong>Weekly team check-in" in html
    assert "/rhythm/cadences/" in text and "/checkin/" in text
    [post] = good_hook.posts
    assert post["text"].startswith("Check-in open: Weekly team check-in")
    # A team's chat is read in many zones: its time is the cadence's, named.
    assert "(due Fri 6 Nov 2026, 16:00 Europe/Berlin)" in post["text"]
    # Just opened, it names nobody (all owe it; nobody is behind): "due soon" names them.
    assert "Leo" not in post["text"] and "Still to check in" not in post["text"]
    # A restarted worker, minutes later, sends nothing again.
    again = run(now=OPENS + dt.timedelta(minutes=10))
    assert again == {"planned": 0, "sent": 0, "retry": 0, "given_up": 0}
    assert len(smtp.messages) == 2 and len(good_hook.posts) == 1


def test_people_who_checked_in_muted_or_are_away_are_not_reminded(cast, rhythm, smtp):
    services.submit_checkin(cast.org, cast.member, rhythm.checkin, DUE, now=OPENS + H)
    services.set_muted_cadences(cast.org, cast.leader, cast.leader, [rhythm.checkin])
    run(now=DUE - 4 * H + dt.timedelta(minutes=1))  # "due soon"
    assert smtp.messages == []
    services.set_muted_cadences(cast.org, cast.leader, cast.leader, [])
    services.set_away(
        cast.org, None, cast.leader, starts_on=dt.date(2026, 11, 6), ends_on=dt.date(2026, 11, 6)
    )
    run(now=DUE - 4 * H + dt.timedelta(minutes=2))
    assert smtp.messages == []


def test_email_off_means_no_email(cast, rhythm, smtp):
    delivery.set_preferences(cast.org, cast.member, cast.member, email=False)
    run(now=OPENS + dt.timedelta(minutes=1))
    assert [m["X-Rcpt"] for m in smtp.messages] == [cast.leader.email]


def test_a_meetings_agenda_goes_out_before_it_starts(cast, rhythm, smtp, good_hook):
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=good_hook.url, flavor="teams")
    start = dt.datetime(2026, 11, 9, 9, tzinfo=dt.UTC)  # Monday 10:00 Berlin
    run(now=start - 2 * H + dt.timedelta(minutes=1))
    subjects = sorted(m["Subject"].strip() for m in smtp.messages)
    agenda = "Agenda: Weekly team sync (Level 10) · Platform at Mon 9 Nov 2026, 09:00"
    assert subjects == [agenda] * 2
    body = smtp.messages[0].get_body(("plain",)).get_content()
    assert "Scorecard" in body and "Issues" in body
    [post] = good_hook.posts
    assert post["@type"] == "MessageCard" and "Scorecard" in post["text"]
    assert post["title"].endswith(" at Mon 9 Nov 2026, 10:00 Europe/Berlin")


def test_a_failing_webhook_is_retried_with_back_off_then_given_up(cast, rhythm, bad_hook, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    delivery.add_chat_webhook(cast.org, None, cast.platform, url=bad_hook.url, flavor="mattermost")
    t = OPENS + dt.timedelta(minutes=1)
    first = run(now=t)
    assert first["retry"] == 1 and len(bad_hook.posts) == 1
    chat = Notification.objects.get(channel="chat")
    assert chat.status == DeliveryStatus.PENDING and chat.attempts == 1
    assert chat.next_attempt_at == t + dt.timedelta(minutes=1)
    # Not retried before its time.
    assert delivery.deliver(now=t + dt.timedelta(seconds=30))["retry"] == 0
    assert len(bad_hook.posts) == 1
    t2 = t + dt.timedelta(minutes=1)
    assert delivery.deliver(now=t2)["retry"] == 1
    chat.refresh_from_db()
    assert chat.next_attempt_at == t2 + dt.timedelta(minutes=4)  # back-off grows
    t3 = t2 + dt.timedelta(minutes=4)
    assert delivery.deliver(now=t3)["retry"] == 1
    t4 = t3 + dt.timedelta(minutes=16)
    assert delivery.deliver(now=t4)["given_up"] == 1
    assert len(bad_hook.posts) == delivery.MAX_ATTEMPTS
    assert bad_hook.posts[0] == {"username": "Accord", "text": bad_hook.posts[0]["text"]}
    chat.refresh_from_db()
    assert chat.status == DeliveryStatus.GIVEN_UP and "500" in chat.last_error
    event = Event.objects.get(verb="given_up")
    assert event.target_type == "activity.notification" and event.after["attempts"] == 4
    # Given up means given up: later runs leave it alone.
    run(now=t4 + dt.timedelta(hours=1))
    assert len(bad_hook.posts) == delivery.MAX_ATTEMPTS


def test_a_claimed_notification_is_never_sent_twice(cast, rhythm, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core import mail

    notifications.plan(cast.org, OPENS + dt.timedelta(minutes=1))
    # A worker claimed one row and died before finishing: it stays claimed.
    n = Notification.objects.order_by("id").first()
    Notification.objects.filter(pk=n.pk).update(status=DeliveryStatus.SENDING)
    delivery.deliver(now=OPENS + dt.timedelta(hours=1))
    assert len(mail.outbox) == Notification.objects.count() - 1
