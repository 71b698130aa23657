"""Reads shared by pages, the API and analysis.

Everything here is set-based: a few bulk queries load plain rows, then Python computes.
The number of queries does not grow with the size of the organization.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Lower
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment.models import (
    OPEN_INITIATIVE_STATUSES,
    OPEN_OBJECTIVE_STATUSES,
    SERVING_INITIATIVE_STATUSES,
    AlignmentSettings,
    ConfidenceUpdate,
    Initiative,
    InitiativeKeyResult,
    InitiativeLink,
    InitiativeObjective,
    InitiativeStatus,
    KeyResult,
    KeyResultValue,
    Milestone,
    Objective,
    ObjectiveLevel,
    ObjectiveLink,
    ObjectiveStatus,
    Period,
    PeriodState,
    RankChange,
    Replan,
    TeamAlignmentSettings,
)
from accord.alignment.progress import kr_progress, weighted_mean
from accord.core import twice
from accord.core.counting import figures, first_rows, kept_while_large, shown_count
from accord.core.days import org_day, org_today
from accord.org.models import Organization, Person, Team
from accord.org.queries import covers_every_team, in_subtree, subtree_ids

KR_COLUMNS = (
    "id",
    "objective_id",
    "name",
    "unit",
    "direction",
    "start",
    "target",
    "current",
    "range_low",
    "range_high",
    "is_milestone",
    "done",
    "weight",
    "owner_id",
    "position",
    "baseline_date",
)
OBJECTIVE_COLUMNS = (
    "id",
    "title",
    "status",
    "level",
    "team_id",
    "owner_id",
    "period_id",
    "confidence",
    "confidence_updated_at",
)
INITIATIVE_COLUMNS = (
    "id",
    "title",
    "status",
    "stage",
    "team_id",
    "owner_id",
    "progress",
    "rank",
    "start_date",
    "target_date",
    "baseline_target_date",
    "replan_count",
    "effort_weeks",
)


# --- periods and labels ------------------------------------------------------------------


def current_period(
    org: Organization, *, today: dt.date | None = None, closing: Period | None = None
) -> Period | None:
    """The current period, the one answer every page, the API and MCP take: the period
    marked current; else the open one containing today (the one ending first, so a quarter
    before its year); else the latest. `closing`: the answer once that period is closed
    (what closing it leaves current)."""
    periods = Period.objects.for_org(org)
    marked = periods.filter(is_current=True)
    open_ = periods.exclude(state=PeriodState.CLOSED)
    if closing is not None:
        marked, open_ = marked.exclude(pk=closing.pk), open_.exclude(pk=closing.pk)
    found = marked.first()
    if found:
        return found
    today = today or org_today()
    found = open_.filter(start__lte=today, end__gte=today).order_by("end", "-start", "pk").first()
    return found or periods.order_by("-start").first()


def period_choice_label(period: Period, current: bool) -> str:
    """How a period chooser names a period: its name, "(current)" for the current one
    (`current_period`), "(closed)" for a closed one. One naming for every chooser: the
    tree's, the scorecard's, a team page's and the initiatives' filter."""
    tags = " (current)" if current else ""
    return f"{period.name}{tags}{' (closed)' if period.is_closed else ''}"


def orphaned_meaning(labels: dict) -> str:
    """What "orphaned" means, in one sentence said by the tag and the counts alike."""
    return (
        f"No proposed or active {labels['initiative'].lower()} serves it (directly, through "
        f"a {labels['key_result'].lower()}, or through a contributing "
        f"{labels['objective'].lower()})"
    )


def periods_begun(
    org: Organization, *, today: dt.date | None = None, limit: int = 12
) -> list[Period]:
    """The periods begun by `today` (default: today), the latest first, at most `limit`: what
    a report measured over a period (this quarter, the last one) offers beside its rolling
    windows."""
    today = today or org_today()
    return list(Period.objects.for_org(org).filter(start__lte=today).order_by("-start")[:limit])


def period_chosen(
    org: Organization, value: object, *, today: dt.date | None = None
) -> tuple[list[Period], Period | None]:
    """`periods_begun` and the one of them `value` names by id (a page's `?period=`); None
    when it names none of them."""
    periods = periods_begun(org, today=today)
    wanted = str(value or "").strip()
    return periods, next((p for p in periods if str(p.pk) == wanted), None)


def current_period_ids(org: Organization, *, today: dt.date | None = None) -> list[int]:
    """The periods whose work is under way now: the current period and the open periods
    that enclose it (the year around this quarter). None when the current one is closed."""
    period = current_period(org, today=today)
    if period is None or period.is_closed:
        return []
    return list(
        Period.objects.for_org(org)
        .exclude(state=PeriodState.CLOSED)
        .filter(start__lte=period.start, end__gte=period.end)
        .values_list("id", flat=True)
    )


def related_period_ids(org: Organization, period: Period) -> list[int]:
    """The period, the periods that enclose it and the periods it encloses."""
    return list(
        Period.objects.for_org(org)
        .filter(
            Q(start__lte=period.start, end__gte=period.end)
            | Q(start__gte=period.start, end__lte=period.end)
        )
        .values_list("id", flat=True)
    )


DEFAULT_LABELS = {
    "objective_label": "Objective",
    "key_result_label": "Key result",
    "initiative_label": "Initiative",
}


def labels(org: Organization) -> dict[str, str]:
    """What the organization calls the concepts: keys objective, key_result, initiative
    (singular) and the same with `_plural`."""
    row = AlignmentSettings.objects.for_org(org).values(*DEFAULT_LABELS).first() or DEFAULT_LABELS
    out: dict[str, str] = {}
    for key, value in row.items():
        short = key.removesuffix("_label")
        out[short] = value
        out[f"{short}_plural"] = _plural(value)
    return out


def _plural(word: str) -> str:
    if word.endswith("s"):
        return word
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


# --- the alignment graph -----------------------------------------------------------------


def objective_links(org: Organization) -> list[tuple[int, int, float]]:
    """(child, parent, weight) for every link of the organization, in one query."""
    return list(ObjectiveLink.objects.for_org(org).values_list("child_id", "parent_id", "weight"))


def objective_ancestors(org: Organization, objective_id: int) -> set[int]:
    """Ids of every objective `objective_id` contributes to, directly or not."""
    parents: dict[int, list[int]] = defaultdict(list)
    for child, parent, _ in objective_links(org):
        parents[child].append(parent)
    out: set[int] = set()
    stack = list(parents.get(objective_id, []))
    while stack:
        oid = stack.pop()
        if oid in out:
            continue
        out.add(oid)
        stack.extend(parents.get(oid, []))
    return out


@dataclass
class Rollup:
    """Plain data for one period: rows, the graph and every derived progress."""

    period_ids: list[int]
    objectives: dict[int, dict[str, Any]]
    key_results: dict[int, dict[str, Any]]
    krs_of: dict[int, list[int]]
    children: dict[int, list[tuple[int, float]]]
    parents: dict[int, list[tuple[int, float]]]
    kr_progress: dict[int, float]
    objective_progress: dict[int, float | None]
    team_progress: dict[int, float | None] = field(default_factory=dict)
    org_progress: float | None = None

    def roots(self) -> list[int]:
        ids = [oid for oid in self.objectives if not self.parents.get(oid)]
        return sorted(ids, key=self._order)

    def _order(self, oid: int) -> tuple:
        o = self.objectives[oid]
        return (o["level"] != ObjectiveLevel.ORG, o["title"].lower(), oid)


def objective_progress(
    objective_ids: list[int],
    krs_of: dict[int, list[int]],
    kr_progress_by_id: dict[int, float],
    kr_weight: dict[int, float],
    children: dict[int, list[tuple[int, float]]],
    counted: set[int],
) -> dict[int, float | None]:
    """Weighted mean of each objective's key results and counted child objectives.

    Pure: works on plain dicts. `counted` are the objectives that take part in roll-ups
    (not dropped). The graph has no cycles (services refuse them); a cycle that slipped in
    anyway is cut rather than followed forever.
    """
    memo: dict[int, float | None] = {}
    visiting: set[int] = set()

    def visit(root: int) -> None:
        # Iterative post-order, so a deep tree cannot exhaust the recursion limit.
        stack: list[tuple[int, bool]] = [(root, False)]
        while stack:
            oid, expanded = stack.pop()
            if oid in memo:
                continue
            if expanded:
                visiting.discard(oid)
                items: list[tuple[float | None, float]] = [
                    (kr_progress_by_id[k], kr_weight[k]) for k in krs_of.get(oid, [])
                ]
                items += [(memo.get(c), w) for c, w in children.get(oid, []) if c in counted]
                memo[oid] = weighted_mean(items)
                continue
            if oid in visiting:
                continue
            visiting.add(oid)
            stack.append((oid, True))
            for c, _ in children.get(oid, []):
                if c not in memo and c not in visiting:
                    stack.append((c, False))

    for oid in objective_ids:
        visit(oid)
    return memo


def rollup(org: Organization, period: Period) -> Rollup:
    """Progress of every objective, team and the organization for `period`.

    Loads the objectives of the period and of the periods enclosing or enclosed by it,
    their links and their key results in four queries.
    """
    period_ids = related_period_ids(org, period)
    objectives = {
        row["id"]: row
        for row in Objective.objects.for_org(org)
        .filter(period_id__in=period_ids)
        .values(*OBJECTIVE_COLUMNS)
    }
    children: dict[int, list[tuple[int, float]]] = defaultdict(list)
    parents: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for child, parent, weight in (
        ObjectiveLink.objects.for_org(org)
        .filter(child__period_id__in=period_ids, parent__period_id__in=period_ids)
        .values_list("child_id", "parent_id", "weight")
    ):
        children[parent].append((child, weight))
        parents[child].append((parent, weight))
    key_results = {
        row["id"]: row
        for row in KeyResult.objects.for_org(org)
        .filter(objective__period_id__in=period_ids)
        .order_by("position", "id")
        .values(*KR_COLUMNS)
    }
    return _compute(period_ids, objectives, key_results, children, parents)


def _compute(period_ids, objectives, key_results, children, parents) -> Rollup:
    krs_of: dict[int, list[int]] = defaultdict(list)
    for kid, kr in key_results.items():
        krs_of[kr["objective_id"]].append(kid)
    kr_prog = {kid: kr_progress(kr) for kid, kr in key_results.items()}
    counted = {oid for oid, o in objectives.items() if o["status"] != ObjectiveStatus.DROPPED}
    obj_prog = objective_progress(
        list(objectives),
        krs_of,
        kr_prog,
        {kid: kr["weight"] for kid, kr in key_results.items()},
        children,
        counted,
    )
    r = Rollup(
        period_ids=period_ids,
        objectives=objectives,
        key_results=key_results,
        krs_of=dict(krs_of),
        children=dict(children),
        parents=dict(parents),
        kr_progress=kr_prog,
        objective_progress=obj_prog,
    )
    # A team's progress: its own objectives that do not already roll into another of its own.
    per_team: dict[int, list[tuple[float | None, float]]] = defaultdict(list)
    for oid, o in objectives.items():
        if oid not in counted or o["team_id"] is None:
            continue
        same_team_parent = any(
            objectives[p]["team_id"] == o["team_id"] for p, _ in parents.get(oid, [])
        )
        if not same_team_parent:
            per_team[o["team_id"]].append((obj_prog[oid], 1.0))
    r.team_progress = {tid: weighted_mean(items) for tid, items in per_team.items()}
    roots = [oid for oid in counted if not parents.get(oid)]
    org_roots = [oid for oid in roots if objectives[oid]["level"] == ObjectiveLevel.ORG]
    r.org_progress = weighted_mean((obj_prog[oid], 1.0) for oid in (org_roots or roots))
    return r


# --- initiatives and what they serve -----------------------------------------------------


def _served(org: Organization) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """initiative id -> key result ids, initiative id -> objective ids (two queries)."""
    krs: dict[int, list[int]] = defaultdict(list)
    objs: dict[int, list[int]] = defaultdict(list)
    for iid, kid in InitiativeKeyResult.objects.for_org(org).values_list(
        "initiative_id", "key_result_id"
    ):
        krs[iid].append(kid)
    for iid, oid in InitiativeObjective.objects.for_org(org).values_list(
        "initiative_id", "objective_id"
    ):
        objs[iid].append(oid)
    return krs, objs


def unaligned_initiatives(org: Organization, team: Team | None = None):
    """Open (proposed, active, paused) initiatives that serve no key result and no objective
    (the stored flag; see `rollups.py`)."""
    qs = (
        Initiative.objects.for_org(org)
        .filter(status__in=OPEN_INITIATIVE_STATUSES, aligned=False)
        .select_related("team", "owner")
        .order_by("team__name", "team_id", F("rank").asc(nulls_last=True), "title", "id")
    )
    if team is not None:
        qs = qs.filter(team=team)
    return qs


def unaligned_counts(org: Organization) -> dict[int, int]:
    """team id -> number of unaligned initiatives (teams with none are left out)."""
    return dict(Counter(unaligned_initiatives(org).values_list("team_id", flat=True)))


def orphaned_ids(org: Organization, r: Rollup, period: Period) -> list[int]:
    if period.is_closed:  # history: nothing is missing from it any more
        return []
    active_ids = set(
        Initiative.objects.for_org(org)
        .filter(status__in=SERVING_INITIATIVE_STATUSES)
        .values_list("id", flat=True)
    )
    krs, objs = _served(org)
    served: set[int] = set()
    for iid in active_ids:
        served.update(objs.get(iid, []))
        for kid in krs.get(iid, []):
            kr = r.key_results.get(kid)
            if kr is not None:
                served.add(kr["objective_id"])
    # An objective is served when work serves it or anything that contributes to it.
    covered: set[int] = set()
    stack = [oid for oid in served if oid in r.objectives]
    while stack:
        oid = stack.pop()
        if oid in covered:
            continue
        covered.add(oid)
        stack.extend(p for p, _ in r.parents.get(oid, []))
    return [
        oid
        for oid, o in r.objectives.items()
        if o["period_id"] == period.pk
        and o["status"] == ObjectiveStatus.ACTIVE
        and oid not in covered
    ]


def orphaned_objectives(org: Organization, period: Period, team: Team | None = None):
    """Active objectives of `period` that no proposed or active initiative serves — neither
    directly, through one of their key results, nor through an objective contributing to
    them (the stored flag; see `rollups.py`)."""
    qs = (
        Objective.objects.for_org(org)
        .filter(period=period, orphaned=True)
        .select_related("team", "owner")
        .order_by("title", "id")
    )
    if team is not None:
        qs = qs.filter(team=team)
    return qs


def orphaned_counts(org: Organization, period: Period) -> dict[int | None, int]:
    """team id (None for organization objectives without a team) -> orphaned objectives."""
    rows = (
        Objective.objects.for_org(org)
        .filter(period=period, orphaned=True)
        .order_by()
        .values("team_id")
        .annotate(n=Count("id"))
    )
    return {row["team_id"]: row["n"] for row in rows}


# --- priority stacks ---------------------------------------------------------------------


@dataclass
class Stack:
    team: Team
    items: list[Initiative]
    wip_limit: int | None

    @property
    def over_wip(self) -> bool:
        return self.wip_limit is not None and len(self.items) > self.wip_limit

    @property
    def over_by(self) -> int:
        return max(0, len(self.items) - (self.wip_limit or len(self.items)))


def wip_limit(org: Organization, team: Team) -> int | None:
    return (
        TeamAlignmentSettings.objects.for_org(org)
        .filter(team=team)
        .values_list("wip_limit", flat=True)
        .first()
    )


def priority_stack(org: Organization, team: Team) -> Stack:
    """The team's active initiatives, top first, each with its stored `aligned` flag (two
    queries)."""
    items = list(
        Initiative.objects.for_org(org)
        .filter(team=team, status=InitiativeStatus.ACTIVE)
        .select_related("owner")
        .order_by("rank", "id")
    )
    return Stack(team=team, items=items, wip_limit=wip_limit(org, team))


def next_up(org: Organization, team: Team) -> list[Initiative]:
    """The team's Next up list: its proposed initiatives in the order it means to take them
    up, first first (ranked apart from the priority stack; one query)."""
    return list(
        Initiative.objects.for_org(org)
        .filter(team=team, status=InitiativeStatus.PROPOSED)
        .select_related("owner")
        .order_by(F("next_rank").asc(nulls_last=True), "id")
    )


def wip_breaches(org: Organization, team: Team | None = None) -> list[dict[str, Any]]:
    """Teams running more active initiatives than their WIP limit, by name: the whole
    organization's, or those of `team` and the teams below it (two queries). A WIP limit is
    about the work active now, whatever the period."""
    settings = TeamAlignmentSettings.objects.for_org(org).filter(wip_limit__isnull=False)
    below = _below(team)
    if below is not None:
        settings = settings.filter(team_id__in=below)
    limits = {
        tid: (limit, name, slug)
        for tid, limit, name, slug in settings.values_list(
            "team_id", "wip_limit", "team__name", "team__slug"
        )
    }
    if not limits:
        return []
    active = dict(
        Initiative.objects.for_org(org)
        .filter(status=InitiativeStatus.ACTIVE, team_id__in=limits)
        .order_by()
        .values("team_id")
        .annotate(n=Count("id"))
        .values_list("team_id", "n")
    )
    return sorted(
        (
            {
                "team_id": tid,
                "team_name": name,
                "team_slug": slug,
                "wip_limit": limit,
                "active": active.get(tid, 0),
            }
            for tid, (limit, name, slug) in limits.items()
            if active.get(tid, 0) > limit
        ),
        key=lambda b: (b["team_name"].lower(), b["team_id"]),
    )


def department_figures(
    org: Organization, team: Team, period: Period | None, shown: int = 5
) -> dict[str, Any]:
    """What a department head reads on a team's page: the figures of `team` with the teams
    below it, whatever their number. `active`, `active_unaligned` (active, serving nothing),
    `unaligned` (open, serving nothing) and `orphaned` (the period's objectives nothing
    serves; None without a period) are figures (`accord.core.counting.kept_while_large`:
    exact while small, beyond counted whole once a minute), in two aggregate queries;
    `over_wip` are the first `shown` teams over their WIP limit by name (each with its
    limit and active count), `over_wip_count` how many (`first_rows`: read up to a bound)
    and `over_wip_shown` that count as a page shows it."""
    work = in_subtree(
        Initiative.objects.for_org(org).filter(status__in=OPEN_INITIATIVE_STATUSES), team
    )

    def count() -> dict[str, int | None]:
        active = Q(status=InitiativeStatus.ACTIVE)
        counted = work.order_by().aggregate(
            open=Count("pk"),
            active=Count("pk", filter=active),
            active_unaligned=Count("pk", filter=active & Q(aligned=False)),
            unaligned=Count("pk", filter=Q(aligned=False)),
        )
        counted["orphaned"] = (
            None
            if period is None
            else in_subtree(
                Objective.objects.for_org(org).filter(period=period, orphaned=True), team
            ).count()
        )
        return counted

    key = f"alignment-department:{org.pk}:{team.pk}:{period.pk if period else ''}"
    counted = kept_while_large(key, count)
    running = (
        Initiative.objects.filter(
            org_id=org.pk, team_id=OuterRef("team_id"), status=InitiativeStatus.ACTIVE
        )
        .order_by()
        .values("team_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    over = (
        in_subtree(TeamAlignmentSettings.objects.for_org(org).filter(wip_limit__isnull=False), team)
        .annotate(active=Subquery(running))
        .filter(active__gt=F("wip_limit"))
        .select_related("team")
        .order_by(Lower("team__name"), "team_id")
    )
    rows, over_count = first_rows(over, shown)
    return {
        **counted,
        "over_wip": rows,
        "over_wip_count": over_count,
        "over_wip_shown": shown_count(over_count),  # "1,000+" past what was read
        "over_wip_more": over_count > len(rows),
    }


def priority_churn(org: Organization, since: dt.datetime) -> dict[int, int]:
    """team id -> number of explicit re-rankings since `since` (one query)."""
    rows = (
        RankChange.objects.for_org(org)
        .filter(at__gte=since, old_rank__isnull=False, new_rank__isnull=False)
        .order_by()
        .values("team_id")
        .annotate(n=Count("id"))
    )
    return {row["team_id"]: row["n"] for row in rows}


# --- history -----------------------------------------------------------------------------


def value_history(kr_ids: list[int]) -> dict[int, list[tuple[dt.datetime, float]]]:
    """key result id -> [(recorded_at, value)] oldest first, in one query."""
    out: dict[int, list[tuple[dt.datetime, float]]] = defaultdict(list)
    for kid, at, value in (
        KeyResultValue.objects.filter(key_result_id__in=kr_ids)
        .order_by("recorded_at", "id")
        .values_list("key_result_id", "recorded_at", "value")
    ):
        out[kid].append((at, value))
    return out


def value_twin(
    kr: KeyResult,
    person: Person | None,
    value: float,
    note: str = "",
    at: dt.datetime | None = None,
) -> tuple[KeyResultValue, dt.datetime] | None:
    """`person`'s latest value of `kr`, with when they recorded it, when it is this same
    number and note for the same day (`at`, the day a value is entered "as of"; else today),
    recorded within `twice.WINDOW`: the same value again (Back, then submit again; a retried
    call), never a flat week's value filled in for another day. One rule for the page,
    which asks first, and `services.record_key_result_value`, which refuses it unless asked
    again."""
    if person is None:
        return None
    recent = (
        Event.objects.filter(org_id=kr.org_id)
        .for_target("alignment.keyresult", kr.pk)
        .filter(actor=person, verb="value_recorded", created_at__gte=twice.since())
        .order_by("-created_at", "-id")
        .first()
    )
    if recent is None:
        return None
    last = KeyResultValue.objects.filter(key_result=kr, recorded_by=person).order_by("-id").first()
    if last is None or float(last.value) != float(value):
        return None
    if last.note != (note or "").strip()[:500]:
        return None
    if org_day(last.recorded_at) != org_day(at or timezone.now()):
        return None
    return last, recent.created_at


# --- the same one again (`accord.core.twice`) ----------------------------------------------
# One rule for the forms, which ask first, and the services, which refuse (code "duplicate")
# unless asked to make it again: the same objective, key result or initiative made by the
# same person (its "created" event's actor) within `twice.WINDOW`. None when `person` is
# None (an import, the demo, Accord itself).


def _made_just_now_by(person: Person, target_type: str) -> Exists:
    """Whether the row's "created" event, within `twice.WINDOW`, is `person`'s."""
    return Exists(
        Event.objects.filter(
            org_id=OuterRef("org_id"),
            actor=person,
            verb="created",
            target_type=target_type,
            target_id=Cast(OuterRef("pk"), output_field=CharField()),
            created_at__gte=twice.since(),
        )
    )


def twin_objective(
    org: Organization,
    person: Person | None,
    title: str,
    period: Period | None,
    level: str,
    team: Team | None,
) -> Objective | None:
    """`person`'s open objective `title` of `period` at `level` for `team` (None for the
    organization's), set just now."""
    title = (title or "").strip()
    if person is None or period is None or not title:
        return None
    return (
        Objective.objects.for_org(org)
        .filter(
            title__iexact=title,
            period=period,
            level=level,
            team=team if level != ObjectiveLevel.ORG else None,
            status__in=OPEN_OBJECTIVE_STATUSES,
            created_at__gte=twice.since(),
        )
        .filter(_made_just_now_by(person, "alignment.objective"))
        .order_by("-pk")
        .first()
    )


