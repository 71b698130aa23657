"""API for periods, objectives, key results, initiatives, priority stacks and the tree."""

# No `from __future__ import annotations` here: ninja resolves the annotations of
# @paginate-wrapped endpoints in ninja's own module, where our names do not exist.
import datetime as dt
from typing import Any, Literal

from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accord.alignment import confidence as bands
from accord.alignment import milestones, queries, services
from accord.alignment.models import (
    Direction,
    Initiative,
    InitiativeLink,
    InitiativeLinkKind,
    InitiativeStatus,
    KeyResult,
    KeyResultValue,
    Milestone,
    MilestoneKind,
    Objective,
    ObjectiveLevel,
    ObjectiveLink,
    ObjectiveStatus,
    Period,
    PeriodKind,
    PeriodState,
    Replan,
)
from accord.alignment.progress import kr_outside_limit, kr_progress
from accord.api.common import (
    REPORTING,
    Id,
    InputSchema,
    PatchSchema,
    actor_of,
    body_fields,
    get_or_404,
    if_match,
    org_of,
    ref,
)
from accord.api.models import TokenScope
from accord.api.scopes import require_scope
from accord.core import twice
from accord.core.errors import PermissionDenied, ServiceError
from accord.org.models import Person, Team
from accord.org.permissions import on_behalf_of

router = Router(tags=["Alignment"])

FIELD_NAMES = dict(
    owner="owner_id",
    team="team_id",
    period="period_id",
    parent="parent_id",
    objective="objective_id",
    key_result="key_result_id",
    to_period="to_period_id",
)


# --- schemas -----------------------------------------------------------------------------


class PeriodOut(Schema):
    id: int
    name: str
    kind: PeriodKind
    start: dt.date
    end: dt.date
    state: PeriodState
    is_current: bool
    closed_at: dt.datetime | None
    version: int


class PeriodIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    kind: PeriodKind = PeriodKind.QUARTER
    start: dt.date
    end: dt.date
    state: PeriodState = PeriodState.PLANNING
    is_current: bool = False


class PeriodPatch(PatchSchema):
    model = Period

    name: str | None = Field(None, min_length=1, max_length=100)
    kind: PeriodKind | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    state: PeriodState | None = None


class CarryOverIn(InputSchema):
    to_period_id: Id
    objective_ids: list[Id] | None = Field(
        None, description="Only these objectives; default: every unfinished one."
    )


class ParentOut(Schema):
    parent_id: Id
    weight: float


class ObjectiveOut(Schema):
    id: int
    title: str
    description: str
    owner_id: Id | None
    level: ObjectiveLevel
    team_id: Id | None
    period_id: Id
    status: ObjectiveStatus
    confidence: int | None
    confidence_band: str | None = Field(
        None,
        description="Derived from confidence: on_track (7-10), at_risk (4-6), off_track (1-3).",
    )
    confidence_updated_at: dt.datetime | None
    carried_from_id: Id | None
    parents: list[ParentOut]
    progress: float | None = Field(None, description="Derived: 0-100, rolled up.")
    version: int
    created_at: dt.datetime

    @staticmethod
    def resolve_confidence_band(obj):
        band = bands.band(obj.confidence)
        return band.key if band else None


class ObjectiveIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    owner_id: Id | None = None
    level: ObjectiveLevel = ObjectiveLevel.TEAM
    team_id: Id | None = None
    period_id: Id
    status: ObjectiveStatus = ObjectiveStatus.ACTIVE
    parents: list["ParentIn"] = []
    again: bool = Field(
        False,
        description=twice.again_doc(
            "objective",
            "the same title for the same period, level and team you set within the last "
            f"{twice.WINDOW.seconds // 60} minutes, still open,",
        ),
    )


class ObjectivePatch(PatchSchema):
    model = Objective

    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = None
    owner_id: Id | None = None
    level: ObjectiveLevel | None = None
    team_id: Id | None = None
    period_id: Id | None = None
    status: ObjectiveStatus | None = None


class ParentIn(InputSchema):
    parent_id: Id
    weight: float = Field(1.0, gt=0, allow_inf_nan=False)


ObjectiveIn.model_rebuild()


class ConfidenceIn(InputSchema):
    confidence: int = Field(..., ge=1, le=10, description=f"1-10: {bands.legend()}.")
    note: str = Field("", max_length=500)


class ConfidenceOut(Schema):
    objective_id: Id
    confidence: int
    by_id: Id | None
    at: dt.datetime
    note: str


class KeyResultOut(Schema):
    id: int
    objective_id: Id
    name: str
    unit: str
    direction: Direction
    start: float
    target: float
    current: float
    range_low: float | None
    range_high: float | None
    baseline_date: dt.date | None
    is_milestone: bool
    done: bool
    weight: float
    owner_id: Id | None
    position: int
    progress: float = Field(..., description="Derived: 0-100, never set by hand.")
    outside_limit: str = Field(
        ...,
        description="Derived: for a level to hold (direction above, below or range) whose "
        'current value is on the wrong side of its limit, "outside its limit" (above, below) '
        'or "outside its range" (range), as the pages say it instead of its progress (0: it '
        "counts nothing toward its objective). Empty while it holds its level, and for an "
        "increase, a decrease or a milestone.",
    )
    version: int

    @staticmethod
    def resolve_progress(obj):
        return round(kr_progress(obj), 1)

    @staticmethod
    def resolve_outside_limit(obj):
        return kr_outside_limit(obj)


class KeyResultIn(InputSchema):
    objective_id: Id
    name: str = Field(..., min_length=1, max_length=300)
    unit: str = Field("", max_length=30)
    direction: Direction = Direction.INCREASE
    start: float = Field(0, allow_inf_nan=False)
    target: float = Field(0, allow_inf_nan=False)
    current: float | None = Field(None, allow_inf_nan=False)
    range_low: float | None = Field(None, allow_inf_nan=False)
    range_high: float | None = Field(None, allow_inf_nan=False)
    baseline_date: dt.date | None = None
    is_milestone: bool = False
    weight: float = Field(1.0, gt=0, allow_inf_nan=False)
    owner_id: Id | None = None
    again: bool = Field(
        False,
        description=twice.again_doc(
            "key result",
            "the same name added to the same objective by you within the last "
            f"{twice.WINDOW.seconds // 60} minutes",
        ),
    )


