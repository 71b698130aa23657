"""Periodic work of the decisions pillar: announce stuck issues and overdue decisions, and
remind owners of their action items due today or overdue."""

from __future__ import annotations

from django_tasks import task

from accord.core.scheduler import periodic
from accord.org.models import Organization


@periodic(every=3600)
@task()
def flag_stuck_work() -> dict[str, int]:
    """Record one event per issue stuck too long at a level and per overdue decision."""
    from accord.decisions import services

    out = {"issues": 0, "decisions": 0}
    for org in Organization.objects.all():
        out["issues"] += services.flag_stale_issues(org)
        out["decisions"] += services.flag_overdue_decisions(org)
    return out


@periodic(every=900)
@task()
def remind_due_action_items() -> int:
    """Queue the reminders of action items due today or overdue since yesterday, at 08:00
    of their owners' own day (`notifications.remind_due`); the delivery task sends them."""
    from accord.decisions import notifications

    return notifications.remind_due_all()
