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
event, which is the audit trail and what keeps "not twice in a week".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accord.activity import delivery
from accord.activity import services as activity
from accord.activity.models import Event
from accord.intelligence import registry
from accord.intelligence.models import Signal, SignalTeam
from accord.org.models import Membership, Organization, Person, Team

ONCE_PER = dt.timedelta(days=7)

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
    by_subject = {
        (s.subject_type, s.subject_id, RAISED_BY[s.kind]): s.pk
        for s in signals
        if s.kind in RAISED_BY
    }
    if not by_subject:
        return {}
    out: dict[int, int] = {}
    events = (
        Event.objects.filter(
            org=org,
            target_type__in={t for t, _i, _v in by_subject},
            target_id__in={i for _t, i, _v in by_subject},
            verb__in={v for _t, _i, v in by_subject},
        )
        .order_by("-id")
        .values_list("target_type", "target_id", "verb", "actor_id")
    )
    seen = set()
    for target_type, target_id, verb, actor_id in events:
        sid = by_subject.get((target_type, target_id, verb))
        if sid is None or sid in seen:
            continue
        seen.add(sid)  # the newest one is who raised it
        if actor_id is not None:
            out[sid] = actor_id
    return out


def announce_new_critical(org: Organization, signals: Iterable[Signal]) -> int:
    """Tell each recipient about each new critical signal (see the module docstring)."""
    pairs = recipients(org, signals)
    first_team = dict(
        SignalTeam.objects.filter(org=org, signal_id__in=[s.pk for _p, s in pairs])
        .order_by("-team_id")
        .values_list("signal_id", "team")
    )
    teams = {t.pk: t for t in Team.objects.for_org(org).filter(pk__in=set(first_team.values()))}
    with transaction.atomic():
        for person, signal in pairs:
            activity.record(
                org, None, "told", signal, after={"person": person.pk, "kind": signal.kind}
            )
            path = reverse(
                "intelligence:signal", kwargs={"org_slug": org.slug, "signal_id": signal.pk}
            )
            lines = [signal.explanation]
            if signal.next_step:
                lines.append(f"Next step: {signal.next_step}")
            delivery.notify(
                org,
                kind=notice_kind(signal.kind),
                key=f"signal:{signal.pk}",
                subject=f"Critical: {signal.title}",
                text="\n".join(lines),
                link=delivery.site_link(path),
                link_label="See the evidence",
                people=[person],
                teams=[teams.get(first_team.get(signal.pk))],
                once_per=ONCE_PER,
            )
    return len(pairs)
