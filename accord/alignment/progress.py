"""Progress of key results and objectives, on plain numbers (no database).

Every function returns a percentage in [0, 100]. The rules, per direction:

- increase to: linear from start to target; at or past the target is 100. If the target
  is not above the start there is no distance to cover: 100 once the value reaches the
  target, else 0.
- decrease to: the mirror image.
- keep above / keep below: 100 while the value is on the right side of the target (or
  at it), else 0.
- keep within a range [low, high]: 100 inside (a zero-width range is a single point),
  else 0.
- milestone: 100 when done, else 0.

Non-finite numbers (NaN, infinity) count as no progress.

A level to hold (keep above, keep below, keep within a range) whose value is on the wrong
side of its limit is failing now, however close it came from where it started: it counts 0
toward its objective, and `outside_limit` gives the words the pages show instead of its 0%.
Its progress is the same 0 everywhere it is read (its page and history, the API, exports,
briefings, the stored roll-up).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from accord.core.days import org_day

INCREASE, DECREASE, ABOVE, BELOW, RANGE = "increase", "decrease", "above", "below", "range"


def _clamp(x: float) -> float:
    if math.isnan(x):
        return 0.0
    return max(0.0, min(100.0, x))


def _toward(start: float, target: float, current: float) -> float:
    """Share of the way from start up to target (target > start), as a percentage."""
    return _clamp(100.0 * (current - start) / (target - start))


def progress(
    direction: str,
    start: float,
    target: float,
    current: float,
    *,
    low: float | None = None,
    high: float | None = None,
    is_milestone: bool = False,
    done: bool = False,
) -> float:
    if is_milestone:
        return 100.0 if done else 0.0
    values = [start, target, current] + [v for v in (low, high) if v is not None]
    if not all(math.isfinite(v) for v in values):
        return 0.0
    if direction == INCREASE:
        if target > start:
            return _toward(start, target, current)
        return 100.0 if current >= target else 0.0
    if direction == DECREASE:
        if target < start:
            return _toward(-start, -target, -current)
        return 100.0 if current <= target else 0.0
    if direction == ABOVE:
        return _range_progress(current, target, math.inf)
    if direction == BELOW:
        return _range_progress(current, -math.inf, target)
    if direction == RANGE:
        if low is None or high is None:
            return 0.0
        if low > high:
            low, high = high, low
        return _range_progress(current, low, high)
    raise ValueError(f"Unknown direction {direction!r}")


def _range_progress(current: float, low: float, high: float) -> float:
    """A level held: 100 within [low, high], 0 outside (no partial credit, wherever it
    started: outside its limit it is failing now)."""
    return 100.0 if low <= current <= high else 0.0


def kr_progress(kr: Any) -> float:
    """Progress of a KeyResult-like object (model instance or a dict of its fields)."""
    get = kr.get if isinstance(kr, dict) else lambda name: getattr(kr, name)
    return progress(
        get("direction"),
        get("start"),
        get("target"),
        get("current"),
        low=get("range_low"),
        high=get("range_high"),
        is_milestone=get("is_milestone"),
        done=get("done"),
    )


LEVELS = (ABOVE, BELOW, RANGE)


def outside_limit(
    direction: str,
    target: float,
    current: float,
    *,
    low: float | None = None,
    high: float | None = None,
    is_milestone: bool = False,
) -> str:
    """What a level to hold says when its value is on the wrong side of its limit: "outside
    its limit" (keep above, keep below) or "outside its range" (keep within a range); ""
    while it holds its level, and for what is not a level (an increase, a decrease, a
    milestone) or has numbers that are not finite."""
    if is_milestone or direction not in LEVELS:
        return ""
    values = [target, current] + [v for v in (low, high) if v is not None]
    if not all(math.isfinite(v) for v in values):
        return ""
    if direction == ABOVE:
        return "outside its limit" if current < target else ""
    if direction == BELOW:
        return "outside its limit" if current > target else ""
    if low is None or high is None:
        return ""
    return "outside its range" if not min(low, high) <= current <= max(low, high) else ""


def kr_outside_limit(kr: Any) -> str:
    """`outside_limit` of a KeyResult-like object (model instance or a dict of its fields)."""
    get = kr.get if isinstance(kr, dict) else lambda name: getattr(kr, name)
    return outside_limit(
        get("direction"),
        get("target"),
        get("current"),
        low=get("range_low"),
        high=get("range_high"),
        is_milestone=get("is_milestone"),
    )


def weighted_mean(items: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of (value, weight) pairs, skipping None values; None if nothing counts."""
    total = weight_sum = 0.0
    for value, weight in items:
        if value is None or weight <= 0:
            continue
        total += value * weight
        weight_sum += weight
    if weight_sum == 0:
        return None
    return _clamp(total / weight_sum)