class KeyResultPatch(PatchSchema):
    model = KeyResult

    name: str | None = Field(None, min_length=1, max_length=300)
    unit: str | None = Field(None, max_length=30)
    direction: Direction | None = None
    start: float | None = Field(None, allow_inf_nan=False)
    target: float | None = Field(None, allow_inf_nan=False)
    range_low: float | None = Field(None, allow_inf_nan=False)
    range_high: float | None = Field(None, allow_inf_nan=False)
    baseline_date: dt.date | None = None
    is_milestone: bool | None = None
    weight: float | None = Field(None, gt=0, allow_inf_nan=False)
    owner_id: Id | None = None
    position: int | None = Field(None, ge=0)


class ValueIn(InputSchema):
    value: float = Field(..., allow_inf_nan=False, description="For a milestone: 1 done, 0 not.")
    note: str = Field("", max_length=500)
    confirm: bool = Field(
        False,
        description="Record a value that looks like a slip anyway: a percentage outside "
        "0 to 100, one below zero where every value so far is zero or more (or the "
        "reverse), one that would take progress back by more than half the way from start "
        "to target in one step from the latest value, or one far outside the key result's "
        "start, target and recent values is refused (422, code unusual_value, saying why) "
        "without it.",
    )
    as_of: dt.date | None = Field(
        None,
        description="The day the value was measured (default: now; a day after today is "
        "refused, 422 code future_date, and a day before the key result's period starts, or "
        "before its baseline date when that is earlier, 422 code before_start). The current "
        "value is always the latest by date: "
        "a value dated before the newest recorded one is added to the history at its date "
        "and leaves current, progress and roll-ups as they are.",
    )
    again: bool = Field(
        False,
        description=twice.again_doc(
            "value",
            "the same value and note you recorded for this key result within the last "
            f"{twice.WINDOW.seconds // 60} minutes",
        ),
    )


class KeyResultValueOut(Schema):
    id: int
    key_result_id: Id
    value: float
    recorded_by_id: Id | None
    recorded_at: dt.datetime
    note: str
    source: str = Field(description='"source" when pulled from the key result\'s source.')


class InitiativeOut(Schema):
    id: int
    title: str
    description: str
    team_id: Id
    owner_id: Id | None
    status: InitiativeStatus
    start_date: dt.date | None
    target_date: dt.date | None
    baseline_target_date: dt.date | None
    slip_days: int | None
    replan_count: int
    effort_weeks: float | None
    progress: int
    stage: str
    rank: int | None
    next_rank: int | None = Field(
        description="Its place in the team's Next up list (proposed work, 1 = first); null "
        "unless proposed."
    )
    key_result_ids: list[Id]
    objective_ids: list[Id]
    replaces_ids: list[Id]
    replaced_by_ids: list[Id]
    aligned: bool
    version: int
    created_at: dt.datetime


class InitiativeIn(InputSchema):
    team_id: Id
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    owner_id: Id | None = None
    status: InitiativeStatus = InitiativeStatus.PROPOSED
    start_date: dt.date | None = None
    target_date: dt.date | None = None
    effort_weeks: float | None = Field(None, ge=0, allow_inf_nan=False)
    progress: int = Field(0, ge=0, le=100)
    stage: str = Field("", max_length=40, description="Free text, e.g. alpha, beta, stable.")
    key_result_ids: list[Id] = []
    objective_ids: list[Id] = []
    again: bool = Field(
        False,
        description=twice.again_doc(
            "initiative",
            "the same title for the same team you created within the last "
            f"{twice.WINDOW.seconds // 60} minutes, still open,",
        ),
    )


class InitiativePatch(PatchSchema):
    model = Initiative

    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = None
    team_id: Id | None = None
    owner_id: Id | None = None
    start_date: dt.date | None = None
    target_date: dt.date | None = None
    effort_weeks: float | None = Field(None, ge=0, allow_inf_nan=False)
    progress: int | None = Field(None, ge=0, le=100)
    stage: str | None = Field(None, max_length=40)
    reason: str = Field(
        "", max_length=2000, description="Required when the target date changes (a re-plan)."
    )


class InitiativeLinkOut(Schema):
    id: int
    from_initiative_id: Id
    to_initiative_id: Id
    kind: InitiativeLinkKind
    created_at: dt.datetime


class InitiativeLinkIn(InputSchema):
    from_initiative_id: Id
    to_initiative_id: Id
    kind: InitiativeLinkKind = InitiativeLinkKind.REPLACES


class StatusIn(InputSchema):
    status: InitiativeStatus
    reason: str = Field("", max_length=2000)
    override_reason: str = Field(
        "", max_length=2000, description="Proceed despite a check that would refuse."
    )


class ServesLinkIn(InputSchema):
    key_result_id: Id | None = None
    objective_id: Id | None = None


class ReplanOut(Schema):
    id: int
    old_target_date: dt.date | None
    new_target_date: dt.date | None
    reason: str
    by_id: Id | None
    at: dt.datetime


class StackItem(Schema):
    id: int
    title: str
    rank: int
    owner_id: Id | None
    progress: int
    target_date: dt.date | None
    aligned: bool
    blocked: bool = Field(
        description="A dependency it needs is flagged blocked, is late, or was declined with "
        "nothing else planned (as the stack page marks it)."
    )
    blocked_reasons: int = Field(description="How many dependencies block it (0: none).")


class StackOut(Schema):
    team_id: Id
    wip_limit: int | None
    active: int
    over_wip: bool
    items: list[StackItem]


class MoveIn(InputSchema):
    initiative_id: Id
    position: int = Field(..., ge=1, description="1 = top of the stack.")


class NextUpItem(Schema):
    id: int
    title: str
    next_rank: int = Field(description="1 = the first to be taken up.")
    owner_id: Id | None
    effort_weeks: float | None
    start_date: dt.date | None
    target_date: dt.date | None
    aligned: bool


class NextUpOut(Schema):
    team_id: Id
    proposed: int
    items: list[NextUpItem]


class NextUpMoveIn(InputSchema):
    initiative_id: Id
    position: int = Field(..., ge=1, description="1 = the first to be taken up.")


class WipIn(InputSchema):
    wip_limit: int | None = Field(..., ge=1, le=1000, description="null removes the limit.")


