"""Periodic work of the delivery path: send what is queued, retrying failures."""

from __future__ import annotations

from django_tasks import task

from accord.core.scheduler import periodic


@periodic(every=60)
@task()
def deliver_notifications() -> dict[str, int]:
    """Send every notification whose time has come (e-mail, team chat), once each;
    a failed one waits longer before each retry and is given up after a few."""
    from accord.activity import delivery

    return delivery.deliver()
