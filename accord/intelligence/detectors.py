"""The built-in catalogue: every detector is a plain function over a `Snapshot`.

Each takes (snapshot, cfg) — cfg is the detector's thresholds, its documented defaults
overridden by the organization's settings — and yields `Found` signals. Each is linear in
the part of the organization it reads. Other apps add detectors in their own `detectors`
module with the same decorator.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from accord.alignment import confidence as bands
from accord.alignment.blocked import unplanned_declines
from accord.alignment.models import SERVING_INITIATIVE_STATUSES
from accord.alignment.progress import LEVELS, outside_limit, pace_elapsed, pace_since
from accord.alignment.progress import progress as kr_progress
from accord.coordination import graph
from accord.decisions import followthrough
from accord.intelligence.registry import DETECTORS, Found, detector, subject_key
from accord.intelligence.registry import evidence as ev
from accord.intelligence.snapshot import KeyResultS, Snapshot
from accord.web.templatetags.dates import day
from accord.web.templatetags.numbers import counted

INFO, WARNING, CRITICAL = "info", "warning", "critical"
ACTIVE_DEP = ("requested", "negotiating", "accepted")
OPEN_INIT = ("proposed", "active", "paused")


def _and(words) -> str:
    """'A', 'A and B', 'A, B and C'."""
    words = list(words)
    return " and ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else "".join(words)


def _day(d: dt.date | dt.datetime | None) -> str:
    """A day as the pages write it ("8 Dec 2026"); a moment by its day in UTC."""
    if d is None:
        return "—"
    if isinstance(d, dt.datetime):
        d = d.date()
    return day(d)


# --- check-ins ---------------------------------------------------------------------------


def _team_checkin_occurrences(snap: Snapshot) -> dict[int, list[tuple[dt.datetime, dict]]]:
    """Per team: its members' check-in statuses per closed occurrence, oldest first.
    Linear: each status is filed under the owing person's own teams in the cadence."""
    if "team_checkins" in snap.cache:
        return snap.cache["team_checkins"]
    out: dict[int, list[tuple[dt.datetime, dict]]] = defaultdict(list)
    for cad in snap.cadences.values():
        for occ in cad.occurrences:
            mine: dict[int, dict[int, str]] = defaultdict(dict)
            for pid, status in occ.status.items():
                person = snap.people.get(pid)
                if person is None:
                    continue
                for team_id in person.teams:
                    if team_id in cad.team_ids:
                        mine[team_id][pid] = status
            for team_id, statuses in mine.items():
                out[team_id].append((occ.due, statuses))
    for rows in out.values():
        rows.sort(key=lambda r: r[0])
    snap.cache["team_checkins"] = out
    return out


