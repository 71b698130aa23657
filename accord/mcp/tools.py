"""The tools: what people ask Accord, answered through the pillars' own queries and
services as the calling token's person. Each docstring is the tool's description."""

import datetime as dt
from typing import Annotated, Literal

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from mcp.types import CallToolResult
from pydantic import Field

from accord.alignment import queries as alignment_queries
from accord.alignment import services as alignment
from accord.alignment.api import KeyResultOut, ObjectiveOut, _initiative, _objective
from accord.alignment.confidence import OFF_TRACK_MAX
from accord.alignment.confidence import word as confidence_word
from accord.alignment.models import (
    Initiative,
    KeyResult,
    KeyResultValue,
    Objective,
    ObjectiveStatus,
)
from accord.api.common import MAX_ID, body_fields, get_or_404, ref
from accord.briefings import compose as briefing_compose
from accord.briefings import queries as briefing_queries
from accord.briefings import render as briefing_render
from accord.briefings import tasks as briefing_tasks
from accord.conversation import targets
from accord.coordination import api as coordination_api
from accord.coordination import queries as coordination_queries
from accord.coordination import services as coordination
from accord.coordination.api import DependencyOut
from accord.coordination.api import _out as decorate_dependencies
from accord.coordination.models import TRANSITIONS, Dependency, Flag, Priority
from accord.core.errors import NotFound, ServiceError
from accord.decisions import queries as decision_queries
from accord.decisions import services as decisions
from accord.decisions.api import ActionItemOut, DecisionOut, IssueOut, _fresh, _issues
from accord.decisions.models import (
    ActionItem,
    ActionSource,
    ActionStatus,
    Decision,
    Issue,
    Severity,
)
from accord.intelligence import queries as signal_queries
from accord.intelligence.models import SignalTeam
from accord.mcp.answers import Section, answer, link
from accord.mcp.server import caller, tool
from accord.org import queries as org_queries
from accord.org.api import TeamOut
from accord.org.models import Membership, Person, Team, leading_first
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import recurrence
from accord.rhythm import services as rhythm
from accord.rhythm.models import Cadence
from accord.search import queries as search_queries

Id = Annotated[int, Field(ge=1, le=MAX_ID)]
TeamRef = Annotated[
    str,
    Field(
        min_length=1,
        max_length=80,
        description="A team's slug (e.g. 'platform') or its id (e.g. '12'); or give team_id.",
    ),
]
ListLimit = 60  # items read per list before the size bound cuts it further


def _dump(schema, obj) -> dict:
    return schema.from_orm(obj).model_dump(mode="json")


def _team(value: str) -> Team:
    org = caller().org
    teams = Team.objects.for_org(org)
    is_id = value.isdigit() and 0 < int(value) <= MAX_ID
    found = teams.filter(pk=int(value)).first() if is_id else None
    found = found or teams.filter(slug=value).first()
    if found is None:
        raise NotFound(f"No team {value!r} in {org.name}.")
    return found


def _team_arg(team_id: int | None, team: str | None, *, required: bool = True) -> Team | None:
    """The team a tool is asked about: `team_id` (as every tool names a team) or `team`, a
    slug or an id; one of them when `required`."""
    if team_id is not None and team is not None:
        raise ServiceError(
            "Give the team once: team_id or team, not both.",
            fields={"team": ["Leave out team when giving team_id."]},
        )
    if team_id is not None:
        found = Team.objects.for_org(caller().org).filter(pk=team_id).first()
        if found is None:
            raise NotFound(f"No team with id {team_id} in {caller().org.name}.")
        return found
    if team is not None:
        return _team(team)
    if required:
        raise ServiceError(
            "Say which team: team_id (its id) or team (its slug).",
            fields={"team_id": ["Required (or give team)."]},
        )
    return None


def _team_path(team: Team) -> str:
    return reverse("org:team", kwargs={"org_slug": team.org.slug, "team_slug": team.slug})


def _page(obj) -> str:
    return link(targets.path(caller().org, obj))


def _org_page(name: str, **kwargs) -> str:
    return link(reverse(name, kwargs={"org_slug": caller().org.slug, **kwargs}))


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def _evidence(items: list[dict]) -> str:
    return "; ".join(f"{e.get('label')}: {e.get('value')}" for e in items[:3])


# --- reading --------------------------------------------------------------------------------


