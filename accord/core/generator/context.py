"""What every pillar of the generator shares: the clock, the random generator, the
writer, and the organization built so far (teams, people), as plain data."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from accord.core.generator.names import Namer
from accord.core.generator.writer import Writer

# How each part of the organization is doing, as a real one has trouble spots rather than
# uniform failure: most departments fine, some strained, a few in trouble. A team shares
# its parent's (a few differ: `org.assign_strain`), and what the pillars draw for it
# (late or blocked dependencies, overdue decisions and action items, missed check-ins,
# key results off pace or stale) follows from it.
STRAIN = {"fine": 70, "strained": 20, "troubled": 10}


@dataclass
class TeamInfo:
    id: int
    name: str
    parent: int | None  # index into Gen.teams
    depth: int
    children: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)  # person ids, lead first
    lead: int = 0  # person id
    strain: str = "fine"  # a key of STRAIN


@dataclass
class Gen:
    org_id: int
    slug: str
    rng: random.Random
    now: dt.datetime
    weeks: int
    writer: Writer
    namer: Namer
    teams: list[TeamInfo] = field(default_factory=list)
    person_names: dict[int, str] = field(default_factory=dict)
    person_tz: dict[int, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # what one pillar leaves for the next

    @property
    def today(self) -> dt.date:
        return self.now.date()

    @property
    def window_start(self) -> dt.datetime:
        """The start of the history: `weeks` weeks before now."""
        return self.now - dt.timedelta(weeks=self.weeks)

    @property
    def setup_at(self) -> dt.datetime:
        """When the organization, its teams and people were set up: before the history
        and before the previous period started, so everything later can refer to them."""
        return self.extra["setup_at"]

    def strain(self, i: int | None) -> str:
        """How team `i`'s part of the organization is doing (`STRAIN`); the organization's
        own work (no team) is fine."""
        return "fine" if i is None else self.teams[i].strain

    def by_strain(self, i: int | None, fine, strained, troubled):
        """The one of three values that goes with team `i`'s strain."""
        return {"fine": fine, "strained": strained, "troubled": troubled}[self.strain(i)]

    def actor(self, person_id: int | None) -> tuple[int, str] | None:
        return None if person_id is None else (person_id, self.person_names[person_id])

    def between(self, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """A random instant in [start, end], to the second."""
        span = max(0, int((end - start).total_seconds()))
        return start + dt.timedelta(seconds=self.rng.randint(0, span))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, weights: dict[str, float]) -> str:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def neighbour(self, i: int) -> int:
        """A team near team `i` in the tree: mostly a sibling or cousin, sometimes its
        parent or a child, rarely anyone. Never `i` itself."""
        teams, rng = self.teams, self.rng
        t = teams[i]
        for _ in range(8):
            roll = rng.random()
            if roll < 0.45 and t.parent is not None:
                pool = teams[t.parent].children
            elif roll < 0.75 and t.parent is not None and teams[t.parent].parent is not None:
                grand = teams[teams[t.parent].parent]
                pool = [c for u in grand.children for c in teams[u].children] or grand.children
            elif roll < 0.85 and t.parent is not None:
                pool = [t.parent]
            elif roll < 0.95 and t.children:
                pool = t.children
            else:
                pool = range(len(teams))
            j = rng.choice(pool)
            if j != i:
                return j
        return (i + 1) % len(teams)
