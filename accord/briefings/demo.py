"""Northwind's leaders find their last four weekly briefings on first start.

Runs after Insights' demo part, which dated the story and stored the health of past weeks
and the signals of the last two; each briefing is built from that history exactly as the
worker builds one, and stored as sent on its reader's day and hour (no e-mail goes out);
Accord's "sent" event is dated then too.
"""

from __future__ import annotations

from django.utils import timezone

from accord.briefings import compose, queries, services
from accord.demo import DemoContext, happened
from accord.intelligence.snapshot import as_moment

WEEKS = 4


def load(ctx: DemoContext) -> None:
    org = ctx.org
    if not ctx.teams:
        return
    live = ctx.today == timezone.localdate()
    now = timezone.now() if live else as_moment(ctx.today)
    history = compose.History(org)
    for person, schedule in queries.subscribers(org):
        week = compose.last_complete_week(now, person.timezone)
        weeks = []
        for _ in range(WEEKS):
            weeks.append(week)
            week = week.previous()
        for week in reversed(weeks):
            sent = min(queries.due_at(week.end, schedule), now)
            with happened(sent):
                services.send_to_person(org, person, week, now=sent, history=history, email=False)
