"""Telling people about new critical signals, through the one delivery path.

`recipients` is the whole choice: a new critical signal (or a live one that turns
critical) tells its owner (else the lead of the first team it concerns), once; nobody is
told about the same signal twice within a week; a person who muted its kind
(`signal.<kind>`, on the notification settings page or `PATCH /api/v1/me/notifications`)
is not told; inactive people are not told. Nobody is told of what they did themselves: a
signal a person's own act raised (`RAISED_BY`: flagging a dependency blocked) goes, when
that person would be told, to the lead of another team it concerns (the party affected,
e.g. the team waiting on the blocked dependency), else to nobody.

`announce_new_critical` hands each pair to `accord.activity.delivery.notify` (an e-mail to
the person, a post to the first concerned team's chat webhooks) and records a `told`
event, which is the audit trail and what keeps "not twice in a week". A person, or a
team's chat, that the act itself told already (the notice of the flag that raised a blocked
dependency's signal, `accord.conversation.inbox`) is not told again of its signal. Each
notice waits for its reader's working hours (`working_hours_from`): a person's in their own
time zone, a team's chat in its own cadences' zone (that of its meetings and of their
reminders in that chat), else in the zone of the person told.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accord.activity import delivery
from accord.activity import services as activity
from accord.activity.models import Event, Notification
from accord.core.batches import in_batches
from accord.core.days import own_zone
from accord.intelligence import registry
from accord.intelligence.models import Signal, SignalTeam
from accord.org.models import Membership, Organization, Person, Team
from accord.rhythm.models import Cadence

ONCE_PER = dt.timedelta(days=7)
# Who is told of what, written in batches of at most this many (and 0.2 s), each in a
# transaction of its own (`accord.core.batches`).
TELL_BATCH = 200

# A working day, Monday to Friday, from WORK_STARTS to WORK_ENDS in the reader's zone: when
# a signal's notice may reach them (no e-mail at 03:00 or on a Sunday).
WORK_STARTS, WORK_ENDS = dt.time(8), dt.time(20)

# The kinds of signal a person's act raises: the event (its verb, on the signal's subject)
# whose actor raised it. The newest such event names who did it.
RAISED_BY = {"dependencies.blocked": "flagged_blocked"}

# A signal about a team put aside by one of its own people (dismissed, or snoozed for
# weeks), told to the leads of the team above (`services.answerable_to`).
PUT_ASIDE = "signal_put_aside"

# The kinds of notice this pillar sends: one per detector, so people mute what they do not
# want to hear about (delivery finds this mapping, as it finds every app's).
KINDS = {
    f"signal.{kind}": f"A new critical signal: {d.title.lower()}"
    for kind, d in sorted(registry.discover().items())
}
KINDS[PUT_ASIDE] = (
    "Someone in a team below yours dismisses a signal about it, or snoozes one for weeks; "
    "someone reopens a signal you dismissed"
)


def notice_kind(signal_kind: str) -> str:
    return f"signal.{signal_kind}"


def recipients(
    org: Organization, signals: Iterable[Signal], *, now: dt.datetime | None = None
) -> list[tuple[Person, Signal]]:
    """(person, signal) pairs to tell, for new critical signals. Five queries at most."""
    now = now or timezone.now()
    signals = [s for s in signals if s.org_id == org.id and s.severity == "critical"]
    if not signals:
        return []
    ids = [s.pk for s in signals]
    teams_of: dict[int, list[int]] = {}
    for sid, tid in (
        SignalTeam.objects.filter(org=org, signal_id__in=ids)
        .order_by("team_id")
        .values_list("signal_id", "team_id")
    ):
        teams_of.setdefault(sid, []).append(tid)
    lead_of: dict[int, int] = {}
    for tid, pid in (
        Membership.objects.for_org(org)
        .leading()
        .filter(team_id__in={t for ts in teams_of.values() for t in ts}, person__is_active=True)
        .order_by("person_id")
        .values_list("team_id", "person_id")
    ):
        lead_of.setdefault(tid, pid)
    raised_by = _raised_by(org, signals)
    wanted = {}
    for s in signals:
        teams = teams_of.get(s.pk, [])
        pid = s.owner_id or (lead_of.get(teams[0]) if teams else None)
        actor = raised_by.get(s.pk)
        if pid is not None and pid == actor:
            # Their own act: the lead of another team it concerns is the one to tell.
            pid = next((lead_of[t] for t in teams if lead_of.get(t) not in (None, actor)), None)
        if pid:
            wanted[s.pk] = pid
    people = {
        p.pk: p
        for p in Person.objects.for_org(org).filter(pk__in=set(wanted.values()), is_active=True)
    }
    prefs = delivery.preferences(org, people)
    told = {
        (int(e["target_id"]), e["after"].get("person"))
        for e in Event.objects.filter(
            org=org,
            target_type="intelligence.signal",
            verb="told",
            target_id__in=[str(i) for i in ids],
            created_at__gt=now - ONCE_PER,
        ).values("target_id", "after")
    }
    out = []
    for s in signals:
        pid = wanted.get(s.pk)
        muted = pid in prefs and notice_kind(s.kind) in prefs[pid].muted_kinds
        if pid not in people or muted or (s.pk, pid) in told:
            continue
        out.append((people[pid], s))
    return out


def _raised_by(org: Organization, signals: list[Signal]) -> dict[int, int]:
    """signal id -> the person whose own act raised it (`RAISED_BY`), where one did. One
    query (none when no signal is of such a kind)."""
    return {sid: actor for sid, (actor, _e) in _raising_acts(org, signals).items() if actor}


def _raising_acts(org: Organization, signals: list[Signal]) -> dict[int, tuple[int | None, int]]:
    """signal id -> (who, the event) of the newest act that raised it (`RAISED_BY`). One
    query (none when no signal is of such a kind)."""
    by_subject = {
        (s.subject_type, s.subject_id, RAISED_BY[s.kind]): s.pk
        for s in signals
        if s.kind in RAISED_BY
    }
    if not by_subject:
        return {}
    out: dict[int, tuple[int | None, int]] = {}
    events = (
        Event.objects.filter(
            org=org,
            target_type__in={t for t, _i, _v in by_subject},
            target_id__in={i for _t, i, _v in by_subject},
            verb__in={v for _t, _i, v in by_subject},
        )
        .order_by("-id")
        .values_list("target_type", "target_id", "verb", "actor_id", "id")
    )
    for target_type, target_id, verb, actor_id, event_id in events:
        sid = by_subject.get((target_type, target_id, verb))
        if sid is not None and sid not in out:
            out[sid] = (actor_id, event_id)  # the newest one is who raised it
    return out


def _told_by_the_act(
    org: Organization, signals: list[Signal]
) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """Who the act that raised each signal told already: (signal id, person id) of its
    e-mails and (signal id, team id) of its chat posts. The act's notice is keyed by it:
    a flag's by `accord.conversation.inbox.flag_key`. Two queries at most (none when no
    signal was raised by a person's act)."""
    from accord.conversation.inbox import flag_key

    acts = _raising_acts(org, signals)
    topics = {
        flag_key(s.subject_id, acts[s.pk][1]): s.pk
        for s in signals
        if s.pk in acts and s.subject_type == "coordination.dependency"
    }
    people, teams = set(), set()
    for topic, person_id, team_id in Notification.objects.filter(
        org=org, topic__in=list(topics)
    ).values_list("topic", "person_id", "webhook__team_id"):
        if person_id is not None:
            people.add((topics[topic], person_id))
        if team_id is not None:
            teams.add((topics[topic], team_id))
    return people, teams


