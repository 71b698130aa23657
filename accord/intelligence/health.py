"""Coordination health: pure arithmetic over teams, signals and measures (no database).

See `config.py` for the rules and their defaults. Everything here is linear in the number
of teams plus signals' teams times the tree's depth.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.intelligence.models import DIMENSIONS


@dataclass
class SignalCost:
    """What one live signal weighs: its dimension, severity and the teams it concerns."""

    signal_id: int | None
    kind: str
    title: str
    dimension: str
    severity: str
    team_ids: Iterable[int]
    costs: bool = True  # False for a dismissed signal


@dataclass
class TeamHealth:
    team_id: int
    people: int
    scores: dict[str, float] = field(default_factory=dict)  # dimensions + overall
    explanation: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"info": 0, "warning": 0, "critical": 0})
    rollup_people: int = 0
    rollup: dict[str, float] = field(default_factory=dict)
    rollup_counts: dict[str, int] = field(
        default_factory=lambda: {"info": 0, "warning": 0, "critical": 0}
    )


def clamp(x: float) -> float:
    return max(0.0, min(100.0, x))


def overall(scores: Mapping[str, float], weights: Mapping[str, float]) -> float:
    total = sum(max(0.0, float(weights.get(d, 0))) for d in DIMENSIONS)
    if total <= 0:
        return clamp(sum(scores[d] for d in DIMENSIONS) / len(DIMENSIONS))
    return clamp(sum(scores[d] * max(0.0, float(weights.get(d, 0))) for d in DIMENSIONS) / total)


def _post_order(parents: Mapping[int, int | None]) -> tuple[list[int], dict]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for t, p in parents.items():
        children[p if p in parents else None].append(t)
    order: list[int] = []
    stack = list(children[None])
    while stack:  # pre-order; reversed, each team comes after all its descendants
        t = stack.pop()
        order.append(t)
        stack.extend(children.get(t, ()))
    order.reverse()
    return order, children


def subtree_sums(
    parents: Mapping[int, int | None],
    values: Mapping[int, Mapping[str, float]],
    keys: Iterable[str],
) -> dict[int, dict[str, float]]:
    """Per team, each key summed over its subtree (itself included). Linear."""
    keys = list(keys)
    order, children = _post_order(parents)
    out: dict[int, dict[str, float]] = {}
    for t in order:
        acc = {k: float(values.get(t, {}).get(k, 0.0)) for k in keys}
        for c in children.get(t, ()):
            for k in keys:
                acc[k] += out[c][k]
        out[t] = acc
    return out


def weighted_rollup(
    parents: Mapping[int, int | None],
    own: Mapping[int, Mapping[str, float]],
    people: Mapping[int, int],
    keys: Iterable[str],
) -> dict[int, dict[str, float]]:
    """Per team, each key's mean over its subtree (itself included) weighted by people;
    equal weights where the whole subtree has nobody. Linear: one pass from the leaves."""
    keys = list(keys)
    vals = {}
    for t in parents:
        w = float(people.get(t, 0))
        row = {"_w": w, "_n": 1.0}
        for k in keys:
            row["w_" + k] = w * own[t][k]
            row["n_" + k] = own[t][k]
        vals[t] = row
    sums = subtree_sums(
        parents, vals, ["_w", "_n", *("w_" + k for k in keys), *("n_" + k for k in keys)]
    )
    out: dict[int, dict[str, float]] = {}
    for t, acc in sums.items():
        if acc["_w"] > 0:
            out[t] = {k: clamp(acc["w_" + k] / acc["_w"]) for k in keys}
        else:
            out[t] = {k: clamp(acc["n_" + k] / acc["_n"]) for k in keys}
    return out


def distinct_people(
    parents: Mapping[int, int | None], members: Mapping[int, Iterable[int]]
) -> dict[int, int]:
    """Per team, the people of its subtree (itself included), each counted once however
    many of the subtree's teams they belong to. Linear in memberships times depth."""
    teams_of: dict[int, list[int]] = defaultdict(list)
    for t, ids in members.items():
        for pid in ids:
            teams_of[pid].append(t)
    out = dict.fromkeys(parents, 0)
    for teams in teams_of.values():
        seen: set[int] = set()
        for t in teams:
            cur: int | None = t
            while cur is not None and cur in parents and cur not in seen:
                seen.add(cur)
                cur = parents[cur]
        for t in seen:
            out[t] += 1
    return out


