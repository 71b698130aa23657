"""The catalogue of detectors, open to every app.

A detector is a plain function `(snapshot, settings) -> iterable of Found`, registered with
`@detector(...)`. Any accord app may add its own by having a `detectors` module: it is
imported at start (`discover()`, like the scheduler finds `tasks` modules), so there is no
central list to edit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps


@dataclass
class Found:
    """One signal as a detector finds it (stored by `evaluate.py`)."""

    kind: str
    subject_type: str
    subject_id: str
    subject_label: str
    severity: str
    title: str
    explanation: str
    next_step: str
    team_ids: set[int] = field(default_factory=set)
    owner_id: int | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    numbers: dict[str, Any] = field(default_factory=dict)
    # Initiatives whose slip this problem threatens; their blast radius is the reach.
    initiative_ids: set[int] = field(default_factory=set)

    @property
    def identity(self) -> tuple[str, str, str]:
        return (self.kind, self.subject_type, self.subject_id)


def evidence(label: str, value: Any, target_type: str = "", target_id: Any = "") -> dict:
    """One item of evidence: what it is, its value, and what it links to."""
    if isinstance(value, float):
        value = round(value, 2)
    return {
        "label": label,
        "value": value if isinstance(value, int | float) else str(value),
        "target_type": target_type,
        "target_id": str(target_id) if target_id not in (None, "") else "",
    }


def subject_key(parts: Iterable[Any]) -> str:
    """A short stable id for a subject made of several objects (e.g. a cycle)."""
    text = ",".join(str(p) for p in parts)
    return text if len(text) <= 64 else hashlib.sha1(text.encode()).hexdigest()


@dataclass(frozen=True)
class Detector:
    kind: str
    func: Callable[..., Iterable[Found]]
    title: str
    dimension: str  # the health dimension its signals cost points in
    defaults: dict[str, Any]
    description: str
    # Kinds whose signal about the same subject ends when this one begins because the
    # problem got worse (predicted late -> overdue): that one was taken over, not resolved.
    takes_over: tuple[str, ...] = ()


DETECTORS: dict[str, Detector] = {}


def detector(
    kind: str,
    *,
    title: str,
    dimension: str,
    defaults: dict[str, Any] | None = None,
    takes_over: tuple[str, ...] = (),
) -> Callable:
    """Register `func` as the detector of signals of `kind`.

    `defaults` are its documented thresholds; an organization may change each one (and
    `enabled`) in its settings. `takes_over`: the kinds whose signal about the same
    subject ends when this one is found, the problem having got worse (see
    `Detector.takes_over`)."""

    def register(func: Callable[..., Iterable[Found]]) -> Callable[..., Iterable[Found]]:
        DETECTORS[kind] = Detector(
            kind=kind,
            func=func,
            title=title,
            dimension=dimension,
            defaults={"enabled": True, **(defaults or {})},
            description=(func.__doc__ or "").strip(),
            takes_over=tuple(takes_over),
        )
        return func

    return register


_discovered = False


def discover() -> dict[str, Detector]:
    """Import every accord app's `detectors` module (once), which registers its detectors."""
    global _discovered
    if not _discovered:
        for config in apps.get_app_configs():
            if config.name.startswith("accord.") and find_spec(f"{config.name}.detectors"):
                import_module(f"{config.name}.detectors")
        _discovered = True
    return DETECTORS
