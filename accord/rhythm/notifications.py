"""Reminders of the operating rhythm: check-in windows opening and closing, and agendas
before meetings. This module decides who is reminded of what and when, and writes the
message; the one delivery path (`accord.activity.delivery`) queues, de-duplicates, applies
people's channel choices and muted kinds, and sends.

A reminder's key names what it is about (kind, cadence, occurrence), so planning twice
queues nothing new. People who checked in, are away, or muted the cadence are not reminded.
A meeting's agenda is e-mailed to whoever chose it for that meeting (`agenda_emails` of
their preferences: every meeting, the cadence's first meeting of each week, or never);
its chat post and the reminders to check in do not depend on that choice.

A finished meeting's minutes (its summary, decisions, action items, headlines and notes)
are e-mailed to everyone in it, present or absent (`queries.meeting_people`), but not to
whoever finished it, nor to who muted its cadence: once per person and meeting
(`send_minutes`), however often it is finished again after being reopened; none for a
meeting the system finished (the demo).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accord.activity import delivery
from accord.org import queries as org_queries
from accord.org.models import Organization, Person, Team
from accord.rhythm import queries, recurrence
from accord.rhythm.models import Cadence, CadenceMute, CheckIn, Meeting
from accord.web.templatetags.dates import weekday_moment

log = logging.getLogger("accord.rhythm.notifications")

# The kinds of notice the rhythm sends (people can mute each one).
KINDS = {
    "checkin_open": "A check-in you owe opens",
    "checkin_due": "A check-in you owe is due soon",
    "agenda": "A meeting's agenda, before it starts",
    "minutes": "A meeting's minutes, when it is finished",
}

LOOKBACK = dt.timedelta(hours=6)  # a worker that was down catches up this far, no further
DUE_SOON = dt.timedelta(hours=4)  # "closes soon" reminder this long before a check-in is due
AGENDA_BEFORE = dt.timedelta(hours=2)  # a meeting's agenda goes out this long before it


@dataclass
class Moment:
    kind: str  # checkin_open | checkin_due | agenda
    cadence: Cadence
    occurrence: recurrence.Occurrence
    at: dt.datetime


def _moments(cadence: Cadence, now: dt.datetime) -> list[Moment]:
    """Reminder moments of one cadence that fell in (now - LOOKBACK, now]. An all-day
    cadence has none: its dates are not meetings whose agenda goes out before they start."""
    if cadence.all_day:
        return []
    out = []
    horizon = now + max(dt.timedelta(hours=cadence.window_opens_hours), AGENDA_BEFORE, DUE_SOON)
    for occ in queries.occurrences_of(cadence, now - LOOKBACK, horizon + dt.timedelta(hours=1)):
        if cadence.is_checkin:
            opens, _ = cadence.window(occ)
            candidates = [("checkin_open", opens), ("checkin_due", occ.start - DUE_SOON)]
        else:
            candidates = [("agenda", occ.start - AGENDA_BEFORE)]
        for kind, at in candidates:
            if now - LOOKBACK < at <= now and now < occ.start:
                out.append(Moment(kind, cadence, occ, at))
    return out


@dataclass(frozen=True)
class AgendaWeek:
    """Where a meeting stands in its cadence's week (Monday to Sunday, the cadence's zone)."""

    first: bool  # no meeting of the cadence before it that week
    more_than_one: bool  # the cadence meets more than once that week


def agenda_week(cadence: Cadence, occ: recurrence.Occurrence) -> AgendaWeek:
    """Whether `occ` is its cadence's first meeting of its week, and whether the cadence
    meets more than once that week (a cancelled meeting does not count; no query)."""
    local = occ.local_start(cadence.timezone)
    monday = dt.datetime.combine(
        local.date() - dt.timedelta(days=local.weekday()), dt.time(0), tzinfo=local.tzinfo
    )
    week = queries.occurrences_of(cadence, monday, monday + dt.timedelta(days=7))
    first = not week or week[0].original_start == occ.original_start
    return AgendaWeek(first=first, more_than_one=len(week) > 1)


def _subject(m: Moment, tz_name: str, *, zone_named: bool = False) -> str:
    """What a reminder is about and when, in `tz_name`; named (`zone_named`) where the
    readers are in many zones: a team's chat, told in the cadence's zone."""
    when = _when(m.occurrence, tz_name, zone_named=zone_named)
    if m.kind == "checkin_open":
        return f"Check-in open: {m.cadence.name} (due {when})"
    if m.kind == "checkin_due":
        return f"Check-in due soon: {m.cadence.name} ({when})"
    return f"Agenda: {m.cadence.name} at {when}"


def _when(occ: recurrence.Occurrence, tz_name: str, *, zone_named: bool = False) -> str:
    when = weekday_moment(occ.local_start(tz_name))
    return f"{when} {tz_name}" if zone_named else when


def _link(org: Organization, m: Moment) -> str:
    name = "rhythm:checkin" if m.cadence.is_checkin else "rhythm:meeting"
    path = reverse(
        name, kwargs={"org_slug": org.slug, "cadence_id": m.cadence.pk, "key": m.occurrence.key}
    )
    return delivery.site_link(path)


def _agenda_preview(org: Organization, m: Moment, now: dt.datetime) -> list[dict]:
    from accord.rhythm import agenda

    try:
        # The occurrence's meeting when it was opened ahead: the headlines shared for it are
        # on the agenda sent (as on its page). Opened or not, the agenda is its page's: what
        # the last meeting agreed first, and what it left carried forward.
        meeting = Meeting.objects.filter(
            cadence=m.cadence, occurrence_start=m.occurrence.original_start
        ).first()
        return agenda.live(org, m.cadence, m.occurrence, meeting, now=now)
    except Exception:  # a preview must never stop reminders
        log.exception("agenda preview failed for cadence %s", m.cadence.pk)
        return [{**s, "items": []} for s in m.cadence.agenda]


def plan(org: Organization, now: dt.datetime | None = None) -> int:
    """Queue the reminders due now for one organization. Returns how many are new."""
    now = now or timezone.now()
    roster = queries.Roster.load(org)
    moments = [m for c in queries.every_cadence(org) for m in _moments(c, now)]
    if not moments:
        return 0
    recipients: dict[int, set[int]] = {}
    for m in moments:
        c = m.cadence
        if c.pk not in recipients:
            recipients[c.pk] = roster.ower_ids(c) if c.is_checkin else roster.participant_ids(c)
    all_ids = set().union(*recipients.values())
    people = Person.objects.for_org(org).in_bulk(list(all_ids))
    prefs = delivery.preferences(org, all_ids)
    muted = set(
        CadenceMute.objects.for_org(org)
        .filter(person_id__in=all_ids)
        .values_list("person_id", "cadence_id")
    )
    away = queries.AwayBook(
        org, all_ids, (now - dt.timedelta(days=1)).date(), now.date() + dt.timedelta(days=3)
    )
    submitted = set(
        CheckIn.objects.for_org(org)
        .filter(
            cadence_id__in=[m.cadence.pk for m in moments if m.cadence.is_checkin],
            occurrence_start__in=[m.occurrence.original_start for m in moments],
        )
        .values_list("cadence_id", "occurrence_start", "person_id")
    )
    chat_teams = delivery.teams_with_chat(org)
    created = 0
    for m in moments:
        c, occ = m.cadence, m.occurrence
        wanted: list[Person] = []
        for pid in sorted(recipients[c.pk]):
            person = people.get(pid)
            if person is None or away.is_away(pid, occ.start, person.timezone):
                continue
            if (pid, c.pk) in muted:
                continue
            if c.is_checkin and (c.pk, occ.original_start, pid) in submitted:
                continue
            wanted.append(person)
        preview = _agenda_preview(org, m, now) if m.kind == "agenda" and wanted else []
        link = _link(org, m)
        key = f"{m.kind}:{c.pk}:{occ.key}"
        label = "Open the meeting" if m.kind == "agenda" else "Check in"
        week = agenda_week(c, occ) if m.kind == "agenda" else None
        for person in wanted:
            if not person.email:
                continue
            choice = prefs[person.pk]
            if week is None and not choice.wants(m.kind, "email"):
                continue
            if week is not None and not choice.wants_agenda_email(week.first):
                continue
            ctx = {
                "cadence": c,
                "kind": m.kind,
                "when": occ.local_start(person.timezone),
                "zone": person.timezone,
                "sections": preview,
                # Said under an agenda of a cadence that meets more than once a week.
                "agenda_emails": choice.agenda_emails if week and week.more_than_one else "",
                "agenda_settings": _agenda_settings_link(org) if week else "",
            }
            created += delivery.notify(
                org,
                kind=m.kind,
                key=key,
                subject=_subject(m, person.timezone),
                text=_render("rhythm/email/reminder.txt", ctx),
                html=_render("rhythm/email/reminder.html", ctx),
                link=link,
                link_label=label,
                people=[person],
                now=now,
            )
        # One chat message per team webhook of the teams with someone it is for; once the
        # check-in is due soon, naming who is still to give it (people who opted out of
        # chat, or muted this kind, are left out of the message).
        chat_people = [p for p in wanted if prefs[p.pk].wants(m.kind, "chat")]
        if not chat_people:
            continue
        team_ids = sorted(roster.scope_team_ids(c) & chat_teams)
        # Each team's post names its people and those of the teams below it (a
        # department's webhook: its teams').
        reach = {
            p.pk: _at_or_above(roster.teams_of.get(p.pk, set()), roster.parents)
            for p in chat_people
        }
        for team in Team.objects.for_org(org).filter(pk__in=team_ids).order_by("pk"):
            in_team = [p for p in chat_people if team.pk in reach[p.pk]]
            if not in_team and c.is_checkin:
                continue
            created += delivery.notify(
                org,
                kind=m.kind,
                key=key,
                subject=_subject(m, c.timezone, zone_named=True),
                text=_chat_text(m, in_team, preview),
                link=link,
                teams=[team],
                now=now,
            )
    return created


def _agenda_settings_link(org: Organization) -> str:
    """Where a person chooses which meetings' agendas they get by e-mail."""
    path = reverse("rhythm:settings", kwargs={"org_slug": org.slug})
    return delivery.site_link(f"{path}#agenda-emails")


