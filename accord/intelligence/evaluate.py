"""Run the catalogue over an organization as of a moment, store signals and health.

`evaluate(org, as_of)`:
1. loads the snapshot (`snapshot.load`) and runs every enabled detector;
2. upserts signals by identity (kind, subject): new → open (a new episode); still
   present → `last_seen` and the facts updated (a new stretch when they changed);
   absent → resolved (its episode ends); a snoozed one whose date passed is open again;
   a resolved one that re-appears is reopened with a new episode. Acknowledged and
   dismissed ones keep their state while the condition holds;
3. computes every team's health and stores the day's `HealthScore` rows;
4. stores the decisions' latency figures of the periods up to that day
   (`decisions.latency`), which pages read instead of computing them.

Bulk reads and writes only: the cost grows with the organization, not with queries.

An evaluation as of a moment earlier than the latest stored one (a backfill) leaves the
signals alone and stores only that day's health, computed from the signals it found
(and no latency figures).
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import json
import logging
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from accord.core.errors import ServiceError
from accord.decisions import latency
from accord.intelligence import config as config_mod
from accord.intelligence import health as health_mod
from accord.intelligence import snapshot as snapshot_mod
from accord.intelligence.detectors import OPEN_INIT, decision_teams
from accord.intelligence.models import (
    CLOSED_TAKEN_OVER,
    CLOSED_TEAM_RETIRED,
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


def _only_retired(snap: snapshot_mod.Snapshot, found: Found) -> bool:
    """A signal about retired teams alone (or about one retired team) is not raised."""
    if not snap.retired:
        return False
    if found.subject_type == "org.team" and str(found.subject_id) in {str(t) for t in snap.retired}:
        return True
    teams = set(found.team_ids)
    return bool(teams) and teams <= snap.retired


def run_catalogue(snap: snapshot_mod.Snapshot, cfg: config_mod.Config) -> dict[tuple, Found]:
    """Every enabled detector over `snap`; one Found per identity (the most severe wins)."""
    out: dict[tuple, Found] = {}
    # What concerns no team (an objective or key result of the organization itself)
    # concerns its top teams with people: counted, weighed and reached as theirs.
    tops = snap.peopled_tops()
    snap.settings = cfg.detectors
    with no_gc():
        for kind, det in discover().items():
            dcfg = cfg.detectors.get(kind, det.defaults)
            if not dcfg.get("enabled", True):
                continue
            for found in det.func(snap, dcfg):
                if _only_retired(snap, found):
                    continue
                if not found.team_ids:
                    found.team_ids = set(tops)
                found.team_ids = {
                    t for t in found.team_ids if t in snap.teams and t not in snap.retired
                }
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


REACH_LIMIT = 5000  # initiatives or objectives a walk visits before its reach is reported


def _reach(snap: snapshot_mod.Snapshot, found: Any) -> None:
    """Teams and people a problem touches: its teams plus, through the dependency graph,
    every team downstream of the initiatives it threatens (the blast radius, as
    `coordination.graph.downstream` computes it, on one reverse adjacency built once);
    for a problem with an objective or key result, every team whose objectives align
    beneath that objective and every team whose work serves them (the cascade). Each walk
    stops after REACH_LIMIT initiatives or objectives, so a very connected organization
    cannot make the evaluation quadratic; walks from the same place are shared. People are
    counted once however many of the teams they belong to."""
    rev: dict[int, list[int]] = defaultdict(list)
    for d in snap.dependencies.values():
        if d.active and d.provider_initiative_id:
            rev[d.provider_initiative_id].append(d.requester_initiative_id)
    team_of = {i.id: i.team_id for i in snap.initiatives.values()}
    memo: dict[frozenset, set[int]] = {}
    cascade = _Cascade(snap)
    members = {t.id: t.members for t in snap.teams.values()}
    empty: frozenset[int] = frozenset()
    for f in found:
        teams = set(f.team_ids)
        if f.initiative_ids and rev:
            key = frozenset(f.initiative_ids)
            if key not in memo:
                memo[key] = _downstream_teams(key, rev, team_of)
            teams |= memo[key]
        teams |= {team_of[i] for i in f.initiative_ids if i in team_of}
        cascade.add_teams(f, teams)
        if len(teams) == 1:
            people = len(members.get(next(iter(teams)), empty))
        else:
            people = len(empty.union(*(members[t] for t in teams if t in members)))
        f.numbers.setdefault("reach_teams", len(teams))
        f.numbers.setdefault("reach_people", people)


class _Cascade:
    """The teams beneath an objective: those of the objectives aligned under it, at any
    depth, and those of the work serving any of them (or, for a key result, serving it)."""

    def __init__(self, snap: snapshot_mod.Snapshot):
        self.snap = snap
        self.children: dict[int, list[int]] = defaultdict(list)
        for o in snap.objectives.values():
            for parent in o.parent_ids:
                self.children[parent].append(o.id)
        self.serving: dict[int, set[int]] = defaultdict(set)  # objective -> teams
        self.serving_kr: dict[int, set[int]] = defaultdict(set)  # key result -> teams
        for i in snap.initiatives.values():
            for oid in i.objective_ids:
                self.serving[oid].add(i.team_id)
            for kid in i.key_result_ids:
                self.serving_kr[kid].add(i.team_id)
                kr = snap.key_results.get(kid)
                if kr is not None:
                    self.serving[kr.objective_id].add(i.team_id)
        self.memo: dict[int, frozenset[int]] = {}

    def add_teams(self, f: Any, teams: set[int]) -> None:
        """Add to `teams` those beneath the objective or key result `f` is about."""
        if f.subject_type == "alignment.objective":
            obj = self.snap.objectives.get(int(f.subject_id))
            if obj is not None:
                teams |= self.serving[obj.id]
                teams |= self.below(obj.id)
        elif f.subject_type == "alignment.keyresult":
            kr = self.snap.key_results.get(int(f.subject_id))
            if kr is not None:
                teams |= self.serving_kr[kr.id]
                teams |= self.below(kr.objective_id)

    def below(self, objective_id: int) -> frozenset[int]:
        """Teams of the objectives under `objective_id` (not itself) and of their work."""
        if objective_id in self.memo:
            return self.memo[objective_id]
        out: set[int] = set()
        seen = {objective_id}
        stack = list(self.children.get(objective_id, ()))
        while stack and len(seen) < REACH_LIMIT:
            oid = stack.pop()
            if oid in seen:
                continue
            seen.add(oid)
            obj = self.snap.objectives.get(oid)
            if obj is not None and obj.team_id is not None:
                out.add(obj.team_id)
            out |= self.serving[oid]
            stack.extend(self.children.get(oid, ()))
        self.memo[objective_id] = frozenset(out)
        return self.memo[objective_id]


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


def measures(
    snap: snapshot_mod.Snapshot, weeks: int = health_mod.WINDOW_WEEKS
) -> dict[int, dict[str, float]]:
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


def judged(
    snap: snapshot_mod.Snapshot, weeks: int = health_mod.WINDOW_WEEKS
) -> dict[int, set[str]]:
    """Per team, the health dimensions it has something of its own to judge in as of the
    snapshot's moment (`health.NOTHING_TO_JUDGE` says what each looks for); a signal
    concerning the team adds its dimension too (`health.compute`). What is of no team (the
    organization's own objectives, a decision of nobody's team) is no team's to be judged
    on: one company objective does not make every department, empty ones too, score 100.
    Linear in the snapshot's rows."""
    since = snap.as_of - dt.timedelta(weeks=weeks)
    out: dict[int, set[str]] = defaultdict(set)
    work = ("alignment", "execution")
    for o in snap.objectives.values():
        if o.status in ("draft", "active") and o.team_id is not None:
            out[o.team_id].update(work)
    for i in snap.initiatives.values():
        if i.status in OPEN_INIT:
            out[i.team_id].update(work)
    for d in snap.dependencies.values():
        if d.active or (d.closed_at is not None and d.closed_at >= since):
            out[d.requester_team_id].add("dependencies")
            out[d.provider_team_id].add("dependencies")
    for cad in snap.cadences.values():
        # Check-ins owed by a team's members; meetings of a cadence of some teams (not the
        # whole organization's) for its teams with people in them.
        for occ in cad.occurrences:
            if occ.due >= since:
                for pid in occ.status:
                    person = snap.people.get(pid)
                    for t in person.teams & cad.team_ids if person else ():
                        out[t].add("rhythm")
        if not cad.whole_org and any(at >= since for at, _, _ in cad.meetings):
            for t in cad.team_ids:
                team = snap.teams.get(t)
                if team is not None and team.members:
                    out[t].add("rhythm")
    for dec in snap.decisions.values():
        decided = dec.decided_at is not None and dec.decided_at >= since
        if dec.undecided or dec.opened_at >= since or decided:
            for t in decision_teams(snap, dec):
                out[t].add("decisions")
    for a in snap.action_items.values():
        recent = a.created_at >= since or (a.done_at is not None and a.done_at >= since)
        if a.team_id is not None and (a.status == "open" or recent):
            out[a.team_id].add("decisions")
    for issue in snap.issues.values():
        if issue.status == "open" or issue.opened_at >= since:
            out[issue.team_id].add("decisions")
    return out


