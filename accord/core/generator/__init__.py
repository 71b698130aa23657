"""`accord generate`: a realistic synthetic organization of any size, with its history.

For benchmarks, load tests and demos of scale. One seed always gives the same
organization (for the same `now`). The pillars are written one after the other, each by
its own module, in bulk (see `writer.py`) and in one transaction:

- `org`: the kinds of team and roles in a team every organization starts with, a team
  tree five to seven levels deep (three to ten teams under each parent; departments at
  the top two levels, teams below), about ten people per team, some in two or three
  teams, one lead per team;
- `alignment`: the quarters (closed ones, the current one, the next), objectives
  cascading from the organization's down the tree, key results with weekly value
  histories, initiatives ranked in each team's stack, baselines and re-plans;
- `coordination`: dependencies mostly between neighbouring teams, in every state, some
  late, at risk or blocked, and a few cycles;
- `rhythm`: weekly check-ins (on time, late, missed) and syncs (meetings held, attendance,
  ratings), and a monthly organization review;
- `decisions`: decisions (latency, approvers, options), action items, issues escalated.

Every team's part of the organization is fine, strained or in trouble (`context.STRAIN`:
most fine, a few troubled subtrees), and the states drawn for its work follow from it,
so the health heat map shows trouble spots rather than uniform failure.

With `evaluate`, the intelligence engine then evaluates the organization as of the end
of each week of its history and as of now (`evaluate_history`), as the hourly worker
would have: its signals are first seen and resolved over those weeks, and its weekly
health is stored. That costs one evaluation a week (minutes at 10,000 teams), so it is
asked for, not done by default; without it the first evaluation finds everything new.

Every row carries its real past timestamp, and the event log holds the history of those
writes as the services would have recorded it. Nothing but the organization's starting
lists (`services.add_default_kinds_and_roles`) is written through the services (that
would take hours at 10,000 teams), so the tests check the services' invariants on the
result instead.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone

from accord.core.database import refresh_planner_statistics, roomy_cache
from accord.core.errors import ServiceError
from accord.core.generator.alignment import generate_alignment, plan_periods, store_rollups
from accord.core.generator.context import Gen
from accord.core.generator.coordination import generate_coordination
from accord.core.generator.decisions import generate_decisions
from accord.core.generator.digests import digest
from accord.core.generator.names import Namer
from accord.core.generator.org import MIN_TEAMS, generate_org
from accord.core.generator.rhythm import generate_rhythm
from accord.core.generator.writer import Writer
from accord.org.models import Organization, TeamKind, TeamRole

__all__ = [
    "MAX_TEAMS",
    "MIN_TEAMS",
    "Result",
    "digest",
    "evaluate_history",
    "generate",
    "history_days",
]

MAX_TEAMS = 100_000
PILLARS: tuple[tuple[str, Callable[[Gen], None]], ...] = (
    ("teams and people", generate_org),
    ("alignment", generate_alignment),
    ("coordination", generate_coordination),
    ("rhythm", generate_rhythm),
    ("decisions", generate_decisions),
)


@dataclass
class Result:
    org: Organization
    rows: dict[str, int]  # rows written per model label
    seconds: float
    now: dt.datetime  # the instant the history ends at
    evaluated_seconds: float | None = None  # the evaluations' time, with `evaluate`


def _check(teams: int, weeks: int, slug: str, name: str) -> None:
    if not MIN_TEAMS <= teams <= MAX_TEAMS:
        raise ServiceError(
            f"--teams must be between {MIN_TEAMS} and {MAX_TEAMS:,}, not {teams} "
            f"(a tree five levels deep needs at least {MIN_TEAMS} teams).",
            fields={"teams": ["Out of range."]},
        )
    if not 1 <= weeks <= 52:
        raise ServiceError(
            f"--weeks must be between 1 and 52, not {weeks}.", fields={"weeks": ["Out of range."]}
        )
    try:
        validate_slug(slug)
    except ValidationError:
        raise ServiceError(
            f"{slug!r} is not a valid address: use letters, digits, - and _.",
            fields={"slug": ["Invalid."]},
        ) from None
    if not name.strip():
        raise ServiceError("The organization needs a name.", fields={"name": ["Required."]})


def generate(
    teams: int,
    *,
    seed: int = 1,
    slug: str = "synthetic",
    name: str = "",
    weeks: int = 12,
    now: dt.datetime | None = None,
    replace: bool = False,
    progress: Callable[[str], None] | None = None,
    evaluate: bool = False,
) -> Result:
    """Generate an organization of `teams` teams at the address `slug`, its history
    covering the `weeks` weeks before `now`. An existing organization at that address
    is refused unless `replace`, which deletes it first. All or nothing. The planner's
    statistics are refreshed afterwards: the tables' shape has just changed wholesale.
    With `evaluate`, its signals and health over those weeks then (`evaluate_history`)."""
    with roomy_cache(), transaction.atomic():
        result = _generate(teams, seed, slug, name, weeks, now, replace, progress)
    refresh_planner_statistics()
    if evaluate:
        started = time.monotonic()
        evaluate_history(result.org, result.now, weeks, progress)
        result.evaluated_seconds = time.monotonic() - started
    return result


def history_days(now: dt.datetime, weeks: int) -> list[dt.date]:
    """The last days (Sundays) of the complete weeks of a history of `weeks` weeks before
    `now`, the earliest first: each is evaluated as of the end of that day (UTC), the
    moment a briefing of that week reads its signals at."""
    today = now.astimezone(dt.UTC).date()
    last_sunday = today - dt.timedelta(days=today.isoweekday())
    days = [last_sunday - dt.timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    start = (now - dt.timedelta(weeks=weeks)).date()
    return [d for d in days if d > start]


def evaluate_history(
    org: Organization,
    now: dt.datetime,
    weeks: int,
    progress: Callable[[str], None] | None = None,
) -> int:
    """Evaluate `org` as of the end of each week of its history and then as of `now`,
    the earliest first, announcing nothing: every evaluation stores its signals (first
    seen, resolved) and that day's health, as the hourly worker would have. Returns the
    number of evaluations."""
    from accord.intelligence import evaluate as engine

    moments: list[dt.date | dt.datetime] = [*history_days(now, weeks), now]
    started = time.monotonic()
    for moment in moments:
        engine.evaluate(org, moment, announce=False)
        if progress:
            progress(f"evaluated as of {moment}: done after {time.monotonic() - started:.1f}s")
    return len(moments)


def _start_lists(org: Organization, g: Gen) -> None:
    """The kinds of team and roles in a team every new organization starts with (the
    services' own defaults), dated when the organization was set up; their ids by slug
    in `g.extra["team_kinds"]` for the teams to name theirs."""
    from accord.org.services import add_default_kinds_and_roles

    add_default_kinds_and_roles(org)
    for model in (TeamKind, TeamRole):
        model.objects.filter(org=org).update(created_at=g.setup_at)
    g.extra["team_kinds"] = dict(TeamKind.objects.filter(org=org).values_list("slug", "pk"))


def _generate(teams, seed, slug, name, weeks, now, replace, progress) -> Result:
    name = name or f"Synthetic {teams:,}-team organization"
    _check(teams, weeks, slug, name)
    started = time.monotonic()
    existing = Organization.objects.filter(slug=slug).first()
    if existing is not None:
        if not replace:
            raise ServiceError(
                f"An organization already uses the address {slug!r} ({existing.name}); "
                "choose another --org, or pass --replace to delete it and generate anew.",
                code="slug_taken",
            )
        from accord.org.services import purge_organization

        purge_organization(existing)
    now = (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    org = Organization.objects.create(name=name, slug=slug)
    rng = random.Random(seed)
    g = Gen(org.pk, slug, rng, now, weeks, Writer(org.pk), Namer(rng))
    g.extra["team_count"] = teams
    plan_periods(g)
    Organization.objects.filter(pk=org.pk).update(created_at=g.setup_at)
    _start_lists(org, g)
    g.writer.event(
        g.setup_at, "created", "org.organization", org.pk, name, after={"name": name, "slug": slug}
    )
    for label, pillar in PILLARS:
        pillar(g)
        if progress:
            progress(f"{label}: done after {time.monotonic() - started:.1f}s")
    rows = g.writer.finish()
    store_rollups(g)
    org.refresh_from_db()
    return Result(org, rows, time.monotonic() - started, now)