def _render(name: str, ctx: dict) -> str:
    """A reminder's body with its moments in the recipient's zone (that of `ctx["when"]`):
    the date filters show a moment in the active zone, the worker's UTC or the zone of
    whoever asked."""
    with timezone.override(ctx["when"].tzinfo):
        return render_to_string(name, ctx)


def plan_all(now: dt.datetime | None = None) -> int:
    """Queue the reminders due now in every organization: what the periodic task does."""
    now = now or timezone.now()
    return sum(plan(org, now) for org in Organization.objects.all())


CHAT_NAMED = 10  # the people a chat post names, before "and N more"


def _at_or_above(team_ids: set[int], parents: dict[int, int | None]) -> set[int]:
    """The teams `team_ids` and every team above them: whose chat a person's reminder
    reaches (a department's webhook hears of its teams' people)."""
    out: set[int] = set()
    for tid in team_ids:
        while tid is not None and tid not in out:
            out.add(tid)
            tid = parents.get(tid)
    return out


def _still_to_check_in(people: list[Person]) -> str:
    """Who is still to check in, for a chat post: the first CHAT_NAMED, and how many more
    (a department's round may owe hundreds)."""
    named = ", ".join(p.name for p in people[:CHAT_NAMED])
    more = len(people) - CHAT_NAMED
    return f"Still to check in: {named}" + (f" and {more} more" if more > 0 else "")


