"""The alignment pillar: periods, cascading objectives, key results with their value
histories, and initiatives ranked in each team's priority stack."""

from __future__ import annotations

import datetime as dt
import math

from accord.alignment.models import (
    ConfidenceUpdate,
    FrozenKeyResult,
    Initiative,
    InitiativeKeyResult,
    InitiativeObjective,
    KeyResult,
    KeyResultValue,
    Objective,
    ObjectiveLink,
    Period,
    RankChange,
    Replan,
)
from accord.alignment.progress import progress
from accord.core.generator.context import Gen
from accord.core.generator.names import AREAS, METRICS

UTC = dt.UTC


def quarter(day: dt.date, offset: int = 0) -> tuple[str, dt.date, dt.date]:
    """(name, first day, last day) of the quarter `offset` quarters from `day`'s."""
    index = day.year * 4 + (day.month - 1) // 3 + offset
    year, q = divmod(index, 4)
    start = dt.date(year, 3 * q + 1, 1)
    end = dt.date(year + (q == 3), (3 * q + 3) % 12 + 1, 1) - dt.timedelta(days=1)
    return f"{year} Q{q + 1}", start, end


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=UTC)


def plan_periods(g: Gen) -> None:
    """The quarters: enough past ones to cover the history, the current one, the next.
    Sets when the organization was set up: three weeks before the earliest of them."""
    past = max(2, math.ceil(g.weeks / 13) + 1)
    g.extra["periods"] = [quarter(g.today, k) for k in range(-past, 2)]
    earliest = min(at(g.extra["periods"][-3][1]), g.window_start)  # the previous quarter
    g.extra["setup_at"] = earliest.replace(hour=9, minute=0, second=0) - dt.timedelta(days=21)


def generate_alignment(g: Gen) -> None:
    write_periods(g)
    write_objectives(g)
    write_key_results(g)
    write_initiatives(g)


def write_periods(g: Gen) -> None:
    """Closed quarters behind, the current one active, the next one being planned."""
    w = g.writer
    table = w.table(
        Period,
        (
            "org_id",
            "name",
            "kind",
            "start",
            "end",
            "state",
            "is_current",
            "closed_at",
            "created_at",
            "version",
        ),
    )
    g.extra["period_ids"] = ids = []
    periods = g.extra["periods"]
    for k, (name, start, end) in enumerate(periods):
        current = start <= g.today <= end
        state = "active" if current else "closed" if end < g.today else "planning"
        created = min(at(start) - dt.timedelta(days=14), g.setup_at + dt.timedelta(hours=2 + k))
        closed = at(end + dt.timedelta(days=3), 17) if state == "closed" else None
        closed = min(closed, g.now) if closed else None
        pid = table.add(g.org_id, name, "quarter", start, end, state, current, closed, created, 1)
        ids.append(pid)
        after = {"name": name, "kind": "quarter", "start": start, "end": end}
        w.event(created, "created", "alignment.period", pid, name, after=after)
        if current:
            w.event(created, "made_current", "alignment.period", pid, name, after={"state": state})
        if closed:
            after = {"state": "closed", "is_current": False}
            w.event(closed, "closed", "alignment.period", pid, name, after=after)


def _objective_periods(g: Gen) -> list[tuple[int, str, dt.date, dt.date, bool]]:
    """(period id, name, start, end, closed) of the previous and the current quarter."""
    periods, ids = g.extra["periods"], g.extra["period_ids"]
    return [(ids[k], *periods[k], periods[k][2] < g.today) for k in (-3, -2)]


