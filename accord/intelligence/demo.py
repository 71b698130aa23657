"""Northwind's Insights: the engine's evaluation over the demo's own history.

Runs after the pillars' demo parts. The demo tells a story that began months before
today (check-ins, key-result values, confidence updates, re-plans, decisions and action
items carry their own past dates), but its parts are loaded in one go, so the rows that
make up the organization's structure (teams, people, memberships, periods, objectives,
key results, initiatives, cadences, dependencies) say they were created today. The as-of
loader treats a row created after a moment as absent then; so first those rows are dated
back to when the story has them exist (the organization and its teams since before the
story's first week; a period's objectives since the period began; an initiative since a
little before its own start date; a dependency since it was requested, and a closed one
closed when the story closes it, see `_date_dependencies`). Nothing else is changed: no
value, state or event. The loader knows a row loaded with its past from the events
recorded with it, and dates its states from the row's own dates.

Then, with the engine's own functions and nothing typed in, `evaluate` as of the end of
each of the last 13 weeks, then now: the signals and health a weekly run would have
stored, so a signal is seen from the week its cause appeared (a decision overdue since
13 Nov is not "since" the day the demo was loaded), "new since last week" and "resolved
since last week" mean what they say, and past weeks' briefings have what was at risk.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from accord.alignment.models import Initiative, KeyResult, Objective, ObjectiveLink, Period
from accord.coordination.models import Dependency, State
from accord.demo import DemoContext
from accord.intelligence import evaluate
from accord.org.models import Membership, Person, Team
from accord.rhythm.models import Cadence

HISTORY_WEEKS = 13
STORY_WEEKS = HISTORY_WEEKS + 3  # the organization existed before the first week shown
REQUEST_WEEKS = 6  # how long before its need-by date a team asks another for something


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def date_the_story(ctx: DemoContext) -> None:
    """Date the structure's creation back to when the story has it exist (see above)."""
    org = ctx.org
    began = _midnight(ctx.today - dt.timedelta(weeks=STORY_WEEKS))
    for model in (Team, Person, Membership):
        model.objects.filter(org=org, created_at__gt=began).update(created_at=began)
    for model in (Cadence,):
        model.objects.filter(org=org, created_at__gt=began).update(created_at=began)
    for period in Period.objects.filter(org=org):
        since = max(began, _midnight(period.start))
        Period.objects.filter(pk=period.pk, created_at__gt=since).update(created_at=since)
        Objective.objects.filter(org=org, period=period, created_at__gt=since).update(
            created_at=since
        )
        KeyResult.objects.filter(org=org, objective__period=period, created_at__gt=since).update(
            created_at=since
        )
        ObjectiveLink.objects.filter(org=org, child__period=period, created_at__gt=since).update(
            created_at=since
        )
    for initiative in Initiative.objects.filter(org=org).filter(
        Q(start_date__isnull=True) | Q(start_date__lte=ctx.today + dt.timedelta(days=14))
    ):
        start = initiative.start_date or ctx.today - dt.timedelta(weeks=STORY_WEEKS)
        since = max(began, _midnight(start - dt.timedelta(days=14)))
        if initiative.created_at > since:
            Initiative.objects.filter(pk=initiative.pk).update(created_at=since)
    _date_dependencies(ctx, began)


def _date_dependencies(ctx: DemoContext, began: dt.datetime) -> None:
    """A request still waiting for an answer has just arrived (the story's inboxes). Any
    other was requested REQUEST_WEEKS before its need-by date, not before the initiatives it
    joins existed, and at least a week ago; a declined or cancelled one was closed a few
    days after it was requested, a delivered one a week before its need-by date."""
    now = timezone.now()
    last_week = now - dt.timedelta(weeks=1)
    rows = (
        Dependency.objects.filter(org=ctx.org)
        .exclude(state=State.REQUESTED)
        .values_list(
            "pk",
            "state",
            "need_by",
            "created_at",
            "requester_initiative__created_at",
            "provider_initiative__created_at",
        )
    )
    for pk, state, need_by, created, req_since, prov_since in rows:
        floor = max(t for t in (began, req_since, prov_since) if t is not None)
        asked = min(_midnight(need_by - dt.timedelta(weeks=REQUEST_WEEKS)), last_week)
        asked = min(max(asked, floor), created)
        changes: dict[str, dt.datetime] = {"created_at": asked}
        if state == State.DELIVERED:
            changes["closed_at"] = max(asked, min(_midnight(need_by - dt.timedelta(weeks=1)), now))
        elif state in (State.DECLINED, State.CANCELLED):
            changes["closed_at"] = min(asked + dt.timedelta(days=3), now)
        Dependency.objects.filter(pk=pk).update(**changes)


def load(ctx: DemoContext) -> None:
    org = ctx.org
    if not ctx.teams:
        return
    date_the_story(ctx)
    live = ctx.today == timezone.localdate()
    for n in range(HISTORY_WEEKS, 0, -1):
        evaluate.evaluate(org, ctx.today - dt.timedelta(weeks=n), announce=False)
    evaluate.evaluate(org, None if live else ctx.today, announce=False)
