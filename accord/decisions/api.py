"""API for decisions (decide, supersede, reverse as actions), action items and issues."""

# No `from __future__ import annotations` here: ninja resolves the annotations of
# @paginate-wrapped endpoints in ninja's own module, where our names do not exist.
import datetime as dt
from typing import Literal

from django.conf import settings
from django.db.models import IntegerField, Prefetch, Q, Value
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accord.api.common import (
    REPORTING,
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
from accord.api.models import TokenScope
from accord.api.scopes import require_scope
from accord.core import twice
from accord.core.days import org_today
from accord.core.errors import NotFound, ServiceError
from accord.decisions import latency, queries, services
from accord.decisions.models import (
    LINKABLE,
    ActionItem,
    ActionSource,
    ActionStatus,
    Decision,
    DecisionLink,
    DecisionOption,
    DecisionStatus,
    Issue,
    IssueStatus,
    Severity,
    stale_after_days,
)
from accord.org.models import Person, Team
from accord.org.queries import in_subtree

router = Router(tags=["Decisions"])

ROLE_FIELDS = dict(
    approver="approver_id",
    driver="driver_id",
    contributors="contributor_ids",
    informed="informed_ids",
    teams="team_ids",
    owner="owner_id",
    team="team_id",
    by="by_id",
    decision="decision_id",
)


# --- schemas -----------------------------------------------------------------------------


class OptionOut(Schema):
    id: int
    title: str
    pros: str
    cons: str
    position: int


class LinkOut(Schema):
    target_type: str
    target_id: Id
    label: str = Field(
        ...,
        description="Its name, as given when linked; for what was deleted since and linked "
        "with no name, the name it last had (else empty).",
    )
    deleted: bool = Field(
        False,
        description="What it concerns was deleted since: `target_id` names nothing now, "
        "and the decision keeps only `label`.",
    )

    @staticmethod
    def resolve_label(obj) -> str:
        return queries.subject_name(obj)

    @staticmethod
    def resolve_deleted(obj) -> bool:
        return bool(getattr(obj, "subject_gone", False))


class DecisionOut(Schema):
    id: int
    question: str
    context: str
    outcome: str
    rationale: str
    status: DecisionStatus
    driver_id: Id | None
    approver_id: Id
    contributor_ids: list[Id]
    informed_ids: list[Id]
    team_ids: list[Id]
    decide_by: dt.date | None
    revisit_on: dt.date | None
    revisit_trigger: str
    opened_at: dt.datetime
    proposed_at: dt.datetime | None
    decided_at: dt.datetime | None
    closed_at: dt.datetime | None
    latency_days: float | None
    superseded_by_id: Id | None
    supersedes_ids: list[Id]
    supersede_reason: str
    reversal_reason: str
    options: list[OptionOut]
    chosen_option_id: Id | None = Field(
        None, description="The option proposed or decided, when it was one of `options`."
    )
    links: list[LinkOut]
    version: int

    # The related rows come read into lists by `_with_related`: a prefetch into a manager
    # builds a queryset per row and relation (300 for a page of 50), a list none.
    @staticmethod
    def resolve_contributor_ids(obj):
        return [p.pk for p in obj.contributor_list]

    @staticmethod
    def resolve_informed_ids(obj):
        return [p.pk for p in obj.informed_list]

    @staticmethod
    def resolve_team_ids(obj):
        return [t.pk for t in obj.team_list]

    @staticmethod
    def resolve_supersedes_ids(obj):
        return [d.pk for d in obj.supersedes_list]

    @staticmethod
    def resolve_latency_days(obj):
        return queries.latency_days(obj)

    @staticmethod
    def resolve_options(obj):
        return obj.option_list

    @staticmethod
    def resolve_links(obj):
        return obj.link_list


class DecisionLinkIn(InputSchema):
    target_type: str = Field(..., max_length=60, examples=["alignment.objective"])
    target_id: Id = Field(..., ge=1)
    label: str = Field("", max_length=300)


class DecisionIn(InputSchema):
    question: str = Field(..., min_length=1, max_length=300)
    approver_id: Id = Field(..., description="The one person who decides.")
    outcome: str = ""
    context: str = ""
    rationale: str = ""
    driver_id: Id | None = None
    contributor_ids: list[Id] = []
    informed_ids: list[Id] = []
    team_ids: list[Id] = []
    decide_by: dt.date | None = None
    revisit_on: dt.date | None = None
    revisit_trigger: str = Field("", max_length=300)
    links: list[DecisionLinkIn] = []
    again: bool = Field(False, description=twice.again_doc("decision"))


class DecisionPatch(PatchSchema):
    model = Decision

    question: str | None = Field(None, min_length=1, max_length=300)
    approver_id: Id | None = None
    outcome: str | None = None
    context: str | None = None
    rationale: str | None = None
    driver_id: Id | None = None
    contributor_ids: list[Id] | None = None
    informed_ids: list[Id] | None = None
    team_ids: list[Id] | None = None
    decide_by: dt.date | None = None
    revisit_on: dt.date | None = None
    revisit_trigger: str | None = Field(None, max_length=300)


class OptionIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=200)
    pros: str = ""
    cons: str = ""