def _parent_candidates(g: Gen, by_team: dict, i: int, pid: int) -> list[int]:
    """Objectives a team's objective may contribute to: its parent team's mostly, else
    its grandparent's or an uncle team's — always a shallower team, so links never loop."""
    t = g.teams[i]
    if t.parent is None:
        return by_team.get((None, pid), [])
    parent = g.teams[t.parent]
    roll = g.rng.random()
    if roll < 0.1 and parent.parent is not None:
        pool = by_team.get((parent.parent, pid), [])
    elif roll < 0.2 and parent.parent is not None:
        uncle = g.rng.choice(g.teams[parent.parent].children)
        pool = by_team.get((uncle, pid), [])
    else:
        pool = by_team.get((t.parent, pid), [])
    return pool or by_team.get((None, pid), [])


def write_objectives(g: Gen) -> None:
    """Organization-level objectives, then three or so per team and quarter, two thirds in
    the current quarter; each contributes to one of a shallower team's; the previous
    quarter's finished achieved or missed, and some missed ones were carried over."""
    w, rng = g.writer, g.rng
    objectives = w.table(
        Objective,
        (
            "org_id",
            "title",
            "description",
            "owner_id",
            "level",
            "team_id",
            "period_id",
            "status",
            "confidence",
            "confidence_updated_at",
            "carried_from_id",
            "created_at",
            "updated_at",
            "version",
        ),
    )
    links = w.table(ObjectiveLink, ("org_id", "child_id", "parent_id", "weight", "created_at"))
    by_team: dict[tuple[int | None, int], list[int]] = {}
    g.extra["objectives"] = info = {}  # id -> (team index or None, period id, closed, title)
    root_lead = g.teams[0].lead
    for pid, _name, start, _end, closed in _objective_periods(g):
        created = min(at(start) - dt.timedelta(days=7), g.now)
        slots = [(None, root_lead, "org")] * rng.randint(3, 5)
        for i, t in enumerate(g.teams):
            count = rng.choice((1, 1, 2)) if closed else rng.choice((1, 2, 2, 3))
            slots += [(i, t.lead, "team")] * count
        for i, owner, level in slots:
            area = rng.choice(AREAS) if i is None else g.teams[i].name.split()[0]
            title = g.namer.objective(area)
            status = "active"
            if not closed and rng.random() < 0.05:
                status = rng.choice(("draft", "dropped"))
            oid = objectives.new_id()
            team_id = None if i is None else g.teams[i].id
            when = created + dt.timedelta(minutes=len(info) % 600)
            info[oid] = [i, pid, closed, title, status, owner, when]
            by_team.setdefault((i, pid), []).append(oid)
            after = {"title": title, "level": level, "team": team_id, "period": pid}
            actor = g.actor(owner)
            w.event(
                when, "created", "alignment.objective", oid, title, actor, after=after, team=team_id
            )
            if i is None:
                continue
            parents = _parent_candidates(g, by_team, i, pid)
            if parents and rng.random() < 0.9:
                for parent in rng.sample(parents, min(len(parents), rng.choice((1, 1, 1, 2)))):
                    links.add(g.org_id, oid, parent, 1.0, when)
                    after = {"parent": parent, "parent_title": info[parent][3], "weight": 1.0}
                    w.event(
                        when, "linked", "alignment.objective", oid, title, after=after, team=team_id
                    )
    g.extra["objectives_by_team"] = by_team
    g.extra["objective_rows"] = objectives  # written once key results settle their status


def _metric(g: Gen) -> dict:
    """A key result's measure: direction, start, target and unit, from a plausible metric."""
    name, unit, start, target = g.rng.choice(METRICS)
    scale = g.rng.uniform(0.8, 1.25)
    start, target = round(start * scale, 2), round(target * scale, 2)
    roll = g.rng.random()
    kr = {"name": name, "unit": unit, "start": start, "target": target, "low": None, "high": None}
    kr["milestone"] = False
    if roll < 0.06:
        kr.update(name=f"Ship the {g.namer.thing()}", unit="", start=0.0, target=1.0)
        kr.update(direction="increase", milestone=True)
    elif roll < 0.10:
        low, high = sorted((start, target))
        kr.update(direction="range", low=low, high=high, start=round((low + high) / 2, 2))
    elif roll < 0.20:
        kr["direction"] = "above" if target >= start else "below"
    else:
        kr["direction"] = "increase" if target >= start else "decrease"
    return kr


