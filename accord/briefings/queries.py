"""Reads of briefings and of when people want them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import QuerySet

from accord.briefings.models import DEFAULT_HOUR, DEFAULT_WEEKDAY, Briefing, BriefingSchedule
from accord.core.days import own_zone
from accord.org.models import Membership, Organization, Person, Role, Team


def gets_by_default(org: Organization, person_ids: Iterable[int]) -> set[int]:
    """Of these people, those who get a briefing unless they turn it off: team leads (a
    lead, co-lead or chair) and admins. Two queries."""
    ids = set(person_ids)
    leads = set(
        Membership.objects.for_org(org)
        .leading()
        .filter(person_id__in=ids)
        .values_list("person_id", flat=True)
    )
    admins = set(
        Person.objects.for_org(org).filter(pk__in=ids, role=Role.ADMIN).values_list("id", flat=True)
    )
    return leads | admins


def schedule_of(org: Organization, person: Person) -> BriefingSchedule:
    """A person's schedule; the defaults (unsaved) if they never changed it."""
    found = BriefingSchedule.objects.for_org(org).filter(person=person).first()
    if found is not None:
        return found
    enabled = person.pk in gets_by_default(org, [person.pk])
    return BriefingSchedule(
        org=org, person=person, enabled=enabled, weekday=DEFAULT_WEEKDAY, hour=DEFAULT_HOUR
    )


# Why a person's weekly briefing is not e-mailed to them (`email_status`); None: it is.
TURNED_OFF = "off"  # they turned "Send me my weekly briefing" off
NOT_BY_DEFAULT = "not_by_default"  # neither a lead nor an admin, and never turned it on
EMAIL_OFF = "email_off"  # their e-mail notices are off (each week's is still kept to read)
NO_ADDRESS = "no_address"  # Accord has no e-mail address for them
NO_EMAIL_HERE = "no_email_here"  # e-mail is not set up on this server (EMAIL_HOST)


def email_status(org: Organization, person: Person) -> tuple[BriefingSchedule, str | None]:
    """A person's schedule and why their weekly briefing will not be e-mailed (None: it
    will be, on the schedule's day and hour), as the worker and the one delivery path
    decide it: `subscribers` leaves out those who have it off, `delivery.notify` those
    with e-mail off or without an address, and everyone while e-mail is not set up here
    (each week's is still kept to read)."""
    from accord.activity import delivery
    from accord.briefings.services import KIND

    schedule = schedule_of(org, person)
    if not schedule.enabled:
        return schedule, TURNED_OFF if schedule.pk else NOT_BY_DEFAULT
    prefs = delivery.preferences_of(org, person)
    if KIND in prefs.muted_kinds:  # muted before the briefing had its own setting alone
        return schedule, TURNED_OFF
    if not prefs.email:
        return schedule, EMAIL_OFF
    if not person.email:
        return schedule, NO_ADDRESS
    if not delivery.email_configured():
        return schedule, NO_EMAIL_HERE
    return schedule, None


def team_schedule_of(org: Organization, team: Team) -> BriefingSchedule:
    found = BriefingSchedule.objects.for_org(org).filter(team=team).first()
    return found or BriefingSchedule(
        org=org, team=team, enabled=False, weekday=DEFAULT_WEEKDAY, hour=DEFAULT_HOUR
    )


def subscribers(org: Organization) -> list[tuple[Person, BriefingSchedule]]:
    """Everyone who gets a briefing by e-mail, with their schedule. Three queries."""
    rows = {
        s.person_id: s for s in BriefingSchedule.objects.for_org(org).filter(person__isnull=False)
    }
    people = {p.pk: p for p in Person.objects.for_org(org).filter(is_active=True)}
    default = gets_by_default(org, people)
    out = []
    for pid in sorted(people):
        s = rows.get(pid)
        if s is None and pid in default:
            s = BriefingSchedule(org=org, person_id=pid)
        if s is not None and s.enabled:
            out.append((people[pid], s))
    return out


def team_subscribers(org: Organization) -> list[tuple[Team, BriefingSchedule]]:
    rows = (
        BriefingSchedule.objects.for_org(org)
        .filter(team__isnull=False, enabled=True)
        .select_related("team")
        .order_by("team_id")
    )
    return [(s.team, s) for s in rows]


def briefings_of(org: Organization, person: Person) -> QuerySet:
    """A person's stored briefings, newest week first."""
    return Briefing.objects.for_org(org).filter(person=person).order_by("-starts_at", "-id")


def briefing_of(org: Organization, person: Person, briefing_id: int) -> Briefing | None:
    """One of the person's own briefings (None: no such briefing, or someone else's)."""
    return briefings_of(org, person).filter(pk=briefing_id).first()


def sent_weeks(org: Organization, person_ids: Iterable[int], weeks: Iterable[str]) -> set:
    """(person id, week) pairs already sent (a briefing built on request and not sent yet
    is not among them). One query."""
    return set(
        Briefing.objects.for_org(org)
        .filter(person_id__in=list(person_ids), week__in=list(weeks), sent_at__isnull=False)
        .values_list("person_id", "week")
    )


def due_at(week_end: dt.datetime, schedule: BriefingSchedule) -> dt.datetime:
    """When a week's briefing is due: the chosen day and hour of the week after it, in the
    week's own time zone (`week_end` is that week's Monday 00:00 there). A team's (its week
    is UTC's) is at the chosen hour of its schedule's own zone, so it stays at that local
    hour across daylight-saving changes; never before the week is over (Monday 08:00 in
    Sydney is still Sunday in UTC: then as the week ends)."""
    day = week_end.date() + dt.timedelta(days=schedule.weekday)
    if schedule.team_id is None:
        return dt.datetime.combine(day, dt.time(schedule.hour), week_end.tzinfo)
    zone = own_zone(schedule) or dt.UTC
    return max(dt.datetime.combine(day, dt.time(schedule.hour), zone), week_end)


def team_briefing_of(org: Organization, team: Team, week: str) -> Briefing | None:
    """A team's stored briefing of `week` (sent to its chat or built on request)."""
    return Briefing.objects.for_org(org).filter(person__isnull=True, team=team, week=week).first()


def team_briefings(org: Organization, team: Team) -> QuerySet:
    """A team's stored briefings, newest week first."""
    return (
        Briefing.objects.for_org(org)
        .filter(person__isnull=True, team=team)
        .order_by("-starts_at", "-id")
    )


def next_to(briefings: QuerySet, week: str, *, later: bool) -> Briefing | None:
    """Of one reader's stored briefings, the nearest of a week after `week` (`later`) or
    before it; None: none is stored. (ISO week labels sort as the weeks do.)"""
    if later:
        return briefings.filter(week__gt=week).order_by("week", "id").first()
    return briefings.filter(week__lt=week).order_by("-week", "-id").first()


def latest_team_briefing(org: Organization, team: Team) -> Briefing | None:
    """A team's newest stored briefing."""
    return (
        Briefing.objects.for_org(org)
        .filter(person__isnull=True, team=team)
        .order_by("-starts_at", "-id")
        .first()
    )