class ProposeIn(InputSchema):
    outcome: str = Field("", description="What was decided; empty: the chosen option's title.")
    rationale: str = ""
    option_id: Id | None = Field(None, description="One of the decision's options, if chosen.")


class DecideIn(InputSchema):
    outcome: str = Field("", description="What was decided; empty: the chosen option's title.")
    rationale: str = Field(
        "",
        description="Why. Required unless the decision has one already (from its proposal): "
        "a decision is final once made.",
    )
    option_id: Id | None = Field(None, description="One of the decision's options, if chosen.")


class SupersedeIn(InputSchema):
    by_id: Id = Field(..., description="The decision that replaces this one.")
    reason: str = Field(..., min_length=1, max_length=2000)


class ReasonIn(InputSchema):
    reason: str = Field(..., min_length=1, max_length=2000)


class LatencyStatsOut(Schema):
    id: int
    name: str
    count: int
    median_days: float | None
    mean_days: float | None
    max_days: float | None
    few: bool = Field(
        ...,
        description=f"Fewer than {latency.MIN_DECISIONS} decisions: ranked after the others.",
    )


class LatencyOut(Schema):
    period_days: int | None = Field(
        ..., description="The stored period read; null when a range or a team was asked for."
    )
    computed_at: dt.datetime | None = Field(
        ..., description="When the stored figures were computed; null when computed now."
    )
    count: int
    median_days: float | None
    mean_days: float | None
    max_days: float | None
    team_count: int = Field(..., description="Teams with a decision in the period.")
    approver_count: int = Field(..., description="Approvers with a decision in the period.")
    per_team: list[LatencyStatsOut] = Field(..., description="The slowest first, a page.")
    per_approver: list[LatencyStatsOut] = Field(..., description="The slowest first, a page.")
    overdue_ids: list[Id]


class ActionItemOut(Schema):
    id: int
    title: str
    owner_id: Id
    team_id: Id | None
    due_on: dt.date | None
    status: ActionStatus
    done_at: dt.datetime | None
    slipped_from: dt.date | None = Field(
        None,
        description="The due date it had already passed when it was re-dated (the first): "
        "it slipped, and follow-through counts it late whatever its new date.",
    )
    source_type: str
    source_id: Id | None
    created_at: dt.datetime
    version: int


class ActionItemIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    owner_id: Id | None = Field(
        None,
        description="Who will do it. Left out: the caller (as MCP's `add_action_item`); a "
        "viewer, who changes nothing, is refused all the same (403).",
    )
    team_id: Id | None = Field(
        None,
        description="Left out: the owner's home team (the highest they lead, else their first).",
    )
    due_on: dt.date | None = Field(None, description="Today or later (422 `past_date`).")
    source_type: ActionSource = ActionSource.NONE
    source_id: Id | None = None
    again: bool = Field(False, description=twice.again_doc("action item"))


class ActionItemPatch(PatchSchema):
    model = ActionItem

    title: str | None = Field(None, min_length=1, max_length=300)
    owner_id: Id | None = None
    team_id: Id | None = None
    due_on: dt.date | None = None


class FollowThroughOut(Schema):
    days: int
    due: int
    on_time: int
    late: int
    overdue: int = Field(description="Of those due in the window, how many are not done.")
    overdue_now: int = Field(
        description="Open items past their due date today, however long ago: the pages' "
        '"Overdue now".'
    )
    undated_done: int
    undated_open: int
    rate: float | None


class OwnerLoadOut(Schema):
    person_id: Id
    name: str
    open: int = Field(description="Their open items (of the team and the teams below it).")
    overdue: int = Field(description='Of those, how many are past their due date: "Overdue now".')


class OwnersOut(Schema):
    count: int = Field(
        description="How many people owe open items (of the team), counted up to 1,000 (1,001 "
        "means more)."
    )
    items: list[OwnerLoadOut]


class EscalationOut(Schema):
    from_team_id: Id
    to_team_id: Id
    reason: str
    by_id: Id | None
    at: dt.datetime
    days_at_level: int


class IssueOut(Schema):
    id: int
    title: str
    description: str
    severity: Severity
    status: IssueStatus
    team_id: Id
    raised_in_id: Id | None
    raised_by_id: Id | None
    resolution: str
    decision_id: Id | None
    opened_at: dt.datetime
    level_since: dt.datetime
    closed_at: dt.datetime | None
    stale: bool
    escalations: list[EscalationOut]
    owner_id: Id | None
    rank: int | None = Field(None, description="Its place in the team's list; 1 comes first.")
    votes: int = Field(0, description="Votes up minus votes down.")
    kept_count: int = Field(0, description="How many meetings kept it for next time.")
    version: int

    @staticmethod
    def resolve_stale(obj):
        return obj.is_stale()

    @staticmethod
    def resolve_votes(obj):
        score = getattr(obj, "score", None)
        return score if score is not None else sum(v.value for v in obj.votes.all())

    @staticmethod
    def resolve_escalations(obj):
        return list(obj.escalations.all())