def _value_at(g: Gen, kr: dict, share: float, pace: float) -> float:
    """The value a key result has reached `share` of the way through its quarter."""
    if kr["milestone"]:
        return 1.0 if share * pace > 0.8 else 0.0
    span = kr["target"] - kr["start"]
    if kr["direction"] in ("above", "below", "range"):
        return round(kr["target"] + g.rng.uniform(-0.15, 0.25) * (abs(span) or 1), 2)
    noise = g.rng.uniform(-0.05, 0.05) * abs(span)
    return round(kr["start"] + span * min(1.15, pace * share) + noise, 2)


def _progress(kr: dict, value: float) -> float:
    return progress(
        kr["direction"],
        kr["start"],
        kr["target"],
        value,
        low=kr["low"],
        high=kr["high"],
        is_milestone=kr["milestone"],
        done=kr["milestone"] and value == 1.0,
    )


def write_key_results(g: Gen) -> None:
    """Three or so key results per objective, each with a weekly value history over the
    past weeks (some go stale), then the objectives themselves, whose status and
    confidence follow from their key results."""
    w, rng = g.writer, g.rng
    krs = w.table(
        KeyResult,
        (
            "org_id",
            "objective_id",
            "name",
            "unit",
            "direction",
            "start",
            "target",
            "current",
            "range_low",
            "range_high",
            "baseline_date",
            "is_milestone",
            "done",
            "weight",
            "owner_id",
            "position",
            "created_at",
            "updated_at",
            "version",
        ),
    )
    frozen = w.table(
        FrozenKeyResult,
        ("org_id", "period_id", "key_result_id", "value", "done", "progress", "frozen_at"),
    )
    periods = {p[0]: p for p in _objective_periods(g)}
    g.extra["krs_by_objective"] = by_objective = {}
    for oid, row in g.extra["objectives"].items():
        i, pid, closed, _title, _status, owner, created = row
        _pid, _name, start, end, _closed = periods[pid]
        members = g.teams[i].members if i is not None else [owner]
        team_id = g.teams[i].id if i is not None else None
        scores = []
        for position in range(rng.choice((2, 3, 3, 4))):
            kr = _metric(g)
            kid = krs.new_id()
            kr_owner = rng.choice(members[:4])
            current = _write_history(
                g, kid, kr, kr_owner, created, start, end, team_id, g.strain(i)
            )
            done = kr["milestone"] and current == 1.0
            score = _progress(kr, current)
            scores.append(score)
            krs.add(
                g.org_id,
                oid,
                kr["name"],
                kr["unit"],
                kr["direction"],
                kr["start"],
                kr["target"],
                current,
                kr["low"],
                kr["high"],
                start,
                kr["milestone"],
                done,
                1.0,
                kr_owner,
                position,
                created,
                g.now,
                1,
                pk=kid,
            )
            by_objective.setdefault(oid, []).append(kid)
            after = {"name": kr["name"], "objective": oid, "direction": kr["direction"]}
            after.update(start=kr["start"], target=kr["target"], current=kr["start"])
            w.event(
                created,
                "created",
                "alignment.keyresult",
                kid,
                kr["name"],
                after=after,
                team=team_id,
            )
            if closed:
                closed_at = at(end + dt.timedelta(days=3), 17)
                frozen.add(g.org_id, pid, kid, current, done, score, min(closed_at, g.now))
        _write_objective(g, oid, row, sum(scores) / len(scores), end)


# By the strain of the key result's team (`context.STRAIN`): its pace (1: on target by
# the quarter's end), the chance a week's value is recorded, and that it goes stale.
KR_PACE = {"fine": (0.85, 1.25), "strained": (0.5, 1.1), "troubled": (0.3, 0.9)}
KR_RECORDED = {"fine": 0.6, "strained": 0.4, "troubled": 0.3}
KR_STALE = {"fine": 0.03, "strained": 0.1, "troubled": 0.2}


