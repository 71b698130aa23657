"""The tools: what people ask Accord, answered through the pillars' own queries and
services as the calling token's person. Each docstring is the tool's description."""

import datetime as dt
import zoneinfo
from typing import Annotated, Literal, get_args

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from mcp.types import CallToolResult
from pydantic import Field

from accord.alignment import queries as alignment_queries
from accord.alignment import services as alignment
from accord.alignment.api import (
    KeyResultOut,
    ObjectiveOut,
    _initiative,
    _objective,
    require_value_report,
)
from accord.alignment.confidence import OFF_TRACK_MAX
from accord.alignment.confidence import word as confidence_word
from accord.alignment.models import (
    Initiative,
    InitiativeStatus,
    KeyResult,
    KeyResultValue,
    Objective,
    ObjectiveStatus,
)
from accord.alignment.progress import kr_outside_limit
from accord.alignment.services import ANYWAY_IN_MCP
from accord.api.common import MAX_ID, Id, Offset, body_fields, get_or_404, ref
from accord.api.models import TokenScope
from accord.api.scopes import require_scope
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
from accord.core import twice
from accord.core.counting import COUNT_UP_TO, count_up_to
from accord.core.days import org_today
from accord.core.errors import NotFound, ServiceError
from accord.decisions import queries as decision_queries
from accord.decisions import services as decisions
from accord.decisions.api import ROLE_FIELDS as DECISION_FIELDS
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
from accord.rhythm import agenda, recurrence
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import services as rhythm
from accord.rhythm.models import Cadence, Meeting, MeetingStatus, Scope
from accord.search import queries as search_queries
from accord.web.templatetags.dates import weekday_moment
from accord.web.templatetags.people import name_of

# Ids are the API's (`accord.api.common.Id`): a whole number from 1, never true or false.
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
    # Progress is 0-100 already (`alignment.progress`), as the API and the pages show it.
    return "n/a" if value is None else f"{round(value)}%"


def _kr_pct(k) -> str:
    """A key result's progress as the pages say it: a level to hold on the wrong side of
    its limit, "outside its limit" (`alignment.progress.kr_outside_limit`) rather than
    its 0%."""
    return kr_outside_limit(k) or _pct(k.progress)


def _evidence(items: list[dict]) -> str:
    return "; ".join(f"{e.get('label')}: {e.get('value')}" for e in items[:3])


# --- reading --------------------------------------------------------------------------------


def _paged(
    key: str,
    title: str,
    *,
    total: int,
    offset: int,
    next_call: str,
    empty: str = "none",
    cap: int | None = None,
) -> Section:
    """A list a tool reads from `offset` on (at most ListLimit items), of `total` items in
    all (counted up to `cap`, when given: beyond, the answer says counting stopped there).
    Cut to fit, it says how to read on: `next_call` (the same tool again, this list only),
    with the offset the answer adds."""
    note = ""
    if cap is not None and total > cap:
        total, note = cap, f"More than {cap:,} in all: counting stopped there."
    return Section(
        key,
        title,
        total=total,
        offset=offset,
        next_call=next_call,
        empty=empty if not offset else f"none after the first {offset}",
        note=note,
    )


def _only_call(tool_name: str, only: str, *args: str) -> str:
    """How to read on in one of a tool's lists: the same call (`args`), that list only."""
    named = [*args, f'only="{only}"']
    return f"{tool_name} again with {', '.join(named)}"


def _only_arg(lists: str) -> object:
    return Field(description=f"One list alone (to read further in it with offset): {lists}.")


OffsetArg = Annotated[
    Offset, Field(description="Items of each list to skip: the offset a cut list names.")
]

RiskList = Literal["signals", "dependencies", "key_results", "decisions"]
SignalSeverity = Literal["critical", "warning", "info"]


def _risk_call(only: str, team: Team | None, severity: str | None) -> str:
    """How to read on in one of what_is_at_risk's lists: the same call, that list only."""
    args = [f"team_id={team.pk}"] if team else []
    call = _only_call("what_is_at_risk", only, *args)
    return call + (f', severity="{severity}"' if severity and only == "signals" else "")