class IssueIn(InputSchema):
    team_id: Id
    title: str = Field(..., min_length=1, max_length=300)
    description: str = ""
    severity: Severity = Severity.MEDIUM
    again: bool = Field(False, description=twice.again_doc("issue"))


class IssuePatch(PatchSchema):
    model = Issue

    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = None
    severity: Severity | None = None


class SolveIn(InputSchema):
    resolution: str = Field(..., min_length=1, max_length=5000)
    decision_id: Id | None = None


class IssueOwnerIn(InputSchema):
    owner_id: Id | None = Field(None, description="Who owns it; null: nobody yet.")


class IssueRankIn(InputSchema):
    rank: int | None = Field(None, description="1 comes first; null takes it out of the order.")


class IssueVoteIn(InputSchema):
    value: int = Field(..., description="1 (up), -1 (down) or 0 (take the vote back).")


class KeepIn(InputSchema):
    note: str = Field("", max_length=500)


class IssueActionIn(InputSchema):
    title: str = Field(..., min_length=1, max_length=300)
    owner_id: Id
    due_on: dt.date | None = None


class DecideAndSolveIn(InputSchema):
    outcome: str = Field(..., min_length=1, max_length=5000)
    rationale: str = Field(
        "",
        description="Why. Required when the caller approves (decided at once): a decision "
        "is final once made.",
    )
    approver_id: Id | None = Field(None, description="Defaults to the caller.")
    actions: list[IssueActionIn] = Field(default_factory=list, max_length=20)


# --- helpers -----------------------------------------------------------------------------


def _with_related(decisions):
    """Decisions with what `DecisionOut` shows of their related rows, as lists."""
    return decisions.prefetch_related(
        Prefetch("contributors", to_attr="contributor_list"),
        Prefetch("informed", to_attr="informed_list"),
        Prefetch("teams", to_attr="team_list"),
        Prefetch("supersedes", to_attr="supersedes_list"),
        Prefetch(
            "links", queryset=queries.with_subjects(DecisionLink.objects.all()), to_attr="link_list"
        ),
        Prefetch(
            "options",
            queryset=DecisionOption.objects.order_by("position", "id"),
            to_attr="option_list",
        ),
    )


def _decisions(org):
    return _with_related(Decision.objects.for_org(org))


def _people(org, ids, field):
    if ids is None:
        return None
    found = {p.pk: p for p in Person.objects.for_org(org).filter(pk__in=ids)}
    for pk in ids:
        if pk not in found:
            ref(Person.objects.none(), pk, field, "person")  # raises: unknown in this org
    return [found[pk] for pk in dict.fromkeys(ids)]


def _teams(org, ids, field):
    if ids is None:
        return None
    found = {t.pk: t for t in Team.objects.for_org(org).filter(pk__in=ids)}
    for pk in ids:
        if pk not in found:
            ref(Team.objects.none(), pk, field, "team")  # raises: unknown in this org
    return [found[pk] for pk in dict.fromkeys(ids)]


def _team(org, team_id):
    """The team a list is filtered by; a 404 for one this organization does not have."""
    return get_or_404(Team.objects.for_org(org), team_id, "team") if team_id else None


def _check_linked(org, linked_type: str, linked_id: int | None) -> None:
    """The thing a list of decisions is cut to (`linked_type`, `linked_id`): both or
    neither (422), a kind decisions link to (422), and one this organization has (404,
    as for every id filter)."""
    if bool(linked_type) != (linked_id is not None):
        missing, given = (
            ("linked_id", "linked_type") if linked_type else ("linked_type", "linked_id")
        )
        raise ServiceError(
            "Give both linked_type and linked_id (the kind and id of what the decisions "
            "are linked to), or neither.",
            fields={missing: [f"Required with {given}."]},
        )
    if not linked_type:
        return
    if linked_type not in LINKABLE:
        raise ServiceError(
            f"Decisions are not linked to {linked_type!r}; use one of "
            f"{', '.join(sorted(LINKABLE))}.",
            fields={"linked_type": ["Unknown kind of target."]},
        )
    if not queries.is_linkable(org, linked_type, linked_id):
        error = NotFound(f"No {linked_type} with id {linked_id}.")
        error.fields = {"linked_id": [f"Unknown {linked_type} {linked_id}."]}
        raise error


def _fresh(org, decision_id):
    return get_or_404(_decisions(org), decision_id, "decision")


# --- decisions ---------------------------------------------------------------------------


# The log's statuses: one of a decision's, or `undecided` (open or proposed: both still wait
# for their decision, `queries.UNDECIDED_FILTER`), as the log's page offers them.
LogStatus = Literal["undecided", "open", "proposed", "decided", "superseded", "reversed"]