def _write_history(
    g: Gen, kid: int, kr: dict, owner: int, created, start, end, team_id, strain: str
) -> float:
    """Weekly values from the quarter's start (within the history) until now or its end,
    as a team of that `strain` records them; returns the last one, the key result's
    current value. `team_id`: its objective's."""
    w, rng = g.writer, g.rng
    values = w.table(
        KeyResultValue,
        ("org_id", "key_result_id", "value", "recorded_by_id", "recorded_at", "note"),
    )
    first = max(at(start), g.window_start, created)
    last = min(at(end, 18), g.now)
    pace = rng.uniform(*KR_PACE[strain])
    stale = rng.random() < KR_STALE[strain]
    stale_after = first + dt.timedelta(weeks=rng.randint(1, 4)) if stale else last
    span = (at(end) - at(start)).total_seconds()
    current, when = kr["start"], first + dt.timedelta(hours=rng.randint(0, 72))
    actor = g.actor(owner)
    while when <= min(last, stale_after):
        if rng.random() < KR_RECORDED[strain]:
            value = _value_at(g, kr, (when - at(start)).total_seconds() / span, pace)
            values.add(g.org_id, kid, value, owner, when, "")
            before = {"current": current, "progress": round(_progress(kr, current), 1)}
            after = {"current": value, "progress": round(_progress(kr, value), 1)}
            if kr["milestone"]:
                before["done"], after["done"] = current == 1.0, value == 1.0
            w.event(
                when,
                "value_recorded",
                "alignment.keyresult",
                kid,
                kr["name"],
                actor,
                before=before,
                after=after,
                team=team_id,
            )
            current = value
        when += dt.timedelta(days=7, hours=rng.randint(-12, 12))
    return current


def _write_objective(g: Gen, oid: int, row: list, score: float, end: dt.date) -> None:
    """The objective row: a closed quarter's are achieved or missed by their key results;
    a current one carries a confidence its owner has updated every week or two."""
    i, pid, closed, title, status, owner, created = row
    rng, w = g.rng, g.writer
    confidence, confidence_at = None, None
    team_id = None if i is None else g.teams[i].id
    if closed:
        status = "achieved" if score >= 70 else "dropped" if rng.random() < 0.05 else "missed"
        row[4] = status
        w.event(
            min(at(end + dt.timedelta(days=3), 16), g.now),
            "updated",
            "alignment.objective",
            oid,
            title,
            g.actor(owner),
            before={"status": "active"},
            after={"status": status},
            team=team_id,
        )
    elif status == "active":
        updates = w.table(
            ConfidenceUpdate, ("org_id", "objective_id", "confidence", "by_id", "at", "note")
        )
        confidence = max(1, min(10, round(score / 12 + rng.gauss(2, 1.5))))
        when = max(created, g.window_start) + dt.timedelta(days=rng.randint(1, 10))
        previous = None
        while when <= g.now:
            confidence = max(1, min(10, confidence + rng.choice((-1, 0, 0, 0, 1))))
            updates.add(g.org_id, oid, confidence, owner, when, "")
            w.event(
                when,
                "confidence_set",
                "alignment.objective",
                oid,
                title,
                g.actor(owner),
                before={"confidence": previous},
                after={"confidence": confidence},
                team=team_id,
            )
            previous, confidence_at = confidence, when
            when += dt.timedelta(days=rng.choice((14, 21, 28)))
        confidence = previous
    level = "org" if i is None else "team"
    g.extra["objective_rows"].add(
        g.org_id,
        title,
        "",
        owner,
        level,
        team_id,
        pid,
        status,
        confidence,
        confidence_at,
        None,
        created,
        max(created, confidence_at or created),
        1,
        pk=oid,
    )