def _chat_text(m: Moment, people: list[Person], preview: list[dict]) -> str:
    if m.kind == "checkin_open":
        return ""  # just opened: the whole team owes it and nobody is behind yet
    if m.kind != "agenda":
        return _still_to_check_in(people)
    lines = []
    for s in preview:
        count = len(s.get("items", []))
        lines.append(f"• {s['title']}" + (f" ({count})" if count else ""))
    return "\n".join(lines)


def nudge_key(cadence: Cadence, occ: recurrence.Occurrence) -> str:
    """The key of a lead's reminder to those not in yet: one per round, so each person is
    reminded by it at most once a round (however often it is asked for)."""
    return f"checkin_nudge:{cadence.pk}:{occ.key}"


@dataclass(frozen=True)
class RoundReminders:
    """What the round's reminders of those not in yet did (their events), for its page."""

    reminded: int  # people told, over every asking of the round
    last_at: dt.datetime | None  # when last asked with someone to tell
    last_by: str  # who asked then
    times: int  # how many askings told someone


def round_reminders(
    org: Organization, cadence: Cadence, occ: recurrence.Occurrence
) -> RoundReminders:
    """The reminders sent for this round on a lead's asking, read from their recorded
    events (`services.remind_not_in_yet`; one query)."""
    from accord.activity.models import Event

    events = list(
        Event.objects.for_org(org)
        .filter(
            target_type="rhythm.cadence",
            target_id=str(cadence.pk),
            verb="reminded",
            after__occurrence=occ.original_start.isoformat(),
        )
        .order_by("-created_at", "-id")
        .values_list("created_at", "actor_name", "after")[:100]
    )
    return RoundReminders(
        reminded=sum(int(after.get("reminded") or 0) for _, _, after in events),
        last_at=events[0][0] if events else None,
        last_by=events[0][1] if events else "",
        times=len(events),
    )


