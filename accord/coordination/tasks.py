"""Periodic work of the coordination pillar: announce dependencies that became late."""

from __future__ import annotations

from django_tasks import task

from accord.core.scheduler import periodic
from accord.org.models import Organization


@periodic(every=3600)
@task()
def announce_late_dependencies() -> int:
    """One `coordination.dependency.became_late` event per dependency whose date passed."""
    from accord.coordination import services

    return sum(services.announce_late(org) for org in Organization.objects.all())
