"""The demo organization gets a lived-in rhythm: history with late and missed check-ins,
meetings with minutes, and every kind of cadence."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

from accord import demo
from accord.org.models import Person
from accord.rhythm import queries
from accord.rhythm.models import Cadence, CheckIn, Meeting, MeetingStatus


def test_the_demo_has_check_in_history_meetings_with_minutes_and_every_template(db):
    t0 = time.monotonic()
    org = demo.load()
    elapsed = time.monotonic() - t0
    cads = Cadence.objects.for_org(org)
    assert set(cads.values_list("template", flat=True)) == {
        "weekly-checkin",
        "weekly-sync",
        "monthly-review",
        "quarterly-planning",
        "daily-standup",
        "",  # the release day, set up by hand
    }
    # A date the organization works to, not a meeting: all day, next within the week.
    release = cads.get(all_day=True)
    assert release.name == "Release day" and release.time is None
    nxt = queries.next_occurrence(release, timezone.now())
    assert nxt is not None and nxt.all_day and nxt.day.weekday() == 1
    statuses = set(CheckIn.objects.for_org(org).values_list("status", flat=True))
    assert statuses == {"on_time", "late", "missed"}
    weeks = CheckIn.objects.for_org(org).values("occurrence_start").distinct().count()
    assert weeks >= 8
    finished = Meeting.objects.for_org(org).filter(status=MeetingStatus.FINISHED)
    assert finished.count() >= 10
    assert any(m.notes for m in finished)
    platform = cads.get(template="weekly-checkin", team__slug="platform")
    [a] = queries.adherence(org, [platform])
    assert a.totals["missed"] > 0 and a.totals["on_time"] > a.totals["late"]
    _maya_has_a_meaningful_week(org)
    print(f"demo loaded in {elapsed:.1f}s")


def _maya_has_a_meaningful_week(org):
    """The demo login, lead of the root team, owes this week's leadership check-in and has
    the leadership sync (with the department heads) within seven days."""
    now = timezone.now()
    maya = Person.objects.for_org(org).get(name="Maya Chen")
    scope = queries.PersonScope.load(org, maya)
    # As the home page asks: due from two days ago (a late one is still open) to a week ahead.
    owed = queries.owed_checkins(
        org, maya, now - dt.timedelta(days=2), now + dt.timedelta(days=7), scope=scope
    )
    open_now = [o for o in owed if o.checkin is None and o.opens <= now <= o.late_until]
    assert {o.cadence.name for o in open_now} == {"Leadership check-in"}
    mine = queries.person_cadences(org, maya, scope)
    upcoming = queries.meetings_between(org, mine, now, now + dt.timedelta(days=7))
    assert "Leadership sync" in [u.cadence.name for u in upcoming]
    sync = Cadence.objects.for_org(org).get(name="Leadership sync")
    heads = {p.name for p in sync.extra_participants.all()}
    assert len(heads) == 5 and "Maya Chen" not in heads
    assert Meeting.objects.filter(cadence=sync, status=MeetingStatus.FINISHED).count() >= 3


def test_a_demo_loaded_the_day_after_a_round_has_that_round_in(db):
    """Loaded on a Saturday evening, the Friday round of a team's check-in is still in its
    late window: its check-ins are in, not left for the worker to call missed."""
    from tests.intelligence.world import Clock, controlled

    saturday = dt.date(2026, 11, 28)
    with controlled(Clock(dt.datetime.combine(saturday, dt.time(19, 10), tzinfo=dt.UTC))):
        org = demo.load(today=saturday)
    cadence = Cadence.objects.for_org(org).get(template="weekly-checkin", team__slug="platform")
    noon = dt.datetime.combine(saturday, dt.time(12), tzinfo=dt.UTC)
    (friday,) = [
        o
        for o in queries.occurrences_of(cadence, noon - dt.timedelta(days=7), noon)
        if o.start.date() == saturday - dt.timedelta(days=1)
    ]
    assert friday.start + dt.timedelta(hours=cadence.late_after_hours) > noon  # still open
    owers = queries.Roster.load(org).ower_ids(cadence)
    given = CheckIn.objects.for_org(org).filter(
        cadence=cadence, occurrence_start=friday.original_start, submitted_at__isnull=False
    )
    assert len(owers) >= 5 and given.count() >= len(owers) // 2


def test_a_past_meeting_of_the_demo_froze_only_what_there_was_to_discuss_then(db):
    """Replayed after the rest of the story is loaded, a meeting started in the story's past
    (the last quarter's planning, on its last day) froze an agenda of the rows as they were
    at the end: the dependencies asked for in November on a September agenda, objectives at
    their December confidence. Each past meeting's agenda names only what had been recorded
    by the time it started, an objective at its confidence then."""
    from django.db.models import Min

    from accord.activity.models import Event
    from accord.alignment.models import ConfidenceUpdate
    from accord.rhythm.demo import AGENDA_TARGETS

    org = demo.load()
    held = list(
        Meeting.objects.for_org(org)
        .filter(started_at__isnull=False, started_at__lt=timezone.now() - dt.timedelta(days=1))
        .order_by("started_at")
    )
    assert len(held) > 10
    later = []
    for m in held:
        for section in m.agenda_snapshot:
            for entry in section["items"]:
                kind, _, pk = entry["ref"].partition(":")
                if kind not in AGENDA_TARGETS:
                    continue
                first = Event.objects.filter(
                    org=org, target_type=AGENDA_TARGETS[kind], target_id=pk
                ).aggregate(first=Min("created_at"))["first"]
                if first is not None and first > m.started_at:
                    later.append((m.cadence.name, m.started_at.date(), entry["title"], first))
                if kind == "objective":  # its confidence as it was then, not as it is now
                    said = int(entry["detail"].split("confidence ")[1].split("/")[0])
                    then = (
                        ConfidenceUpdate.objects.filter(objective_id=pk, at__lte=m.started_at)
                        .order_by("at", "id")
                        .values_list("confidence", flat=True)
                        .last()
                    )
                    if said != then:
                        later.append((m.cadence.name, entry["title"], said, then))
    assert later == []