class LabelsOut(Schema):
    objective_label: str
    key_result_label: str
    initiative_label: str


class LabelsPatch(PatchSchema):
    objective_label: str | None = Field(None, min_length=1, max_length=40)
    key_result_label: str | None = Field(None, min_length=1, max_length=40)
    initiative_label: str | None = Field(None, min_length=1, max_length=40)


def _patch(payload: Schema) -> dict:
    return payload.model_dump(exclude_unset=True)


def _refs(org, data: dict) -> dict:
    """Replace `<name>_id` keys of a request body with objects of the caller's organization."""
    lookups = {
        "owner_id": (Person.objects.for_org(org), "person"),
        "team_id": (Team.objects.for_org(org), "team"),
        "period_id": (Period.objects.for_org(org), "period"),
    }
    for key, (qs, what) in lookups.items():
        if key in data:
            data[key.removesuffix("_id")] = ref(qs, data.pop(key), key, what)
    return data


# --- periods -----------------------------------------------------------------------------


@router.get(
    "/periods",
    response=list[PeriodOut],
    summary="List periods",
    description="`current=true`: the current period alone, as every page takes it (the one "
    "marked current, `is_current`, else the open one containing today); `current=false`: "
    "the others.",
)
@paginate
def list_periods(request, state: PeriodState | None = None, current: bool | None = None):
    org = org_of(request)
    qs = Period.objects.for_org(org).order_by("-start", "id")
    if state:
        qs = qs.filter(state=state)
    if current is not None:
        now = queries.current_period(org)
        pk = now.pk if now is not None else None
        qs = qs.filter(pk=pk) if current else qs.exclude(pk=pk)
    return qs


@router.post("/periods", response={201: PeriodOut}, summary="Create a period")
def create_period(request, payload: PeriodIn):
    period = services.create_period(org_of(request), actor_of(request), **payload.model_dump())
    return Status(201, period)


@router.get("/periods/{period_id}", response=PeriodOut, summary="Get a period")
def get_period(request, period_id: Id):
    return get_or_404(Period.objects.for_org(org_of(request)), period_id, "period")


@router.patch("/periods/{period_id}", response=PeriodOut, summary="Change a period")
def update_period(request, period_id: Id, payload: PeriodPatch):
    org = org_of(request)
    period = get_or_404(Period.objects.for_org(org), period_id, "period")
    return services.update_period(
        org, actor_of(request), period, expected_version=if_match(request), **_patch(payload)
    )


@router.delete("/periods/{period_id}", response={204: None}, summary="Delete an empty period")
def delete_period(request, period_id: Id):
    org = org_of(request)
    period = get_or_404(Period.objects.for_org(org), period_id, "period")
    services.delete_period(org, actor_of(request), period)
    return Status(204, None)


@router.post("/periods/{period_id}/current", response=PeriodOut, summary="Make it current")
def make_current(request, period_id: Id):
    org = org_of(request)
    period = get_or_404(Period.objects.for_org(org), period_id, "period")
    return services.set_current_period(org, actor_of(request), period)


@router.post(
    "/periods/{period_id}/close",
    response=PeriodOut,
    summary="Close a period (freezes its key-result values)",
    description="Freezes its key-result values and stops judging its objectives: a closed "
    "period's objectives raise no signal and count in no health score, so closing one before "
    "its end takes its open objectives' warnings out of Insights. The period current "
    "afterwards is the one marked current, else the open one containing today (`GET "
    "/current-period`); make another current with `POST /periods/{id}/current`.",
)
def close_period(request, period_id: Id):
    org = org_of(request)
    period = get_or_404(Period.objects.for_org(org), period_id, "period")
    return services.close_period(org, actor_of(request), period)


@router.post(
    "/periods/{period_id}/carry-over",
    response={201: list[ObjectiveOut]},
    summary="Copy unfinished objectives into a later period",
)
def carry_over(request, period_id: Id, payload: CarryOverIn):
    org = org_of(request)
    period = get_or_404(Period.objects.for_org(org), period_id, "period")
    to_period = ref(Period.objects.for_org(org), payload.to_period_id, "to_period_id", "period")
    objectives = None
    if payload.objective_ids is not None:
        found = list(Objective.objects.for_org(org).filter(pk__in=payload.objective_ids))
        missing = set(payload.objective_ids) - {o.pk for o in found}
        if missing:
            ref(Objective.objects.none(), min(missing), "objective_ids", "objective")
        objectives = found
    with body_fields(**FIELD_NAMES):
        copies = services.carry_over(
            org, actor_of(request), from_period=period, to_period=to_period, objectives=objectives
        )
    return Status(201, _decorate_objectives(org, copies))


# --- objectives --------------------------------------------------------------------------


def _decorate_objectives(org, objectives: list[Objective]) -> list[Objective]:
    """Attach `parents` and the rolled-up `progress` (stored) to a page of objectives."""
    parents: dict[int, list[dict]] = {}
    for child, parent, weight in (
        ObjectiveLink.objects.for_org(org)
        .filter(child_id__in=[o.pk for o in objectives])
        .order_by("id")
        .values_list("child_id", "parent_id", "weight")
    ):
        parents.setdefault(child, []).append({"parent_id": parent, "weight": weight})
    for o in objectives:
        o.parents = parents.get(o.pk, [])  # type: ignore[attr-defined]
        prog = o.rollup_progress
        o.progress = None if prog is None else round(prog, 1)  # type: ignore[attr-defined]
    return objectives


class _Decorated:
    """A queryset whose sliced page gets derived fields in bulk (for @paginate)."""

    def __init__(self, qs, decorate):
        self.qs, self.decorate = qs, decorate

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return self.decorate(list(self.qs[item]))

    def __iter__(self):
        return iter(self.decorate(list(self.qs)))


def _objective(org, pk) -> Objective:
    return _decorate_objectives(
        org, [Objective.objects.for_org(org).select_related("period").get(pk=pk)]
    )[0]


@router.get("/objectives", response=list[ObjectiveOut], summary="List objectives")
@paginate
def list_objectives(
    request,
    period_id: Id | None = None,
    team_id: Id | None = None,
    owner_id: Id | None = None,
    status: ObjectiveStatus | None = None,
    level: ObjectiveLevel | None = None,
    q: str = "",
):
    org = org_of(request)
    qs = Objective.objects.for_org(org).select_related("period").order_by("title", "id")
    if period_id is not None:
        qs = qs.filter(period_id=period_id)
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if status:
        qs = qs.filter(status=status)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(title__icontains=q)
    return _Decorated(qs, lambda page: _decorate_objectives(org, page))