@router.get("/decisions", response=list[DecisionOut], summary="List and search decisions")
@paginate(BoundedCountPagination)
def list_decisions(
    request,
    q: str = "",
    status: LogStatus | None = None,
    team_id: Id | None = None,
    approver_id: Id | None = None,
    driver_id: Id | None = None,
    opened_since: dt.date | None = None,
    opened_until: dt.date | None = None,
    decided_since: dt.date | None = None,
    decided_until: dt.date | None = None,
    due_since: dt.date | None = None,
    due_until: dt.date | None = None,
    overdue: bool | None = None,
    waiting_on_me: bool | None = None,
    only: bool = False,
    linked_type: str = Query("", max_length=60, examples=["alignment.initiative"]),
    linked_id: Id | None = None,
):
    """`q` is full-text over question, context, outcome and rationale. `status`: one of a
    decision's statuses, or `undecided` for those open or proposed (both still wait for
    their decision; the log's *Open or proposed*). `team_id`: that team's decisions and
    those of the teams below it (`only=true`: the team's alone): those it is affected by,
    and those about an issue it holds.
    `linked_type` and `linked_id` (both, or neither): the decisions linked to that one
    thing, as a decision's `links` name it (`target_type`, `target_id`); 404 if the
    organization has no such thing. `opened_since`/`opened_until` select by the day it
    was opened, `decided_since`/`decided_until` by the day it was decided (each inclusive;
    a decision later reversed or superseded still counts as decided that day),
    `due_since`/`due_until` by its decide-by date (inclusive; one without is left out).
    `overdue=true`: those open or proposed past their decide-by date; `false`: the others.
    `waiting_on_me=true`: those open or proposed with the caller as approver; `false`: the
    others."""
    org = org_of(request)
    _check_linked(org, linked_type, linked_id)
    for first, last, since, until in (
        ("opened_since", "opened_until", opened_since, opened_until),
        ("decided_since", "decided_until", decided_since, decided_until),
        ("due_since", "due_until", due_since, due_until),
    ):
        if since and until and until < since:
            raise ServiceError(
                f"{last} is before {first}: the range ends before it begins.",
                fields={last: ["The range ends before it begins."]},
            )
    qs = queries.filter_log(
        org,
        q=q,
        status=status or "",
        team=_team(org, team_id),
        only=only,
        approver_id=approver_id,
        driver_id=driver_id,
        since=opened_since,
        until=opened_until,
        decided_since=decided_since,
        decided_until=decided_until,
        due_since=due_since,
        due_until=due_until,
        overdue=overdue,
        linked_type=linked_type,
        linked_id=linked_id,
    )
    if waiting_on_me is not None:
        waiting = Q(approver=actor_of(request), status__in=queries.UNDECIDED)
        qs = qs.filter(waiting) if waiting_on_me else qs.exclude(waiting)
    return _with_related(qs)


@router.get(
    "/decisions/latency",
    response=LatencyOut,
    summary="Time from opened to decided, per team and approver",
    description="The stored figures of the last `period` days (30, 90 or 365; 90 unless a "
    "range or a team is given), or computed on request over the decisions decided from "
    "`decided_since` to `decided_until` and concerning `team_id`. Teams and approvers come "
    "the slowest first, `limit` of them from `offset`; those with fewer than "
    f"{latency.MIN_DECISIONS} decisions in the period (`few`) come after the others.",
)
def decision_latency(
    request,
    period: int | None = Query(None, description="Days: 30, 90 or 365."),
    decided_since: dt.date | None = None,
    decided_until: dt.date | None = None,
    team_id: Id | None = None,
    limit: int = Query(50, ge=1, le=500, description="Teams and approvers per page."),
    offset: int = Query(0, ge=0, le=10**9, description="Teams and approvers to skip."),
):
    org = org_of(request)
    ranged = decided_since or decided_until or team_id
    if period is not None and period not in latency.PERIODS:
        periods = ", ".join(map(str, latency.PERIODS))
        raise ServiceError(
            f"The stored periods are {periods} days.",
            fields={"period": [f"One of {periods}."]},
        )
    if period and ranged:
        raise ServiceError(
            "Ask for a stored period, or for a range or a team, not both.",
            fields={
                "period": ["Leave out the period with decided_since, decided_until or team_id."]
            },
        )
    if ranged:
        report = queries.decision_latency(
            org,
            since=decided_since,
            until=decided_until,
            team_ids=[team_id] if team_id else None,
        )
        figures = latency.of_report(org, report, limit=limit, offset=offset)
    else:
        figures = latency.read(org, period or latency.DEFAULT_PERIOD, limit=limit, offset=offset)

    def out(ranked: latency.Ranked) -> list[LatencyStatsOut]:
        return [
            LatencyStatsOut(
                id=k,
                name=name,
                count=f.count,
                median_days=f.median,
                mean_days=f.mean,
                max_days=f.longest,
                few=f.few,
            )
            for name, k, f in ranked.rows
        ]

    o = figures.overall
    return LatencyOut(
        period_days=figures.period,
        computed_at=figures.computed_at,
        count=o.count,
        median_days=o.median,
        mean_days=o.mean,
        max_days=o.longest,
        team_count=figures.teams.total,
        approver_count=figures.approvers.total,
        per_team=out(figures.teams),
        per_approver=out(figures.approvers),
        overdue_ids=list(queries.overdue_decisions(org).values_list("pk", flat=True)[:500]),
    )