@tool(title="What is at risk")
def what_is_at_risk(team_id: Id | None = None, team: TeamRef | None = None) -> CallToolResult:
    """What is going wrong in a team (`team_id`, or `team`: its slug) and every team below
    it (default: the highest team
    you lead; the whole organization for admins and people who lead nothing): the live
    signals of the intelligence engine, each with severity, explanation and evidence;
    active dependencies that are late or flagged blocked; key results whose objective is
    off track (confidence 3 of 10 or lower) in the current period; and undecided
    decisions past their decide-by date. Most severe first, each with a link."""
    me = caller()
    org = me.org
    scope = _team_arg(team_id, team, required=False)
    team_id = scope.pk if scope else signal_queries.default_scope(org, me.person)
    if scope is None and team_id is not None:
        scope = Team.objects.for_org(org).get(pk=team_id)
    # The subtree as one recursive subquery in each list, never a list of ids: near the
    # top of a large organization it is most of it. When it is every team (the top team),
    # each list keeps what is filed to any team, tested row by row as the list is read.
    ids = org_queries.subtree_ids(scope) if scope else None
    every_team = scope is not None and org_queries.covers_every_team(scope)
    today = timezone.localdate()
    insights = _org_page("intelligence:index") + (f"?scope={team_id}" if team_id else "?scope=all")

    live = signal_queries.signals(org, live=True)
    if every_team:
        live = live.filter(Exists(SignalTeam.objects.filter(signal_id=OuterRef("pk"))))
    elif ids is not None:
        live = live.filter(
            pk__in=SignalTeam.objects.filter(org=org, team_id__in=ids).values("signal_id")
        )
    rows = list(live[:ListLimit])
    urls = signal_queries.resolve_links(
        org, [{"target_type": s.subject_type, "target_id": s.subject_id} for s in rows]
    )
    signals = Section("Signals", more_url=insights, total=live.count())
    for s, u in zip(rows, urls, strict=True):
        url = _org_page("intelligence:signal", signal_id=s.pk)
        signals.add(
            f"[{s.severity}] {s.title} — {s.explanation}"
            + (f" Evidence: {_evidence(s.evidence)}." if s.evidence else "")
            + f" <{url}>",
            {
                "id": s.pk,
                "kind": s.kind,
                "severity": s.severity,
                "title": s.title,
                "explanation": s.explanation,
                "next_step": s.next_step,
                "evidence": s.evidence[:5],
                "subject_url": link(u["url"]),
                "url": url,
            },
        )

    # Every dependency is between two teams: with every team in scope, all of them count.
    deps = coordination_queries.filtered(
        org, team=None if every_team else scope, active=True
    ).filter(coordination_queries.late_q(today) | Q(flag=Flag.BLOCKED))
    dep_rows = decorate_dependencies(list(deps.order_by("due", "id")[:ListLimit]))
    dependencies = Section(
        "Late or blocked dependencies",
        more_url=_org_page("coordination:index"),
        total=deps.count(),
    )
    for d in dep_rows:
        why = "blocked" if d.flag == Flag.BLOCKED else f"late (due {d.due})"
        dependencies.add(
            f"{d.title}: {d.requester_team.name} needs it from {d.provider_team.name}, "
            f"{why}, {d.state} <{_page(d)}>",
            {**_dump(DependencyOut, d), "url": _page(d)},
        )

    period = alignment_queries.current_period(org)
    krs = Section("Off-track key results", more_url=_org_page("alignment:index"), total=0)
    if period is not None:
        qs = (
            KeyResult.objects.for_org(org)
            .filter(
                objective__period=period,
                objective__status=ObjectiveStatus.ACTIVE,
                objective__confidence__lte=OFF_TRACK_MAX,
            )
            .select_related("objective")
            .order_by("objective__confidence", "id")
        )
        if every_team:
            qs = qs.filter(objective__team__isnull=False)
        elif ids is not None:
            qs = qs.filter(objective__team_id__in=ids)
        krs.total = qs.count()
        for k in qs[:ListLimit]:
            krs.add(
                f"{k.name} ({_pct(k.progress)}; objective {k.objective.title!r} "
                f"{confidence_word(k.objective.confidence).lower()}, "
                f"{k.objective.confidence}/10) <{_page(k)}>",
                {**_dump(KeyResultOut, k), "objective": k.objective.title, "url": _page(k)},
            )

    overdue = decision_queries.overdue_decisions(org, today)
    through = Decision.teams.through.objects
    if every_team:
        overdue = overdue.filter(Exists(through.filter(decision_id=OuterRef("pk"))))
    elif ids is not None:
        overdue = overdue.filter(pk__in=through.filter(team_id__in=ids).values("decision_id"))
    late = Section(
        "Overdue decisions",
        more_url=_org_page("decisions:index"),
        total=overdue.count(),
    )
    for d in overdue[:ListLimit]:
        approver = d.approver.name if d.approver else "no approver"
        late.add(
            f"{d.question} (decide by {d.decide_by}, {approver}) <{_page(d)}>",
            {
                "id": d.pk,
                "question": d.question,
                "decide_by": d.decide_by.isoformat(),
                "approver": approver,
                "status": d.status,
                "url": _page(d),
            },
        )
    where = scope.name if scope else f"all of {org.name}"
    return answer(
        f"At risk in {where} (and below), {today.isoformat()}.",
        data={"team": _dump(TeamOut, scope) if scope else None, "date": today.isoformat()},
        sections=[signals, dependencies, krs, late],
    )