@router.post("/objectives", response={201: ObjectiveOut}, summary="Create an objective")
def create_objective(request, payload: ObjectiveIn):
    org = org_of(request)
    data = payload.model_dump()
    links = data.pop("parents")
    parents = [
        (ref(Objective.objects.for_org(org), p["parent_id"], "parent_id", "objective"), p["weight"])
        for p in links
    ]
    data = _refs(org, data)
    if data.get("period") is None:
        data["period"] = None
    with body_fields(**FIELD_NAMES):
        objective = services.create_objective(org, actor_of(request), parents=parents, **data)
    return Status(201, _objective(org, objective.pk))


@router.get("/objectives/{objective_id}", response=ObjectiveOut, summary="Get an objective")
def get_objective(request, objective_id: Id):
    org = org_of(request)
    get_or_404(Objective.objects.for_org(org), objective_id, "objective")
    return _objective(org, objective_id)


@router.patch("/objectives/{objective_id}", response=ObjectiveOut, summary="Change an objective")
def update_objective(request, objective_id: Id, payload: ObjectivePatch):
    org = org_of(request)
    objective = get_or_404(Objective.objects.for_org(org), objective_id, "objective")
    with body_fields(**FIELD_NAMES):
        services.update_objective(
            org,
            actor_of(request),
            objective,
            expected_version=if_match(request),
            **_refs(org, _patch(payload)),
        )
    return _objective(org, objective_id)


@router.delete("/objectives/{objective_id}", response={204: None}, summary="Delete an objective")
def delete_objective(request, objective_id: Id):
    org = org_of(request)
    objective = get_or_404(
        Objective.objects.for_org(org).select_related("period"), objective_id, "objective"
    )
    services.delete_objective(org, actor_of(request), objective)
    return Status(204, None)


@router.post(
    "/objectives/{objective_id}/parents",
    response={201: ObjectiveOut},
    summary="Align an objective under a parent (any team's), with a weight",
)
def link_objective(request, objective_id: Id, payload: ParentIn):
    org = org_of(request)
    child = get_or_404(Objective.objects.for_org(org), objective_id, "objective")
    parent = ref(Objective.objects.for_org(org), payload.parent_id, "parent_id", "objective")
    with body_fields(**FIELD_NAMES):
        services.link_objective(org, actor_of(request), child, parent, payload.weight)
    return Status(201, _objective(org, objective_id))


@router.delete(
    "/objectives/{objective_id}/parents/{parent_id}",
    response={204: None},
    summary="Remove an alignment link",
)
def unlink_objective(request, objective_id: Id, parent_id: Id):
    org = org_of(request)
    child = get_or_404(
        Objective.objects.for_org(org).select_related("period"), objective_id, "objective"
    )
    parent = get_or_404(Objective.objects.for_org(org), parent_id, "objective")
    services.unlink_objective(org, actor_of(request), child, parent)
    return Status(204, None)


@router.post(
    "/objectives/{objective_id}/confidence",
    response={201: ConfidenceOut},
    summary="Record confidence (1-10)",
)
def set_confidence(request, objective_id: Id, payload: ConfidenceIn):
    org = org_of(request)
    objective = get_or_404(Objective.objects.for_org(org), objective_id, "objective")
    update = services.set_objective_confidence(
        org, actor_of(request), objective, payload.confidence, payload.note
    )
    return Status(201, update)


@router.get(
    "/orphaned-objectives",
    response=list[ObjectiveOut],
    summary="Active objectives no proposed or active initiative serves",
)
@paginate
def orphaned(request, period_id: Id | None = None, team_id: Id | None = None):
    org = org_of(request)
    period = _period_or_current(org, period_id)
    if period is None:
        return []
    team = get_or_404(Team.objects.for_org(org), team_id, "team") if team_id else None
    qs = queries.orphaned_objectives(org, period, team).select_related("period")
    return _Decorated(qs, lambda page: _decorate_objectives(org, page))


def _period_or_current(org, period_id: Id | None) -> Period | None:
    if period_id is not None:
        return get_or_404(Period.objects.for_org(org), period_id, "period")
    return queries.current_period(org)


# --- key results -------------------------------------------------------------------------


@router.get("/key-results", response=list[KeyResultOut], summary="List key results")
@paginate
def list_key_results(
    request,
    objective_id: Id | None = None,
    period_id: Id | None = None,
    team_id: Id | None = None,
    owner_id: Id | None = None,
):
    qs = KeyResult.objects.for_org(org_of(request)).order_by("objective_id", "position", "id")
    if objective_id is not None:
        qs = qs.filter(objective_id=objective_id)
    if period_id is not None:
        qs = qs.filter(objective__period_id=period_id)
    if team_id is not None:
        qs = qs.filter(objective__team_id=team_id)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    return qs


@router.post("/key-results", response={201: KeyResultOut}, summary="Create a key result")
def create_key_result(request, payload: KeyResultIn):
    org = org_of(request)
    data = payload.model_dump()
    objective = ref(
        Objective.objects.for_org(org), data.pop("objective_id"), "objective_id", "objective"
    )
    data = _refs(org, data)
    with body_fields(**FIELD_NAMES):
        kr = services.create_key_result(org, actor_of(request), objective, **data)
    return Status(201, kr)


@router.get("/key-results/{kr_id}", response=KeyResultOut, summary="Get a key result")
def get_key_result(request, kr_id: Id):
    return get_or_404(KeyResult.objects.for_org(org_of(request)), kr_id, "key result")


@router.patch("/key-results/{kr_id}", response=KeyResultOut, summary="Change a key result")
def update_key_result(request, kr_id: Id, payload: KeyResultPatch):
    org = org_of(request)
    kr = get_or_404(KeyResult.objects.for_org(org), kr_id, "key result")
    with body_fields(**FIELD_NAMES):
        return services.update_key_result(
            org,
            actor_of(request),
            kr,
            expected_version=if_match(request),
            **_refs(org, _patch(payload)),
        )


