"""Who is told about which new critical signal.

`recipients` is the whole choice: a new critical signal tells its owner (else the lead of
the first team it concerns), once; nobody is told about the same signal twice within a
week; a person who muted the kind is not told; inactive people are not told.

`announce_new_critical` is the one call site that hands the pairs to delivery. Until
delivery moves below the pillars it only records a `told` event per pair (which is also
what makes "not twice in a week" hold); the sending is wired there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from accord.activity import services as activity
from accord.activity.models import Event
from accord.intelligence.models import Signal, SignalMute, SignalTeam
from accord.org.models import Membership, MembershipRole, Organization, Person

ONCE_PER = dt.timedelta(days=7)


def recipients(
    org: Organization, signals: Iterable[Signal], *, now: dt.datetime | None = None
) -> list[tuple[Person, Signal]]:
    """(person, signal) pairs to tell, for new critical signals. Four queries."""
    now = now or timezone.now()
    signals = [s for s in signals if s.org_id == org.id and s.severity == "critical"]
    if not signals:
        return []
    ids = [s.pk for s in signals]
    first_team: dict[int, int] = {}
    for sid, tid in (
        SignalTeam.objects.filter(org=org, signal_id__in=ids)
        .order_by("team_id")
        .values_list("signal_id", "team_id")
    ):
        first_team.setdefault(sid, tid)
    lead_of: dict[int, int] = {}
    for tid, pid in (
        Membership.objects.for_org(org)
        .filter(team_id__in=set(first_team.values()), role=MembershipRole.LEAD)
        .order_by("person_id")
        .values_list("team_id", "person_id")
    ):
        lead_of.setdefault(tid, pid)
    wanted = {}
    for s in signals:
        pid = s.owner_id or lead_of.get(first_team.get(s.pk, -1))
        if pid:
            wanted[s.pk] = pid
    people = {
        p.pk: p
        for p in Person.objects.for_org(org).filter(pk__in=set(wanted.values()), is_active=True)
    }
    muted = set(
        SignalMute.objects.filter(org=org, person_id__in=list(people)).values_list(
            "person_id", "kind"
        )
    )
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
        if pid not in people or (pid, s.kind) in muted or (s.pk, pid) in told:
            continue
        out.append((people[pid], s))
    return out


def announce_new_critical(org: Organization, signals: Iterable[Signal]) -> int:
    """Tell each recipient about each new critical signal (see the module docstring)."""
    pairs = recipients(org, signals)
    with transaction.atomic():
        for person, signal in pairs:
            # Delivery (e-mail and the team's chat webhook) is wired here.
            activity.record(
                org, None, "told", signal, after={"person": person.pk, "kind": signal.kind}
            )
    return len(pairs)
