"""Among equal matches, search gives the newest first (this week's meeting, not the first one
the cadence ever held), and among the action items found, open ones before done ones and
the searcher's own first."""

from __future__ import annotations

import datetime as dt

from accord.decisions import services as decisions
from accord.rhythm.models import Cadence, Meeting
from accord.search import queries


def test_the_meetings_of_a_cadence_come_newest_first(cast):
    rule = {"rrule": "FREQ=WEEKLY", "start_date": dt.date(2026, 1, 5), "time": dt.time(9)}
    cadence = Cadence.objects.create(org=cast.org, name="Heron weekly sync", **rule)
    for day in (5, 12, 19):
        when = dt.datetime(2026, 1, day, 9, tzinfo=dt.UTC)
        Meeting.objects.create(
            org=cast.org, cadence=cadence, occurrence_start=when, scheduled_start=when
        )
    hits = queries.search(cast.org, cast.member, "heron sync", kind="meeting")
    assert [h.detail.split(" · ")[0] for h in hits] == [
        "Mon 19 Jan 2026",
        "Mon 12 Jan 2026",
        "Mon 5 Jan 2026",
    ]


def test_action_items_found_open_first_and_the_searchers_own_first(cast):
    def item(title, owner, done=False):
        made = decisions.create_action_item(cast.org, None, title, owner)
        if done:
            decisions.complete_action_item(cast.org, None, made)

    # The shorter titles would rank first, and the newest: here the order they must not take.
    item("Quokka runbook, the long version for staging", cast.member)
    item("Quokka runbook for staging", cast.leader)
    item("Quokka runbook draft", cast.member, done=True)
    item("Quokka runbook", cast.leader, done=True)
    titles = [h.title for h in queries.search(cast.org, cast.member, "quokka runbook")]
    assert titles == [
        "Quokka runbook, the long version for staging",  # mine, open
        "Quokka runbook for staging",  # someone else's, open
        "Quokka runbook draft",  # mine, done
        "Quokka runbook",  # someone else's, done
    ]
    # Another searcher's own open item comes first for them.
    titles = [h.title for h in queries.search(cast.org, cast.leader, "quokka runbook")]
    assert titles[:2] == [
        "Quokka runbook for staging",
        "Quokka runbook, the long version for staging",
    ]
