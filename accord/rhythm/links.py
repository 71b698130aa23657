"""Where the rhythm writes into the other pillars: only through their services.

A check-in updates key results, objective confidence and initiative statuses through the
alignment services (which keep history and record events); a meeting's action items and
decisions belong to the decisions pillar. Nothing here writes another app's tables.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection
from typing import Any

from accord.alignment import confidence
from accord.core.errors import ServiceError
from accord.org.models import Organization, Person, Team
from accord.rhythm.models import Scope


def _not_yours(what: str, ids: set[int], person: Person, field: str) -> ServiceError:
    listed = ", ".join(str(i) for i in sorted(ids))
    return ServiceError(
        f"{person.name} can only update their own {what}"
        f"{' and those of the teams they lead' if what == 'key results' else ''}; "
        f"not theirs: {listed}.",
        fields={field: [f"Not yours: {listed}."]},
        code="not_yours",
    )


def _refuse_closed(what: str, periods: dict) -> None:
    """Items of a closed period are a frozen record: name them rather than fail later."""
    closed = {pk: p for pk, p in periods.items() if p.is_closed}
    if closed:
        listed = ", ".join(str(pk) for pk in sorted(closed))
        names = ", ".join(sorted({p.name for p in closed.values()}))
        field = what.replace(" ", "_")
        raise ServiceError(
            f"{names} is closed; its {what} are a frozen record and cannot change "
            f"(not updated: {listed}).",
            fields={field: [f"Closed period: {listed}."]},
            code="period_closed",
        )


def owned_alignment(org: Organization, person: Person) -> dict[str, list]:
    """The open key results, objectives and initiatives a person owns (for the form); key
    results and objectives of the current period only (a closed period is a frozen record,
    a period still in planning has not begun)."""
    from django.db.models import Q

    from accord.alignment.models import (
        OPEN_INITIATIVE_STATUSES,
        OPEN_OBJECTIVE_STATUSES,
        Initiative,
        KeyResult,
        Objective,
    )
    from accord.alignment.queries import current_period_ids

    periods = current_period_ids(org)
    krs = list(
        KeyResult.objects.for_org(org)
        .filter(objective__status__in=OPEN_OBJECTIVE_STATUSES, done=False)
        .filter(objective__period_id__in=periods)
        .filter(Q(owner=person) | Q(owner__isnull=True, objective__owner=person))
        .select_related("objective")
        .order_by("objective__title", "position", "id")
    )
    objectives = list(
        Objective.objects.for_org(org)
        .filter(owner=person, status__in=OPEN_OBJECTIVE_STATUSES, period_id__in=periods)
        .order_by("title", "id")
    )
    initiatives = list(
        Initiative.objects.for_org(org)
        .filter(owner=person, status__in=OPEN_INITIATIVE_STATUSES)
        .order_by("title", "id")
    )
    return {"key_results": krs, "objectives": objectives, "initiatives": initiatives}


def team_key_results(org: Organization, person: Person, cadence) -> list:
    """The key results a lead updates in a check-in of `cadence` beside their own: the
    open key results of the current period of the objectives of the teams `person` leads
    (those in the cadence's scope; every one for the organization's), that someone else
    owns or nobody does: those they may change (`alignment.services.may_change`, which
    `record_key_result_value` checks), the team objectives', and for a leader the
    organization objectives' given to those teams too; a team's lead is offered their
    teams' so that one check-in keeps them current. Two queries, none for someone
    who leads no team."""
    from django.db.models import Q

    from accord.alignment.models import OPEN_OBJECTIVE_STATUSES, KeyResult, ObjectiveLevel
    from accord.alignment.queries import current_period_ids
    from accord.org.models import Membership, Role
    from accord.rhythm import queries

    led = set(
        Membership.objects.for_org(org)
        .in_current_teams()
        .leading()
        .filter(person=person)
        .values_list("team_id", flat=True)
    )
    if led and cadence.scope != Scope.ORG:
        led &= queries.scope_team_ids(org, cadence)
    if not led:
        return []
    krs = KeyResult.objects.for_org(org)
    if not person.has_role(Role.LEADER):
        # An organization objective given to a team is the leaders' to change, its key
        # results too (`alignment.services.may_change`): not offered to the team's lead.
        krs = krs.filter(objective__level=ObjectiveLevel.TEAM)
    return list(
        krs.filter(objective__status__in=OPEN_OBJECTIVE_STATUSES, done=False)
        .filter(objective__period_id__in=current_period_ids(org), objective__team_id__in=led)
        .exclude(Q(owner=person) | Q(owner__isnull=True, objective__owner=person))
        .select_related("objective", "objective__team", "owner")
        .order_by("objective__team__name", "objective__title", "position", "id")
    )


def given_updates(org: Organization, checkin) -> list[tuple[str, list[tuple[str, str]]]]:
    """What a check-in recorded beside its text, as it was given, by name: (legend, [(name,
    value)]) for its key results, objectives' confidence, initiatives' status and scorecard
    values; those deleted since are left out. A few queries, one per kind given."""
    from accord.alignment.models import Initiative, InitiativeStatus, KeyResult, Objective
    from accord.rhythm.models import Measurable
    from accord.web.templatetags.numbers import plain

    updates = checkin.updates or {}

    def given(kind: str, model) -> list[tuple[Any, str]]:
        values = updates.get(kind) or {}
        found = model.objects.for_org(org).in_bulk([int(k) for k in values])
        return [(found[int(k)], v) for k, v in values.items() if int(k) in found]

    def amount(value: str, unit: str) -> str:
        return f"{plain(value)} {unit}".strip()

    def confident(value: Any) -> str:
        n = confidence.parse(value, "objectives")
        return f"{n}/{confidence.HIGHEST} · {confidence.word(n)}"

    statuses = dict(InitiativeStatus.choices)
    out = [
        (
            "Key results",
            [(kr.name, amount(v, kr.unit)) for kr, v in given("key_results", KeyResult)],
        ),
        (
            "Confidence in your objectives",
            [(o.title, confident(v)) for o, v in given("objectives", Objective)],
        ),
        (
            "Your initiatives",
            [(i.title, statuses.get(v, v)) for i, v in given("initiatives", Initiative)],
        ),
        ("Scorecard", [(m.name, amount(v, m.unit)) for m, v in given("measurables", Measurable)]),
    ]
    return [(legend, rows) for legend, rows in out if rows]


def key_result_units(org: Organization, ids: list) -> dict[int, str]:
    """{key result id: its unit} of the organization's key results among `ids` (one
    query; none when none are asked): a check-in's numbers may be typed with it."""
    if not ids:
        return {}
    from accord.alignment.models import KeyResult

    return dict(
        KeyResult.objects.for_org(org)
        .filter(pk__in=[int(i) for i in ids])
        .values_list("pk", "unit")
    )