def twin_key_result(
    org: Organization, person: Person | None, objective: Objective | None, name: str
) -> KeyResult | None:
    """`person`'s key result `name` of `objective`, added just now."""
    name = (name or "").strip()
    if person is None or objective is None or not name:
        return None
    return (
        KeyResult.objects.for_org(org)
        .filter(name__iexact=name, objective=objective, created_at__gte=twice.since())
        .filter(_made_just_now_by(person, "alignment.keyresult"))
        .order_by("-pk")
        .first()
    )


def twin_initiative(
    org: Organization, person: Person | None, title: str, team: Team | None
) -> Initiative | None:
    """`person`'s open initiative `title` of `team`, created just now."""
    title = (title or "").strip()
    if person is None or team is None or not title:
        return None
    return (
        Initiative.objects.for_org(org)
        .filter(
            title__iexact=title,
            team=team,
            status__in=OPEN_INITIATIVE_STATUSES,
            created_at__gte=twice.since(),
        )
        .filter(_made_just_now_by(person, "alignment.initiative"))
        .order_by("-pk")
        .first()
    )


def my_key_results(org: Organization, person: Person, period: Period | None):
    """Key results `person` owns (or whose objective they own) in an open period."""
    qs = (
        KeyResult.objects.for_org(org)
        .filter(Q(owner=person) | Q(owner__isnull=True, objective__owner=person))
        .exclude(objective__period__state=PeriodState.CLOSED)
        .exclude(objective__status=ObjectiveStatus.DROPPED)
        .select_related("objective")
        .order_by("objective__title", "position", "id")
    )
    if period is not None:
        qs = qs.filter(objective__period=period)
    return qs