@tool(title="My week")
def my_week() -> CallToolResult:
    """Your week in Accord: check-ins you owe (with the cadence id and occurrence key
    submit_check_in takes), your meetings of the next 7 days, key results you own to
    update, decisions waiting on you as approver, your overdue and due-soon action items,
    requests to your teams awaiting an answer, and the live signals that concern you."""
    me = caller()
    org, person = me.org, me.person
    now = timezone.now()
    today = timezone.localdate()
    scope = rhythm_queries.PersonScope.load(org, person)
    cads = rhythm_queries.person_cadences(org, person, scope)

    owed = Section("Check-ins owed", empty="none due")
    for o in rhythm_queries.owed_checkins(
        org, person, now - dt.timedelta(days=2), now + dt.timedelta(days=7), scope=scope, cads=cads
    ):
        if o.state not in ("upcoming", "open", "overdue"):
            continue
        owed.add(
            f"{o.cadence.name}: due {o.occurrence.start:%a %d %b %H:%M} UTC, {o.state} "
            f"(cadence_id {o.cadence.pk}, occurrence {o.occurrence.key})",
            {
                "cadence_id": o.cadence.pk,
                "cadence": o.cadence.name,
                "occurrence": o.occurrence.key,
                "due_at": o.occurrence.start.isoformat(),
                "state": o.state,
            },
        )

    meetings = Section("Meetings", empty="none in the next 7 days")
    for u in rhythm_queries.meetings_between(
        org, cads, now - dt.timedelta(hours=1), now + dt.timedelta(days=7)
    )[:ListLimit]:
        meetings.add(
            f"{u.cadence.name}: {u.occurrence.start:%a %d %b %H:%M} UTC",
            {
                "cadence_id": u.cadence.pk,
                "cadence": u.cadence.name,
                "starts_at": u.occurrence.start.isoformat(),
                "meeting_id": u.meeting.pk if u.meeting else None,
            },
        )

    period = alignment_queries.current_period(org)
    mine = alignment_queries.my_key_results(org, person, period)
    krs = Section("Key results to update", total=mine.count(), more_url=_org_page("web:home"))
    for k in mine[:ListLimit]:
        krs.add(
            f"{k.name}: {k.current} of {k.target} {k.unit} ({_pct(k.progress)}) "
            f"[key_result_id {k.pk}] <{_page(k)}>",
            {**_dump(KeyResultOut, k), "url": _page(k)},
        )

    waiting_qs = decision_queries.waiting_on(person)
    waiting = Section("Decisions waiting on you", total=waiting_qs.count())
    for d in waiting_qs[:ListLimit]:
        due = f", decide by {d.decide_by}" if d.decide_by else ""
        waiting.add(
            f"{d.question} ({d.status}{due}) <{_page(d)}>",
            {"id": d.pk, "question": d.question, "status": d.status, "url": _page(d)},
        )

    items_qs = (
        ActionItem.objects.for_org(org)
        .filter(owner=person, status=ActionStatus.OPEN, due_on__lte=today + dt.timedelta(days=7))
        .order_by("due_on", "id")
    )
    items = Section(
        "Action items due",
        total=items_qs.count(),
        more_url=_org_page("decisions:actions"),
        empty="none due this week",
    )
    for a in items_qs[:ListLimit]:
        state = "overdue" if a.due_on < today else "due"
        items.add(f"{a.title} ({state} {a.due_on}) [id {a.pk}]", _dump(ActionItemOut, a))

    asks = Section("Requests awaiting your teams' answer")
    for d in coordination_queries.new_requests_for_lead(org, person)[:ListLimit]:
        asks.add(
            f"{d.title}: {d.requester_team.name} asks {d.provider_team.name}, need by "
            f"{d.need_by} [dependency_id {d.pk}] <{_page(d)}>",
            {"id": d.pk, "title": d.title, "need_by": d.need_by.isoformat(), "url": _page(d)},
        )

    signals = Section("Signals for you", more_url=_org_page("intelligence:index"))
    for s in signal_queries.for_person(org, person, limit=20):
        url = _org_page("intelligence:signal", signal_id=s.pk)
        signals.add(
            f"[{s.severity}] {s.title} <{url}>",
            {"id": s.pk, "severity": s.severity, "title": s.title, "url": url},
        )
    return answer(
        f"The week of {person.name} in {org.name}, from {today.isoformat()}.",
        data={"person": {"id": person.pk, "name": person.name}, "today": today.isoformat()},
        sections=[owed, meetings, krs, waiting, items, asks, signals],
    )