# --- storing signals ---------------------------------------------------------------------


CHUNK = 500  # ids per `IN (…)` list
INSERT_BATCH = 2000  # rows per executemany


@dataclass(slots=True)
class _Live:
    """A stored signal as the evaluation reads it: plain values, the JSON as stored text."""

    pk: int
    ident: tuple[str, str, str]
    state: str
    snoozed_until: dt.date | None
    facts: tuple  # as `_facts` orders them, with `evidence` and `numbers` as stored text


def _facts(f: Found, evidence: str, numbers: str) -> tuple:
    """What a signal stores of what its detector found (and `_store_signals` may change)."""
    return (
        f.severity,
        f.subject_label[:300],
        f.title[:300],
        f.explanation,
        f.next_step,
        f.owner_id,
        evidence,
        numbers,
        f.numbers.get("reach_teams", len(f.team_ids)),
        f.numbers.get("reach_people", 0),
    )


_FACT_FIELDS = (
    "severity",
    "subject_label",
    "title",
    "explanation",
    "next_step",
    "owner_id",
    "evidence",
    "numbers",
    "reach_teams",
    "reach_people",
)
_EVIDENCE, _NUMBERS = 6, 7  # their places in `_facts`


def _same_json(stored: str | None, text: str, value: Any) -> bool:
    """The stored JSON text holds `value`: the same text (what this engine wrote, no
    decoding), else the same value once decoded (a database that normalises JSON, such as
    PostgreSQL's jsonb, or a value written another way)."""
    if stored == text:
        return True
    if stored is None:
        return False
    return json.loads(stored) == value


