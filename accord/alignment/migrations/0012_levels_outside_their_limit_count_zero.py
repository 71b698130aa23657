"""A level to hold (keep above, keep below, keep within a range) whose value is on the wrong
side of its limit now counts 0, not the partial credit it had from where it started: recount
the stored progress of every objective (`Objective.rollup_progress`) and of every frozen key
result of a closed period (`FrozenKeyResult.progress`) under that rule.

The rules are copied here as they stand at this migration (`alignment.progress` and
`alignment.rollups` may change later; this recount must not)."""

import math
from collections import defaultdict

from django.db import migrations

INCREASE, DECREASE, ABOVE, BELOW, RANGE = "increase", "decrease", "above", "below", "range"
LEVELS = (ABOVE, BELOW, RANGE)
DROPPED = "dropped"
KR_FIELDS = (
    "objective_id",
    "direction",
    "start",
    "target",
    "current",
    "range_low",
    "range_high",
    "is_milestone",
    "done",
    "weight",
)


def _clamp(x):
    if math.isnan(x):
        return 0.0
    return max(0.0, min(100.0, x))


def _progress(direction, start, target, current, low, high, is_milestone, done):
    if is_milestone:
        return 100.0 if done else 0.0
    values = [start, target, current] + [v for v in (low, high) if v is not None]
    if not all(math.isfinite(v) for v in values):
        return 0.0
    if direction == INCREASE:
        if target > start:
            return _clamp(100.0 * (current - start) / (target - start))
        return 100.0 if current >= target else 0.0
    if direction == DECREASE:
        if target < start:
            return _clamp(100.0 * (start - current) / (start - target))
        return 100.0 if current <= target else 0.0
    if direction == ABOVE:
        return 100.0 if current >= target else 0.0
    if direction == BELOW:
        return 100.0 if current <= target else 0.0
    if direction == RANGE:
        if low is None or high is None:
            return 0.0
        return 100.0 if min(low, high) <= current <= max(low, high) else 0.0
    return 0.0


def _weighted_mean(items):
    total = weight_sum = 0.0
    for value, weight in items:
        if value is None or weight <= 0:
            continue
        total += value * weight
        weight_sum += weight
    if weight_sum == 0:
        return None
    return _clamp(total / weight_sum)


def _rollups(status, krs_of, children):
    """Progress of each objective: the weighted mean of its key results and its counted
    (not dropped) contributing objectives, children first; a cycle is cut."""
    memo = {}
    visiting = set()
    for root in status:
        stack = [(root, False)]
        while stack:
            oid, expanded = stack.pop()
            if oid in memo or oid not in status:
                continue
            if expanded:
                visiting.discard(oid)
                items = list(krs_of.get(oid, []))
                for c, w in children.get(oid, []):
                    if status.get(c) != DROPPED:
                        items.append((memo.get(c), w))
                memo[oid] = _weighted_mean(items)
                continue
            if oid in visiting:
                continue
            visiting.add(oid)
            stack.append((oid, True))
            for c, _ in children.get(oid, []):
                if c in status and c not in memo and c not in visiting:
                    stack.append((c, False))
    return memo


def recount(apps, schema_editor):
    Objective = apps.get_model("alignment", "Objective")
    ObjectiveLink = apps.get_model("alignment", "ObjectiveLink")
    KeyResult = apps.get_model("alignment", "KeyResult")
    FrozenKeyResult = apps.get_model("alignment", "FrozenKeyResult")
    levels = KeyResult.objects.filter(direction__in=LEVELS, is_milestone=False)
    for org_id in levels.values_list("org_id", flat=True).distinct().order_by("org_id"):
        status = dict(Objective.objects.filter(org_id=org_id).values_list("id", "status"))
        krs_of = defaultdict(list)
        for kr in (
            KeyResult.objects.filter(org_id=org_id)
            .order_by("position", "id")
            .values_list(*KR_FIELDS)
        ):
            oid, direction, start, target, current, low, high, milestone, done, weight = kr
            krs_of[oid].append(
                (_progress(direction, start, target, current, low, high, milestone, done), weight)
            )
        children = defaultdict(list)
        for child, parent, weight in (
            ObjectiveLink.objects.filter(org_id=org_id)
            .order_by("id")
            .values_list("child_id", "parent_id", "weight")
        ):
            children[parent].append((child, weight))
        figures = _rollups(status, krs_of, children)
        stored = dict(Objective.objects.filter(org_id=org_id).values_list("id", "rollup_progress"))
        changed = [
            Objective(pk=oid, rollup_progress=value)
            for oid, value in figures.items()
            if stored.get(oid) != value
        ]
        Objective.objects.bulk_update(changed, ["rollup_progress"], batch_size=500)
    frozen = []
    for fid, value, done, progress, direction, start, target, low, high, milestone in (
        FrozenKeyResult.objects.filter(
            key_result__direction__in=LEVELS, key_result__is_milestone=False
        )
        .order_by("id")
        .values_list(
            "id",
            "value",
            "done",
            "progress",
            "key_result__direction",
            "key_result__start",
            "key_result__target",
            "key_result__range_low",
            "key_result__range_high",
            "key_result__is_milestone",
        )
    ):
        now = _progress(direction, start, target, value, low, high, milestone, done)
        if now != progress:
            frozen.append(FrozenKeyResult(pk=fid, progress=now))
    FrozenKeyResult.objects.bulk_update(frozen, ["progress"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("alignment", "0011_recompute_blocked_from_for_replaced_declines"),
    ]

    operations = [migrations.RunPython(recount, migrations.RunPython.noop)]