@tool(title="Team briefing")
def briefing(team_id: Id | None = None, team: TeamRef | None = None) -> CallToolResult:
    """The latest weekly briefing of a team (`team_id`, or `team`: its slug): what changed,
    what is at risk, what needs a decision, what is blocked between teams and what went
    well, as its page shows it."""
    found = _team_arg(team_id, team)
    org = caller().org
    b = briefing_queries.latest_team_briefing(org, found)
    if b is None:
        # As the API does: queue the build of last week's (once per team and week) for the
        # worker, and say when to ask again.
        week = briefing_compose.last_complete_week(timezone.now())
        briefing_tasks.request_build(org.pk, week.label, week.tz, team_id=found.pk)
        return answer(
            f"{found.name} has no weekly briefing yet; the one of the week of {week.span()} "
            "is being prepared: ask again in a minute.",
            data={"team": _dump(TeamOut, found), "briefing": None, "preparing": week.label},
        )
    url = _org_page("briefings:detail", briefing_id=b.pk)
    body = briefing_render.text(b.content)
    return answer(
        f"{body}\n<{url}>",
        data={
            "team": _dump(TeamOut, found),
            "week": b.week,
            "url": url,
            "title": b.content.get("title"),
            "headline": (b.content.get("headline") or {}).get("text"),
            "sections": [
                {
                    "title": s["title"],
                    "items": [it["text"] for it in s["items"]],
                    "more": s.get("more", 0),
                }
                for s in b.content.get("sections", [])
            ],
        },
    )


SearchKind = Literal[
    "team",
    "person",
    "objective",
    "key_result",
    "initiative",
    "dependency",
    "decision",
    "issue",
    "action_item",
    "meeting",
    "cadence",
    "milestone",
    "period",
]


@tool(title="Search")
def search(
    query: Annotated[str, Field(min_length=1, max_length=200, description="Words to find.")],
    kind: SearchKind | None = None,
) -> CallToolResult:
    """Find teams, people, objectives, key results, initiatives, dependencies, decisions,
    issues, action items, meetings, cadences, milestones and periods by their words, best
    first (at most 20), with links; `kind` narrows it to one kind. A person is also found
    by any of their e-mail addresses or handles (`ada@home.example`, `@ada`,
    `slack:ada`). Use it to find the ids the other tools take."""
    me = caller()
    try:
        hits = search_queries.search(me.org, me.person, query, kind=kind, limit=20)
    except search_queries.QueryTooLong as exc:
        raise ServiceError(
            str(exc) or "The query is too long.", fields={"query": [str(exc)]}
        ) from None
    found = Section("Results", empty="nothing found")
    for h in hits:
        url = link(h.url)
        found.add(
            f"{h.kind_label}: {h.title}" + (f" — {h.detail}" if h.detail else "") + f" <{url}>",
            {"kind": h.kind, "title": h.title, "detail": h.detail, "url": url},
        )
    return answer(f"Search for {query!r}.", data={"query": query}, sections=[found])


@tool(title="Get an objective")
def get_objective(objective_id: Id) -> CallToolResult:
    """An objective: owner, team, period, status, confidence, progress, its parents, and
    its key results with their progress."""
    org = caller().org
    get_or_404(Objective.objects.for_org(org), objective_id, "objective")
    o = _objective(org, objective_id)
    data = _dump(ObjectiveOut, o)
    url = _page(o)
    data["url"] = url
    krs = Section("Key results", empty="no key results")
    for k in KeyResult.objects.for_org(org).filter(objective=o).order_by("position", "id"):
        krs.add(
            f"{k.name}: {k.current} of {k.target} {k.unit} ({_pct(k.progress)}) [id {k.pk}]",
            {**_dump(KeyResultOut, k), "url": _page(k)},
        )
    conf = (
        f"confidence {o.confidence}/10 ({confidence_word(o.confidence)})"
        if o.confidence
        else "no confidence given"
    )
    return answer(
        f"Objective {o.pk}: {o.title}\n{o.get_status_display()}, {conf}, progress "
        f"{_pct(data.get('progress'))}, period {o.period.name}.\n{o.description}\n<{url}>",
        data=data,
        sections=[krs],
    )


@tool(title="Get a key result")
def get_key_result(key_result_id: Id) -> CallToolResult:
    """A key result: its metric (start, target, current value, unit, direction), progress,
    owner, objective, and its last recorded values."""
    org = caller().org
    k = get_or_404(
        KeyResult.objects.for_org(org).select_related("objective"), key_result_id, "key result"
    )
    data = _dump(KeyResultOut, k)
    url = _page(k)
    data["url"] = url
    values = Section("Recent values", empty="no values recorded")
    for v in (
        KeyResultValue.objects.for_org(org)
        .filter(key_result=k)
        .order_by("-recorded_at", "-id")[:20]
    ):
        values.add(
            f"{v.value} on {v.recorded_at:%Y-%m-%d}" + (f" — {v.note}" if v.note else ""),
            {"value": float(v.value), "recorded_at": v.recorded_at.isoformat(), "note": v.note},
        )
    return answer(
        f"Key result {k.pk}: {k.name}\n{k.current} of {k.target} {k.unit} from {k.start} "
        f"({_pct(k.progress)}), objective {k.objective.title!r} [id {k.objective_id}].\n<{url}>",
        data=data,
        sections=[values],
    )