def subtree_counts(
    parents: Mapping[int, int | None], signals: Iterable[SignalCost]
) -> dict[int, dict[str, int]]:
    """Per team, the signals concerning any team of its subtree (itself included) by
    severity, each counted once however many of the subtree's teams it concerns. A signal
    of one team adds up the tree with the others (linear); one of several teams counts
    once in the union of their ancestors (each team's walked once)."""
    keys = ("info", "warning", "critical")
    single: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(keys, 0.0))
    extra_by: dict[str, dict[int, int]] = {k: defaultdict(int) for k in keys}
    up: dict[int, tuple[int, ...]] = {}  # a team and its ancestors, walked once per team
    for s in signals:
        teams = [t for t in set(s.team_ids) if t in parents]
        if len(teams) == 1:
            single[teams[0]][s.severity] += 1
            continue
        chains = []
        for t in teams:
            if t not in up:
                up[t] = _ancestors(parents, t)
            chains.append(up[t])
        row = extra_by[s.severity]
        for t in set().union(*chains):
            row[t] += 1
    sums = subtree_sums(parents, single, keys)
    return {t: {k: int(sums[t][k]) + extra_by[k][t] for k in keys} for t in parents}


def _ancestors(parents: Mapping[int, int | None], team: int) -> tuple[int, ...]:
    """`team` and every team above it (a cycle in a broken tree stops the walk)."""
    out: list[int] = []
    seen: set[int] = set()
    cur: int | None = team
    while cur is not None and cur in parents and cur not in seen:
        seen.add(cur)
        out.append(cur)
        cur = parents[cur]
    return tuple(out)


def compute(
    parents: Mapping[int, int | None],
    people: Mapping[int, int],
    signals: Iterable[SignalCost],
    measures: Mapping[int, Mapping[str, float]],
    health_cfg: Mapping[str, Any],
    members: Mapping[int, Iterable[int]] | None = None,
) -> dict[int, TeamHealth]:
    """Every team's own and rolled-up health.

    `measures` maps a team to {"late_checkin_share": 0..1, "unaligned_share": 0..1}.
    Roll-ups are weighted by each team's `people` (its memberships); `rollup_people` is
    the subtree's distinct people when `members` (team -> person ids) is given, else the
    sum of its teams' people."""
    penalty = health_cfg["penalty"]
    weights = health_cfg["weights"]
    out = {
        t: TeamHealth(t, people.get(t, 0), explanation={d: [] for d in DIMENSIONS}) for t in parents
    }
    lost: dict[int, dict[str, float]] = {t: dict.fromkeys(DIMENSIONS, 0.0) for t in parents}
    signals = list(signals)
    for s in signals:
        for t in set(s.team_ids):
            th = out.get(t)
            if th is None:
                continue
            th.counts[s.severity] += 1
            if not s.costs or s.dimension not in DIMENSIONS:
                continue
            points = float(penalty.get(s.severity, 0))
            lost[t][s.dimension] += points
            th.explanation[s.dimension].append(
                {"reason": s.title, "kind": s.kind, "points": points, "signal_id": s.signal_id}
            )
    for t, m in measures.items():
        if t not in out:
            continue
        late = m.get("late_checkin_share")
        if late:
            points = round(float(health_cfg["checkin_points"]) * late, 1)
            lost[t]["rhythm"] += points
            out[t].explanation["rhythm"].append(
                {"reason": f"{late:.0%} of check-ins not on time", "points": points}
            )
        loose = m.get("unaligned_share")
        if loose:
            points = round(float(health_cfg["unaligned_points"]) * loose, 1)
            lost[t]["alignment"] += points
            out[t].explanation["alignment"].append(
                {"reason": f"{loose:.0%} of active initiatives unaligned", "points": points}
            )
    own: dict[int, dict[str, float]] = {}
    for t, th in out.items():
        scores = {d: clamp(100.0 - lost[t][d]) for d in DIMENSIONS}
        scores["overall"] = overall(scores, weights)
        th.scores = scores
        own[t] = scores
    keys = [*DIMENSIONS, "overall"]
    rolled = weighted_rollup(parents, own, people, keys)
    counts = subtree_counts(parents, signals)
    if members is not None:
        distinct = distinct_people(parents, members)
    else:
        own_people = {t: {"people": people.get(t, 0)} for t in parents}
        sums = subtree_sums(parents, own_people, ["people"])
        distinct = {t: int(v["people"]) for t, v in sums.items()}
    for t, th in out.items():
        th.rollup = dict(rolled[t])
        th.rollup_counts = counts[t]
        th.rollup_people = distinct[t]
    return out
