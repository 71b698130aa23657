"""Run the catalogue over an organization as of a moment, store signals and health.

`evaluate(org, as_of)`:
1. loads the snapshot (`snapshot.load`) and runs every enabled detector;
2. upserts signals by identity (kind, subject): new → open (a new episode); still
   present → `last_seen` and the facts updated (a new stretch when they changed);
   absent → resolved (its episode ends); a snoozed one whose date passed is open again;
   a resolved one that re-appears is reopened with a new episode. Acknowledged and
   dismissed ones keep their state while the condition holds;
3. computes every team's health and stores the day's `HealthScore` rows.

Bulk reads and writes only: the cost grows with the organization, not with queries.

An evaluation as of a moment earlier than the latest stored one (a backfill) leaves the
signals alone and stores only that day's health, computed from the signals it found.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
import time
from collections import defaultdict
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils import timezone

from accord.intelligence import config as config_mod
from accord.intelligence import health as health_mod
from accord.intelligence import snapshot as snapshot_mod
from accord.intelligence.models import (
    DIMENSIONS,
    SEVERITY_RANK,
    Evaluation,
    HealthScore,
    IntelligenceSettings,
    Signal,
    SignalEpisode,
    SignalState,
    SignalTeam,
)
from accord.intelligence.registry import Found, discover
from accord.org.models import Organization

log = logging.getLogger("accord.intelligence")


# --- the catalogue -----------------------------------------------------------------------


def run_catalogue(snap: snapshot_mod.Snapshot, cfg: config_mod.Config) -> dict[tuple, Found]:
    """Every enabled detector over `snap`; one Found per identity (the most severe wins)."""
    out: dict[tuple, Found] = {}
    with no_gc():
        for kind, det in discover().items():
            dcfg = cfg.detectors.get(kind, det.defaults)
            if not dcfg.get("enabled", True):
                continue
            for found in det.func(snap, dcfg):
                found.team_ids = {t for t in found.team_ids if t in snap.teams}
                old = out.get(found.identity)
                if old is None or SEVERITY_RANK[found.severity] > SEVERITY_RANK[old.severity]:
                    out[found.identity] = found
        _reach(snap, out.values())
    return out


@contextmanager
def no_gc():
    """The analysis makes many small objects and no reference cycles: the cyclic garbage
    collector would only rescan them again and again (seconds at 10,000 teams)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


REACH_LIMIT = 5000  # initiatives visited per problem before the reach is reported as is


def _reach(snap: snapshot_mod.Snapshot, found: Any) -> None:
    """Teams and people a problem touches: its teams plus, through the dependency graph,
    every team downstream of the initiatives it threatens (the blast radius, as
    `coordination.graph.downstream` computes it, on one reverse adjacency built once).
    Each walk stops after REACH_LIMIT initiatives, so a very connected graph cannot make
    the evaluation quadratic; walks from the same initiatives are shared."""
    rev: dict[int, list[int]] = defaultdict(list)
    for d in snap.dependencies.values():
        if d.active and d.provider_initiative_id:
            rev[d.provider_initiative_id].append(d.requester_initiative_id)
    team_of = {i.id: i.team_id for i in snap.initiatives.values()}
    memo: dict[frozenset, set[int]] = {}
    for f in found:
        teams = set(f.team_ids)
        if f.initiative_ids and rev:
            key = frozenset(f.initiative_ids)
            if key not in memo:
                memo[key] = _downstream_teams(key, rev, team_of)
            teams |= memo[key]
        teams |= {team_of[i] for i in f.initiative_ids if i in team_of}
        people = 0
        for t in teams:
            if t in snap.teams:
                people += snap.teams[t].people
        f.numbers.setdefault("reach_teams", len(teams))
        f.numbers.setdefault("reach_people", people)


def _downstream_teams(sources, rev, team_of) -> set[int]:
    seen: set[int] = set()
    stack = list(sources)
    while stack and len(seen) < REACH_LIMIT:
        node = stack.pop()
        for nxt in rev.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return {team_of[n] for n in seen if n in team_of}