def left_to_remind(org: Organization, cadence: Cadence, occ: recurrence.Occurrence, owing, by):
    """Whether a lead's reminder would still tell someone of `owing` (those not in yet and
    not away): not `by` who asks, nor who muted the cadence or was told this round (one
    query)."""
    from accord.activity.models import Notification

    told = Notification.objects.for_org(org).filter(
        topic=nudge_key(cadence, occ), person__isnull=False
    )
    muted = CadenceMute.objects.for_org(org).filter(cadence=cadence)
    return (
        owing.exclude(pk=by.pk)
        .exclude(pk__in=told.values("person_id"))
        .exclude(pk__in=muted.values("person_id"))
        .exists()
    )


def remind_not_in_yet(
    org: Organization,
    cadence: Cadence,
    occ: recurrence.Occurrence,
    now: dt.datetime,
    by: Person | None = None,
) -> dict[str, int]:
    """Remind whoever owes this round's check-in and has not given it, on a lead's asking:
    an e-mail each and one post to each chat webhook of the cadence's teams naming them, as
    the scheduled "due soon" reminder (its kind, so who muted it gets none). Who is away,
    muted the cadence, or was reminded this way already this round is left out. Returns
    {"reminded": people newly told, "already": people told before this round}."""
    from accord.activity.models import Notification
    from accord.org.models import Membership

    given = CheckIn.objects.for_org(org).filter(
        cadence=cadence, occurrence_start=occ.original_start
    )
    pending = (
        queries.owers_query(org, cadence, at=occ.start)
        .exclude(pk__in=given.exclude(status="missed").values("person_id"))
        .order_by("name", "id")
    )
    # Who asks is not reminded by their own asking (they are on the page already).
    people = [p for p in pending if by is None or p.pk != by.pk]
    ids = {p.pk for p in people}
    muted = set(
        CadenceMute.objects.for_org(org)
        .filter(cadence=cadence, person__in=pending)
        .values_list("person_id", flat=True)
    )
    day = occ.start.date()
    # Everyone's time off of those days (few rows), not a filter by a round's every id.
    away = queries.AwayBook(org, None, day - dt.timedelta(days=1), day + dt.timedelta(days=1))
    key = nudge_key(cadence, occ)
    told = set(
        Notification.objects.for_org(org)
        .filter(topic=key, person__isnull=False)
        .values_list("person_id", flat=True)
    )
    wanted = [
        p
        for p in people
        if p.pk not in muted and p.pk not in told and not away.is_away(p.pk, occ.start, p.timezone)
    ]
    m = Moment("checkin_due", cadence, occ, now)
    link = _link(org, m)
    late_until = cadence.window(occ)[1]
    # One message per time zone (its moments in that zone), to everyone of the round in it.
    zones: dict[str, list[Person]] = {}
    for person in wanted:
        zones.setdefault(person.timezone or "UTC", []).append(person)
    for zone_name, group in sorted(zones.items()):
        ctx = {
            "cadence": cadence,
            "kind": "checkin_nudge",
            "by": by.name if by else "",
            "when": occ.local_start(zone_name),
            "late": now > occ.start,
            "late_until": late_until.astimezone(recurrence.zone(zone_name)),
            "zone": zone_name,
            "sections": [],
        }
        when = weekday_moment(occ.local_start(zone_name))
        delivery.notify(
            org,
            kind=m.kind,
            key=key,
            subject=f"Reminder: your check-in for {cadence.name} (due {when})",
            text=_render("rhythm/email/reminder.txt", ctx),
            html=_render("rhythm/email/reminder.html", ctx),
            link=link,
            link_label="Check in",
            people=group,
            now=now,
        )
    # Who got an e-mail now (not who turned e-mail off or muted the kind).
    reminded = (
        set(
            Notification.objects.for_org(org)
            .filter(topic=key, person__isnull=False)
            .values_list("person_id", flat=True)
        )
        - told
    )
    # One chat post per webhook of the cadence's teams, naming the round's people not in
    # yet of its team and of the teams below it (a department's webhook: its teams'), the
    # first CHAT_NAMED of them and how many more.
    prefs = delivery.preferences(org, [p.pk for p in wanted])
    chat_people = [p for p in wanted if prefs[p.pk].wants(m.kind, "chat")]
    chat_teams = queries.scope_team_ids(org, cadence) & delivery.teams_with_chat(org)
    if chat_people and chat_teams:
        teams_of: dict[int, set[int]] = {}
        for person_id, team_id in (
            Membership.objects.for_org(org)
            .filter(person_id__in=[p.pk for p in chat_people])
            .values_list("person_id", "team_id")
        ):
            teams_of.setdefault(person_id, set()).add(team_id)
        parents = org_queries.parent_map(org)
        reach = {p.pk: _at_or_above(teams_of.get(p.pk, set()), parents) for p in chat_people}
        for team in Team.objects.for_org(org).filter(pk__in=chat_teams).order_by("pk"):
            in_team = [p for p in chat_people if team.pk in reach[p.pk]]
            if not in_team:
                continue
            if delivery.notify(
                org,
                kind=m.kind,
                key=key,
                subject=f"Reminder: check-ins for {cadence.name} "
                f"(due {_when(occ, cadence.timezone, zone_named=True)})",
                text=_chat_text(m, in_team, []),
                link=link,
                teams=[team],
                now=now,
            ):
                reminded |= {p.pk for p in in_team[:CHAT_NAMED]}
    return {"reminded": len(reminded), "already": len(told & ids)}