@router.delete("/key-results/{kr_id}", response={204: None}, summary="Delete a key result")
def delete_key_result(request, kr_id: Id):
    org = org_of(request)
    kr = get_or_404(
        KeyResult.objects.for_org(org).select_related("objective__period"), kr_id, "key result"
    )
    services.delete_key_result(org, actor_of(request), kr)
    return Status(204, None)


@router.get(
    "/key-results/{kr_id}/values",
    response=list[KeyResultValueOut],
    summary="A key result's value history",
)
@paginate
def list_values(request, kr_id: Id):
    org = org_of(request)
    kr = get_or_404(KeyResult.objects.for_org(org), kr_id, "key result")
    return KeyResultValue.objects.for_org(org).filter(key_result=kr).order_by("-recorded_at", "-id")


REPORT_ON_KEY_RESULTS = (
    "A report token may report progress only on what its own person owns; key results: "
    "their own and those of the teams they lead (an agent's: its owner's), as in a check-in."
)


def require_value_report(request_or_token, org, kr: KeyResult) -> None:
    """Refuse (403) a `report` token recording a value of `kr` unless a check-in would let
    its person update it: their own key result (its objective's when it has no owner), or
    one of a team they lead (`rhythm.links.team_key_results`, for every team they lead);
    an agent's token also what a check-in would let its owner update (it reports on their
    behalf). Other scopes pass; the services then ask whether the person may change it."""
    from accord.rhythm.links import owns_key_result, team_key_results  # the check-in's rule
    from accord.rhythm.models import Cadence, Scope

    token = require_scope(request_or_token, TokenScope.REPORT)
    if token.scope != TokenScope.REPORT:
        return
    person = token.person
    owner = on_behalf_of(person)  # an agent reports on its owner's behalf too
    people = [person] if owner is None else [person, owner]
    every_team = Cadence(org=org, scope=Scope.ORG)  # a check-in of the whole organization
    for someone in people:
        if owns_key_result(someone, kr):
            return
        if kr.pk in {k.pk for k in team_key_results(org, someone, every_team)}:
            return
    raise PermissionDenied(REPORT_ON_KEY_RESULTS)


@router.post(
    "/key-results/{kr_id}/values",
    response={201: KeyResultOut},
    summary="Record a value (kept in the history; the latest by date is the current one)",
    description="Whoever may change the key result may: its owner, its objective's owner, "
    "members of its team, a lead of a team above it, leaders and admins. A token of scope "
    "`report` records values only on its person's own key results and those of the teams "
    "they lead, as a check-in does.",
    auth=REPORTING,
)
def record_value(request, kr_id: Id, payload: ValueIn):
    org = org_of(request)
    kr = get_or_404(KeyResult.objects.for_org(org).select_related("objective"), kr_id, "key result")
    require_value_report(request, org, kr)
    # How a check-in's refusal reads to who sends its body: one wording for both.
    from accord.rhythm.services import checkin_refusal_as_given

    try:
        services.record_key_result_value(
            org,
            actor_of(request),
            kr,
            payload.value,
            payload.note,
            as_of=payload.as_of,
            check_unusual=not payload.confirm,
            again=payload.again,
        )
    except ServiceError as exc:  # the page's "Record anyway" box is this body's `confirm`
        raise checkin_refusal_as_given(exc, services.ANYWAY_IN_THE_API) from None
    return Status(201, KeyResult.objects.get(pk=kr.pk))


@router.delete(
    "/key-results/{kr_id}/values/{value_id}",
    response={204: None},
    summary="Remove a mistaken recorded value",
    description="Voids one value of the key result's history: its current value becomes the "
    "latest remaining one, and its progress and roll-ups follow. Allowed to whoever recorded "
    "it, the key result's owner, a lead of its team, leaders and admins. A key result keeps "
    "at least one value (422, code last_value).",
)
def void_value(request, kr_id: Id, value_id: Id, reason: str = Query("", max_length=500)):
    org = org_of(request)
    entry = get_or_404(
        KeyResultValue.objects.for_org(org).filter(key_result_id=kr_id), value_id, "value"
    )
    services.void_key_result_value(org, actor_of(request), entry, reason)
    return Status(204, None)


# --- initiatives -------------------------------------------------------------------------


def _decorate_initiatives(org, items: list[Initiative]) -> list[Initiative]:
    ids = [i.pk for i in items]
    krs: dict[int, list[int]] = {}
    objs: dict[int, list[int]] = {}
    from accord.alignment.models import InitiativeKeyResult, InitiativeObjective

    for iid, kid in InitiativeKeyResult.objects.filter(initiative_id__in=ids).values_list(
        "initiative_id", "key_result_id"
    ):
        krs.setdefault(iid, []).append(kid)
    for iid, oid in InitiativeObjective.objects.filter(initiative_id__in=ids).values_list(
        "initiative_id", "objective_id"
    ):
        objs.setdefault(iid, []).append(oid)
    replaces: dict[int, list[int]] = {}
    replaced_by: dict[int, list[int]] = {}
    for a, b in (
        InitiativeLink.objects.filter(kind=InitiativeLinkKind.REPLACES)
        .filter(Q(from_initiative_id__in=ids) | Q(to_initiative_id__in=ids))
        .values_list("from_initiative_id", "to_initiative_id")
    ):
        replaces.setdefault(a, []).append(b)
        replaced_by.setdefault(b, []).append(a)
    for i in items:
        i.replaces_ids = sorted(replaces.get(i.pk, []))  # type: ignore[attr-defined]
        i.replaced_by_ids = sorted(replaced_by.get(i.pk, []))  # type: ignore[attr-defined]
        i.key_result_ids = sorted(krs.get(i.pk, []))  # type: ignore[attr-defined]
        i.objective_ids = sorted(objs.get(i.pk, []))  # type: ignore[attr-defined]
        i.aligned = bool(i.key_result_ids or i.objective_ids)  # type: ignore[attr-defined]
    return items


def _initiative(org, pk) -> Initiative:
    return _decorate_initiatives(org, [Initiative.objects.for_org(org).get(pk=pk)])[0]


InitiativeSort = Literal[
    "title",
    "-title",
    "target",
    "-target",
    "status",
    "-status",
    "progress",
    "-progress",
    "team",
    "-team",
]