@router.post("/decisions", response={201: DecisionOut}, summary="Open a decision")
def create_decision(request, payload: DecisionIn):
    org = org_of(request)
    people = Person.objects.for_org(org)
    with body_fields(**ROLE_FIELDS):
        d = services.create_decision(
            org,
            actor_of(request),
            payload.question,
            approver=ref(people, payload.approver_id, "approver_id", "person"),
            outcome=payload.outcome,
            context=payload.context,
            rationale=payload.rationale,
            driver=ref(people, payload.driver_id, "driver_id", "person"),
            contributors=_people(org, payload.contributor_ids, "contributor_ids"),
            informed=_people(org, payload.informed_ids, "informed_ids"),
            teams=_teams(org, payload.team_ids, "team_ids"),
            decide_by=payload.decide_by,
            revisit_on=payload.revisit_on,
            revisit_trigger=payload.revisit_trigger,
            links=[(x.target_type, x.target_id, x.label) for x in payload.links],
            again=payload.again,
        )
    return Status(201, _fresh(org, d.pk))


@router.get("/decisions/{decision_id}", response=DecisionOut, summary="Get a decision")
def get_decision(request, decision_id: Id):
    return _fresh(org_of(request), decision_id)


@router.patch("/decisions/{decision_id}", response=DecisionOut, summary="Change an open decision")
def update_decision(request, decision_id: Id, payload: DecisionPatch):
    org = org_of(request)
    d = get_or_404(Decision.objects.for_org(org), decision_id, "decision")
    data = payload.model_dump(exclude_unset=True)
    people = Person.objects.for_org(org)
    changes = {}
    for key, value in data.items():
        if key == "approver_id":
            changes["approver"] = ref(people, value, "approver_id", "person")
        elif key == "driver_id":
            changes["driver"] = ref(people, value, "driver_id", "person")
        elif key not in ("contributor_ids", "informed_ids", "team_ids"):
            changes[key] = value
    with body_fields(**ROLE_FIELDS):
        services.update_decision(
            org,
            actor_of(request),
            d,
            expected_version=if_match(request),
            contributors=_people(org, data.get("contributor_ids"), "contributor_ids"),
            informed=_people(org, data.get("informed_ids"), "informed_ids"),
            teams=_teams(org, data.get("team_ids"), "team_ids"),
            **changes,
        )
    return _fresh(org, d.pk)


@router.post("/decisions/{decision_id}/options", response={201: OptionOut}, summary="Add an option")
def add_option(request, decision_id: Id, payload: OptionIn):
    org = org_of(request)
    d = get_or_404(Decision.objects.for_org(org), decision_id, "decision")
    option = services.add_option(
        org, actor_of(request), d, payload.title, pros=payload.pros, cons=payload.cons
    )
    return Status(201, option)


@router.post("/decisions/{decision_id}/links", response={201: LinkOut}, summary="Link a decision")
def add_link(request, decision_id: Id, payload: DecisionLinkIn):
    org = org_of(request)
    d = get_or_404(Decision.objects.for_org(org), decision_id, "decision")
    obj = services.link(
        org, actor_of(request), d, payload.target_type, payload.target_id, payload.label
    )
    return Status(201, obj)


@router.delete(
    "/decisions/{decision_id}/links", response={204: None}, summary="Remove a decision's link"
)
def remove_link(
    request,
    decision_id: Id,
    target_type: str = Query("", max_length=60, examples=["alignment.objective"]),
    target_id: Id | None = None,
):
    """Take back what the decision was said to concern (both `target_type` and
    `target_id`, as it was linked); 422 `not_linked` if it was not."""
    org = org_of(request)
    d = get_or_404(Decision.objects.for_org(org), decision_id, "decision")
    # Who may not edit the decision is refused (403) before the link is looked for.
    services.unlink(org, actor_of(request), d, target_type, target_id)
    return Status(204, None)


@router.post("/decisions/{decision_id}/propose", response=DecisionOut, summary="Propose an outcome")
def propose(request, decision_id: Id, payload: ProposeIn):
    org = org_of(request)
    d = get_or_404(Decision.objects.for_org(org), decision_id, "decision")
    with body_fields(option="option_id"):
        services.propose(
            org, actor_of(request), d, payload.outcome, payload.rationale, option=payload.option_id
        )
    return _fresh(org, d.pk)