def owns_key_result(person: Person, kr) -> bool:
    """Whether `kr` is `person`'s own, as a check-in offers it: they own it, or nobody does
    and they own its objective."""
    return kr.owner_id == person.pk or (kr.owner_id is None and kr.objective.owner_id == person.pk)


def apply_checkin_updates(
    org: Organization,
    actor: Person | None,
    person: Person,
    key_results: dict[int, Any],
    objectives: dict[int, Any],
    initiatives: dict[int, str],
    *,
    cadence=None,
    check_unusual: bool = False,
    confirmed: Collection[int] = (),
) -> None:
    """Validate that every item is the person's own (or, for key results, one of their
    teams' that they lead: `team_key_results` of `cadence`), then write through alignment's
    services.

    `check_unusual`: a key result's new value that looks like a slip
    (`alignment.unusual_value`, as its own page and the API ask) is refused (code
    "unusual_value", beside each such key result's field `kr_<id>`, every one found at
    once) unless its id is in `confirmed`.

    Runs inside the check-in's transaction, so a refusal anywhere changes nothing."""
    if not (key_results or objectives or initiatives):
        return
    from accord.alignment import services as alignment
    from accord.alignment.models import Initiative, KeyResult, Objective

    krs = (
        KeyResult.objects.for_org(org)
        .select_related("objective__period")
        .in_bulk(list(key_results))
    )
    mine = {pk for pk, kr in krs.items() if owns_key_result(person, kr)}
    if set(key_results) - mine and cadence is not None:
        mine |= {kr.pk for kr in team_key_results(org, person, cadence)}
    if set(key_results) - mine:
        raise _not_yours("key results", set(key_results) - mine, person, "key_results")
    objs = Objective.objects.for_org(org).select_related("period").in_bulk(list(objectives))
    mine = {pk for pk, o in objs.items() if o.owner_id == person.pk}
    if set(objectives) - mine:
        raise _not_yours("objectives", set(objectives) - mine, person, "objectives")
    inits = Initiative.objects.for_org(org).in_bulk(list(initiatives))
    mine = {pk for pk, i in inits.items() if i.owner_id == person.pk}
    if set(initiatives) - mine:
        raise _not_yours("initiatives", set(initiatives) - mine, person, "initiatives")
    _refuse_closed("key results", {pk: krs[pk].objective.period for pk in key_results})
    _refuse_closed("objectives", {pk: objs[pk].period for pk in objectives})
    confidences = {pk: confidence.parse(v, "objectives") for pk, v in objectives.items()}
    changed = {pk: v for pk, v in key_results.items() if float(v) != float(krs[pk].current)}
    if check_unusual:
        slips = {
            pk: warning
            for pk, value in changed.items()
            if pk not in confirmed and (warning := alignment.unusual_value(krs[pk], float(value)))
        }
        if slips:
            raise ServiceError(
                " ".join(slips.values()),
                fields={f"kr_{pk}": [warning] for pk, warning in slips.items()},
                code="unusual_value",
            )

    for pk, value in changed.items():
        # The check-in says it (an edit may say it again): never taken for a second click.
        alignment.record_key_result_value(org, actor, krs[pk], value, note="check-in", again=True)
    for pk, value in confidences.items():
        if objs[pk].confidence != value:
            alignment.set_objective_confidence(org, actor, objs[pk], value, note="check-in")
    for pk, status in initiatives.items():
        if inits[pk].status != status:
            alignment.set_initiative_status(org, actor, inits[pk], status, reason="check-in")