def measures(snap: snapshot_mod.Snapshot, weeks: int = 8) -> dict[int, dict[str, float]]:
    """Per team: share of its members' check-ins of the last `weeks` not on time, and share
    of its active initiatives that serve nothing."""
    since = snap.as_of - dt.timedelta(weeks=weeks)
    owed: dict[int, int] = defaultdict(int)
    late: dict[int, int] = defaultdict(int)
    for cad in snap.cadences.values():
        for occ in cad.occurrences:
            if occ.due < since:
                continue
            for pid, status in occ.status.items():
                person = snap.people.get(pid)
                if person is None:
                    continue
                for t in person.teams:
                    if t in cad.team_ids:
                        owed[t] += 1
                        late[t] += status != "on_time"
    active: dict[int, int] = defaultdict(int)
    loose: dict[int, int] = defaultdict(int)
    for i in snap.initiatives.values():
        if i.status == "active":
            active[i.team_id] += 1
            loose[i.team_id] += not i.objective_ids and not i.key_result_ids
    out: dict[int, dict[str, float]] = {}
    for t in snap.teams:
        out[t] = {
            "late_checkin_share": late[t] / owed[t] if owed[t] else 0.0,
            "unaligned_share": loose[t] / active[t] if active[t] else 0.0,
        }
    return out


# --- storing signals ---------------------------------------------------------------------


def _apply_found(sig: Signal, f: Found) -> None:
    sig.severity = f.severity
    sig.subject_label = f.subject_label[:300]
    sig.title = f.title[:300]
    sig.explanation = f.explanation
    sig.next_step = f.next_step
    sig.owner_id = f.owner_id
    sig.evidence = f.evidence
    sig.numbers = f.numbers
    sig.reach_teams = f.numbers.get("reach_teams", len(f.team_ids))
    sig.reach_people = f.numbers.get("reach_people", 0)


def _stored(sig: Signal) -> tuple:
    """What `_store_signals` may change on a signal, except `last_seen`."""
    return (
        sig.severity,
        sig.subject_label,
        sig.title,
        sig.explanation,
        sig.next_step,
        sig.owner_id,
        sig.evidence,
        sig.numbers,
        sig.reach_teams,
        sig.reach_people,
        sig.first_seen,
        sig.state,
        sig.snoozed_until,
        sig.dismissed_reason,
        sig.resolved_at,
        sig.state_changed_at,
        sig.state_changed_by_id,
    )