@router.post(
    "/decisions/{decision_id}/decide",
    response=DecisionOut,
    summary="Decide (the approver only)",
)
def decide(request, decision_id: Id, payload: DecideIn):
    org = org_of(request)
    d = get_or_404(Decision.objects.for_org(org), decision_id, "decision")
    with body_fields(option="option_id"):
        services.decide(
            org,
            actor_of(request),
            d,
            payload.outcome,
            payload.rationale,
            expected_version=if_match(request),
            option=payload.option_id,
            require_rationale=True,
        )
    return _fresh(org, d.pk)


@router.post(
    "/decisions/{decision_id}/supersede",
    response=DecisionOut,
    summary="Supersede a decided decision by another",
)
def supersede(request, decision_id: Id, payload: SupersedeIn):
    org = org_of(request)
    d = get_or_404(Decision.objects.for_org(org), decision_id, "decision")
    by = ref(Decision.objects.for_org(org), payload.by_id, "by_id", "decision")
    with body_fields(**ROLE_FIELDS):
        services.supersede(org, actor_of(request), d, by=by, reason=payload.reason)
    return _fresh(org, d.pk)


@router.post("/decisions/{decision_id}/reverse", response=DecisionOut, summary="Reverse a decision")
def reverse(request, decision_id: Id, payload: ReasonIn):
    org = org_of(request)
    d = get_or_404(Decision.objects.for_org(org), decision_id, "decision")
    services.reverse(org, actor_of(request), d, reason=payload.reason)
    return _fresh(org, d.pk)


# --- action items ------------------------------------------------------------------------


@router.get(
    "/action-items/follow-through",
    response=FollowThroughOut,
    summary="Share of action items done by their due date",
)
def follow_through(request, person_id: Id | None = None, team_id: Id | None = None, days: int = 30):
    org = org_of(request)
    person = get_or_404(Person.objects.for_org(org), person_id, "person") if person_id else None
    team = get_or_404(Team.objects.for_org(org), team_id, "team") if team_id else None
    ft = queries.follow_through(org, person=person, team=team, days=max(1, min(days, 3650)))
    if person is not None and team is not None:
        overdue_now = (
            queries.action_items(org)
            .filter(owner=person, team=team, status="open", due_on__lt=org_today())
            .count()
        )
    else:
        key, subject = ("owner", person) if person else ("team", team) if team else ("org", org)
        overdue_now = queries.overdue_now_by(org, key, [subject.pk]).get(subject.pk, 0)
    return FollowThroughOut(
        days=ft.days,
        due=ft.due,
        on_time=ft.on_time,
        late=ft.late,
        overdue=ft.overdue,
        overdue_now=overdue_now,
        undated_done=ft.undated_done,
        undated_open=ft.undated_open,
        rate=ft.rate,
    )


@router.get(
    "/action-items/owners",
    response=OwnersOut,
    summary="Who owes a team's open action items",
    description="Everyone with an open action item filed to the team or a team below it "
    "(`only=true`: the team alone), whether or not they are its members, or without "
    "`team_id` everyone with an open item; the most overdue first, then the most open, "
    "then by name: "
    "`limit` of them from `offset`. The action items page's *Open items by owner*; "
    "`GET /action-items?team_id=&owner_id=` lists one owner's.",
)
def action_item_owners(
    request,
    team_id: Id | None = None,
    only: bool = False,
    limit: int = Query(
        queries.OWNERS_SHOWN,
        ge=1,
        le=settings.NINJA_PAGINATION_MAX_LIMIT,
        description="Owners per page.",
    ),
    offset: int = Query(0, ge=0, le=10**6, description="Owners to skip."),
):
    org = org_of(request)
    team = _team(org, team_id)
    shown, total = queries.owners_of_open_items(org, team, only=only, offset=offset, limit=limit)
    return OwnersOut(
        count=total,
        items=[
            OwnerLoadOut(person_id=o.person.pk, name=o.person.name, open=o.open, overdue=o.overdue)
            for o in shown
        ],
    )


