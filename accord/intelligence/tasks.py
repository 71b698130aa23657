"""Evaluating the catalogue in the background: every hour for every organization, and soon
after writes (debounced: at most one evaluation per organization per few minutes)."""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.db import transaction
from django_tasks import task
from django_tasks.base import TaskResultStatus

from accord.core import scheduler
from accord.core.scheduler import periodic
from accord.org.models import Organization

log = logging.getLogger("accord.intelligence")

# A write asks for an evaluation of its organization; writes within the same window share
# one, which runs when the window closes.
DEBOUNCE_SECONDS = 300

_claimed: dict[int, int] = {}  # org id -> last slot this process claimed (saves queries)


@task()
def evaluate_org(org_id: int) -> int:
    """Evaluate one organization now; returns how many signals hold."""
    from accord.intelligence import evaluate

    org = Organization.objects.filter(pk=org_id).first()
    if org is None:
        return 0
    return evaluate.evaluate(org).found


@periodic(every=3600)
@task()
def evaluate_all() -> int:
    """Evaluate every organization (signals and today's health). Returns how many."""
    from accord.intelligence import evaluate

    n = 0
    for org in Organization.objects.all():
        try:
            evaluate.evaluate(org)
            n += 1
        except Exception:  # one organization's failure must not starve the others
            log.exception("evaluating %s failed", org.slug)
    return n


def request_evaluation(org_id: int, now: float | None = None) -> bool:
    """Enqueue one evaluation of the organization for the end of the current window,
    unless one is already queued for it (by this or any other process), or one of an
    earlier window still waits to start, which will read these writes too: at 10,000
    teams an evaluation can outlast a window, and they must not queue up behind it
    (each holds the organization in memory). True if queued."""
    now = time.time() if now is None else now
    slot = int(now // DEBOUNCE_SECONDS) * DEBOUNCE_SECONDS
    if _claimed.get(org_id) == slot:
        return False
    job = f"intelligence.evaluate:{org_id}"
    if scheduler.last_run_status(job, evaluate_org) == TaskResultStatus.READY:
        return False
    runner = evaluate_org
    if getattr(evaluate_org.get_backend(), "supports_defer", False):
        when = dt.datetime.fromtimestamp(slot + DEBOUNCE_SECONDS, tz=dt.UTC)
        runner = evaluate_org.using(run_after=when)
    queued = scheduler.claim(job, slot, lambda: runner.enqueue(org_id))
    _claimed[org_id] = slot
    return queued


def on_event(sender, instance, created: bool, **kwargs) -> None:
    """After a write of any pillar commits, ask for an evaluation of its organization."""
    if not created or instance.target_type.startswith("intelligence."):
        return
    org_id = instance.org_id
    transaction.on_commit(lambda: request_evaluation(org_id))
