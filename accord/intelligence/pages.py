"""Reads that only the Insights pages need: a scope (a team and its subtree), the heat-map
rows with a band per score, a scope's weekly trend, signals in a scope and team search.

Every function does a bounded number of queries whatever the organization's size; the
signals and health rows were stored by `evaluate.py`. The generic reads live in
`queries.py`; these build on them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Max, Q, QuerySet
from django.urls import reverse
from django.utils import dateformat

from accord.core.counting import FIGURES_EXACT, count_up_to
from accord.intelligence import queries
from accord.intelligence.health import NOTHING_TO_JUDGE, WINDOW_WEEKS, why_unscored
from accord.intelligence.models import (
    CLOSED_TAKEN_OVER,
    CLOSED_TEAM_RETIRED,
    DIMENSIONS,
    OPEN_STATES,
    Evaluation,
    HealthScore,
    Signal,
    SignalEpisode,
    SignalState,
    SignalTeam,
    evaluated_day,
)
from accord.intelligence.registry import discover
from accord.intelligence.snapshot import as_moment
from accord.org import queries as org_queries
from accord.org.models import Organization, Person, Team
from accord.web.helpers import Window

COLUMNS = (*DIMENSIONS, "overall")


def signals_as_of(org: Organization, changed_at: dt.datetime | None = None, what: str = "") -> dict:
    """When the organization's signals were last evaluated, for a page that shows them
    beside live figures (`intelligence/_as_of.html`): `at`, the moment its latest
    evaluation read (None: never evaluated); `within`, the minutes in which a write is
    evaluated (`tasks.DEBOUNCE_SECONDS`: every write asks for one, debounced; and all are
    evaluated every hour); `changed`, `what` when the object the page is of changed at
    `changed_at`, after that moment, so a live figure beside a signal may contradict it
    until the next evaluation. One query (the evaluations' index by organization)."""
    from accord.intelligence.tasks import DEBOUNCE_SECONDS

    at = (
        Evaluation.objects.filter(org_id=org.pk, backfill=False)
        .order_by("-started_at")
        .values_list("as_of", flat=True)
        .first()
    )
    changed = what if at is not None and changed_at is not None and changed_at > at else ""
    return {"at": at, "within": DEBOUNCE_SECONDS // 60, "changed": changed}


# A score's band, so that it reads without colour: (lowest score, band).
BANDS = ((80.0, "good"), (60.0, "watch"), (0.0, "poor"))


def band(score: float | None) -> str:
    if score is None:
        return "none"
    for low, name in BANDS:
        if score >= low:
            return name
    return "poor"


def kinds_by_dimension() -> dict[str, list[str]]:
    out: dict[str, list[str]] = {d: [] for d in DIMENSIONS}
    for kind, det in sorted(discover().items()):
        out.setdefault(det.dimension, []).append(kind)
    return out


# --- scope -------------------------------------------------------------------------------


@dataclass
class Scope:
    """What a page looks at: a team and everything below it, or the whole organization."""

    team: Team | None
    team_ids: set[int] | None  # None: the whole organization (also the top of its tree)
    breadcrumbs: list[Team] = field(default_factory=list)  # from the root down, team excluded
    roots: list[int] = field(default_factory=list)  # the organization's top teams

    @property
    def id(self) -> int | None:
        return self.team.pk if self.team else None


def scope_of(org: Organization, team_id: int | None) -> Scope | None:
    """The scope of a team (None when it is not one of the organization's) or of the whole
    organization. Read from the team up and down, never the whole tree: at most five
    queries."""
    roots = list(
        Team.objects.for_org(org).filter(parent=None).order_by("pk").values_list("pk", flat=True)
    )
    if team_id is None:
        return Scope(None, None, [], roots)
    team = Team.objects.for_org(org).filter(pk=team_id).first()
    if team is None:
        return None
    ids = None if roots == [team.pk] else queries.subtree_of(team)
    return Scope(team, ids, org_queries.ancestors(org, team) if team.parent_id else [], roots)


def search_teams(org: Organization, q: str, limit: int = 20) -> list[Team]:
    """Teams whose name contains `q`, shortest names first (one query)."""
    q = (q or "").strip()
    if not q:
        return []
    return list(
        Team.objects.for_org(org)
        .filter(name__icontains=q)
        .select_related("parent")
        .order_by("name")[:limit]
    )


# --- heat-map ----------------------------------------------------------------------------


@dataclass
class Cell:
    column: str
    score: float | None
    band: str
    # Why there is no score (nothing to judge), when a stored row has none; "" otherwise.
    why: str = ""
    # Overall held at "watch" for this many open critical signals (0: not held).
    capped: int = 0


@dataclass
class HeatLine:
    team: Team | None  # None: the whole organization
    cells: list[Cell]
    people: int
    critical: int
    warning: int
    has_children: bool

    @property
    def unscored(self) -> str:
        """Why the line has no overall score (one line), "" when it has one or no health
        was computed for it."""
        return self.cells[-1].why if self.cells else ""

    @property
    def left_out(self) -> list[Cell]:
        """The dimensions without a score in a line that has an overall one."""
        if self.unscored:
            return []
        return [c for c in self.cells[:-1] if c.why]


def scored_cells(values: dict[str, float | None], critical: int) -> list[Cell]:
    """Scores as cells with their bands; one without a score (nothing to judge) says why:
    a dimension, what it found nothing of; overall, `health.why_unscored`."""
    whole = why_unscored(values)
    cells = []
    for c in COLUMNS:
        score = values.get(c)
        if score is not None:
            why = ""
        else:
            why = (whole or "") if c == "overall" else NOTHING_TO_JUDGE[c]
        cells.append(Cell(c, score, band(score), why))
    return _capped(cells, critical)


def cells_of(h: HealthScore | None) -> list[Cell]:
    """A stored roll-up's scores, each with its band (see `_capped`)."""
    if h is None:
        return [Cell(c, None, band(None)) for c in COLUMNS]
    return scored_cells({c: getattr(h, f"rollup_{c}") for c in COLUMNS}, h.rollup_open_critical)


def own_cells_of(h: HealthScore) -> list[Cell]:
    """A team's own scores (its own signals, not its subtree's), each with its band."""
    return scored_cells({c: getattr(h, c) for c in COLUMNS}, h.open_critical)


def _line(team: Team | None, h: HealthScore | None, has_children: bool) -> HeatLine:
    return HeatLine(
        team,
        cells_of(h),
        h.rollup_people if h else 0,
        h.rollup_open_critical if h else 0,
        h.rollup_open_warning if h else 0,
        has_children,
    )


def _capped(cells: list[Cell], critical: int) -> list[Cell]:
    """The overall band is at most "watch" while a critical signal is open in the scope: an
    average of dimensions is not "good" with a blocked dependency or a cycle in it."""
    if critical:
        for cell in cells:
            if cell.column == "overall" and cell.band == "good":
                cell.band, cell.capped = "watch", critical
    return cells


def _combined(rows: list[HealthScore]) -> dict[str, float | None] | None:
    """Several roots' roll-ups as one, weighted by people (equal weights without people);
    a score only over the roots that have one (None when none has)."""
    if not rows:
        return None
    out: dict[str, float | None] = {}
    for c in COLUMNS:
        have = [(getattr(r, f"rollup_{c}"), r.rollup_people) for r in rows]
        have = [(v, p) for v, p in have if v is not None]
        weight = sum(p for _, p in have)
        if not have:
            out[c] = None
        elif weight:
            out[c] = sum(v * p for v, p in have) / weight
        else:
            out[c] = sum(v for v, _ in have) / len(have)
    out["people"] = sum(r.rollup_people for r in rows)
    out["critical"] = sum(r.rollup_open_critical for r in rows)
    out["warning"] = sum(r.rollup_open_warning for r in rows)
    return out


@dataclass
class HeatMap:
    day: dt.date | None
    summary: HeatLine
    rows: list[HeatLine]
    parent: Team | None  # whose children the rows are (None: the roots)
    hidden: int = 0  # rows left out: only the HEAT_ROWS least healthy are shown
    # The parent's own scores and signals (its own decisions, its own objectives...), which
    # no row of a team below holds; None when there is no parent or no row below it.
    own: HeatLine | None = None
    # When the evaluation that stored the day's rows ran: a day's rows are replaced by each
    # evaluation of that day, so today's change until the day is over (None: no rows).
    computed_at: dt.datetime | None = None


# A heat-map shows at most this many teams: the least healthy ones, when there are more.
HEAT_ROWS = 50


def heatmap(org: Organization, scope: Scope, *, as_of: dt.date | None = None) -> HeatMap:
    """The scope's children as rows (the roots for the whole organization, or the single
    root's children when there is only one), a summary line for the scope (its roll-up)
    and, when the rows have a parent, a line of the parent's own scores and signals: no
    other row holds them. Of the last day stored on or before `as_of` (default: the
    latest). Four or five queries."""
    day = queries.latest_date(org, as_of)
    parent_id = scope.id
    if scope.team is None and len(scope.roots) == 1:
        parent_id = scope.roots[0]
    rows = queries.heatmap(org, parent_id, as_of) if scope.roots else []
    lines = [_line(r.team, r.score, r.has_children) for r in rows]
    hidden = max(0, len(lines) - HEAT_ROWS)
    if hidden:
        worst = sorted(lines, key=lambda x: (x.cells[-1].score is None, x.cells[-1].score or 0))
        keep = {id(x) for x in worst[:HEAT_ROWS]}
        lines = [x for x in lines if id(x) in keep]
    parent, own, h = None, None, None
    if parent_id is not None:
        h = (
            HealthScore.objects.filter(org=org, team_id=parent_id, date=day)
            .select_related("team")
            .first()
            if day
            else None
        )
        parent = h.team if h else Team.objects.for_org(org).get(pk=parent_id)
        summary = _line(scope.team, h, bool(rows))
        if h is not None and rows:
            own = HeatLine(
                parent, own_cells_of(h), h.people, h.open_critical, h.open_warning, False
            )
    else:
        combined = _combined([r.score for r in rows if r.score is not None])
        cells = (
            scored_cells({c: combined[c] for c in COLUMNS}, int(combined["critical"] or 0))
            if combined
            else [Cell(c, None, band(None)) for c in COLUMNS]
        )
        summary = HeatLine(
            None,
            cells,
            int(combined["people"] or 0) if combined else 0,
            int(combined["critical"] or 0) if combined else 0,
            int(combined["warning"] or 0) if combined else 0,
            bool(rows),
        )
    computed_at = next((r.score.computed_at for r in rows if r.score is not None), None)
    if h is not None:
        computed_at = h.computed_at
    elif computed_at is None and day is not None:
        computed_at = (
            HealthScore.objects.filter(org=org, date=day)
            .values_list("computed_at", flat=True)
            .first()
        )
    return HeatMap(day, summary, lines, parent, hidden, own, computed_at)


# --- trends ------------------------------------------------------------------------------


def trend(
    org: Organization,
    scope: Scope,
    *,
    weeks: int = 13,
    as_of: dt.date | None = None,
    since: dt.date | None = None,
) -> list[dict[str, Any]]:
    """The scope's rolled-up health and open critical/warning counts, one point per week
    (each week's last stored day) over the last `weeks` weeks up to the last day stored on
    or before `as_of` (default: the latest), oldest first; from `since` instead when given
    (a period's first day). One query (two for a whole organization with several roots).

    Weeks are ISO weeks, Monday to Sunday, as briefings count them: each point names its
    week (`week` 2026-W48, `week_start`, `week_end`), the day its figures are of (`date`,
    ISO) and a short label for a chart's axis (`label`, "28 Nov")."""
    end = queries.latest_date(org, as_of)
    if end is None or (since is not None and end < since):
        return []
    start = end - dt.timedelta(weeks=weeks) if since is None else since - dt.timedelta(days=1)
    if scope.team is not None:
        team_ids = [scope.team.pk]
    else:
        team_ids = scope.roots
    rows = (
        HealthScore.objects.filter(org=org, team_id__in=team_ids, date__gt=start, date__lte=end)
        .order_by("date")
        .only(
            "date",
            "team_id",
            "rollup_people",
            "rollup_open_critical",
            "rollup_open_warning",
            *(f"rollup_{c}" for c in COLUMNS),
        )
    )
    by_day: dict[dt.date, list[HealthScore]] = defaultdict(list)
    for r in rows:
        by_day[r.date].append(r)
    last_of_week: dict[tuple[int, int], dt.date] = {}
    for day in sorted(by_day):
        iso = day.isocalendar()
        last_of_week[(iso[0], iso[1])] = day
    out = []
    for day in sorted(last_of_week.values()):
        combined = _combined(by_day[day])
        assert combined is not None
        year, number, weekday = day.isocalendar()
        monday = day - dt.timedelta(days=weekday - 1)
        out.append(
            {
                "date": day.isoformat(),
                "week": f"{year}-W{number:02d}",
                "week_start": monday.isoformat(),
                "week_end": (monday + dt.timedelta(days=6)).isoformat(),
                "label": dateformat.format(day, "j M"),
                # None: nothing to judge that day (a gap in the charts)
                **{c: _round(combined[c]) for c in COLUMNS},
                "critical": int(combined["critical"] or 0),
                "warning": int(combined["warning"] or 0),
            }
        )
    return out


def _round(score: float | None) -> float | None:
    return None if score is None else round(score, 1)


# --- signals -----------------------------------------------------------------------------


def in_scope(org: Organization, team_ids: Iterable[int] | None) -> Q:
    if team_ids is None:
        return Q()
    links = SignalTeam.objects.filter(org=org, team_id__in=list(team_ids))
    return Q(pk__in=links.values("signal_id"))


def signals(
    org: Organization,
    team_ids: Iterable[int] | None,
    *,
    kinds: Iterable[str] | None = None,
    severity: str = "",
    state: str = "live",
    new_since: dt.datetime | None = None,
) -> QuerySet:
    """Stored signals concerning any of `team_ids` (None: all), ranked as `queries.ranked`.
    `state` is a state, "live" (what needs attention: every state but resolved and
    dismissed, `OPEN_STATES`, as the health counts them open) or "" (any); `new_since`, first
    seen after that moment (as `new_since` lists)."""
    return _all(org, kinds=kinds, severity=severity, state=state, new_since=new_since).filter(
        in_scope(org, team_ids)
    )


def _all(
    org: Organization,
    *,
    kinds: Iterable[str] | None = None,
    severity: str = "",
    state: str,
    new_since: dt.datetime | None = None,
) -> QuerySet:
    qs = Signal.objects.filter(org=org)
    if new_since is not None:
        qs = _first_seen_after(org, new_since)
    if kinds is not None:
        qs = qs.filter(kind__in=list(kinds))
    if severity:
        qs = qs.filter(severity=severity)
    if state == "live":
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    return queries.ranked(qs.select_related("owner"))


# New signals are read by when they were first seen when they are this few or fewer.
NEW_READ_BY_DATE = 2_000


def _first_seen_after(org: Organization, moment: dt.datetime) -> QuerySet:
    """The organization's signals first seen after `moment`. Read in rank order, a quiet
    week in a large organization (a handful new among 170,000 open) walked every signal to
    find them (1 s); when they are few they are picked by date first, and the rank index,
    which SQLite would still walk for a list of ids, is kept out (`org_id + 0`)."""
    recent = Signal.objects.filter(org=org, first_seen__gt=moment).order_by()
    ids = list(recent.values_list("pk", flat=True)[: NEW_READ_BY_DATE + 1])
    if len(ids) > NEW_READ_BY_DATE:  # many: the rank order finds the first ones soon
        return recent
    return Signal.objects.alias(in_org=F("org_id") + 0).filter(in_org=org.pk, pk__in=ids)


# A scope of more teams than this (a division of a large organization) holds a good share
# of every list asked of it: its first rows are found by reading the list in order and
# keeping the signals of its teams, a chunk at a time, rather than by its teams' links
# (30,000 for a tenth of a 10,000-team tree, read again for each list: 60-70 ms a list).
SCOPE_READ_FROM_TEAMS = 300
SCAN_CHUNK = 100
SCAN_MAX = 2_000


def _first(
    org: Organization, team_ids: Iterable[int] | None, qs: QuerySet, limit: int
) -> list[Signal]:
    """The first `limit` signals of `qs` (ordered, not scoped) concerning any of
    `team_ids` (None: all)."""
    if team_ids is None:
        return list(qs[:limit])
    team_ids = set(team_ids)
    if len(team_ids) > SCOPE_READ_FROM_TEAMS:
        # The list is read as ids, and only the signals kept are loaded: loaded whole,
        # each chunk's evidence and numbers were parsed to keep a few of them.
        ids = qs.values_list("pk", flat=True)
        found: list[int] = []
        for start in range(0, SCAN_MAX, SCAN_CHUNK):
            chunk = list(ids[start : start + SCAN_CHUNK])
            teams = queries.team_ids_of(chunk)
            found += [pk for pk in chunk if not team_ids.isdisjoint(teams.get(pk, ()))]
            if len(found) >= limit or len(chunk) < SCAN_CHUNK:
                kept = qs.order_by().in_bulk(found[:limit]) if found else {}
                return [kept[pk] for pk in found[:limit] if pk in kept]
        # Few of this list are the scope's: its teams' links find the rest.
    return list(qs.filter(in_scope(org, team_ids))[:limit])


def large(team_ids: Iterable[int] | None) -> bool:
    """Whether a scope's lists are read in order and kept by team (see `_first`)."""
    return team_ids is not None and len(list(team_ids)) > SCOPE_READ_FROM_TEAMS


def signals_page(
    org: Organization, team_ids: Iterable[int], number: int, per_page: int, **filters
) -> Window:
    """A page of `signals` for a large scope, without counting them (the count reads
    every link of its teams): the first pages read as `_first`, later ones by filter."""
    qs = _all(org, **filters)
    offset = (number - 1) * per_page
    if offset + per_page + 1 <= SCAN_MAX // 4:
        rows = _first(org, team_ids, qs, offset + per_page + 1)[offset:]
    else:
        rows = list(qs.filter(in_scope(org, team_ids))[offset : offset + per_page + 1])
    return Window(rows, number, per_page)


def stored_total(
    org: Organization,
    team: Team,
    *,
    kinds=None,
    severity: str = "",
    state: str = "live",
    new_since: dt.datetime | None = None,
) -> tuple[int, dt.datetime] | None:
    """How many signals neither resolved nor dismissed (`OPEN_STATES`) concern the team or
    a team below it (of `severity`, or of any), and when that was counted: the last
    evaluation stores it with the team's health (`rollup_open_*`), so a large scope's list
    shows its total without reading its teams' links. None for other filters (a kind, a
    dimension, another state), or when the team has no health from the last evaluation.
    Two queries."""
    if kinds is not None or state != "live" or new_since is not None:
        return None
    h = (
        HealthScore.objects.filter(org=org, team=team, date=queries.latest_date(org))
        .only("computed_at", "rollup_open_info", "rollup_open_warning", "rollup_open_critical")
        .first()
    )
    if h is None:
        return None
    if severity:
        return getattr(h, f"rollup_open_{severity}"), h.computed_at
    return h.rollup_open_info + h.rollup_open_warning + h.rollup_open_critical, h.computed_at


def top(org: Organization, team_ids: Iterable[int] | None, limit: int = 5) -> list[Signal]:
    """The most severe and widest-reaching signals nobody has put aside (open or
    acknowledged)."""
    qs = _all(org, state="").filter(state__in=(SignalState.OPEN, SignalState.ACKNOWLEDGED))
    return _first(org, team_ids, qs, limit)


def new_since(org: Organization, team_ids, since: dt.datetime, limit: int = 10) -> list[Signal]:
    return _first(org, team_ids, _all(org, state="live", new_since=since), limit)


def new_since_count(org: Organization, team_ids, since: dt.datetime) -> int | None:
    """How many `new_since` has in all, as its full list (`signals(new_since=…)`) counts
    them, up to FIGURES_EXACT (FIGURES_EXACT + 1 means more), in one query; None for a
    large scope, whose lists are not counted."""
    if large(team_ids):
        return None
    qs = Signal.objects.filter(org=org, first_seen__gt=since, state__in=OPEN_STATES)
    return count_up_to(qs.filter(in_scope(org, team_ids)), FIGURES_EXACT)


def resolved_since(
    org: Organization, team_ids, since: dt.datetime, limit: int = 10
) -> list[Signal]:
    """Signals resolved after `since`, latest first; those closed because their teams were
    retired are not listed: retiring a team is not fixing what was wrong with it; nor
    those a more serious signal took over (predicted late, now overdue): they got worse."""
    qs = (
        _all(org, state=SignalState.RESOLVED)
        .filter(resolved_at__gt=since)
        .exclude(closed_reason__in=(CLOSED_TEAM_RETIRED, CLOSED_TAKEN_OVER))
    )
    return _first(org, team_ids, qs.order_by("-resolved_at", "-id"), limit)


# Dismissed signals a scope's page lists (its "Dismissed" card; the rest are a filter away).
DISMISSED_SHOWN = 10


def dismissed(
    org: Organization, team_ids: Iterable[int] | None, limit: int = DISMISSED_SHOWN
) -> list[Signal]:
    """The scope's dismissed signals (their cause still holds, they cost no health), the
    latest dismissed first, at most `limit`, each with who dismissed it
    (`state_changed_by`), when (`state_changed_at`) and why (`dismissed_reason`). Read as
    `_first` reads a scope's lists: one to three queries."""
    qs = (
        Signal.objects.filter(org=org, state=SignalState.DISMISSED)
        .select_related("state_changed_by")
        .order_by("-state_changed_at", "-id")
    )
    return _first(org, team_ids, qs, limit)


def with_urls(org: Organization, signals_: list[Signal]) -> list[Signal]:
    """Sets `url` (its page) on each signal, without a URL lookup per signal."""
    prefix = reverse("intelligence:signal", kwargs={"org_slug": org.slug, "signal_id": 0})[:-2]
    for s in signals_:
        s.url = f"{prefix}{s.pk}/"
    return signals_


def with_teams(org: Organization, signals_: list[Signal]) -> list[Signal]:
    """Sets `concerned` (the teams each signal concerns, by name), `url` (its page) and,
    on one dismissed or snoozed, `aside_by` (who put it aside: a person or None) on each.
    Two queries, three when one was put aside by someone not read with it."""
    with_urls(org, signals_)
    _with_aside_by(org, signals_)
    by_signal = queries.team_ids_of(s.pk for s in signals_)
    ids = {t for ts in by_signal.values() for t in ts}
    teams = Team.objects.for_org(org).in_bulk(list(ids)) if ids else {}
    for s in signals_:
        s.concerned = sorted(
            (teams[t] for t in by_signal.get(s.pk, ()) if t in teams), key=lambda t: t.name
        )
    return signals_


def _with_aside_by(org: Organization, signals_: list[Signal]) -> None:
    """Sets `aside_by` on each signal: who dismissed or snoozed it (None for the others),
    read in one query for those not read with the signal."""
    cached = Signal.state_changed_by.is_cached
    aside = [
        s
        for s in signals_
        if s.state in (SignalState.DISMISSED, SignalState.SNOOZED) and s.state_changed_by_id
    ]
    wanted = {s.state_changed_by_id for s in aside if not cached(s)}
    people = Person.objects.for_org(org).in_bulk(list(wanted)) if wanted else {}
    for s in signals_:
        s.aside_by = None
    for s in aside:
        s.aside_by = s.state_changed_by if cached(s) else people.get(s.state_changed_by_id)


# --- as they stood on a past day -----------------------------------------------------------


HELD_MOST = 1000  # signals of a scope read as they stood on a past day, at most


@dataclass
class Held:
    """A scope's signals as they stood at the end of `day` (UTC, as evaluations date their
    health), read from what was stored then (`queries.signals_as_of`): each one's severity,
    explanation, evidence and numbers from the episode covering that moment, its state
    then from the events of its acknowledging, snoozing or dismissing since. What no
    episode stores is today's: its title, owner, reach and the teams it concerns.

    `signals`: those that held then, ranked; `new`: those that held then but not a week
    before; `resolved`: those that held a week before but no longer then (each with
    `resolved_at`, when its last stretch ended). `begins`: when the stored signal history
    begins (the first evaluation that stored signals; None: never evaluated); before it,
    only health (backfilled weeks) is stored, so the lists are empty."""

    day: dt.date
    signals: list[Signal]
    new: list[Signal]
    resolved: list[Signal]
    begins: dt.datetime | None
    too_many: bool = False  # more than HELD_MOST held in the scope: the lists are left out

    @property
    def before_history(self) -> bool:
        return self.begins is None or as_moment(self.day) < self.begins

    @property
    def begins_on(self) -> dt.date | dt.datetime | None:
        """`begins` as the lists date it (`evaluated_day`): an evaluation of a day, that day."""
        return evaluated_day(self.begins)


def held(org: Organization, scope: Scope, day: dt.date) -> Held:
    """The scope's signals as they stood at the end of `day` (see `Held`). Nine queries,
    up to eleven (`queries.signals_as_of`)."""
    begins = Evaluation.first_stored(org)
    moment, week_ago = as_moment(day), as_moment(day - dt.timedelta(days=7))
    if begins is None or moment < begins:
        return Held(day, [], [], [], begins)
    # Read whole to compare two days: bounded, or near the top of a large organization a
    # past day's tens of thousands of signals would hold a worker for minutes.
    if any(
        count_up_to(queries.held_at(org, d, team_id=scope.id), HELD_MOST) > HELD_MOST
        for d in (day, day - dt.timedelta(days=7))
    ):
        return Held(day, [], [], [], begins, too_many=True)
    now = queries.signals_as_of(org, day, team_id=scope.id)
    held_ids = {s.pk for s in now}
    if week_ago >= begins:
        before = queries.signals_as_of(org, day - dt.timedelta(days=7), team_id=scope.id)
        before_ids = {s.pk for s in before}
        new = [s for s in now if s.pk not in before_ids]
    else:  # the history begins within the week: new are those first found since
        before, new = [], [s for s in now if s.first_seen > week_ago]
    gone = [s for s in before if s.pk not in held_ids]
    ended = dict(
        SignalEpisode.objects.filter(
            org=org,
            signal_id__in=[s.pk for s in gone],
            ended_at__gt=week_ago,
            ended_at__lte=moment,
        )
        .values("signal_id")
        .annotate(last=Max("ended_at"))
        .values_list("signal_id", "last")
    )
    resolved = []
    for s in sorted(gone, key=lambda s: ended.get(s.pk) or moment, reverse=True):
        # Not fixed, as the live lists leave them out: its teams retired, or taken over.
        if s.closed_reason in (CLOSED_TEAM_RETIRED, CLOSED_TAKEN_OVER):
            continue
        s.resolved_at = ended.get(s.pk)
        resolved.append(s)
    return Held(day, now, new, resolved, begins)


def held_filtered(
    rows: list[Signal],
    *,
    team_ids: Iterable[int] | None = None,
    kinds: Iterable[str] | None = None,
    severity: str = "",
    state: str = "live",
    only: set[int] | None = None,
) -> list[Signal]:
    """`rows` (as `held` reads them) as the Insights list filters them: concerning any of
    `team_ids` (None: all), of `kinds`, of `severity`, in `state` ("live": open,
    acknowledged or snoozed, as `signals`), and among the ids `only` (None: all)."""
    wanted_teams = None if team_ids is None else set(team_ids)
    wanted_kinds = None if kinds is None else set(kinds)
    out = []
    for s in rows:
        if only is not None and s.pk not in only:
            continue
        if wanted_kinds is not None and s.kind not in wanted_kinds:
            continue
        if severity and s.severity != severity:
            continue
        if state == "live" and s.state not in OPEN_STATES:
            continue
        if state and state != "live" and s.state != state:
            continue
        if wanted_teams is not None and wanted_teams.isdisjoint(
            link.team_id for link in s.team_links.all()
        ):
            continue
        out.append(s)
    return out


# --- points charged from measures --------------------------------------------------------


@dataclass
class Charged:
    """One item of a stored score's explanation that is not a signal: points charged from
    a measure (a share of late check-ins, of unaligned initiatives), and where its records
    are listed ("" when no list shows them)."""

    team: Team
    points: float
    reason: str
    url: str = ""


@dataclass
class ChargedPoints:
    """What a heat-map score lost to measures rather than signals (`charged`)."""

    team: Team  # whose score: its own, or the roll-up of its subtree
    dimension: str
    day: dt.date
    rollup: bool  # the score averages the own scores of the teams below (by people)
    items: list[Charged]
    more: int = 0  # the subtree's items left out (only the CHARGED_SHOWN largest are)
    # The "Unaligned work" signal's own threshold ({"share": "34%", "min_count": 2}) when
    # the items are of alignment and it is on: a team below it has no such signal.
    unaligned_rule: dict[str, Any] | None = None
    # A large subtree (or the whole organization): only the team's own items were read.
    below_unread: bool = False


CHARGED_SHOWN = 10


def _charged_url(org: Organization, team: Team, dimension: str) -> str:
    """The list of the records a measure counts: the team's own active initiatives serving
    nothing, or its check-ins (its rhythm page, over the weeks health counts them in)."""
    if dimension == "alignment":
        query = f"team={team.slug}&only=on&status=active&aligned=no"
        return reverse("alignment:initiatives", kwargs={"org_slug": org.slug}) + "?" + query
    if dimension == "rhythm":
        return rhythm_page(org, team)
    return ""


def rhythm_page(org: Organization, team: Team) -> str:
    """A team's rhythm page over the health window (`WINDOW_WEEKS`): the check-ins and
    meetings its rhythm score counts, not the page's own default weeks."""
    url = reverse("rhythm:team", kwargs={"org_slug": org.slug, "team_slug": team.slug})
    return f"{url}?weeks={WINDOW_WEEKS}"


def charged(
    org: Organization,
    team: Team,
    dimension: str,
    *,
    own: bool,
    as_of: dt.date | None = None,
    unaligned_rule: dict[str, Any] | None = None,
) -> ChargedPoints | None:
    """The points a team's stored score of `dimension` lost to measures, not to signals,
    as its heat-map cell shows it: its own score (`own`, or a team with nothing below it)
    or its roll-up, whose items are those of each team of its subtree. Of the day the
    heat-map shows (the last stored on or before `as_of`); read from the stored health
    (`HealthScore.explanation`), nothing recomputed. None: no health stored, or nothing
    charged that way. At most a few queries; a subtree's rows are read once, in one query."""
    if dimension not in DIMENSIONS:
        return None
    day = queries.latest_date(org, as_of)
    if day is None:
        return None
    team_ids = {team.pk} if own else queries.subtree_of(team)
    if team_ids is None:  # the top of the tree: every team with health that day
        team_ids = set(
            HealthScore.objects.filter(org=org, date=day).values_list("team_id", flat=True)
        )
    # A large subtree's rows are not read (their explanations, one by one): its own items
    # only, and the page says each team's line shows its own.
    below_unread = large(team_ids)
    if below_unread:
        team_ids = {team.pk}
    rows = list(
        HealthScore.objects.filter(org=org, date=day, team_id__in=team_ids)
        .select_related("team")
        .only("team", "explanation", "date")
    )
    items = [
        Charged(r.team, float(item.get("points") or 0), str(item.get("reason", "")))
        for r in rows
        for item in (r.explanation or {}).get(dimension, [])
        if not item.get("signal_id") and item.get("points")
    ]
    if not items:
        return None
    items.sort(key=lambda c: (-c.points, c.team.name))
    for c in items[:CHARGED_SHOWN]:
        c.url = _charged_url(org, c.team, dimension)
    rule = None
    if dimension == "alignment" and unaligned_rule and unaligned_rule.get("enabled", True):
        rule = {
            "share": f"{float(unaligned_rule['share']):.0%}",
            "min_count": unaligned_rule["min_count"],
        }
    return ChargedPoints(
        team,
        dimension,
        day,
        not own and (below_unread or len(team_ids) > 1),
        items[:CHARGED_SHOWN],
        max(0, len(items) - CHARGED_SHOWN),
        rule,
        below_unread,
    )