@tool(title="Get an initiative")
def get_initiative(initiative_id: Id) -> CallToolResult:
    """An initiative: the team's work, its status, dates, rank in the team's priority
    stack, what it serves (key results, objectives), and its dependencies both ways."""
    org = caller().org
    get_or_404(Initiative.objects.for_org(org), initiative_id, "initiative")
    i = _initiative(org, initiative_id)
    from accord.alignment.api import InitiativeOut

    data = _dump(InitiativeOut, i)
    url = _page(i)
    data["url"] = url
    deps = Section("Dependencies", empty="none")
    for d in decorate_dependencies(
        list(
            coordination_queries.base(org)
            .filter(Q(requester_initiative=i) | Q(provider_initiative=i))
            .order_by("need_by", "id")[:ListLimit]
        )
    ):
        deps.add(
            f"{d.title}: {d.requester_team.name} → {d.provider_team.name}, {d.state}, "
            f"need by {d.need_by} [id {d.pk}]",
            {**_dump(DependencyOut, d), "url": _page(d)},
        )
    aligned = "serves " + (
        f"{len(data['key_result_ids'])} key results, {len(data['objective_ids'])} objectives"
        if data["aligned"]
        else "nothing (unaligned)"
    )
    return answer(
        f"Initiative {i.pk}: {i.title}\n{i.status}, rank {data.get('rank')}, target "
        f"{data.get('target_date')}, {aligned}.\n{i.description}\n<{url}>",
        data=data,
        sections=[deps],
    )


def _dependency_answer(org, dep_id: int, heading: str = "") -> CallToolResult:
    d = decorate_dependencies([get_or_404(coordination_queries.base(org), dep_id, "dependency")])[0]
    data = _dump(DependencyOut, d)
    url = _page(d)
    data["url"] = url
    flags = ", ".join(
        ([f"flagged {d.get_flag_display().lower()}: {d.flag_note}".rstrip(": ")] if d.flag else [])
        + list(data["risk_reasons"])
    )
    return answer(
        (heading + "\n" if heading else "")
        + f"Dependency {d.pk}: {d.title}\n{d.requester_team.name} needs it from "
        f"{d.provider_team.name} by {d.need_by}; {d.get_state_display()}"
        + (f", committed {d.committed_date}" if d.committed_date else "")
        + f"; {flags or 'on track'}.\nActions allowed now: "
        f"{', '.join(data['allowed_actions']) or 'none'}."
        f"\n{d.description}\n<{url}>",
        data=data,
    )


@tool(title="Get a dependency")
def get_dependency(dependency_id: Id) -> CallToolResult:
    """A dependency between two teams: who needs what from whom by when, its state
    (requested, accepted, negotiating, declined, delivered, cancelled), whether it is late
    or at risk and why, and the actions allowed now (for answer_dependency)."""
    return _dependency_answer(caller().org, dependency_id)


def _decision_answer(org, decision_id: int, heading: str = "") -> CallToolResult:
    d = _fresh(org, decision_id)
    data = _dump(DecisionOut, d)
    url = _page(d)
    data["url"] = url
    lines = [f"Decision {d.pk}: {d.question}", f"Status: {d.get_status_display()}"]
    if d.decide_by:
        lines.append(f"Decide by: {d.decide_by}")
    for label, value in (("Outcome", d.outcome), ("Rationale", d.rationale)):
        if value:
            lines.append(f"{label}: {value}")
    options = Section("Options", empty="no options listed")
    for o in data.get("options", []):
        options.add(str(o.get("text") or o.get("title") or o), o)
    return answer(
        (heading + "\n" if heading else "") + "\n".join(lines) + f"\n<{url}>",
        data=data,
        sections=[options],
    )


@tool(title="Get a decision")
def get_decision(decision_id: Id) -> CallToolResult:
    """A decision: question, options, outcome, rationale, driver, approver, contributors,
    informed, affected teams, status, decide-by date and latency."""
    return _decision_answer(caller().org, decision_id)


