"""Coordination health: pure arithmetic over teams, signals and measures (no database).

See `config.py` for the rules and their defaults. Everything here is linear in the number
of teams plus signals' teams times the tree's depth.

A score is only given where there is something to judge: a dimension of a team with no
inputs (`NOTHING_TO_JUDGE`: no objectives or initiatives, no dependencies, no check-ins
or meetings, no decisions, action items or issues) and no signal has no score (None),
not 100; overall is the weighted mean of the dimensions that have one, and None when none
has. A roll-up averages only the teams of the subtree that have a score.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from accord.intelligence.models import DIMENSIONS

# The window in which check-ins, meetings, dependencies closed, decisions, action items
# and issues count as something to judge (the measures' window too).
WINDOW_WEEKS = 8

# Why a dimension has no score: what it found nothing of (one phrase each).
NOTHING_TO_JUDGE = {
    "alignment": "no objectives or initiatives in progress",
    "execution": "no objectives or initiatives in progress",
    "dependencies": f"no dependencies open or closed in the last {WINDOW_WEEKS} weeks",
    "rhythm": f"no check-ins or meetings due in the last {WINDOW_WEEKS} weeks",
    "decisions": f"no decisions, action items or issues in the last {WINDOW_WEEKS} weeks",
}
NOT_ENOUGH = "Not enough activity to score"


@dataclass
class SignalCost:
    """What one live signal weighs: its dimension, severity and the teams it concerns."""

    signal_id: int | None
    kind: str
    title: str
    dimension: str
    severity: str
    team_ids: Iterable[int]
    costs: bool = True  # False for a dismissed signal (nor is it counted as open)


@dataclass
class TeamHealth:
    team_id: int
    people: int
    # dimensions + overall; None: nothing to judge (see the module docstring)
    scores: dict[str, float | None] = field(default_factory=dict)
    explanation: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {"info": 0, "warning": 0, "critical": 0})
    rollup_people: int = 0
    rollup: dict[str, float | None] = field(default_factory=dict)
    rollup_counts: dict[str, int] = field(
        default_factory=lambda: {"info": 0, "warning": 0, "critical": 0}
    )


def clamp(x: float) -> float:
    return max(0.0, min(100.0, x))


def overall(scores: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """The weighted mean of the dimensions that have a score (the others are left out, not
    counted as 100); None when none has, or when those that have weigh nothing."""
    scored = [d for d in DIMENSIONS if scores.get(d) is not None]
    if not scored:
        return None
    weight = {d: max(0.0, float(weights.get(d, 0))) for d in DIMENSIONS}
    if sum(weight.values()) <= 0:
        return clamp(sum(scores[d] for d in scored) / len(scored))  # type: ignore[misc]
    total = sum(weight[d] for d in scored)
    if total <= 0:
        return None
    return clamp(sum(scores[d] * weight[d] for d in scored) / total)  # type: ignore[operator]


def left_out(scores: Mapping[str, float | None]) -> dict[str, str]:
    """The dimensions without a score, each with why (what it found nothing of)."""
    return {d: NOTHING_TO_JUDGE[d] for d in DIMENSIONS if scores.get(d) is None}


def why_unscored(scores: Mapping[str, float | None]) -> str | None:
    """One line saying why there is no overall score (None when there is one): the inputs
    that were empty."""
    if scores.get("overall") is not None:
        return None
    empty = left_out(scores)
    if len(empty) < len(DIMENSIONS):
        scored = [d for d in DIMENSIONS if d not in empty]
        return (
            f"only {_and(scored)} had anything to judge, and "
            f"{'it weighs' if len(scored) == 1 else 'they weigh'} nothing in the overall score"
        )
    phrases = list(dict.fromkeys(empty.values()))  # in order, each once
    return "; ".join(phrases)


def unscored_reason(scores: Mapping[str, float | None]) -> str | None:
    """ "Not enough activity to score: <why>." when there is no overall score, else None."""
    why = why_unscored(scores)
    return f"{NOT_ENOUGH}: {why}." if why else None


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


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
    own: Mapping[int, Mapping[str, float | None]],
    people: Mapping[int, int],
    keys: Iterable[str],
) -> dict[int, dict[str, float | None]]:
    """Per team, each key's mean over the teams of its subtree (itself included) that have
    a score for it, weighted by people; equal weights where those teams have nobody; None
    where none of them has a score. Linear: one pass from the leaves."""
    keys = list(keys)
    vals = {}
    for t in parents:
        w = float(people.get(t, 0))
        row = {}
        for k in keys:
            v = own[t].get(k)
            if v is None:
                row["w_" + k] = row["W_" + k] = row["n_" + k] = row["c_" + k] = 0.0
            else:
                row["w_" + k], row["W_" + k], row["n_" + k], row["c_" + k] = w * v, w, v, 1.0
        vals[t] = row
    sums = subtree_sums(parents, vals, [p + k for k in keys for p in ("w_", "W_", "n_", "c_")])
    out: dict[int, dict[str, float | None]] = {}
    for t, acc in sums.items():
        row: dict[str, float | None] = {}
        for k in keys:
            if acc["W_" + k] > 0:
                row[k] = clamp(acc["w_" + k] / acc["W_" + k])
            elif acc["c_" + k] > 0:
                row[k] = clamp(acc["n_" + k] / acc["c_" + k])
            else:
                row[k] = None
        out[t] = row
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
    """Per team, the open signals (not dismissed: `costs`) concerning any team of its
    subtree (itself included) by severity, each counted once however many of the
    subtree's teams it concerns. A signal
    of one team adds up the tree with the others (linear); one of several teams counts
    once in the union of their ancestors (each team's walked once)."""
    keys = ("info", "warning", "critical")
    single: dict[int, dict[str, float]] = defaultdict(lambda: dict.fromkeys(keys, 0.0))
    extra_by: dict[str, dict[int, int]] = {k: defaultdict(int) for k in keys}
    up: dict[int, tuple[int, ...]] = {}  # a team and its ancestors, walked once per team
    for s in signals:
        if not s.costs:
            continue
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
    judged: Mapping[int, Iterable[str]] | None = None,
) -> dict[int, TeamHealth]:
    """Every team's own and rolled-up health.

    `measures` maps a team to {"late_checkin_share": 0..1, "unaligned_share": 0..1}.
    `judged` maps a team to the dimensions it has inputs in (see the module docstring);
    a signal concerning the team, or a measure costing it points, adds its dimension.
    A dimension with neither has no score. Without `judged`, every dimension of every
    team is judged. Roll-ups are weighted by each team's `people` (its memberships);
    `rollup_people` is the subtree's distinct people when `members` (team -> person ids)
    is given, else the sum of its teams' people."""
    penalty = health_cfg["penalty"]
    weights = health_cfg["weights"]
    out = {
        t: TeamHealth(t, people.get(t, 0), explanation={d: [] for d in DIMENSIONS}) for t in parents
    }
    lost: dict[int, dict[str, float]] = {t: dict.fromkeys(DIMENSIONS, 0.0) for t in parents}
    have: dict[int, set[str]] = {
        t: set(DIMENSIONS) if judged is None else set(judged.get(t, ())) for t in parents
    }
    signals = list(signals)
    for s in signals:
        for t in set(s.team_ids):
            th = out.get(t)
            if th is None:
                continue
            if s.costs:  # a dismissed signal is not counted as open
                th.counts[s.severity] += 1
            if s.dimension in DIMENSIONS:
                have[t].add(s.dimension)  # dismissed too: there is something to judge
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
            have[t].add("rhythm")
            out[t].explanation["rhythm"].append(
                {"reason": f"{late:.0%} of check-ins not on time", "points": points}
            )
        loose = m.get("unaligned_share")
        if loose:
            points = round(float(health_cfg["unaligned_points"]) * loose, 1)
            lost[t]["alignment"] += points
            have[t].add("alignment")
            out[t].explanation["alignment"].append(
                {"reason": f"{loose:.0%} of active initiatives unaligned", "points": points}
            )
    own: dict[int, dict[str, float | None]] = {}
    for t, th in out.items():
        scores: dict[str, float | None] = {
            d: clamp(100.0 - lost[t][d]) if d in have[t] else None for d in DIMENSIONS
        }
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