INITIATIVE_STATUSES = {"active": 55, "proposed": 15, "paused": 5, "done": 18, "dropped": 7}


def _initiative_dates(g: Gen, status: str) -> tuple[dt.date | None, dt.date | None, int]:
    """(start, first committed target, progress) consistent with the status and today."""
    rng, today = g.rng, g.today
    if status == "proposed":
        if rng.random() < 0.5:
            return None, None, 0
        start = today + dt.timedelta(days=rng.randint(7, 60))
        return start, start + dt.timedelta(days=rng.randint(30, 120)), 0
    if status == "done":
        target = today - dt.timedelta(days=rng.randint(3, 60))
        return target - dt.timedelta(days=rng.randint(30, 120)), target, 100
    start = today - dt.timedelta(days=rng.randint(7, 120))
    target = start + dt.timedelta(days=rng.randint(30, 160))
    return start, target, rng.randint(5, 90) if status != "dropped" else rng.randint(0, 40)


def write_initiatives(g: Gen) -> None:
    """Five or so initiatives per team: the active ones ranked 1..n in the team's stack,
    the proposed ones 1..n in its Next up, most serving the team's key results or
    objectives (some serving nothing), each with its first committed date as baseline and,
    for some, re-plans since."""
    w, rng = g.writer, g.rng
    table = w.table(
        Initiative,
        (
            "org_id",
            "team_id",
            "owner_id",
            "title",
            "description",
            "status",
            "start_date",
            "target_date",
            "baseline_target_date",
            "replan_count",
            "effort_weeks",
            "progress",
            "stage",
            "rank",
            "next_rank",
            "created_at",
            "updated_at",
            "version",
        ),
    )
    current_pid = g.extra["period_ids"][-2]
    by_team = g.extra["objectives_by_team"]
    g.extra["initiatives"] = out = []  # per team: [(id, status, start, target, owner)]
    for i, t in enumerate(g.teams):
        stack, mine, next_up = [], [], 0
        objectives = by_team.get((i, current_pid), [])
        for k in range(rng.randint(3, 7)):
            status = "active" if k == 0 else g.pick(INITIATIVE_STATUSES)
            start, baseline, progress_pct = _initiative_dates(g, status)
            iid = table.new_id()
            owner = rng.choice(t.members[:5])
            title = g.namer.initiative()
            created = g.setup_at + dt.timedelta(days=1, minutes=i % 1000)
            if start is not None:
                created = max(created, at(min(start, g.today)) - dt.timedelta(days=7))
            created = min(created, g.now - dt.timedelta(hours=1))
            target, replans = _write_replans(g, iid, title, owner, status, baseline, created, t.id)
            rank = next_rank = None
            if status == "active":
                stack.append(iid)
                rank = len(stack)
            elif status == "proposed":
                next_up += 1
                next_rank = next_up
            mine.append((iid, status, start, target, owner))
            table.add(
                g.org_id,
                t.id,
                owner,
                title,
                "",
                status,
                start,
                target,
                baseline,
                replans,
                round(rng.uniform(2, 40), 1),
                progress_pct,
                "",
                rank,
                next_rank,
                created,
                created,
                1,
                pk=iid,
            )
            after = {"title": title, "team": t.id, "status": status, "rank": rank}
            after.update(start_date=start, target_date=baseline)
            actor = g.actor(owner)
            w.event(
                created,
                "created",
                "alignment.initiative",
                iid,
                title,
                actor,
                after=after,
                team=t.id,
            )
            _link_initiative(g, iid, title, objectives, created, t.id)
        _write_rank_changes(g, i, stack)
        out.append(mine)