@detector(
    "checkins.missed_in_a_row",
    title="Check-ins missed in a row",
    dimension="rhythm",
    defaults={"in_a_row": 2},
)
def missed_in_a_row(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A team none of whose members checked in, or a person who did not, for the last N
    check-ins in a row (default 2)."""
    n = int(cfg["in_a_row"])
    # A person's last n check-ins of one cadence (only the last n occurrences are read).
    per_person: dict[int, list[tuple[dt.datetime, str, int]]] = {}
    for cad in snap.cadences.values():
        last_occs = cad.occurrences[-n:]
        if len(last_occs) < n or n < 1:
            continue
        for pid in last_occs[-1].status:
            if pid in per_person:
                continue
            if all(o.status.get(pid) == "missed" for o in last_occs):
                per_person[pid] = [(o.due, "missed", cad.id) for o in last_occs]
    silent_teams: set[int] = set()
    for team_id, rows in _team_checkin_occurrences(snap).items():
        last = rows[-n:]
        if len(last) < n or any(s != "missed" for _, st in last for s in st.values()):
            continue
        team = snap.teams[team_id]
        silent_teams.add(team_id)
        yield Found(
            kind="checkins.missed_in_a_row",
            subject_type="org.team",
            subject_id=str(team_id),
            subject_label=team.name,
            severity=CRITICAL if len(rows) >= n + 1 and n >= 2 else WARNING,
            title=f"{team.name} stopped checking in",
            explanation=(
                f"Nobody in {team.name} ({counted(team.people, 'person', 'people')}) checked "
                f"in for the last {n} check-ins, since {_day(last[0][0])}."
            ),
            next_step=f"Ask {snap.person_name(snap.lead_of(team_id))} what changed for the team.",
            team_ids={team_id},
            owner_id=snap.lead_of(team_id),
            evidence=[
                ev(f"Check-in due {_day(due)}", f"{len(st)} owed, 0 given", "org.team", team_id)
                for due, st in last
            ],
            numbers={"in_a_row": n, "people": team.people},
        )
    for pid, last in per_person.items():
        person = snap.people.get(pid)
        if person is None or person.teams & silent_teams:
            continue
        team_id = min(person.teams) if person.teams else None
        yield Found(
            kind="checkins.missed_in_a_row",
            subject_type="org.person",
            subject_id=str(pid),
            subject_label=person.name,
            severity=WARNING,
            title=f"{person.name} missed {n} check-ins in a row",
            explanation=(
                f"{person.name} did not check in for the last {n} check-ins "
                f"({', '.join(_day(d) for d, _, _ in last)})."
            ),
            next_step=f"Check in with {person.name}: blocked, away, or the cadence no longer fits?",
            team_ids=set(person.teams),
            owner_id=snap.lead_of(team_id) if snap.lead_of(team_id) != pid else None,
            evidence=[
                ev(f"Check-in due {_day(d)}", "missed", "rhythm.cadence", c) for d, _, c in last
            ],
            numbers={"in_a_row": n},
        )


@detector(
    "checkins.on_time_falling",
    title="On-time check-ins falling",
    dimension="rhythm",
    defaults={"recent": 3, "usual": 8, "drop": 0.25, "min_usual": 0.6},
)
def on_time_falling(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A team whose share of on-time check-ins over its last 3 check-ins fell more than
    25 points below its usual share (the 8 before), which was at least 60%."""
    recent, usual = int(cfg["recent"]), int(cfg["usual"])
    for team_id, rows in _team_checkin_occurrences(snap).items():
        if len(rows) < recent + 3:
            continue
        before, now = rows[-(recent + usual) : -recent], rows[-recent:]

        def share(part: list) -> float:
            owed = sum(len(st) for _, st in part)
            return sum(1 for _, st in part for s in st.values() if s == "on_time") / owed

        s_before, s_now = share(before), share(now)
        # "More than `drop` below", in points: rounded, so that 100% -> 75% is exactly 25.
        if s_before < cfg["min_usual"] or round(s_before - s_now, 9) <= cfg["drop"]:
            continue
        team = snap.teams[team_id]
        yield Found(
            kind="checkins.on_time_falling",
            subject_type="org.team",
            subject_id=str(team_id),
            subject_label=team.name,
            severity=WARNING if s_now < 0.5 else INFO,
            title=f"{team.name} checks in on time less often",
            explanation=(
                f"{team.name} checked in on time {s_now:.0%} of the time over its last "
                f"{recent} check-ins, against {s_before:.0%} usually."
            ),
            next_step="Ask the team whether the check-in day or questions still fit its week.",
            team_ids={team_id},
            owner_id=snap.lead_of(team_id),
            evidence=[
                ev("On time, recent", f"{s_now:.0%}", "org.team", team_id),
                ev("On time, usually", f"{s_before:.0%}", "org.team", team_id),
            ],
            numbers={"recent_share": round(s_now, 3), "usual_share": round(s_before, 3)},
        )


# --- key results -------------------------------------------------------------------------


# What a key-result detector's test of one key result says when its rules do not judge it
# (yet): not its kind (a milestone for pace), too young, too few values.
NOT_JUDGED = "not judged"


@dataclass(slots=True)
class Lag:
    """A key result a key-result detector finds behind: its signal, and how it lags in a
    few words for its objective's ("behind pace", "40 k€ where 62 k€ would be on pace")."""

    found: Found
    how: str
    detail: str


def thresholds(snap: Snapshot, kind: str) -> dict:
    """Detector `kind`'s settings as this evaluation runs it: the organization's
    (`Snapshot.settings`), else its documented defaults."""
    return snap.settings.get(kind) or DETECTORS[kind].defaults


def _kr_pct(kr: KeyResultS, value: float) -> float:
    return kr_progress(
        kr.direction,
        kr.start,
        kr.target,
        value,
        low=kr.range_low,
        high=kr.range_high,
        is_milestone=kr.is_milestone,
        done=kr.done,
    )


def _live_krs(snap: Snapshot) -> Iterator[tuple[KeyResultS, object, object, float]]:
    """Key results of active objectives in a period under way: (kr, objective, period,
    share of the period elapsed). Computed once per snapshot."""
    if "live_krs" not in snap.cache:
        snap.cache["live_krs"] = list(_compute_live_krs(snap))
    return iter(snap.cache["live_krs"])


def _compute_live_krs(snap: Snapshot) -> Iterator[tuple[KeyResultS, object, object, float]]:
    today = snap.today
    for kr in snap.key_results.values():
        obj = snap.objectives.get(kr.objective_id)
        if obj is None or obj.status not in ("active", "draft"):
            continue
        period = snap.periods.get(obj.period_id)
        if period is None or not period.live(snap):
            continue
        span = max(1, (period.end - period.start).days)
        yield kr, obj, period, min(1.0, (today - period.start).days / span)


def _kr_found(snap, kr, obj, kind, severity, title, explanation, next_step, evidence, numbers):
    team_id = obj.team_id
    return Found(
        kind=kind,
        subject_type="alignment.keyresult",
        subject_id=str(kr.id),
        subject_label=kr.name,
        severity=severity,
        title=title,
        explanation=explanation,
        next_step=next_step,
        team_ids={team_id} if team_id else set(),
        owner_id=kr.owner_id or obj.owner_id or snap.lead_of(team_id),
        evidence=evidence,
        numbers=numbers,
    )


def _kr_opened(kr: KeyResultS) -> dt.datetime | None:
    """When a key result's history opened: its first value (dated as entered: a file or
    the demo dates it before the row was made), else its creation."""
    times = [t for t in (kr.values[0][0] if kr.values else None, kr.created_at) if t]
    return min(times) if times else None


@detector(
    "key_results.off_pace",
    title="Key result off pace",
    dimension="execution",
    defaults={"tolerance": 0.25, "min_elapsed": 0.2, "grace_days": 14},
)
def kr_off_pace(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """Progress behind the share elapsed of its time by more than 25 points (checked once
    a fifth of that time has passed). Its time runs to the end of the period from its
    baseline date, else from the day it was added when that was after the period's first
    two weeks (a key result added mid-period is not expected to have made the progress of
    the weeks before it), else from the period's start (`alignment.progress.pace_since`).
    A key result younger than 14 days is not judged yet (the grace a new objective gets).
    Milestones and keep-above/below are exempt."""
    for kr, obj, period, _elapsed in _live_krs(snap):
        if isinstance(lag := _off_pace(snap, kr, obj, period, cfg), Lag):
            yield lag.found


def _off_pace(snap: Snapshot, kr: KeyResultS, obj, period, cfg: dict) -> Lag | bool:
    """`kr_off_pace`'s test of one live key result: its `Lag` when off pace, False when on
    pace, NOT_JUDGED when its rules do not judge it (yet)."""
    if kr.is_milestone or kr.direction not in ("increase", "decrease"):
        return NOT_JUDGED
    opened = _kr_opened(kr)
    if opened is not None and (snap.as_of - opened).days < cfg["grace_days"]:
        return NOT_JUDGED
    since = pace_since(kr.baseline_date, opened.date() if opened else None, period.start)
    elapsed = pace_elapsed(snap.today, period.start, period.end, since)
    if elapsed is None or elapsed < cfg["min_elapsed"]:
        return NOT_JUDGED
    pct = _kr_pct(kr, kr.current) / 100
    gap = elapsed - pct
    if gap <= cfg["tolerance"]:
        return False
    late_start = since is not None and since > period.start
    if late_start:
        what = "its baseline date" if kr.baseline_date else "when it was added"
        gone = (
            f"with {elapsed:.0%} of its time gone (from {_day(since)}, {what}, to the "
            f"end of {period.name})"
        )
    else:
        gone = f"with {elapsed:.0%} of {period.name} gone"
    on_pace = kr.start + elapsed * (kr.target - kr.start)
    return Lag(
        _kr_found(
            snap,
            kr,
            obj,
            "key_results.off_pace",
            CRITICAL if gap > 2 * cfg["tolerance"] else WARNING,
            f"{kr.name} is behind pace",
            (
                f"{kr.name} has come {pct:.0%} of the way from {kr.value(kr.start)} to "
                f"{kr.value(kr.target)} {gone} (now {kr.value(kr.current)})."
            ),
            "Decide with the owner: more effort, a smaller target, or stop.",
            [
                ev("Progress", f"{pct:.0%}", "alignment.keyresult", kr.id),
                (
                    ev(
                        f"Time elapsed since {_day(since)}",
                        f"{elapsed:.0%}",
                        "alignment.keyresult",
                        kr.id,
                    )
                    if late_start
                    else ev("Period elapsed", f"{elapsed:.0%}", "alignment.objective", obj.id)
                ),
                ev("Current value", kr.current, "alignment.keyresult", kr.id),
            ],
            {"progress": round(pct, 3), "elapsed": round(elapsed, 3), "gap": round(gap, 3)},
        ),
        "behind pace",
        f"{kr.value(kr.current)} where {kr.value(on_pace)} would be on pace",
    )


def _trend_at(values: list[tuple[dt.datetime, float]], when: dt.datetime) -> float | None:
    """Least-squares line through the recorded values, read at `when` (one pass)."""
    n = len(values)
    if n < 3:
        return None
    t0 = values[0][0]
    sx = sy = sxx = sxy = 0.0
    for at, y in values:
        x = (at - t0).total_seconds() / 86400
        sx += x
        sy += y
        sxx += x * x
        sxy += x * y
    var = sxx - sx * sx / n
    if var <= 1e-12:
        return None
    slope = (sxy - sx * sy / n) / var
    return sy / n + slope * ((when - t0).total_seconds() / 86400 - sx / n)


@detector(
    "key_results.projected_miss",
    title="Key result projected to miss",
    dimension="execution",
    defaults={"min_values": 3, "shortfall": 0.15},
)
def kr_projected_miss(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """The trend of its recorded values (a straight line through at least 3 of them) ends
    the period more than 15 points short of the target."""
    for kr, obj, period, _elapsed in _live_krs(snap):
        if isinstance(lag := _projected_miss(snap, kr, obj, period, cfg), Lag):
            yield lag.found


def _projected_miss(snap: Snapshot, kr: KeyResultS, obj, period, cfg: dict) -> Lag | bool:
    """`kr_projected_miss`'s test of one live key result: its `Lag` when projected to miss,
    False when not, NOT_JUDGED when its rules do not judge it (yet)."""
    if kr.is_milestone or kr.direction not in ("increase", "decrease"):
        return NOT_JUDGED
    if len(kr.values) < cfg["min_values"]:
        return NOT_JUDGED
    end = dt.datetime.combine(period.end, dt.time(23, 59), dt.UTC)
    projected = _trend_at(kr.values, end)
    if projected is None:
        return NOT_JUDGED
    pct = _kr_pct(kr, projected) / 100
    if pct >= 1 - cfg["shortfall"]:
        return False
    days_left = (period.end - snap.today).days
    return Lag(
        _kr_found(
            snap,
            kr,
            obj,
            "key_results.projected_miss",
            CRITICAL if pct < 0.5 else WARNING,
            f"{kr.name} is projected to miss",
            (
                f"At its current trend {kr.name} ends {period.name} at "
                f"{kr.value(projected)} ({pct:.0%} of the way from {kr.value(kr.start)} to "
                f"{kr.value(kr.target)}); "
                + (f"{days_left} days are left." if days_left != 1 else "1 day is left.")
            ),
            "Review the plan behind it now, while there is time to change course.",
            [
                ev("Projected at period end", round(projected, 2), "alignment.keyresult", kr.id),
                ev("Target", kr.target, "alignment.keyresult", kr.id),
                ev("Values recorded", len(kr.values), "alignment.keyresult", kr.id),
                ev("Days left", days_left, "alignment.objective", obj.id),
            ],
            {"projected": round(projected, 4), "projected_progress": round(pct, 3)},
        ),
        "projected to miss",
        f"{kr.value(projected)} at the end of {period.name}, against {kr.value(kr.target)}",
    )


@detector(
    "key_results.outside_limit",
    title="Key result outside its limit",
    dimension="execution",
    defaults={"critical_days": 14},
)
def kr_outside_limit(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A level to hold (keep above, keep below, keep within a range) whose value is on the
    wrong side of its limit: it counts 0 toward its objective's progress. Critical once it
    has been outside for 14 days (since the first of its latest values outside, or since it
    was added when it started outside too)."""
    for kr, obj, period, _elapsed in _live_krs(snap):
        if isinstance(lag := _outside_limit(snap, kr, obj, period, cfg), Lag):
            yield lag.found


def _outside_limit(snap: Snapshot, kr: KeyResultS, obj, period, cfg: dict) -> Lag | bool:
    """`kr_outside_limit`'s test of one live key result: its `Lag` when outside its limit,
    False when inside, NOT_JUDGED when it is no level to hold."""
    words = outside_limit(
        kr.direction,
        kr.target,
        kr.current,
        low=kr.range_low,
        high=kr.range_high,
        is_milestone=kr.is_milestone,
    )
    if not words:
        return NOT_JUDGED if kr.is_milestone or kr.direction not in LEVELS else False
    since = None  # the first of its latest values outside
    for at, value in reversed(kr.values):
        if not outside_limit(kr.direction, kr.target, value, low=kr.range_low, high=kr.range_high):
            break
        since = at
    started_outside = bool(
        outside_limit(kr.direction, kr.target, kr.start, low=kr.range_low, high=kr.range_high)
    )
    # Outside since it was added only when it started outside too; else since the first
    # value recorded outside (one that started inside went out when that was recorded).
    if since is None or (since == kr.values[0][0] and started_outside):
        since = _kr_opened(kr) or since or snap.as_of
    days = max(0, (snap.as_of - since).days)
    if kr.direction == "range":
        low, high = sorted((kr.range_low, kr.range_high))
        where = f"between {kr.value(low)} and {kr.value(high)}"
    else:
        side = "above" if kr.direction == "above" else "below"
        where = f"{side} {kr.value(kr.target)}"
    found = _kr_found(
        snap,
        kr,
        obj,
        "key_results.outside_limit",
        CRITICAL if days >= cfg["critical_days"] else WARNING,
        f"{kr.name} is {words}",
        (
            f"{kr.name} is to stay {where} but is at {kr.value(kr.current)}, outside "
            f"since {_day(since)} ({counted(days, 'day')})."
        ),
        "Ask the owner what put it outside and what brings it back.",
        [
            ev("Current value", kr.value(kr.current), "alignment.keyresult", kr.id),
            ev("Limit", f"keep {where}", "alignment.keyresult", kr.id),
            ev("Outside since", _day(since), "alignment.keyresult", kr.id),
        ],
        {"current": kr.current, "days": days},
    )
    return Lag(found, words, f"{kr.value(kr.current)}, to stay {where}")


@detector(
    "key_results.stale",
    title="Key result not updated",
    dimension="execution",
    defaults={"days": 21},
)
def kr_stale(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """No value recorded for 21 days (counted from its creation when it has none)."""
    limit = int(cfg["days"])
    for kr, obj, _period, _elapsed in _live_krs(snap):
        if kr.done:  # a milestone reached: nothing left to record
            continue
        last = kr.values[-1][0] if kr.values else kr.created_at
        if last is None:
            continue
        days = (snap.as_of - last).days
        if days < limit:
            continue
        yield _kr_found(
            snap,
            kr,
            obj,
            "key_results.stale",
            WARNING if days >= 2 * limit else INFO,
            f"{kr.name} has not been updated for {days} days",
            (
                f"The last value of {kr.name} was recorded on {_day(last)}, {days} days ago; "
                f"nobody knows where it stands."
            ),
            f"Ask {snap.person_name(kr.owner_id or obj.owner_id)} to record its current value.",
            [ev("Last value recorded", _day(last), "alignment.keyresult", kr.id)],
            {"days": days},
        )


# --- objectives --------------------------------------------------------------------------


def _rated_objectives(snap: Snapshot) -> Iterator:
    """The objectives whose confidence is read: active or draft, rated at least once, in a
    period not closed (a closed period's objective is a record)."""
    for obj in snap.objectives.values():
        if obj.status not in ("active", "draft") or not obj.confidence_history:
            continue
        period = snap.periods.get(obj.period_id)
        if period is not None and period.closed_at and period.closed_at <= snap.as_of:
            continue
        yield obj


@detector(
    "objectives.confidence_falling",
    title="Confidence falling",
    dimension="execution",
    defaults={"steps": 2, "updates": 3, "off_track": bands.OFF_TRACK_MAX},
)
def confidence_falling(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """Confidence down 2 steps or more over its last 3 updates, or now off track (at or
    below 3 of 10: the bands of `accord.alignment.confidence`)."""
    for obj in _rated_objectives(snap):
        recent = obj.confidence_history[-int(cfg["updates"]) :]
        drop = recent[0][1] - recent[-1][1]
        falling = len(recent) >= 2 and drop >= cfg["steps"]
        off = recent[-1][1] <= cfg["off_track"]
        if not (falling or off):
            continue
        values = " → ".join(str(c) for _, c in recent)
        why = (
            f"Confidence in {obj.title} went {values} over its last {len(recent)} updates"
            if falling
            else f"Confidence in {obj.title} is {recent[-1][1]} of 10 ({bands.word(recent[-1][1])})"
        )
        yield Found(
            kind="objectives.confidence_falling",
            subject_type="alignment.objective",
            subject_id=str(obj.id),
            subject_label=obj.title,
            severity=CRITICAL if falling and off else WARNING,
            title=f"Confidence in {obj.title} is falling" if falling else f"{obj.title} off track",
            explanation=why + (", now off track." if off and falling else "."),
            next_step="Ask the owner what changed and what help would restore confidence.",
            team_ids={obj.team_id} if obj.team_id else set(),
            owner_id=obj.owner_id or snap.lead_of(obj.team_id),
            evidence=[
                ev(f"Confidence on {_day(at)}", c, "alignment.objective", obj.id)
                for at, c in recent
            ],
            numbers={"drop": drop, "confidence": recent[-1][1]},
        )


# The key-result detectors whose test says a key result is behind, in the order an
# objective's signal names what they find.
KR_BEHIND = (
    ("key_results.off_pace", _off_pace),
    ("key_results.projected_miss", _projected_miss),
    ("key_results.outside_limit", _outside_limit),
)


def key_result_lags(snap: Snapshot, kr: KeyResultS, obj, period) -> list[Lag] | None:
    """How a live key result lags by the key-result detectors' own tests (`KR_BEHIND`),
    with the organization's settings for them (a detector switched off judges nothing):
    [] when none finds it behind; None when it is reached, or when it is one they judge
    but none does yet (too young, too early in its time, too few values). A milestone not
    yet done counts as not behind: no detector judges a milestone's pace."""
    if _kr_pct(kr, kr.current) >= 100:
        return None
    judged, lags = kr.is_milestone, []
    for kind, test in KR_BEHIND:
        cfg = thresholds(snap, kind)
        if not cfg.get("enabled", True):
            continue
        verdict = test(snap, kr, obj, period, cfg)
        if verdict == NOT_JUDGED:
            continue
        judged = True
        if isinstance(verdict, Lag):
            lags.append(verdict)
    return lags if judged else None


@detector(
    "objectives.on_track_but_behind",
    title="Rated on track while key results lag",
    dimension="execution",
    defaults={"share": 0.5, "on_track_from": bands.ON_TRACK.low},
)
def on_track_but_behind(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """An objective whose latest confidence is on track (7 of 10 or above: the bands of
    `accord.alignment.confidence`) while at least half of its key results are behind: off
    pace, projected to miss or outside their limit, as those detectors decide with their
    own settings. Key results reached, or too early for those detectors to judge, are not
    counted. Critical when two or more are counted and every one is behind (a single
    lagging key result already has its own signal)."""
    live_krs: dict[int, list[tuple[KeyResultS, object]]] = defaultdict(list)
    for kr, obj, period, _elapsed in _live_krs(snap):
        live_krs[obj.id].append((kr, period))
    for obj in _rated_objectives(snap):
        at, confidence = obj.confidence_history[-1]
        if confidence < cfg["on_track_from"] or obj.id not in live_krs:
            continue
        counted_krs, lagging = 0, []
        for kr, kr_period in sorted(live_krs[obj.id], key=lambda p: p[0].id):
            lags = key_result_lags(snap, kr, obj, kr_period)
            if lags is None:
                continue
            counted_krs += 1
            if lags:
                lagging.append((kr, lags))
        if not lagging or len(lagging) < cfg["share"] * counted_krs:
            continue
        left_out = len(live_krs[obj.id]) - counted_krs
        said = f"{confidence} of 10, {bands.word(confidence)}"
        if counted_krs == 1:
            lag = "its one key result lags"
        elif len(lagging) == counted_krs:
            lag = ("both" if counted_krs == 2 else f"all {counted_krs}") + " of its key results lag"
        else:
            lag = f"{len(lagging)} of its {counted_krs} key results lag"
        if left_out:
            lag += f" ({left_out} more reached or too early to judge)"
        how = "; ".join(
            f"{kr.name} is " + _and(f"{g.how} ({g.detail})" for g in lags) for kr, lags in lagging
        )
        owner = obj.owner_id or snap.lead_of(obj.team_id)
        yield Found(
            kind="objectives.on_track_but_behind",
            subject_type="alignment.objective",
            subject_id=str(obj.id),
            subject_label=obj.title,
            severity=CRITICAL if len(lagging) == counted_krs >= 2 else WARNING,
            title=f"{obj.title} is rated on track while "
            + (
                "its key results lag"
                if len(lagging) > 1
                else "its key result lags"
                if counted_krs == 1
                else "one of its key results lags"
            ),
            explanation=f"Confidence in {obj.title} is {said}, on {_day(at)}, but {lag}: {how}.",
            next_step=(
                f"Ask {snap.person_name(owner)} whether the confidence or the key results "
                "are out of date."
            ),
            team_ids={obj.team_id} if obj.team_id else set(),
            owner_id=owner,
            evidence=[ev(f"Confidence on {_day(at)}", said, "alignment.objective", obj.id)]
            + [
                ev(
                    kr.name,
                    "; ".join(f"{g.how}: {g.detail}" for g in lags),
                    "alignment.keyresult",
                    kr.id,
                )
                for kr, lags in lagging
            ],
            numbers={
                "confidence": confidence,
                "behind": len(lagging),
                "key_results": counted_krs,
            },
        )


@detector(
    "objectives.orphaned",
    title="Orphaned objective",
    dimension="alignment",
    defaults={"grace_days": 14},
)
def orphaned(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """An active objective that no proposed or active initiative serves (directly, through
    its key results or a child objective: `SERVING_INITIATIVE_STATUSES`, the alignment
    pages' definition), unless its key results are all reached. New objectives get 14
    days' grace. (Served work whose key results do not move is told per key result:
    not updated, behind pace.)"""
    served: set[int] = set()
    kr_obj = {kr.id: kr.objective_id for kr in snap.key_results.values()}
    for i in snap.initiatives.values():
        if i.status not in SERVING_INITIATIVE_STATUSES:
            continue
        served |= i.objective_ids
        served |= {kr_obj[k] for k in i.key_result_ids if k in kr_obj}
    # A child objective serves its parents only when work serves it (as the alignment
    # pages count coverage): carry "served" up the links, however deep.
    rising = list(served)
    while rising:
        o = snap.objectives.get(rising.pop())
        for p in o.parent_ids if o else ():
            if p not in served:
                served.add(p)
                rising.append(p)
    krs_of: dict[int, list[KeyResultS]] = defaultdict(list)
    for kr in snap.key_results.values():
        krs_of[kr.objective_id].append(kr)
    for obj in snap.objectives.values():
        if obj.status != "active" or obj.id in served:
            continue
        if obj.created_at and (snap.as_of - obj.created_at).days < cfg["grace_days"]:
            continue
        period = snap.periods.get(obj.period_id)
        if period is None or not period.live(snap):
            continue
        krs = krs_of.get(obj.id, [])
        if krs and all(_kr_pct(kr, kr.current) >= 100 for kr in krs):
            continue  # done: there is no work left to serve it
        yield Found(
            kind="objectives.orphaned",
            subject_type="alignment.objective",
            subject_id=str(obj.id),
            subject_label=obj.title,
            severity=WARNING,
            title=f"Nothing serves {obj.title}",
            explanation=(
                "No proposed or active initiative, directly or through a key result or a "
                f"contributing objective, serves {obj.title} of "
                f"{snap.team_name(obj.team_id) if obj.team_id else snap.org_name}."
            ),
            next_step="Link the work that serves it, or drop the objective.",
            team_ids={obj.team_id} if obj.team_id else set(),
            owner_id=obj.owner_id or snap.lead_of(obj.team_id),
            evidence=[ev("Objective", obj.title, "alignment.objective", obj.id)]
            + [ev("Key result", kr.name, "alignment.keyresult", kr.id) for kr in krs[:5]],
            numbers={"unserved": True, "key_results": len(krs)},
        )


# --- initiatives -------------------------------------------------------------------------


@detector(
    "initiatives.unaligned",
    title="Unaligned work",
    dimension="alignment",
    defaults={"share": 0.34, "min_count": 2},
)
def unaligned(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A team more than a third of whose active initiatives (and at least 2) serve no
    objective or key result."""
    per_team: dict[int, list] = defaultdict(list)
    for i in snap.initiatives.values():
        if i.status == "active":
            per_team[i.team_id].append(i)
    for team_id, inits in per_team.items():
        loose = [i for i in inits if not i.objective_ids and not i.key_result_ids]
        share = len(loose) / len(inits)
        if len(loose) < cfg["min_count"] or share <= cfg["share"]:
            continue
        name = snap.team_name(team_id)
        yield Found(
            kind="initiatives.unaligned",
            subject_type="org.team",
            subject_id=str(team_id),
            subject_label=name,
            severity=WARNING if share >= 0.5 else INFO,
            title=f"{name} runs unaligned work",
            explanation=(
                f"{len(loose)} of {name}'s {len(inits)} active initiatives ({share:.0%}) "
                f"serve no objective."
            ),
            next_step="Link each to the objective it serves, or pause it.",
            team_ids={team_id},
            owner_id=snap.lead_of(team_id),
            evidence=[ev("Unaligned", i.title, "alignment.initiative", i.id) for i in loose[:8]],
            numbers={"unaligned": len(loose), "active": len(inits), "share": round(share, 3)},
        )


@detector(
    "initiatives.replanned",
    title="Target date moved again and again",
    dimension="execution",
    defaults={"replans": 2, "min_slip_days": 7},
)
def replanned(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """An open initiative re-planned at least twice, now at least a week later than its
    first committed date."""
    for i in snap.initiatives.values():
        if i.status not in OPEN_INIT or len(i.replans) < cfg["replans"]:
            continue
        if i.baseline_target_date is None or i.target_date is None:
            continue
        slip = (i.target_date - i.baseline_target_date).days
        if slip < cfg["min_slip_days"]:
            continue
        yield Found(
            kind="initiatives.replanned",
            subject_type="alignment.initiative",
            subject_id=str(i.id),
            subject_label=i.title,
            severity=WARNING if len(i.replans) >= 3 else INFO,
            title=f"{i.title} keeps moving",
            explanation=(
                f"{i.title} ({snap.team_name(i.team_id)}) was re-planned "
                f"{len(i.replans)} times; it is now due {_day(i.target_date)}, {slip} days "
                f"after its first committed date {_day(i.baseline_target_date)}."
            ),
            next_step="Re-scope it or agree a date the team can hold.",
            team_ids={i.team_id},
            owner_id=i.owner_id or snap.lead_of(i.team_id),
            evidence=[
                ev(
                    f"Re-planned {_day(at)}",
                    f"{_day(old)} → {_day(new)}",
                    "alignment.initiative",
                    i.id,
                )
                for at, old, new in i.replans[-5:]
            ],
            numbers={"replans": len(i.replans), "slip_days": slip},
            initiative_ids={i.id},
        )


# --- dependencies ------------------------------------------------------------------------


def _dep_found(snap, d, kind, severity, title, explanation, next_step, evidence, numbers, owner):
    return Found(
        kind=kind,
        subject_type="coordination.dependency",
        subject_id=str(d.id),
        subject_label=d.title,
        severity=severity,
        title=title,
        explanation=explanation,
        next_step=next_step,
        team_ids={d.requester_team_id, d.provider_team_id},
        owner_id=owner,
        evidence=evidence,
        numbers=numbers,
        initiative_ids={d.requester_initiative_id},
    )


def _dep_named(snap: Snapshot, d, what: str = "Dependency", when: str = "") -> dict:
    """A dependency as evidence, linked by its own name (never by a word such as
    "Dependency"), saying what it is here and between whom, and `when` if given:
    "Request: Mobile needs it from Payments, due 20 Mar 2026"."""
    return ev(
        d.title,
        f"{what}: {snap.team_name(d.requester_team_id)} needs it from "
        f"{snap.team_name(d.provider_team_id)}" + (f", {when}" if when else ""),
        "coordination.dependency",
        d.id,
    )


def _dep_ev(snap: Snapshot, d) -> list[dict]:
    return [
        _dep_named(snap, d),
        ev("Requester", snap.team_name(d.requester_team_id), "org.team", d.requester_team_id),
        ev("Provider", snap.team_name(d.provider_team_id), "org.team", d.provider_team_id),
        ev("Needed by", _day(d.need_by), "coordination.dependency", d.id),
        *(
            [ev("Committed for", _day(d.committed_date), "coordination.dependency", d.id)]
            if d.committed_date
            else []
        ),
    ]


@detector(
    "dependencies.overdue",
    title="Dependency overdue",
    dimension="dependencies",
    takes_over=("dependencies.predicted_late",),  # which ends when the due date passes
)
def dep_overdue(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """An active dependency past its committed (or need-by) date, its provider not having
    said it was delivered (coordination's `late_q`)."""
    for d in snap.dependencies.values():
        if not d.is_late(snap.today):
            continue
        late = (snap.today - d.due).days
        prov, req = snap.team_name(d.provider_team_id), snap.team_name(d.requester_team_id)
        yield _dep_found(
            snap,
            d,
            "dependencies.overdue",
            CRITICAL if late > 7 else WARNING,
            f"{d.title} is {counted(late, 'day')} late",
            (
                f"{prov} committed to deliver {d.title} to {req} by {_day(d.due)}"
                if d.committed_date
                else f"{req} needed {d.title} from {prov} by {_day(d.due)}"
            )
            + f"; it is {counted(late, 'day')} late.",
            f"{prov} and {req} agree a new date, or {req} re-plans around it.",
            _dep_ev(snap, d),
            # Late since the day after its date, whenever an evaluation first finds it.
            {"days_late": late, "since": d.late_since.isoformat()},
            snap.lead_of(d.provider_team_id),
        )


@detector(
    "dependencies.predicted_late", title="Dependency predicted late", dimension="dependencies"
)
def dep_predicted_late(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """An accepted dependency whose provider initiative is due after the need-by date (not
    one its provider said was delivered)."""
    for d in snap.dependencies.values():
        if d.state != "accepted" or d.due < snap.today or d.marked_delivered_on:
            continue
        pi = snap.initiatives.get(d.provider_initiative_id or 0)
        if pi is None or pi.target_date is None or pi.target_date <= d.need_by:
            continue
        gap = (pi.target_date - d.need_by).days
        prov = snap.team_name(d.provider_team_id)
        yield _dep_found(
            snap,
            d,
            "dependencies.predicted_late",
            WARNING,
            f"{d.title} will come late",
            (
                f"{prov} plans to finish {pi.title} on {_day(pi.target_date)}, "
                f"{counted(gap, 'day')} after {snap.team_name(d.requester_team_id)} needs "
                f"{d.title} ({_day(d.need_by)})."
            ),
            "Bring the two teams together: an earlier partial delivery, or a new need-by date.",
            [
                *_dep_ev(snap, d),
                ev(
                    "Provider's initiative due", _day(pi.target_date), "alignment.initiative", pi.id
                ),
            ],
            {"gap_days": gap},
            snap.lead_of(d.provider_team_id),
        )


@detector("dependencies.blocked", title="Dependency blocked", dimension="dependencies")
def dep_blocked(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """An active dependency flagged blocked."""
    for d in snap.dependencies.values():
        if not d.active or d.flag != "blocked":
            continue
        yield _dep_found(
            snap,
            d,
            "dependencies.blocked",
            CRITICAL,
            f"{d.title} is blocked",
            (
                f"{d.title}, which {snap.team_name(d.requester_team_id)} needs from "
                f"{snap.team_name(d.provider_team_id)} by {_day(d.need_by)}"
                + (
                    f" (committed for {_day(d.committed_date)})"
                    if d.committed_date and d.committed_date != d.need_by
                    else ""
                )
                + ", is flagged blocked."
            ),
            "Find what blocks it and who can unblock it; escalate if nobody can.",
            _dep_ev(snap, d),
            {},
            snap.lead_of(d.provider_team_id),
        )


@detector(
    "dependencies.unanswered",
    title="Request unanswered",
    dimension="dependencies",
    defaults={"days": 5},
)
def dep_unanswered(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A request the provider has not answered for 5 days, or a proposal of another date
    or scope (or a counter-proposal) the other side has not answered for as long: counted
    from the last move that left it waiting on that side (warning from twice as long)."""
    for d in snap.dependencies.values():
        if d.state == "requested":
            since, waits_on = d.created_at, "provider"
        elif d.state == "negotiating" and d.awaiting in ("provider", "requester"):
            since, waits_on = d.waiting_since or d.created_at, d.awaiting
        else:
            continue
        days = (snap.as_of - since).days
        if days < cfg["days"]:
            continue
        prov, req = snap.team_name(d.provider_team_id), snap.team_name(d.requester_team_id)
        ago = f"{counted(days, 'day')} ago"
        if d.state == "requested":
            title = f"{prov} has not answered {d.title}"
            why = f"{req} asked {prov} for {d.title} {ago} and has no answer."
            step = f"{prov} accepts, declines or proposes another date."
        elif waits_on == "requester":
            title = f"{req} has not answered {prov}'s proposal for {d.title}"
            why = f"{prov} proposed another date or scope for {d.title} {ago}; {req} "
            why += "has not answered."
            step = f"{req} agrees, counter-proposes or cancels."
        else:
            title = f"{prov} has not answered {req}'s counter-proposal for {d.title}"
            why = f"{req} counter-proposed on {d.title} {ago}; {prov} has not answered."
            step = f"{prov} accepts, declines or proposes another date."
        answering = d.requester_team_id if waits_on == "requester" else d.provider_team_id
        yield _dep_found(
            snap,
            d,
            "dependencies.unanswered",
            WARNING if days >= 2 * cfg["days"] else INFO,
            title,
            why,
            step,
            [*_dep_ev(snap, d), ev("Waiting since", _day(since))]
            if d.state == "negotiating"
            else _dep_ev(snap, d),
            {"days": days},
            snap.lead_of(answering),
        )


@detector(
    "dependencies.declined_unplanned",
    title="Declined with nothing planned instead",
    dimension="dependencies",
)
def dep_declined(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A declined request whose requesting initiative is still open, and that nothing asked
    since replaced: no request of that initiative made after the decline is active or
    delivered (`alignment.blocked.unplanned_declines`, the rule that marks it blocked)."""
    of_initiative: dict[int, list[tuple]] = defaultdict(list)
    for d in snap.dependencies.values():
        of_initiative[d.requester_initiative_id].append((d.id, d.state, d.created_at, d.closed_at))
    unplanned = set().union(*map(unplanned_declines, of_initiative.values()))
    for d in snap.dependencies.values():
        if d.id not in unplanned:
            continue
        ri = snap.initiatives.get(d.requester_initiative_id)
        if ri is None or ri.status not in OPEN_INIT:
            continue
        req = snap.team_name(d.requester_team_id)
        yield _dep_found(
            snap,
            d,
            "dependencies.declined_unplanned",
            WARNING,
            f"{req} has no plan B for {d.title}",
            (
                f"{snap.team_name(d.provider_team_id)} declined {d.title}, and {ri.title} of "
                f"{req} has nothing else planned to get it."
            ),
            f"{req} asks another team, builds it, or re-scopes {ri.title}.",
            [*_dep_ev(snap, d), ev("Waiting initiative", ri.title, "alignment.initiative", ri.id)],
            {},
            snap.lead_of(d.requester_team_id),
        )


def _dep_edges(snap: Snapshot) -> list[tuple[int, int, object]]:
    """(requester initiative, provider initiative, dependency) of active accepted ones."""
    return [
        (d.requester_initiative_id, d.provider_initiative_id, d)
        for d in snap.dependencies.values()
        if d.active and d.provider_initiative_id
    ]


@detector("dependencies.slack_gone", title="A chain whose slack is gone", dimension="dependencies")
def slack_gone(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A dependency the provider would meet on its own dates, but a slip further upstream
    (the provider's own dependencies arrive too late) makes it late."""
    edges = _dep_edges(snap)
    adj: dict[int, list[int]] = defaultdict(list)
    for a, b, _ in edges:
        adj[a].append(b)
        adj.setdefault(b, [])
    acyclic = graph._acyclic_adjacency(adj)
    order = graph._topological(acyclic, list(acyclic))  # upstream first
    deps_of: dict[int, list] = defaultdict(list)
    for a, b, d in edges:
        if b in acyclic.get(a, ()):
            deps_of[a].append((b, d))
    finish: dict[int, dt.date] = {}
    cause: dict[int, int | None] = {}
    for node in order:
        i = snap.initiatives.get(node)
        own = i.target_date if i and i.target_date else snap.today
        best, why = own, None
        for b, d in deps_of.get(node, ()):
            arrives = max(d.due, finish.get(b, d.due))
            if arrives > best:
                best, why = arrives, d.id
        finish[node], cause[node] = best, why
    for _a, b, d in edges:
        pi = snap.initiatives.get(b)
        if pi is None or pi.target_date is None or pi.target_date > d.need_by:
            continue  # on its own it is late already: dependencies.predicted_late
        if finish.get(b, pi.target_date) <= d.need_by or cause.get(b) is None:
            continue
        upstream = snap.dependencies[cause[b]]
        yield _dep_found(
            snap,
            d,
            "dependencies.slack_gone",
            WARNING,
            f"A slip upstream makes {d.title} late",
            (
                f"{snap.team_name(d.provider_team_id)} needs {upstream.title} from "
                f"{snap.team_name(upstream.provider_team_id)} to finish {pi.title}; with it "
                f"arriving late, {pi.title} finishes {_day(finish[b])}, after "
                f"{snap.team_name(d.requester_team_id)} needs {d.title} ({_day(d.need_by)})."
            ),
            "Look at the whole chain together: the upstream team's date decides this one.",
            [
                *_dep_ev(snap, d),
                _dep_named(snap, upstream, "Upstream"),
                ev("Chain finishes", _day(finish[b]), "alignment.initiative", pi.id),
            ],
            {"finish": finish[b].isoformat(), "days_short": (finish[b] - d.need_by).days},
            snap.lead_of(d.provider_team_id),
        )


_INIT = "alignment.initiative"


@detector("dependencies.cycle", title="Dependency cycle", dimension="dependencies")
def dep_cycle(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """Initiatives that depend on each other in a circle: none can finish first."""
    edges = _dep_edges(snap)
    pairs = [(a, b) for a, b, _ in edges]
    for members in graph.cycles([], pairs):
        inits = [snap.initiatives[m] for m in members if m in snap.initiatives]
        teams = {i.team_id for i in inits}
        inside = set(members)
        deps = [d for a, b, d in edges if a in inside and b in inside]
        names = ", ".join(snap.team_name(t) for t in sorted(teams))
        yield Found(
            kind="dependencies.cycle",
            subject_type="coordination.cycle",
            subject_id=subject_key(sorted(members)),
            subject_label=" ↔ ".join(i.title for i in inits[:4]),
            severity=CRITICAL,
            title=f"{len(members)} initiatives wait on each other",
            explanation=(
                f"{', '.join(i.title for i in inits[:5])} depend on each other in a circle "
                f"(teams {names}): none can finish first."
            ),
            next_step="Get the teams in one room and cut one link of the circle.",
            team_ids=teams,
            owner_id=snap.lead_of(min(teams)) if teams else None,
            # Each initiative and dependency by its name, linked: where the circle is cut.
            evidence=[
                *(
                    ev(i.title, f"Initiative of {snap.team_name(i.team_id)}", _INIT, i.id)
                    for i in inits
                ),
                *(_dep_named(snap, d) for d in deps),
            ],
            numbers={"initiatives": len(members), "teams": len(teams)},
            initiative_ids=inside,
        )


# --- load and priorities -----------------------------------------------------------------


@detector(
    "load.overloaded",
    title="Overloaded team",
    dimension="execution",
    defaults={"horizon_days": 31, "requests_per_person": 1.0},
)
def overloaded(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A team with more active initiatives than its WIP limit, more accepted requests due
    in the next month than people to serve them, or members allocated above 100%."""
    horizon = snap.today + dt.timedelta(days=int(cfg["horizon_days"]))
    wip: dict[int, int] = defaultdict(int)
    for i in snap.initiatives.values():
        if i.status == "active":
            wip[i.team_id] += 1
    incoming: dict[int, list] = defaultdict(list)
    for d in snap.dependencies.values():
        if d.state == "accepted" and d.due <= horizon:
            incoming[d.provider_team_id].append(d)
    for team in snap.teams.values():
        reasons, items, numbers = [], [], {}
        if team.wip_limit is not None and wip[team.id] > team.wip_limit:
            reasons.append(f"runs {wip[team.id]} initiatives against a limit of {team.wip_limit}")
            # Its priority stack, where the WIP limit is set and the initiatives re-ranked.
            items.append(
                ev(
                    f"Active initiatives, against its WIP limit of {team.wip_limit} (set on "
                    "its priority stack)",
                    wip[team.id],
                    "alignment.stack",
                    team.id,
                )
            )
            numbers["wip"], numbers["wip_limit"] = wip[team.id], team.wip_limit
        reqs = incoming.get(team.id, [])
        # The requesting teams are concerned by the load of their requests, not by the
        # team's own WIP or allocation: only the request-load reason names them.
        requested: list = []
        if reqs and len(reqs) > team.people * cfg["requests_per_person"]:
            requested = reqs
            late = [d for d in reqs if d.is_late(snap.today)]
            reasons.append(
                f"accepted {len(reqs)} requests due within the month with "
                f"{counted(team.people, 'person', 'people')}"
                + (
                    f"; {len(late)} {'is' if len(late) == 1 else 'are'} already late"
                    if late
                    else ""
                )
            )
            items += [
                _dep_named(snap, d, "Accepted request", f"due {_day(d.due)}") for d in reqs[:8]
            ]
            numbers["requests"], numbers["late"] = len(reqs), len(late)
        over = [p for p in team.members if snap.people[p].allocation > 100]
        if over:
            reasons.append(f"{counted(len(over), 'member')} allocated above 100%")
            items += [
                ev(snap.people[p].name, f"{snap.people[p].allocation}%", "org.person", p)
                for p in over[:5]
            ]
            numbers["over_allocated"] = len(over)
        if not reasons:
            continue
        critical = numbers.get("late", 0) > 0 or len(reasons) > 1
        yield Found(
            kind="load.overloaded",
            subject_type="org.team",
            subject_id=str(team.id),
            subject_label=team.name,
            severity=CRITICAL if critical else WARNING,
            title=f"{team.name} is overloaded",
            explanation=f"{team.name} " + "; ".join(reasons) + ".",
            next_step="Renegotiate or re-sequence its commitments before more of them slip.",
            team_ids={team.id} | {d.requester_team_id for d in requested},
            owner_id=snap.lead_of(team.id),
            evidence=items,
            numbers=numbers,
            initiative_ids={d.requester_initiative_id for d in requested},
        )


@detector(
    "priorities.competing",
    title="Competing priorities",
    dimension="execution",
    defaults={"top_ranks": 3},
)
def competing(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A provider's accepted requests due in the same week as its own top-ranked work, or
    two requesters needing one provider initiative in the same week (their need-by dates)
    when it is due after the earlier of their dates: it cannot meet both."""
    top: dict[int, dict[tuple[int, int], list]] = defaultdict(lambda: defaultdict(list))
    for i in snap.initiatives.values():
        if i.status == "active" and i.rank and i.rank <= cfg["top_ranks"] and i.target_date:
            top[i.team_id][tuple(i.target_date.isocalendar()[:2])].append(i)
    by_init: dict[int, list] = defaultdict(list)
    clashes: dict[int, list] = defaultdict(list)
    for d in snap.dependencies.values():
        if d.state != "accepted" or d.due < snap.today:
            continue
        week = tuple(d.due.isocalendar()[:2])
        own = top.get(d.provider_team_id, {}).get(week, [])
        own = [i for i in own if i.id != d.provider_initiative_id]
        if own:
            clashes[d.provider_team_id].append((d, own[0]))
        if d.provider_initiative_id:
            by_init[d.provider_initiative_id].append(d)
    for team_id, pairs in clashes.items():
        name = snap.team_name(team_id)
        d, i = pairs[0]
        yield Found(
            kind="priorities.competing",
            subject_type="org.team",
            subject_id=str(team_id),
            subject_label=name,
            severity=WARNING,
            title=f"{name} owes others work in the weeks of its own top priorities",
            explanation=(
                f"{name} owes {counted(len(pairs), 'request')} due in the same week as its own "
                f"top-ranked work, e.g. {d.title} (due {_day(d.due)}) against {i.title} "
                f"(due {_day(i.target_date)})."
            ),
            next_step="Decide which comes first and tell the teams waiting.",
            team_ids={team_id} | {d.requester_team_id for d, _ in pairs},
            owner_id=snap.lead_of(team_id),
            evidence=[_dep_named(snap, d, "Request", f"due {_day(d.due)}") for d, _ in pairs[:5]]
            + [ev("Own priority", i.title, "alignment.initiative", i.id) for _, i in pairs[:3]],
            numbers={"clashes": len(pairs)},
            initiative_ids={d.requester_initiative_id for d, _ in pairs},
        )
    for init_id, deps in by_init.items():
        pi = snap.initiatives.get(init_id)
        if pi is None or pi.target_date is None:
            continue
        weeks: dict[tuple[int, int], list] = defaultdict(list)
        for d in deps:
            weeks[tuple(d.need_by.isocalendar()[:2])].append(d)
        for week in sorted(weeks):  # the first week it cannot serve
            squeezed = sorted(weeks[week], key=lambda d: (d.need_by, d.id))
            requesters = list(dict.fromkeys(d.requester_team_id for d in squeezed))
            if len(requesters) >= 2 and pi.target_date > squeezed[0].need_by:
                break
        else:
            continue
        dates = sorted({d.need_by for d in squeezed})
        monday = squeezed[0].need_by - dt.timedelta(days=squeezed[0].need_by.weekday())
        yield Found(
            kind="priorities.competing",
            subject_type="alignment.initiative",
            subject_id=str(init_id),
            subject_label=pi.title,
            severity=WARNING,
            title=f"{pi.title} cannot meet {len(requesters)} teams' dates",
            explanation=(
                f"{_and(snap.team_name(t) for t in requesters)} "
                f"{'both' if len(requesters) == 2 else 'all'} need {pi.title} of "
                f"{snap.team_name(pi.team_id)} in the week of {_day(monday)} "
                f"(by {_and(_day(d) for d in dates)}), but it is due "
                f"{_day(pi.target_date)}: it cannot meet "
                f"{'both' if len(requesters) == 2 else 'them all'}."
            ),
            next_step="The provider decides the order with the requesters, in one conversation.",
            team_ids={pi.team_id, *requesters},
            owner_id=pi.owner_id or snap.lead_of(pi.team_id),
            evidence=[
                _dep_named(snap, d, "Request", f"needed by {_day(d.need_by)}") for d in squeezed[:6]
            ],
            numbers={"requesters": len(requesters)},
            initiative_ids={d.requester_initiative_id for d in squeezed},
        )


@detector(
    "priorities.churn",
    title="Priority churn",
    dimension="execution",
    defaults={"weeks": 4, "per_week": 3.0},
)
def churn(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A team whose priority stack was re-ranked more than 3 times a week on average over
    the last 4 weeks."""
    since = snap.as_of - dt.timedelta(weeks=int(cfg["weeks"]))
    counts: dict[int, int] = defaultdict(int)
    for team_id, _init, at in snap.rank_changes:
        if at > since:
            counts[team_id] += 1
    for team_id, n in counts.items():
        rate = n / cfg["weeks"]
        if rate <= cfg["per_week"] or team_id not in snap.teams:
            continue
        name = snap.team_name(team_id)
        yield Found(
            kind="priorities.churn",
            subject_type="org.team",
            subject_id=str(team_id),
            subject_label=name,
            severity=WARNING if rate > 2 * cfg["per_week"] else INFO,
            title=f"{name}'s priorities keep changing",
            explanation=(
                f"{name}'s priority stack was re-ranked {n} times in the last "
                f"{int(cfg['weeks'])} weeks ({rate:.1f} a week)."
            ),
            next_step="Agree what the top priority is for the next month and hold it.",
            team_ids={team_id},
            owner_id=snap.lead_of(team_id),
            evidence=[ev("Re-rankings", n, "org.team", team_id)],
            numbers={"changes": n, "per_week": round(rate, 2)},
        )


# --- decisions and accountability --------------------------------------------------------


@detector(
    "org.no_lead",
    title="Team without a lead",
    dimension="decisions",
    defaults={"min_members": 1},
)
def no_lead(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A current (not retired) team with members but nobody in a leading role (lead,
    co-lead or chair): its lead position is open or the last lead's term ended."""
    for team in snap.teams.values():
        if team.id in snap.retired or team.leads or team.people < int(cfg["min_members"]):
            continue
        above = snap.lead_of(team.parent_id)
        members = sorted(team.members)
        yield Found(
            kind="org.no_lead",
            subject_type="org.team",
            subject_id=str(team.id),
            subject_label=team.name,
            severity=WARNING if team.people >= 3 else INFO,
            title=f"{team.name} has no lead",
            explanation=(
                f"{team.name} has {counted(team.people, 'member')} and no current lead: "
                "nobody in the team may change it, and no one answers for it."
            ),
            next_step="Name a lead, or declare the lead position open on the team's page.",
            team_ids={team.id},
            owner_id=above,
            evidence=[ev("Team", team.name, "org.team", team.id)]
            + [ev("Member", snap.people[p].name, "org.person", p) for p in members[:5]],
            numbers={"members": team.people},
        )


def decision_teams(snap: Snapshot, d) -> set[int]:
    return set(d.team_ids) or set(
        snap.people.get(d.approver_id).teams if d.approver_id in snap.people else ()
    )


@detector("decisions.overdue", title="Decision overdue", dimension="decisions")
def decision_overdue(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """An undecided decision past its decide-by date."""
    for d in snap.decisions.values():
        if not d.undecided or d.decide_by is None or d.decide_by >= snap.today:
            continue
        late = (snap.today - d.decide_by).days
        approver = snap.person_name(d.approver_id)
        yield Found(
            kind="decisions.overdue",
            subject_type="decisions.decision",
            subject_id=str(d.id),
            subject_label=d.question,
            severity=CRITICAL if late > 14 else WARNING,
            title=f"Decision overdue: {d.question}",
            explanation=f"{approver} was to decide “{d.question}” by {_day(d.decide_by)}; "
            f"it is {counted(late, 'day')} late.",
            next_step=f"{approver} decides, or sets a new date and says why.",
            team_ids=decision_teams(snap, d),
            owner_id=d.approver_id,
            evidence=[
                ev("Decision", d.question, "decisions.decision", d.id),
                ev("Decide by", _day(d.decide_by), "decisions.decision", d.id),
                ev("Approver", approver, "org.person", d.approver_id),
            ],
            # Overdue since the day after its decide-by date, whenever first found.
            numbers={
                "days_late": late,
                "since": (d.decide_by + dt.timedelta(days=1)).isoformat(),
            },
        )


@detector(
    "decisions.latency_rising",
    title="Decision latency rising",
    dimension="decisions",
    defaults={"recent_days": 30, "usual_days": 120, "factor": 1.5, "min_decisions": 3},
)
def latency_rising(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """The median time to decide over the last 30 days is at least 1.5 times the usual
    (the 120 days before), with at least 3 decisions in each."""
    recent_from = snap.as_of - dt.timedelta(days=cfg["recent_days"])
    usual_from = recent_from - dt.timedelta(days=cfg["usual_days"])
    recent, usual = [], []
    for d in snap.decisions.values():
        if d.decided_at is None:
            continue
        days = (d.decided_at - d.opened_at).total_seconds() / 86400
        if d.decided_at > recent_from:
            recent.append(days)
        elif d.decided_at > usual_from:
            usual.append(days)
    if len(recent) < cfg["min_decisions"] or len(usual) < cfg["min_decisions"]:
        return
    r, u = statistics.median(recent), statistics.median(usual)
    if u <= 0 or r < cfg["factor"] * u:
        return
    yield Found(
        kind="decisions.latency_rising",
        subject_type="org.organization",
        subject_id=str(snap.org_id),
        subject_label=snap.org_name,
        severity=WARNING,
        title="Decisions take longer",
        explanation=(
            f"Decisions of the last {cfg['recent_days']} days took {r:.1f} days to make "
            f"(median of {len(recent)}), against {u:.1f} days before."
        ),
        next_step="Look at the decisions waiting: who approves them, and what they wait for.",
        team_ids=snap.peopled_tops(),  # the organization's: its top teams with people
        owner_id=None,
        evidence=[
            ev("Median days, recent", round(r, 1)),
            ev("Median days, usual", round(u, 1)),
        ],
        numbers={"recent_median_days": round(r, 2), "usual_median_days": round(u, 2)},
    )


@detector(
    "decisions.approver_bottleneck",
    title="Decisions waiting on one approver",
    dimension="decisions",
    defaults={"waiting": 4},
)
def approver_bottleneck(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A person on whom 4 or more undecided decisions wait."""
    waiting: dict[int, list] = defaultdict(list)
    for d in snap.decisions.values():
        if d.undecided:
            waiting[d.approver_id].append(d)
    for pid, ds in waiting.items():
        if len(ds) < cfg["waiting"]:
            continue
        name = snap.person_name(pid)
        overdue = [d for d in ds if d.decide_by and d.decide_by < snap.today]
        oldest = min(d.opened_at for d in ds)
        teams: set[int] = set()
        for d in ds:
            teams |= decision_teams(snap, d)
        yield Found(
            kind="decisions.approver_bottleneck",
            subject_type="org.person",
            subject_id=str(pid),
            subject_label=name,
            severity=CRITICAL if len(ds) >= 2 * cfg["waiting"] or overdue else WARNING,
            title=f"{len(ds)} decisions wait on {name}",
            explanation=(
                f"{len(ds)} decisions wait for {name} to approve them"
                + (f", {len(overdue)} past their date" if overdue else "")
                + f"; the oldest was opened {_day(oldest)}."
            ),
            next_step=f"{name} delegates some of them, or sets aside time to decide.",
            team_ids=teams,
            owner_id=pid,
            evidence=[ev("Waiting", d.question, "decisions.decision", d.id) for d in ds[:8]],
            numbers={"waiting": len(ds), "overdue": len(overdue)},
        )


@detector(
    "actions.follow_through",
    title="Action items not followed through",
    dimension="decisions",
    # The window of the team's action-items page ("Follow-through, 30 days").
    defaults={"days": followthrough.WINDOW_DAYS, "threshold": 0.6, "min_items": 4},
)
def follow_through(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A team that did fewer than 60% of the action items due in the last 30 days by their
    due date (at least 4 items). Counted as on its action-items page (items filed to the
    team itself, over the same window, by the same rule, `followthrough.item_counts`): an
    item re-dated once overdue is never on time."""
    since = snap.today - dt.timedelta(days=cfg["days"])
    per_team: dict[int, list] = defaultdict(list)
    kept_ids: set[int] = set()
    for a in snap.action_items.values():
        if a.team_id is None:
            continue
        # The stored figures' rule: the day it counts on (a done item that slipped: the
        # due date it missed) and whether it was done on time (by its local done date).
        counted = followthrough.item_counts(a.due_on, a.status, a.done_at, a.slipped_from)
        if counted is None:
            continue
        day, (due, on_time, *_) = counted
        if not due or not (since <= day < snap.today):
            continue
        per_team[a.team_id].append(a)
        if on_time:
            kept_ids.add(a.id)
    for team_id, items in per_team.items():
        if len(items) < cfg["min_items"]:
            continue
        kept = [a for a in items if a.id in kept_ids]
        share = len(kept) / len(items)
        if share >= cfg["threshold"]:
            continue
        name = snap.team_name(team_id)
        missed = [a for a in items if a not in kept]
        yield Found(
            kind="actions.follow_through",
            subject_type="org.team",
            subject_id=str(team_id),
            subject_label=name,
            severity=WARNING if share < cfg["threshold"] / 2 else INFO,
            title=f"{name} follows through on {share:.0%} of its action items",
            explanation=(
                f"{name} did {len(kept)} of the {len(items)} action items filed to it and "
                f"due in the {cfg['days']} days before {_day(snap.today)} by their due date."
            ),
            next_step="Review the open items in the next team meeting: do, re-date or drop.",
            team_ids={team_id},
            owner_id=snap.lead_of(team_id),
            evidence=[
                ev("Not done on time", a.title, "decisions.actionitem", a.id) for a in missed[:8]
            ],
            numbers={"due": len(items), "on_time": len(kept), "share": round(share, 3)},
        )


@detector(
    "issues.stuck",
    title="Issue stuck at one level",
    dimension="decisions",
    # The server's ACCORD_ISSUE_STALE_DAYS (14 unless set) is only the starting default.
    defaults={"days": settings.ACCORD_ISSUE_STALE_DAYS},
)
def issue_stuck(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """An open issue that has stayed at one level of the team tree for 14 days or more
    (critical from twice as long): from the day its page says "14 days at this level"."""
    limit = int(cfg["days"])
    for i in snap.issues.values():
        if i.status != "open":
            continue
        days = (snap.as_of - i.level_since).days
        if days < limit:
            continue
        name = snap.team_name(i.team_id)
        team = snap.teams.get(i.team_id)
        at_top = team is not None and team.parent_id is None
        yield Found(
            kind="issues.stuck",
            subject_type="decisions.issue",
            subject_id=str(i.id),
            subject_label=i.title,
            severity=WARNING if days < 2 * limit else CRITICAL,
            title=f"{i.title} is stuck with {name}",
            explanation=f"“{i.title}” has sat with {name} for {counted(days, 'day')} without "
            + ("being solved." if at_top else "being solved or escalated."),
            next_step=(
                f"{name} solves it, or closes it saying why it will not be solved."
                if at_top
                else f"{name} solves it, or escalates it to the team above."
            ),
            team_ids={i.team_id},
            owner_id=snap.lead_of(i.team_id),
            evidence=[ev("Issue", i.title, "decisions.issue", i.id), ev("Days at level", days)],
            # Stuck since the day it had sat `limit` days at its level.
            numbers={
                "days": days,
                "since": timezone.localdate(i.level_since + dt.timedelta(days=limit)).isoformat(),
            },
        )


# --- rhythm ------------------------------------------------------------------------------


@detector(
    "rhythm.meetings_not_held",
    title="Meetings of a cadence not held",
    dimension="rhythm",
    defaults={"in_a_row": 2},
)
def meetings_not_held(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """A meeting cadence whose last 2 occurrences were not held."""
    n = int(cfg["in_a_row"])
    for cad in snap.cadences.values():
        last = cad.meetings[-n:]
        if len(last) < n or any(held for _, held, _ in last):
            continue
        teams = set(cad.team_ids)
        yield Found(
            kind="rhythm.meetings_not_held",
            subject_type="rhythm.cadence",
            subject_id=str(cad.id),
            subject_label=cad.name,
            severity=WARNING,
            title=f"{cad.name} has not met",
            explanation=f"The last {n} meetings of {cad.name} were not held "
            f"({', '.join(_day(s) for s, _, _ in last)}).",
            next_step="Hold it, move it to a time that works, or retire the cadence.",
            team_ids=teams if len(teams) <= 50 else set(),
            owner_id=cad.owner_id,
            evidence=[
                ev(f"Meeting {_day(s)}", "not held", "rhythm.cadence", cad.id) for s, _, _ in last
            ],
            numbers={"in_a_row": n},
        )


@detector(
    "rhythm.ratings_falling",
    title="Meeting ratings falling",
    dimension="rhythm",
    defaults={"meetings": 3, "drop": 1.5},
)
def ratings_falling(snap: Snapshot, cfg: dict) -> Iterator[Found]:
    """The average rating of a cadence's last 3 meetings is 1.5 points (of 10) below the 3
    before."""
    n = int(cfg["meetings"])
    for cad in snap.cadences.values():
        rated = [(s, r) for s, held, r in cad.meetings if held and r is not None]
        if len(rated) < 2 * n:
            continue
        before = sum(r for _, r in rated[-2 * n : -n]) / n
        now = sum(r for _, r in rated[-n:]) / n
        if round(before - now, 9) < cfg["drop"]:  # in points: 8.2 -> 6.7 is 1.5
            continue
        yield Found(
            kind="rhythm.ratings_falling",
            subject_type="rhythm.cadence",
            subject_id=str(cad.id),
            subject_label=cad.name,
            severity=WARNING if now < 6 else INFO,
            title=f"{cad.name} is rated lower",
            explanation=f"People rated the last {n} meetings of {cad.name} {now:.1f} of 10 on "
            f"average, against {before:.1f} before.",
            next_step="Ask the participants what would make the meeting worth their time.",
            team_ids=set(cad.team_ids) if len(cad.team_ids) <= 50 else set(),
            owner_id=cad.owner_id,
            evidence=[
                ev(f"Meeting {_day(s)}", round(r, 1), "rhythm.cadence", cad.id)
                for s, r in rated[-2 * n :]
            ],
            numbers={"recent": round(now, 2), "before": round(before, 2)},
        )