def _same_facts(stored: tuple, new: tuple, f: Found) -> bool:
    for n, (a, b) in enumerate(zip(stored, new, strict=True)):
        if n == _EVIDENCE:
            if not _same_json(a, b, f.evidence):
                return False
        elif n == _NUMBERS:
            if not _same_json(a, b, f.numbers):
                return False
        elif a != b:
            return False
    return True


def _live_rows(queryset) -> Iterator[_Live]:
    """Signals as plain rows, streamed, their JSON fields as the stored text (not decoded)."""
    rows = queryset.annotate(
        evidence_text=Cast("evidence", TextField()), numbers_text=Cast("numbers", TextField())
    ).values_list(
        "pk", "kind", "subject_type", "subject_id", "state", "snoozed_until",
        "severity", "subject_label", "title", "explanation", "next_step", "owner_id",
        "evidence_text", "numbers_text", "reach_teams", "reach_people",
    )  # fmt: skip
    for r in rows.iterator(chunk_size=5000):
        yield _Live(r[0], (r[1], r[2], r[3]), r[4], r[5], r[6:])


def _insert(model: type, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows (values already adapted for the database) in batches, without
    model instances: at 10,000 teams a first evaluation inserts 180,000 signals."""
    if not rows:
        return
    qn = connection.ops.quote_name
    names = ", ".join(qn(model._meta.get_field(c).column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for i in range(0, len(rows), INSERT_BATCH):
            cursor.executemany(sql, rows[i : i + INSERT_BATCH])


def _update_rows(model: type, changes: list[tuple[int, dict[str, Any]]]) -> None:
    """Rewrite rows by id, each with its own values: one executemany per set of fields
    changed (an UPDATE per row through the ORM costs a query's compilation each)."""
    groups: dict[tuple[str, ...], list[tuple]] = defaultdict(list)
    fields = {}
    for pk, values in changes:
        names = tuple(values)
        for name in names:
            if name not in fields:
                fields[name] = model._meta.get_field(name)
        groups[names].append(
            (*(fields[n].get_db_prep_save(v, connection) for n, v in values.items()), pk)
        )
    qn = connection.ops.quote_name
    table, pk_column = qn(model._meta.db_table), qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        for names, rows in groups.items():
            sets = ", ".join(f"{qn(fields[n].column)} = %s" for n in names)
            sql = f"UPDATE {table} SET {sets} WHERE {pk_column} = %s"
            for i in range(0, len(rows), INSERT_BATCH):
                cursor.executemany(sql, rows[i : i + INSERT_BATCH])


@dataclass(slots=True)
class Stored:
    """What `_store_signals` did: every found signal's (id, state) by identity, counts, and
    the signals that were live but not critical and now are (to announce, as new ones)."""

    live: dict[tuple, tuple[int, str]]
    opened: int
    resolved: int
    escalated: list[int] = field(default_factory=list)


@dataclass(slots=True)
class SignalPlan:
    """What storing `found` will write, read from the stored signals, their open episodes
    and team links (`_plan_signals`): computed before the transaction that writes it."""

    texts: dict[tuple, tuple[str, str]]
    seen: list[int]
    rewrite: list[tuple[int, dict[str, Any]]]
    resolved: list[int]
    end: list[int]
    starting: list[tuple[tuple, int | None]]
    live: dict[tuple, tuple[int, str]]
    escalated: list[int]
    reopened: int
    new_idents: list[tuple]
    teams_had: dict[int, set[int]]
    # Of `resolved`: those gone because every team they concerned (or their subject team)
    # is retired, closed with `closed_reason` "team_retired" rather than shown as fixed.
    retired_closed: list[int] = field(default_factory=list)
    # Of `resolved`: those gone because a more serious signal about the same subject is
    # found now (`Detector.takes_over`), closed with `closed_reason` "taken_over".
    taken_over: list[int] = field(default_factory=list)


def _team_id(subject_id: str) -> int | None:
    return int(subject_id) if subject_id.isdigit() else None


def _plan_signals(org: Organization, found: dict[tuple, Found], moment: dt.datetime) -> SignalPlan:
    """Upsert by identity (see the module docstring), planned: signals found again whose
    stored facts did not change cost one id in an UPDATE of `last_seen`; only the few
    whose facts or state changed are rewritten one by one (`_apply_signals`)."""
    today = moment.date()

    # Every live signal, and the resolved ones found again (they pile up over the years:
    # looked up by identity from a light list), streamed as plain rows: only what is to be
    # written is kept.
    signals = Signal.objects.filter(org=org)
    back = [
        pk
        for pk, *ident in signals.filter(state=SignalState.RESOLVED).values_list(
            "pk", "kind", "subject_type", "subject_id"
        )
        if tuple(ident) in found
    ]
    texts = {ident: (json.dumps(f.evidence), json.dumps(f.numbers)) for ident, f in found.items()}
    seen: list[int] = []  # found again, nothing but `last_seen` to write
    rewrite: list[tuple[int, dict[str, Any]]] = []
    resolved: list[int] = []
    starting: list[tuple[tuple, int | None]] = []  # episodes to start: (identity, signal id)
    # Signals whose open stretch ends now (None) or continues if its facts are still those
    # found (the identity): read with the open stretches below.
    stretch: dict[int, tuple | None] = {}
    live: dict[tuple, tuple[int, str]] = {}
    escalated: list[int] = []  # live, not critical before, critical now
    reopened = 0
    for row in itertools.chain(
        _live_rows(signals.exclude(state=SignalState.RESOLVED)),
        *(
            _live_rows(signals.filter(pk__in=back[i : i + CHUNK]))
            for i in range(0, len(back), CHUNK)
        ),
    ):
        ident, f = row.ident, found.get(row.ident)
        if f is None:
            if row.state != SignalState.RESOLVED:
                resolved.append(row.pk)
                stretch[row.pk] = None
            continue
        ev_text, num_text = texts[ident]
        facts = _facts(f, ev_text, num_text)
        changes: dict[str, Any] = {}
        state = row.state
        if state == SignalState.RESOLVED:
            state = SignalState.OPEN
            changes.update(
                state=state,
                first_seen=moment,
                resolved_at=None,
                closed_reason="",
                snoozed_until=None,
                dismissed_reason="",
                state_changed_at=moment,
                state_changed_by=None,
            )
            reopened += 1
        elif state == SignalState.SNOOZED and row.snoozed_until and row.snoozed_until < today:
            state = SignalState.OPEN
            changes.update(
                state=state, snoozed_until=None, state_changed_at=moment, state_changed_by=None
            )
        live[ident] = (row.pk, state)
        if (
            f.severity == "critical"
            and row.facts[0] != "critical"
            and state in (SignalState.OPEN, SignalState.ACKNOWLEDGED)
            and row.state != SignalState.RESOLVED  # reopened: its `first_seen` is now
        ):
            escalated.append(row.pk)
        if not _same_facts(row.facts, facts, f):
            changes.update(zip(_FACT_FIELDS, facts, strict=True))
            changes["evidence"], changes["numbers"] = f.evidence, f.numbers
        if changes:
            changes["last_seen"] = moment
            rewrite.append((row.pk, changes))
        else:
            seen.append(row.pk)
        if row.state == SignalState.RESOLVED:  # reopened: a new stretch, and a stray open
            stretch[row.pk] = None  # one ends
            starting.append((ident, row.pk))
        else:
            stretch[row.pk] = ident
    # Episodes: stretches of time the condition held. The facts of a stretch never change:
    # a change ends it and starts the next, so the rows covering a past moment hold exactly
    # what that moment's evaluation stored. A signal's open stretch is its latest one.
    latest_open: dict[int, tuple[int, bool]] = {}  # signal -> (episode, same facts)
    for sid, pk, severity, explanation, ev_stored, num_stored in (
        SignalEpisode.objects.filter(org=org, ended_at__isnull=True)
        .annotate(
            evidence_text=Cast("evidence", TextField()),
            numbers_text=Cast("numbers", TextField()),
        )
        .values_list("signal_id", "pk", "severity", "explanation", "evidence_text", "numbers_text")
        .iterator(chunk_size=5000)
    ):
        if sid not in stretch:
            continue
        ident = stretch[sid]
        same = False
        if ident is not None:
            f = found[ident]
            same = (
                severity == f.severity
                and explanation == f.explanation
                and _same_json(ev_stored, texts[ident][0], f.evidence)
                and _same_json(num_stored, texts[ident][1], f.numbers)
            )
        latest_open[sid] = (pk, same)
    end: list[int] = []  # episodes that end now
    for sid, ident in stretch.items():
        e = latest_open.get(sid)
        if ident is None:
            if e is not None:
                end.append(e[0])
        elif e is None or not e[1]:
            if e is not None:
                end.append(e[0])
            starting.append((ident, sid))
    del stretch, latest_open
    new_idents = [ident for ident in found if ident not in live]
    starting += [(ident, None) for ident in new_idents]
    # Teams concerned, as stored: the writing adds and removes only the difference.
    # Those of the live signals and of the resolved ones found again (reopened now).
    links = SignalTeam.objects.filter(org=org)
    teams_had: dict[int, set[int]] = defaultdict(set)
    for sid, tid in itertools.chain(
        links.exclude(signal__state=SignalState.RESOLVED)
        .values_list("signal_id", "team_id")
        .iterator(chunk_size=10000),
        *(
            links.filter(signal_id__in=back[i : i + CHUNK]).values_list("signal_id", "team_id")
            for i in range(0, len(back), CHUNK)
        ),
    ):
        teams_had[sid].add(tid)
    return SignalPlan(
        texts, seen, rewrite, resolved, end, starting, live, escalated, reopened, new_idents,
        teams_had,
    )  # fmt: skip


def _closed_by_retirement(plan: SignalPlan | None, retired: set[int]) -> SignalPlan | None:
    """Note in `plan` which of the signals it resolves went away because their teams were
    retired (every team they concerned, as stored, or their subject team), not because
    anyone fixed them: they are closed with `closed_reason` "team_retired"."""
    if plan is None or not retired or not plan.resolved:
        return plan
    closed = {
        pk for pk in plan.resolved if plan.teams_had.get(pk) and plan.teams_had[pk] <= retired
    }
    for i in range(0, len(plan.resolved), CHUNK):
        about_teams = Signal.objects.filter(
            pk__in=plan.resolved[i : i + CHUNK], subject_type="org.team"
        ).values_list("pk", "subject_id")
        closed.update(pk for pk, sid in about_teams if _team_id(sid) in retired)
    plan.retired_closed = sorted(closed)
    return plan


def _closed_by_takeover(plan: SignalPlan | None, found: dict[tuple, Found]) -> SignalPlan | None:
    """Note in `plan` which of the signals it resolves ended because a signal that takes
    over from them (`Detector.takes_over`: predicted late -> overdue) about the same subject
    is found now: the problem got worse, nobody fixed it."""
    if plan is None or not plan.resolved:
        return plan
    takers: dict[str, list[str]] = defaultdict(list)  # taken-over kind -> its takers
    for kind, d in discover().items():
        for taken in d.takes_over:
            takers[taken].append(kind)
    if not takers:
        return plan
    closed = []
    for i in range(0, len(plan.resolved), CHUNK):
        rows = Signal.objects.filter(
            pk__in=plan.resolved[i : i + CHUNK], kind__in=list(takers)
        ).values_list("pk", "kind", "subject_type", "subject_id")
        closed += [
            pk
            for pk, kind, stype, sid in rows
            if any((taker, stype, sid) in found for taker in takers[kind])
        ]
    plan.taken_over = sorted(closed)
    return plan


def _apply_signals(
    org: Organization, found: dict[tuple, Found], plan: SignalPlan, moment: dt.datetime
) -> Stored:
    """Write what `_plan_signals` planned (inside the evaluation's transaction): the new
    signals, `last_seen`, the rewritten and the resolved ones, episodes and team links."""
    ops = connection.ops
    at = ops.adapt_datetimefield_value(moment)

    # JSON for the database: the text itself where the backend stores `json.dumps` text.
    plain_json = type(ops).adapt_json_value is BaseDatabaseOperations.adapt_json_value

    def as_json(value: Any, text: str) -> Any:
        return text if plain_json else ops.adapt_json_value(value, None)

    texts, live, new_idents = plan.texts, dict(plan.live), plan.new_idents
    signals = Signal.objects.filter(org=org)
    new_rows = []
    for ident in new_idents:
        f = found[ident]
        ev_text, num_text = texts[ident]
        facts = _facts(f, ev_text, num_text)
        new_rows.append(
            (org.pk, f.kind, f.subject_type, f.subject_id, *facts[:_EVIDENCE],
             as_json(f.evidence, ev_text), as_json(f.numbers, num_text),
             *facts[_NUMBERS + 1 :],
             at, at, SignalState.OPEN, "", "", 1)
        )  # fmt: skip

    _insert(
        Signal,
        ("org", "kind", "subject_type", "subject_id", *_FACT_FIELDS,
         "first_seen", "last_seen", "state", "dismissed_reason", "closed_reason", "version"),
        new_rows,
    )  # fmt: skip
    del new_rows
    if new_idents:
        wanted = set(new_idents)
        for pk, *ident in signals.filter(first_seen=moment, state=SignalState.OPEN).values_list(
            "pk", "kind", "subject_type", "subject_id"
        ):
            if tuple(ident) in wanted:
                live[tuple(ident)] = (pk, SignalState.OPEN)
    seen, resolved, end = plan.seen, plan.resolved, plan.end
    for i in range(0, len(seen), CHUNK):
        Signal.objects.filter(pk__in=seen[i : i + CHUNK]).update(last_seen=moment)
    _update_rows(Signal, plan.rewrite)
    for i in range(0, len(resolved), CHUNK):
        Signal.objects.filter(pk__in=resolved[i : i + CHUNK]).update(
            state=SignalState.RESOLVED,
            resolved_at=moment,
            snoozed_until=None,
            state_changed_at=moment,
            state_changed_by=None,
        )
    for i in range(0, len(plan.taken_over), CHUNK):
        Signal.objects.filter(pk__in=plan.taken_over[i : i + CHUNK]).update(
            closed_reason=CLOSED_TAKEN_OVER
        )
    for i in range(0, len(plan.retired_closed), CHUNK):
        Signal.objects.filter(pk__in=plan.retired_closed[i : i + CHUNK]).update(
            closed_reason=CLOSED_TEAM_RETIRED
        )
    for i in range(0, len(end), CHUNK):
        SignalEpisode.objects.filter(pk__in=end[i : i + CHUNK]).update(ended_at=moment)
    episodes = []
    for ident, pk in plan.starting:
        f = found[ident]
        pk = pk if pk is not None else live[ident][0]
        ev_text, num_text = texts[ident]
        episodes.append(
            (org.pk, pk, at, f.severity, f.explanation,
             as_json(f.evidence, ev_text), as_json(f.numbers, num_text))
        )  # fmt: skip
    _insert(
        SignalEpisode,
        ("org", "signal", "started_at", "severity", "explanation", "evidence", "numbers"),
        episodes,
    )
    del episodes
    # Teams concerned: add and remove only the difference.
    have = plan.teams_had
    add: list[tuple[int, int, int]] = []
    remove: dict[int, list[int]] = defaultdict(list)
    empty: set[int] = set()
    for ident, (pk, _state) in live.items():
        want, got = found[ident].team_ids, have.get(pk, empty)
        add += [(org.pk, pk, t) for t in want - got]
        for t in got - want:
            remove[pk].append(t)
    _insert(SignalTeam, ("org", "signal", "team"), add)
    for sid, tids in remove.items():
        SignalTeam.objects.filter(signal_id=sid, team_id__in=tids).delete()
    return Stored(live, len(new_idents) + plan.reopened, len(resolved), plan.escalated)


# --- storing health ----------------------------------------------------------------------


def _stores_signals(org: Organization, moment: dt.datetime, backfill: bool) -> bool:
    """Whether this evaluation stores its signals: a live one, not older than the latest."""
    latest = (
        Evaluation.objects.filter(org=org, backfill=False)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )
    return not backfill and (latest is None or moment >= latest)


@dataclass(frozen=True, slots=True)
class _Mark:
    at: dt.datetime
    last_evaluation: int | None


def _mark(org: Organization) -> _Mark:
    last = Evaluation.objects.filter(org=org).order_by("-pk").values_list("pk", flat=True)
    return _Mark(timezone.now(), last.first())


def _changed_since(org: Organization, mark: _Mark) -> bool:
    """Whether what a plan read may have changed since `mark`: a signal's state set (by a
    person, or by another evaluation) or another evaluation stored."""
    if _mark(org).last_evaluation != mark.last_evaluation:
        return True
    return Signal.objects.filter(org=org, state_changed_at__gte=mark.at).exists()


def _planned_live(plan: SignalPlan | None) -> dict[tuple, tuple[int, str]] | None:
    """Every found signal's (id, state) as the plan leaves them; a new signal's id is a
    stand-in (negative) until it is inserted (`_new_ids`)."""
    if plan is None:
        return None
    live = dict(plan.live)
    for n, ident in enumerate(plan.new_idents, 1):
        live[ident] = (-n, SignalState.OPEN)
    return live


def _new_ids(plan: SignalPlan | None, stored: Stored) -> dict[int, int]:
    """Stand-in id -> the inserted signal's id."""
    if plan is None:
        return {}
    return {-n: stored.live[ident][0] for n, ident in enumerate(plan.new_idents, 1)}


def _health(
    teams: dict[int, snapshot_mod.TeamS],
    team_measures: dict[int, dict[str, float]],
    found: dict[tuple, Found],
    live: dict[tuple, tuple[int, str]] | None,
    cfg: config_mod.Config,
    team_judged: dict[int, set[str]],
) -> dict[int, health_mod.TeamHealth]:
    """Every team's health (scored, not stored); `live` gives each found signal's id and
    state (a dismissed signal costs nothing); `team_judged`, what each team has to judge
    (`judged`)."""
    dims = {k: d.dimension for k, d in discover().items()}
    costs = []
    for ident, f in found.items():
        sig = live.get(ident) if live else None  # (id, state)
        costs.append(
            health_mod.SignalCost(
                signal_id=sig[0] if sig else None,
                kind=f.kind,
                title=f.title,
                dimension=dims.get(f.kind, "execution"),
                severity=f.severity,
                team_ids=f.team_ids,
                costs=not (sig and sig[1] == SignalState.DISMISSED),
            )
        )
    parents = {t.id: t.parent_id for t in teams.values()}
    people = {t.id: t.people for t in teams.values()}
    members = {t.id: t.members for t in teams.values()}
    return health_mod.compute(
        parents, people, costs, team_measures, cfg.health, members, team_judged
    )


def _rounded(score: float | None) -> float | None:
    return None if score is None else round(score, 1)


def _store_health(
    org: Organization,
    result: dict[int, health_mod.TeamHealth],
    moment: dt.datetime,
    new_ids: dict[int, int],
) -> int:
    """Store the day's health scores (`_health`), the explanations' stand-in ids of new
    signals replaced by theirs."""
    if new_ids:
        for th in result.values():
            for reasons in th.explanation.values():
                for reason in reasons:
                    sid = reason.get("signal_id")
                    if sid is not None and sid < 0:
                        reason["signal_id"] = new_ids[sid]
    day = moment.date()
    ops = connection.ops
    dims = (*DIMENSIONS, "overall")
    severities = ("info", "warning", "critical")
    columns = (
        "org", "team", "date", "people", *dims, "rollup_people",
        *(f"rollup_{d}" for d in dims), "explanation",
        *(f"open_{s}" for s in severities), *(f"rollup_open_{s}" for s in severities),
        "computed_at",
    )  # fmt: skip
    date, computed_at = (
        ops.adapt_datefield_value(day),
        ops.adapt_datetimefield_value(timezone.now()),
    )
    rows = [
        (
            org.pk,
            t,
            date,
            th.people,
            *(_rounded(th.scores[d]) for d in dims),
            th.rollup_people,
            *(_rounded(th.rollup[d]) for d in dims),
            ops.adapt_json_value(th.explanation, None),
            *(th.counts[s] for s in severities),
            *(th.rollup_counts[s] for s in severities),
            computed_at,
        )
        for t, th in result.items()
    ]
    HealthScore.objects.filter(org=org, date=day).delete()
    _insert(HealthScore, columns, rows)
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

    New critical signals, and open or acknowledged ones that turn critical, are announced
    to their owners after the evaluation commits, unless `announce` is false (the demo
    loader's history tells nobody).

    Two evaluations of one organization at once (the hourly one and one after writes)
    store one after the other: the organization's settings row is locked while storing,
    and the later one re-checks which moment is the latest stored."""
    # On SQLite, a larger page cache for the connection while evaluating:
    # with the default 2 MB, reading a large organization and inserting into the signals'
    # indexes goes to the file again and again (a cost that grows faster than the size).
    from accord.core.database import roomy_cache

    # The cyclic garbage collector stays off for the whole evaluation, not only while
    # loading: with the snapshot's millions of objects alive, each full collection while
    # storing and scoring rescans all of them (health measures took 100x longer at
    # 10,000 teams than at 1,000). The evaluation makes no reference cycles of its own.
    with roomy_cache(), no_gc():
        return _evaluate(org, as_of, backfill=backfill, announce=announce)


def _evaluate(
    org: Organization, as_of: dt.datetime | dt.date | None, *, backfill: bool, announce: bool
) -> Evaluation:
    started, started_at = time.monotonic(), timezone.now()
    moment = snapshot_mod.as_moment(as_of)
    cfg = config_mod.for_org(org)
    with no_gc():
        snap = snapshot_mod.load(org, moment, live=as_of is None)
    found = run_catalogue(snap, cfg)
    # All the health score needs of the snapshot; the rest is freed before storing.
    # Retired teams leave the health roll-up: no score of their own, nothing added up.
    teams = {pk: t for pk, t in snap.teams.items() if pk not in snap.retired}
    retired = set(snap.retired)
    team_measures = measures(snap)
    team_judged = judged(snap)
    del snap
    # The decisions pillar's stored latency figures ride along with a live evaluation.
    latency_rows = [] if backfill else latency.compute_all(org, today=timezone.localdate(moment))
    IntelligenceSettings.objects.get_or_create(org=org)
    # What storing writes is read and worked out before the transaction that writes it: on
    # SQLite a transaction holds the database's write lock from its start, and reading the
    # stored signals, their episodes and team links and scoring health take seconds at
    # 10,000 teams, during which no page could write. Planned again inside if a person
    # changed a signal or another evaluation stored meanwhile (then as before).
    mark = _mark(org)
    plan = _plan_signals(org, found, moment) if _stores_signals(org, moment, backfill) else None
    plan = _closed_by_takeover(_closed_by_retirement(plan, retired), found)
    health = _health(teams, team_measures, found, _planned_live(plan), cfg, team_judged)
    with transaction.atomic():
        IntelligenceSettings.objects.select_for_update().filter(org=org).first()
        store_signals = _stores_signals(org, moment, backfill)
        if store_signals and (plan is None or _changed_since(org, mark)):
            plan = _closed_by_retirement(_plan_signals(org, found, moment), retired)
            plan = _closed_by_takeover(plan, found)
            health = _health(teams, team_measures, found, _planned_live(plan), cfg, team_judged)
        elif not store_signals and plan is not None:
            plan, health = None, _health(teams, team_measures, found, None, cfg, team_judged)
        stored = _apply_signals(org, found, plan, moment) if plan else Stored({}, 0, 0)
        _store_health(org, health, moment, _new_ids(plan, stored))
        if store_signals:
            latency.store(org, latency_rows)
        run = Evaluation.objects.create(
            org=org,
            as_of=moment,
            started_at=started_at,
            finished_at=timezone.now(),
            duration_ms=int((time.monotonic() - started) * 1000),
            found=len(found),
            opened=stored.opened,
            resolved=stored.resolved,
            backfill=not store_signals,
        )
        if store_signals and stored.live and announce:
            new_critical = list(
                Signal.objects.filter(org=org, severity="critical", first_seen=moment).exclude(
                    state=SignalState.RESOLVED
                )
            )
            for i in range(0, len(stored.escalated), CHUNK):  # critical now, not before
                new_critical += Signal.objects.filter(
                    org=org, pk__in=stored.escalated[i : i + CHUNK]
                )
            if new_critical:
                from accord.intelligence import notifications

                transaction.on_commit(
                    lambda: notifications.announce_new_critical(org, new_critical)
                )
    log.info("evaluated %s as of %s: %s signals", org.slug, moment, len(found))
    return run


# The most weeks one backfill computes: five years, each week an evaluation of its own.
MAX_BACKFILL_WEEKS = 260


def backfill(org: Organization, weeks: int = 13, *, today: dt.date | None = None) -> int:
    """Weekly health history as of each past week's end, from the organization's own
    history (signals are left alone). Returns the number of weeks computed; refused
    outside 1 to `MAX_BACKFILL_WEEKS` weeks."""
    if not 1 <= weeks <= MAX_BACKFILL_WEEKS:
        raise ServiceError(
            f"Weeks to backfill must be 1 to {MAX_BACKFILL_WEEKS}, not {weeks}.",
            fields={"weeks": [f"1 to {MAX_BACKFILL_WEEKS}."]},
        )
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