def raise_blocker_issue(
    org: Organization,
    actor: Person | None,
    person: Person,
    team: Team,
    blockers: str,
    *,
    raised_in: Team | None = None,
):
    """A check-in blocker that names another team becomes an issue for that team (where it
    sits, for its leads to solve or escalate), raised by the team of whoever checked in:
    `raised_in`, else their home team (`org.queries.home_team`, the team their new work is
    for), so it is among the issues that team raised."""
    from accord.decisions import services as decisions
    from accord.org.queries import home_team

    first_line = blockers.splitlines()[0][:200]
    # A check-in raises its blocker once (`services.submit_checkin` skips one repeated).
    return decisions.raise_issue(
        org,
        actor,
        team,
        f"Blocking {person.name}: {first_line}",
        description=blockers,
        raised_by=person,
        raised_in=raised_in or home_team(person) or team,
        again=True,
    )


def raise_issue(
    org: Organization,
    actor: Person | None,
    team: Team,
    title: str,
    description: str = "",
    *,
    again: bool = False,
):
    """An issue for `team` to solve, raised from a meeting's page to put it on the agenda
    (the same one raised a moment ago is refused unless `again`: `decisions.raise_issue`)."""
    from accord.decisions import services as decisions

    return decisions.raise_issue(org, actor, team, title, description=description, again=again)


def escalate_issue(org: Organization, actor: Person | None, issue, reason: str):
    """Hand an issue to its team's parent, with why (`decisions.escalate_issue`)."""
    from accord.decisions import services as decisions

    return decisions.escalate_issue(org, actor, issue, reason)


def similar_open_issues(org: Organization, person: Person | None, title: str, limit: int = 3):
    """Open issues of the organization that hold every word of four letters or more of
    `title` (the search's own rule: each word a prefix, in any order, either spelling;
    "the", "for" and the like are left out): what "Add to the agenda" offers to bring
    instead of raising the same one again. At most `limit`, found through the search
    index (a bounded read whatever the organization's size)."""
    from accord.decisions.models import Issue, IssueStatus
    from accord.search import queries as search

    words = [w for w in re.findall(r"[^\W_]+", title) if len(w) >= 4][: search.MAX_TERMS]
    if not words:
        return []
    hits = search.search(org, person, " ".join(words), kind="issue", limit=search.PAGE_LIMIT)
    ids = [h.object_id for h in hits]
    found = Issue.objects.for_org(org).filter(pk__in=ids, status=IssueStatus.OPEN)
    by_id = {i.pk: i for i in found.select_related("team")}
    return [by_id[pk] for pk in ids if pk in by_id][:limit]


def create_action_item(
    org: Organization,
    actor: Person | None,
    *,
    title: str,
    owner: Person,
    due_on: dt.date | None,
    team: Team | None,
    meeting_id: int,
    again: bool = False,
):
    from accord.decisions import services as decisions

    return decisions.create_action_item(
        org,
        actor,
        title,
        owner,
        due_on=due_on,
        team=team,
        source_type="rhythm.meeting",
        source_id=meeting_id,
        again=again,
    )


