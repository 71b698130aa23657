"""Periodic work of the operating rhythm: reminders and closing check-in windows."""

from __future__ import annotations

from django_tasks import task

from accord.core.scheduler import periodic
from accord.org.models import Organization


@periodic(every=300)
@task()
def plan_reminders() -> int:
    """Queue the reminders due now (check-in windows opening and closing, agendas before
    meetings); the delivery task sends them."""
    from accord.rhythm import notifications

    return notifications.plan_all()


@periodic(every=900)
@task()
def close_checkin_windows() -> int:
    """Record `missed` for check-ins whose window closed without one."""
    from accord.rhythm import services

    return sum(services.record_missed_checkins(org) for org in Organization.objects.all())
