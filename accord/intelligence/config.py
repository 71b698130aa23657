"""An organization's detector thresholds and health weights: documented defaults, changed
per organization in its `IntelligenceSettings` row.

Health defaults (see the README, "Insights"):

- each dimension starts at 100 and loses, per live signal concerning the team in that
  dimension, `penalty[severity]` points (info 3, warning 10, critical 25); a dismissed
  signal costs nothing;
- measures cost points too: rhythm loses `checkin_points` (20) times the share of the
  team's check-ins of the last 8 weeks not given on time; alignment loses
  `unaligned_points` (20) times the share of its active initiatives serving no objective;
- each dimension is kept within 0..100; overall is the weighted mean of the five
  dimensions (`weights`, all 1 by default);
- a dimension with nothing to judge (no inputs, no signal: `health.NOTHING_TO_JUDGE`) has
  no score and is left out of overall; a team with nothing in any has no score at all;
- a parent's roll-up is the mean of its subtree's own scores weighted by each team's
  people (equal weights when nobody is in the subtree), over the teams that have one.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from accord.alignment import confidence as bands
from accord.core.errors import ServiceError
from accord.intelligence.models import DIMENSIONS, IntelligenceSettings
from accord.intelligence.registry import discover
from accord.org.models import Organization

HEALTH_DEFAULTS: dict[str, Any] = {
    "weights": {d: 1.0 for d in DIMENSIONS},
    "penalty": {"info": 3.0, "warning": 10.0, "critical": 25.0},
    "checkin_points": 20.0,
    "unaligned_points": 20.0,
}


@dataclass
class Config:
    detectors: dict[str, dict[str, Any]]  # kind -> thresholds (with "enabled")
    health: dict[str, Any]


def defaults() -> Config:
    return Config(
        detectors={k: dict(d.defaults) for k, d in discover().items()},
        health=copy.deepcopy(HEALTH_DEFAULTS),
    )


def merge(detectors: dict | None, health: dict | None) -> Config:
    """The defaults with an organization's overrides applied."""
    cfg = defaults()
    for kind, values in (detectors or {}).items():
        if kind in cfg.detectors and isinstance(values, dict):
            # A threshold a detector no longer has (stored before it was dropped) is left out.
            known = cfg.detectors[kind]
            known.update({name: v for name, v in values.items() if name in known})
    for key, value in (health or {}).items():
        if isinstance(cfg.health.get(key), dict) and isinstance(value, dict):
            cfg.health[key].update(value)
        elif key in cfg.health:
            cfg.health[key] = value
    return cfg


def for_org(org: Organization) -> Config:
    row = IntelligenceSettings.objects.filter(org=org).values_list("detectors", "health").first()
    return merge(*(row or (None, None)))


# What each threshold, weight and number of points may be. A share is of 1 (0.25 is 25%,
# the "25 points" of a description): above 1 a detector would silently never fire. Counts,
# days and weeks are whole numbers from 1 (0 empties a window some detectors divide by),
# up to what still reads as a rule rather than "never"; a few have a meaning of their own.
DAYS, WEEKS, COUNT, POINTS = 3_650, 520, 1_000, 100


@dataclass(frozen=True)
class Limits:
    low: float
    high: float
    whole: bool
    noun: str = ""  # "share" or "score": a fraction of 1, written from 0 to 1

    def error(self, value: Any) -> str | None:
        """Why `value` cannot be this setting, or None when it can."""
        wanted = "a whole number" if self.whole else (f"a {self.noun}" if self.noun else "a number")
        message = f"Enter {wanted} from {self.low:,g} to {self.high:,g}."
        if self.noun == "share":
            message = message[:-1] + " (0.25 is 25%)."
        if isinstance(value, bool) or not isinstance(value, int | float):
            return message
        if not self.low <= value <= self.high:  # also refuses NaN and infinities
            return message
        if self.whole and value != int(value):
            return message
        return None


