"""Stored signals and health rows written directly, for the page tests: the pages only
read what the engine stored, so these tests control exactly what is there (how many
signals, of which kind, on which team) without running the detectors.

`tree(org, root, n)` adds n teams under `root` (a few levels deep); `signal(...)` stores
one signal with its teams; `health(...)` stores a day's health for each team.
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from accord.intelligence.models import (
    DIMENSIONS,
    HealthScore,
    Signal,
    SignalEpisode,
    SignalState,
    SignalTeam,
)
from accord.org.models import Organization, Team

_ids = itertools.count(1)


def tree(org: Organization, root: Team, n: int, fanout: int = 5) -> list[Team]:
    """n teams under `root`, `fanout` children per team, breadth first (bulk-created)."""
    made: list[Team] = []
    parents = [root]
    while len(made) < n:
        level = []
        for p in parents:
            for _ in range(fanout):
                if len(made) + len(level) >= n:
                    break
                k = next(_ids)
                level.append(Team(org=org, name=f"Unit {k:05d}", slug=f"unit-{k}", parent=p))
        Team.objects.bulk_create(level)
        made += level
        parents = level
    return made


def signal(
    org: Organization,
    teams: list[Team],
    *,
    kind: str = "load.overloaded",
    severity: str = "warning",
    state: str = SignalState.OPEN,
    title: str | None = None,
    first_seen: dt.datetime | None = None,
    resolved_at: dt.datetime | None = None,
    reach_people: int = 3,
    owner=None,
) -> Signal:
    now = timezone.now()
    k = next(_ids)
    s = Signal.objects.create(
        org=org,
        kind=kind,
        severity=severity,
        subject_type="org.team",
        subject_id=str(teams[0].pk if teams else k) + f"-{k}",
        subject_label=teams[0].name if teams else "",
        owner=owner,
        title=title or f"Signal {k} on {teams[0].name if teams else 'nobody'}",
        explanation=f"Explanation of signal {k}.",
        next_step="Talk to them.",
        evidence=[
            {
                "label": teams[0].name if teams else "Nothing",
                "value": 7,
                "target_type": "org.team" if teams else "",
                "target_id": str(teams[0].pk) if teams else "",
            }
        ],
        numbers={"wip": 7, "wip_limit": 3},
        reach_teams=len(teams),
        reach_people=reach_people,
        first_seen=first_seen or now - dt.timedelta(days=1),
        last_seen=now,
        state=state,
        snoozed_until=(
            timezone.localdate() + dt.timedelta(days=5) if state == SignalState.SNOOZED else None
        ),
        resolved_at=resolved_at or (now if state == SignalState.RESOLVED else None),
    )
    SignalTeam.objects.bulk_create([SignalTeam(org=org, signal=s, team=t) for t in teams])
    SignalEpisode.objects.create(
        org=org,
        signal=s,
        started_at=s.first_seen,
        ended_at=s.resolved_at,
        severity=severity,
        explanation=s.explanation,
        evidence=s.evidence,
    )
    return s


def health(
    org: Organization, teams: list[Team], day: dt.date, score: float = 90.0, people: int = 4
) -> None:
    rows = []
    for t in teams:
        values = {d: score for d in (*DIMENSIONS, "overall")}
        rows.append(
            HealthScore(
                org=org,
                team=t,
                date=day,
                people=people,
                rollup_people=people,
                **values,
                **{f"rollup_{d}": v for d, v in values.items()},
                rollup_open_critical=1,
                rollup_open_warning=2,
                computed_at=timezone.now(),
            )
        )
    HealthScore.objects.bulk_create(rows)