def _store_signals(
    org: Organization, found: dict[tuple, Found], moment: dt.datetime
) -> tuple[dict[tuple, Signal], int, int]:
    """Upsert by identity; returns (live signals by identity, opened, resolved)."""
    today = moment.date()
    # Live signals in full; resolved ones (they pile up over the years) only when found
    # again, looked up by identity from a light list.
    existing = {
        (s.kind, s.subject_type, s.subject_id): s
        for s in Signal.objects.filter(org=org).exclude(state=SignalState.RESOLVED)
    }
    back = [
        pk
        for pk, *ident in Signal.objects.filter(org=org, state=SignalState.RESOLVED).values_list(
            "pk", "kind", "subject_type", "subject_id"
        )
        if tuple(ident) in found
    ]
    for i in range(0, len(back), 500):
        for s in Signal.objects.filter(pk__in=back[i : i + 500]):
            existing[(s.kind, s.subject_type, s.subject_id)] = s
    # Open stretches as plain rows: signal -> (pk, severity, explanation, evidence, numbers).
    open_episodes = {
        row[0]: row[1:]
        for row in SignalEpisode.objects.filter(org=org, ended_at__isnull=True).values_list(
            "signal_id", "pk", "severity", "explanation", "evidence", "numbers"
        )
    }
    new_signals: list[Signal] = []
    changed: list[Signal] = []  # found again: every one, for the episodes below
    rewrite: list[Signal] = []  # found again with something other than `last_seen` changed
    reopened: list[Signal] = []
    resolved: list[Signal] = []
    for ident, f in found.items():
        sig = existing.get(ident)
        if sig is None:
            sig = Signal(
                org=org,
                kind=f.kind,
                subject_type=f.subject_type,
                subject_id=f.subject_id,
                first_seen=moment,
                last_seen=moment,
                state=SignalState.OPEN,
            )
            _apply_found(sig, f)
            new_signals.append(sig)
            continue
        before = _stored(sig)
        if sig.state == SignalState.RESOLVED:
            sig.state = SignalState.OPEN
            sig.first_seen = moment
            sig.resolved_at = None
            sig.snoozed_until = None
            sig.dismissed_reason = ""
            sig.state_changed_at = moment
            sig.state_changed_by = None
            reopened.append(sig)
        elif sig.state == SignalState.SNOOZED and sig.snoozed_until and sig.snoozed_until < today:
            sig.state = SignalState.OPEN
            sig.snoozed_until = None
            sig.state_changed_at = moment
            sig.state_changed_by = None
        sig.last_seen = moment
        _apply_found(sig, f)
        changed.append(sig)
        if _stored(sig) != before:
            rewrite.append(sig)
    for ident, sig in existing.items():
        if ident in found or sig.state == SignalState.RESOLVED:
            continue
        sig.state = SignalState.RESOLVED
        sig.resolved_at = moment
        sig.snoozed_until = None
        sig.state_changed_at = moment
        sig.state_changed_by = None
        resolved.append(sig)
    fields = [
        "severity",
        "subject_label",
        "title",
        "explanation",
        "next_step",
        "owner",
        "evidence",
        "numbers",
        "reach_teams",
        "reach_people",
        "first_seen",
        "last_seen",
        "state",
        "snoozed_until",
        "dismissed_reason",
        "resolved_at",
        "state_changed_at",
        "state_changed_by",
    ]
    Signal.objects.bulk_create(new_signals, batch_size=500)
    # Most signals found again differ only by `last_seen`: one plain UPDATE per chunk for
    # them. The others get one UPDATE each: `bulk_update` would build a CASE over the
    # batch for every field, so each row would cost the batch's size (at 500 rows,
    # minutes for 20,000 signals on SQLite) and a dozen expressions in Python.
    rewritten = {s.pk for s in rewrite}
    seen = [s.pk for s in changed if s.pk not in rewritten]
    for i in range(0, len(seen), 500):
        Signal.objects.filter(pk__in=seen[i : i + 500]).update(last_seen=moment)
    attnames = [Signal._meta.get_field(f).attname for f in fields]
    for sig in rewrite + resolved:
        Signal.objects.filter(pk=sig.pk).update(**{a: getattr(sig, a) for a in attnames})
    # Episodes: stretches of time the condition held. The facts of a stretch never
    # change: a change ends it and starts the next, so the rows covering a past moment
    # hold exactly what that moment's evaluation stored.
    end = [open_episodes[s.pk][0] for s in resolved if s.pk in open_episodes]
    starting = new_signals + reopened
    for s in starting:
        if s.pk in open_episodes:  # a stray open stretch of a resolved signal
            end.append(open_episodes[s.pk][0])
    reopened_ids = {s.pk for s in reopened}
    for s in changed:
        if s.pk in reopened_ids:
            continue
        e = open_episodes.get(s.pk)
        if e is not None and e[1:] == (s.severity, s.explanation, s.evidence, s.numbers):
            continue
        if e is not None:
            end.append(e[0])
        starting.append(s)
    for i in range(0, len(end), 500):
        SignalEpisode.objects.filter(pk__in=end[i : i + 500]).update(ended_at=moment)
    SignalEpisode.objects.bulk_create(
        [
            SignalEpisode(
                org=org,
                signal=s,
                started_at=moment,
                severity=s.severity,
                explanation=s.explanation,
                evidence=s.evidence,
                numbers=s.numbers,
            )
            for s in starting
        ],
        batch_size=500,
    )
    # Teams concerned: add and remove only the difference.
    by_ident = {(s.kind, s.subject_type, s.subject_id): s for s in new_signals}
    live = {ident: existing.get(ident) or by_ident[ident] for ident in found}
    have: dict[int, set[int]] = defaultdict(set)
    for sid, tid in (
        SignalTeam.objects.filter(org=org)
        .exclude(signal__state=SignalState.RESOLVED)
        .values_list("signal_id", "team_id")
    ):
        have[sid].add(tid)
    add, remove = [], []
    for ident, s in live.items():
        want = found[ident].team_ids
        for t in want - have.get(s.pk, set()):
            add.append(SignalTeam(org=org, signal_id=s.pk, team_id=t))
        for t in have.get(s.pk, set()) - want:
            remove.append((s.pk, t))
    SignalTeam.objects.bulk_create(add, batch_size=1000)
    if remove:
        by_signal: dict[int, list[int]] = defaultdict(list)
        for sid, tid in remove:
            by_signal[sid].append(tid)
        for sid, tids in by_signal.items():
            SignalTeam.objects.filter(signal_id=sid, team_id__in=tids).delete()
    return live, len(new_signals) + len(reopened), len(resolved)


