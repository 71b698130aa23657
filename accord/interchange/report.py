"""What an import could not take (or had to correct), as text and JSON.

Every importer collects `Problem`s instead of raising: each says where (file, line, path),
what (the value), why, and what was done about it (skipped, corrected, ignored, defaulted).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

SKIPPED = "skipped"  # the thing was not taken
CORRECTED = "corrected"  # taken, after an unambiguous correction (e.g. a typo)
IGNORED = "ignored"  # extra text or a placeholder that carries no data
DEFAULTED = "defaulted"  # missing; a documented default was used


@dataclass(frozen=True)
class Problem:
    kind: str  # short machine-readable reason, e.g. "impossible_date"
    why: str  # a sentence a person can act on
    file: str = ""
    path: str = ""  # where in the file, e.g. "teams[3].parent" or "creation-date"
    line: int | None = None
    value: str = ""
    action: str = SKIPPED

    def where(self) -> str:
        place = self.file
        if self.line:
            place += f":{self.line}" if place else f"line {self.line}"
        if self.path:
            place += f" {self.path}" if place else self.path
        return place or "(input)"

    def as_text(self) -> str:
        value = f" {self.value!r}" if self.value else ""
        return f"{self.where()}:{value} {self.why} [{self.kind}, {self.action}]"


def short(value: Any, limit: int = 120) -> str:
    """A value as it appears in a report: text, cut to `limit` characters."""
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    def add(self, kind: str, why: str, *, value: Any = "", action: str = SKIPPED, **where) -> None:
        self.problems.append(
            Problem(
                kind=kind,
                why=why,
                value=short(value) if value != "" else "",
                action=action,
                **where,
            )
        )

    def extend(self, problems) -> None:
        self.problems.extend(problems)

    def __len__(self) -> int:
        return len(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)

    def kinds(self) -> Counter:
        return Counter(p.kind for p in self.problems)

    def as_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "problem_count": len(self.problems),
            "problems_by_kind": dict(sorted(self.kinds().items())),
            "problems": [asdict(p) for p in self.problems],
        }

    def as_text(self) -> str:
        lines = [p.as_text() for p in self.problems]
        if self.problems:
            counts = ", ".join(f"{k} {n}" for k, n in sorted(self.kinds().items()))
            lines.append(f"{len(self.problems)} problem(s): {counts}")
        return "\n".join(lines)
