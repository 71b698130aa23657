"""Notifications: planned as Notification rows (one per person or webhook and message, under
a unique key) and delivered by the worker, by e-mail and to teams' chat webhooks.

Two kinds of message use the same rows and the same delivery:
- reminders of the operating rhythm (check-in windows, agendas), planned here by `plan`;
- one-off notices from other pillars (a decision decided, superseded, reversed), queued by
  `announce(org, Notice(...), people=..., teams=...)` inside the writer's transaction.

Idempotence: a reminder's key names what it is about (kind, cadence, occurrence, person or
webhook), so planning twice inserts nothing new; delivering claims a row by moving it from
pending to sending in one UPDATE, so of two workers only one sends it, and a worker that
dies mid-send never sends that row again. A failed send is retried with back-off and
given up after MAX_ATTEMPTS, recording an event.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
import urllib.error
import urllib.request
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accord.activity import services as activity
from accord.org.models import Organization, Person
from accord.rhythm import queries, recurrence
from accord.rhythm.models import (
    Cadence,
    ChatFlavor,
    ChatWebhook,
    CheckIn,
    DeliveryStatus,
    Notification,
    NotificationSettings,
)

log = logging.getLogger("accord.rhythm.notifications")

LOOKBACK = dt.timedelta(hours=6)  # a worker that was down catches up this far, no further
DUE_SOON = dt.timedelta(hours=4)  # "closes soon" reminder this long before a check-in is due
AGENDA_BEFORE = dt.timedelta(hours=2)  # a meeting's agenda goes out this long before it
MAX_ATTEMPTS = 4
BACKOFF_SECONDS = 60  # 1 min, 4 min, 16 min between attempts


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=BACKOFF_SECONDS * 4 ** max(0, attempts - 1))


@dataclass
class Moment:
    kind: str  # checkin_open | checkin_due | agenda
    cadence: Cadence
    occurrence: recurrence.Occurrence
    at: dt.datetime


def _moments(cadence: Cadence, now: dt.datetime) -> list[Moment]:
    """Reminder moments of one cadence that fell in (now - LOOKBACK, now]."""
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
    local = m.occurrence.local_start(tz_name)
    when = local.strftime("%a %d %b %H:%M")
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
    return f"{settings.SITE_URL}{path}"


def _agenda_preview(org: Organization, m: Moment) -> list[dict]:
    from accord.rhythm import agenda

    try:
        return agenda.build(org, m.cadence, None)
    except Exception:  # a preview must never stop reminders
        log.exception("agenda preview failed for cadence %s", m.cadence.pk)
        return [{**s, "items": []} for s in m.cadence.agenda]


def plan(org: Organization, now: dt.datetime | None = None) -> int:
    """Create the Notification rows due now for one organization. Returns how many are new."""
    now = now or timezone.now()
    roster = queries.Roster.load(org)
    moments = [m for c in queries.cadences(org) for m in _moments(c, now)]
    if not moments:
        return 0
    recipients: dict[int, set[int]] = {}
    for m in moments:
        c = m.cadence
        if c.pk not in recipients:
            recipients[c.pk] = roster.ower_ids(c) if c.is_checkin else roster.participant_ids(c)
    all_ids = set().union(*recipients.values())
    people = Person.objects.for_org(org).in_bulk(list(all_ids))
    prefs = {
        p.person_id: p
        for p in NotificationSettings.objects.for_org(org)
        .filter(person_id__in=all_ids)
        .prefetch_related("muted")
    }
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
    hooks: dict[int, list[ChatWebhook]] = defaultdict(list)
    for h in ChatWebhook.objects.for_org(org).filter(is_active=True):
        hooks[h.team_id].append(h)
    created = 0
    for m in moments:
        c, occ = m.cadence, m.occurrence
        wanted: list[Person] = []
        for pid in sorted(recipients[c.pk]):
            person = people.get(pid)
            if person is None or away.is_away(pid, occ.start, person.timezone):
                continue
            pref = prefs.get(pid)
            if pref is not None and c.pk in {x.pk for x in pref.muted.all()}:
                continue
            if c.is_checkin and (c.pk, occ.original_start, pid) in submitted:
                continue
            wanted.append(person)
        preview = _agenda_preview(org, m) if m.kind == "agenda" and wanted else []
        link = _link(org, m)
        for person in wanted:
            pref = prefs.get(person.pk)
            if not person.email or (pref is not None and not pref.email):
                continue
            ctx = {
                "person": person,
                "cadence": c,
                "kind": m.kind,
                "when": occ.local_start(person.timezone),
                "zone": person.timezone,
                "link": link,
                "sections": preview,
                "org": org,
            }
            created += _insert(
                org,
                key=f"{m.kind}:{c.pk}:{occ.key}:p{person.pk}:email",
                kind=m.kind,
                channel="email",
                person=person,
                cadence=c,
                subject=_subject(m, person.timezone),
                body_text=render_to_string("rhythm/email/reminder.txt", ctx),
                body_html=render_to_string("rhythm/email/reminder.html", ctx),
                now=now,
            )
        # One chat message per team webhook, naming who it is for (people who opted out
        # of chat are left out of the message).
        chat_people = [p for p in wanted if prefs.get(p.pk) is None or prefs[p.pk].chat]
        if not chat_people:
            continue
        for team_id in sorted(roster.scope_team_ids(c)):
            in_team = [p for p in chat_people if team_id in roster.teams_of.get(p.pk, set())]
            for hook in hooks.get(team_id, []):
                if not in_team and c.is_checkin:
                    continue
                text = _chat_text(m, in_team, c.timezone, link, preview)
                created += _insert(
                    org,
                    key=f"{m.kind}:{c.pk}:{occ.key}:w{hook.pk}:chat",
                    kind=m.kind,
                    channel="chat",
                    webhook=hook,
                    cadence=c,
                    subject=_subject(m, c.timezone),
                    body_text=text,
                    now=now,
                )
    return created


def _chat_text(
    m: Moment, people: list[Person], tz_name: str, link: str, preview: list[dict]
) -> str:
    lines = [_subject(m, tz_name)]
    if m.kind != "agenda":
        lines.append("Still to check in: " + ", ".join(p.name for p in people))
    else:
        for s in preview:
            count = len(s.get("items", []))
            lines.append(f"• {s['title']}" + (f" ({count})" if count else ""))
    lines.append(link)
    return "\n".join(lines)


def _insert(org: Organization, *, key: str, now: dt.datetime, **fields) -> int:
    if Notification.objects.filter(key=key).exists():
        return 0
    try:
        with transaction.atomic():
            Notification.objects.create(org=org, key=key, next_attempt_at=now, **fields)
    except IntegrityError:
        return 0  # planned concurrently by another worker
    return 1


# --- one-off notices (other pillars) ---------------------------------------------------------


@dataclass
class Notice:
    """A message to tell people and teams once. `key` names what it is about (e.g.
    "decision:12:decided"); each recipient's row key extends it, which is what makes
    queueing the same notice twice harmless."""

    key: str
    kind: str
    subject: str
    lines: list[str]  # the message, one paragraph per line, plain text
    link: str = ""
    link_label: str = "Open in Accord"


def announce(
    org: Organization,
    notice: Notice,
    *,
    people: list[Person] | tuple = (),
    teams: list | tuple = (),
    now: dt.datetime | None = None,
) -> int:
    """Queue `notice` for delivery by the worker: an e-mail (HTML and plain text) to each
    person with an address who has not turned e-mail off, and one chat post to every active
    webhook of each team. Returns how many rows were queued (0 for ones already queued)."""
    now = now or timezone.now()
    people = [p for p in people if p is not None and p.is_active]
    team_ids = sorted({t.pk for t in teams if t is not None})
    no_email = set(
        NotificationSettings.objects.for_org(org)
        .filter(person_id__in=[p.pk for p in people], email=False)
        .values_list("person_id", flat=True)
    )
    created = 0
    for person in sorted({p.pk: p for p in people}.values(), key=lambda p: p.pk):
        if not person.email or person.pk in no_email:
            continue
        ctx = {"person": person, "notice": notice, "org": org}
        created += _insert(
            org,
            key=f"{notice.key}:p{person.pk}:email",
            kind=notice.kind,
            channel="email",
            person=person,
            subject=notice.subject,
            body_text=render_to_string("rhythm/email/notice.txt", ctx),
            body_html=render_to_string("rhythm/email/notice.html", ctx),
            now=now,
        )
    if team_ids:
        text = "\n".join([notice.subject, *notice.lines, *([notice.link] if notice.link else [])])
        for hook in (
            ChatWebhook.objects.for_org(org)
            .filter(team_id__in=team_ids, is_active=True)
            .order_by("pk")
        ):
            created += _insert(
                org,
                key=f"{notice.key}:w{hook.pk}:chat",
                kind=notice.kind,
                channel="chat",
                webhook=hook,
                subject=notice.subject,
                body_text=text,
                now=now,
            )
    return created


def site_link(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


# --- delivery ------------------------------------------------------------------------------


def chat_payload(flavor: str, subject: str, text: str) -> dict:
    """The JSON an incoming webhook of this chat accepts."""
    if flavor == ChatFlavor.TEAMS:
        return {
            "@type": "MessageCard",
            "@context": "https://schema.org/extensions",
            "summary": subject,
            "title": subject,
            "text": text.replace("\n", "<br>"),
        }
    if flavor == ChatFlavor.MATTERMOST:
        return {"username": "Accord", "text": text}
    return {"text": text}


def _post(url: str, payload: dict) -> None:
    body = json.dumps(payload).encode()
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        if not 200 <= response.status < 300:
            raise OSError(f"HTTP {response.status}")


def _send(n: Notification, connection) -> None:
    if n.channel == "email":
        message = EmailMultiAlternatives(
            subject=n.subject,
            body=n.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[n.person.email],
            connection=connection,
        )
        if n.body_html:
            message.attach_alternative(n.body_html, "text/html")
        message.send()
    else:
        hook = n.webhook
        _post(hook.url, chat_payload(hook.flavor, n.subject, n.body_text))


def deliver(now: dt.datetime | None = None, limit: int = 200) -> dict[str, int]:
    """Send pending notifications whose time has come. Returns counts by outcome."""
    now = now or timezone.now()
    counts = {"sent": 0, "retry": 0, "given_up": 0}
    ids = list(
        Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    if not ids:
        return counts
    connection = get_connection(fail_silently=False)
    for nid in ids:
        claimed = Notification.objects.filter(id=nid, status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.SENDING
        )
        if not claimed:
            continue  # another worker has it
        n = Notification.objects.select_related("person", "webhook", "org").get(id=nid)
        try:
            _send(n, connection)
        except (OSError, urllib.error.URLError, ValueError) as exc:
            outcome = _failed(n, exc, now)
            counts[outcome] += 1
            continue
        Notification.objects.filter(id=nid).update(
            status=DeliveryStatus.SENT, sent_at=now, attempts=n.attempts + 1, last_error=""
        )
        counts["sent"] += 1
    with contextlib.suppress(Exception):  # closing a broken connection
        connection.close()
    return counts


def _failed(n: Notification, exc: Exception, now: dt.datetime) -> str:
    attempts = n.attempts + 1
    error = f"{type(exc).__name__}: {exc}"[:500]
    log.warning("notification %s failed (attempt %s): %s", n.key, attempts, error)
    if attempts >= MAX_ATTEMPTS:
        with transaction.atomic():
            Notification.objects.filter(id=n.pk).update(
                status=DeliveryStatus.GIVEN_UP, attempts=attempts, last_error=error
            )
            n.attempts, n.status = attempts, DeliveryStatus.GIVEN_UP
            activity.record(
                n.org,
                None,
                "given_up",
                n,
                after={"channel": n.channel, "attempts": attempts, "error": error},
                label=n.subject,
            )
        return "given_up"
    Notification.objects.filter(id=n.pk).update(
        status=DeliveryStatus.PENDING,
        attempts=attempts,
        last_error=error,
        next_attempt_at=now + backoff(attempts),
    )
    return "retry"


def run(now: dt.datetime | None = None) -> dict[str, int]:
    """Plan for every organization, then deliver: what the periodic task does."""
    now = now or timezone.now()
    planned = 0
    for org in Organization.objects.all():
        planned += plan(org, now)
    return {"planned": planned, **deliver(now)}