def _write_replans(g: Gen, iid, title, owner, status, baseline, created, team_id) -> tuple:
    """Some started initiatives moved their target once or twice; returns (target, count)."""
    if baseline is None or status == "proposed" or g.rng.random() > 0.2:
        return baseline, 0
    replans = g.writer.table(
        Replan,
        ("org_id", "initiative_id", "old_target_date", "new_target_date", "reason", "by_id", "at"),
    )
    target, count = baseline, 0
    for _ in range(g.rng.choice((1, 1, 2))):
        new = target + dt.timedelta(days=g.rng.choice((-7, 7, 14, 14, 21, 30, 45)))
        if status == "done" and new >= g.today:
            break
        when = g.between(max(created, g.window_start), g.now)
        reason = g.rng.choice(("Scope grew", "Waiting on another team", "Staff moved"))
        replans.add(g.org_id, iid, target, new, reason, owner, when)
        g.writer.event(
            when,
            "replanned",
            "alignment.initiative",
            iid,
            title,
            g.actor(owner),
            before={"target_date": target},
            after={"target_date": new, "reason": reason},
            team=team_id,
        )
        target, count = new, count + 1
    return target, count


def _link_initiative(
    g: Gen, iid: int, title: str, objectives: list[int], when, team_id: int
) -> None:
    """Most initiatives serve one or two of the team's key results, some an objective
    directly; about one in five serves nothing (unaligned work)."""
    roll = g.rng.random()
    if not objectives or roll < 0.2:
        return
    if roll < 0.3:
        oid = g.rng.choice(objectives)
        g.writer.table(InitiativeObjective, ("org_id", "initiative_id", "objective_id")).add(
            g.org_id, iid, oid
        )
        after = {"objective": oid}
        g.writer.event(
            when, "linked", "alignment.initiative", iid, title, after=after, team=team_id
        )
        return
    krs = [k for o in objectives for k in g.extra["krs_by_objective"].get(o, [])]
    links = g.writer.table(InitiativeKeyResult, ("org_id", "initiative_id", "key_result_id"))
    for kid in g.rng.sample(krs, min(len(krs), g.rng.choice((1, 1, 2)))):
        links.add(g.org_id, iid, kid)
        after = {"key_result": kid}
        g.writer.event(
            when, "linked", "alignment.initiative", iid, title, after=after, team=team_id
        )


def _write_rank_changes(g: Gen, i: int, stack: list[int]) -> None:
    """Some teams re-ranked their stack during the history: an initiative moved up to the
    rank it holds now (the stack's ranks stay 1..n)."""
    if len(stack) < 3 or g.rng.random() > 0.3:
        return
    changes = g.writer.table(
        RankChange, ("org_id", "team_id", "initiative_id", "old_rank", "new_rank", "by_id", "at")
    )
    team = g.teams[i]
    new_rank = g.rng.randrange(len(stack) - 1) + 1
    old_rank = g.rng.randint(new_rank + 1, len(stack))
    when = g.between(g.window_start, g.now)
    changes.add(g.org_id, team.id, stack[new_rank - 1], old_rank, new_rank, team.lead, when)
    g.writer.event(
        when,
        "reranked",
        "alignment.initiative",
        stack[new_rank - 1],
        team.name,
        g.actor(team.lead),
        before={"rank": old_rank},
        after={"rank": new_rank},
        team=team.id,
    )


def store_rollups(g: Gen) -> None:
    """Fill the stored roll-up (progress, covered, orphaned), the initiatives' "blocked
    from" day and the action items' follow-through tallies that the services keep on every
    write, and the decisions' latency figures that evaluations keep: rows here are written
    in bulk without them, so compute them once at the end."""
    from accord.alignment import blocked
    from accord.alignment.rollups import recompute
    from accord.decisions import followthrough, latency
    from accord.org.models import Organization

    recompute(g.org_id)
    blocked.recompute(g.org_id)  # the initiatives' first blocked day, from the dependencies
    followthrough.recompute(g.org_id)  # the action items' daily follow-through tallies
    org = Organization.objects.get(pk=g.org_id)
    latency.refresh(org, today=g.today, at=g.now)  # the last 30, 90 and 365 days