@router.get("/initiatives", response=list[InitiativeOut], summary="List initiatives")
@paginate
def list_initiatives(
    request,
    team_id: Id | None = None,
    subtree: bool = False,
    owner_id: Id | None = None,
    status: InitiativeStatus | None = None,
    stage: str | None = None,
    aligned: bool | None = None,
    unaligned: bool | None = None,
    blocked: bool | None = None,
    late: bool | None = None,
    key_result_id: Id | None = None,
    objective_id: Id | None = None,
    period_id: Id | None = None,
    sort: InitiativeSort | None = None,
):
    """The same list as the initiatives page (`/o/<org>/alignment/initiatives/`).
    `subtree`: with `team_id`, the team and every team below it. `period_id`: initiatives
    serving a key result or objective of that period. `aligned`: serves a key result or an
    objective (or not); `unaligned`: open and serving nothing. `blocked`: as coordination
    defines it (a dependency it needs is late, flagged blocked, or declined with nothing
    else planned). `late`: open and its target date has passed. `sort`: a leading `-`
    reverses; by team and priority rank when absent."""
    org = org_of(request)
    f = queries.InitiativeFilters(
        team_id=team_id,
        subtree=subtree,
        owner_id=owner_id,
        status=status or "",
        stage=stage or "",
        aligned=aligned,
        blocked=blocked,
        late=late,
        key_result_id=key_result_id,
        objective_id=objective_id,
        period_id=period_id,
        sort=sort or "",
    )
    qs = queries.initiative_list(org, f)
    if unaligned:
        qs = qs.filter(pk__in=queries.unaligned_initiatives(org).values("pk"))
    elif unaligned is False:
        qs = qs.exclude(pk__in=queries.unaligned_initiatives(org).values("pk"))
    return _Decorated(qs, lambda page: _decorate_initiatives(org, page))


@router.post("/initiatives", response={201: InitiativeOut}, summary="Create an initiative")
def create_initiative(request, payload: InitiativeIn):
    org = org_of(request)
    data = payload.model_dump()
    krs = [
        ref(KeyResult.objects.for_org(org), k, "key_result_ids", "key result")
        for k in data.pop("key_result_ids")
    ]
    objs = [
        ref(Objective.objects.for_org(org), o, "objective_ids", "objective")
        for o in data.pop("objective_ids")
    ]
    data = _refs(org, data)
    with body_fields(**FIELD_NAMES):
        initiative = services.create_initiative(
            org, actor_of(request), key_results=krs, objectives=objs, **data
        )
    return Status(201, _initiative(org, initiative.pk))


@router.get("/initiatives/{initiative_id}", response=InitiativeOut, summary="Get an initiative")
def get_initiative(request, initiative_id: Id):
    org = org_of(request)
    get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
    return _initiative(org, initiative_id)


@router.patch(
    "/initiatives/{initiative_id}",
    response=InitiativeOut,
    summary="Change an initiative (a new target date needs a reason: it is a re-plan)",
)
def update_initiative(request, initiative_id: Id, payload: InitiativePatch):
    org = org_of(request)
    initiative = get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
    data = _patch(payload)
    reason = data.pop("reason", "")
    with body_fields(**FIELD_NAMES):
        services.update_initiative(
            org,
            actor_of(request),
            initiative,
            expected_version=if_match(request),
            reason=reason,
            **_refs(org, data),
        )
    return _initiative(org, initiative_id)


@router.post(
    "/initiatives/{initiative_id}/status",
    response=InitiativeOut,
    summary="Change the status",
    auth=REPORTING,
)
def set_status(request, initiative_id: Id, payload: StatusIn):
    org = org_of(request)
    initiative = get_or_404(
        Initiative.objects.for_org(org).select_related("team"), initiative_id, "initiative"
    )
    require_scope(request, TokenScope.REPORT, owner_id=initiative.owner_id or 0)
    services.set_initiative_status(
        org,
        actor_of(request),
        initiative,
        payload.status,
        payload.reason,
        override_reason=payload.override_reason,
    )
    return _initiative(org, initiative_id)


@router.delete("/initiatives/{initiative_id}", response={204: None}, summary="Delete an initiative")
def delete_initiative(request, initiative_id: Id):
    org = org_of(request)
    initiative = get_or_404(
        Initiative.objects.for_org(org).select_related("team"), initiative_id, "initiative"
    )
    services.delete_initiative(org, actor_of(request), initiative)
    return Status(204, None)


def _link_targets(org, payload: ServesLinkIn) -> dict[str, Any]:
    return {
        "key_result": ref(
            KeyResult.objects.for_org(org), payload.key_result_id, "key_result_id", "key result"
        ),
        "objective": ref(
            Objective.objects.for_org(org), payload.objective_id, "objective_id", "objective"
        ),
    }


@router.post(
    "/initiatives/{initiative_id}/links",
    response={201: InitiativeOut},
    summary="Say the initiative serves a key result or an objective",
)
def link_initiative(request, initiative_id: Id, payload: ServesLinkIn):
    org = org_of(request)
    initiative = get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
    with body_fields(**FIELD_NAMES):
        services.link_initiative(org, actor_of(request), initiative, **_link_targets(org, payload))
    return Status(201, _initiative(org, initiative_id))


@router.delete(
    "/initiatives/{initiative_id}/links",
    response=InitiativeOut,
    summary="Stop serving a key result or an objective",
)
def unlink_initiative(
    request, initiative_id: Id, key_result_id: Id | None = None, objective_id: Id | None = None
):
    org = org_of(request)
    initiative = get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
    targets = _link_targets(
        org, ServesLinkIn(key_result_id=key_result_id, objective_id=objective_id)
    )
    with body_fields(**FIELD_NAMES):
        services.unlink_initiative(org, actor_of(request), initiative, **targets)
    return _initiative(org, initiative_id)


