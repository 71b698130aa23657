"""The worker sends each weekly briefing on its reader's day and hour, and builds the
briefings people ask to read before they were stored (pages and the API never build one:
that loads two whole-organization snapshots)."""

from __future__ import annotations

import time

from django_tasks import task
from django_tasks.base import TaskResultStatus

from accord.core import scheduler
from accord.core.scheduler import periodic, run_again

# A request for a briefing that is not stored yet queues one build per reader and week;
# requests within this window share it. Should that build fail, a request in a later window
# queues another.
BUILD_WINDOW_SECONDS = 900


# A run stops starting briefings after this long and queues the rest as its next run.
# A large organization's readers in one time zone are all due in the same hour (10,000
# take some 12 minutes to build); in one run, a worker would hold back every other job
# for that long: the notifications sent each minute, reminders, closing check-ins. Each
# run loads the week's snapshots again (~25 s at 10,000 teams), hence not much shorter.
RUN_SECONDS = 120


@periodic(every=300)
@task()
def send_briefings() -> dict[str, int]:
    """Build, store and queue every briefing whose day and hour has come (once each),
    RUN_SECONDS at a time; the delivery path's own job sends the e-mails and chat posts."""
    from accord.briefings import services

    counts = services.send_due(until=time.monotonic() + RUN_SECONDS)
    if counts["more"]:
        run_again(send_briefings)
    return counts


@task()
def build_briefing(
    org_id: int, week: str, tz: str, person_id: int | None = None, team_id: int | None = None
) -> int | None:
    """Build and store (not send) one reader's briefing of `week`; returns its id."""
    from accord.briefings import compose, services
    from accord.org.models import Organization, Person, Team

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return None
    person = Person.objects.for_org(org).filter(pk=person_id).first() if person_id else None
    team = Team.objects.for_org(org).filter(pk=team_id).first() if team_id else None
    if person is None and team is None:
        return None  # deleted since it was asked for
    w = compose.parse_week(week, tz)
    return services.build_on_request(org, w, person=person, team=team).pk


def build_job(org_id: int, week: str, person_id: int | None, team_id: int | None) -> str:
    who = f"p{person_id}" if person_id is not None else f"t{team_id}"
    return f"briefings.build:{org_id}:{who}:{week}"


def request_build(
    org_id: int,
    week: str,
    tz: str,
    *,
    person_id: int | None = None,
    team_id: int | None = None,
    now: float | None = None,
) -> bool:
    """Queue the build of a reader's briefing of `week` unless one is queued already for
    them and that week (by this or any other process) in this window, or one queued in an
    earlier window is still waiting for the worker or running. True if queued."""
    if (person_id is None) == (team_id is None):
        raise ValueError("A briefing is for a person or for a team.")
    now = time.time() if now is None else now
    slot = int(now // BUILD_WINDOW_SECONDS) * BUILD_WINDOW_SECONDS
    job = build_job(org_id, week, person_id, team_id)
    if scheduler.last_run_status(job, build_briefing) in (
        TaskResultStatus.READY,
        TaskResultStatus.RUNNING,
    ):
        return False
    return scheduler.claim(
        job,
        slot,
        lambda: build_briefing.enqueue(org_id, week, tz, person_id=person_id, team_id=team_id),
    )


def retry_build(
    org_id: int, week: str, tz: str, *, person_id: int | None = None, team_id: int | None = None
) -> bool:
    """Queue the build of a reader's (or a team's) briefing again now, after one failed
    (`build_failed`): claimed at this second, so the window's failed claim does not hold
    it back."""
    if (person_id is None) == (team_id is None):
        raise ValueError("A briefing is for a person or for a team.")
    return scheduler.claim(
        build_job(org_id, week, person_id, team_id),
        int(time.time()) | 1,  # never a window's start (those are even)
        lambda: build_briefing.enqueue(org_id, week, tz, person_id=person_id, team_id=team_id),
    )


def build_failed(
    org_id: int, week: str, *, person_id: int | None = None, team_id: int | None = None
) -> bool:
    """Whether the last build queued of a reader's (or a team's) briefing of `week` failed
    (the worker ran it and it raised): waiting longer would not bring it."""
    if (person_id is None) == (team_id is None):
        raise ValueError("A briefing is for a person or for a team.")
    return (
        scheduler.last_run_status(build_job(org_id, week, person_id, team_id), build_briefing)
        == TaskResultStatus.FAILED
    )