# Shares and scores of 1, by `<kind>.<threshold>`.
FRACTIONS = {
    "actions.follow_through.threshold": "share",
    "checkins.on_time_falling.drop": "share",
    "checkins.on_time_falling.min_usual": "share",
    "initiatives.unaligned.share": "share",
    "key_results.off_pace.min_elapsed": "share",
    "key_results.off_pace.tolerance": "share",
    "key_results.projected_miss.shortfall": "share",
    "objectives.on_track_but_behind.share": "share",
    "work.likely_duplicate.change": "share",
    "work.likely_duplicate.threshold": "score",
}
# Thresholds whose range is their own (the others follow from their default and name).
RANGES: dict[str, tuple[float, float]] = {
    "decisions.latency_rising.factor": (1, 100),  # below 1, a faster median would fire
    "initiatives.replanned.min_slip_days": (0, DAYS),  # 0: any later date
    "key_results.off_pace.grace_days": (0, DAYS),  # 0: no grace
    "key_results.projected_miss.min_values": (3, COUNT),  # a trend needs 3 values
    "objectives.confidence_falling.off_track": (0, 10),  # confidence runs 1 to 10
    "objectives.confidence_falling.steps": (1, 9),
    "objectives.confidence_falling.updates": (2, COUNT),  # a fall needs two updates
    # Within the on-track band: its signal says "rated on track".
    "objectives.on_track_but_behind.on_track_from": (bands.ON_TRACK.low, bands.HIGHEST),
    "objectives.orphaned.grace_days": (0, DAYS),  # 0: no grace
    "rhythm.ratings_falling.drop": (0, 9),  # points of ratings from 1 to 10
    "work.likely_duplicate.max_pairs": (1, 10_000),
    "work.likely_duplicate.top_k": (1, 50),
}


def limits(path: str, default: Any) -> Limits:
    """What the setting at `path` (`<kind>.<threshold>`, `health.<key>[.<name>]`) whose
    documented default is `default` may be."""
    whole = isinstance(default, int) and not isinstance(default, bool)
    if path.startswith("health."):
        return Limits(0, POINTS, whole)  # weights, and points of a score from 0 to 100
    if path in FRACTIONS:
        return Limits(0, 1, False, FRACTIONS[path])
    if path in RANGES:
        return Limits(*RANGES[path], whole)
    if not whole:
        return Limits(0, COUNT, False)  # a rate: per week, per person
    name = path.rsplit(".", 1)[-1]
    if name == "days" or name.endswith("_days"):
        return Limits(1, DAYS, True)
    if name == "weeks" or name.endswith("_weeks"):
        return Limits(1, WEEKS, True)
    return Limits(1, COUNT, True)


