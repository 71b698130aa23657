"""The worker runs the rhythm's periodic jobs: reminders and closing check-in windows."""

from __future__ import annotations

from django.test import Client

from accord.activity.tasks import deliver_notifications
from accord.core import scheduler
from accord.rhythm import tasks
from accord.rhythm.models import CheckIn


def test_the_jobs_are_registered_with_the_scheduler():
    jobs = scheduler.discover()
    assert jobs["accord.rhythm.tasks.plan_reminders"].every == 300
    assert jobs["accord.activity.tasks.deliver_notifications"].every == 60
    assert jobs["accord.rhythm.tasks.close_checkin_windows"].every == 900


def test_closing_windows_records_missed_check_ins(cast, rhythm, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    created = tasks.close_checkin_windows.call()
    # Windows that closed in the last two weeks without a check-in are recorded as missed.
    assert created > 0 and CheckIn.objects.filter(status="missed").count() == created
    assert tasks.close_checkin_windows.call() == 0
    assert isinstance(tasks.plan_reminders.call(), int)
    assert set(deliver_notifications.call()) == {"sent", "retry", "given_up"}


def test_the_api_description_names_the_rhythm_endpoints(db):
    paths = Client().get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/rhythm/cadences" in paths
    assert "/api/v1/rhythm/calendar/{token}.ics" in paths