def close_action_item(org: Organization, actor: Person | None, item_id: int, done: bool):
    """Complete (or, `done` False, reopen) an action item of `org` through the decisions
    services, which decide who may (its owner, whoever recorded it, its team's lead, a
    leader) and record it."""
    from accord.core.errors import NotFound
    from accord.decisions import services as decisions
    from accord.decisions.models import ActionItem

    item = ActionItem.objects.for_org(org).filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"No action item {item_id} in {org.name}.")
    if done:
        return decisions.complete_action_item(org, actor, item)
    return decisions.reopen_action_item(org, actor, item)


def agenda_actions(org: Organization, person: Person, ids: set[int]) -> dict[int, dict]:
    """{action item id: {"status", "may_close"}} for the action items an agenda lists:
    whether each is still open, and whether `person` may close or reopen it (as the
    decisions pages decide it). Two queries, however many."""
    from accord.decisions import services as decisions
    from accord.decisions.models import ActionItem
    from accord.org.models import Membership

    if not ids:
        return {}
    items = list(
        ActionItem.objects.for_org(org)
        .filter(pk__in=ids)
        .only("id", "status", "owner_id", "created_by_id", "team_id")
    )
    led = set(
        Membership.objects.for_org(org)
        .leading()
        .filter(person=person)
        .values_list("team_id", flat=True)
    )
    may = decisions.changeable_actions(person, items, led)
    return {a.pk: {"status": a.status, "may_close": a.pk in may} for a in items}


def record_decision(
    org: Organization,
    actor: Person | None,
    *,
    meeting,
    question: str,
    approver: Person,
    outcome: str = "",
    rationale: str = "",
    require_rationale: bool = False,
    again: bool = False,
    decide_by: dt.date | None = None,
    informed: list[Person] | None = None,
    options: list[str] | None = None,
    initiative=None,
):
    """A decision taken (or opened) in a meeting, linked back to the meeting.
    `require_rationale`: taken in the room, it is refused without a rationale. The same
    one opened a moment ago is refused unless `again` (`decisions.create_decision`).
    `informed`: who is told when it is decided (the meeting's people, as its caller says).
    `options`: the titles of the options considered, added before it is decided
    (`decisions.add_option`); the one whose title the outcome is, is the one chosen.
    `initiative`: what it is about, linked (`decisions.link`). One write: the caller's
    transaction keeps all of it or, refused, nothing."""
    from accord.decisions import services as decisions

    decided_now = bool(outcome.strip()) and (actor is None or actor.pk == approver.pk)
    if require_rationale and decided_now:
        decisions.check_rationale(rationale)  # before anything is written
    # The teams the meeting is of: its cadence's team, or the set of teams it brings
    # together (a whole organization's meeting names none).
    cadence = meeting.cadence
    teams = list(cadence.teams.all()) if cadence.scope == Scope.TEAMS else None
    teams = teams or ([cadence.team] if cadence.team_id else None)
    decision = decisions.create_decision(
        org,
        actor,
        question,
        approver,
        outcome,
        rationale=rationale,
        teams=teams,
        informed=informed,
        # Named by the day it was held, when the decision was taken (started early: that day).
        links=[("rhythm.meeting", meeting.pk, meeting.held_name)],
        again=again,
        decide_by=decide_by,
    )
    added = [decisions.add_option(org, actor, decision, title) for title in options or ()]
    if initiative is not None:
        decisions.link(org, actor, decision, "alignment.initiative", initiative.pk)
    # Taken in the room by its approver: decided now. Otherwise it waits for the approver.
    if decided_now:
        said = outcome.strip().casefold()
        chosen = next((o for o in added if o.title.casefold() == said), None)
        decision = decisions.decide(
            org,
            actor,
            decision,
            outcome,
            rationale,
            option=chosen,
            require_rationale=require_rationale,
        )
    return decision


ISSUE_STEPS = ("vote", "arrange", "solve", "keep", "escalate")