# --- the tree as one document ------------------------------------------------------------


def alignment_tree(org: Organization, period: Period, *, r: Rollup | None = None) -> dict[str, Any]:
    """The alignment tree of `period` as plain, JSON-ready data.

    organization -> objectives -> contributing objectives (across teams, shown under each
    parent) -> key results -> initiatives. A bounded number of queries whatever the size.
    Pass `r` when the caller already has the period's roll-up.
    """
    r = r or rollup(org, period)
    teams = {
        t["id"]: t for t in Team.objects.for_org(org).values("id", "name", "slug", "parent_id")
    }
    people_ids = {o["owner_id"] for o in r.objectives.values()} | {
        k["owner_id"] for k in r.key_results.values()
    }
    krs_serving, objs_serving = _served(org)
    initiatives = {
        row["id"]: row
        for row in Initiative.objects.for_org(org)
        .exclude(status=InitiativeStatus.DROPPED)
        .values(*INITIATIVE_COLUMNS)
    }
    people_ids |= {i["owner_id"] for i in initiatives.values()}
    people = dict(
        Person.objects.for_org(org)
        .filter(id__in=[p for p in people_ids if p])
        .values_list("id", "name")
    )
    by_kr: dict[int, list[int]] = defaultdict(list)
    by_obj: dict[int, list[int]] = defaultdict(list)
    for iid, kids in krs_serving.items():
        if iid in initiatives:
            for kid in kids:
                by_kr[kid].append(iid)
    for iid, oids in objs_serving.items():
        if iid in initiatives:
            for oid in oids:
                by_obj[oid].append(iid)

    def person(pid):
        return {"id": pid, "name": people[pid]} if pid in people else None

    def team(tid):
        t = teams.get(tid)
        return {"id": t["id"], "name": t["name"], "slug": t["slug"]} if t else None

    def initiative(iid):
        i = initiatives[iid]
        slip = None
        if i["baseline_target_date"] and i["target_date"]:
            slip = (i["target_date"] - i["baseline_target_date"]).days
        return {
            "id": iid,
            "title": i["title"],
            "status": i["status"],
            "stage": i["stage"],
            "team": team(i["team_id"]),
            "owner": person(i["owner_id"]),
            "progress": i["progress"],
            "rank": i["rank"],
            "target_date": i["target_date"],
            "slip_days": slip,
            "replan_count": i["replan_count"],
        }

    def key_result(kid):
        k = r.key_results[kid]
        return {
            "id": kid,
            "name": k["name"],
            "unit": k["unit"],
            "direction": k["direction"],
            "start": k["start"],
            "target": k["target"],
            "current": k["current"],
            "range_low": k["range_low"],
            "range_high": k["range_high"],
            "is_milestone": k["is_milestone"],
            "done": k["done"],
            "weight": k["weight"],
            "owner": person(k["owner_id"]),
            "progress": round(r.kr_progress[kid], 1),
            "initiatives": [
                initiative(i) for i in sorted(by_kr.get(kid, []), key=_rank_key(initiatives))
            ],
        }

    def node(oid, weight, path):
        o = r.objectives[oid]
        prog = r.objective_progress.get(oid)
        kids = sorted(r.children.get(oid, []), key=lambda cw: r._order(cw[0]))
        return {
            "id": oid,
            "title": o["title"],
            "status": o["status"],
            "level": o["level"],
            "team": team(o["team_id"]),
            "owner": person(o["owner_id"]),
            "period_id": o["period_id"],
            "confidence": o["confidence"],
            "progress": None if prog is None else round(prog, 1),
            "weight": weight,
            "parent_count": len(r.parents.get(oid, [])),
            "key_results": [key_result(k) for k in r.krs_of.get(oid, [])],
            "initiatives": [
                initiative(i) for i in sorted(by_obj.get(oid, []), key=_rank_key(initiatives))
            ],
            "children": [node(c, w, path | {oid}) for c, w in kids if c not in path],
        }

    return {
        "period": {
            "id": period.pk,
            "name": period.name,
            "kind": period.kind,
            "start": period.start,
            "end": period.end,
            "state": period.state,
        },
        "progress": None if r.org_progress is None else round(r.org_progress, 1),
        "objective_count": len(r.objectives),
        "objectives": [node(oid, None, frozenset()) for oid in r.roots()],
    }