def working_hours_from(moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    """`moment` if it falls on a working day's hours in `zone` (Monday to Friday,
    WORK_STARTS to WORK_ENDS), else the start of the next working day there."""
    local = moment.astimezone(zone)
    if local.weekday() < 5 and WORK_STARTS <= local.time() < WORK_ENDS:
        return moment
    day = local.date() + dt.timedelta(days=0 if local.time() < WORK_STARTS else 1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, WORK_STARTS, zone)


def _chat_zones(org: Organization, team_ids: Iterable[int]) -> dict[int, dt.tzinfo]:
    """team id -> the zone its chat hears in, where it has one: that of its own oldest
    active cadence (its meetings, and their reminders in that chat, are told in it:
    `accord.rhythm.notifications`). One query."""
    zones: dict[int, dt.tzinfo] = {}
    for cadence in (
        Cadence.objects.for_org(org)
        .filter(team_id__in=set(team_ids), is_active=True)
        .order_by("team_id", "pk")
        .only("team_id", "timezone")
    ):
        zone = own_zone(cadence)
        if zone is not None and cadence.team_id is not None:
            zones.setdefault(cadence.team_id, zone)
    return zones


def announce_new_critical(
    org: Organization, signals: Iterable[Signal], *, now: dt.datetime | None = None
) -> int:
    """Tell each recipient about each new critical signal (see the module docstring).
    Returns how many people were told.

    Written in batches (TELL_BATCH at most), each in a transaction of its own: a large
    organization's first evaluation finds thousands of critical signals, and telling all
    their people takes most of a minute, which no sign-in may wait for. Each
    person's `told` event commits with their notice, so a run stopped midway and asked
    again tells only those not told yet (`_told_by_the_act`)."""
    now = now or timezone.now()
    pairs = recipients(org, signals, now=now)
    first_team = dict(
        SignalTeam.objects.filter(org=org, signal_id__in=[s.pk for _p, s in pairs])
        .order_by("-team_id")
        .values_list("signal_id", "team")
    )
    teams = {t.pk: t for t in Team.objects.for_org(org).filter(pk__in=set(first_team.values()))}
    told_people, told_chats = _told_by_the_act(org, [s for _p, s in pairs])
    chat_zones = _chat_zones(org, teams)
    # Worked out before writing: the first `reverse` of a worker loads every URL (a second).
    paths = {
        s.pk: reverse("intelligence:signal", kwargs={"org_slug": org.slug, "signal_id": s.pk})
        for _p, s in pairs
    }
    told = 0
    for batch in in_batches(pairs, TELL_BATCH):
        with transaction.atomic():
            for person, signal in batch:
                team = teams.get(first_team.get(signal.pk))
                tell_person = (signal.pk, person.pk) not in told_people
                if team is not None and (signal.pk, team.pk) in told_chats:
                    team = None
                if not tell_person and team is None:
                    continue
                if tell_person:
                    activity.record(
                        org, None, "told", signal, after={"person": person.pk, "kind": signal.kind}
                    )
                    told += 1
                path = paths[signal.pk]
                lines = [signal.explanation]
                if signal.next_step:
                    lines.append(f"Next step: {signal.next_step}")
                notice = {
                    "kind": notice_kind(signal.kind),
                    "key": f"signal:{signal.pk}",
                    "subject": f"Critical: {signal.title}",
                    "text": "\n".join(lines),
                    "link": delivery.site_link(path),
                    "link_label": "See the evidence",
                    "once_per": ONCE_PER,
                    "now": now,
                }
                person_zone = own_zone(person) or dt.UTC
                if tell_person:
                    delivery.notify(
                        org,
                        people=[person],
                        not_before=working_hours_from(now, person_zone),
                        **notice,
                    )
                if team is not None:
                    zone = chat_zones.get(team.pk, person_zone)
                    delivery.notify(
                        org, teams=[team], not_before=working_hours_from(now, zone), **notice
                    )
    return told