@tool(title="What is at risk")
def what_is_at_risk(
    team_id: Id | None = None,
    team: TeamRef | None = None,
    only: Annotated[
        RiskList | None, _only_arg("signals, dependencies, key_results or decisions")
    ] = None,
    severity: Annotated[
        SignalSeverity | None,
        Field(description="Only the signals of this severity: critical, warning or info."),
    ] = None,
    offset: OffsetArg = 0,
) -> CallToolResult:
    """What is going wrong in a team (`team_id`, or `team`: its slug) and every team below
    it (default: the highest team
    you lead; the whole organization for admins and people who lead nothing): the live
    signals of the intelligence engine, each with severity, explanation and evidence;
    active dependencies that are late or flagged blocked; key results whose objective is
    off track (confidence 3 of 10 or lower) in the current period; and undecided
    decisions past their decide-by date. Most severe first, each with a link. A list cut
    to fit says how to read on: call again with `only` (that list) and `offset`;
    `severity` keeps the signals of one severity."""
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
    today = org_today()  # late and overdue on the organization's day, as on the pages
    wanted = {only} if only else {"signals", "dependencies", "key_results", "decisions"}
    page = slice(offset, offset + ListLimit)
    sections = []

    def section(key: str, title: str, total: int) -> Section:
        return _paged(
            key, title, total=total, offset=offset, next_call=_risk_call(key, scope, severity)
        )

    if "signals" in wanted:
        live = signal_queries.signals(org, live=True, severity=severity)
        if every_team:
            live = live.filter(Exists(SignalTeam.objects.filter(signal_id=OuterRef("pk"))))
        elif ids is not None:
            live = live.filter(
                pk__in=SignalTeam.objects.filter(org=org, team_id__in=ids).values("signal_id")
            )
        signals = section("signals", "Signals", live.count())
        for s in live[page]:
            url = _org_page("intelligence:signal", signal_id=s.pk)
            evidence = s.evidence[:3]
            signals.add(
                f"[{s.severity}] {s.title} — {s.explanation}"
                + (f" Evidence: {_evidence(evidence)}." if evidence else "")
                + f" <{url}>",
                {
                    "id": s.pk,
                    "kind": s.kind,
                    "severity": s.severity,
                    "title": s.title,
                    "explanation": s.explanation,
                    "evidence": [f"{e.get('label')}: {e.get('value')}" for e in evidence],
                    "url": url,
                },
            )
        sections.append(signals)

    if "dependencies" in wanted:
        # Every dependency is between two teams: with every team in scope, all of them count.
        deps = coordination_queries.filtered(
            org, team=None if every_team else scope, active=True
        ).filter(coordination_queries.late_q(coordination_queries.today()) | Q(flag=Flag.BLOCKED))
        dependencies = section("dependencies", "Late or blocked dependencies", deps.count())
        for d in decorate_dependencies(list(deps.order_by("due", "id")[page])):
            why = "blocked" if d.flag == Flag.BLOCKED else f"late (due {d.due})"
            dependencies.add(
                f"{d.title}: {d.requester_team.name} needs it from {d.provider_team.name}, "
                f"{why}, {d.state} [id {d.pk}] <{_page(d)}>",
                {
                    "id": d.pk,
                    "title": d.title,
                    "requester_team": d.requester_team.name,
                    "provider_team": d.provider_team.name,
                    "state": d.state,
                    "flag": d.flag,
                    "due": d.due.isoformat() if d.due else None,
                    "url": _page(d),
                },
            )
        sections.append(dependencies)

    if "key_results" in wanted:
        period = alignment_queries.current_period(org)
        krs = section("key_results", "Off-track key results", 0)
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
            for k in qs[page]:
                krs.add(
                    f"{k.name} ({_kr_pct(k)}; objective {k.objective.title!r} "
                    f"{confidence_word(k.objective.confidence).lower()}, "
                    f"{k.objective.confidence}/10) [id {k.pk}] <{_page(k)}>",
                    {
                        "id": k.pk,
                        "name": k.name,
                        "progress": round(k.progress, 1),
                        "outside_limit": kr_outside_limit(k),
                        "objective_id": k.objective_id,
                        "objective": k.objective.title,
                        "confidence": k.objective.confidence,
                        "url": _page(k),
                    },
                )
        sections.append(krs)

    if "decisions" in wanted:
        overdue = decision_queries.overdue_decisions(org, today)
        through = Decision.teams.through.objects
        if every_team:
            overdue = overdue.filter(Exists(through.filter(decision_id=OuterRef("pk"))))
        elif ids is not None:
            overdue = overdue.filter(pk__in=through.filter(team_id__in=ids).values("decision_id"))
        late = section("decisions", "Overdue decisions", overdue.count())
        for d in overdue[page]:
            approver = d.approver.name if d.approver else "no approver"
            late.add(
                f"{d.question} (decide by {d.decide_by}, {name_of(d.approver) or approver}) "
                f"[id {d.pk}] <{_page(d)}>",
                {
                    "id": d.pk,
                    "question": d.question,
                    "decide_by": d.decide_by.isoformat(),
                    "approver": approver,
                    "approver_is_active": d.approver.is_active if d.approver else None,
                    "status": d.status,
                    "url": _page(d),
                },
            )
        sections.append(late)
    where = scope.name if scope else f"all of {org.name}"
    return answer(
        f"At risk in {where} (and below), {today.isoformat()}.",
        data={"team": _dump(TeamOut, scope) if scope else None, "date": today.isoformat()},
        sections=sections,
    )