def _rank_key(initiatives):
    return lambda iid: (initiatives[iid]["rank"] or 10**9, initiatives[iid]["title"], iid)


def flatten_tree(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """The tree's objective nodes in depth-first order with a `depth`, for rendering."""
    out: list[dict[str, Any]] = []
    stack = [(n, 0) for n in reversed(doc["objectives"])]
    while stack:
        n, depth = stack.pop()
        out.append({**n, "depth": depth})
        stack.extend((c, depth + 1) for c in reversed(n["children"]))
    return out


# --- the tree, one level at a time (stored figures) --------------------------------------

TREE_ORDER = ("level", Lower("title"), "id")  # organization objectives first ("org" < "team")


def _below(team: Team | None) -> Any:
    """The ids of `team` and the teams below it (a subquery), or None for every team: no
    team given, or the only team at the top."""
    if team is None or covers_every_team(team):
        return None
    return subtree_ids(team)


def tree_roots(org: Organization, period: Period, team: Team | None = None):
    """Where the tree starts: the period's top objectives (those contributing to nothing,
    in the period or one enclosing or enclosed by it), or, for a team, the objectives of
    it and the teams below it that contribute to none of theirs (a department's tree: its
    own, and its teams' that align elsewhere). A queryset of ids in the tree's order, for
    the caller to paginate."""
    qs = Objective.objects.for_org(org).filter(period_id__in=related_period_ids(org, period))
    below = _below(team)
    if below is None:
        qs = qs.exclude(Exists(ObjectiveLink.objects.filter(child=OuterRef("pk"))))
    else:
        inside = ObjectiveLink.objects.filter(child=OuterRef("pk"), parent__team_id__in=below)
        qs = qs.filter(team_id__in=below).exclude(Exists(inside))
    return qs.order_by(*TREE_ORDER).values_list("id", flat=True)


def tree_orphaned(org: Organization, period: Period, team: Team | None = None):
    """The orphaned objectives `tree_summary` counts (of `period`, the organization's or
    those of `team` and the teams below it): a queryset of ids in the tree's order, for the
    caller to paginate."""
    qs = Objective.objects.for_org(org).filter(period=period, orphaned=True)
    below = _below(team)
    if below is not None:
        qs = qs.filter(team_id__in=below)
    return qs.order_by(*TREE_ORDER).values_list("id", flat=True)


# What an open objective is, said once for the tree (`tree_open`), the close and carry-over
# dialogs (`open_objective_counts`, `period_carry_figures`) and the carry-over itself
# (`unfinished_objectives`): draft or active, that is not scored yet. Of the open ones, a
# complete one has its stored roll-up progress at 100% or more (every key result met, but
# nobody scored it); the others are unfinished (no progress yet is unfinished), and only
# those are carried over.
COMPLETE_OBJECTIVE = Q(rollup_progress__gte=100)


def open_objectives(org: Organization, team: Team | None = None):
    """The open objectives (draft or active: not scored) of the organization, or of `team`
    and the teams below it, of every period: a queryset for the caller to narrow."""
    qs = Objective.objects.for_org(org).filter(status__in=OPEN_OBJECTIVE_STATUSES)
    below = _below(team)
    if below is not None:
        qs = qs.filter(team_id__in=below)
    return qs


def unfinished_objectives(org: Organization, period: Period):
    """The open objectives of `period` not complete (`COMPLETE_OBJECTIVE`): what a
    carry-over copies (`services.carriable_objectives`) or leaves behind."""
    return open_objectives(org).filter(period=period).exclude(COMPLETE_OBJECTIVE)


def tree_open(org: Organization, period: Period, team: Team | None = None):
    """The open objectives of `period` (draft or active, of `team` and the teams below it):
    a closed period's left to score, as `tree_orphaned` gives its own."""
    qs = open_objectives(org, team).filter(period=period)
    return qs.order_by(*TREE_ORDER).values_list("id", flat=True)


def _open_figures(carried_out: Any) -> dict[str, Any]:
    """The counts `open_objective_counts` takes of open objectives, as aggregates."""
    return {
        "open": Count("pk"),
        "complete": Count("pk", filter=COMPLETE_OBJECTIVE),
        "carried": Count("pk", filter=Q(Exists(carried_out))),
    }


def open_objective_counts(org: Organization, period: Period, team: Team | None = None):
    """How many objectives of `period` (of `team` and the teams below it) are still open
    (draft or active: not scored), and of those how many are unfinished (stored roll-up
    progress short of 100%: what a carry-over copies), complete but not scored, and
    carried over into a later period already. One query. The words the close and
    carry-over dialogs and a closed period's tree share ("28 open: 27 unfinished, 1
    complete but not scored")."""
    carried = Objective.objects.filter(carried_from=OuterRef("pk"))
    got = open_objectives(org, team).filter(period=period).aggregate(**_open_figures(carried))
    got["unfinished"] = got["open"] - got["complete"]  # (no progress yet is unfinished)
    return got


def period_carry_figures(org: Organization, period_ids: list[int]) -> dict[int, dict[str, int]]:
    """For each of `period_ids`, `open_objective_counts`' figures of the organization and
    how many of its unfinished objectives a carry-over copies (`carriable`) and leaves
    behind (`behind`: those of retired teams), as `services.carriable_objectives` and
    `services.left_behind` count them. One query, whatever the number of periods (the
    Periods page's Carry over buttons)."""
    from accord.org.models import TeamState

    retired = Q(team_id__in=Team.objects.for_org(org).filter(state=TeamState.RETIRED).values("pk"))
    carried = Objective.objects.filter(carried_from=OuterRef("pk"))
    rows = (
        open_objectives(org)
        .filter(period_id__in=period_ids)
        .values("period_id")
        .annotate(
            **_open_figures(carried),
            retired=Count("pk", filter=retired),
            retired_complete=Count("pk", filter=retired & COMPLETE_OBJECTIVE),
        )
        .order_by()
    )
    got = {
        pid: {"open": 0, "complete": 0, "carried": 0, "unfinished": 0, "carriable": 0, "behind": 0}
        for pid in period_ids
    }
    for row in rows:
        one = got[row["period_id"]]
        one.update({k: row[k] for k in ("open", "complete", "carried")})
        one["unfinished"] = row["open"] - row["complete"]
        one["behind"] = row["retired"] - row["retired_complete"]
        one["carriable"] = one["unfinished"] - one["behind"]
    return got


def carry_question(
    period: Period, counts: dict[str, int], singular: str = "objective", plural: str = "objectives"
) -> str:
    """What the Carry over button of `period` asks, from its `period_carry_figures`: how
    many objectives it would copy, how that agrees with the open ones when some are
    complete but not scored ("Carry 27 unfinished objectives of Q4 2026 into the chosen
    period? 28 open: 27 unfinished, 1 complete but not scored (not carried). …"), those of
    retired teams it leaves behind, and that the copies' key results start from their
    current values. No query."""
    n, behind = counts["carriable"], counts["behind"]
    if behind:
        noun = singular if behind == 1 else plural
        stays = f"{behind} {noun.lower()} of retired teams stay{'s' if behind == 1 else ''}"
    why = (
        f" {counts['open']} open: {counts['unfinished']} unfinished, {counts['complete']} "
        "complete but not scored (not carried)."
        if counts["complete"]
        else ""
    )
    if not n:
        text = f"{period.name} has no unfinished {plural.lower()} to carry over.{why}"
        return f"{text} {stays.capitalize()} behind." if behind else text
    noun = singular if n == 1 else plural
    text = (
        f"Carry {n} unfinished {noun.lower()} of {period.name} into the chosen period?{why} "
        "Their key results start from their current values (the copies measure progress "
        "from today's value, not the original start). Any already carried there is skipped"
    )
    return f"{text}; {stays} behind." if behind else f"{text}."


def what_closing_does(org: Organization, period: Period) -> dict[str, Any]:
    """What closing `period` now does, for its confirmation: whether it is early (today is
    before its end: `early`, with `end`), its open objectives (`open_objective_counts`),
    which stop being judged (no signal, no health score counts a closed period's work),
    whether it is the current period (`was_current`), and the period current after it
    closes (`becomes_current`: None when none is, or only a closed one would be)."""
    after = current_period(org, closing=period)
    if after is not None and (after.is_closed or after.pk == period.pk):
        after = None
    return {
        "early": org_today() < period.end,
        "end": period.end,
        "counts": open_objective_counts(org, period),
        "was_current": current_period(org) == period,
        "becomes_current": after,
    }


def tree_children(org: Organization, parent_id: int):
    """(child id, weight) of the objectives contributing to `parent_id`, in the tree's order
    (a queryset, for the caller to slice)."""
    return (
        ObjectiveLink.objects.for_org(org)
        .filter(parent_id=parent_id)
        .order_by(
            *(f"child__{f}" if isinstance(f, str) else Lower("child__title") for f in TREE_ORDER)
        )
        .values_list("child_id", "weight")
    )


def tree_summary(org: Organization, period: Period, team: Team | None = None) -> dict[str, Any]:
    """The figures above the tree, from the stored roll-up in a few aggregate queries:
    progress (the mean of the top organization objectives, else of every top objective; for
    a team, of the tree's roots as `tree_roots` gives them), how many objectives, how many
    are orphaned and how many open initiatives serve nothing — the organization's, or those
    of `team` and the teams below it (figures: `accord.core.counting.figures`)."""
    period_ids = related_period_ids(org, period)
    objectives = Objective.objects.for_org(org).filter(period_id__in=period_ids)
    below = _below(team)
    unaligned = unaligned_initiatives(org)
    if below is None:
        tops = objectives.exclude(status=ObjectiveStatus.DROPPED).exclude(
            Exists(ObjectiveLink.objects.filter(child=OuterRef("pk")))
        )
        progress = tops.filter(level=ObjectiveLevel.ORG).aggregate(p=Avg("rollup_progress"))["p"]
        if progress is None and not tops.filter(level=ObjectiveLevel.ORG).exists():
            progress = tops.aggregate(p=Avg("rollup_progress"))["p"]
    else:
        objectives = objectives.filter(team_id__in=below)
        unaligned = unaligned.filter(team_id__in=below)
        roots = objectives.filter(pk__in=tree_roots(org, period, team))
        progress = roots.exclude(status=ObjectiveStatus.DROPPED).aggregate(
            p=Avg("rollup_progress")
        )["p"]
    counted = figures(
        f"alignment-figures:{org.pk}:{period.pk}:{team.pk if below is not None else ''}",
        {
            "objective_count": objectives,
            "orphaned_count": objectives.filter(period=period, orphaned=True),
            "unaligned_count": unaligned,
        },
    )
    return {"progress": None if progress is None else round(progress, 1), **counted}


def team_progress(org: Organization, team: Team, period: Period) -> float | None:
    """A team's progress in `period`: the mean of its own counted objectives that do not
    already roll into another of its own (stored figures, one query)."""
    rows = (
        Objective.objects.for_org(org)
        .filter(team=team, period_id__in=related_period_ids(org, period))
        .exclude(status=ObjectiveStatus.DROPPED)
        .exclude(Exists(ObjectiveLink.objects.filter(child=OuterRef("pk"), parent__team=team)))
        .values_list("rollup_progress", flat=True)
    )
    return weighted_mean((p, 1.0) for p in rows)


def tree_nodes(
    org: Organization,
    ids: list[int],
    *,
    weights: dict[int, float] | None = None,
    under: int | None = None,
    scope: Team | None = None,
) -> list[dict[str, Any]]:
    """The tree's nodes for objectives `ids` (in that order), one level: each with its key
    results, the initiatives serving it or them, and how many objectives contribute to it
    (`child_count`; fetch them with `tree_children`). Under a parent (`under`), an objective
    whose first parent is another one is `repeated`: show it as a link, its subtree lives
    under that first parent. In the tree of a team (`scope`), its first parent is its first
    one of that team or a team below it, if it has one: the team's tree shows it in full.
    A fixed number of queries."""
    found = node_data(org, ids, scope=scope)
    return [placed(found[oid], under, (weights or {}).get(oid)) for oid in ids if oid in found]


def placed(node: dict[str, Any], under: int | None, weight: float | None) -> dict[str, Any]:
    """`node` as shown under the parent `under` with `weight`: `repeated` (and without its
    key results, initiatives and children) when its first parent is another objective."""
    repeated = under is not None and node["first_parent_id"] not in (None, under)
    out = {**node, "weight": weight, "repeated": repeated, "children": []}
    if repeated:
        out["key_results"], out["initiatives"] = [], []
    return out


def node_data(
    org: Organization, ids: list[int], *, scope: Team | None = None
) -> dict[int, dict[str, Any]]:
    """objective id -> its tree node (see `tree_nodes`), in a fixed number of queries."""
    if not ids:
        return {}
    first_link = ObjectiveLink.objects.filter(child=OuterRef("pk")).order_by("id")
    below = _below(scope)
    if below is not None:  # a parent within the team's tree first
        first_link = first_link.order_by(
            Case(When(parent__team_id__in=below, then=Value(0)), default=Value(1)), "id"
        )
    first_parent = Subquery(first_link.values("parent_id")[:1])
    first_parent_title = Subquery(first_link.values("parent__title")[:1])

    def count_of(field: str):
        return Coalesce(
            Subquery(
                ObjectiveLink.objects.filter(**{field: OuterRef("pk")})
                .order_by()
                .values(field)
                .annotate(n=Count("id"))
                .values("n")
            ),
            0,
        )

    rows = {
        o["id"]: o
        for o in Objective.objects.for_org(org)
        .filter(pk__in=ids)
        .annotate(
            first_parent=first_parent,
            first_parent_title=first_parent_title,
            child_count=count_of("parent"),
            parent_count=count_of("child"),
        )
        .values(
            *OBJECTIVE_COLUMNS,
            "team__name",
            "team__slug",
            "owner__name",
            "owner__is_active",
            "rollup_progress",
            "orphaned",
            "first_parent",
            "first_parent_title",
            "child_count",
            "parent_count",
        )
    }
    krs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for k in (
        KeyResult.objects.filter(objective_id__in=list(rows))
        .order_by("position", "id")
        .values(*KR_COLUMNS, "owner__name", "owner__is_active")
    ):
        krs[k["objective_id"]].append(k)
    kr_ids = [k["id"] for ks in krs.values() for k in ks]
    by_kr: dict[int, list[dict[str, Any]]] = defaultdict(list)
    by_obj: dict[int, list[dict[str, Any]]] = defaultdict(list)
    columns = [f"initiative__{c}" for c in INITIATIVE_COLUMNS] + [
        "initiative__team__name",
        "initiative__team__slug",
        "initiative__owner__name",
        "initiative__owner__is_active",
    ]
    live = ~Q(initiative__status=InitiativeStatus.DROPPED)
    for row in InitiativeKeyResult.objects.filter(live, key_result_id__in=kr_ids).values(
        "key_result_id", *columns
    ):
        by_kr[row["key_result_id"]].append(_initiative_node(row))
    for row in InitiativeObjective.objects.filter(live, objective_id__in=list(rows)).values(
        "objective_id", *columns
    ):
        by_obj[row["objective_id"]].append(_initiative_node(row))

    def ranked(items):
        return sorted(items, key=lambda i: (i["rank"] or 10**9, i["title"], i["id"]))

    out = {}
    for oid, o in rows.items():
        prog = o["rollup_progress"]
        out[oid] = {
            "id": oid,
            "title": o["title"],
            "status": o["status"],
            "level": o["level"],
            "team": _ref(o["team_id"], o["team__name"], o["team__slug"]),
            "owner": _ref(o["owner_id"], o["owner__name"], active=o["owner__is_active"]),
            "period_id": o["period_id"],
            "confidence": o["confidence"],
            "progress": None if prog is None else round(prog, 1),
            "orphaned": o["orphaned"],
            "parent_count": o["parent_count"],
            "child_count": o["child_count"],
            "first_parent_id": o["first_parent"],
            "first_parent_title": o["first_parent_title"],
            "key_results": [
                {
                    **{
                        c: k[c]
                        for c in KR_COLUMNS
                        if c not in ("objective_id", "owner_id", "position", "baseline_date")
                    },
                    "owner": _ref(k["owner_id"], k["owner__name"], active=k["owner__is_active"]),
                    "progress": round(kr_progress(k), 1),
                    "initiatives": ranked(by_kr.get(k["id"], [])),
                }
                for k in krs.get(oid, [])
            ],
            "initiatives": ranked(by_obj.get(oid, [])),
        }
    return out


def _ref(pk, name, slug=None, active=None):
    """A team or person of the tree: id, name, and a team's slug or whether a person is
    still active (the `who` filter marks one who left)."""
    if pk is None:
        return None
    out = {"id": pk, "name": name}
    if slug is not None:
        out["slug"] = slug
    if active is not None:
        out["is_active"] = active
    return out


def _initiative_node(row: dict[str, Any]) -> dict[str, Any]:
    i = {c: row[f"initiative__{c}"] for c in INITIATIVE_COLUMNS}
    slip = None
    if i["baseline_target_date"] and i["target_date"]:
        slip = (i["target_date"] - i["baseline_target_date"]).days
    return {
        "id": i["id"],
        "title": i["title"],
        "status": i["status"],
        "stage": i["stage"],
        "team": _ref(i["team_id"], row["initiative__team__name"], row["initiative__team__slug"]),
        "owner": _ref(
            i["owner_id"],
            row["initiative__owner__name"],
            active=row["initiative__owner__is_active"],
        ),
        "progress": i["progress"],
        "rank": i["rank"],
        "target_date": i["target_date"],
        "slip_days": slip,
        "replan_count": i["replan_count"],
    }


TREE_NODE_BUDGET = 500  # nodes in one tree document at most
TREE_CHILDREN_PER_NODE = 50


def tree_document(
    org: Organization,
    period: Period,
    *,
    team: Team | None = None,
    root: Objective | None = None,
    depth: int = 1,
    limit: int = 20,
    offset: int = 0,
) -> dict[str, Any]:
    """A bounded piece of the alignment tree as plain, JSON-ready data.

    It starts at the period's top objectives (or `team`'s objectives, or the objectives
    contributing to `root`), `limit` of them from `offset`, and goes `depth` levels down.
    Each node says how many objectives contribute to it (`child_count`); its `children` are
    filled while within `depth`, at most 50 per node and 500 nodes in all (ask again with
    `root` to go further). An objective met under a parent other than its first is
    `repeated`: its key results, initiatives and children are given under its first parent
    (with `team`, its first parent within the team's tree when it has one there).
    """
    if root is not None:
        links = list(tree_children(org, root.pk)[offset : offset + limit])
        count = ObjectiveLink.objects.for_org(org).filter(parent=root).count()
        level = [(cid, root.pk, w) for cid, w in links]
    else:
        roots = tree_roots(org, period, team)
        count = roots.count()
        level = [(oid, None, None) for oid in roots[offset : offset + limit]]
    top = build_tree(org, level, depth=depth, budget=TREE_NODE_BUDGET, scope=team)
    return {
        "period": {
            "id": period.pk,
            "name": period.name,
            "kind": period.kind,
            "start": period.start,
            "end": period.end,
            "state": period.state,
        },
        **tree_summary(org, period, team if root is None else None),
        "count": count,
        "limit": limit,
        "offset": offset,
        "depth": depth,
        "objectives": top,
    }


def build_tree(
    org: Organization,
    level: list[tuple[int, int | None, float | None]],
    *,
    depth: int,
    budget: int,
    scope: Team | None = None,
) -> list[dict[str, Any]]:
    """The placed nodes of `level` ((objective id, parent id or None, weight) in order) with
    their `children` filled breadth first, `depth` levels down counting `level` as the
    first, while the whole stays within `budget` nodes; a node shows all its children (at
    most 50) or none (they are fetched when opened). Five queries whatever the size and
    depth: the links below are walked in one recursive query, the nodes loaded at once.
    `scope`: the team whose tree it is (see `tree_nodes`)."""
    budget -= len(level)
    start = [oid for oid, _, _ in level]
    rows: list[tuple] = []
    if depth > 1 and budget > 0 and start:
        cap = budget * 4 + TREE_CHILDREN_PER_NODE  # rows read at most: a DAG meets nodes twice
        links = ObjectiveLink._meta.db_table
        objectives = Objective._meta.db_table
        marks = ", ".join(["%s"] * len(start))
        sql = (
            f"WITH RECURSIVE walk(lvl, parent_id, child_id, weight) AS ("
            f" SELECT 1, parent_id, child_id, weight FROM {links} WHERE parent_id IN ({marks})"
            f" UNION ALL SELECT walk.lvl + 1, l.parent_id, l.child_id, l.weight"
            f" FROM {links} l JOIN walk ON l.parent_id = walk.child_id WHERE walk.lvl < %s)"
            f" SELECT walk.lvl, walk.parent_id, walk.child_id, walk.weight, o.level, o.title"
            f" FROM (SELECT * FROM walk LIMIT %s) walk JOIN {objectives} o"
            f" ON o.id = walk.child_id"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*start, depth - 1, cap])
            rows = cursor.fetchall()
        if len(rows) >= cap:  # the last level read may be partial: leave it out
            deepest = max(r[0] for r in rows)
            rows = [r for r in rows if r[0] < deepest]
    kids: dict[tuple[int, int], dict[int, tuple[float, tuple]]] = defaultdict(dict)
    for lvl, parent_id, child_id, weight, obj_level, title in rows:
        kids[(lvl, parent_id)][child_id] = (weight, (obj_level, title.lower(), child_id))
    plan: list[tuple[int, list[tuple[int, float]]]] = []  # (parent, its children in order)
    frontier = list(start)
    chosen: set[int] = set()
    for lvl in range(1, depth):
        nxt: list[int] = []
        for oid in frontier:
            found = kids.get((lvl, oid))
            if not found or len(found) > TREE_CHILDREN_PER_NODE or len(found) > budget:
                continue
            ordered = [(c, w) for c, (w, _) in sorted(found.items(), key=lambda kv: kv[1][1])]
            plan.append((oid, ordered))
            budget -= len(ordered)
            chosen.update(c for c, _ in ordered)
            nxt.extend(c for c, _ in ordered)
        frontier = nxt
    data = node_data(org, list({*start, *chosen}), scope=scope)
    top = [placed(data[oid], p, w) for oid, p, w in level if oid in data]
    placed_at: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for n in top:
        placed_at[n["id"]].append(n)
    for parent_id, children in plan:
        for parent in list(placed_at.get(parent_id, [])):
            if parent["repeated"] or parent["children"]:
                continue
            for cid, w in children:
                if cid in data:
                    child = placed(data[cid], parent_id, w)
                    parent["children"].append(child)
                    placed_at[cid].append(child)
    return top


