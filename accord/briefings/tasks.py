"""The worker sends each weekly briefing on its reader's day and hour."""

from __future__ import annotations

from django_tasks import task

from accord.core.scheduler import periodic


@periodic(every=300)
@task()
def send_briefings() -> dict[str, int]:
    """Build, store and queue every briefing whose day and hour has come (once each);
    the delivery path's own job sends the e-mails and chat posts."""
    from accord.briefings import services

    return services.send_due()