@tool(title="Get a team")
def get_team(team_id: Id | None = None, team: TeamRef | None = None) -> CallToolResult:
    """A team (`team_id`, or `team`: its slug): its parent and sub-teams, its leads and
    members, its objectives of the current period, its ranked priority stack and its open
    issues."""
    org = caller().org
    t = _team_arg(team_id, team)
    data = _dump(TeamOut, t)
    url = link(_team_path(t))
    data["url"] = url
    parents = org_queries.ancestors(org, t)
    subs = Section("Sub-teams", empty="none")
    for s in Team.objects.for_org(org).filter(parent=t).order_by("name")[:ListLimit]:
        subs.add(f"{s.name} [{s.slug}, id {s.pk}]", {"id": s.pk, "name": s.name, "slug": s.slug})
    members = Section("People", total=Membership.objects.for_org(org).filter(team=t).count())
    for m in (
        Membership.objects.for_org(org)
        .filter(team=t)
        .select_related("person")
        .order_by(leading_first(), "person__name")[:ListLimit]
    ):
        lead = f" ({m.role})" if m.is_leading else ""  # lead, co-lead, chair
        members.add(
            f"{m.person.name}{lead} [person id {m.person_id}]",
            {"id": m.person_id, "name": m.person.name, "role": m.role},
        )
    period = alignment_queries.current_period(org)
    objectives = Section("Objectives", empty="none this period")
    if period is not None:
        for o in (
            Objective.objects.for_org(org)
            .filter(team=t, period=period)
            .order_by("title")[:ListLimit]
        ):
            objectives.add(
                f"{o.title} ({o.get_status_display()}, {_pct(o.rollup_progress)}) [id {o.pk}]",
                {"id": o.pk, "title": o.title, "status": o.status, "url": _page(o)},
            )
    stack = Section("Priority stack", empty="no ranked work")
    for i in alignment_queries.priority_stack(org, t).items[:ListLimit]:
        stack.add(
            f"{i.title} ({i.status}) [id {i.pk}]",
            {"id": i.pk, "title": i.title, "status": i.status, "url": _page(i)},
        )
    issues = Section("Open issues", empty="none")
    for x in decision_queries.open_issues(org, [t.pk])[:ListLimit]:
        issues.add(
            f"{x.title} ({x.severity}) [id {x.pk}]",
            {"id": x.pk, "title": x.title, "severity": x.severity, "url": _page(x)},
        )
    above = " > ".join(p.name for p in parents)
    return answer(
        f"Team {t.name} [{t.slug}, id {t.pk}]"
        + (f", under {above}" if above else "")
        + f".\n{t.description}\n<{url}>",
        data=data,
        sections=[subs, members, objectives, stack, issues],
    )


# --- writing --------------------------------------------------------------------------------


Text = Annotated[str, Field(max_length=5000)]


@tool(write=True, report=True, title="Record a key result value")
def record_key_result_value(
    key_result_id: Id,
    value: Annotated[float, Field(allow_inf_nan=False, description="For a milestone: 1 done.")],
    note: Annotated[str, Field(max_length=500)] = "",
    as_of: Annotated[
        dt.date | None, Field(description="The day it was measured (default: now).")
    ] = None,
) -> CallToolResult:
    """Record a value of a key result (kept in its history, as the API and the key
    result's page do). The current value is the latest by date: a value `as_of` a day
    before the newest recorded one only joins the history. Members and above; viewers
    cannot."""
    me = caller()
    k = get_or_404(KeyResult.objects.for_org(me.org), key_result_id, "key result")
    alignment.record_key_result_value(me.org, me.person, k, value, note, as_of=as_of)
    return get_key_result(key_result_id)


@tool(write=True, report=True, title="Submit a check-in")
def submit_check_in(
    cadence_id: Id,
    occurrence: Annotated[
        str,
        Field(
            max_length=16,
            description="The occurrence key from my_week, e.g. 20261130T090000Z; "
            "empty: the check-in of this cadence you owe now.",
        ),
    ] = "",
    key_results: dict[int, float] | None = None,
    objectives: Annotated[
        dict[int, str] | None,
        Field(description="Objective id → on_track / at_risk / off_track or 1-10."),
    ] = None,
    initiatives: Annotated[
        dict[int, str] | None, Field(description="Initiative id → its status.")
    ] = None,
    highlights: Text = "",
    blockers: Text = "",
    blocker_team_id: Id | None = None,
) -> CallToolResult:
    """Submit (or update) your check-in for an occurrence of a check-in cadence: key
    result values, objective confidence, initiative status, highlights and blockers. On
    time until the occurrence's due time, late for a while after, refused outside its
    window."""
    me = caller()
    org = me.org
    cadence = get_or_404(Cadence.objects.for_org(org), cadence_id, "cadence")
    if occurrence:
        start = recurrence.parse_key(occurrence)
    else:
        now = timezone.now()
        owed = [
            o
            for o in rhythm_queries.owed_checkins(
                org, me.person, now - dt.timedelta(days=7), now + dt.timedelta(days=7)
            )
            if o.cadence.pk == cadence.pk and o.state in ("open", "overdue", "late", "on_time")
        ]
        if not owed:
            raise ServiceError(
                f"You owe no check-in of {cadence.name} now; give the occurrence key.",
                fields={"occurrence": ["Required: no check-in of this cadence is open now."]},
            )
        start = owed[0].occurrence.original_start
    c = rhythm.submit_checkin(
        org,
        me.person,
        cadence,
        start,
        key_results=key_results or {},
        objectives=objectives or {},
        initiatives=initiatives or {},
        highlights=highlights,
        blockers=blockers,
        blocker_team=ref(Team.objects.for_org(org), blocker_team_id, "blocker_team_id", "team"),
    )
    return answer(
        f"Check-in {c.pk} for {cadence.name} ({c.occurrence_start:%Y-%m-%d %H:%M} UTC): "
        f"{c.get_status_display()}.",
        data={
            "id": c.pk,
            "cadence_id": cadence.pk,
            "occurrence": c.occurrence_start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"),
            "status": c.status,
            "submitted_at": c.submitted_at.isoformat() if c.submitted_at else None,
        },
    )