# --- the initiatives list (page and API) -------------------------------------------------

# By team and priority: teams by name, and within each its priority stack, ranked work
# first (#1 at the top), then what has no rank (finished, dropped or not yet ranked) by
# title. Nulls placed explicitly: SQLite sorts them first, PostgreSQL last.
BY_TEAM_AND_PRIORITY = (
    Lower("team__name").asc(),
    "team_id",
    F("rank").asc(nulls_last=True),
    "title_lower",
    "id",
)
# Sort keys the list offers: name -> ordering (a leading "-" on the name reverses it).
INITIATIVE_SORTS: dict[str, tuple] = {
    "title": ("title_lower", "id"),
    "target": ("target_date", "title_lower", "id"),
    "status": ("status", "title_lower", "id"),
    "progress": ("progress", "title_lower", "id"),
    "team": BY_TEAM_AND_PRIORITY,
}
DEFAULT_INITIATIVE_ORDER = BY_TEAM_AND_PRIORITY


def _reverse(term):
    """`term` of an ordering, the other way round ("id" stays: it only breaks ties)."""
    if isinstance(term, str):
        return term if term == "id" else f"-{term}"
    term = term.copy()
    term.reverse_ordering()
    return term


@dataclass
class InitiativeFilters:
    """What the initiatives list is cut by; None (or empty) leaves a filter off."""

    team_id: int | None = None
    subtree: bool = True  # with `team_id`: the team and every team below it
    period_id: int | None = None
    status: str = ""  # a status, or "open" for any open one (proposed, active, paused)
    stage: str = ""
    owner_id: int | None = None
    objective_id: int | None = None
    key_result_id: int | None = None
    aligned: bool | None = None
    blocked: bool | None = None
    late: bool | None = None
    sort: str = ""  # a key of INITIATIVE_SORTS, "-" in front to reverse; empty: by team