# Points away from the share of the period gone before a key result is "behind" (or
# "ahead"): the default tolerance of the key_results.off_pace signal. Within NEAR points it
# is "on pace"; between the two, "a little behind" (not yet a signal, worth a look).
PACE_TOLERANCE = 25.0
NEAR = 10.0


# A key result added in its period's first two weeks was part of the plan: paced over the
# whole period. One added later is paced from the day it was added.
PLANNING_DAYS = 14


def pace_since(
    baseline_date: dt.date | None, opened: dt.date | None, period_start: dt.date
) -> dt.date | None:
    """The day a key result's pace is measured from: its baseline date when it has one,
    else the day its history opened (its first value: the day it was added) when that was
    past the period's first PLANNING_DAYS; None: from the period's start."""
    if baseline_date is not None:
        return baseline_date
    if opened is not None and (opened - period_start).days > PLANNING_DAYS:
        return opened
    return None


def pace_elapsed(
    today: dt.date, period_start: dt.date, period_end: dt.date, since: dt.date | None = None
) -> float | None:
    """The share (0 to 1) gone on `today` of the time a key result has to reach its target:
    from `since` (`pace_since`; the period's start when earlier or unknown) to the period's
    end. A key result added in December to a quarter that began in October is not expected
    to have come three quarters of the way. None when the period is not under way."""
    if not (period_start <= today <= period_end):
        return None
    begin = period_start if since is None else min(max(since, period_start), period_end)
    span = max(1, (period_end - begin).days)
    return min(1.0, max(0.0, (today - begin).days / span))


def pace_share(
    today: dt.date,
    period_start: dt.date,
    period_end: dt.date,
    baseline_date: dt.date | None,
    opened: dt.datetime | None,
) -> tuple[float | None, dt.date | None]:
    """(`pace_elapsed`, the day its time runs from when later than the period's start, else
    None) of a key result whose history opened at `opened` (its first value, or its
    creation if earlier), read on `today`, the organization's day (`core.days`): as its
    page, the agendas and the key_results.off_pace signal count it."""
    day = org_day(opened) if opened is not None else None
    since = pace_since(baseline_date, day, period_start)
    elapsed = pace_elapsed(today, period_start, period_end, since)
    late = since if elapsed is not None and since and since > period_start else None
    return elapsed, late


def pace(pct: float, direction: str, is_milestone: bool, elapsed: float | None) -> dict:
    """Where a key result stands against the share of its period gone (`elapsed`, 0 to 1, or
    None when the period is not under way): {"elapsed", "gap", "state"} where `state` is
    "ahead", "on pace", "a little behind", "behind" or "" (no pace: a milestone, a
    keep-above/below or a range, or a period not under way). `gap` is progress minus
    elapsed, in points."""
    if elapsed is None:
        return {"elapsed": None, "gap": None, "state": ""}
    share = 100.0 * max(0.0, min(1.0, elapsed))
    if is_milestone or direction not in (INCREASE, DECREASE):
        return {"elapsed": share, "gap": None, "state": ""}
    gap = pct - share
    if gap < -PACE_TOLERANCE:
        state = "behind"
    elif gap < -NEAR:
        state = "a little behind"
    else:
        state = "ahead" if gap > NEAR else "on pace"
    return {"elapsed": share, "gap": gap, "state": state}
