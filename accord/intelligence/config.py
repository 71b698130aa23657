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
- a parent's roll-up is the mean of its subtree's own scores weighted by each team's
  people (equal weights when nobody is in the subtree).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

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
            cfg.detectors[kind].update(values)
    for key, value in (health or {}).items():
        if isinstance(cfg.health.get(key), dict) and isinstance(value, dict):
            cfg.health[key].update(value)
        elif key in cfg.health:
            cfg.health[key] = value
    return cfg


def for_org(org: Organization) -> Config:
    row = IntelligenceSettings.objects.filter(org=org).values_list("detectors", "health").first()
    return merge(*(row or (None, None)))


def validate(detectors: Any, health: Any) -> tuple[dict, dict]:
    """Refuse unknown detectors, unknown thresholds and non-numbers; return clean dicts."""
    known = defaults()
    detectors = detectors or {}
    health = health or {}
    if not isinstance(detectors, dict) or not isinstance(health, dict):
        raise ServiceError("Settings must be objects of names to values.")
    errors: dict[str, list[str]] = {}
    for kind, values in detectors.items():
        if kind not in known.detectors:
            errors.setdefault("detectors", []).append(f"Unknown detector {kind!r}.")
            continue
        if not isinstance(values, dict):
            errors.setdefault("detectors", []).append(f"{kind}: give an object of thresholds.")
            continue
        for name, value in values.items():
            if name not in known.detectors[kind]:
                errors.setdefault("detectors", []).append(f"{kind}: unknown threshold {name!r}.")
            elif name == "enabled" and not isinstance(value, bool):
                errors.setdefault("detectors", []).append(f"{kind}: enabled is true or false.")
            elif name != "enabled" and (
                isinstance(value, bool) or not isinstance(value, int | float) or value < 0
            ):
                errors.setdefault("detectors", []).append(f"{kind}: {name} must be a number ≥ 0.")
    for key, value in health.items():
        if key not in known.health:
            errors.setdefault("health", []).append(f"Unknown health setting {key!r}.")
            continue
        inner = value if isinstance(known.health[key], dict) else {key: value}
        if isinstance(known.health[key], dict) and not isinstance(value, dict):
            errors.setdefault("health", []).append(f"{key}: give an object.")
            continue
        for name, v in inner.items():
            if isinstance(known.health[key], dict) and name not in known.health[key]:
                errors.setdefault("health", []).append(f"{key}: unknown {name!r}.")
            elif isinstance(v, bool) or not isinstance(v, int | float) or v < 0:
                errors.setdefault("health", []).append(f"{key}: {name} must be a number ≥ 0.")
    if "weights" in health and isinstance(health["weights"], dict) and not errors:
        merged = {**known.health["weights"], **health["weights"]}
        if sum(merged.values()) <= 0:
            errors.setdefault("health", []).append("At least one weight must be above 0.")
    if errors:
        first = next(iter(errors.values()))[0]
        raise ServiceError(first, fields=errors)
    return detectors, health