# --- storing health ----------------------------------------------------------------------


def _store_health(
    org: Organization,
    snap: snapshot_mod.Snapshot,
    found: dict[tuple, Found],
    live: dict[tuple, Signal] | None,
    cfg: config_mod.Config,
    moment: dt.datetime,
) -> int:
    dims = {k: d.dimension for k, d in discover().items()}
    costs = []
    for ident, f in found.items():
        sig = live.get(ident) if live else None
        costs.append(
            health_mod.SignalCost(
                signal_id=sig.pk if sig else None,
                kind=f.kind,
                title=f.title,
                dimension=dims.get(f.kind, "execution"),
                severity=f.severity,
                team_ids=f.team_ids,
                costs=not (sig and sig.state == SignalState.DISMISSED),
            )
        )
    parents = {t.id: t.parent_id for t in snap.teams.values()}
    people = {t.id: t.people for t in snap.teams.values()}
    members = {t.id: t.members for t in snap.teams.values()}
    result = health_mod.compute(parents, people, costs, measures(snap), cfg.health, members)
    day = moment.date()
    rows = []
    for t, th in result.items():
        rows.append(
            HealthScore(
                org=org,
                team_id=t,
                date=day,
                people=th.people,
                **{d: round(th.scores[d], 1) for d in (*DIMENSIONS, "overall")},
                rollup_people=th.rollup_people,
                **{f"rollup_{d}": round(th.rollup[d], 1) for d in (*DIMENSIONS, "overall")},
                explanation=th.explanation,
                open_info=th.counts["info"],
                open_warning=th.counts["warning"],
                open_critical=th.counts["critical"],
                rollup_open_info=th.rollup_counts["info"],
                rollup_open_warning=th.rollup_counts["warning"],
                rollup_open_critical=th.rollup_counts["critical"],
                computed_at=timezone.now(),
            )
        )
    HealthScore.objects.filter(org=org, date=day).delete()
    HealthScore.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


# --- entry points ------------------------------------------------------------------------


def evaluate(
    org: Organization,
    as_of: dt.datetime | dt.date | None = None,
    *,
    backfill: bool = False,
    announce: bool = True,
) -> Evaluation:
    """Evaluate `org` as of a moment (default now); see the module docstring.

    New critical signals are announced to their owners after the evaluation commits,
    unless `announce` is false (the demo loader's history tells nobody).

    Two evaluations of one organization at once (the hourly one and one after writes)
    store one after the other: the organization's settings row is locked while storing,
    and the later one re-checks which moment is the latest stored."""
    started, started_at = time.monotonic(), timezone.now()
    moment = snapshot_mod.as_moment(as_of)
    cfg = config_mod.for_org(org)
    with no_gc():
        snap = snapshot_mod.load(org, moment)
    found = run_catalogue(snap, cfg)
    IntelligenceSettings.objects.get_or_create(org=org)
    with transaction.atomic():
        IntelligenceSettings.objects.select_for_update().filter(org=org).first()
        latest = (
            Evaluation.objects.filter(org=org, backfill=False)
            .order_by("-as_of")
            .values_list("as_of", flat=True)
            .first()
        )
        store_signals = not backfill and (latest is None or moment >= latest)
        live, opened, resolved = (None, 0, 0)
        if store_signals:
            live, opened, resolved = _store_signals(org, found, moment)
        _store_health(org, snap, found, live, cfg, moment)
        run = Evaluation.objects.create(
            org=org,
            as_of=moment,
            started_at=started_at,
            finished_at=timezone.now(),
            duration_ms=int((time.monotonic() - started) * 1000),
            found=len(found),
            opened=opened,
            resolved=resolved,
            backfill=not store_signals,
        )
        if store_signals and live and announce:
            new_critical = [
                s for s in live.values() if s.severity == "critical" and s.first_seen == moment
            ]
            if new_critical:
                from accord.intelligence import notifications

                transaction.on_commit(
                    lambda: notifications.announce_new_critical(org, new_critical)
                )
    log.info("evaluated %s as of %s: %s signals", org.slug, moment, len(found))
    return run


