"""The confidence bands: the one definition of on track / at risk / off track.

Confidence is a whole number from 1 to 10. People may also give it as a word of the
three-level scale (a check-in's quick choice); the word stands for the middle of its band.
Every place that words, colours or counts confidence (the check-in form, meeting agendas,
the alignment pages, the intelligence detectors, briefings) asks this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from accord.core.errors import ServiceError

LOWEST, HIGHEST = 1, 10


@dataclass(frozen=True)
class Band:
    key: str  # on_track / at_risk / off_track
    label: str  # "On track"
    low: int  # lowest confidence in the band
    high: int  # highest confidence in the band
    value: int  # the confidence the word stands for
    tone: str  # ok / warn / bad

    @property
    def word(self) -> str:
        return self.label.lower()

    @property
    def span(self) -> str:
        return f"{self.low}-{self.high}"

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int) and self.low <= value <= self.high


ON_TRACK = Band("on_track", "On track", 7, 10, 8, "ok")
AT_RISK = Band("at_risk", "At risk", 4, 6, 5, "warn")
OFF_TRACK = Band("off_track", "Off track", 1, 3, 2, "bad")
BANDS = (ON_TRACK, AT_RISK, OFF_TRACK)
BY_KEY = {b.key: b for b in BANDS}

# At or below: the objective needs attention (at risk or off track).
AT_RISK_MAX = AT_RISK.high
# At or below: off track.
OFF_TRACK_MAX = OFF_TRACK.high


def band(value: int | None) -> Band | None:
    """The band of a confidence from 1 to 10; None when not rated."""
    if value is None:
        return None
    for b in BANDS:
        if value >= b.low:
            return b
    return OFF_TRACK


def word(value: int | None) -> str:
    """ "on track", "at risk", "off track", or "" when not rated."""
    b = band(value)
    return b.word if b else ""


def at_risk(value: int | None) -> bool:
    """At risk or off track (what a meeting's "Objectives at risk" lists)."""
    return value is not None and value <= AT_RISK_MAX


def off_track(value: int | None) -> bool:
    return value is not None and value <= OFF_TRACK_MAX


def at_risk_q(field: str = "confidence") -> Q:
    """Rows whose confidence is at risk or off track, for database filters."""
    return Q(**{f"{field}__lte": AT_RISK_MAX})


def parse(value: Any, field: str = "confidence") -> int:
    """A confidence given as a band's key or word (on_track, "at risk") or a whole number
    from 1 to 10; a clear error otherwise."""
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "_")
        if key in BY_KEY:
            return BY_KEY[key].value
    words = " / ".join(b.word for b in BANDS)
    try:
        if isinstance(value, bool):
            raise ValueError
        c = int(str(value).strip())
    except (TypeError, ValueError):
        raise ServiceError(
            f"Confidence is {words} or a whole number from {LOWEST} to {HIGHEST}, not {value!r}.",
            fields={field: [f"{words.capitalize()}, or {LOWEST}-{HIGHEST}."]},
            code="not_a_number",
        ) from None
    if not LOWEST <= c <= HIGHEST:
        raise ServiceError(
            f"Confidence is from {LOWEST} to {HIGHEST}, not {c}.",
            fields={field: [f"Enter a whole number from {LOWEST} to {HIGHEST}."]},
        )
    return c


def legend() -> str:
    """ "7-10 on track, 4-6 at risk, 1-3 off track" (help texts)."""
    return ", ".join(f"{b.span} {b.word}" for b in BANDS)


def choices() -> list[tuple[str, str]]:
    """The numbers 10 down to 1, each labelled with its band: ("8", "8/10 · on track")."""
    return [(str(i), f"{i}/{HIGHEST} · {word(i)}") for i in range(HIGHEST, LOWEST - 1, -1)]