def work_issue(
    org: Organization,
    actor: Person | None,
    issue,
    step: str,
    data: dict[str, Any],
    meeting,
    *,
    require_rationale: bool = False,
):
    """One step of solving an issue in a meeting, through the decisions pillar's services:
    vote, arrange (owner and rank), solve (a decision and action items), keep, escalate.
    `require_rationale`: solving is refused without the decision's rationale."""
    from accord.decisions import services as decisions

    if step == "vote":
        return decisions.vote_issue(org, actor, issue, data.get("value"))
    if step == "arrange":
        if "owner" in data and data["owner"] != issue.owner:
            issue = decisions.set_issue_owner(org, actor, issue, data["owner"])
        if "rank" in data:
            issue = decisions.rank_issue(org, actor, issue, data["rank"])
        return issue
    if step == "solve":
        from accord.rhythm import queries

        # Its decision is told to everyone in the meeting, as one recorded there, but its
        # approver: whoever solves it here.
        return decisions.solve_issue_with_decision(
            org,
            actor,
            issue,
            outcome=data.get("outcome", ""),
            rationale=data.get("rationale", ""),
            actions=data.get("actions", ()),
            meeting_id=meeting.pk,
            require_rationale=require_rationale,
            informed=list(queries.informed_of_decision(org, meeting, actor)),
        )
    if step == "keep":
        return decisions.keep_issue(org, actor, issue, note=f"kept in {meeting}")
    if step == "escalate":
        return decisions.escalate_issue(org, actor, issue, data.get("reason", ""))
    raise ServiceError(
        f"Unknown step {step!r}; use one of {', '.join(ISSUE_STEPS)}.", code="unknown_step"
    )


def meeting_issues(org: Organization, meeting, person: Person, team_ids: set[int] | None):
    """The open issues of the meeting's teams, ranked, with `person`'s votes."""
    from accord.decisions import queries as dq

    return dq.ranked_issues(org, team_ids, voter=person)


def solved_in_meetings(org: Organization, meeting_ids: list[int]) -> dict[int, str]:
    """The issues solved in these meetings ({issue id: title}): those closed by a decision
    the meeting recorded (solving an issue in the meeting links its decision to it)."""
    from accord.decisions.models import DecisionLink, Issue

    decision_ids = DecisionLink.objects.for_org(org).filter(
        target_type="rhythm.meeting", target_id__in=meeting_ids
    )
    return dict(
        Issue.objects.for_org(org)
        .filter(decision_id__in=decision_ids.values("decision_id"))
        .values_list("pk", "title")
    )


def meeting_action_items(
    org: Organization, meeting_ids: list[int], solved: dict[int, str] | None = None
) -> list:
    """The action items agreed in these meetings: those added to the meeting and those of
    the issues solved there (`solved`, when the caller has read them already), each with
    `from_issue`, the solved issue's title, or ""."""
    from accord.decisions.models import ActionItem, ActionSource

    # Sorted here: the few rows of these meetings come off the source's index; told to read
    # them in id order, SQLite may walk every item of the organization by id instead.
    base = ActionItem.objects.for_org(org).select_related("owner").order_by()
    items = list(base.filter(source_type=ActionSource.MEETING, source_id__in=meeting_ids))
    for a in items:
        a.from_issue = ""
    solved = solved_in_meetings(org, meeting_ids) if solved is None else solved
    if solved:
        for a in base.filter(source_type=ActionSource.ISSUE, source_id__in=list(solved)):
            a.from_issue = solved[a.source_id]
            items.append(a)
    return sorted(items, key=lambda item: item.pk)


def meeting_decisions(org: Organization, meeting_id: int) -> list:
    """Every decision recorded in or linked to the meeting, in the order they were taken
    (as its minutes list them): the decisions pillar's `linked_decisions`, unbounded. One
    query."""
    from accord.decisions import queries as dq

    found = dq.linked_decisions(org, "rhythm.meeting", meeting_id, limit=None).decisions
    return sorted(found, key=lambda d: d.pk)


def dependency_request_url(
    org: Organization,
    blocker_team_id: int | None,
    blockers: str,
    initiatives: list,
) -> str:
    """The coordination form for asking the blocking team, pre-filled from a check-in's
    blocker: the team asked, a title (the blocker's first line), the whole text as the
    description, and the person's initiative when they own exactly one open initiative."""
    from urllib.parse import urlencode

    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse("coordination:new", kwargs={"org_slug": org.slug})
    except NoReverseMatch:  # pragma: no cover - coordination not installed
        return ""
    params: dict[str, Any] = {}
    if blocker_team_id:
        params["provider_team"] = blocker_team_id
    text = (blockers or "").strip()
    if text:
        params["title"] = text.splitlines()[0].strip()[:300]
        if "\n" in text:
            params["description"] = text
    if len(initiatives) == 1:
        params["requester_initiative"] = initiatives[0].pk
    return f"{base}?{urlencode(params)}" if params else base