def backfill(org: Organization, weeks: int = 13, *, today: dt.date | None = None) -> int:
    """Weekly health history as of each past week's end, from the organization's own
    history (signals are left alone). Returns the number of weeks computed."""
    today = today or timezone.localdate()
    for n in range(weeks, 0, -1):
        evaluate(org, today - dt.timedelta(weeks=n), backfill=True)
    return weeks


def detect(org: Organization, as_of: dt.datetime | dt.date | None = None) -> dict[tuple, Found]:
    """What the catalogue finds as of a moment, without storing anything."""
    snap = snapshot_mod.load(org, snapshot_mod.as_moment(as_of))
    return run_catalogue(snap, config_mod.for_org(org))


# --- a fingerprint of what was stored ----------------------------------------------------


def stored_digest(org: Organization, *, stable_ids: bool = False) -> str:
    """A SHA-256 of everything the engine stored for `org`: every signal (identity,
    severity, state, texts, evidence, numbers, reach, owner, dates, teams), every episode
    and every health score. Two evaluations that stored the same things have the same
    digest, whatever the code that stored them.

    With `stable_ids`, the ids of the organization's objects are replaced by their rank
    among the organization's rows of that kind, so two copies of one generated
    organization in different databases have the same digest."""
    import hashlib
    import json

    from django.apps import apps

    ranks: dict[str, dict[str, int]] = {}

    def ref(label: str, pk: Any) -> str:
        if not stable_ids or pk in (None, ""):
            return str(pk)
        if label not in ranks:
            try:
                model = apps.get_model(label)
            except (LookupError, ValueError):
                ranks[label] = {}
            else:
                rows = (
                    model.objects.filter(pk=org.pk)
                    if label == "org.organization"
                    else (model.objects.filter(org=org))
                )
                ranks[label] = {
                    str(p): n
                    for n, p in enumerate(rows.order_by("pk").values_list("pk", flat=True))
                }
        return f"#{ranks[label].get(str(pk), pk)}"

    def subject(kind_type: str, sid: str) -> str:
        if kind_type == "coordination.cycle":
            return "cycle"  # a key of its dependencies, which its evidence names
        return ref(kind_type, sid)

    def evidence(items: list) -> list:
        return [
            {**e, "target_id": ref(e.get("target_type", ""), e.get("target_id", ""))} for e in items
        ]

    teams: dict[int, list[str]] = defaultdict(list)
    for sid, tid in SignalTeam.objects.filter(org=org).values_list("signal_id", "team_id"):
        teams[sid].append(ref("org.team", tid))
    signals = {}
    for row in Signal.objects.filter(org=org).values(
        "pk", "kind", "subject_type", "subject_id", "subject_label", "severity", "title",
        "explanation", "next_step", "owner_id", "evidence", "numbers", "reach_teams",
        "reach_people", "first_seen", "last_seen", "state", "snoozed_until",
        "dismissed_reason", "resolved_at", "state_changed_at",
    ):  # fmt: skip
        pk = row.pop("pk")
        row["subject_id"] = subject(row["subject_type"], row["subject_id"])
        row["owner_id"] = ref("org.person", row["owner_id"])
        row["evidence"] = evidence(row["evidence"])
        row["teams"] = sorted(teams.get(pk, []))
        signals[pk] = row
    episodes = []
    for row in SignalEpisode.objects.filter(org=org).values(
        "signal_id", "started_at", "ended_at", "severity", "explanation", "evidence", "numbers"
    ):
        s = signals[row.pop("signal_id")]
        row["signal"] = (s["kind"], s["subject_type"], s["subject_id"], s["evidence"])
        row["evidence"] = evidence(row["evidence"])
        episodes.append(row)
    health = []
    for row in HealthScore.objects.filter(org=org).values():
        for name in ("id", "org_id", "computed_at"):
            row.pop(name)
        row["team_id"] = ref("org.team", row["team_id"])
        for items in row["explanation"].values():
            for item in items:
                if item.get("signal_id") in signals:
                    s = signals[item["signal_id"]]
                    item["signal_id"] = (s["kind"], s["subject_type"], s["subject_id"])
        health.append(row)

    def canon(rows: list) -> list[str]:
        return sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)

    h = hashlib.sha256()
    for part in (canon(list(signals.values())), canon(episodes), canon(health)):
        for line in part:
            h.update(line.encode())
            h.update(b"\n")
        h.update(b"--\n")
    return h.hexdigest()