def validate(detectors: Any, health: Any) -> tuple[dict, dict]:
    """Refuse unknown detectors, unknown thresholds and values out of their `limits` (whole
    numbers where the default is one, shares from 0 to 1); return clean dicts.

    A refused value is named in `fields` by its path, e.g. `dependencies.unanswered.days`
    or `health.weights.rhythm`; the message says which and why."""
    known = defaults()
    detectors = detectors or {}
    health = health or {}
    if not isinstance(detectors, dict) or not isinstance(health, dict):
        raise ServiceError("Settings must be objects of names to values.")
    errors: dict[str, list[str]] = {}
    first: list[str] = []

    def refuse(field: str, message: str, summary: str) -> None:
        errors.setdefault(field, []).append(message)
        first.append(summary)

    clean_detectors: dict[str, dict] = {}
    for kind, values in detectors.items():
        if kind not in known.detectors:
            refuse("detectors", f"Unknown detector {kind!r}.", f"Unknown detector {kind!r}.")
            continue
        if not isinstance(values, dict):
            msg = f"{kind}: give an object of thresholds."
            refuse(kind, msg, msg)
            continue
        clean_detectors[kind] = {}
        for name, value in values.items():
            field = f"{kind}.{name}"
            if name not in known.detectors[kind]:
                msg = f"{kind}: unknown threshold {name!r}."
                refuse("detectors", msg, msg)
            elif name == "enabled":
                if not isinstance(value, bool):
                    refuse(field, "True or false.", f"{kind}: enabled is true or false.")
                clean_detectors[kind][name] = value
            elif problem := limits(field, known.detectors[kind][name]).error(value):
                refuse(field, problem, f"{kind}: {name}: {problem}")
            else:
                clean_detectors[kind][name] = _as_default_type(value, known.detectors[kind][name])
    clean_health: dict[str, Any] = {}
    for key, value in health.items():
        if key not in known.health:
            msg = f"Unknown health setting {key!r}."
            refuse("health", msg, msg)
            continue
        nested = isinstance(known.health[key], dict)
        if nested and not isinstance(value, dict):
            refuse(f"health.{key}", "Give an object.", f"{key}: give an object.")
            continue
        inner = value if nested else {key: value}
        for name, v in inner.items():
            field = f"health.{key}.{name}" if nested else f"health.{key}"
            default = known.health[key].get(name) if nested else known.health[key]
            if nested and name not in known.health[key]:
                msg = f"{key}: unknown {name!r}."
                refuse("health", msg, msg)
            elif problem := limits(field, default).error(v):
                refuse(field, problem, f"Health {key.replace('_', ' ')}: {name}: {problem}")
            elif nested:
                clean_health.setdefault(key, {})[name] = v
            else:
                clean_health[key] = v
    if isinstance(health.get("weights"), dict) and not errors:
        merged = {**known.health["weights"], **health["weights"]}
        if sum(merged.values()) <= 0:
            msg = "At least one weight must be above 0."
            refuse("health.weights", msg, msg)
    if errors:
        raise ServiceError(first[0], fields=errors)
    return clean_detectors, clean_health


def _as_default_type(value: int | float, default: Any) -> int | float:
    """3.0 for a threshold counted in whole numbers is stored as 3."""
    if isinstance(default, int) and not isinstance(default, bool):
        return int(value)
    return value


def changes_only(detectors: dict, health: dict) -> tuple[dict, dict]:
    """The (validated) settings without the values equal to their documented default, so a
    later change of a default reaches every organization that never changed that value."""
    known = defaults()
    changed_detectors: dict[str, dict] = {}
    for kind, values in detectors.items():
        kept = {n: v for n, v in values.items() if known.detectors[kind].get(n) != v}
        if kept:
            changed_detectors[kind] = kept
    changed_health: dict[str, Any] = {}
    for key, value in health.items():
        if isinstance(value, dict):
            kept = {n: v for n, v in value.items() if known.health[key].get(n) != v}
            if kept:
                changed_health[key] = kept
        elif known.health[key] != value:
            changed_health[key] = value
    return changed_detectors, changed_health


def from_form(data: Any) -> tuple[dict, dict]:
    """Every setting from a submitted page (`data` maps field names to text, as
    `request.POST`): `<kind>.<threshold>`, `<kind>.enabled` (a checkbox: absent is off),
    `health.<key>.<name>` and `health.<key>`. Text that is not a number is passed on as it
    is, for `validate` to refuse with its message next to the field."""
    known = defaults()

    def number(field: str) -> Any:
        text = str(data.get(field, "")).strip()
        try:
            return float(text)
        except ValueError:
            return text

    detectors: dict[str, dict] = {}
    for kind, values in known.detectors.items():
        detectors[kind] = {"enabled": data.get(f"{kind}.enabled") == "on"}
        for name in values:
            if name != "enabled":
                detectors[kind][name] = number(f"{kind}.{name}")
    health: dict[str, Any] = {}
    for key, value in known.health.items():
        if isinstance(value, dict):
            health[key] = {name: number(f"health.{key}.{name}") for name in value}
        else:
            health[key] = number(f"health.{key}")
    return detectors, health
