"""Northwind's leaders find their last four weekly briefings on first start.

Runs after Insights' demo part, which dated the story and stored the health of past weeks
and the signals of the last two; each briefing is built from that history exactly as the
worker builds one, and stored as sent on its reader's day and hour (no e-mail goes out);
Accord's "sent" event is dated then too. Last week's, when its reader's day and hour has not
come yet (the demo started early on a Monday), is stored built and not sent, as one built
on request: the worker sends it, by e-mail, on that day and hour.
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
            due = queries.due_at(week.end, schedule)
            if due > now:
                with happened(now):
                    services.build_on_request(org, week, person=person, now=now, history=history)
                continue
            with happened(due):
                services.send_to_person(org, person, week, now=due, history=history, email=False)