@router.get(
    "/initiative-links", response=list[InitiativeLinkOut], summary="List links between initiatives"
)
@paginate
def list_initiative_links(
    request,
    initiative_id: Id | None = None,
    from_initiative_id: Id | None = None,
    to_initiative_id: Id | None = None,
    kind: InitiativeLinkKind | None = None,
):
    """`initiative_id` gives the links from or to that initiative."""
    qs = InitiativeLink.objects.for_org(org_of(request)).order_by("id")
    if initiative_id is not None:
        qs = qs.filter(Q(from_initiative_id=initiative_id) | Q(to_initiative_id=initiative_id))
    if from_initiative_id is not None:
        qs = qs.filter(from_initiative_id=from_initiative_id)
    if to_initiative_id is not None:
        qs = qs.filter(to_initiative_id=to_initiative_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@router.post(
    "/initiative-links",
    response={201: InitiativeLinkOut},
    summary="Link two initiatives (kind replaces: from_initiative replaces to_initiative)",
)
def create_initiative_link(request, payload: InitiativeLinkIn):
    org = org_of(request)
    initiatives = Initiative.objects.for_org(org)
    a = ref(initiatives, payload.from_initiative_id, "from_initiative_id", "initiative")
    b = ref(initiatives, payload.to_initiative_id, "to_initiative_id", "initiative")
    with body_fields(from_initiative="from_initiative_id", to_initiative="to_initiative_id"):
        link = services.link_initiatives(org, actor_of(request), a, b, payload.kind)
    return Status(201, link)


@router.get(
    "/initiative-links/{link_id}",
    response=InitiativeLinkOut,
    summary="Get a link between initiatives",
)
def get_initiative_link(request, link_id: Id):
    return get_or_404(InitiativeLink.objects.for_org(org_of(request)), link_id, "initiative link")


@router.delete(
    "/initiative-links/{link_id}", response={204: None}, summary="Unlink two initiatives"
)
def delete_initiative_link(request, link_id: Id):
    org = org_of(request)
    link = get_or_404(
        InitiativeLink.objects.for_org(org).select_related("from_initiative", "to_initiative"),
        link_id,
        "initiative link",
    )
    services.unlink_initiatives(
        org, actor_of(request), link.from_initiative, link.to_initiative, link.kind
    )
    return Status(204, None)


@router.get(
    "/initiatives/{initiative_id}/replans",
    response=list[ReplanOut],
    summary="Every re-plan of the target date, with reasons",
)
@paginate
def list_replans(request, initiative_id: Id):
    org = org_of(request)
    initiative = get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
    return Replan.objects.for_org(org).filter(initiative=initiative).order_by("at", "id")


# --- priority stacks ---------------------------------------------------------------------


def _stack_out(org, team: Team) -> dict:
    # The blocked mark of the stack page, from its one query (coordination's definition;
    # imported here, at the edge, so alignment's own modules never import coordination).
    from accord.coordination.queries import mark_blocked

    stack = queries.priority_stack(org, team)
    mark_blocked(stack.items)
    return {
        "team_id": team.pk,
        "wip_limit": stack.wip_limit,
        "active": len(stack.items),
        "over_wip": stack.over_wip,
        "items": [
            {
                "id": i.pk,
                "title": i.title,
                "rank": i.rank,
                "owner_id": i.owner_id,
                "progress": i.progress,
                "target_date": i.target_date,
                "aligned": i.aligned,
                "blocked": bool(i.blocked_by),
                "blocked_reasons": len(i.blocked_by),
            }
            for i in stack.items
        ],
    }


@router.get("/stacks/{team_id}", response=StackOut, summary="A team's priority stack (top first)")
def get_stack(request, team_id: Id):
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    return _stack_out(org, team)


@router.post(
    "/stacks/{team_id}/moves",
    response=StackOut,
    summary="Move one initiative to a position in the stack (1 = top)",
)
def move(request, team_id: Id, payload: MoveIn):
    return _moved(request, team_id, payload, services.move_in_stack, _stack_out)


def _moved(request, team_id: int, payload, move_in, out) -> dict:
    """One initiative of the team moved by `move_in` (its stack or its Next up), and the
    list as `out` gives it after."""
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    initiative = ref(
        Initiative.objects.for_org(org).filter(team=team),
        payload.initiative_id,
        "initiative_id",
        "initiative in this team",
    )
    move_in(org, actor_of(request), initiative, payload.position)
    return out(org, team)


def _next_up_out(org, team: Team) -> dict:
    items = queries.next_up(org, team)
    return {
        "team_id": team.pk,
        "proposed": len(items),
        "items": [
            {
                "id": i.pk,
                "title": i.title,
                "next_rank": n,
                "owner_id": i.owner_id,
                "effort_weeks": i.effort_weeks,
                "start_date": i.start_date,
                "target_date": i.target_date,
                "aligned": i.aligned,
            }
            for n, i in enumerate(items, start=1)
        ],
    }


@router.get(
    "/stacks/{team_id}/next-up",
    response=NextUpOut,
    summary="A team's Next up list: its proposed initiatives, first to be taken up first",
)
def get_next_up(request, team_id: Id):
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    return _next_up_out(org, team)


@router.post(
    "/stacks/{team_id}/next-up/moves",
    response=NextUpOut,
    summary="Move one proposed initiative to a position in Next up (1 = first)",
)
def move_next_up(request, team_id: Id, payload: NextUpMoveIn):
    return _moved(request, team_id, payload, services.move_in_next_up, _next_up_out)


@router.put("/stacks/{team_id}/wip-limit", response=StackOut, summary="Set the team's WIP limit")
def set_wip(request, team_id: Id, payload: WipIn):
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    services.set_wip_limit(org, actor_of(request), team, payload.wip_limit)
    return _stack_out(org, team)


# --- the tree and labels -----------------------------------------------------------------


@router.get(
    "/alignment-tree",
    response=dict,
    summary="A bounded piece of the alignment tree of a period (default: the current one)",
    description=(
        "Starts at the period's top objectives (those contributing to nothing), or at the "
        "objectives of a team and the teams below it that contribute to none of theirs "
        "(`team_id`; the figures are then theirs), or at the objectives contributing to one "
        "objective (`root_id`): `limit` of them from `offset` (`count` says how many there are), "
        "`depth` levels down (1 = only them). Every node has `child_count`; its `children` "
        "are filled within `depth`, at most 50 per node and 500 nodes per document — ask "
        "again with `root_id` to go further. An objective met under a parent other than its "
        "first is `repeated`: its key results, initiatives and children are given under its "
        "first parent (`first_parent_id`; with `team_id`, its first parent within that team "
        "and the teams below it when it has one there, so a team's tree shows its own "
        "objectives in full). Progress and `orphaned` are the stored roll-up. "
        "The period's `objective_count`, `orphaned_count` and `unaligned_count` (open "
        "initiatives serving nothing) are exact up to 5,000; beyond, up to a minute old."
    ),
)
def tree(
    request,
    period_id: Id | None = None,
    team_id: Id | None = None,
    root_id: Id | None = None,
    depth: int = Query(1, ge=1, le=3, description="Levels to include, 1 to 3."),
    limit: int = Query(20, ge=1, le=100, description="Starting objectives per page."),
    offset: int = Query(0, ge=0, le=10**9, description="Starting objectives to skip."),
):
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team") if team_id else None
    root = get_or_404(Objective.objects.for_org(org), root_id, "objective") if root_id else None
    period = root.period if root is not None else _period_or_current(org, period_id)
    if period is None:
        return {
            "period": None,
            "progress": None,
            "objective_count": 0,
            "orphaned_count": 0,
            "unaligned_count": queries.unaligned_initiatives(org).count(),
            "count": 0,
            "limit": limit,
            "offset": offset,
            "depth": depth,
            "objectives": [],
        }
    return queries.tree_document(
        org, period, team=team, root=root, depth=depth, limit=limit, offset=offset
    )


@router.get("/alignment-labels", response=LabelsOut, summary="What this organization calls things")
def get_labels(request):
    labels = queries.labels(org_of(request))
    return {f"{k}_label": labels[k] for k in ("objective", "key_result", "initiative")}


@router.patch("/alignment-labels", response=LabelsOut, summary="Rename the concepts (admins)")
def set_labels(request, payload: LabelsPatch):
    org = org_of(request)
    s = services.set_labels(org, actor_of(request), **_patch(payload))
    return s


# --- milestones --------------------------------------------------------------------------


class MilestoneOut(Schema):
    id: int
    name: str
    kind: MilestoneKind
    date: dt.date
    period_id: Id | None
    team_ids: list[int] = Field(..., description="Empty: the whole organization.")
    anchor_id: Id | None = Field(None, description="The milestone this one is relative to.")
    offset_days: int = Field(..., description="Days from the anchor's date (R-5 weeks: -35).")
    description: str
    version: int

    @staticmethod
    def resolve_team_ids(obj) -> list[int]:
        return sorted(t.pk for t in obj.teams.all())


class MilestoneIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: MilestoneKind = MilestoneKind.OTHER
    date: dt.date | None = Field(None, description="Required unless anchor_id is given.")
    period_id: Id | None = None
    team_ids: list[Id] = []
    anchor_id: Id | None = None
    offset_days: int = Field(0, ge=-3660, le=3660)
    description: str = Field("", max_length=5000)


class MilestonePatch(PatchSchema):
    model = Milestone

    name: str | None = Field(None, min_length=1, max_length=200)
    kind: MilestoneKind | None = None
    date: dt.date | None = Field(
        None, description="Moves it; a relative milestone keeps its anchor and changes offset."
    )
    period_id: Id | None = None
    team_ids: list[Id] | None = None
    anchor_id: Id | None = None
    offset_days: int | None = Field(None, ge=-3660, le=3660)
    description: str | None = Field(None, max_length=5000)


def _milestone_refs(org, data: dict) -> dict:
    _refs(org, data)
    if "anchor_id" in data:
        data["anchor"] = ref(
            Milestone.objects.for_org(org), data.pop("anchor_id"), "anchor_id", "milestone"
        )
    if "team_ids" in data:
        ids = data.pop("team_ids") or []
        teams = Team.objects.for_org(org).in_bulk(ids)
        missing = [i for i in ids if i not in teams]
        if missing:
            ref(Team.objects.none(), missing[0], "team_ids", "team")
        data["teams"] = [teams[i] for i in ids]
    return data


def _milestones(org):
    return Milestone.objects.for_org(org).prefetch_related("teams").order_by("date", "name", "id")


@router.get("/milestones", response=list[MilestoneOut], summary="List milestones")
@paginate
def list_milestones(
    request,
    period_id: Id | None = None,
    team_id: Id | None = None,
    after: dt.date | None = None,
    before: dt.date | None = None,
):
    """In date order. `team_id` keeps the milestones of that team and the organization's
    own (those of no team); `after`/`before` bound the date (inclusive)."""
    org = org_of(request)
    qs = _milestones(org)
    if period_id:
        qs = qs.filter(period=get_or_404(Period.objects.for_org(org), period_id, "period"))
    if team_id:
        team = get_or_404(Team.objects.for_org(org), team_id, "team")
        qs = qs.filter(Q(teams__isnull=True) | Q(teams=team)).distinct()
    if after:
        qs = qs.filter(date__gte=after)
    if before:
        qs = qs.filter(date__lte=before)
    return qs


@router.post("/milestones", response={201: MilestoneOut}, summary="Create a milestone")
def create_milestone(request, payload: MilestoneIn):
    org = org_of(request)
    data = _milestone_refs(org, payload.model_dump())
    milestone = milestones.create_milestone(org, actor_of(request), **data)
    return Status(201, _milestones(org).get(pk=milestone.pk))


@router.get("/milestones/{milestone_id}", response=MilestoneOut, summary="Get a milestone")
def get_milestone(request, milestone_id: Id):
    return get_or_404(_milestones(org_of(request)), milestone_id, "milestone")


@router.patch(
    "/milestones/{milestone_id}",
    response=MilestoneOut,
    summary="Change or move a milestone",
    description="A new date moves every milestone relative to it and every dependency "
    "needed by any of them. Send `If-Match` with the version you read.",
)
def update_milestone(request, milestone_id: Id, payload: MilestonePatch):
    org = org_of(request)
    milestone = get_or_404(Milestone.objects.for_org(org), milestone_id, "milestone")
    data = _milestone_refs(org, _patch(payload))
    milestones.update_milestone(
        org, actor_of(request), milestone, expected_version=if_match(request), **data
    )
    return _milestones(org).get(pk=milestone.pk)


@router.delete("/milestones/{milestone_id}", response={204: None}, summary="Delete a milestone")
def delete_milestone(request, milestone_id: Id):
    org = org_of(request)
    milestone = get_or_404(Milestone.objects.for_org(org), milestone_id, "milestone")
    milestones.delete_milestone(org, actor_of(request), milestone)
    return Status(204, None)
