"""iCalendar feeds: every cadence as one recurring event (RRULE in its own zone, EXDATE for
cancelled occurrences, RECURRENCE-ID overrides for moved ones) plus due dates.

A calendar client expanding the feed sees the same occurrences Accord computes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vRecur

from accord.org.models import Membership, Organization, Person, Team
from accord.rhythm import queries, recurrence
from accord.rhythm.models import Cadence, CalendarFeed, feed_digest
from accord.web.templatetags.people import name_of

PRODID = "-//Accord//Operating rhythm//EN"


def _calendar(name: str) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _summary(cadence: Cadence) -> str:
    return f"Check-in due: {cadence.name}" if cadence.is_checkin else cadence.name


def _page(org: Organization, name: str, **kwargs) -> str:
    """The web page of something in a feed: a calendar entry links back to Accord."""
    from django.urls import reverse

    path = reverse(name, kwargs={"org_slug": org.slug, **kwargs})
    return settings.SITE_URL.rstrip("/") + path


def _local(instant: dt.datetime, tz_name: str) -> dt.datetime:
    return instant.astimezone(recurrence.zone(tz_name))


def _when(cadence: Cadence, instant: dt.datetime) -> dt.datetime | dt.date:
    """An occurrence's instant as the feed states it: a local time, or for an all-day
    cadence its date (DTSTART;VALUE=DATE, EXDATE and RECURRENCE-ID alike)."""
    local = _local(instant, cadence.timezone)
    return local.date() if cadence.all_day else local


def _rule(cadence: Cadence) -> str:
    """The cadence's rule as a feed states it. RFC 5545 (3.3.10) wants UNTIL in UTC (…Z)
    beside a start in a zone (DTSTART;TZID), and as a date beside a date start (an all-day
    cadence): the rule's last moment on the cadence's clock (`recurrence.in_zone`), said so,
    so a calendar expands it to the occurrences Accord computes, the last one included."""
    text = recurrence.normalize_rule(cadence.rrule)
    parts, tz = cadence.schedule.checked()
    if parts.until is None:
        return text
    if cadence.all_day:
        until = f"{parts.until:%Y%m%d}"
    else:
        until = f"{recurrence.place(parts.until, tz):%Y%m%dT%H%M%SZ}"
    return re.sub(r"UNTIL=[^;]*", f"UNTIL={until}", text)


def cadence_events(
    cadence: Cadence, org: Organization, away: Iterable[tuple[dt.date, dt.date]] = ()
) -> list[Event]:
    """The recurring event of a cadence and one override per moved occurrence; for a
    check-in, none on the days of `away` (a person's time off: nothing is owed then)."""
    schedule = cadence.schedule
    if recurrence.schedule_problem(schedule) is not None:
        return []  # a stored rule the engine refuses is left out of the feed
    tz = schedule.tz
    rule = schedule.rule()
    first_local = rule.after(schedule.dtstart_local, inc=True)
    if first_local is None:
        return []
    first = recurrence.place(first_local, tz).astimezone(tz)
    uid = f"cadence-{cadence.pk}@{org.slug}.accord"
    # An all-day cadence is a date that lasts one day; a meeting lasts its duration.
    length = dt.timedelta(days=1 if cadence.all_day else 0, minutes=cadence.duration_minutes or 0)
    base = Event()
    base.add("uid", uid)
    base.add("dtstamp", timezone.now())
    base.add("summary", _summary(cadence))
    base.add("dtstart", first.date() if cadence.all_day else first)
    base.add("duration", length)
    if cadence.all_day:
        base.add("transp", "TRANSPARENT")  # a date to work to does not make anyone busy
    base.add("rrule", vRecur.from_ical(_rule(cadence)))
    page = _page(org, "rhythm:cadence", cadence_id=cadence.pk)
    base.add("description", f"{cadence.get_kind_display()} · {page}")
    base.add("url", page)
    base.add("categories", ["Accord", cadence.get_kind_display()])
    out = [base]
    # A move stored outside the supported years (never through the services) is left out.
    exceptions = [
        e
        for e in cadence.exceptions.all()
        if e.new_start is None or recurrence.FLOOR < e.new_start < recurrence.CEIL
    ]
    cancelled = [_when(cadence, e.original_start) for e in exceptions if e.cancelled]
    if cadence.is_checkin:
        cancelled += _away_occurrences(cadence, away)
    if cancelled:
        base.add("exdate", cancelled)
    for e in exceptions:
        if e.cancelled or e.new_start is None:
            continue
        moved = Event()
        moved.add("uid", uid)
        moved.add("dtstamp", timezone.now())
        moved.add("recurrence-id", _when(cadence, e.original_start))
        moved.add("summary", _summary(cadence))
        moved.add("dtstart", _when(cadence, e.new_start))
        moved.add("duration", length)
        key = recurrence.occurrence_key(e.original_start)
        at = _page(org, "rhythm:meeting", cadence_id=cadence.pk, key=key)
        moved.add("description", f"Moved: {e.note} · {at}" if e.note else f"Moved · {at}")
        moved.add("url", at)
        out.append(moved)
    return out


def _away_occurrences(
    cadence: Cadence, away: Iterable[tuple[dt.date, dt.date]]
) -> list[dt.datetime | dt.date]:
    """The cadence's occurrences on days of time off, as EXDATEs."""
    tz = recurrence.zone(cadence.timezone)
    out: list[dt.datetime | dt.date] = []
    for starts_on, ends_on in away:
        start = recurrence.clamp(dt.datetime.combine(starts_on, dt.time(), tz))
        end = recurrence.plus(dt.datetime.combine(ends_on, dt.time(), tz), dt.timedelta(days=1))
        found = queries.occurrences_of(cadence, start, end)
        out += [_when(cadence, o.original_start) for o in found]
    return out


def _due_event(uid: str, day: dt.date, summary: str, description: str = "") -> Event:
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", timezone.now())
    ev.add("dtstart", day)
    if day < dt.date.max:  # an all-day event ends the next day, when there is one
        ev.add("dtend", day + dt.timedelta(days=1))
    ev.add("summary", summary)
    ev.add("transp", "TRANSPARENT")
    if description:
        ev.add("description", description)
    return ev


def due_events(
    org: Organization, *, person: Person | None = None, team_ids: Iterable[int] = ()
) -> list[Event]:
    """All-day events for open action items and dependency need-by dates."""
    from django.db.models import Q

    from accord.coordination.models import ACTIVE_STATES, Dependency
    from accord.decisions import queries as dq

    team_ids = list(team_ids)
    events = []
    items = dq.action_items(org).filter(status="open", due_on__isnull=False)
    items = items.filter(owner=person) if person is not None else items.filter(team_id__in=team_ids)
    for a in items[:500]:
        events.append(
            _due_event(
                f"action-{a.pk}@{org.slug}.accord",
                a.due_on,
                f"Due: {a.title}",
                f"Owner: {name_of(a.owner)} · {_page(org, 'decisions:action', item_id=a.pk)}",
            )
        )
    deps = (
        Dependency.objects.for_org(org)
        .filter(state__in=ACTIVE_STATES)
        .filter(Q(requester_team_id__in=team_ids) | Q(provider_team_id__in=team_ids))
        .select_related("requester_team", "provider_team")[:500]
    )
    for d in deps:
        events.append(
            _due_event(
                f"dependency-{d.pk}@{org.slug}.accord",
                d.need_by,
                f"Needed by {d.requester_team.name}: {d.title}",
                f"{d.provider_team.name} delivers to {d.requester_team.name}. "
                f"{_page(org, 'coordination:detail', dep_id=d.pk)}",
            )
        )
    return events + milestone_events(org, team_ids)


MILESTONES_BACK_DAYS = 90  # a feed keeps milestones this long after they pass


def milestone_events(org: Organization, team_ids: Iterable[int]) -> list[Event]:
    """All-day events for the organization's milestones and those of `team_ids`."""
    from accord.alignment.queries import milestones_between

    since = timezone.localdate() - dt.timedelta(days=MILESTONES_BACK_DAYS)
    events = []
    for m in milestones_between(org, since, team_ids=team_ids)[:500]:
        teams = ", ".join(t.name for t in m.teams.all()) or "the whole organization"
        relative = f" {m.anchor.name} {m.offset_label}." if m.anchor else ""
        events.append(
            _due_event(
                f"milestone-{m.pk}@{org.slug}.accord",
                m.date,
                f"{m.get_kind_display()}: {m.name}",
                f"Milestone for {teams}.{relative}"
                + (f"\n{m.description}" if m.description else ""),
            )
        )
    return events


def _finish(cal: Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def person_feed(org: Organization, person: Person) -> bytes:
    scope = queries.PersonScope.load(org, person)
    cal = _calendar(f"{person.name} · {org.name}")
    # Time off from a month back on: what is owed is left out of those days.
    since = timezone.localdate() - dt.timedelta(days=31)
    away = list(person.away_periods.filter(ends_on__gte=since).values_list("starts_on", "ends_on"))
    for c in queries.person_cadences(org, person, scope):
        for ev in cadence_events(c, org, away):
            cal.add_component(ev)
    for ev in due_events(org, person=person, team_ids=scope.team_ids):
        cal.add_component(ev)
    return _finish(cal)


def team_feed(org: Organization, team: Team) -> bytes:
    cal = _calendar(f"{team.name} · {org.name}")
    for c in queries.team_cadences(org, team):
        for ev in cadence_events(c, org):
            cal.add_component(ev)
    for ev in due_events(org, team_ids=[team.pk]):
        cal.add_component(ev)
    return _finish(cal)


def feed_body(feed: CalendarFeed) -> bytes:
    if feed.person_id:
        return person_feed(feed.org, feed.person)
    return team_feed(feed.org, feed.team)


def meeting_ics(org: Organization, cadence: Cadence, occ: recurrence.Occurrence) -> bytes:
    cal = _calendar(cadence.name)
    cal.add("method", "PUBLISH")
    ev = Event()
    ev.add("uid", f"cadence-{cadence.pk}-{occ.key}@{org.slug}.accord")
    ev.add("dtstamp", timezone.now())
    ev.add("summary", _summary(cadence))
    page = _page(org, "rhythm:meeting", cadence_id=cadence.pk, key=occ.key)
    ev.add("description", f"{cadence.get_kind_display()} · agenda and minutes: {page}")
    ev.add("url", page)
    if cadence.all_day:
        ev.add("dtstart", occ.day)
        ev.add("dtend", occ.day + dt.timedelta(days=1))
    else:
        ev.add("dtstart", _local(occ.start, cadence.timezone))
        ev.add("dtend", _local(occ.end, cadence.timezone))
    cal.add_component(ev)
    return _finish(cal)


def active_feed(token: str) -> CalendarFeed | None:
    """The feed whose secret is `token`, found by its hash; None once revoked, and a
    person's own feed once they are deactivated (as their tokens are)."""
    if not token or len(token) > 100:
        return None
    return (
        CalendarFeed.objects.select_related("org", "person", "team")
        .filter(digest=feed_digest(token), revoked_at__isnull=True)
        .exclude(person__is_active=False)
        .first()
    )


def person_is_member(person: Person, team: Team) -> bool:
    return Membership.objects.filter(person=person, team=team).exists()
