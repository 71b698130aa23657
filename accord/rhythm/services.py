"""Every write of the operating rhythm. Each validates, changes and records its event(s)
in one transaction; a refused write changes nothing and records nothing."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from accord.activity import services as activity
from accord.alignment.services import ANYWAY_ON_THE_FORM
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.services import (
    parse_decimal,
    read_decimal,
    require_same_org,
    require_text,
    update_and_record,
    validate_timezone,
)
from accord.org.models import Membership, Organization, Person, Role, Team
from accord.org.permissions import refuse_viewer, require_role, require_team_admin
from accord.rhythm import links, merge, queries, recurrence, rights
from accord.rhythm.models import (
    Attendance,
    Away,
    Cadence,
    CadenceKind,
    CadenceMute,
    CalendarFeed,
    CheckIn,
    CheckInStatus,
    GoalRule,
    Headline,
    Measurable,
    MeasurableValue,
    Meeting,
    MeetingStatus,
    OccurrenceException,
    OwedBy,
    Participation,
    Scope,
    feed_digest,
    local_day,
    new_token,
)
from accord.rhythm.templates_catalog import SECTION_SOURCES, TEMPLATES
from accord.web.templatetags.dates import weekday, weekday_moment

CADENCE_FIELDS = (
    "name",
    "kind",
    "scope",
    "team",
    "owner",
    "rrule",
    "start_date",
    "all_day",
    "time",
    "duration_minutes",
    "timezone",
    "agenda",
    "checkin_owed_by",
    "participation",
    "window_opens_hours",
    "late_after_hours",
    "is_active",
)


# --- cadences --------------------------------------------------------------------------------


def _clean_agenda(agenda: Any) -> list[dict]:
    if not isinstance(agenda, list):
        raise ServiceError("The agenda is a list of sections.", fields={"agenda": ["Not a list."]})
    out, keys = [], set()
    for i, raw in enumerate(agenda):
        if not isinstance(raw, dict):
            raise ServiceError(
                f"Agenda section {i + 1} is not a section.", fields={"agenda": ["Bad section."]}
            )
        title = str(raw.get("title", "")).strip()
        if not title:
            raise ServiceError(
                f"Agenda section {i + 1} needs a title.", fields={"agenda": ["Title required."]}
            )
        source = raw.get("source", "none") or "none"
        if source not in SECTION_SOURCES:
            raise ServiceError(
                f"Agenda section {title!r} has unknown source {source!r}; use one of "
                f"{', '.join(SECTION_SOURCES)}.",
                fields={"agenda": [f"Unknown source {source!r}."]},
            )
        key = str(raw.get("key") or f"s{i + 1}").strip()[:40]
        if key in keys:
            key = f"{key}-{i + 1}"
        keys.add(key)
        try:
            minutes = int(raw.get("minutes", 5) or 0)
        except (TypeError, ValueError):
            minutes = 5
        out.append({"key": key, "title": title[:200], "source": source, "minutes": minutes})
    return out


def _clean_cadence(org: Organization, data: dict[str, Any], teams: list[Team] | None) -> None:
    if "name" in data:
        data["name"] = require_text(data["name"], "name")
    if "kind" in data and data["kind"] not in CadenceKind.values:
        raise ServiceError(
            f"Unknown kind {data['kind']!r}; use one of {', '.join(CadenceKind.values)}.",
            fields={"kind": ["Unknown kind."]},
        )
    if "scope" in data and data["scope"] not in Scope.values:
        raise ServiceError(
            f"Unknown scope {data['scope']!r}; use one of {', '.join(Scope.values)}.",
            fields={"scope": ["Unknown scope."]},
        )
    if "participation" in data and data["participation"] not in Participation.values:
        raise ServiceError(
            "A cadence's participants are everyone in its teams or the teams' leads only.",
            fields={"participation": ["Use everyone or leads."]},
        )
    if "checkin_owed_by" in data and data["checkin_owed_by"] not in OwedBy.values:
        raise ServiceError(
            "Check-ins are owed by everyone or by team leads.",
            fields={"checkin_owed_by": ["Use everyone or leads."]},
        )
    for name in ("window_opens_hours", "late_after_hours"):
        if name in data:
            try:
                data[name] = int(data[name])
            except (TypeError, ValueError):
                raise ServiceError(
                    f"{name} must be a whole number of hours.", fields={name: ["Whole hours."]}
                ) from None
            if not 0 <= data[name] <= 24 * 14:
                raise ServiceError(
                    "A check-in window is between 0 hours and two weeks.",
                    fields={name: ["Between 0 and 336 hours."]},
                )
    if "agenda" in data:
        data["agenda"] = _clean_agenda(data["agenda"])
    require_same_org(org, data.get("team"), "team")
    require_same_org(org, data.get("owner"), "person")
    for t in teams or []:
        require_same_org(org, t, "team")
    if "rrule" in data:
        data["rrule"] = recurrence.normalize_rule(data["rrule"])


def _settle_all_day(data: dict[str, Any], current: Cadence | None) -> None:
    """Keep the all-day flag, the time of day and the duration in step (see Cadence): an
    all-day cadence has neither a time nor a duration, any other has both (60 minutes
    unless given). A contradiction is refused with a message saying how to resolve it."""
    all_day = data.get("all_day", current.all_day if current is not None else False)
    if not isinstance(all_day, bool):
        raise ServiceError("all_day is true or false.", fields={"all_day": ["Use true or false."]})
    kind = data.get("kind", current.kind if current is not None else CadenceKind.SYNC)
    if all_day:
        if data.get("time") is not None:
            raise ServiceError(
                "An all-day cadence has no time of day: leave the time empty, or untick All day.",
                fields={"time": ["An all-day cadence has no time of day."]},
                code="all_day_with_time",
            )
        if data.get("duration_minutes") is not None:
            raise ServiceError(
                "An all-day cadence has no duration: leave it empty, or untick All day.",
                fields={"duration_minutes": ["An all-day cadence has no duration."]},
                code="all_day_with_time",
            )
        if kind == CadenceKind.CHECKIN:
            raise ServiceError(
                "Check-ins are due at a time of day, so a check-in cadence cannot be all day.",
                fields={"all_day": ["A check-in cadence needs a time of day."]},
            )
        if current is None or "all_day" in data:
            data["time"] = data["duration_minutes"] = None
        return
    time = data["time"] if "time" in data else getattr(current, "time", None)
    if time is None:
        raise ServiceError(
            "Give the time of day this cadence meets, or mark it all day.",
            fields={"time": ["Required unless the cadence is all day."]},
        )
    if "duration_minutes" in data:
        if data["duration_minutes"] is None:
            data["duration_minutes"] = 60
    elif getattr(current, "duration_minutes", None) is None:
        data["duration_minutes"] = 60


def _check_scope(scope: str, team: Team | None, teams: list[Team]) -> None:
    if scope in (Scope.TEAM, Scope.SUBTREE) and team is None:
        raise ServiceError(
            "Choose the team this cadence belongs to.", fields={"team": ["Required."]}
        )
    if scope == Scope.TEAMS and not teams:
        raise ServiceError(
            "Choose at least one team for this cadence.", fields={"teams": ["Required."]}
        )


def _check_participation(participation: str, scope: str, kind: str) -> None:
    """The teams' leads only take part in a meeting of several teams: one team's would be
    its lead alone, and a check-in cadence says who owes it (`checkin_owed_by`)."""
    if participation != Participation.LEADS:
        return
    if kind == CadenceKind.CHECKIN:
        raise ServiceError(
            "A check-in cadence's participants are who owes its check-ins: set “Check-ins "
            "owed by” to team leads instead.",
            fields={"participation": ["Not for a check-in cadence: use Check-ins owed by."]},
        )
    if scope == Scope.TEAM:
        raise ServiceError(
            "The teams' leads only is for a cadence of several teams (a set of teams, a team "
            "and its sub-teams, the whole organization); one team's is everyone in it.",
            fields={"participation": ["Only for a cadence of several teams."]},
        )


def _clean_initiatives(org: Organization, initiatives: Iterable | None) -> list | None:
    """The initiatives a cadence is the sync of, each of `org` (else refused), once each."""
    if initiatives is None:
        return None
    out = list(dict.fromkeys(initiatives))
    for i in out:
        require_same_org(org, i, "initiative")
    return out


@transaction.atomic
def create_cadence(
    org: Organization,
    actor: Person | None,
    *,
    name: str,
    rrule: str,
    timezone_name: str,
    time: dt.time | None = None,
    all_day: bool = False,
    kind: str = CadenceKind.SYNC,
    scope: str = Scope.TEAM,
    team: Team | None = None,
    teams: Iterable[Team] = (),
    start_date: dt.date | None = None,
    duration_minutes: int | None = None,
    owner: Person | None = None,
    extra_participants: Iterable[Person] = (),
    initiatives: Iterable = (),
    participation: str = Participation.EVERYONE,
    agenda: list[dict] | None = None,
    template: str = "",
    checkin_owed_by: str = OwedBy.EVERYONE,
    window_opens_hours: int = 48,
    late_after_hours: int = 24,
) -> Cadence:
    teams = list(teams)
    extras = list(extra_participants)
    data: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "scope": scope,
        "team": team if scope in (Scope.TEAM, Scope.SUBTREE) else None,
        "owner": owner or actor,
        "rrule": rrule,
        "start_date": start_date or timezone.localdate(),
        "all_day": all_day,
        "time": time,
        "duration_minutes": duration_minutes,
        "timezone": timezone_name,
        "agenda": agenda if agenda is not None else [],
        "template": template,
        "checkin_owed_by": checkin_owed_by,
        "participation": participation,
        "window_opens_hours": window_opens_hours,
        "late_after_hours": late_after_hours,
    }
    _clean_cadence(org, data, teams)
    _settle_all_day(data, None)
    for p in extras:
        require_same_org(org, p, "person")
    linked = _clean_initiatives(org, initiatives) or []
    _check_scope(scope, data["team"], teams)
    _check_participation(data["participation"], scope, data["kind"])
    rights.require_set_up(
        org,
        actor,
        scope=scope,
        team=data["team"],
        teams=teams,
        participation=data["participation"],
        initiatives=linked,
        extras=extras,
    )
    refuse_viewer(data["owner"], "owner", "own a cadence")
    data["timezone"] = validate_timezone(data["timezone"])
    if not start_date:  # from today where it meets (`first_day`)
        today = timezone.localdate(timezone.now(), recurrence.zone(data["timezone"]))
        data["start_date"] = recurrence.first_day(data["rrule"], today)
    schedule = recurrence.Schedule(
        rrule=data["rrule"],
        start_date=data["start_date"],
        time=data["time"],
        timezone=data["timezone"],
        duration_minutes=data["duration_minutes"],
        all_day=data["all_day"],
    )
    schedule.validate()
    cadence = Cadence.objects.create(org=org, **data)
    if scope == Scope.TEAMS:
        cadence.teams.set(teams)
    if extras:
        cadence.extra_participants.set(extras)
    if linked:
        cadence.initiatives.set(linked)
    after = activity.snapshot(cadence, CADENCE_FIELDS)
    after["teams"] = [t.pk for t in teams] if scope == Scope.TEAMS else []
    after["extra_participants"] = [p.pk for p in extras]
    after["initiatives"] = [i.pk for i in linked]
    activity.record(org, actor, "created", cadence, after=after)
    return cadence


def create_cadence_from_template(
    org: Organization,
    actor: Person | None,
    template_slug: str,
    *,
    team: Team | None = None,
    teams: Iterable[Team] = (),
    name: str = "",
    timezone_name: str = "",
    start_date: dt.date | None = None,
    owner: Person | None = None,
    **overrides: Any,
) -> Cadence:
    """A cadence set up from one of the well-known rhythms (templates_catalog.TEMPLATES),
    in `timezone_name` (none given: the organization's)."""
    tpl = TEMPLATES.get(template_slug)
    if tpl is None:
        raise ServiceError(
            f"Unknown template {template_slug!r}; use one of {', '.join(TEMPLATES)}.",
            fields={"template": ["Unknown template."]},
        )
    scope = overrides.pop("scope", tpl.scope)
    where = team.name if team is not None else org.name
    kwargs: dict[str, Any] = {
        "name": name or f"{tpl.name} · {where}",
        "kind": tpl.kind,
        "scope": scope,
        "team": team,
        "teams": teams,
        "rrule": tpl.rrule,
        "time": tpl.time,
        "duration_minutes": tpl.duration_minutes,
        "timezone_name": timezone_name or org.timezone,
        "start_date": start_date,
        "owner": owner,
        "agenda": [dict(s) for s in tpl.sections],
        "template": tpl.slug,
        "checkin_owed_by": tpl.checkin_owed_by,
    }
    if overrides.get("all_day"):
        del kwargs["time"], kwargs["duration_minutes"]  # a date, not the template's meeting
    kwargs.update(overrides)
    return create_cadence(org, actor, **kwargs)


@transaction.atomic
def update_cadence(
    org: Organization,
    actor: Person | None,
    cadence: Cadence,
    *,
    expected_version: int | None = None,
    teams: Iterable[Team] | None = None,
    extra_participants: Iterable[Person] | None = None,
    initiatives: Iterable | None = None,
    **changes: Any,
) -> Cadence:
    """Change a cadence: its fields, its set of teams (scope "teams"), its extra
    participants and the initiatives it is the sync of. Its owner may change it as whoever
    set it up may, its teams, scope and participation only into a cadence they could set
    up themselves (`rights`). When the schedule changes (rule, start, time, zone), moves
    and cancellations of occurrences the new schedule no longer has are dropped, with one
    `exceptions_dropped` event naming them: they would otherwise dangle, unseen."""
    require_same_org(org, cadence, "cadence")
    extras = None if extra_participants is None else list(extra_participants)
    for p in extras or []:
        require_same_org(org, p, "person")
    linked = _clean_initiatives(org, initiatives)
    if "timezone_name" in changes:
        changes["timezone"] = changes.pop("timezone_name")
    unknown = set(changes) - set(CADENCE_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a cadence.")
    cadence = Cadence.objects.select_for_update().get(pk=cadence.pk)
    rights.require_change(actor, cadence)
    if "timezone" in changes:  # a zone kept from before (EST) stands; a new one is checked
        changes["timezone"] = validate_timezone(changes["timezone"], kept=cadence.timezone)
    teams_list = list(teams) if teams is not None else list(cadence.teams.all())
    if getattr(changes.get("owner"), "pk", None) == cadence.owner_id and "owner" in changes:
        del changes["owner"]  # unchanged: an owner kept is not chosen again
    _clean_cadence(org, changes, teams_list)
    if {"all_day", "time", "duration_minutes", "kind"} & set(changes):
        _settle_all_day(changes, cadence)
    scope = changes.get("scope", cadence.scope)
    if scope not in (Scope.TEAM, Scope.SUBTREE):
        changes["team"] = None  # only one team or a subtree names a team
    team = changes.get("team", cadence.team)
    _check_scope(scope, team, teams_list)
    participation = changes.get("participation", cadence.participation)
    _check_participation(participation, scope, changes.get("kind", cadence.kind))
    now_linked = list(cadence.initiatives.all()) if linked is None else linked
    # Whom it brings together changed: only into a cadence the actor could set up.
    widened = (
        scope != cadence.scope
        or getattr(team, "pk", None) != cadence.team_id
        or participation != cadence.participation
        # Who owes its check-ins, or a meeting made a check-in, reaches people too.
        or changes.get("kind", cadence.kind) != cadence.kind
        or changes.get("checkin_owed_by", cadence.checkin_owed_by) != cadence.checkin_owed_by
        or (
            scope == Scope.TEAMS
            and {t.pk for t in teams_list} != set(cadence.teams.values_list("pk", flat=True))
        )
        or (
            extras is not None
            and {p.pk for p in extras}
            != set(cadence.extra_participants.values_list("pk", flat=True))
        )
    )
    if widened:
        rights.require_set_up(
            org,
            actor,
            scope=scope,
            team=team,
            teams=teams_list,
            participation=participation,
            initiatives=now_linked,
            extras=cadence.extra_participants.all() if extras is None else extras,
            what="change it into",
        )
    if changes.get("owner") is not None:
        refuse_viewer(changes["owner"], "owner", "own a cadence")
    schedule = recurrence.Schedule(
        rrule=changes.get("rrule", cadence.rrule),
        start_date=changes.get("start_date", cadence.start_date),
        time=changes.get("time", cadence.time),
        timezone=changes.get("timezone", cadence.timezone),
        duration_minutes=changes.get("duration_minutes", cadence.duration_minutes),
        all_day=changes.get("all_day", cadence.all_day),
    )
    if (SCHEDULE_FIELDS | {"duration_minutes"}) & set(changes):
        # (A cadence whose stored schedule is invalid can still be renamed or paused.)
        schedule.validate()
    # The schedule it had keeps the occurrences before now (`queries.eras`): meetings held
    # and check-ins given under it keep their place; only later ones follow the new one.
    kept = None
    if SCHEDULE_FIELDS & set(changes) and _when(schedule) != _when(cadence.schedule):
        kept = queries.past_record(cadence, timezone.now())
    cadence = update_and_record(org, actor, cadence, changes, expected_version=expected_version)
    if kept is not None:
        cadence.past_schedules = [*cadence.past_schedules, kept]
        Cadence.objects.filter(pk=cadence.pk).update(past_schedules=cadence.past_schedules)
    if teams is not None and scope == Scope.TEAMS:
        before = sorted(cadence.teams.values_list("pk", flat=True))
        after = sorted(t.pk for t in teams_list)
        if before != after:
            cadence.teams.set(teams_list)
            activity.record(
                org, actor, "updated", cadence, before={"teams": before}, after={"teams": after}
            )
    if extras is not None:
        before = sorted(cadence.extra_participants.values_list("pk", flat=True))
        after = sorted({p.pk for p in extras})
        if before != after:
            cadence.extra_participants.set(extras)
            activity.record(
                org,
                actor,
                "updated",
                cadence,
                before={"extra_participants": before},
                after={"extra_participants": after},
            )
    if linked is not None:
        before = sorted(cadence.initiatives.values_list("pk", flat=True))
        after = sorted(i.pk for i in linked)
        if before != after:
            cadence.initiatives.set(linked)
            activity.record(
                org,
                actor,
                "updated",
                cadence,
                before={"initiatives": before},
                after={"initiatives": after},
            )
    # The moves and cancellations the new schedule dropped, for the caller to say so.
    cadence.dropped_exceptions = []
    if SCHEDULE_FIELDS & set(changes):
        cadence.dropped_exceptions = _drop_stale_exceptions(org, actor, cadence)
    return cadence


SCHEDULE_FIELDS = {"rrule", "start_date", "all_day", "time", "timezone"}


def _when(schedule: recurrence.Schedule) -> tuple:
    """What places a schedule's occurrences (its length aside)."""
    rule = recurrence.normalize_rule(schedule.rrule)
    return (rule, schedule.start_date, schedule.all_day, schedule.time, schedule.timezone)


def _drop_stale_exceptions(
    org: Organization, actor: Person | None, cadence: Cadence
) -> list[OccurrenceException]:
    """Delete the exceptions of occurrences the cadence's (new) schedule no longer has;
    returns them."""
    rows = list(OccurrenceException.objects.filter(cadence=cadence).order_by("original_start"))
    if not rows:
        return []
    schedule = cadence.schedule
    # One small window per exception: the cost does not grow with the years between them.
    stale = [e for e in rows if not recurrence.is_rule_instant(schedule, e.original_start)]
    if not stale:
        return []
    OccurrenceException.objects.filter(pk__in=[e.pk for e in stale]).delete()
    activity.record(
        org,
        actor,
        "exceptions_dropped",
        cadence,
        before={
            "exceptions": [
                {
                    "occurrence": e.original_start,
                    "cancelled": e.cancelled,
                    "new_start": e.new_start,
                    "note": e.note,
                }
                for e in stale
            ]
        },
        after={"exceptions": []},
        label=f"{cadence.name}: {len(stale)} moved or cancelled occurrence(s) no longer exist",
    )
    return stale


def _occurrence_or_refuse(cadence: Cadence, original_start: dt.datetime):
    if not recurrence.is_rule_instant(cadence.schedule, original_start):
        raise ServiceError(
            f"{cadence.name} has no occurrence at {original_start:%Y-%m-%d %H:%M} UTC.",
            fields={"occurrence": ["Not an occurrence of this cadence."]},
            code="invalid_occurrence",
        )


def _occurrence_note(note: Any) -> str:
    """A moved or cancelled meeting's note: optional, refused as `require_text` refuses."""
    return require_text(note, "note", max_length=300, required=False, label="The note")


@transaction.atomic
def move_occurrence(
    org: Organization,
    actor: Person | None,
    cadence: Cadence,
    original_start: dt.datetime,
    new_start: dt.datetime,
    *,
    note: str = "",
    now: dt.datetime | None = None,
) -> OccurrenceException:
    """Move one occurrence; the rule is untouched. Not to a time already past (`now`)."""
    require_same_org(org, cadence, "cadence")
    rights.require_change(actor, cadence, "move the meetings of")
    if new_start.tzinfo is None:
        raise ServiceError(
            "Give the new time with its time zone.",
            fields={"new_start": ["A date and time with a time zone."]},
        )
    recurrence.check_in_range(new_start, "new_start", "The new start")
    note = _occurrence_note(note)
    _occurrence_or_refuse(cadence, original_start)
    if cadence.all_day:  # a date moves to another date: the start of that day, locally
        tz = recurrence.zone(cadence.timezone)
        day = new_start.astimezone(tz).date()
        new_start = recurrence.place(dt.datetime.combine(day, dt.time()), tz)
    # Not into the past: the occurrence would leave the schedule unheld, with no row to
    # restore it from, and count as missed. (An all-day date may move to today.)
    now = now or timezone.now()
    if (cadence.schedule.end_for(new_start) if cadence.all_day else new_start) <= now:
        local = new_start.astimezone(recurrence.zone(cadence.timezone))
        when = weekday(local.date()) if cadence.all_day else weekday_moment(local)
        raise ServiceError(
            f"{when} ({cadence.timezone}) has already passed: an occurrence can only be moved "
            "to a time still ahead. Nothing was changed.",
            fields={"new_start": ["Choose a time that has not passed yet."]},
            code="in_the_past",
        )
    # Not onto another occurrence: the schedule would show that time twice.
    there = queries.occurrences_of(cadence, new_start, new_start + dt.timedelta(seconds=1))
    if any(o.original_start != original_start for o in there):
        raise ServiceError(
            f"{cadence.name} already meets at that time; choose another, or cancel one of the two.",
            fields={"new_start": ["Another occurrence starts then."]},
            code="occurrence_taken",
        )
    exc, _ = OccurrenceException.objects.update_or_create(
        org=org,
        cadence=cadence,
        original_start=original_start,
        defaults={"new_start": new_start, "cancelled": False, "note": note},
    )
    activity.record(
        org,
        actor,
        "moved",
        cadence,
        after={"occurrence": original_start, "new_start": new_start, "note": exc.note},
        label=f"{cadence.name} on {local_day(original_start, cadence)}",
    )
    return exc


@transaction.atomic
def cancel_occurrence(
    org: Organization,
    actor: Person | None,
    cadence: Cadence,
    original_start: dt.datetime,
    *,
    note: str = "",
) -> OccurrenceException:
    require_same_org(org, cadence, "cadence")
    rights.require_change(actor, cadence, "cancel the meetings of")
    note = _occurrence_note(note)
    _occurrence_or_refuse(cadence, original_start)
    exc, _ = OccurrenceException.objects.update_or_create(
        org=org,
        cadence=cadence,
        original_start=original_start,
        defaults={"new_start": None, "cancelled": True, "note": note},
    )
    activity.record(
        org,
        actor,
        "cancelled",
        cadence,
        after={"occurrence": original_start, "note": exc.note},
        label=f"{cadence.name} on {local_day(original_start, cadence)}",
    )
    return exc


@transaction.atomic
def restore_occurrence(
    org: Organization, actor: Person | None, cadence: Cadence, original_start: dt.datetime
) -> None:
    require_same_org(org, cadence, "cadence")
    rights.require_change(actor, cadence, "restore the meetings of")
    deleted, _ = OccurrenceException.objects.filter(
        cadence=cadence, original_start=original_start
    ).delete()
    if deleted:
        activity.record(org, actor, "restored", cadence, after={"occurrence": original_start})


# --- time off --------------------------------------------------------------------------------


@transaction.atomic
def set_away(
    org: Organization,
    actor: Person | None,
    person: Person,
    *,
    starts_on: dt.date,
    ends_on: dt.date,
    reason: str = "",
) -> Away:
    require_same_org(org, person, "person")
    if actor is not None and actor.pk != person.pk:
        require_role(actor, Role.LEADER, "mark someone else away")
    require_role(actor, Role.MEMBER, "mark time off")
    recurrence.check_in_range(starts_on, "starts_on", "The first day off")
    recurrence.check_in_range(ends_on, "ends_on", "The last day off")
    if ends_on < starts_on:
        raise ServiceError(
            "Time off ends on or after the day it starts.",
            fields={"ends_on": ["Before the start."]},
        )
    reason = require_text(reason, "reason", max_length=200, required=False, label="The reason")
    away = Away.objects.create(
        org=org, person=person, starts_on=starts_on, ends_on=ends_on, reason=reason
    )
    activity.record(
        org,
        actor,
        "created",
        away,
        after={"person": person.pk, "starts_on": starts_on, "ends_on": ends_on},
    )
    return away


@transaction.atomic
def set_own_away(
    people: list[Person], *, starts_on: dt.date, ends_on: dt.date, reason: str = ""
) -> list[Away]:
    """The same time off for each of `people`, one login's in several organizations, each
    marking their own in their organization (recorded in each): all or none."""
    logins = {p.user_id for p in people}
    if len(logins) != 1 or None in logins:
        raise ServiceError("Time off is marked for one login's own organizations together.")
    return [
        set_away(p.org, p, p, starts_on=starts_on, ends_on=ends_on, reason=reason) for p in people
    ]


@transaction.atomic
def remove_away(org: Organization, actor: Person | None, away: Away) -> None:
    require_same_org(org, away, "time off")
    if actor is not None and actor.pk != away.person_id:
        require_role(actor, Role.LEADER, "change someone else's time off")
    activity.record(
        org, actor, "deleted", away, before={"starts_on": away.starts_on, "ends_on": away.ends_on}
    )
    away.delete()


# --- check-ins -------------------------------------------------------------------------------


def _decimal(value: Any, name: str, field: str = "") -> Decimal:
    """A measurable's number (`value`, `goal_low`, `goal_high`), bounded by its column."""
    model = MeasurableValue if name == "value" else Measurable
    return parse_decimal(value, model, name, field or name)


CHECKIN_TEXT_MAX = 5000  # characters of a check-in's highlights, and of its blockers


def _their(moment: dt.datetime, person: Person) -> str:
    """A moment as `person` reads it: "on Wed 9 Dec 2026, 20:30 (Asia/Kolkata)"."""
    try:
        zone = zoneinfo.ZoneInfo(person.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return f"on {weekday_moment(moment.astimezone(zone))} ({zone.key})"


def key_result_number(value: Any, field: str, unit: str = "") -> Decimal:
    """A key result's number as a check-in gives it (refused in words, naming `field`),
    followed by its `unit` or not ("2.6 hours", as its own page's form reads it): what the
    check-in form checks first, and `submit_checkin` again."""
    return _finite(value, field, unit)


FORM_FIELDS = {"kr": "key_results", "m": "measurables"}  # `kr_<id>` -> `key_results.<id>`


def checkin_refusal_as_given(exc: ServiceError, anyway: str) -> ServiceError:
    """A refused check-in (`submit_checkin`) in the words of a caller that sends its values
    as `{"key_results": {id: value}, "measurables": {…}, "confirm": …}` (the API, MCP)
    rather than the page's form: a field `kr_<id>` (`m_<id>`) is named
    `key_results.<id>` (`measurables.<id>`), and the form's box to record an unusual value
    anyway is said as `anyway` (how that caller confirms it). The same refusal, changed in
    place and returned."""
    fields: dict[str, list[str]] = {}
    for name, messages in (exc.fields or {}).items():
        prefix, _, pk = name.partition("_")
        if prefix in FORM_FIELDS and pk.isdigit():
            name = f"{FORM_FIELDS[prefix]}.{pk}"
        fields.setdefault(name, []).extend(m.replace(ANYWAY_ON_THE_FORM, anyway) for m in messages)
    exc.fields = fields
    exc.message = exc.message.replace(ANYWAY_ON_THE_FORM, anyway)
    return exc


def measurable_number(value: Any, field: str) -> Decimal:
    """A scorecard measurable's weekly value as a check-in gives it (as `key_result_number`)."""
    return _decimal(value, "value", field)


def _finite(value: Any, field: str, unit: str = "") -> Decimal:
    """A key result's number: any finite one a float column holds."""
    number = read_decimal(value, unit)
    if not number.is_finite() or not math.isfinite(float(number)):
        raise ServiceError(f"{value!r} is not a number.", fields={field: ["Enter a number."]})
    return number


def _occurrence(cadence: Cadence, original_start: dt.datetime):
    """`cadence`'s occurrence at `original_start`, refused in words when it has none then."""
    occ = queries.occurrence(cadence, original_start)
    if occ is None:
        raise ServiceError(
            f"{cadence.name} has no occurrence at {original_start:%Y-%m-%d %H:%M} UTC.",
            fields={"occurrence": ["Not an occurrence of this cadence."]},
            code="invalid_occurrence",
        )
    return occ


def _checkin_round(cadence: Cadence, original_start: dt.datetime):
    """The round of check-in `cadence` at `original_start`, refused in words when the cadence
    takes no check-ins or has no occurrence then."""
    if not cadence.is_checkin:
        raise ServiceError(f"{cadence.name} is not a check-in cadence.", code="not_checkin")
    return _occurrence(cadence, original_start)


@transaction.atomic
def submit_checkin(
    org: Organization,
    actor: Person | None,
    cadence: Cadence,
    original_start: dt.datetime,
    *,
    person: Person | None = None,
    key_results: dict[int, Any] | None = None,
    objectives: dict[int, Any] | None = None,
    initiatives: dict[int, str] | None = None,
    measurables: dict[int, Any] | None = None,
    highlights: str | None = "",
    blockers: str | None = "",
    blocker_team: Team | None = None,
    raise_blocker: bool = False,
    check_unusual: bool = False,
    confirmed: Collection[int] = (),
    now: dt.datetime | None = None,
) -> CheckIn:
    """A person's update for one occurrence of a check-in cadence.

    On time until the occurrence's start (its due time), late until `late_after_hours`
    after it, refused after the window closes and before it may be given (its window
    opens, or earlier once the round before it closed: `queries.early_from`; one given
    early is on time). Values are applied
    through the alignment services (so key results keep their history); a resubmission
    in the window updates the check-in and keeps its first status, and adds to what it
    recorded rather than replacing it: its values join the ones given before (a later one
    for the same item wins), and `highlights` or `blockers` given as None keep the earlier
    text (`blockers` None with no `blocker_team` keeps the blocker's team too), so a
    script adding highlights erases none of the report. With `raise_blocker`, a blocker
    that names another team is also raised as an issue for that team.

    `check_unusual` (the page, the API, MCP): a key result's value that looks like a slip
    is refused, as on the key result's own page (`links.apply_checkin_updates`), unless
    its id is in `confirmed`; nothing of the check-in is recorded then. Loaders (the demo)
    record what they are given.
    """
    require_same_org(org, cadence, "cadence")
    person = person or actor
    if person is None:
        raise ServiceError("Whose check-in is this?", fields={"person": ["Required."]})
    require_same_org(org, person, "person")
    if actor is not None and actor.pk != person.pk:
        raise PermissionDenied("You can only submit your own check-in.")
    require_role(actor, Role.MEMBER, "submit a check-in")
    require_same_org(org, blocker_team, "team")
    occ = _checkin_round(cadence, original_start)
    now = now or timezone.now()
    if not queries.is_participant(org, cadence, person):
        raise PermissionDenied(f"{person.name} is not part of {cadence.name}.")
    status = queries.checkin_status_at(cadence, occ, now)
    opens, late_until = cadence.window(occ)
    if status is None:
        if now < opens:
            early = queries.early_from(cadence, occ)
            said = f"The check-in window opens {_their(opens, person)}."
            if early < opens:
                said = (
                    f"You can check in for this round {_their(early, person)} at the earliest; "
                    f"its window opens {_their(opens, person)}."
                )
            raise ServiceError(said, code="window_not_open")
        given = (
            CheckIn.objects.filter(
                cadence=cadence, person=person, occurrence_start=occ.original_start
            )
            .exclude(status=CheckInStatus.MISSED)
            .first()
        )
        if given is not None:
            raise ServiceError(
                f"The check-in window closed {_their(late_until, person)}; your check-in, "
                f"submitted {given.get_status_display().lower()}, stays as it was and can no "
                "longer be changed.",
                code="window_closed",
            )
        raise ServiceError(
            f"The check-in window closed {_their(late_until, person)}; this check-in is missed.",
            code="window_closed",
        )
    existing = (
        CheckIn.objects.select_for_update()
        .filter(cadence=cadence, person=person, occurrence_start=occ.original_start)
        .first()
    )
    if existing is not None and existing.status == CheckInStatus.MISSED:
        raise ServiceError("This check-in was recorded as missed.", code="window_closed")
    # Left out of a resubmission (None): what it said before stays.
    if blockers is None and blocker_team is None and existing is not None:
        blocker_team = existing.blocker_team
    if highlights is None:
        highlights = existing.highlights if existing is not None else ""
    if blockers is None:
        blockers = existing.blockers if existing is not None else ""

    for name, text in (("highlights", highlights), ("blockers", blockers)):
        length = len((text or "").strip())
        if length > CHECKIN_TEXT_MAX:
            raise ServiceError(
                f"{name.capitalize()} are too long ({length:,} characters, at most "
                f"{CHECKIN_TEXT_MAX:,}).",
                fields={name: [f"At most {CHECKIN_TEXT_MAX:,} characters."]},
            )
    units = links.key_result_units(org, list(key_results or {}))
    kr_values = {
        int(k): key_result_number(v, f"kr_{k}", units.get(int(k), ""))
        for k, v in (key_results or {}).items()
    }
    confidences = {int(k): v for k, v in (objectives or {}).items()}
    statuses = {int(k): v for k, v in (initiatives or {}).items()}
    measure_values = {
        int(k): _decimal(v, "value", f"m_{k}") for k, v in (measurables or {}).items()
    }
    own = (
        Measurable.objects.for_org(org)
        .filter(pk__in=list(measure_values), is_active=True)
        .in_bulk()
    )
    for mid in measure_values:
        m = own.get(mid)
        if m is None or (m.owner_id is not None and m.owner_id != person.pk):
            raise ServiceError(
                f"Measurable {mid} is not one of {person.name}'s.",
                fields={"measurables": [f"Not yours: {mid}."]},
                code="not_yours",
            )
    # Alignment writes go through its services; each refuses what is not this person's.
    links.apply_checkin_updates(
        org,
        actor,
        person,
        kr_values,
        confidences,
        statuses,
        cadence=cadence,
        check_unusual=check_unusual,
        confirmed=confirmed,
    )
    week = scorecard_week(occ)
    for mid, value in measure_values.items():
        record_measurable_value(
            org, actor, own[mid], week_start=week, value=value, source="checkin"
        )
    if raise_blocker:
        if not (blockers or "").strip() or blocker_team is None:
            raise ServiceError(
                "To raise a blocker as an issue, describe it and name the team.",
                fields={"blocker_team": ["Name the team that can unblock you."]},
            )
        repeated = (
            existing is not None
            and existing.blockers == blockers.strip()
            and existing.blocker_team_id == blocker_team.pk
        )
        if not repeated:
            links.raise_blocker_issue(org, actor, person, blocker_team, blockers.strip())
    given = {
        "key_results": {str(k): str(v) for k, v in kr_values.items()},
        "objectives": {str(k): v for k, v in confidences.items()},
        "initiatives": {str(k): v for k, v in statuses.items()},
        "measurables": {str(k): str(v) for k, v in measure_values.items()},
    }
    # A resubmission adds to what the round's check-in recorded (a later value wins).
    before = (existing.updates or {}) if existing is not None else {}
    updates = {kind: {**(before.get(kind) or {}), **values} for kind, values in given.items()}
    fields = {
        "highlights": (highlights or "").strip(),
        "blockers": (blockers or "").strip(),
        "blocker_team": blocker_team,
        "updates": updates,
    }
    if existing is not None:
        fields["submitted_at"] = now
        return update_and_record(org, actor, existing, fields)
    checkin = CheckIn.objects.create(
        org=org,
        cadence=cadence,
        person=person,
        occurrence_start=occ.original_start,
        due_at=occ.start,
        submitted_at=now,
        status=status,
        **fields,
    )
    activity.record(
        org,
        actor,
        "submitted",
        checkin,
        after={
            "status": status,
            "occurrence": occ.original_start,
            "blockers": fields["blockers"],
            **updates,
        },
    )
    return checkin


@transaction.atomic
def remind_not_in_yet(
    org: Organization,
    actor: Person | None,
    cadence: Cadence,
    original_start: dt.datetime,
    *,
    now: dt.datetime | None = None,
) -> dict[str, int]:
    """Remind those who owe a round's check-in and have not given it, while its window is
    open: asked by the cadence's owner, a lead of its team(s), a leader or an admin
    (`manages_meetings`). Each is reminded this way at most once a round, through the
    delivery path of the scheduled reminders (`notifications.remind_not_in_yet`); the
    reminder is recorded as the asker's event. Returns {"reminded", "already"}."""
    from accord.rhythm import notifications

    require_same_org(org, cadence, "cadence")
    if not manages_meetings(actor, cadence):
        raise PermissionDenied(
            f"Only {cadence.name}'s owner, its team's leads and leaders remind those not in yet."
        )
    occ = _checkin_round(cadence, original_start)
    now = now or timezone.now()
    opens, late_until = cadence.window(occ)
    reader = actor or Person(timezone=cadence.timezone)
    if now < opens:
        raise ServiceError(
            f"The check-in window opens {_their(opens, reader)}; nobody owes it before.",
            code="window_not_open",
        )
    if now > late_until:
        raise ServiceError(
            f"The check-in window closed {_their(late_until, reader)}; who gave none missed it.",
            code="window_closed",
        )
    result = notifications.remind_not_in_yet(org, cadence, occ, now, by=actor)
    if result["reminded"]:
        activity.record(
            org,
            actor,
            "reminded",
            cadence,
            after={"occurrence": occ.original_start, "reminded": result["reminded"]},
            label=f"{cadence.name} on {local_day(occ.original_start, cadence)}",
        )
    return result


MISSED_BATCH = 500  # most missed check-ins a transaction records (and 0.2 s: `core.batches`)


def record_missed_checkins(
    org: Organization, *, now: dt.datetime | None = None, lookback_days: int = 14
) -> int:
    """Record `missed` for every owed check-in whose window closed without one (idempotent).

    Looks back `lookback_days`, so a worker that was down for a while catches up. What is
    owed is read first, for every cadence at once and outside any transaction (at 10,000
    teams, seconds of reading); only the check-ins to record are written, in short
    transactions (batches): on SQLite a transaction holds the database's write lock
    throughout."""
    now = now or timezone.now()
    # Who owed each occurrence: those in the cadence's scope when it was due, not before
    # they joined (`queries.Owers`); the occurrences the cadence had then, none before it
    # was created (`queries.past_occurrences`).
    horizon = now - dt.timedelta(days=lookback_days) - dt.timedelta(hours=24 * 15)
    roster = queries.Roster.load(org, terms_after=horizon)
    owed: list[tuple[Cadence, recurrence.Occurrence, set[int]]] = []
    for cadence in queries.every_cadence(org):
        if not cadence.is_checkin:
            continue
        owers = roster.owers(cadence)
        if not owers.everyone:
            continue
        closed = now - dt.timedelta(hours=cadence.late_after_hours)
        for occ in queries.past_occurrences(
            cadence, closed - dt.timedelta(days=lookback_days), closed
        ):
            owed.append((cadence, occ, owers.at(occ.start)))
    if not owed:
        return 0
    earliest = min(occ.original_start for _, occ, _ in owed)
    # The organization's check-ins, time zones and absences of the window, each in one
    # read: lists of ids would outgrow what a statement takes (PostgreSQL: 65,535).
    have = set(
        CheckIn.objects.for_org(org)
        .filter(occurrence_start__gte=earliest)
        .values_list("cadence_id", "person_id", "occurrence_start")
    )
    tz_of = dict(Person.objects.for_org(org).values_list("pk", "timezone"))
    away = queries.AwayBook(org, None, earliest.date() - dt.timedelta(days=1), now.date())
    missing = [
        (cadence, occ, pid)
        for cadence, occ, owers in owed
        for pid in sorted(owers)
        if (cadence.pk, pid, occ.original_start) not in have
        and not away.is_away(pid, occ.start, tz_of.get(pid, "UTC"))
    ]
    # Who they are, for the events' labels ("Ana · Weekly check-in · 2026-11-06").
    ids = sorted({pid for _, _, pid in missing})
    people: dict[int, Person] = {}
    for i in range(0, len(ids), 1000):
        people.update(Person.objects.for_org(org).in_bulk(ids[i : i + 1000]))
    # Written in batches (MISSED_BATCH at most), each in a transaction of its own
    # (`accord.core.batches`): a window closing for thousands of people, or a worker back
    # after a while, records thousands, seconds of writing no request may wait for. A run
    # stopped midway keeps whole batches; the next records the rest.
    from accord.core.batches import in_batches

    created = 0
    for batch in in_batches(missing, MISSED_BATCH):
        with transaction.atomic(), activity.batched():
            for cadence, occ, pid in batch:
                try:
                    with transaction.atomic():  # given meanwhile: theirs stands
                        ci = CheckIn.objects.create(
                            org=org,
                            cadence=cadence,
                            person=people[pid],
                            occurrence_start=occ.original_start,
                            due_at=occ.start,
                            status=CheckInStatus.MISSED,
                        )
                except IntegrityError:
                    continue
                activity.record(
                    org,
                    None,
                    "missed",
                    ci,
                    after={"person": pid, "occurrence": occ.original_start},
                )
                created += 1
    return created


# --- scorecard -------------------------------------------------------------------------------


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def scorecard_week(occ: recurrence.Occurrence) -> dt.date:
    """The week (its Monday) a check-in round's scorecard values describe: that of the day
    before the round is due, in the cadence's zone. A round due on a Friday describes its
    own week; one due on a Monday, the week just ended (given on Saturday or on Monday
    morning, "Deploys per week" is last week's count), which the team's scorecard shows."""
    return week_start_of((occ.local_start() - dt.timedelta(days=1)).date())


def _clean_goal(goal_rule: str, goal_low: Any, goal_high: Any) -> tuple[Any, Any]:
    if goal_rule not in GoalRule.values:
        raise ServiceError(
            "The goal is at least, at most or within a range.",
            fields={"goal_rule": ["Unknown goal rule."]},
        )
    low = None if goal_low in (None, "") else _decimal(goal_low, "goal_low")
    high = None if goal_high in (None, "") else _decimal(goal_high, "goal_high")
    if goal_rule == GoalRule.AT_LEAST and low is None:
        raise ServiceError("Give the lowest good value.", fields={"goal_low": ["Required."]})
    if goal_rule == GoalRule.AT_MOST and high is None:
        raise ServiceError("Give the highest good value.", fields={"goal_high": ["Required."]})
    if goal_rule == GoalRule.BETWEEN and (low is None or high is None or low > high):
        raise ServiceError(
            "A range needs a low and a high value, low ≤ high.",
            fields={"goal_low": ["Required."], "goal_high": ["Required."]},
        )
    return low, high


MEASURABLE_FIELDS = ("name", "goal_rule", "goal_low", "goal_high", "unit", "owner")


@transaction.atomic
def update_measurable(
    org: Organization,
    actor: Person | None,
    measurable: Measurable,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Measurable:
    """Change a measurable's name, goal (rule, low, high), unit or owner. Its weekly
    values are kept; their colour follows the new goal."""
    require_same_org(org, measurable, "measurable")
    unknown = set(changes) - set(MEASURABLE_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a measurable.")
    m = Measurable.objects.select_for_update().get(pk=measurable.pk)
    require_team_admin(actor, m.team, "change its scorecard")
    if "owner" in changes:
        require_same_org(org, changes["owner"], "person")
    if "name" in changes:
        changes["name"] = require_text(changes["name"], "name")
    if "unit" in changes:
        changes["unit"] = _clean_unit(changes["unit"])
    if {"goal_rule", "goal_low", "goal_high"} & set(changes):
        rule = changes.get("goal_rule", m.goal_rule)
        low, high = _clean_goal(
            rule, changes.get("goal_low", m.goal_low), changes.get("goal_high", m.goal_high)
        )
        # A bound the rule does not use is cleared, so it cannot colour values later.
        changes["goal_rule"] = rule
        changes["goal_low"] = None if rule == GoalRule.AT_MOST else low
        changes["goal_high"] = None if rule == GoalRule.AT_LEAST else high
    return update_and_record(org, actor, m, changes, expected_version=expected_version)


@transaction.atomic
def archive_measurable(
    org: Organization, actor: Person | None, measurable: Measurable, *, archived: bool = True
) -> Measurable:
    """Take a measurable off the scorecard (archived=False puts it back); values are kept."""
    require_same_org(org, measurable, "measurable")
    m = Measurable.objects.select_for_update().get(pk=measurable.pk)
    require_team_admin(actor, m.team, "change its scorecard")
    if m.is_active != archived:
        return m
    return update_and_record(
        org, actor, m, {"is_active": not archived}, verb="archived" if archived else "restored"
    )


def _clean_unit(unit: Any) -> str:
    """A measurable's unit ("%", "k€", "tickets"): optional, refused as `require_text`
    refuses (the column holds 30 characters)."""
    return require_text(unit, "unit", max_length=30, required=False, label="The unit")


@transaction.atomic
def create_measurable(
    org: Organization,
    actor: Person | None,
    *,
    team: Team,
    name: str,
    goal_rule: str,
    goal_low: Any = None,
    goal_high: Any = None,
    owner: Person | None = None,
    unit: str = "",
) -> Measurable:
    require_same_org(org, team, "team")
    require_same_org(org, owner, "person")
    require_team_admin(actor, team, "change its scorecard")
    name = require_text(name, "name")
    unit = _clean_unit(unit)
    low, high = _clean_goal(goal_rule, goal_low, goal_high)
    position = Measurable.objects.for_org(org).filter(team=team).count()
    m = Measurable.objects.create(
        org=org,
        team=team,
        name=name,
        goal_rule=goal_rule,
        goal_low=low,
        goal_high=high,
        owner=owner,
        unit=unit,
        position=position,
    )
    activity.record(
        org,
        actor,
        "created",
        m,
        after=activity.snapshot(m, ("team", "name", "goal_rule", "goal_low", "goal_high")),
    )
    return m


@transaction.atomic
def record_measurable_value(
    org: Organization,
    actor: Person | None,
    measurable: Measurable,
    *,
    week_start: dt.date,
    value: Any,
    source: str = "web",
) -> MeasurableValue:
    """The value of a measurable for a week (set or replaced); the owner, a team admin
    or an integration (actor with the member role) may record it."""
    require_same_org(org, measurable, "measurable")
    require_role(actor, Role.MEMBER, "record scorecard values")
    if actor is not None and measurable.owner_id not in (None, actor.pk):
        require_team_admin(actor, measurable.team, "record someone else's measurable")
    recurrence.check_in_range(week_start, "week", "The week")
    value = _decimal(value, "value")
    week = week_start_of(week_start)
    row = MeasurableValue.objects.filter(measurable=measurable, week_start=week).first()
    before = {"value": str(row.value)} if row else {}
    if row is None:
        row = MeasurableValue.objects.create(
            org=org,
            measurable=measurable,
            week_start=week,
            value=value,
            entered_by=actor,
            source=source[:20],
        )
    else:
        if row.value == value:
            return row
        row.value, row.entered_by, row.source = value, actor, source[:20]
        row.save(update_fields=["value", "entered_by", "source", "updated_at"])
    activity.record(
        org,
        actor,
        "recorded",
        measurable,
        before=before,
        after={"week": week, "value": str(value), "source": source},
    )
    return row


# --- meetings --------------------------------------------------------------------------------


def _require_participant(
    org: Organization, actor: Person | None, cadence: Cadence, what: str
) -> None:
    if actor is None:
        return
    require_role(actor, Role.MEMBER, what)
    if actor.has_role(Role.LEADER):
        return
    if not queries.is_participant(org, cadence, actor):
        raise PermissionDenied(f"Only the participants of {cadence.name} may {what}.")


@transaction.atomic
def open_meeting(
    org: Organization, actor: Person | None, cadence: Cadence, original_start: dt.datetime
) -> Meeting:
    """The Meeting of one occurrence, created on first use (nothing is stored ahead). One
    stored already is returned even if no schedule the cadence had has its occurrence (see
    `queries.stored_occurrence`)."""
    require_same_org(org, cadence, "cadence")
    found = Meeting.objects.filter(cadence=cadence, occurrence_start=original_start).first()
    if found is not None:
        return found
    occ = _occurrence(cadence, original_start)
    _require_participant(org, actor, cadence, "open its meetings")
    try:
        with transaction.atomic():
            meeting = Meeting.objects.create(
                org=org,
                cadence=cadence,
                occurrence_start=occ.original_start,
                scheduled_start=occ.start,
            )
    except IntegrityError:
        return Meeting.objects.get(cadence=cadence, occurrence_start=occ.original_start)
    activity.record(org, actor, "created", meeting, after={"occurrence": occ.original_start})
    return meeting


def _require_happening(meeting: Meeting, now: dt.datetime) -> None:
    """Refuse a meeting of a paused cadence (or of a retired team's) that is not over yet:
    it will not happen, so it is not started and takes no headlines. One already over may
    still have its minutes recorded."""
    cadence = meeting.cadence
    if cadence.is_running or cadence.schedule.end_for(meeting.scheduled_start) <= now:
        return
    why = (
        f"{cadence.team.name} is retired, so {cadence.name} has stopped"
        if cadence.is_active
        else f"{cadence.name} is paused"
    )
    raise ServiceError(
        f"{why}: its meeting on {local_day(meeting.scheduled_start, cadence)} will not happen, "
        "so it cannot be started or take headlines. Resume the cadence first.",
        code="cadence_paused",
    )


def _locked(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("cadence").get(pk=meeting.pk)


@transaction.atomic
def start_meeting(
    org: Organization,
    actor: Person | None,
    meeting: Meeting,
    *,
    now: dt.datetime | None = None,
    early: bool = False,
) -> Meeting:
    """Freeze the live agenda as the meeting's snapshot, carry in what the last one left,
    and mark every participant present but who is away on its day (attendance can then be
    corrected); in a meeting of more than `queries.ATTENDANCE_LISTED` people they mark
    themselves instead.

    Before the meeting's day (in the cadence's time zone) a person must say `early=True`:
    starting freezes the agenda, so starting a week ahead by mistake is refused with
    `confirm_early` and the page asks first."""
    from accord.rhythm import agenda

    require_same_org(org, meeting, "meeting")
    meeting = _locked(meeting)
    if meeting.cadence.all_day:
        raise ServiceError(
            f"{meeting.cadence.name} is all day: its occurrences are dates, not meetings, so "
            "there is no meeting to start or attendance to take.",
            code="all_day",
        )
    if queries.before_set_up(meeting.cadence, meeting.scheduled_start):
        raise ServiceError(
            f"{meeting.cadence.name} was set up on "
            f"{local_day(meeting.cadence.created_at, meeting.cadence)}, after this meeting's "
            "time: it is not one of its meetings, so there is nothing to start.",
            code="before_set_up",
        )
    _require_participant(org, actor, meeting.cadence, "run its meetings")
    if meeting.status != MeetingStatus.PLANNED:
        raise ServiceError("This meeting has already started.", code="already_started")
    now = now or timezone.now()
    _require_happening(meeting, now)
    # Days as the person starting it counts them, on the page they read.
    days = days_early(meeting, now, actor.timezone if actor else None)
    if days > 0 and actor is not None and not early:
        day = meeting.scheduled_start.astimezone(_zone_or_cadence(actor.timezone, meeting.cadence))
        raise ServiceError(
            f"This meeting is on {weekday(day.date())}, {days} day"
            f"{'s' if days != 1 else ''} from now. Starting it freezes its agenda; "
            "confirm to start it early.",
            code="confirm_early",
        )
    meeting.agenda_snapshot = agenda.build(
        org, meeting.cadence, meeting, now=now, limit=agenda.SNAPSHOT_MAX
    )
    meeting.carried_in = agenda.carried_from_previous(
        org, meeting, meeting.agenda_snapshot, now=now
    )
    meeting.status = MeetingStatus.RUNNING
    meeting.started_at = now
    meeting.started_by = actor
    meeting.version += 1
    meeting.save()
    # The cadence's participants, not the organization's whole roster (0.5 s at 10,000
    # teams): everyone present but who is away that day, then corrected, when they fit a list.
    people = queries.participants_query(org, meeting.cadence)
    if queries.attendance_listed(people):
        ids = people.values_list("id", flat=True)
        away = queries.away_at(org, meeting.scheduled_start, people)
        Attendance.objects.bulk_create(
            [
                Attendance(org=org, meeting=meeting, person_id=pid, present=pid not in away)
                for pid in ids
            ],
            ignore_conflicts=True,
        )
    activity.record(
        org,
        actor,
        "started",
        meeting,
        after={
            "sections": [s["title"] for s in meeting.agenda_snapshot],
            "items": sum(len(s["items"]) for s in meeting.agenda_snapshot),
            "carried": len(meeting.carried_in),
            **({"days_early": days} if days > 0 else {}),
        },
    )
    return meeting


def days_early(meeting: Meeting, now: dt.datetime, tz_name: str | None = None) -> int:
    """How many days before its day `now` is, counted in `tz_name` (the zone of whoever
    reads or acts: the day their page shows), else the cadence's; 0 on the day or after."""
    tz = _zone_or_cadence(tz_name, meeting.cadence)
    return max(0, (meeting.scheduled_start.astimezone(tz).date() - now.astimezone(tz).date()).days)


def _zone_or_cadence(tz_name: str | None, cadence: Cadence) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(tz_name) if tz_name else recurrence.zone(cadence.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return recurrence.zone(cadence.timezone)


def manages_meetings(actor: Person | None, cadence: Cadence) -> bool:
    """Who answers for a cadence's meetings: its owner, a lead of its team (or of one of
    its set of teams), leaders and admins (as may manage the cadence)."""
    if actor is None:
        return True
    if not (actor.is_active and actor.has_role(Role.MEMBER)):
        return False
    if actor.pk == cadence.owner_id or actor.has_role(Role.LEADER):
        return True
    if cadence.scope in (Scope.TEAM, Scope.SUBTREE) and cadence.team_id is not None:
        team_ids = [cadence.team_id]
    elif cadence.scope == Scope.TEAMS:
        team_ids = list(cadence.teams.values_list("pk", flat=True))
    else:
        return False
    return Membership.objects.leading().filter(person=actor, team_id__in=team_ids).exists()


def can_reopen(actor: Person | None, meeting: Meeting) -> bool:
    """A running meeting: its cadence's owner, whoever started it (the facilitator), a
    lead of its team(s), leaders and admins. A finished one: the same but the facilitator
    (finishing early and alone is undone by whoever answers for the meeting)."""
    if actor is None:
        return True
    if not (actor.is_active and actor.has_role(Role.MEMBER)):
        return False
    if meeting.status == MeetingStatus.RUNNING and actor.pk == meeting.started_by_id:
        return True
    return manages_meetings(actor, meeting.cadence)


@transaction.atomic
def reopen_meeting(
    org: Organization, actor: Person | None, meeting: Meeting, *, reason: str = ""
) -> Meeting:
    """Undo a start until the meeting ends: its agenda is live again (and frozen afresh
    when it is started again). Notes, action items, decisions and headlines are kept.

    A finished meeting is reopened as running: its minutes, attendance and ratings stay
    and can be changed again, and it is finished again like any other; meanwhile it is
    not finished (`queries.held`: back among the next meetings), and adherence counts it,
    started, as being held."""
    require_same_org(org, meeting, "meeting")
    meeting = _locked(meeting)
    if not can_reopen(actor, meeting):
        raise PermissionDenied(
            f"Only the owner of {meeting.cadence.name}, a lead of its team, an admin"
            + (" or whoever started this meeting" if meeting.status == "running" else "")
            + " may reopen it."
        )
    if meeting.status == MeetingStatus.PLANNED:
        raise ServiceError("This meeting has not started.", code="not_started")
    reason = require_text(reason, "reason", max_length=500, required=False, label="The reason")
    if meeting.status == MeetingStatus.FINISHED:
        # Its summary is kept (not in `before`: the history would read it as cleared).
        before = {"status": meeting.status, "ended_at": meeting.ended_at}
        meeting.status = MeetingStatus.RUNNING
        meeting.ended_at = None
    else:
        before = {
            "status": meeting.status,
            "started_at": meeting.started_at,
            "started_by": meeting.started_by_id,
            "items": sum(len(s["items"]) for s in meeting.agenda_snapshot),
        }
        meeting.status = MeetingStatus.PLANNED
        meeting.started_at = None
        meeting.started_by = None
        meeting.agenda_snapshot = []
        meeting.carried_in = []
        meeting.done_items = []
        # Attendance is taken again when it starts again.
        Attendance.objects.filter(meeting=meeting, rating__isnull=True).delete()
    meeting.version += 1
    meeting.save()
    activity.record(
        org,
        actor,
        "reopened",
        meeting,
        before=before,
        after={"status": meeting.status, **({"reason": reason} if reason else {})},
    )
    return meeting


def _require_running(meeting: Meeting) -> None:
    if meeting.status != MeetingStatus.RUNNING:
        raise ServiceError(
            "Start the meeting first."
            if meeting.status == MeetingStatus.PLANNED
            else "This meeting is over; its minutes are final.",
            code="not_running",
        )


@transaction.atomic
def set_attendance(
    org: Organization, actor: Person | None, meeting: Meeting, person: Person, present: bool
) -> Attendance:
    require_same_org(org, meeting, "meeting")
    require_same_org(org, person, "person")
    meeting = _locked(meeting)
    _require_participant(org, actor, meeting.cadence, "take attendance")
    _require_running(meeting)
    row, _ = Attendance.objects.get_or_create(
        org=org, meeting=meeting, person=person, defaults={"present": present}
    )
    if row.present != present:
        row.present = present
        row.save(update_fields=["present"])
    activity.record(
        org, actor, "attendance", meeting, after={"person": person.pk, "present": present}
    )
    return row


NOTES_MAX = 20_000  # characters of a meeting's notes, per agenda section


@transaction.atomic
def save_notes(
    org: Organization,
    actor: Person | None,
    meeting: Meeting,
    section_key: str,
    text: str,
    base: str | None = None,
) -> Meeting:
    """A section's notes are `text`. Several people take notes at once, each in their own
    box: `base` is the section's text that box was loaded from (or last saved). When the
    notes changed since (someone else saved), `text` is merged into them line by line
    (`merge.merge3`): changes to different lines are both kept, and lines both added or
    changed at the same place are all kept, theirs first, so nobody's notes are lost. The
    merged text is what is stored; the page shows it. Without `base` (the API, the demo)
    `text` replaces the section's notes."""
    require_same_org(org, meeting, "meeting")
    meeting = _locked(meeting)
    _require_participant(org, actor, meeting.cadence, "take notes")
    _require_running(meeting)
    keys = {s["key"] for s in meeting.agenda_snapshot} | {"carried", "general"}
    if section_key not in keys:
        raise ServiceError(
            f"This meeting has no agenda section {section_key!r}.",
            fields={"section": ["Unknown section."]},
        )
    notes = dict(meeting.notes)
    before = notes.get(section_key, "")
    if base is not None and merge.lines(str(base).strip()) != merge.lines(before):
        text = merge.merge3(str(base).strip(), str(text or "").strip(), before)
    text = require_text(
        text, "text", max_length=NOTES_MAX, required=False, label="The notes section"
    )
    notes[section_key] = text
    if before == notes[section_key]:
        return meeting
    meeting.notes = notes
    meeting.version += 1
    meeting.save(update_fields=["notes", "version"])
    activity.record(
        org,
        actor,
        "noted",
        meeting,
        before={section_key: before},
        after={section_key: notes[section_key]},
    )
    return meeting


def _require_on_agenda(meeting: Meeting, ref: str) -> None:
    """`ref` (`section:item`) names an item of the meeting's agenda, or what it carried."""
    refs = {f"{s['key']}:{i['ref']}" for s in meeting.agenda_snapshot for i in s["items"]}
    carried_keys = {s["key"] for s in meeting.agenda_snapshot if s.get("source") == "carried"}
    for key in carried_keys | {"carried"}:
        refs |= {f"{key}:{i['ref']}" for i in meeting.carried_in}
    if ref not in refs:
        raise ServiceError(f"No agenda item {ref!r} in this meeting.", code="unknown_item")


@transaction.atomic
def mark_item_done(
    org: Organization, actor: Person | None, meeting: Meeting, ref: str, done: bool = True
) -> Meeting:
    """Mark an agenda item (`section:ref`) as discussed (dealt with in the meeting), so it
    does not carry forward. What it names is unchanged: an action item stays open
    (`close_agenda_action` closes it)."""
    require_same_org(org, meeting, "meeting")
    meeting = _locked(meeting)
    _require_participant(org, actor, meeting.cadence, "run its meetings")
    _require_running(meeting)
    _require_on_agenda(meeting, ref)
    items = set(meeting.done_items)
    items.add(ref) if done else items.discard(ref)
    meeting.done_items = sorted(items)
    meeting.save(update_fields=["done_items"])
    activity.record(org, actor, "checked" if done else "unchecked", meeting, after={"item": ref})
    return meeting


@transaction.atomic
def close_agenda_action(
    org: Organization, actor: Person | None, meeting: Meeting, ref: str, done: bool = True
):
    """Close an action item the running meeting reviews (its agenda item `section:action:<id>`)
    as done, through the decisions services (who may: its owner, whoever recorded it, its
    team's lead, a leader); its agenda line is then ticked as discussed. `done` False
    reopens it (a mis-tap put right; the line stays ticked)."""
    require_same_org(org, meeting, "meeting")
    meeting = _locked(meeting)
    _require_participant(org, actor, meeting.cadence, "run its meetings")
    _require_running(meeting)
    _require_on_agenda(meeting, ref)
    kind, _, pk = ref.split(":", 1)[1].partition(":")
    if kind != "action" or not pk.isdigit():
        raise ServiceError(f"Agenda item {ref!r} is not an action item.", code="not_an_action")
    item = links.close_action_item(org, actor, int(pk), done)
    if done and ref not in meeting.done_items:
        mark_item_done(org, actor, meeting, ref, True)
    return item


def add_action_item(
    org: Organization,
    actor: Person | None,
    meeting: Meeting,
    *,
    title: str,
    owner: Person,
    due_on: dt.date | None = None,
    team: Team | None = None,
    again: bool = False,
):
    """An action item from the meeting, owned by the decisions pillar (the same one
    recorded a moment ago is refused unless `again`). `team`: whose list it is on (and
    whose next meetings' agendas); None, the meeting's (`_item_team`)."""
    require_same_org(org, meeting, "meeting")
    require_same_org(org, owner, "person")
    if team is not None:
        require_same_org(org, team, "team")
    _require_participant(org, actor, meeting.cadence, "add action items")
    _require_running(meeting)
    return links.create_action_item(
        org,
        actor,
        title=title,
        owner=owner,
        due_on=due_on,
        team=team or _item_team(org, meeting.cadence, owner),
        meeting_id=meeting.pk,
        again=again,
    )


def _item_team(org: Organization, cadence: Cadence, owner: Person) -> Team | None:
    """The team an action item from one of the cadence's meetings is filed to: a one-team
    meeting's team; in a meeting of several teams, the owner's team among them (the first
    they lead, else the first by name), so it is on that team's list and counts in its
    follow-through; else the cadence's own team, if any."""
    if cadence.scope == Scope.TEAM:
        return cadence.team
    mine = sorted(
        Membership.objects.for_org(org).current().filter(person=owner).select_related("team"),
        key=lambda m: (not m.is_leading, m.team.name),
    )
    if cadence.scope != Scope.ORG:
        scope = queries.scope_team_ids(org, cadence)
        mine = [m for m in mine if m.team_id in scope]
    return mine[0].team if mine else cadence.team


@transaction.atomic
def add_decision(
    org: Organization,
    actor: Person | None,
    meeting: Meeting,
    *,
    question: str,
    approver: Person,
    outcome: str = "",
    rationale: str = "",
    require_rationale: bool = False,
    again: bool = False,
    decide_by: dt.date | None = None,
    informed: Iterable[Person] | None = None,
    options: Iterable[str] = (),
    initiative=None,
):
    """A decision recorded in the meeting (owned by the decisions pillar, linked to the
    meeting). With an outcome and the approver recording it, it is decided at once;
    `require_rationale` (the meeting's page and the API): then only with a rationale. The
    same one opened a moment ago is refused unless `again`. `decide_by`: by when its
    approver is to decide it (today or later, as the decisions' own form has it).
    `informed`: who is told when it is decided, superseded or reversed; None, everyone in
    the meeting, present or absent (`queries.meeting_people`), but its approver, who
    decides it rather than hears of it. `options`: the options considered (titles), the
    one the outcome names chosen; `initiative`: the initiative it is about, linked. All
    of it is one write: refused, nothing is kept."""
    require_same_org(org, meeting, "meeting")
    require_same_org(org, approver, "person")
    _require_participant(org, actor, meeting.cadence, "record decisions")
    _require_running(meeting)
    if informed is None:
        informed = queries.informed_of_decision(org, meeting, approver)
    return links.record_decision(
        org,
        actor,
        meeting=meeting,
        question=question,
        approver=approver,
        outcome=outcome or "",
        rationale=rationale or "",
        require_rationale=require_rationale,
        again=again,
        decide_by=decide_by,
        informed=list(informed),
        options=list(options),
        initiative=initiative,
    )


def meeting_team_ids(org: Organization, cadence: Cadence) -> set[int] | None:
    """The teams whose issues a meeting works on; None for the whole organization."""
    return None if cadence.scope == Scope.ORG else queries.scope_team_ids(org, cadence)


@transaction.atomic
def add_to_agenda(
    org: Organization,
    actor: Person | None,
    cadence: Cadence,
    team: Team | None,
    title: str,
    description: str = "",
    again: bool = False,
):
    """Put something on a meeting's agenda: an issue for one of its teams, raised through
    the decisions pillar (which records it, and refuses the same one raised a moment ago
    unless `again`). The open issues of a meeting's teams are its agenda's Issues and,
    while it runs, its Issues to solve; any member may raise one."""
    require_same_org(org, cadence, "cadence")
    require_role(actor, Role.MEMBER, "add to an agenda")
    if cadence.is_checkin:
        raise ServiceError(f"{cadence.name} is a check-in, not a meeting with an agenda.")
    if team is None:
        raise ServiceError("Say which team's issue it is.", fields={"team": ["Required."]})
    require_same_org(org, team, "team")
    team_ids = meeting_team_ids(org, cadence)
    if team_ids is not None and team.pk not in team_ids:
        raise ServiceError(
            f"{team.name} is not one of {cadence.name}'s teams: its issues go on its own "
            "meetings' agendas.",
            fields={"team": ["Not one of this meeting's teams."]},
        )
    return links.raise_issue(org, actor, team, title, description=description, again=again)


@transaction.atomic
def bring_to_agenda(org: Organization, actor: Person | None, cadence: Cadence, issue):
    """Put an open issue already raised on a meeting's agenda, rather than raising it
    again: one the meeting's teams hold (or raised, escalated since) is on it already and
    nothing changes; one of a team below them is escalated, a level at a time (each
    recorded, with why, by the decisions pillar), up to the nearest of them, whose open
    issues the agenda lists. An issue of a team outside them, or closed, is refused and
    nothing changes. Answers (the issue, whether it was moved)."""
    from accord.org.queries import ancestors

    require_same_org(org, cadence, "cadence")
    require_same_org(org, issue, "issue")
    require_role(actor, Role.MEMBER, "add to an agenda")
    if cadence.is_checkin:
        raise ServiceError(f"{cadence.name} is a check-in, not a meeting with an agenda.")
    # As it is now (solved, dropped or escalated since the page was read: said so).
    issue = type(issue).objects.select_for_update().select_related("team").get(pk=issue.pk)
    if issue.status != "open":
        raise ServiceError(
            f"“{issue.title}” is {issue.get_status_display().lower()}: only an open issue "
            "goes on an agenda.",
            fields={"issue": ["Not open."]},
            code="not_open",
        )
    team_ids = meeting_team_ids(org, cadence)
    if team_ids is None or issue.team_id in team_ids or issue.raised_in_id in team_ids:
        return issue, False
    above = list(reversed(ancestors(org, issue.team)))  # its parent first
    steps = next((n + 1 for n, t in enumerate(above) if t.pk in team_ids), None)
    if steps is None:
        raise ServiceError(
            f"“{issue.title}” is an issue of {issue.team.name}, which is neither one of "
            f"{cadence.name}'s teams nor below them: it is on the agenda of "
            f"{issue.team.name}'s meetings. To bring it here, raise it for one of this "
            "meeting's teams.",
            fields={"issue": ["Not an issue of this meeting's teams or those below them."]},
            code="not_in_scope",
        )
    reason = f"Brought to the agenda of {cadence.name}"
    if actor is not None:
        reason += f" by {actor.name}"
    for _ in range(steps):
        held_by = issue.team
        try:
            issue = links.escalate_issue(org, actor, issue, reason)
        except PermissionDenied:
            # Said beside the form, nothing escalated (the whole is one transaction).
            raise ServiceError(
                f"Only people of {held_by.name} or a leader may escalate its issues, so "
                f"“{issue.title}” was not brought here: ask them to escalate it, or raise it "
                "for one of this meeting's teams.",
                fields={"issue": ["Not yours to escalate."]},
                code="not_allowed",
            ) from None
    return issue, True


@transaction.atomic
def work_issue(
    org: Organization,
    actor: Person | None,
    meeting: Meeting,
    issue,
    step: str,
    *,
    require_rationale: bool = False,
    **data: Any,
):
    """Solve, keep, escalate, vote on or arrange (owner, rank) one of the issues of the
    meeting's teams while the meeting runs. The decisions pillar does the step and records
    its event; this checks the meeting: its participants, running, its teams' issue.
    `require_rationale` (the meeting's page): a solve's decision needs its rationale."""
    require_same_org(org, meeting, "meeting")
    require_same_org(org, issue, "issue")
    meeting = _locked(meeting)
    _require_participant(org, actor, meeting.cadence, "work on its issues")
    _require_running(meeting)
    team_ids = meeting_team_ids(org, meeting.cadence)
    if team_ids is not None and issue.team_id not in team_ids:
        raise ServiceError(
            f"“{issue.title}” is not an issue of {meeting.cadence.name}'s teams.",
            code="not_in_scope",
        )
    return links.work_issue(
        org, actor, issue, step, data, meeting, require_rationale=require_rationale
    )


@transaction.atomic
def add_headline(
    org: Organization,
    actor: Person | None,
    meeting: Meeting,
    text: str,
    *,
    cascade_to: Iterable[Team] = (),
) -> Headline:
    """Share news in a meeting, or for it before it starts: shared ahead, it is on the
    meeting's live agenda under its headlines (`agenda._shared_here`) and frozen with it
    when the meeting starts. A finished meeting's headlines are its minutes: final.
    `cascade_to`: teams whose next meetings list it too."""
    require_same_org(org, meeting, "meeting")
    meeting = _locked(meeting)
    _require_participant(org, actor, meeting.cadence, "share headlines")
    if meeting.cadence.is_checkin or meeting.cadence.all_day:
        raise ServiceError(
            f"{meeting.cadence.name} is "
            + ("a check-in" if meeting.cadence.is_checkin else "all day")
            + ", not a meeting with an agenda: it has no headlines.",
            code="not_a_meeting",
        )
    if meeting.status == MeetingStatus.FINISHED:
        raise ServiceError("This meeting is over; its minutes are final.", code="not_running")
    if meeting.status == MeetingStatus.PLANNED:
        _require_happening(meeting, timezone.now())
    text = require_text(text, "text", max_length=500)
    teams = list(cascade_to)
    for t in teams:
        require_same_org(org, t, "team")
    h = Headline.objects.create(org=org, meeting=meeting, author=actor, text=text)
    if teams:
        h.cascade_to.set(teams)
    activity.record(
        org, actor, "created", h, after={"text": text, "cascade_to": [t.pk for t in teams]}
    )
    return h


@transaction.atomic
def share_headline(
    org: Organization,
    actor: Person | None,
    cadence: Cadence,
    original_start: dt.datetime,
    text: str,
    *,
    cascade_to: Iterable[Team] = (),
) -> Headline:
    """A headline for the meeting of one occurrence, whether it has started or not: its
    Meeting is opened (created on first use, `open_meeting`) and the headline added to it
    (`add_headline`). A member shares news during the week and it is on the agenda when the
    meeting opens. Refused, nothing is kept, not even the meeting."""
    require_same_org(org, cadence, "cadence")
    _require_participant(org, actor, cadence, "share headlines")
    require_text(text, "text", max_length=500)
    meeting = open_meeting(org, actor, cadence, original_start)
    return add_headline(org, actor, meeting, text, cascade_to=cascade_to)


SUMMARY_MAX = 10_000  # characters of a finished meeting's summary


@transaction.atomic
def finish_meeting(
    org: Organization,
    actor: Person | None,
    meeting: Meeting,
    *,
    ratings: dict[int, Any] | None = None,
    summary: str | None = None,
    now: dt.datetime | None = None,
) -> Meeting:
    """End the meeting with each attendee's rating (1-10; None or "" takes a rating given
    away: a box emptied on a reopened meeting's page). Unchecked agenda items, open
    issues and undone action items carry into the next occurrence when it starts. Its
    minutes are e-mailed to everyone in it but `actor` (`notifications.send_minutes`).
    `summary`: None keeps the one it has (a reopened meeting finished again); "" clears it."""
    from accord.rhythm import notifications

    require_same_org(org, meeting, "meeting")
    meeting = _locked(meeting)
    _require_participant(org, actor, meeting.cadence, "finish its meetings")
    _require_running(meeting)
    now = now or timezone.now()
    days = days_early(meeting, now, actor.timezone if actor else None)
    if days > 0 and not manages_meetings(actor, meeting.cadence):
        # Finishing counts it as held and takes it off everyone's next meetings: before
        # its day, that is for whoever answers for it, not any one participant.
        day = meeting.scheduled_start.astimezone(_zone_or_cadence(actor.timezone, meeting.cadence))
        raise PermissionDenied(
            f"This meeting is on {weekday(day.date())}, {days} day{'s' if days != 1 else ''} "
            f"from now: before its day only the owner of {meeting.cadence.name}, a lead of "
            "its team or an admin may finish it. Leave it running, or ask them."
        )
    summary = require_text(
        meeting.summary if summary is None else summary,
        "summary",
        max_length=SUMMARY_MAX,
        required=False,
        label="The summary",
        directions=True,  # prose, as `require_long_text` takes it
    )
    clean: dict[int, int] = {}
    removed: set[int] = set()
    for pid, score in (ratings or {}).items():
        if score is None or (isinstance(score, str) and not score.strip()):
            removed.add(int(pid))  # a box emptied: that rating is taken away
            continue
        try:
            score = int(score)
        except (TypeError, ValueError):
            raise ServiceError(
                f"A rating is a whole number from 1 to 10, not {score!r}.",
                fields={"ratings": ["From 1 to 10."]},
            ) from None
        if not 1 <= score <= 10:
            raise ServiceError(
                f"A rating is from 1 to 10, not {score}.", fields={"ratings": ["From 1 to 10."]}
            )
        clean[int(pid)] = score
    present = {a.person_id: a for a in Attendance.objects.filter(meeting=meeting, present=True)}
    strangers = set(clean) - set(present)
    if strangers:
        raise ServiceError(
            "Only people present can rate the meeting.",
            fields={"ratings": ["Not present: " + ", ".join(map(str, sorted(strangers)))]},
        )
    for pid, score in clean.items():
        row = present[pid]
        row.rating = score
        row.save(update_fields=["rating"])
    removed = {pid for pid in removed if pid in present and present[pid].rating is not None}
    for pid in removed:
        row = present[pid]
        row.rating = None
        row.save(update_fields=["rating"])
    meeting.status = MeetingStatus.FINISHED
    meeting.ended_at = now
    meeting.summary = summary
    meeting.version += 1
    meeting.save()
    activity.record(
        org,
        actor,
        "finished",
        meeting,
        after={
            "ratings": {str(k): v for k, v in clean.items()},
            **({"ratings_removed": sorted(removed)} if removed else {}),
            "summary": meeting.summary,
        },
    )
    # Everyone in it, present or absent, gets the minutes once (not again when it is
    # finished again after being reopened).
    notifications.send_minutes(org, actor, meeting, now=now)
    return meeting


@transaction.atomic
def rate_meeting(org: Organization, actor: Person, meeting: Meeting, rating: Any) -> Attendance:
    """An attendee's own rating, given during or after the meeting."""
    require_same_org(org, meeting, "meeting")
    require_role(actor, Role.MEMBER, "rate meetings")
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 10:
        raise ServiceError("A rating is from 1 to 10.", fields={"rating": ["From 1 to 10."]})
    row = Attendance.objects.filter(meeting=meeting, person=actor, present=True).first()
    if row is None:
        raise PermissionDenied("Only people present can rate the meeting.")
    before = {"rating": row.rating}
    row.rating = rating
    row.save(update_fields=["rating"])
    activity.record(org, actor, "rated", meeting, before=before, after={"rating": rating})
    return row


# --- muted cadences, calendar feeds ------------------------------------------------------------


@transaction.atomic
def set_muted_cadences(
    org: Organization, actor: Person | None, person: Person, cadences: Iterable[Cadence]
) -> list[Cadence]:
    """The cadences `person` hears no reminders of (all others are unmuted): no reminders
    to check in, no agendas and no minutes of their meetings. What channels
    they are told on, and which kinds of notice, is the delivery path's preferences."""
    require_same_org(org, person, "person")
    if actor is not None and actor.pk != person.pk:
        raise PermissionDenied("You can only change your own reminders.")
    wanted = {c.pk: c for c in cadences}
    for c in wanted.values():
        require_same_org(org, c, "cadence")
    current = {
        m.cadence_id: m
        for m in CadenceMute.objects.for_org(org).filter(person=person).select_related("cadence")
    }
    for cadence_id, mute in current.items():
        if cadence_id not in wanted:
            activity.record(org, actor, "deleted", mute, before={"cadence": cadence_id})
            mute.delete()
    for cadence_id, cadence in sorted(wanted.items()):
        if cadence_id not in current:
            mute = CadenceMute.objects.create(org=org, person=person, cadence=cadence)
            activity.record(org, actor, "created", mute, after={"cadence": cadence_id})
    return sorted(wanted.values(), key=lambda c: c.name)


@transaction.atomic
def create_feed(
    org: Organization,
    actor: Person | None,
    *,
    person: Person | None = None,
    team: Team | None = None,
) -> tuple[CalendarFeed, str]:
    """A secret calendar URL for a person (only themselves) or a team (its members).
    Returns the feed and its secret, which is never stored (only its hash is)."""
    if (person is None) == (team is None):
        raise ServiceError("A calendar feed is for one person or one team.")
    require_same_org(org, person, "person")
    require_same_org(org, team, "team")
    if actor is not None:
        # Anyone may take their own calendar along (a viewer too: it only reads); a team's
        # address is handed out by those who work in it.
        require_role(
            actor,
            Role.VIEWER if person is not None else Role.MEMBER,
            "create calendar feeds" if person is not None else "create team calendar feeds",
        )
        if person is not None and person.pk != actor.pk:
            raise PermissionDenied("You can only create your own calendar feed.")
    if person is not None and actor is not None:
        # One live address per person: a second "create" (a double click, a reload) does
        # not add another. Only its hash is kept, so it cannot be shown again: regenerating
        # it is the way to a new address. (The person's row is locked: two at once make one.)
        # The system (actor None: the demo, a test's fixtures) is not asked, as for an
        # early start.
        Person.objects.select_for_update().filter(pk=person.pk).first()
        live = CalendarFeed.objects.filter(org=org, person=person, revoked_at__isnull=True)
        if live.exists():
            raise ServiceError(
                "You already have a calendar address. Only a hash of it is kept, so it cannot "
                "be shown again: regenerate it to get a new one (the old one stops working), "
                "or revoke it.",
                code="feed_exists",
            )
    raw = new_token()
    feed = CalendarFeed.objects.create(
        org=org,
        person=person,
        team=team,
        created_by=actor,
        prefix=raw[:6],
        digest=feed_digest(raw),
    )
    activity.record(
        org,
        actor,
        "created",
        feed,
        after={
            "person": person.pk if person else None,
            "team": team.pk if team else None,
            "prefix": feed.prefix,
        },
    )
    return feed, raw


@transaction.atomic
def regenerate_feed(
    org: Organization, actor: Person | None, feed: CalendarFeed
) -> tuple[CalendarFeed, str]:
    """Revoke a feed and create its replacement (same person or team) with a new secret:
    the way to see an address again, since only its hash is kept."""
    require_same_org(org, feed, "calendar feed")
    # Locked, so that two clicks on "regenerate" leave one address, not two.
    feed = (
        CalendarFeed.objects.select_for_update(of=("self",))
        .select_related("person", "team")
        .get(pk=feed.pk)
    )
    if feed.revoked_at is not None:
        raise ServiceError("This calendar address was revoked; create a new one.", code="revoked")
    feed = revoke_feed(org, actor, feed)
    return create_feed(org, actor, person=feed.person, team=feed.team)


def revoke_feeds_of(org: Organization, actor: Person | None, person: Person) -> None:
    """Someone deactivated: their own calendar address is revoked. A team's address, which
    its members share, stays (its leads regenerate it if it should change)."""
    for feed in CalendarFeed.objects.filter(org=org, person=person, revoked_at__isnull=True):
        _revoke_feed(org, actor, feed, f"{person.name} was deactivated")


@transaction.atomic
def revoke_feed(org: Organization, actor: Person | None, feed: CalendarFeed) -> CalendarFeed:
    require_same_org(org, feed, "calendar feed")
    if actor is not None and feed.created_by_id != actor.pk and feed.person_id != actor.pk:
        if feed.team is None:
            raise PermissionDenied("You can only revoke your own calendar feed.")
        require_team_admin(actor, feed.team, "revoke its calendar feed")
    if feed.revoked_at is None:
        _revoke_feed(org, actor, feed)
    return feed


def _revoke_feed(
    org: Organization, actor: Person | None, feed: CalendarFeed, reason: str = ""
) -> None:
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    after = {"revoked_at": feed.revoked_at, **({"reason": reason} if reason else {})}
    activity.record(org, actor, "revoked", feed, after=after)
