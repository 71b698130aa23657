"""API for cross-team dependencies and the dependency graph analyses."""

# No `from __future__ import annotations`: ninja resolves @paginate annotations elsewhere.

import datetime as dt
from typing import Any, Literal

from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from accord.alignment.models import Initiative, Milestone
from accord.api.common import (
    BoundedCountPagination,
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
from accord.coordination import queries, services
from accord.coordination.models import TRANSITIONS, Dependency, Priority, State
from accord.core import twice
from accord.core.errors import ServiceError
from accord.org.models import Team

router = Router(tags=["Coordination"])

# What the services name a refused field, as a request body (and an MCP tool) names it.
BODY_NAMES = {
    "requester_initiative": "requester_initiative_id",
    "provider_team": "provider_team_id",
    "need_by_milestone": "need_by_milestone_id",
    "provider_initiative": "provider_initiative_id",
}


class DependencyOut(Schema):
    id: int
    title: str
    description: str
    priority: str
    state: str
    awaiting: str
    flag: str
    flag_note: str
    requester_team_id: Id
    requester_initiative_id: Id
    provider_team_id: Id
    provider_initiative_id: Id | None
    need_by: dt.date
    need_by_milestone_id: Id | None = Field(
        None, description="The milestone the need-by date follows, if any."
    )
    committed_date: dt.date | None
    marked_delivered_on: dt.date | None = Field(
        None,
        description="The day the provider said it was delivered (`mark_delivered`), while "
        "it waits on the requester to confirm it (`confirm_delivery`) or say it is not "
        "(`not_delivered`); from that day it is neither late nor at risk.",
    )
    proposed_date: dt.date | None
    proposed_scope: str
    resolution: str
    late: bool
    at_risk: bool
    risk_reasons: list[str]
    warnings: list[str] = Field(
        [],
        description="What the asking team should know though it is not a risk to the "
        "delivery: committed for a date after the target date of its initiative that needs "
        "it (that initiative cannot finish by its target). Returned by `accept` and `agree` "
        "as by every read.",
    )
    allowed_actions: list[str]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class DependencyIn(InputSchema):
    requester_initiative_id: Id
    provider_team_id: Id = Field(
        ..., description="The team asked; a retired team, or the team asking, is refused."
    )
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    priority: Priority = Priority.MEDIUM
    need_by: dt.date | None = Field(None, description="Required unless need_by_milestone_id.")
    need_by_milestone_id: Id | None = Field(
        None, description="Needed by this milestone: need_by is its date and follows it."
    )
    again: bool = Field(
        False,
        description=twice.again_doc(
            "request",
            "a request for the same thing (title) of the same team for the same "
            "initiative while one is active, whoever asked it,",
        ),
    )


class DependencyPatch(PatchSchema):
    model = Dependency

    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = None
    priority: Priority | None = None
    need_by: dt.date | None = Field(
        None, description="Another date than its milestone's unties it."
    )
    requester_initiative_id: Id | None = Field(
        None, description="Another open initiative of the team asking."
    )
    provider_team_id: Id | None = Field(
        None,
        description="Another team to ask: the request moves to it, still requested (that "
        "team's leads get it as a new request, the team it leaves is told). A retired team, "
        "or the team asking, is refused.",
    )


class MilestoneTieIn(InputSchema):
    milestone_id: Id | None = Field(
        ..., description="The milestone the need-by follows from now on; null unties it."
    )


class TransitionIn(InputSchema):
    note: str = Field("", max_length=5000, description="Why: required to decline, cancel, flag.")
    committed_date: dt.date | None = None
    provider_initiative_id: Id | None = None
    proposed_date: dt.date | None = None
    proposed_scope: str | None = Field(
        None,
        max_length=5000,
        description="propose, counter: the scope proposed. Left out (or null), the scope "
        "now on the table is kept, so a counter-proposal of a date alone still limits it to "
        'that scope; an empty string ("") drops it: everything asked.',
    )


def _out(deps: list[Dependency]) -> list[Dependency]:
    deps = queries.decorate(deps)
    for d in deps:
        d.allowed_actions = d.allowed_actions()  # type: ignore[method-assign]
        gap = queries.after_target(d) if d.is_active else ""
        d.warnings = [gap] if gap else []
    return deps


class DecoratedPagination(BoundedCountPagination):
    """The bounded count (100,000 dependencies at 10,000 teams), and each page's
    dependencies with their derived fields (late, at risk, what may be done) set in bulk."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = _out(list(page["items"]))
        return page


@router.get("/dependencies", response=list[DependencyOut], summary="List dependencies")
@paginate(DecoratedPagination)
def list_dependencies(
    request,
    team_id: Id | None = None,
    initiative_id: Id | None = None,
    direction: Literal["inbound", "outbound", "both"] = "both",
    state: State | None = None,
    late: bool | None = None,
    at_risk: bool | None = None,
    active: bool | None = None,
    only: bool = False,
):
    """`direction` is seen from `team_id` or `initiative_id`: inbound = asked of the team
    (delivered by the initiative), outbound = asked by it (what the initiative needs).
    `team_id` takes in the teams below it too; `only=true` keeps to the team alone."""
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team") if team_id else None
    init = (
        get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
        if initiative_id
        else None
    )
    qs = queries.filtered(
        org,
        team=team,
        only=only,
        initiative=init,
        direction=direction,
        state=state,
        active=active,
        late=late,
        at_risk=at_risk,
    )
    return qs


@router.post("/dependencies", response={201: DependencyOut}, summary="Ask another team")
def create_dependency(request, payload: DependencyIn):
    org = org_of(request)
    requester_initiative = ref(
        Initiative.objects.for_org(org).select_related("team"),
        payload.requester_initiative_id,
        "requester_initiative_id",
        "initiative",
    )
    provider_team = ref(
        Team.objects.for_org(org), payload.provider_team_id, "provider_team_id", "team"
    )
    need_by_milestone = ref(
        Milestone.objects.for_org(org),
        payload.need_by_milestone_id,
        "need_by_milestone_id",
        "milestone",
    )
    with body_fields(**BODY_NAMES):
        dep = services.create_dependency(
            org,
            actor_of(request),
            requester_initiative=requester_initiative,
            provider_team=provider_team,
            title=payload.title,
            description=payload.description,
            priority=payload.priority,
            need_by=payload.need_by,
            need_by_milestone=need_by_milestone,
            again=payload.again,
        )
    return Status(201, _out([queries.base(org).get(pk=dep.pk)])[0])


@router.get("/dependencies/{dep_id}", response=DependencyOut, summary="Get a dependency")
def get_dependency(request, dep_id: Id):
    dep = get_or_404(queries.base(org_of(request)), dep_id, "dependency")
    return _out([dep])[0]


@router.patch(
    "/dependencies/{dep_id}",
    response=DependencyOut,
    summary="Edit a request not answered yet",
    description="While it is `requested`, the asking side (members of the team asking, leads "
    "of a team above it, admins) may change what is needed, by when, for which of its "
    "initiatives and which team is asked; one `updated` event records what changed. Once "
    "answered it is refused (422, code `answered`): its date and scope then change by "
    "proposals (`/dependencies/{dep_id}/propose`, `counter`). Send `If-Match` with the "
    "version.",
)
def update_dependency(request, dep_id: Id, payload: DependencyPatch):
    org = org_of(request)
    dep = get_or_404(Dependency.objects.for_org(org), dep_id, "dependency")
    edit_dependency(
        org,
        actor_of(request),
        dep,
        payload.model_dump(exclude_unset=True),
        expected_version=if_match(request),
    )
    return _out([queries.base(org).get(pk=dep.pk)])[0]


def edit_dependency(
    org, actor, dep: Dependency, data: dict[str, Any], *, expected_version: int | None = None
) -> Dependency:
    """`services.update_dependency` with the fields of a `DependencyPatch` (the PATCH's
    body, the MCP tool `edit_dependency`'s arguments): ids resolved within `org`, and
    each refusal naming the field as the caller gave it (`provider_team_id`)."""
    changes = {k: v for k, v in data.items() if not k.endswith("_id")}
    if "requester_initiative_id" in data:
        changes["requester_initiative"] = ref(
            Initiative.objects.for_org(org),
            data["requester_initiative_id"],
            "requester_initiative_id",
            "initiative",
        )
    if "provider_team_id" in data:
        changes["provider_team"] = ref(
            Team.objects.for_org(org), data["provider_team_id"], "provider_team_id", "team"
        )
    with body_fields(**BODY_NAMES):
        return services.update_dependency(
            org, actor, dep, expected_version=expected_version, **changes
        )


@router.post(
    "/dependencies/{dep_id}/need-by-milestone",
    response=DependencyOut,
    summary="Tie the need-by date to a milestone",
    description="The requester's side only. The need-by becomes the milestone's date and "
    "moves with it; `null` unties it (the date stays). Send `If-Match` with the version.",
)
def tie_to_milestone(request, dep_id: Id, payload: MilestoneTieIn):
    org = org_of(request)
    dep = get_or_404(Dependency.objects.for_org(org), dep_id, "dependency")
    milestones = Milestone.objects.for_org(org)
    milestone = ref(milestones, payload.milestone_id, "milestone_id", "milestone")
    with body_fields(need_by_milestone="milestone_id"):
        services.tie_to_milestone(
            org, actor_of(request), dep, milestone, expected_version=if_match(request)
        )
    return _out([queries.base(org).get(pk=dep.pk)])[0]


class ReminderOut(Schema):
    dependency_id: int
    reminded_at: dt.datetime = Field(..., description="When this reminder went.")
    next_after: dt.datetime = Field(..., description="From when another one can go.")
    waiting_days: int = Field(..., description="Days since the request was made.")


@router.post(
    "/dependencies/{dep_id}/remind",
    response=ReminderOut,
    summary="Remind the team asked to answer",
    description="The person who asked or a lead of the team asking chases an answer while "
    "the request (or a counter-proposal) waits on the providing team: each of its leads "
    "gets an inbox item and an e-mail, recorded as a `reminded` event. Not within a day "
    "of the team being asked, by the request or its latest move to that team, when its "
    "leads were told of it (422, code `asked_recently`, saying "
    "from when one can go); at most once a day per dependency: a second within a day is "
    "refused (422, code `reminded_recently`, saying when the last went); once answered, "
    "code `not_waiting`.",
)
def remind(request, dep_id: Id) -> Any:
    org = org_of(request)
    dep = get_or_404(Dependency.objects.for_org(org), dep_id, "dependency")
    event = services.remind(org, actor_of(request), dep)
    return {
        "dependency_id": dep.pk,
        "reminded_at": event.created_at,
        "next_after": event.created_at + services.REMIND_EVERY,
        "waiting_days": event.after["waiting_days"],
    }


@router.post(
    "/dependencies/{dep_id}/{action}",
    response=DependencyOut,
    summary="Take an action of the state machine",
    description="`action` is one of: " + ", ".join(TRANSITIONS) + ". Refused actions name "
    "the ones allowed now.",
)
def transition(request, dep_id: Id, action: str, payload: TransitionIn):
    org = org_of(request)
    dep = get_or_404(Dependency.objects.for_org(org), dep_id, "dependency")
    provider_initiative = ref(
        Initiative.objects.for_org(org),
        payload.provider_initiative_id,
        "provider_initiative_id",
        "initiative",
    )
    # Refusals name the body's fields (`provider_initiative_id`), not the service's.
    with body_fields(**BODY_NAMES):
        services.transition(
            org,
            actor_of(request),
            dep,
            action,
            note=payload.note,
            committed_date=payload.committed_date,
            provider_initiative=provider_initiative,
            proposed_date=payload.proposed_date,
            proposed_scope=payload.proposed_scope,
            expected_version=if_match(request),
        )
    return _out([queries.base(org).get(pk=dep.pk)])[0]


class BlockerOut(Schema):
    dependency_id: int
    title: str
    team: str = Field(..., description="The provider team.")
    reason: str


class BlockersOut(Schema):
    initiative_id: int
    blocked: bool
    blocked_by: list[BlockerOut]


@router.get(
    "/initiatives/{initiative_id}/blockers",
    response=BlockersOut,
    summary="Whether an initiative is blocked by what it needs, and by which dependencies",
)
def initiative_blockers(request, initiative_id: Id) -> Any:
    """Blocked: a dependency it needs is flagged blocked, is late, or was declined with
    nothing else planned for it. A closed initiative is never blocked."""
    org = org_of(request)
    item = get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
    found = []
    if item.status in ("proposed", "active", "paused"):
        found = queries.blocked_reasons(org, [item.pk]).get(item.pk, [])
    return {"initiative_id": item.pk, "blocked": bool(found), "blocked_by": found}


# --- graph analyses ----------------------------------------------------------------------


class InitiativeRef(Schema):
    id: int
    title: str
    team_id: Id
    team: str
    start_date: dt.date | None
    target_date: dt.date | None


class TeamRef(Schema):
    id: int
    name: str


class CycleOut(Schema):
    initiatives: list[InitiativeRef]
    teams: list[TeamRef]


class CriticalPathOut(Schema):
    initiative: InitiativeRef
    length_days: int = Field(
        description="What the plans of the initiatives along a path add up to: the sum "
        "of their durations (start to target date), not the calendar span the path is "
        "planned over (from its first start date to its last target date; the plans may "
        "overlap, and when they add up to more than that span they would not fit one "
        "after another)."
    )
    paths: list[list[InitiativeRef]] = Field(
        description="Each chain of the longest duration, from the initiative upstream: "
        "each initiative depends on the next through an accepted dependency."
    )


class ObjectiveRef(Schema):
    id: int
    title: str


class BlastCounts(Schema):
    initiatives: int
    teams: int
    objectives: int


class BlastRadiusOut(Schema):
    sources: list[int]
    initiatives: list[InitiativeRef] = Field(..., description="The first 200, by id.")
    teams: list[TeamRef] = Field(..., description="The first 200, by name.")
    objectives: list[ObjectiveRef] = Field(..., description="The first 200, by id.")
    counts: BlastCounts = Field(..., description="How many in all.")
    truncated: bool = Field(
        ..., description="The walk stopped at its limit of dependencies: counts are a floor."
    )


class LoadOut(Schema):
    team_id: Id
    team: str
    inbound: int
    outbound: int
    inbound_late: int
    outbound_late: int
    total: int
    late: int


@router.get(
    "/graph/cycles",
    response=list[CycleOut],
    summary="Cycles of dependencies, as the last evaluation of the organization found them",
)
@paginate
def graph_cycles(request, team_id: Id | None = None) -> Any:
    """Stored by each evaluation (the worker's, or `accord evaluate`), newest first;
    `team_id` keeps the cycles a team is part of."""
    org = org_of(request)
    if team_id is not None:
        get_or_404(Team.objects.for_org(org), team_id, "team")
    return _Cycles(org, queries.stored_cycles(org, None if team_id is None else [team_id]))


class _Cycles:
    """Stored cycle signals whose sliced page is described in bulk."""

    def __init__(self, org, qs):
        self.org, self.qs = org, qs

    def count(self) -> int:
        return self.qs.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return queries.cycles(self.org, self.qs[item])


@router.get(
    "/graph/critical-path/{initiative_id}",
    response=CriticalPathOut,
    summary="Critical path(s) from an initiative to its furthest upstream dependency",
)
def graph_critical_path(request, initiative_id: Id) -> Any:
    org = org_of(request)
    get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
    return queries.critical_path(org, initiative_id)


BLAST_API_SHOWN = 200


@router.get(
    "/graph/blast-radius",
    response=BlastRadiusOut,
    summary="What is downstream of an initiative or a team (give one of the two)",
)
def graph_blast_radius(request, initiative_id: Id | None = None, team_id: Id | None = None) -> Any:
    org = org_of(request)
    if (initiative_id is None) == (team_id is None):
        raise ServiceError(
            "Give either initiative_id or team_id.",
            fields={"initiative_id": ["Give exactly one of initiative_id and team_id."]},
        )
    if initiative_id is not None:
        get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
    else:
        get_or_404(Team.objects.for_org(org), team_id, "team")
    return queries.blast_radius(
        org, initiative_id=initiative_id, team_id=team_id, limit=BLAST_API_SHOWN
    )


@router.get(
    "/graph/load",
    response=list[LoadOut],
    summary="Coordination load per team (a page of teams by name, or one team)",
)
@paginate
def graph_load(request, team_id: Id | None = None) -> Any:
    org = org_of(request)
    teams = Team.objects.for_org(org).order_by("name", "id")
    if team_id is not None:
        teams = teams.filter(pk=get_or_404(teams, team_id, "team").pk)
    return _Load(org, teams)


class _Load:
    """Teams whose sliced page gets its load in two grouped queries."""

    def __init__(self, org, teams):
        self.org, self.teams = org, teams

    def count(self) -> int:
        return self.teams.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        ids = list(self.teams.values_list("id", flat=True)[item])
        rows = {r["team_id"]: r for r in queries.load_for(self.org, ids)}
        return [rows[i] for i in ids if i in rows]