@tool(write=True, title="Ask another team")
def request_dependency(
    requester_initiative_id: Id,
    provider_team_id: Id,
    title: Annotated[str, Field(min_length=1, max_length=300)],
    need_by: dt.date,
    description: Text = "",
    priority: Literal["low", "medium", "high", "critical"] = Priority.MEDIUM.value,
) -> CallToolResult:
    """Ask another team for something your team's initiative needs, by a date. The
    provider team answers (accept, decline, negotiate) with answer_dependency."""
    me = caller()
    org = me.org
    requester_initiative = ref(
        Initiative.objects.for_org(org).select_related("team"),
        requester_initiative_id,
        "requester_initiative_id",
        "initiative",
    )
    provider_team = ref(Team.objects.for_org(org), provider_team_id, "provider_team_id", "team")
    with body_fields(**coordination_api.BODY_NAMES):
        dep = coordination.create_dependency(
            org,
            me.person,
            requester_initiative=requester_initiative,
            provider_team=provider_team,
            title=title,
            description=description,
            priority=priority,
            need_by=need_by,
        )
    return _dependency_answer(org, dep.pk, "Requested.")


@tool(write=True, title="Edit a request")
def edit_dependency(
    dependency_id: Id,
    title: Annotated[str | None, Field(min_length=1, max_length=300)] = None,
    description: Annotated[str | None, Field(max_length=5000)] = None,
    priority: Literal["low", "medium", "high", "critical"] | None = None,
    need_by: Annotated[
        dt.date | None, Field(description="Another date than its milestone's unties it.")
    ] = None,
    requester_initiative_id: Annotated[
        Id | None, Field(description="Another open initiative of the team asking.")
    ] = None,
    provider_team_id: Annotated[
        Id | None,
        Field(
            description="Another team to ask: the request moves to it, still waiting for "
            "an answer (its leads get it as a new request, the team it leaves is told)."
        ),
    ] = None,
) -> CallToolResult:
    """Edit a request your team made while the team asked has not answered it (state
    requested): what is needed (title, description), its priority, the need-by date, the
    initiative of the asking team it is for, and which team is asked. Give only what
    changes. Members of the asking team, leads of a team above it and admins may; once it
    is answered it is refused: its date and scope then change through answer_dependency
    (propose). A retired team, or the asking team itself, is not asked."""
    me = caller()
    org = me.org
    given = {
        "title": title,
        "description": description,
        "priority": priority,
        "need_by": need_by,
        "requester_initiative_id": requester_initiative_id,
        "provider_team_id": provider_team_id,
    }
    changes = {name: value for name, value in given.items() if value is not None}
    if not changes:
        raise ServiceError(
            f"Say what to change: give one or more of {', '.join(given)}. Nothing was changed.",
            fields={name: ["Not given."] for name in given},
        )
    dep = get_or_404(Dependency.objects.for_org(org), dependency_id, "dependency")
    version = dep.version
    dep = coordination_api.edit_dependency(org, me.person, dep, changes)
    edited = "Edited." if dep.version != version else "Nothing changed: it already says so."
    return _dependency_answer(org, dep.pk, edited)


Action = Literal[tuple(TRANSITIONS)]  # type: ignore[valid-type]