class DueFirstPagination(BoundedCountPagination):
    """The bounded count, and each page read soonest due first, undated last (off the
    due-date index rather than sorting every item of the organization)."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        page = super().paginate_queryset(queryset, pagination, request, **params)
        page["items"] = queries.dated_first_page(
            queryset, "due_on", pagination.offset, pagination.limit
        )
        return page


@router.get("/action-items", response=list[ActionItemOut], summary="List action items")
@paginate(DueFirstPagination)
def list_action_items(
    request,
    owner_id: Id | None = None,
    team_id: Id | None = None,
    status: ActionStatus | None = None,
    overdue: bool | None = None,
    due_before: dt.date | None = None,
    source_type: ActionSource | None = None,
    source_id: Id | None = None,
    only: bool = False,
):
    """`team_id`: items filed to that team and the teams below it (`only=true`: to the
    team alone). `overdue=true`: the open items past their due date; `false`: the others."""
    org = org_of(request)
    qs = queries.action_item_list(org, team=_team(org, team_id), only=only, owner=owner_id)
    if status:
        qs = qs.filter(status=status)
    if overdue:
        qs = queries.overdue_action_items(org).filter(pk__in=qs.values("pk"))
    elif overdue is False:
        qs = qs.exclude(pk__in=queries.overdue_action_items(org).values("pk"))
    if due_before:
        qs = qs.filter(due_on__lt=due_before)
    if source_type is not None:
        qs = qs.filter(source_type=source_type)
    if source_id is not None:
        qs = qs.filter(source_id=source_id)
    return qs


@router.post("/action-items", response={201: ActionItemOut}, summary="Record an action item")
def create_action_item(request, payload: ActionItemIn):
    org = org_of(request)
    owner = ref(Person.objects.for_org(org), payload.owner_id, "owner_id", "person")
    owner = owner or actor_of(request)  # left out: the caller's own, as over MCP
    team = ref(Team.objects.for_org(org), payload.team_id, "team_id", "team")
    with body_fields(**ROLE_FIELDS):
        item = services.create_action_item(
            org,
            actor_of(request),
            payload.title,
            owner,
            due_on=payload.due_on,
            team=team,
            source_type=payload.source_type,
            source_id=payload.source_id,
            again=payload.again,
        )
    return Status(201, item)


@router.get("/action-items/{item_id}", response=ActionItemOut, summary="Get an action item")
def get_action_item(request, item_id: Id):
    return get_or_404(ActionItem.objects.for_org(org_of(request)), item_id, "action item")


@router.patch("/action-items/{item_id}", response=ActionItemOut, summary="Change an action item")
def update_action_item(request, item_id: Id, payload: ActionItemPatch):
    org = org_of(request)
    item = get_or_404(ActionItem.objects.for_org(org), item_id, "action item")
    data = payload.model_dump(exclude_unset=True)
    if "owner_id" in data:
        data["owner"] = ref(Person.objects.for_org(org), data.pop("owner_id"), "owner_id", "person")
    if "team_id" in data:
        data["team"] = ref(Team.objects.for_org(org), data.pop("team_id"), "team_id", "team")
    with body_fields(**ROLE_FIELDS):
        return services.update_action_item(
            org, actor_of(request), item, expected_version=if_match(request), **data
        )


def _item_status(request, item_id, fn):
    """Mark done, drop or reopen: the status of an action item, which a `report` token may
    change on what its own person owns (the service then applies the person's rule)."""
    org = org_of(request)
    item = get_or_404(ActionItem.objects.for_org(org), item_id, "action item")
    require_scope(request, TokenScope.REPORT, owner_id=item.owner_id)
    return fn(org, actor_of(request), item)


@router.post(
    "/action-items/{item_id}/complete", response=ActionItemOut, summary="Mark done", auth=REPORTING
)
def complete_action_item(request, item_id: Id):
    return _item_status(request, item_id, services.complete_action_item)


@router.post("/action-items/{item_id}/drop", response=ActionItemOut, summary="Drop", auth=REPORTING)
def drop_action_item(request, item_id: Id):
    return _item_status(request, item_id, services.drop_action_item)


@router.post(
    "/action-items/{item_id}/reopen", response=ActionItemOut, summary="Reopen", auth=REPORTING
)
def reopen_action_item(request, item_id: Id):
    return _item_status(request, item_id, services.reopen_action_item)


# --- issues ------------------------------------------------------------------------------


def _issues(org):
    return Issue.objects.for_org(org).prefetch_related("escalations", "votes")


@router.get("/issues", response=list[IssueOut], summary="List issues")
@paginate(BoundedCountPagination)
def list_issues(
    request,
    team_id: Id | None = None,
    status: IssueStatus | None = None,
    severity: Severity | None = None,
    stale: bool | None = None,
    raised_by_id: Id | None = None,
    ranked: bool = False,
    only: bool = False,
    raised_in_id: Id | None = None,
):
    """`ranked=true`: the open issues in the order a meeting takes them (rank, then votes).
    `team_id`: issues at that team and the teams below it (`only=true`: the team alone).
    `raised_in_id`: issues first raised at that team (and the teams below it, or alone with
    `only=true`), wherever they sit now: what a team escalated stays in its view.
    `stale=true`: the open issues that have sat at one level past the threshold; `false`:
    the others."""
    org = org_of(request)
    team = _team(org, team_id)
    raised_in = _team(org, raised_in_id)
    qs = _issues(org).order_by("-opened_at", "-id")
    if ranked:
        qs = queries.ranked_issues_query(org).prefetch_related("escalations")
    if team is not None:
        qs = in_subtree(qs, team, only=only)
    if raised_in is not None:
        qs = in_subtree(qs, raised_in, only=only, field="raised_in_id")
    if status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if raised_by_id is not None:
        qs = qs.filter(raised_by_id=raised_by_id)
    if stale is not None:
        sat = queries.stale_issues(org).values("pk")
        qs = qs.filter(pk__in=sat) if stale else qs.exclude(pk__in=sat)
    # The organization's threshold, read once for the page rather than once a row.
    return qs.annotate(stale_days=Value(stale_after_days(org), output_field=IntegerField()))


@router.post("/issues", response={201: IssueOut}, summary="Raise an issue for a team")
def raise_issue(request, payload: IssueIn):
    org = org_of(request)
    team = ref(Team.objects.for_org(org), payload.team_id, "team_id", "team")
    with body_fields(**ROLE_FIELDS):
        issue = services.raise_issue(
            org,
            actor_of(request),
            team,
            payload.title,
            description=payload.description,
            severity=payload.severity,
            again=payload.again,
        )
    return Status(201, get_or_404(_issues(org), issue.pk, "issue"))


@router.get("/issues/{issue_id}", response=IssueOut, summary="Get an issue")
def get_issue(request, issue_id: Id):
    return get_or_404(_issues(org_of(request)), issue_id, "issue")


@router.patch("/issues/{issue_id}", response=IssueOut, summary="Change an issue")
def update_issue(request, issue_id: Id, payload: IssuePatch):
    org = org_of(request)
    issue = get_or_404(Issue.objects.for_org(org), issue_id, "issue")
    services.update_issue(
        org,
        actor_of(request),
        issue,
        expected_version=if_match(request),
        **payload.model_dump(exclude_unset=True),
    )
    return get_or_404(_issues(org), issue.pk, "issue")


@router.post(
    "/issues/{issue_id}/escalate", response=IssueOut, summary="Escalate to the parent team"
)
def escalate_issue(request, issue_id: Id, payload: ReasonIn):
    org = org_of(request)
    issue = get_or_404(Issue.objects.for_org(org), issue_id, "issue")
    services.escalate_issue(org, actor_of(request), issue, payload.reason)
    return get_or_404(_issues(org), issue.pk, "issue")


@router.post("/issues/{issue_id}/solve", response=IssueOut, summary="Solve an issue")
def solve_issue(request, issue_id: Id, payload: SolveIn):
    org = org_of(request)
    issue = get_or_404(Issue.objects.for_org(org), issue_id, "issue")
    decision = ref(Decision.objects.for_org(org), payload.decision_id, "decision_id", "decision")
    services.solve_issue(org, actor_of(request), issue, payload.resolution, decision=decision)
    return get_or_404(_issues(org), issue.pk, "issue")


@router.post("/issues/{issue_id}/drop", response=IssueOut, summary="Drop an issue")
def drop_issue(request, issue_id: Id, payload: ReasonIn):
    org = org_of(request)
    issue = get_or_404(Issue.objects.for_org(org), issue_id, "issue")
    services.drop_issue(org, actor_of(request), issue, payload.reason)
    return get_or_404(_issues(org), issue.pk, "issue")


def _issue_step(request, issue_id: Id, step, *args, **kwargs):
    org = org_of(request)
    issue = get_or_404(Issue.objects.for_org(org), issue_id, "issue")
    step(org, actor_of(request), issue, *args, **kwargs)
    return get_or_404(_issues(org), issue.pk, "issue")


def _person_or_none(org, person_id: Id | None, field: str):
    if person_id is None:
        return None
    found = Person.objects.for_org(org).filter(pk=person_id).first()
    if found is None:
        raise ServiceError(f"No person {person_id} in {org.name}.", fields={field: ["Unknown."]})
    return found


@router.post("/issues/{issue_id}/owner", response=IssueOut, summary="Choose who owns an issue")
def set_issue_owner(request, issue_id: Id, payload: IssueOwnerIn):
    owner = _person_or_none(org_of(request), payload.owner_id, "owner_id")
    return _issue_step(request, issue_id, services.set_issue_owner, owner)


@router.post("/issues/{issue_id}/rank", response=IssueOut, summary="Rank an issue")
def rank_issue(request, issue_id: Id, payload: IssueRankIn):
    return _issue_step(request, issue_id, services.rank_issue, payload.rank)


@router.post(
    "/issues/{issue_id}/vote", response=IssueOut, summary="Vote on an issue (one vote each)"
)
def vote_issue(request, issue_id: Id, payload: IssueVoteIn):
    return _issue_step(request, issue_id, services.vote_issue, payload.value)


@router.post("/issues/{issue_id}/keep", response=IssueOut, summary="Keep for the next meeting")
def keep_issue(request, issue_id: Id, payload: KeepIn):
    return _issue_step(request, issue_id, services.keep_issue, payload.note)


@router.post(
    "/issues/{issue_id}/decide-and-solve",
    response=IssueOut,
    summary="Solve with a decision and action items, in one step",
)
def decide_and_solve_issue(request, issue_id: Id, payload: DecideAndSolveIn):
    org = org_of(request)
    actions = [
        {
            "title": a.title,
            "owner": _person_or_none(org, a.owner_id, "actions"),
            "due_on": a.due_on,
        }
        for a in payload.actions
    ]
    return _issue_step(
        request,
        issue_id,
        services.solve_issue_with_decision,
        outcome=payload.outcome,
        rationale=payload.rationale,
        approver=_person_or_none(org, payload.approver_id, "approver_id"),
        actions=actions,
        require_rationale=True,
    )