def _zone(person: Person) -> zoneinfo.ZoneInfo:
    """The person's time zone (UTC when theirs is not one the zone database knows)."""
    try:
        return zoneinfo.ZoneInfo(person.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _their(moment: dt.datetime, zone: zoneinfo.ZoneInfo) -> str:
    """A moment as its person reads it, as the check-in refusals say it: "Wed 9 Dec 2026,
    20:30" in their zone (the answer names the zone once)."""
    return weekday_moment(moment.astimezone(zone))


WeekList = Literal[
    "checkins_owed",
    "meetings",
    "key_results",
    "decisions_waiting",
    "action_items_due",
    "requests_to_answer",
    "signals",
]


@tool(title="My week")
def my_week(
    only: Annotated[
        WeekList | None,
        _only_arg(
            "checkins_owed, meetings, key_results, decisions_waiting, action_items_due, "
            "requests_to_answer or signals"
        ),
    ] = None,
    offset: OffsetArg = 0,
) -> CallToolResult:
    """Your week in Accord: check-ins you owe (with the cadence id and occurrence key
    submit_check_in takes), your meetings of the next 7 days, key results you own to
    update, decisions waiting on you as approver, your overdue and due-soon action items,
    requests to your teams awaiting an answer, and the live signals that concern you.
    Times are in your time zone, which the answer names. A list cut to fit says how to
    read on: call again with `only` (that list) and `offset`."""
    me = caller()
    org, person = me.org, me.person
    zone = _zone(person)
    now = timezone.now()
    today = now.astimezone(zone).date()
    wanted = {only} if only else set(get_args(WeekList))
    page = slice(offset, offset + ListLimit)
    # The lists counted by reading their rows (requests, signals) read one page ahead at
    # most: near the top of a large organization a lead's signals are thousands.
    bound = offset + 2 * ListLimit
    sections = []

    def section(
        key: str, title: str, total: int, empty: str = "none", cap: int | None = None
    ) -> Section:
        return _paged(
            key,
            title,
            total=total,
            offset=offset,
            next_call=_only_call("my_week", key),
            empty=empty,
            cap=cap,
        )

    if wanted & {"checkins_owed", "meetings"}:
        scope = rhythm_queries.PersonScope.load(org, person)
        cads = rhythm_queries.person_cadences(org, person, scope)

    if "checkins_owed" in wanted:
        owed_now = [
            o
            for o in rhythm_queries.owed_checkins(
                org,
                person,
                now - dt.timedelta(days=2),
                now + dt.timedelta(days=7),
                scope=scope,
                cads=cads,
            )
            if o.state in ("upcoming", "open", "overdue")
        ]
        owed = section("checkins_owed", "Check-ins owed", len(owed_now), empty="none due")
        for o in owed_now[page]:
            window = (
                f"opens {_their(o.opens, zone)}"
                if o.state == "upcoming"
                else f"window closes {_their(o.late_until, zone)}"
            )
            owed.add(
                f"{o.cadence.name}: due {_their(o.occurrence.start, zone)}, {o.state}, "
                f"{window} (cadence_id {o.cadence.pk}, occurrence {o.occurrence.key})",
                {
                    "cadence_id": o.cadence.pk,
                    "cadence": o.cadence.name,
                    "occurrence": o.occurrence.key,
                    "due_at": o.occurrence.start.astimezone(zone).isoformat(),
                    "opens_at": o.opens.astimezone(zone).isoformat(),
                    "closes_at": o.late_until.astimezone(zone).isoformat(),
                    "state": o.state,
                },
            )
        sections.append(owed)

    if "meetings" in wanted:
        upcoming = rhythm_queries.meetings_ahead(org, cads, now, now + dt.timedelta(days=7))
        meetings = section("meetings", "Meetings", len(upcoming), empty="none in the next 7 days")
        for u in upcoming[page]:
            meetings.add(
                f"{u.cadence.name}: {_their(u.occurrence.start, zone)} "
                f"(cadence_id {u.cadence.pk}, occurrence {u.occurrence.key})",
                {
                    "cadence_id": u.cadence.pk,
                    "cadence": u.cadence.name,
                    "occurrence": u.occurrence.key,
                    "starts_at": u.occurrence.start.astimezone(zone).isoformat(),
                    "meeting_id": u.meeting.pk if u.meeting else None,
                },
            )
        sections.append(meetings)

    if "key_results" in wanted:
        period = alignment_queries.current_period(org)
        mine = alignment_queries.my_key_results(org, person, period)
        krs = section("key_results", "Key results to update", mine.count())
        for k in mine[page]:
            krs.add(
                f"{k.name}: {k.current} of {k.target} {k.unit} ({_kr_pct(k)}) "
                f"[key_result_id {k.pk}] <{_page(k)}>",
                {
                    "id": k.pk,
                    "name": k.name,
                    "current": k.current,
                    "target": k.target,
                    "unit": k.unit,
                    "progress": round(k.progress, 1),
                    "outside_limit": kr_outside_limit(k),
                    "url": _page(k),
                },
            )
        sections.append(krs)

    if "decisions_waiting" in wanted:
        waiting_qs = decision_queries.waiting_on(person)
        waiting = section("decisions_waiting", "Decisions waiting on you", waiting_qs.count())
        for d in waiting_qs[page]:
            due = f", decide by {d.decide_by}" if d.decide_by else ""
            waiting.add(
                f"{d.question} ({d.status}{due}) [decision_id {d.pk}] <{_page(d)}>",
                {"id": d.pk, "question": d.question, "status": d.status, "url": _page(d)},
            )
        sections.append(waiting)

    if "action_items_due" in wanted:
        items_qs = (
            ActionItem.objects.for_org(org)
            .filter(
                owner=person, status=ActionStatus.OPEN, due_on__lte=today + dt.timedelta(days=7)
            )
            .order_by("due_on", "id")
        )
        items = section(
            "action_items_due", "Action items due", items_qs.count(), empty="none due this week"
        )
        for a in items_qs[page]:
            state = "overdue" if a.due_on < today else "due"
            items.add(
                f"{a.title} ({state} {a.due_on}) [action_item_id {a.pk}]",
                {"id": a.pk, "title": a.title, "due_on": a.due_on.isoformat(), "state": state},
            )
        sections.append(items)

    if "requests_to_answer" in wanted:
        new = coordination_queries.new_requests_for_lead(org, person, limit=bound + 1)
        asks = section(
            "requests_to_answer", "Requests awaiting your teams' answer", len(new), cap=bound
        )
        for d in new[page]:
            asks.add(
                f"{d.title}: {d.requester_team.name} asks {d.provider_team.name}, need by "
                f"{d.need_by} [dependency_id {d.pk}] <{_page(d)}>",
                {"id": d.pk, "title": d.title, "need_by": d.need_by.isoformat(), "url": _page(d)},
            )
        sections.append(asks)

    if "signals" in wanted:
        live = signal_queries.for_person(org, person, limit=bound + 1)
        signals = section("signals", "Signals for you", len(live), cap=bound)
        for s in live[page]:
            url = _org_page("intelligence:signal", signal_id=s.pk)
            signals.add(
                f"[{s.severity}] {s.title} <{url}>",
                {"id": s.pk, "severity": s.severity, "title": s.title, "url": url},
            )
        sections.append(signals)

    return answer(
        f"The week of {person.name} in {org.name}, from {today.isoformat()}. Times are in "
        f"{zone.key}, your time zone.",
        data={
            "person": {"id": person.pk, "name": person.name},
            "today": today.isoformat(),
            "time_zone": zone.key,
        },
        sections=sections,
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
    `slack:ada`). Each result carries its `id`: the id the other tools take (a team's
    as team_id, a person's as owner_id or approver_id, a key result's as key_result_id…)."""
    me = caller()
    try:
        hits = search_queries.search(me.org, me.person, query, kind=kind, limit=20)
    except search_queries.QueryTooLong as exc:
        raise ServiceError(
            str(exc) or "The query is too long.", fields={"query": [str(exc)]}
        ) from None
    found = Section("results", "Results", empty="nothing found")
    for h in hits:
        url = link(h.url)
        found.add(
            f"{h.kind_label} {h.object_id}: {h.title}"
            + (f" — {h.detail}" if h.detail else "")
            + f" <{url}>",
            {"kind": h.kind, "id": h.object_id, "title": h.title, "detail": h.detail, "url": url},
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
    krs = Section("key_results", "Key results", empty="no key results")
    for k in KeyResult.objects.for_org(org).filter(objective=o).order_by("position", "id"):
        krs.add(
            f"{k.name}: {k.current} of {k.target} {k.unit} ({_kr_pct(k)}) [id {k.pk}]",
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
    values = Section("recent_values", "Recent values", empty="no values recorded")
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
        f"({_kr_pct(k)}), objective {k.objective.title!r} [id {k.objective_id}].\n<{url}>",
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
    deps = Section("dependencies", "Dependencies", empty="none")
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
    options = Section("options", "Options", empty="no options listed")
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


TeamList = Literal["sub_teams", "people", "objectives", "priority_stack", "open_issues"]


@tool(title="Get a team")
def get_team(
    team_id: Id | None = None,
    team: TeamRef | None = None,
    only: Annotated[
        TeamList | None,
        _only_arg("sub_teams, people, objectives, priority_stack or open_issues"),
    ] = None,
    offset: OffsetArg = 0,
) -> CallToolResult:
    """A team (`team_id`, or `team`: its slug): its parent and sub-teams, its leads and
    members, its objectives of the current period, its ranked priority stack and its open
    issues. A list cut to fit says how to read on: call again with `only` (that list) and
    `offset`."""
    org = caller().org
    t = _team_arg(team_id, team)
    data = _dump(TeamOut, t)
    url = link(_team_path(t))
    data["url"] = url
    parents = org_queries.ancestors(org, t)
    wanted = {only} if only else set(get_args(TeamList))
    page = slice(offset, offset + ListLimit)
    sections = []

    def section(key: str, title: str, total: int, empty: str = "none") -> Section:
        return _paged(
            key,
            title,
            total=total,
            offset=offset,
            next_call=_only_call("get_team", key, f"team_id={t.pk}"),
            empty=empty,
        )

    if "sub_teams" in wanted:
        below = Team.objects.for_org(org).filter(parent=t).order_by("name", "id")
        subs = section("sub_teams", "Sub-teams", below.count())
        for s in below[page]:
            subs.add(
                f"{s.name} [{s.slug}, id {s.pk}]", {"id": s.pk, "name": s.name, "slug": s.slug}
            )
        sections.append(subs)
    if "people" in wanted:
        terms = Membership.objects.for_org(org).filter(team=t)
        members = section("people", "People", terms.count())
        terms = terms.select_related("person").order_by(leading_first(), "person__name", "id")
        for m in terms[page]:
            lead = f" ({m.role})" if m.is_leading else ""  # lead, co-lead, chair
            members.add(
                f"{m.person.name}{lead} [person id {m.person_id}]",
                {"id": m.person_id, "name": m.person.name, "role": m.role},
            )
        sections.append(members)
    if "objectives" in wanted:
        period = alignment_queries.current_period(org)
        objectives = section("objectives", "Objectives", 0, empty="none this period")
        if period is not None:
            held = (
                Objective.objects.for_org(org).filter(team=t, period=period).order_by("title", "id")
            )
            objectives.total = held.count()
            for o in held[page]:
                objectives.add(
                    f"{o.title} ({o.get_status_display()}, {_pct(o.rollup_progress)}) [id {o.pk}]",
                    {"id": o.pk, "title": o.title, "status": o.status, "url": _page(o)},
                )
        sections.append(objectives)
    if "priority_stack" in wanted:
        ranked = alignment_queries.priority_stack(org, t).items
        stack = section("priority_stack", "Priority stack", len(ranked), empty="no ranked work")
        for i in ranked[page]:
            stack.add(
                f"{i.title} ({i.status}) [id {i.pk}]",
                {"id": i.pk, "title": i.title, "status": i.status, "url": _page(i)},
            )
        sections.append(stack)
    if "open_issues" in wanted:
        open_qs = decision_queries.open_issues(org, [t.pk])
        issues = section("open_issues", "Open issues", open_qs.count())
        for x in open_qs[page]:
            issues.add(
                f"{x.title} ({x.severity}) [id {x.pk}]",
                {"id": x.pk, "title": x.title, "severity": x.severity, "url": _page(x)},
            )
        sections.append(issues)
    above = " > ".join(p.name for p in parents)
    return answer(
        f"Team {t.name} [{t.slug}, id {t.pk}]"
        + (f", under {above}" if above else "")
        + f".\n{t.description}\n<{url}>",
        data=data,
        sections=sections,
    )


# --- writing --------------------------------------------------------------------------------


Text = Annotated[str, Field(max_length=5000)]


def _again(what: str, rule: str = "") -> object:
    """The `again` argument of a tool that makes something (`accord.core.twice`)."""
    rule = rule or (
        f"the same {what} you made within the last {twice.WINDOW.seconds // 60} minutes, "
        "still open,"
    )
    return Field(
        description="Set true only to make a second, identical one on purpose. Without it, "
        f"{rule} is refused as a retried call (code duplicate), naming the one made then "
        "and its id."
    )


AgainValue = Annotated[bool, _again("value (same value and note)")]
AgainRequest = Annotated[
    bool,
    _again(
        "request",
        "a request for the same thing from the same team for the same initiative while one "
        "is active, whoever asked it,",
    ),
]
AgainDecision = Annotated[bool, _again("decision (same question and approver)")]
AgainItem = Annotated[bool, _again("action item (same title and owner)")]
AgainIssue = Annotated[bool, _again("issue (same title, same team)")]


@tool(write=True, report=True, title="Record a key result value")
def record_key_result_value(
    key_result_id: Id,
    value: Annotated[float, Field(allow_inf_nan=False, description="For a milestone: 1 done.")],
    note: Annotated[str, Field(max_length=500)] = "",
    as_of: Annotated[
        dt.date | None, Field(description="The day it was measured (default: now).")
    ] = None,
    confirm: Annotated[
        bool,
        Field(
            description="Record a value that looks like a slip anyway: a percentage outside "
            "0 to 100, or one far outside the key result's start, target and recent values "
            "is refused (code unusual_value) without it. Check the value with the person "
            "before setting it."
        ),
    ] = False,
    again: AgainValue = False,
) -> CallToolResult:
    """Record a value of a key result (kept in its history, as the API and the key
    result's page do). The current value is the latest by date: a value `as_of` a day
    before the newest recorded one only joins the history. A value far out of line with
    the key result (a typo, a slip of a digit) is refused, saying why, unless `confirm`.
    Whoever may change the key result may: its owner, its objective's owner, members of
    its team, a lead of a team above it, leaders and admins; viewers cannot. A token of
    scope `report` records values only on its person's own key results and those of the
    teams they lead, as a check-in does."""
    me = caller()
    k = get_or_404(
        KeyResult.objects.for_org(me.org).select_related("objective"), key_result_id, "key result"
    )
    if me.token is not None:  # as the API: a report only on what a check-in may update
        require_value_report(me.token, me.org, k)
    try:
        alignment.record_key_result_value(
            me.org,
            me.person,
            k,
            value,
            note,
            as_of=as_of,
            check_unusual=not confirm,
            again=again,
        )
    except ServiceError as exc:
        raise rhythm.checkin_refusal_as_given(exc, ANYWAY_IN_MCP) from None  # its `confirm`
    return get_key_result(key_result_id)


INITIATIVE_STATUSES = ", ".join(InitiativeStatus.values)


def _open_windows(org, person: Person, cadence: Cadence) -> list:
    """The occurrences of `cadence` that `person` may check in for now, earliest first:
    those whose window is open (opened and not yet closed), then one that may be given
    early (`rhythm.queries.early_from`), as the check-in page offers it."""
    now = timezone.now()
    found = [
        o
        for o in rhythm_queries.owed_checkins(
            org, person, now - dt.timedelta(days=7), now + dt.timedelta(days=7)
        )
        if o.cadence.pk == cadence.pk and (o.opens <= now <= o.late_until or o.early)
    ]
    return sorted(found, key=lambda o: (o.early, o.occurrence.start))


def _next_window(cadence: Cadence, zone: zoneinfo.ZoneInfo) -> str:
    """When the next check-in window of `cadence` opens, as its person reads it."""
    occ = rhythm_queries.next_occurrence(cadence)
    if occ is None:
        return f"{cadence.name} has no further occurrence."
    opens, _ = cadence.window(occ)
    return (
        f"The next window opens {_their(opens, zone)} ({zone.key}), for the check-in due "
        f"{_their(occ.start, zone)} (occurrence {occ.key})."
    )


@tool(write=True, report=True, title="Submit a check-in")
def submit_check_in(
    cadence_id: Id,
    occurrence: Annotated[
        str,
        Field(
            max_length=16,
            description="The occurrence key from my_week, e.g. 20261130T090000Z; "
            "empty: the check-in of this cadence whose window is open now.",
        ),
    ] = "",
    key_results: Annotated[
        dict[int, float] | None, Field(description="Key result id → its value now.")
    ] = None,
    objectives: Annotated[
        dict[int, str] | None,
        Field(description="Objective id → on_track / at_risk / off_track or 1-10."),
    ] = None,
    initiatives: Annotated[
        dict[int, str] | None,
        Field(description=f"Initiative id → its status: one of {INITIATIVE_STATUSES}."),
    ] = None,
    highlights: Text | None = None,
    blockers: Text | None = None,
    blocker_team_id: Id | None = None,
    confirm: Annotated[
        bool,
        Field(
            description="Record key result values that look like a slip anyway: a percentage "
            "outside 0 to 100, or one far outside the key result's start, target and recent "
            "values is refused (code unusual_value) without it, and nothing of the check-in "
            "is recorded. Check the values with the person before setting it."
        ),
    ] = False,
) -> CallToolResult:
    """Submit (or update) your check-in for an occurrence of a check-in cadence: key
    result values, objective confidence, initiative status (proposed, active, paused,
    done or dropped), highlights and blockers. A key result value far out of line (a
    typo, a slip of a digit) is refused, saying why, and nothing is recorded, unless
    `confirm`. Sent again, it adds to what it recorded: highlights or blockers left out
    keep what was said ("" clears them). On time until the
    occurrence's due time (one given early, once the round before has closed, is on time
    too), late for a while after, refused otherwise. Without `occurrence`, the one whose
    window is open now (the earliest if several are), else the one that may be given
    early; when none may be, the answer says when the next opens. Times are in your time
    zone."""
    me = caller()
    org = me.org
    zone = _zone(me.person)
    cadence = get_or_404(Cadence.objects.for_org(org), cadence_id, "cadence")
    if occurrence:
        start = recurrence.parse_key(occurrence)
    else:
        found = _open_windows(org, me.person, cadence)
        if not found:
            raise ServiceError(
                f"No check-in window of {cadence.name} is open for you now. "
                + _next_window(cadence, zone),
                fields={"occurrence": ["No window of this cadence is open for you now."]},
            )
        start = found[0].occurrence.original_start
    try:
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
            check_unusual=not confirm,
        )
    except ServiceError as exc:  # named as this tool's arguments name them, not the page's
        raise rhythm.checkin_refusal_as_given(exc, ANYWAY_IN_MCP) from None
    return answer(
        f"Check-in {c.pk} for {cadence.name} (due {_their(c.occurrence_start, zone)}, "
        f"{zone.key}): {c.get_status_display()}.",
        data={
            "id": c.pk,
            "cadence_id": cadence.pk,
            "occurrence": c.occurrence_start.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ"),
            "status": c.status,
            "submitted_at": (
                c.submitted_at.astimezone(zone).isoformat() if c.submitted_at else None
            ),
            "time_zone": zone.key,
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
    again: AgainRequest = False,
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
            again=again,
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
    """Take an action on a dependency. get_dependency lists the actions allowed now.

    The team asked (provider): `accept` needs `provider_initiative_id` (the initiative
    of the team asked that delivers it) and `committed_date`, unless a proposal on the
    table already names them; `decline` needs a `note` (why); `propose` another date
    and/or scope (`proposed_date`, `proposed_scope`: a scope left out keeps the one on
    the table, an empty one drops it; the initiative as for accept); `mark_delivered`
    says it is done, for the team asking to confirm.
    The team asking (requester): `counter` answers a proposal with its own date and/or
    scope; `agree` accepts the proposal on the table as it stands; `confirm_delivery`
    says it arrived (it becomes delivered); `not_delivered` (with a `note`) says it has
    not arrived, after the team asked marked it delivered; `cancel` (with a `note`)
    withdraws the request.
    Either side: `flag_at_risk` or `flag_blocked` (with a `note`), `clear_flag`."""
    me = caller()
    org = me.org
    dep = get_or_404(Dependency.objects.for_org(org), dependency_id, "dependency")
    provider_initiative = ref(
        Initiative.objects.for_org(org),
        provider_initiative_id,
        "provider_initiative_id",
        "initiative",
    )
    with body_fields(provider_initiative="provider_initiative_id"):
        coordination.transition(
            org,
            me.person,
            dep,
            action,
            note=note,
            committed_date=committed_date,
            provider_initiative=provider_initiative,
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
    again: AgainDecision = False,
) -> CallToolResult:
    """Open a decision in the decision log: the question, who approves it (a person id,
    e.g. from search; never an agent), the teams it affects and when it must be decided.
    You are its driver. It stays open until its approver decides it, on its page or
    through the API: an `outcome` and `rationale` given here are recorded with the
    question as what is proposed or already agreed, but do not decide it."""
    me = caller()
    org = me.org
    with body_fields(**DECISION_FIELDS):
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
            again=again,
        )
    return _decision_answer(org, d.pk, "Logged.")


@tool(write=True, title="Add an action item")
def add_action_item(
    title: Annotated[str, Field(min_length=1, max_length=300)],
    owner_id: Id | None = None,
    due_on: dt.date | None = None,
    team_id: Id | None = None,
    decision_id: Id | None = None,
    again: AgainItem = False,
) -> CallToolResult:
    """Record an action item: what must be done, by whom (default: you), by when, for
    which team, and the decision it comes from if any."""
    me = caller()
    org = me.org
    owner = ref(Person.objects.for_org(org), owner_id, "owner_id", "person") or me.person
    if decision_id is not None:
        ref(decision_queries.decisions(org), decision_id, "decision_id", "decision")
    with body_fields(**DECISION_FIELDS, source_id="decision_id"):
        item = decisions.create_action_item(
            org,
            me.person,
            title,
            owner,
            due_on=due_on,
            team=ref(Team.objects.for_org(org), team_id, "team_id", "team"),
            source_type=ActionSource.DECISION if decision_id else ActionSource.NONE,
            source_id=decision_id,
            again=again,
        )
    return _action_answer(org, item.pk, "Recorded.")


def _action_line(a: ActionItem, today: dt.date) -> tuple[str, dict]:
    if a.status != ActionStatus.OPEN:
        when = f", {a.status}"
    elif a.due_on is None:
        when = ", no due date"
    else:
        when = f", {'overdue since' if a.due_on < today else 'due'} {a.due_on}"
    team = f", {a.team.name}" if a.team_id else ""
    url = _page(a)
    return (
        f"{a.title} — {name_of(a.owner)}{team}{when} [action_item_id {a.pk}] <{url}>",
        {
            "id": a.pk,
            "title": a.title,
            "owner_id": a.owner_id,
            "owner": a.owner.name,
            "team_id": a.team_id,
            "due_on": a.due_on.isoformat() if a.due_on else None,
            "status": a.status,
            "url": url,
        },
    )


def _action_answer(org, item_id: int, heading: str) -> CallToolResult:
    a = get_or_404(decision_queries.action_items(org), item_id, "action item")
    line, _ = _action_line(a, org_today())
    data = _dump(ActionItemOut, a)
    data["url"] = _page(a)
    return answer(f"{heading}\nAction item {a.pk}: {line}", data=data)


@tool(title="List action items")
def list_action_items(
    team_id: Id | None = None,
    team: TeamRef | None = None,
    owner_id: Annotated[
        Id | None, Field(description="Only this person's (default without a team: yours).")
    ] = None,
    status: Annotated[
        Literal["open", "done", "dropped", "any"],
        Field(description="open (the default), done, dropped, or any."),
    ] = "open",
    overdue: Annotated[bool, Field(description="Only open ones past their due date.")] = False,
    offset: Annotated[Offset, Field(description="Items to skip: the offset a cut list names.")] = 0,
) -> CallToolResult:
    """The action items of a team and the teams below it (`team_id`, or `team`: its
    slug), or of a person (`owner_id`; without a team or an owner: yours), soonest due
    first (undated last), as the action items page and the API list them; each with its
    id for change_action_item."""
    me = caller()
    org = me.org
    found = _team_arg(team_id, team, required=False)
    owner = ref(Person.objects.for_org(org), owner_id, "owner_id", "person")
    if found is None and owner is None:
        owner = me.person
    today = org_today()
    qs = decision_queries.action_item_list(
        org, team=found, owner=owner, status="" if status == "any" else status
    )
    if overdue:
        qs = qs.filter(status=ActionStatus.OPEN, due_on__lt=today)
    whose = " ".join(
        filter(
            None,
            (
                f"of {found.name} (and the teams below it)" if found else "",
                f"owned by {owner.name}" if owner else "",
            ),
        )
    )
    args = [f"team_id={found.pk}"] if found else []
    args += [f"owner_id={owner.pk}"] if owner and owner_id else []
    args += [f'status="{status}"'] + (["overdue=true"] if overdue else [])
    # Counted up to a bound, as the API's lists are: near the top of a large organization
    # the list is most of its action items.
    cap = offset + ListLimit + COUNT_UP_TO
    items = _paged(
        "action_items",
        "Action items",
        total=count_up_to(qs, cap),
        cap=cap,
        offset=offset,
        next_call=f"list_action_items again with {', '.join(args)}",
    )
    for a in decision_queries.dated_first_page(qs, "due_on", offset, ListLimit):
        items.add(*_action_line(a, today))
    kind = "overdue" if overdue else {"any": "all"}.get(status, status)
    return answer(
        f"Action items ({kind}) {whose}.",
        data={
            "team": _dump(TeamOut, found) if found else None,
            "owner": {"id": owner.pk, "name": owner.name} if owner else None,
            "status": status,
            "overdue": overdue,
        },
        sections=[items],
    )


@tool(write=True, report=True, title="Change an action item")
def change_action_item(
    action_item_id: Id,
    action: Annotated[
        Literal["complete", "drop", "reopen", "reassign", "redate"],
        Field(
            description="complete (done), drop (not to be done), reopen (a done or dropped "
            "one), reassign (to owner_id), redate (to due_on)."
        ),
    ],
    owner_id: Annotated[Id | None, Field(description="The new owner, to reassign.")] = None,
    due_on: Annotated[dt.date | None, Field(description="The new due date, to redate.")] = None,
) -> CallToolResult:
    """Complete, drop or reopen an action item, or hand it to someone else (reassign) or
    give it another due date (redate), as its page and the API do. Its owner, whoever
    recorded it, its team's lead and leaders may; an agent where its owner may. A token
    of scope `report` may complete, drop or reopen only the items its own person owns (an
    agent's: it or its owner); reassigning and re-dating need `member`. Re-dated once
    overdue, it counts as slipped."""
    me = caller()
    org = me.org
    item = get_or_404(ActionItem.objects.for_org(org), action_item_id, "action item")
    given = {"owner_id": owner_id, "due_on": due_on}
    wanted = {"reassign": "owner_id", "redate": "due_on"}.get(action)
    extra = [name for name, value in given.items() if value is not None and name != wanted]
    if extra:
        raise ServiceError(
            f"{action} does not take {', '.join(extra)}. Nothing was changed.",
            fields={name: [f"Not taken by {action}."] for name in extra},
        )
    if wanted and given[wanted] is None:
        raise ServiceError(
            f"Say the new {'owner' if action == 'reassign' else 'due date'}: give {wanted}.",
            fields={wanted: [f"Required to {action}."]},
        )
    if me.token is not None:
        # As the API: the status is a report (on what a report token's person owns);
        # reassigning or re-dating is a change, which needs `member`.
        if wanted:
            require_scope(me.token, TokenScope.MEMBER)
        else:
            require_scope(me.token, TokenScope.REPORT, owner_id=item.owner_id)
    with body_fields(**DECISION_FIELDS):
        if action == "complete":
            decisions.complete_action_item(org, me.person, item)
        elif action == "drop":
            decisions.drop_action_item(org, me.person, item)
        elif action == "reopen":
            decisions.reopen_action_item(org, me.person, item)
        elif action == "reassign":
            owner = ref(Person.objects.for_org(org), owner_id, "owner_id", "person")
            decisions.update_action_item(org, me.person, item, owner=owner)
        else:
            decisions.update_action_item(org, me.person, item, due_on=due_on)
    done = {
        "complete": "Done.",
        "drop": "Dropped.",
        "reopen": "Reopened.",
        "reassign": "Reassigned.",
        "redate": "Re-dated.",
    }
    return _action_answer(org, item.pk, done[action])


AGENDA_ITEMS = 30  # items of each agenda section an answer reads (the page shows 10 first)


def _agenda_occurrence(
    org, team: Team | None, cadence_id: int | None, occurrence: str, meeting_id: int | None
) -> tuple[Cadence, recurrence.Occurrence, list]:
    """The cadence and occurrence the agenda is asked of, and (asked by team) the team's
    other meetings with their next occurrences."""
    if sum(x is not None for x in (team, cadence_id, meeting_id)) != 1:
        raise ServiceError(
            "Say which meeting: team_id (or team) for its next meeting, cadence_id (and "
            "occurrence), or meeting_id.",
            fields={"team_id": ["Give one of team_id, team, cadence_id or meeting_id."]},
        )
    if occurrence and cadence_id is None:
        raise ServiceError(
            "An occurrence key goes with its cadence_id.",
            fields={"occurrence": ["Give cadence_id with it."]},
        )
    if meeting_id is not None:
        m = get_or_404(
            Meeting.objects.for_org(org).select_related("cadence"), meeting_id, "meeting"
        )
        occ = rhythm_queries.occurrence(
            m.cadence, m.occurrence_start, include_cancelled=True
        ) or rhythm_queries.stored_occurrence(m.cadence, m.occurrence_start)
        if occ is None:  # pragma: no cover - a stored meeting always has one of the two
            raise NotFound(f"No occurrence of meeting {meeting_id}.")
        return m.cadence, occ, []
    if cadence_id is not None:
        cadence = get_or_404(Cadence.objects.for_org(org), cadence_id, "cadence")
        if cadence.is_checkin:
            raise ServiceError(
                f"{cadence.name} is a check-in cadence: it has rounds, not meetings with an "
                "agenda.",
                fields={"cadence_id": ["Not a meeting cadence."]},
            )
        if occurrence:
            original = recurrence.parse_key(occurrence)
            occ = rhythm_queries.occurrence(cadence, original) or (
                rhythm_queries.stored_occurrence(cadence, original)
            )
            if occ is None:
                raise NotFound(f"{cadence.name} has no occurrence {occurrence}.")
            return cadence, occ, []
        occ = rhythm_queries.next_occurrences([cadence]).get(cadence.pk)
        if occ is None:
            raise NotFound(f"{cadence.name} has no further meeting.")
        return cadence, occ, []
    assert team is not None
    cads = [c for c in rhythm_queries.team_cadences(org, team) if not c.is_checkin]
    upcoming = rhythm_queries.next_occurrences(cads)
    ahead = [(c, upcoming[c.pk]) for c in cads if upcoming.get(c.pk) is not None]
    if not ahead:
        raise NotFound(f"{team.name} has no meeting ahead.")
    own = [(c, o) for c, o in ahead if c.team_id == team.pk or c.scope == Scope.TEAMS]
    cadence, occ = min(own or ahead, key=lambda pair: pair[1].start)
    return cadence, occ, [(c, o) for c, o in ahead if c.pk != cadence.pk]


@tool(title="Meeting agenda")
def meeting_agenda(
    team_id: Id | None = None,
    team: TeamRef | None = None,
    cadence_id: Id | None = None,
    occurrence: Annotated[
        str,
        Field(
            max_length=16,
            description="With cadence_id: the occurrence key (e.g. from my_week), "
            "default its next meeting.",
        ),
    ] = "",
    meeting_id: Id | None = None,
) -> CallToolResult:
    """A meeting's agenda as its page shows it: built now from live data (what is due,
    blocked, waiting on the team, at risk…) until the meeting starts, then the agenda
    frozen when it started. Ask by team (`team_id` or `team`: its next meeting, the
    team's own cadences first, the team's other meetings listed with their cadence_id),
    by `cadence_id` (its next meeting, or the `occurrence` key) or by `meeting_id`.
    Each item links to what it names. Times are in your time zone."""
    me = caller()
    org = me.org
    zone = _zone(me.person)
    found = _team_arg(team_id, team, required=False)
    cadence, occ, others = _agenda_occurrence(org, found, cadence_id, occurrence, meeting_id)
    m = (
        Meeting.objects.for_org(org)
        .filter(cadence=cadence, occurrence_start=occ.original_start)
        .first()
    )
    if m is None or m.status == MeetingStatus.PLANNED:
        # The live agenda of the page, its e-mail and the API, for an occurrence not held yet.
        built = agenda.live(org, cadence, occ, m, limit=AGENDA_ITEMS)
        state = "live: built now from live data"
    else:
        built = [
            agenda.first_screen(s, {s.get("key", ""): AGENDA_ITEMS}) for s in m.agenda_snapshot
        ]
        carried = m.carried_in
        state = f"{m.status}: the agenda frozen when it started"
        if any(s.get("source") == "carried" for s in built):
            built = [{**s, "items": carried} if s.get("source") == "carried" else s for s in built]
        elif carried:
            built = [{"key": "carried", "title": "Carried forward", "items": carried}, *built]
    sections = []
    for s in agenda.with_urls(org, built):
        assert s is not None
        minutes = f" ({s['minutes']} min)" if s.get("minutes") else ""
        items = s.get("items", [])
        section = Section(
            f"agenda_{s.get('key', '')}",
            f"{s.get('title', '')}{minutes}",
            # A section of no source is time set aside to talk: the page lists nothing.
            empty=s.get("empty")
            or (
                "time to talk, no list"
                if s.get("source", "none") == "none"
                else "nothing to discuss"
            ),
            note=f"… and more: the first {len(items)} are shown" if s.get("more") else "",
        )
        for i in items:
            section.add(
                i["title"]
                + (f" — {i['detail']}" if i.get("detail") else "")
                + (f" <{link(i['url'])}>" if i.get("url") else ""),
                {
                    "ref": i["ref"],
                    "title": i["title"],
                    "detail": i.get("detail", ""),
                    "tone": i.get("tone", ""),
                    "url": link(i.get("url")),
                },
            )
        sections.append(section)
    other = Section("other_meetings", "Other meetings of the team", empty="none")
    for c, o in others[:ListLimit]:
        other.add(
            f"{c.name}: next {_their(o.start, zone)} (cadence_id {c.pk})",
            {
                "cadence_id": c.pk,
                "cadence": c.name,
                "starts_at": o.start.astimezone(zone).isoformat(),
            },
        )
    page = link(
        reverse(
            "rhythm:meeting",
            kwargs={"org_slug": org.slug, "cadence_id": cadence.pk, "key": occ.key},
        )
    )
    return answer(
        f"Agenda of {cadence.name}, {_their(occ.start, zone)} ({zone.key}) — {state}.\n<{page}>",
        data={
            "cadence": {"id": cadence.pk, "name": cadence.name},
            "occurrence": occ.key,
            "starts_at": occ.start.astimezone(zone).isoformat(),
            "time_zone": zone.key,
            "meeting_id": m.pk if m else None,
            "state": "live" if m is None or m.status == MeetingStatus.PLANNED else m.status,
            "sections": [{"key": sec.key, "title": sec.title} for sec in sections],
            "url": page,
        },
        sections=[*sections, *([other] if found is not None else [])],
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
    again: AgainIssue = False,
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
        again=again,
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