def _blocked_q(org: Organization, on: dt.date) -> Q:
    """`coordination.queries.blocked_reasons` as SQL: an open initiative one of whose
    dependencies is late or flagged blocked, or was declined with nothing else planned.
    Reads the stored first blocked day (`blocked.py`), no subquery."""
    return Q(status__in=OPEN_INITIATIVE_STATUSES, blocked_from__lte=on)


def initiative_list(org: Organization, f: InitiativeFilters, *, today: dt.date | None = None):
    """The organization's initiatives cut by `f`, sorted, with team and owner: one query
    (plus two for the team when a subtree is asked for). Page it; never list it all."""
    today = today or org_today()
    qs = Initiative.objects.for_org(org).select_related("team", "owner")
    if f.team_id is not None:
        if f.subtree:
            from accord.org.queries import in_subtree

            team = Team.objects.for_org(org).filter(pk=f.team_id).first()
            qs = in_subtree(qs, team) if team else qs.none()
        else:
            qs = qs.filter(team_id=f.team_id)
    if f.owner_id is not None:
        qs = qs.filter(owner_id=f.owner_id)
    if f.status == "open":  # proposed, active or paused
        qs = qs.filter(status__in=OPEN_INITIATIVE_STATUSES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.stage:
        qs = qs.filter(stage__iexact=f.stage.strip())
    if f.key_result_id is not None:
        qs = qs.filter(
            Exists(
                InitiativeKeyResult.objects.filter(
                    initiative_id=OuterRef("pk"), key_result_id=f.key_result_id
                )
            )
        )
    if f.objective_id is not None:
        qs = qs.filter(
            Exists(
                InitiativeObjective.objects.filter(
                    initiative_id=OuterRef("pk"), objective_id=f.objective_id
                )
            )
        )
    if f.period_id is not None:
        qs = qs.filter(
            Q(
                Exists(
                    InitiativeKeyResult.objects.filter(
                        initiative_id=OuterRef("pk"), key_result__objective__period_id=f.period_id
                    )
                )
            )
            | Q(
                Exists(
                    InitiativeObjective.objects.filter(
                        initiative_id=OuterRef("pk"), objective__period_id=f.period_id
                    )
                )
            )
        )
    if f.aligned is not None:
        qs = qs.filter(aligned=f.aligned)
    if f.late is not None:
        late = Q(status__in=OPEN_INITIATIVE_STATUSES, target_date__lt=today)
        qs = qs.filter(late) if f.late else qs.exclude(late)
    if f.blocked is not None:
        blocked = _blocked_q(org, today)
        qs = qs.filter(blocked) if f.blocked else qs.exclude(blocked)
    key = f.sort.lstrip("-")
    order = INITIATIVE_SORTS.get(key, DEFAULT_INITIATIVE_ORDER)
    if order is BY_TEAM_AND_PRIORITY:
        # Always true (a team's work is its organization's); said so that the database reads
        # the teams in name order off `team_by_lower_name` and each team's initiatives off
        # its index, rather than sorting every initiative of the organization.
        qs = qs.filter(team__org=org)
    if key in INITIATIVE_SORTS and f.sort.startswith("-"):
        order = tuple(_reverse(o) for o in order)
    return qs.annotate(title_lower=Lower("title")).order_by(*order)


# --- milestones --------------------------------------------------------------------------


def milestones_between(
    org: Organization,
    start: dt.date | None = None,
    end: dt.date | None = None,
    *,
    team_ids: Any = None,
) -> list[Milestone]:
    """Milestones dated from `start` to `end` (inclusive; either open), in date order, with
    their teams and anchor. With `team_ids`, only those for any of these teams and the
    organization's own (no teams). Two queries, whatever the organization's size."""
    qs = Milestone.objects.for_org(org).select_related("anchor", "period")
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    if team_ids is not None:
        qs = qs.filter(Q(teams__isnull=True) | Q(teams__in=list(team_ids))).distinct()
    return list(qs.prefetch_related("teams").order_by("date", "name", "id"))


# --- one person's work -------------------------------------------------------------------

# How far up the objective links a chain is followed to its top objective: deeper cascades
# are cut here, so one bad (or cyclic) chain cannot make a page walk without end.
CHAIN_DEPTH = 12


@dataclass
class OwnedInitiative:
    """An initiative someone owns, with the first link of what it serves: the key result
    (when it serves one) and its objective, and the objective at the top of that chain."""

    initiative: Initiative
    key_result: KeyResult | None = None
    objective: Objective | None = None
    top: Objective | None = None  # the objective itself when nothing is above it

    @property
    def top_is_further(self) -> bool:
        return self.top is not None and self.objective is not None and self.top != self.objective


def _tops(objective_ids: list[int]) -> dict[int, int]:
    """objective id -> the objective at the top of its chain of parents (itself when it has
    none), in one recursive query over the links of these objectives only. Where a chain
    forks, the highest parent of the smallest id wins, so the answer is stable."""
    if not objective_ids:
        return {}
    links = connection.ops.quote_name(ObjectiveLink._meta.db_table)
    objectives = connection.ops.quote_name(Objective._meta.db_table)
    marks = ", ".join(["%s"] * len(objective_ids))
    # The first rows come from the objectives' own table, so every column has the type of
    # their ids (PostgreSQL wants one type for a column in both halves of the union).
    sql = f"""
        WITH RECURSIVE up(start, id, depth) AS (
            SELECT o.id, o.id, 0 FROM {objectives} o WHERE o.id IN ({marks})
            UNION
            SELECT up.start, l.parent_id, up.depth + 1
            FROM up JOIN {links} l ON l.child_id = up.id
            WHERE up.depth < %s
        )
        SELECT start, id, depth FROM up
    """
    best: dict[int, tuple[int, int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*objective_ids, CHAIN_DEPTH])
        for start, oid, depth in cursor.fetchall():
            seen = best.get(start)
            if seen is None or (-depth, oid) < (-seen[0], seen[1]):
                best[start] = (depth, oid)
    return {start: oid for start, (_, oid) in best.items()}


def owned_initiatives(
    org: Organization, person: Person, limit: int = 5
) -> tuple[list[OwnedInitiative], int]:
    """The open initiatives `person` owns, the soonest target first (those without one
    last), at most `limit`, each with the first link of the chain it serves and the top
    objective of that chain; and how many there are (`count_up_to`). Six queries at most,
    read from the owner's index and the links of these few initiatives, never the
    organization's."""
    from accord.core.counting import first_rows

    qs = (
        Initiative.objects.for_org(org)
        .filter(owner=person, status__in=OPEN_INITIATIVE_STATUSES)
        .select_related("team")
        .order_by(F("target_date").asc(nulls_last=True), Lower("title"), "id")
    )
    rows, total = first_rows(qs, limit)
    if not rows:
        return [], 0
    ids = [i.pk for i in rows]
    found = {i.pk: OwnedInitiative(i) for i in rows}
    for link in (
        InitiativeKeyResult.objects.filter(initiative_id__in=ids)
        .select_related("key_result__objective")
        .order_by("key_result__objective__title", "key_result__position", "key_result_id")
    ):
        item = found[link.initiative_id]
        if item.key_result is None:
            item.key_result = link.key_result
            item.objective = link.key_result.objective
    for link in (
        InitiativeObjective.objects.filter(initiative_id__in=ids)
        .select_related("objective")
        .order_by("objective__title", "objective_id")
    ):
        item = found[link.initiative_id]
        if item.objective is None:
            item.objective = link.objective
    starts = sorted({o.objective.pk for o in found.values() if o.objective is not None})
    tops = _tops(starts)
    above = set(tops.values()) - set(starts)
    named = {o.objective.pk: o.objective for o in found.values() if o.objective is not None}
    if above:
        named.update(Objective.objects.for_org(org).in_bulk(sorted(above)))
    for item in found.values():
        if item.objective is not None:
            item.top = named.get(tops.get(item.objective.pk, item.objective.pk), item.objective)
    return [found[pk] for pk in ids], total


# --- what a deletion takes with it ---------------------------------------------------------


def _count(n: int, word: str, plural: str) -> str:
    return f"{n} {word if n == 1 else plural}"


def _joined(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"


@dataclass
class Deletion:
    """What deleting an objective, key result or initiative takes with it, counted for its
    confirmation and for the notice to its owner and its team's leads (`deletion`).

    `history`: it holds more than it was set up with (values recorded after the first,
    confidence updates, work serving it, contributing objectives, re-plans), which is
    what a deletion by someone else must tell the owner and the leads about."""

    gone: list[str] = field(default_factory=list)  # "2 key results with 14 values"
    unaligned: int = 0  # initiatives that would serve nothing afterwards
    unserved: int = 0  # initiatives that still serve other work, but no longer this
    history: bool = False
    initiative_word: tuple[str, str] = ("initiative", "initiatives")

    @property
    def sentence(self) -> str:
        """What a confirmation says, e.g. "Deleting it also deletes 2 key results with 14
        values and 5 confidence updates; 3 initiatives will be left unaligned." Empty when
        it takes nothing with it."""
        return self.describe()

    def describe(self, *, done: bool = False) -> str:
        """The sentence before the deletion, or (`done`) after it, e.g. "It took with it
        …; 3 initiatives are left unaligned." """
        out = []
        if self.gone:
            lead = "It took with it" if done else "Deleting it also deletes"
            out.append(f"{lead} {_joined(self.gone)}")
        after = []
        one, many = self.initiative_word
        if self.unaligned:
            verb = ("is" if self.unaligned == 1 else "are") if done else "will be"
            after.append(f"{_count(self.unaligned, one, many)} {verb} left unaligned")
        if self.unserved:
            serve = "no longer serve" + ("s" if self.unserved == 1 else "")
            verb = serve if done else "will no longer serve"
            after.append(f"{_count(self.unserved, one, many)} {verb} it (still serving other work)")
        if after:
            out.append(_joined(after))
        text = "; ".join(out)
        return f"{text[:1].upper()}{text[1:]}." if text else ""


def _left_serving(initiative_ids: set[int], *, objective: Objective | None, kr=None) -> set[int]:
    """Of `initiative_ids`, those that would still serve something once `objective` (with
    its key results) or the key result `kr` is gone."""
    if not initiative_ids:
        return set()
    by_objective = InitiativeObjective.objects.filter(initiative_id__in=initiative_ids)
    by_kr = InitiativeKeyResult.objects.filter(initiative_id__in=initiative_ids)
    if objective is not None:
        by_objective = by_objective.exclude(objective=objective)
        by_kr = by_kr.exclude(key_result__objective=objective)
    else:
        by_kr = by_kr.exclude(key_result=kr)
    return set(by_objective.values_list("initiative_id", flat=True)) | set(
        by_kr.values_list("initiative_id", flat=True)
    )


def deletion(thing: Objective | KeyResult | Initiative) -> Deletion:
    """What deleting `thing` takes with it (a few counting queries)."""
    words = labels(Organization(pk=thing.org_id))
    initiative_word = (words["initiative"].lower(), words["initiative_plural"].lower())
    out = Deletion(initiative_word=initiative_word)
    if isinstance(thing, Initiative):
        replans = Replan.objects.filter(initiative=thing).count()
        krs = InitiativeKeyResult.objects.filter(initiative=thing).count()
        objectives = InitiativeObjective.objects.filter(initiative=thing).count()
        links = InitiativeLink.objects.filter(
            Q(from_initiative=thing) | Q(to_initiative=thing)
        ).count()
        if replans:
            out.gone.append(_count(replans, "re-plan", "re-plans"))
        serves = []
        if krs:
            serves.append(
                _count(krs, words["key_result"].lower(), words["key_result_plural"].lower())
            )
        if objectives:
            serves.append(
                _count(objectives, words["objective"].lower(), words["objective_plural"].lower())
            )
        if serves:
            out.gone.append(f"its links to {_joined(serves)} it serves")
        if links:
            one, many = initiative_word
            out.gone.append(_count(links, f"link with another {one}", f"links with other {many}"))
        out.history = bool(replans or krs or objectives or links or thing.progress)
        return out
    if isinstance(thing, KeyResult):
        values = KeyResultValue.objects.filter(key_result=thing).count()
        serving = set(
            InitiativeKeyResult.objects.filter(key_result=thing).values_list(
                "initiative_id", flat=True
            )
        )
        still = _left_serving(serving, objective=None, kr=thing)
        out.gone.append(f"its {_count(values, 'recorded value', 'recorded values')}")
        out.unaligned, out.unserved = len(serving - still), len(serving & still)
        out.history = values > 1 or bool(serving)
        return out
    objective = thing
    krs = KeyResult.objects.filter(objective=objective).count()
    values = KeyResultValue.objects.filter(key_result__objective=objective).count()
    confidence = ConfidenceUpdate.objects.filter(objective=objective).count()
    parents = ObjectiveLink.objects.filter(child=objective).count()
    children = ObjectiveLink.objects.filter(parent=objective).count()
    serving = set(
        InitiativeObjective.objects.filter(objective=objective).values_list(
            "initiative_id", flat=True
        )
    ) | set(
        InitiativeKeyResult.objects.filter(key_result__objective=objective).values_list(
            "initiative_id", flat=True
        )
    )
    still = _left_serving(serving, objective=objective)
    kr_one, kr_many = words["key_result"].lower(), words["key_result_plural"].lower()
    obj_one, obj_many = words["objective"].lower(), words["objective_plural"].lower()
    if krs:
        out.gone.append(f"{_count(krs, kr_one, kr_many)} with {_count(values, 'value', 'values')}")
    if confidence:
        out.gone.append(_count(confidence, "confidence update", "confidence updates"))
    if parents:
        out.gone.append(f"its links to the {_count(parents, obj_one, obj_many)} it contributes to")
    if children:
        contributing = _count(children, f"contributing {obj_one}", f"contributing {obj_many}")
        out.gone.append(f"the links of its {contributing} (they stay, without it)")
    out.unaligned, out.unserved = len(serving - still), len(serving & still)
    out.history = values > krs or bool(confidence or children or serving)
    return out


TIES_NAMED = 3  # dependencies and decisions named on an initiative's delete confirmation


@dataclass
class Ties:
    """What rests on an initiative from elsewhere in Accord, for its delete confirmation
    (`ties`). The dependencies it needs or delivers hold it: they are kept with their
    history, so it cannot be deleted while any does. A dependency's open proposal naming it
    as the work forgets it; the decisions that concern it keep its name."""

    dependencies: int = 0
    dependency_titles: list[str] = field(default_factory=list)  # the first few
    proposals: int = 0
    decisions: int = 0
    decision_titles: list[str] = field(default_factory=list)  # the first few

    @property
    def hold(self) -> bool:
        """Whether dependencies hold it: deleting it would be refused."""
        return self.dependencies > 0

    @property
    def sentences(self) -> list[str]:
        """What the confirmation says of them, e.g. "1 dependency rests on it (“SSO
        connector”), as the work that needs or delivers it: …"."""
        out = []
        if self.dependencies:
            one = self.dependencies == 1
            named = _named(self.dependency_titles, self.dependencies)
            they, rest, do = ("it", "rests", "does") if one else ("they", "rest", "do")
            out.append(
                f"{_count(self.dependencies, 'dependency', 'dependencies')} {rest} on it "
                f"({named}), as the work that needs or delivers {'it' if one else 'them'}: a "
                f"dependency is kept with its history, so this cannot be deleted while "
                f"{they} {do}. Mark it dropped instead."
            )
            return out  # nothing else happens: it stays
        if self.proposals:
            one = self.proposals == 1
            proposals = "An open proposal names" if one else f"{self.proposals} open proposals name"
            out.append(
                f"{proposals} it as the work that would deliver a dependency: "
                f"{'it stays' if one else 'they stay'}, naming no work."
            )
        if self.decisions:
            one = self.decisions == 1
            named = _named(self.decision_titles, self.decisions)
            out.append(
                f"{_count(self.decisions, 'decision', 'decisions')} "
                f"{'concerns' if one else 'concern'} it ({named}): "
                f"{'it keeps' if one else 'they keep'} its name, but "
                f"{'its' if one else 'their'} link to it will no longer open."
            )
        return out


def _named(titles: list[str], total: int) -> str:
    quoted = [f"“{t}”" for t in titles]
    if total > len(quoted):
        quoted.append(f"{total - len(quoted)} more")
    return _joined(quoted)


def ties(initiative: Initiative) -> Ties:
    """The dependencies and decisions resting on `initiative` (five small queries). Their
    apps are reached by name: alignment's own modules never import them."""
    from django.apps import apps

    dependency = apps.get_model("coordination", "Dependency")
    decision_link = apps.get_model("decisions", "DecisionLink")
    org_id = initiative.org_id
    deps = dependency.objects.filter(
        Q(requester_initiative_id=initiative.pk, org_id=org_id)
        | Q(provider_initiative_id=initiative.pk, org_id=org_id)
    )
    decisions = decision_link.objects.filter(
        org_id=org_id, target_type=Initiative._meta.label_lower, target_id=initiative.pk
    )
    return Ties(
        dependencies=deps.count(),
        dependency_titles=list(deps.order_by("id").values_list("title", flat=True)[:TIES_NAMED]),
        proposals=dependency.objects.filter(
            org_id=org_id, proposed_initiative_id=initiative.pk
        ).count(),
        decisions=decisions.count(),
        decision_titles=list(
            decisions.order_by("decision_id").values_list("decision__question", flat=True)[
                :TIES_NAMED
            ]
        ),
    )