# --- a finished meeting's minutes --------------------------------------------------------------

MINUTES_NAMED = 20  # the people present (or absent) the minutes name, before "and N more"
MINUTES_NOTES = 1000  # characters of each section's notes e-mailed; the page has them all


def minutes_key(meeting: Meeting) -> str:
    """The key of a meeting's minutes: one notice per person and meeting."""
    return f"minutes:{meeting.pk}"


def minutes_sent_to(org: Organization, meeting: Meeting) -> list[Person]:
    """Who the meeting's minutes were e-mailed to (queued, or sent; not who they could not
    be delivered to), by name. One query."""
    from accord.activity.models import DeliveryStatus, Notification

    told = (
        Notification.objects.for_org(org)
        .filter(topic=minutes_key(meeting), person__isnull=False)
        .exclude(status=DeliveryStatus.GIVEN_UP)
        .values("person_id")
    )
    return list(Person.objects.for_org(org).filter(pk__in=told).order_by("name", "pk"))


def named(names: list[str]) -> str:
    """The first MINUTES_NAMED of `names`, and how many more."""
    more = len(names) - MINUTES_NAMED
    return ", ".join(names[:MINUTES_NAMED]) + (f" and {more} more" if more > 0 else "")


def _action_state(item, today: dt.date) -> str:
    """An action item's state in words, as its page's tag says it."""
    if item.status == "done":
        return "done late" if item.done_on_time is False else "done"
    if item.status == "dropped":
        return "dropped"
    return "overdue" if item.is_overdue(today) else "open"


