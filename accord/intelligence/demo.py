"""Northwind's Insights: the engine's evaluation over the demo's own history.

Runs after the pillars' demo parts. The demo tells a story that began months before
today (check-ins, key-result values, confidence updates, re-plans, decisions and action
items carry their own past dates), but its parts are loaded in one go, so the rows that
make up the organization's structure (teams, people, memberships, periods, objectives,
key results, initiatives, cadences) say they were created today. The as-of loader treats
a row created after a moment as absent then; so first those rows are dated back to when
the story has them exist (the organization and its teams since Northwind began using
Accord, `accord.demo.STORY_WEEKS` ago, before the story's first week; a period's objectives
since the period began; an initiative since a little before its own start date,
`accord.alignment.demo.initiative_since`, as its events are). Nothing else is changed: no
value, state or event. (The dependencies' rows are dated with their events by the
coordination demo.) The events were dated as the story has them happen
(`accord.demo.happened`), so the loader rewinds a past week's states from them.

Then, with the engine's own functions and nothing typed in, `evaluate` as of the end of
each of the last 13 complete weeks (the end of its Sunday, the moment a week's briefing and
Insights' trend read as "the week's end"), then now: the signals and health a weekly run
would have stored, so a signal is seen from the week its cause appeared (a decision overdue
since 13 Nov is not "since" the day the demo was loaded), "new since last week" and
"resolved since last week" mean what they say, and past weeks' briefings have what was at
risk as their weeks ended (not as they began: evaluated a whole number of weeks before the
day of loading, a Monday's evaluation was the last one a week ending that Sunday read).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.alignment.demo import initiative_since
from accord.alignment.models import Initiative, KeyResult, Objective, ObjectiveLink, Period
from accord.demo import DemoContext
from accord.intelligence import evaluate
from accord.org.models import Membership, Person, Team
from accord.rhythm.models import Cadence

HISTORY_WEEKS = 13


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def date_the_story(ctx: DemoContext) -> None:
    """Date the structure's creation back to when the story has it exist (see above)."""
    org = ctx.org
    began = ctx.began
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
    for pk, start, created in Initiative.objects.filter(org=org).values_list(
        "pk", "start_date", "created_at"
    ):
        since = initiative_since(ctx, start)
        if created > since:
            Initiative.objects.filter(pk=pk).update(created_at=since)


def week_ends(today: dt.date) -> list[dt.date]:
    """The last days (Sundays) of the HISTORY_WEEKS complete weeks before `today`'s week,
    the earliest first: a date is evaluated as of the end of that day (UTC), the moment a
    briefing of that week reads its signals at (`briefings.compose.Week.signals_at`)."""
    last_sunday = today - dt.timedelta(days=today.isoweekday())
    return [last_sunday - dt.timedelta(weeks=n) for n in range(HISTORY_WEEKS - 1, -1, -1)]


def load(ctx: DemoContext) -> None:
    org = ctx.org
    if not ctx.teams:
        return
    date_the_story(ctx)
    live = ctx.today == timezone.localdate()
    for day in week_ends(ctx.today):
        evaluate.evaluate(org, day, announce=False)
    evaluate.evaluate(org, None if live else ctx.today, announce=False)