@tool(write=True, title="Answer a dependency")
def answer_dependency(
    dependency_id: Id,
    action: Action,
    note: Text = "",
    committed_date: dt.date | None = None,
    provider_initiative_id: Id | None = None,
    proposed_date: dt.date | None = None,
    proposed_scope: Text | None = None,
) -> CallToolResult:
    """Take an action on a dependency: the provider accepts (optionally with a committed
    date and the initiative that delivers it), declines (with a note) or negotiates (a
    proposed date or scope: a scope left out keeps the one on the table, an empty one
    drops it); either side flags it at risk or blocked or clears the flag;
    the provider marks it delivered; the requester cancels. get_dependency lists the
    actions allowed now."""
    me = caller()
    org = me.org
    dep = get_or_404(Dependency.objects.for_org(org), dependency_id, "dependency")
    coordination.transition(
        org,
        me.person,
        dep,
        action,
        note=note,
        committed_date=committed_date,
        provider_initiative=ref(
            Initiative.objects.for_org(org),
            provider_initiative_id,
            "provider_initiative_id",
            "initiative",
        ),
        proposed_date=proposed_date,
        proposed_scope=proposed_scope,
    )
    return _dependency_answer(org, dep.pk, f"Done: {action}.")


def _people(org, ids: list[int], field: str) -> list[Person]:
    return [ref(Person.objects.for_org(org), pk, field, "person") for pk in ids]


@tool(write=True, title="Log a decision")
def log_decision(
    question: Annotated[str, Field(min_length=1, max_length=300)],
    approver_id: Id,
    outcome: Text = "",
    rationale: Text = "",
    context: Text = "",
    team_ids: list[Id] | None = None,
    decide_by: dt.date | None = None,
) -> CallToolResult:
    """Open a decision in the decision log: the question, who approves it (a person id,
    e.g. from search), the teams it affects and when it must be decided; with an outcome
    and rationale when it is already known. You are its driver."""
    me = caller()
    org = me.org
    d = decisions.create_decision(
        org,
        me.person,
        question,
        approver=ref(Person.objects.for_org(org), approver_id, "approver_id", "person"),
        outcome=outcome,
        context=context,
        rationale=rationale,
        teams=[ref(Team.objects.for_org(org), pk, "team_ids", "team") for pk in team_ids or []],
        decide_by=decide_by,
    )
    return _decision_answer(org, d.pk, "Logged.")


@tool(write=True, title="Add an action item")
def add_action_item(
    title: Annotated[str, Field(min_length=1, max_length=300)],
    owner_id: Id | None = None,
    due_on: dt.date | None = None,
    team_id: Id | None = None,
    decision_id: Id | None = None,
) -> CallToolResult:
    """Record an action item: what must be done, by whom (default: you), by when, for
    which team, and the decision it comes from if any."""
    me = caller()
    org = me.org
    owner = ref(Person.objects.for_org(org), owner_id, "owner_id", "person") or me.person
    if decision_id is not None:
        ref(decision_queries.decisions(org), decision_id, "decision_id", "decision")
    item = decisions.create_action_item(
        org,
        me.person,
        title,
        owner,
        due_on=due_on,
        team=ref(Team.objects.for_org(org), team_id, "team_id", "team"),
        source_type=ActionSource.DECISION if decision_id else ActionSource.NONE,
        source_id=decision_id,
    )
    data = _dump(ActionItemOut, item)
    due = f", due {item.due_on}" if item.due_on else ""
    return answer(
        f"Action item {item.pk}: {item.title} — {owner.name}{due}.\n"
        f"<{_org_page('decisions:actions')}>",
        data=data,
    )


def _issue_answer(org, issue_id: int, heading: str) -> CallToolResult:
    issue = get_or_404(_issues(org), issue_id, "issue")
    data = _dump(IssueOut, issue)
    url = _page(issue)
    data["url"] = url
    return answer(
        f"{heading}\nIssue {issue.pk}: {issue.title} ({issue.severity}, {issue.status}) at "
        f"{issue.team.name}.\n<{url}>",
        data=data,
    )


@tool(write=True, title="Raise an issue")
def raise_issue(
    team_id: Id,
    title: Annotated[str, Field(min_length=1, max_length=300)],
    description: Text = "",
    severity: Literal["low", "medium", "high", "critical"] = Severity.MEDIUM.value,
) -> CallToolResult:
    """Raise a problem for a team to solve; if the team cannot, escalate_issue moves it up
    the team tree until someone owns it."""
    me = caller()
    org = me.org
    issue = decisions.raise_issue(
        org,
        me.person,
        ref(Team.objects.for_org(org), team_id, "team_id", "team"),
        title,
        description=description,
        severity=severity,
    )
    return _issue_answer(org, issue.pk, "Raised.")


@tool(write=True, title="Escalate an issue")
def escalate_issue(
    issue_id: Id, reason: Annotated[str, Field(min_length=1, max_length=2000)]
) -> CallToolResult:
    """Escalate an open issue to the parent of the team that holds it, saying why."""
    me = caller()
    org = me.org
    issue = get_or_404(Issue.objects.for_org(org), issue_id, "issue")
    decisions.escalate_issue(org, me.person, issue, reason)
    return _issue_answer(org, issue.pk, "Escalated.")
