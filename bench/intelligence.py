"""Benchmark of the intelligence catalogue and the health scores on plain data.

A synthetic snapshot (no database): TEAMS teams in a tree (fan-out 6), 10 people each, 2
objectives with 2 key results (8 recorded values each) and 3 initiatives per team, 3
cross-team dependencies per team (a few blocked, late or in cycles), a weekly check-in
cadence and a weekly meeting cadence per team with 8 closed occurrences each, decisions,
action items, issues and re-rankings. Times every detector, the reach (blast radius) and
the health computation with its roll-up, at 1x (1,000 teams / 10,000 people) and 10x
(10,000 teams / 100,000 people), and prints the ratio (linear growth: about 10).

The full measurement (loading from the database included) runs on an organization built
by `accord generate` once it exists.

    python bench/intelligence.py            # 1x and 10x
    python bench/intelligence.py --only 1   # just 1x
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "accord.settings")

import django

django.setup()

from accord.intelligence import config, health  # noqa: E402
from accord.intelligence import evaluate as ev  # noqa: E402
from accord.intelligence.registry import discover  # noqa: E402
from accord.intelligence.snapshot import (  # noqa: E402
    ActionItemS,
    CadenceS,
    CheckinOccurrence,
    DecisionS,
    DependencyS,
    InitiativeS,
    IssueS,
    KeyResultS,
    ObjectiveS,
    PeriodS,
    PersonS,
    Snapshot,
    TeamS,
)

AS_OF = dt.datetime(2026, 2, 20, 17, 0, tzinfo=dt.UTC)


def synthetic(teams: int, seed: int = 11) -> Snapshot:
    rng = random.Random(seed)
    snap = Snapshot(org_id=1, org_name="Synthetic", as_of=AS_OF)
    snap.periods[1] = PeriodS(1, "Q1", dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    pid = 0
    for t in range(teams):
        parent = None if t == 0 else (t - 1) // 6
        team = TeamS(t, f"Team {t}", parent, wip_limit=3 if t % 4 == 0 else None)
        snap.teams[t] = team
        for i in range(10):
            snap.people[pid] = PersonS(pid, f"Person {pid}", True, {t}, 100 + (i == 0) * 20)
            team.members.add(pid)
            if i == 0:
                team.leads.add(pid)
            pid += 1
    oid = kid = iid = 0
    for t in range(teams):
        lead = min(snap.teams[t].leads)
        for _ in range(2):
            created = AS_OF - dt.timedelta(days=45)
            obj = ObjectiveS(oid, f"Objective {oid}", t, lead, 1, "active", created_at=created)
            for w in range(3):
                obj.confidence_history.append(
                    (AS_OF - dt.timedelta(weeks=3 - w), rng.choice([8, 7, 6, 5, 8, 8]))
                )
            obj.confidence = obj.confidence_history[-1][1]
            snap.objectives[oid] = obj
            for _ in range(2):
                kr = KeyResultS(kid, f"KR {kid}", oid, lead, "increase", 0.0, 100.0, None, None,
                                False, 0.0, False, created_at=created)  # fmt: skip
                v = 0.0
                for w in range(8):
                    v += rng.uniform(0, 8)
                    kr.values.append((AS_OF - dt.timedelta(weeks=8 - w), round(v, 1)))
                kr.current = v
                snap.key_results[kid] = kr
                kid += 1
            oid += 1
        for r in range(3):
            target = dt.date(2026, 3, 1) + dt.timedelta(days=rng.randrange(0, 40))
            baseline = target - dt.timedelta(days=rng.choice([0, 0, 14]))
            init = InitiativeS(iid, f"Initiative {iid}", t, lead, "active", dt.date(2026, 1, 1),
                               target, baseline, r + 1)  # fmt: skip
            if rng.random() < 0.8:
                init.key_result_ids.add(kid - 1 - (r % 4))
            if rng.random() < 0.1:
                init.replans = [(AS_OF - dt.timedelta(days=d), None, None) for d in (30, 10)]
            snap.initiatives[iid] = init
            iid += 1
    n_init = iid
    for d in range(teams * 3):
        a = rng.randrange(n_init)
        b = (
            rng.randrange(max(0, a - 300), a)
            if a and rng.random() > 0.001
            else rng.randrange(n_init)
        )
        ra, rb = snap.initiatives[a], snap.initiatives[b]
        if ra.team_id == rb.team_id:
            continue
        state = rng.choice(["accepted"] * 6 + ["requested", "negotiating", "declined", "delivered"])
        need = dt.date(2026, 2, 1) + dt.timedelta(days=rng.randrange(0, 60))
        snap.dependencies[d] = DependencyS(
            d, f"Dep {d}", ra.team_id, a, rb.team_id, b if state == "accepted" else None, need,
            need if state == "accepted" else None, state, "blocked" if rng.random() < 0.02 else "",
            AS_OF - dt.timedelta(days=rng.randrange(1, 40)), None, None,
        )  # fmt: skip
    for t in range(teams):
        members = sorted(snap.teams[t].members)
        cad = CadenceS(2 * t, f"Check-in {t}", "checkin", {t}, members[0])
        sync = CadenceS(2 * t + 1, f"Sync {t}", "sync", {t}, members[0])
        for w in range(8):
            due = AS_OF - dt.timedelta(weeks=8 - w)
            status = {p: rng.choice(["on_time"] * 8 + ["late", "missed"]) for p in members}
            cad.occurrences.append(CheckinOccurrence(cad.id, due, status))
            sync.meetings.append((due, rng.random() < 0.95, rng.uniform(5, 9)))
        snap.cadences[cad.id] = cad
        snap.cadences[sync.id] = sync
        lead = members[0]
        for k in range(2):
            opened = AS_OF - dt.timedelta(days=rng.randrange(1, 120))
            decided = opened + dt.timedelta(days=rng.randrange(1, 20))
            did = 2 * t + k
            snap.decisions[did] = DecisionS(
                did, f"Decision {did}", "decided" if decided < AS_OF else "open",
                rng.choice(members), opened.date() + dt.timedelta(days=14), opened,
                decided if decided < AS_OF else None, {t},
            )  # fmt: skip
        for k in range(3):
            aid = 3 * t + k
            due = (AS_OF - dt.timedelta(days=rng.randrange(1, 40))).date()
            done = rng.random() < 0.7
            snap.action_items[aid] = ActionItemS(
                aid, f"Action {aid}", lead, t, "done" if done else "open", due,
                AS_OF - dt.timedelta(days=30) if done else None, AS_OF - dt.timedelta(days=50),
            )  # fmt: skip
        if t % 5 == 0:
            opened = AS_OF - dt.timedelta(days=rng.randrange(1, 40))
            snap.issues[t] = IssueS(t, f"Issue {t}", t, "open", opened, opened)
        for k in range(rng.randrange(0, 5)):
            snap.rank_changes.append((t, 3 * t, AS_OF - dt.timedelta(days=k + 1)))
    return snap


def timed(fn, repeat: int = 2):
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        took = time.perf_counter() - start
        best = took if best is None else min(best, took)
    return best, result


def measure(teams: int) -> dict[str, float]:
    with ev.no_gc():  # as `evaluate` runs them
        return _measure(teams)


def _measure(teams: int) -> dict[str, float]:
    snap = synthetic(teams)
    cfg = config.defaults()
    out: dict[str, float] = {}
    for kind, det in sorted(discover().items()):
        out[kind], _ = timed(lambda det=det: list(det.func(snap, cfg.detectors[det.kind])))
    out["catalogue + reach"], found = timed(lambda: ev.run_catalogue(snap, cfg))
    dims = {k: d.dimension for k, d in discover().items()}
    costs = [
        health.SignalCost(None, f.kind, f.title, dims[f.kind], f.severity, f.team_ids)
        for f in found.values()
    ]
    parents = {t.id: t.parent_id for t in snap.teams.values()}
    people = {t.id: t.people for t in snap.teams.values()}
    out["health (measures, scores, roll-up)"], _ = timed(
        lambda: health.compute(parents, people, costs, ev.measures(snap), cfg.health)
    )
    out["_signals"] = len(found)
    out["_people"] = len(snap.people)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", type=int, choices=[1, 10])
    args = parser.parse_args()
    scales = [args.only] if args.only else [1, 10]
    results = {s: measure(1000 * s) for s in scales}
    keys = [k for k in results[scales[0]] if not k.startswith("_")]
    head = "".join(f"{f'{s}x ({1000 * s:,} teams)':>24}" for s in scales)
    print(f"{'':40}{head}{'ratio':>8}" if len(scales) == 2 else f"{'':40}{head}")
    for k in keys:
        row = "".join(f"{results[s][k] * 1000:>21.1f} ms" for s in scales)
        ratio = (
            f"{results[10][k] / results[1][k]:>7.1f}x"
            if len(scales) == 2 and results[1][k] > 0
            else ""
        )
        print(f"{k:40}{row}{ratio}")
    for s in scales:
        r = results[s]
        print(f"{s}x: {r['_people']:,} people, {r['_signals']:,} signals found")


if __name__ == "__main__":
    main()
