"""Reminders of the operating rhythm: check-in windows opening and closing, and agendas
before meetings. This module decides who is reminded of what and when, and writes the
message; the one delivery path (`accord.activity.delivery`) queues, de-duplicates, applies
people's channel choices and muted kinds, and sends.

A reminder's key names what it is about (kind, cadence, occurrence), so planning twice
queues nothing new. People who checked in, are away, or muted the cadence are not reminded.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accord.activity import delivery
from accord.org.models import Organization, Person, Team
from accord.rhythm import queries, recurrence
from accord.rhythm.models import Cadence, CadenceMute, CheckIn
from accord.web.templatetags.dates import weekday_moment

log = logging.getLogger("accord.rhythm.notifications")

# The kinds of notice the rhythm sends (people can mute each one).
KINDS = {
    "checkin_open": "A check-in you owe opens",
    "checkin_due": "A check-in you owe is due soon",
    "agenda": "A meeting's agenda, before it starts",
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


def _subject(m: Moment, tz_name: str) -> str:
    when = weekday_moment(m.occurrence.local_start(tz_name))
    if m.kind == "checkin_open":
        return f"Check-in open: {m.cadence.name} (due {when})"
    if m.kind == "checkin_due":
        return f"Check-in due soon: {m.cadence.name} ({when})"
    return f"Agenda: {m.cadence.name} at {when}"


def _link(org: Organization, m: Moment) -> str:
    name = "rhythm:checkin" if m.cadence.is_checkin else "rhythm:meeting"
    path = reverse(
        name, kwargs={"org_slug": org.slug, "cadence_id": m.cadence.pk, "key": m.occurrence.key}
    )
    return delivery.site_link(path)


def _agenda_preview(org: Organization, m: Moment) -> list[dict]:
    from accord.rhythm import agenda

    try:
        return agenda.build(org, m.cadence, None)
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
        preview = _agenda_preview(org, m) if m.kind == "agenda" and wanted else []
        link = _link(org, m)
        key = f"{m.kind}:{c.pk}:{occ.key}"
        label = "Open the meeting" if m.kind == "agenda" else "Check in"
        for person in wanted:
            if not person.email or not prefs[person.pk].wants(m.kind, "email"):
                continue
            ctx = {
                "cadence": c,
                "kind": m.kind,
                "when": occ.local_start(person.timezone),
                "zone": person.timezone,
                "sections": preview,
            }
            created += delivery.notify(
                org,
                kind=m.kind,
                key=key,
                subject=_subject(m, person.timezone),
                text=render_to_string("rhythm/email/reminder.txt", ctx),
                html=render_to_string("rhythm/email/reminder.html", ctx),
                link=link,
                link_label=label,
                people=[person],
                now=now,
            )
        # One chat message per team webhook, naming who it is for (people who opted out
        # of chat, or muted this kind, are left out of the message).
        chat_people = [p for p in wanted if prefs[p.pk].wants(m.kind, "chat")]
        if not chat_people:
            continue
        team_ids = sorted(roster.scope_team_ids(c) & chat_teams)
        for team in Team.objects.for_org(org).filter(pk__in=team_ids).order_by("pk"):
            in_team = [p for p in chat_people if team.pk in roster.teams_of.get(p.pk, set())]
            if not in_team and c.is_checkin:
                continue
            created += delivery.notify(
                org,
                kind=m.kind,
                key=key,
                subject=_subject(m, c.timezone),
                text=_chat_text(m, in_team, preview),
                link=link,
                teams=[team],
                now=now,
            )
    return created


def plan_all(now: dt.datetime | None = None) -> int:
    """Queue the reminders due now in every organization: what the periodic task does."""
    now = now or timezone.now()
    return sum(plan(org, now) for org in Organization.objects.all())


def _chat_text(m: Moment, people: list[Person], preview: list[dict]) -> str:
    if m.kind != "agenda":
        return "Still to check in: " + ", ".join(p.name for p in people)
    lines = []
    for s in preview:
        count = len(s.get("items", []))
        lines.append(f"• {s['title']}" + (f" ({count})" if count else ""))
    return "\n".join(lines)
