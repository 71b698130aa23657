"""The demo started early on a Monday, before a leader's briefing hour: last week's briefing
is there to read, not yet sent, and the worker e-mails it on the leader's day and hour (it
said "Sent" and never went out)."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from accord import demo
from accord.activity import delivery
from accord.briefings import compose, queries, services
from accord.org.models import Person
from tests.conftest import login
from tests.intelligence.world import Clock, controlled

MONDAY = dt.date(2026, 12, 7)


def test_last_weeks_briefing_goes_out_on_the_leaders_day_and_hour(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # e-mail is set up
    clock = Clock(dt.datetime.combine(MONDAY, dt.time(5), tzinfo=dt.UTC))
    with controlled(clock):
        org = demo.load(today=MONDAY)
        maya = Person.objects.get(org=org, email=demo.DEMO_LOGIN)
        schedule = queries.schedule_of(org, maya)
        week = compose.last_complete_week(clock.now, maya.timezone)
        due = queries.due_at(week.end, schedule)
        assert due > clock.now  # 08:00 in Berlin is two hours away
        last, *before = queries.briefings_of(org, maya)
        assert last.week == week.label and last.sent_at is None
        assert len(before) == 3 and all(b.sent_at for b in before)
        page = login(maya).get(f"/o/{org.slug}/briefings/{last.pk}/").content.decode()
        assert "Not sent yet" in page
        clock.now = due - dt.timedelta(minutes=1)
        services.send_due(clock.now)
        last.refresh_from_db()
        assert last.sent_at is None
        clock.now = due
        services.send_due(clock.now)
        delivery.deliver(clock.now)
    last.refresh_from_db()
    assert last.sent_at == due
    assert [m.subject for m in mail.outbox if m.to == [maya.email]] == [
        f"Your briefing: {last.content['title']}"
    ]