def minutes_of(org: Organization, meeting: Meeting) -> dict:
    """What a finished meeting's minutes e-mail says: its day, summary, who was there,
    decisions, action items (with owner, due date and state now), headlines and each
    section's notes (the first MINUTES_NOTES characters)."""
    from django.db.models import prefetch_related_objects

    from accord.core.days import org_today
    from accord.rhythm import links
    from accord.rhythm.models import local_day

    today = org_today()
    marked = list(meeting.attendance.select_related("person").order_by("person__name", "pk"))
    # Not there because away that day (as the meeting's page says), not absent.
    absent_ids = [a.person_id for a in marked if not a.present]
    away_people = queries.away_at(org, meeting.scheduled_start, absent_ids) if absent_ids else set()
    away = {a.pk for a in marked if a.person_id in away_people}
    decisions = links.meeting_decisions(org, meeting.pk)
    prefetch_related_objects(decisions, "approver")
    actions = links.meeting_action_items(org, [meeting.pk])
    notes = []
    for s in meeting.agenda_snapshot:
        text = ((meeting.notes or {}).get(s["key"]) or "").strip()
        if text:
            cut = len(text) > MINUTES_NOTES
            notes.append({"title": s["title"], "text": text[:MINUTES_NOTES], "cut": cut})
    return {
        "meeting": meeting,
        "cadence": meeting.cadence,
        "day": local_day(meeting.scheduled_start, meeting.cadence),
        "summary": meeting.summary,
        "present": named([a.person.name for a in marked if a.present]),
        "absent": named([a.person.name for a in marked if not a.present and a.pk not in away]),
        "away": named([a.person.name for a in marked if not a.present and a.pk in away]),
        "decisions": decisions,
        "actions": [{"a": a, "state": _action_state(a, today)} for a in actions],
        "headlines": [h for h in meeting.headlines.select_related("author") if h.text],
        "notes": notes,
    }


def send_minutes(
    org: Organization, actor: Person | None, meeting: Meeting, now: dt.datetime | None = None
) -> int:
    """Queue a finished meeting's minutes for everyone in it (`queries.meeting_people`),
    present or absent, but not `actor`, who finished it and has them on its page, nor who
    muted its cadence (`CadenceMute`, as its reminders). Each person's choices apply
    (e-mail off, the kind "minutes" muted). One notice per person and
    meeting (`minutes_key`): finished again after being reopened, it tells only who was not
    told before. Call inside the transaction. Returns how many were queued.

    Finished by the system (`actor=None`: the demo loader, importers), it is history that
    already happened, not news: nothing is queued."""
    if actor is None:
        return 0
    # Who muted the cadence hears nothing of it: no reminders, agendas or minutes.
    muted = CadenceMute.objects.for_org(org).filter(cadence_id=meeting.cadence_id)
    people = list(
        queries.meeting_people(org, meeting)
        .exclude(pk=actor.pk)
        .exclude(pk__in=muted.values("person_id"))
    )
    if not people:
        return 0
    ctx = {**minutes_of(org, meeting), "by": actor}
    path = reverse(
        "rhythm:meeting",
        kwargs={"org_slug": org.slug, "cadence_id": meeting.cadence_id, "key": meeting.key},
    )
    return delivery.notify(
        org,
        kind="minutes",
        key=minutes_key(meeting),
        subject=f"Minutes: {meeting}",
        text=render_to_string("rhythm/email/minutes.txt", ctx),
        html=render_to_string("rhythm/email/minutes.html", ctx),
        link=delivery.site_link(path),
        link_label="Open the minutes",
        people=people,
        now=now,
    )
