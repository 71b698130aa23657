"""Every write to dependencies. Each validates, changes, and records one event per change.

Public entry points:
    create_dependency(org, actor, *, requester_initiative, provider_team, title, need_by, ...)
    update_dependency(org, actor, dependency, *, expected_version, **changes)  # requested
    transition(org, actor, dependency, action, *, note, committed_date, provider_initiative,
               proposed_date, proposed_scope, expected_version)  # scope None: kept
    on_initiative_replanned(initiative, old_date, new_date, *, actor=None, reason="")
    check_initiative_status(initiative, new_status, override_reason)  # raises when blocked
    follow_initiative(org, actor, initiative, old_team, new_team)  # an initiative moved
    remind(org, actor, dependency)  # the asking side chases an answer, once a day
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accord.activity import services as activity
from accord.activity.models import Event
from accord.alignment import blocked
from accord.coordination import queries
from accord.coordination.models import (
    ACTIVE_STATES,
    EITHER,
    TRANSITIONS,
    Dependency,
    Flag,
    Priority,
    Side,
    State,
)
from accord.core.dates import check_in_range
from accord.core.errors import Duplicate, NotFound, PermissionDenied, ServiceError
from accord.core.services import check_version, parse_date, require_long_text, require_text
from accord.org.models import Organization, Person, Team, TeamState
from accord.org.permissions import is_team_lead
from accord.org.queries import answering
from accord.web.templatetags.dates import at_moment, day

EVENT_FIELDS = (
    "state",
    "awaiting",
    "need_by",
    "need_by_milestone",
    "committed_date",
    "provider_initiative",
    "proposed_date",
    "proposed_scope",
    "flag",
    "description",
    "marked_delivered_on",
)

# The verb recorded for each action: `coordination.dependency.<verb>` is the event kind
# notifications and webhooks subscribe to.
VERBS = {
    "accept": "accepted",
    "decline": "declined",
    "propose": "proposed",
    "counter": "countered",
    "agree": "agreed",
    "confirm_delivery": "delivered",
    "mark_delivered": "marked_delivered",
    "not_delivered": "reopened",
    "cancel": "cancelled",
    "flag_at_risk": "flagged_at_risk",
    "flag_blocked": "flagged_blocked",
    "clear_flag": "flag_cleared",
}

OPEN_INITIATIVE = ("proposed", "active", "paused")


def _today() -> dt.date:
    """The day of the person typing a date: what "in the past" means for a need-by or a
    committed date they enter (as for every date a person types, in decisions too). What is
    late or at risk is counted on the organization's day instead (`queries.today`)."""
    return timezone.localdate()


def _same_org(org: Organization, obj: Any, what: str, field: str | None = None) -> None:
    if obj is None or obj.org_id != org.id:
        msg = f"No such {what} in {org.name}."
        if field:
            raise ServiceError(msg, fields={field: [f"Unknown {what}."]}, code="unknown_reference")
        raise NotFound(msg)


def _label(action: str) -> str:
    return TRANSITIONS[action].label.lower()


def sides_of(actor: Person | None, dep: Dependency, standings: dict | None = None) -> dict:
    """The sides of `dep` the actor may act for, each with the actor's `Standing` there
    (member, lead of a team above, admin); None = Accord: both.

    Pass `standings` (`queries.standing` of the teams on a page) to answer for many
    dependencies with one query in all."""
    if actor is None:
        return {Side.REQUESTER: None, Side.PROVIDER: None}
    if not queries.may_act(actor):
        return {}
    if standings is None:
        standings = queries.standing(
            dep.org_id, actor, [dep.requester_team_id, dep.provider_team_id]
        )
    out = {}
    if dep.requester_team_id in standings:
        out[Side.REQUESTER] = standings[dep.requester_team_id]
    if dep.provider_team_id in standings:
        out[Side.PROVIDER] = standings[dep.provider_team_id]
    return out


def actions_for(actor: Person | None, dep: Dependency, standings: dict | None = None) -> list[str]:
    """The actions `actor` may take on `dep` now (for buttons and the API)."""
    sides = sides_of(actor, dep, standings)
    return [
        a
        for a in dep.allowed_actions()
        if (TRANSITIONS[a].side == EITHER and sides) or TRANSITIONS[a].side in sides
    ]


def _acting_for(standing, team: Team) -> dict[str, Any]:
    """What an event records of someone acting for a team that is not their own."""
    if standing is None or not standing.on_behalf:
        return {}
    return {"acting_for": {"team_id": team.pk, "team": team.name, "as": standing.as_text}}


# --- create ------------------------------------------------------------------------------


def _check_asked(team: Team, requester_team: Team) -> None:
    """Refuse asking `team` for `requester_team`, by a new request (`create_dependency`) or
    one sent on to it (`update_dependency`): the asking team itself, or a retired team
    (read afresh: the pickers offer none, but a page open since, the API and MCP name any)."""
    if team.pk == requester_team.pk:
        raise ServiceError(
            f"{team.name} cannot depend on itself; choose another team.",
            fields={"provider_team": ["A team cannot depend on itself."]},
            code="self_dependency",
        )
    if Team.objects.filter(pk=team.pk, state=TeamState.RETIRED).exists():
        raise ServiceError(
            f"{team.name} is retired; ask a team that is still working.",
            fields={"provider_team": [f"{team.name} is retired."]},
            code="retired_team",
        )


@transaction.atomic
def create_dependency(
    org: Organization,
    actor: Person | None,
    *,
    requester_initiative,
    provider_team: Team,
    title: str,
    need_by: dt.date | None = None,
    description: str = "",
    priority: str = Priority.MEDIUM,
    need_by_milestone=None,
    again: bool = False,
) -> Dependency:
    """Team A, for one of its initiatives, asks team B for a deliverable by `need_by`, or
    by a milestone (`need_by_milestone`: the need-by date is the milestone's and follows
    it when it moves). A retired team B, or A itself, is refused (`_check_asked`); so is
    the same request while one is active, whoever asked it (`queries.twin_request`,
    `Duplicate`), unless `again` (Accord's own writes, `actor` None, record what they are
    given)."""
    _same_org(org, requester_initiative, "initiative", "requester_initiative")
    _same_org(org, provider_team, "team", "provider_team")
    if need_by_milestone is not None:
        _same_org(org, need_by_milestone, "milestone", "need_by_milestone")
        need_by = need_by_milestone.date
    requester_team = requester_initiative.team
    standing = None
    if actor is not None:
        standing = queries.standing(org, actor, [requester_team.pk]).get(requester_team.pk)
        if standing is None:
            raise PermissionDenied(
                f"You may not ask on behalf of {requester_team.name}'s initiative "
                f"{requester_initiative.title!r}. " + queries.why_not(actor, [requester_team.name])
            )
    title = require_text(title, "title", max_length=300)
    _check_asked(provider_team, requester_team)
    if requester_initiative.status not in OPEN_INITIATIVE:
        raise ServiceError(
            f"{requester_initiative.title!r} is {requester_initiative.status}; only open "
            "initiatives can depend on other teams.",
            fields={"requester_initiative": ["The initiative is closed."]},
        )
    if not isinstance(need_by, dt.date):
        raise ServiceError("Need-by must be a date.", fields={"need_by": ["Enter a date."]})
    check_in_range(need_by, "need_by", "The need-by date")
    if actor is not None and need_by < _today():
        raise ServiceError(
            f"The need-by date {day(need_by)} is in the past; choose today or later.",
            fields={"need_by": ["The date is in the past."]},
            code="past_date",
        )
    if priority not in Priority.values:
        raise ServiceError(
            f"Unknown priority {priority!r}; use one of {', '.join(Priority.values)}.",
            fields={"priority": ["Unknown priority."]},
        )
    twin = (
        None
        if again or actor is None
        else queries.twin_request(org, requester_initiative, provider_team, title)
    )
    if twin is not None:
        raise Duplicate(
            f"{provider_team.name} was already asked for this for {requester_initiative.title} "
            f"(#{twin.pk}, {twin.get_state_display().lower()}). Follow that request.",
            existing=twin,
            what="request",
        )
    dep = Dependency.objects.create(
        org=org,
        requester_team=requester_team,
        requester_initiative=requester_initiative,
        provider_team=provider_team,
        title=title,
        description=require_long_text(description, "description"),
        priority=priority,
        need_by=need_by,
        need_by_milestone=need_by_milestone,
        requested_by=actor,
    )
    blocked.refresh([dep.requester_initiative_id])
    activity.record(
        org,
        actor,
        "created",
        dep,
        after={
            **activity.snapshot(
                dep,
                (
                    "requester_team",
                    "requester_initiative",
                    "provider_team",
                    "title",
                    "priority",
                    "need_by",
                    "need_by_milestone",
                    "state",
                ),
            ),
            **_acting_for(standing, requester_team),
        },
    )
    return dep


@transaction.atomic
def record_dependency(
    org: Organization,
    actor: Person | None,
    *,
    requester_initiative,
    provider_team: Team,
    title: str,
    need_by: dt.date,
    state: str = State.REQUESTED,
    provider_initiative=None,
    committed_date: dt.date | None = None,
    proposed_date: dt.date | None = None,
    flag: str = "",
    flag_note: str = "",
    resolution: str = "",
    description: str = "",
    priority: str = Priority.MEDIUM,
    need_by_milestone=None,
    marked_delivered_on: dt.date | None = None,
) -> Dependency:
    """A dependency as it already stands elsewhere (an organization file, an export read
    back), entered as history: in its state, with its dates, whatever has happened since
    (the requesting initiative finished, the delivering one gone, the dates past). Only
    what makes it a dependency at all is checked: one organization, two different teams, a
    delivering initiative of the provider. One `created` event records it as it stands.
    `marked_delivered_on`: the day its provider said it was delivered, kept while it is
    accepted (then it waits on the requester's confirmation)."""
    _same_org(org, requester_initiative, "initiative", "requester_initiative")
    _same_org(org, provider_team, "team", "provider_team")
    requester_team = requester_initiative.team
    title = require_text(title, "title", max_length=300)
    if provider_team.pk == requester_team.pk:
        raise ServiceError(
            f"{requester_team.name} cannot depend on itself; choose another team.",
            fields={"provider_team": ["A team cannot depend on itself."]},
            code="self_dependency",
        )
    if state not in State.values:
        raise ServiceError(f"Unknown state {state!r}; use one of {', '.join(State.values)}.")
    if need_by_milestone is not None:
        _same_org(org, need_by_milestone, "milestone", "need_by_milestone")
        need_by = need_by_milestone.date
    need_by = parse_date(need_by, "need_by", required=True) or need_by  # never None
    committed_date = parse_date(committed_date, "committed_date")
    proposed_date = parse_date(proposed_date, "proposed_date")
    marked_delivered_on = parse_date(marked_delivered_on, "marked_delivered_on")
    if state != State.ACCEPTED:
        marked_delivered_on = None  # said delivered is a stamp on an accepted one only
    if priority not in Priority.values:
        raise ServiceError(
            f"Unknown priority {priority!r}; use one of {', '.join(Priority.values)}."
        )
    if flag not in Flag.values:
        raise ServiceError(f"Unknown flag {flag!r}.")
    if provider_initiative is not None:
        _same_org(org, provider_initiative, "initiative", "provider_initiative")
        if provider_initiative.team_id != provider_team.pk:
            raise ServiceError(
                f"{provider_initiative.title!r} belongs to another team; the delivering "
                f"initiative is one of {provider_team.name}.",
                fields={"provider_initiative": [f"Not an initiative of {provider_team.name}."]},
            )
    if committed_date is None and state in (State.ACCEPTED, State.DELIVERED):
        committed_date = need_by  # committed to the date asked
    negotiating = state == State.NEGOTIATING
    dep = Dependency.objects.create(
        org=org,
        requester_team=requester_team,
        requester_initiative=requester_initiative,
        provider_team=provider_team,
        title=title,
        description=require_long_text(description, "description"),
        priority=priority,
        need_by=need_by,
        need_by_milestone=need_by_milestone,
        state=state,
        awaiting=(
            Side.REQUESTER
            if state in (State.NEGOTIATING, State.DECLINED) or marked_delivered_on
            else Side.PROVIDER
        ),
        marked_delivered_on=marked_delivered_on,
        provider_initiative=None if negotiating else provider_initiative,
        proposed_initiative=provider_initiative if negotiating else None,
        committed_date=committed_date,
        proposed_date=proposed_date if negotiating else None,
        flag=flag or Flag.NONE,
        flag_note=require_long_text(flag_note, "flag_note") if flag else "",
        resolution=require_long_text(resolution, "resolution"),
        requested_by=actor,
        closed_at=(
            timezone.now() if state in (State.DECLINED, State.DELIVERED, State.CANCELLED) else None
        ),
    )
    blocked.refresh([dep.requester_initiative_id])
    activity.record(
        org,
        actor,
        "created",
        dep,
        after=activity.snapshot(
            dep,
            (
                *("requester_team", "requester_initiative", "provider_team"),
                *("title", "priority", *EVENT_FIELDS),
            ),
        ),
    )
    return dep


# --- edit a request ----------------------------------------------------------------------

# What the asking side may change while the request waits for its first answer.
EDITABLE = ("title", "description", "priority", "need_by", "requester_initiative", "provider_team")


def check_edit(actor: Person | None, dep: Dependency, sides: dict | None = None) -> dict:
    """Refuse `actor` editing `dep` now (`update_dependency`) unless they act for the asking
    side (`sides_of`: its members, leads of a team above it, admins) and it is requested:
    PermissionDenied, or a ServiceError saying why it is no longer edited. Returns the
    actor's sides."""
    sides = sides_of(actor, dep) if sides is None else sides
    if Side.REQUESTER not in sides:
        raise PermissionDenied(
            f"Only the asking team ({dep.requester_team.name}) may edit this request. "
            + queries.why_not(actor, [dep.requester_team.name])
        )
    if dep.state != State.REQUESTED:
        answered = dep.state in ACTIVE_STATES
        raise ServiceError(
            f"{dep.title!r} is {dep.get_state_display().lower()}: "
            + (
                f"{dep.provider_team.name} has answered, so the request is no longer edited: "
                "its date and scope change by a proposal the other side agrees to, and its "
                "need-by may follow a milestone."
                if answered
                else "nothing more can happen to it."
            ),
            code="answered" if answered else "closed",
        )
    return sides


def may_edit(actor: Person | None, dep: Dependency, sides: dict | None = None) -> bool:
    """Whether `actor` may edit `dep` now (`check_edit`)."""
    try:
        check_edit(actor, dep, sides)
    except ServiceError:
        return False
    return True


def who_may_edit(dep: Dependency) -> str:
    """The "who may edit" line of a dependency's page ("" once it is closed)."""
    asker, asked = dep.requester_team.name, dep.provider_team.name
    who = f"members of {asker}, leads of a team above it and admins"
    if dep.state == State.REQUESTED:
        return (
            f"Until {asked} answers, {who} may edit the request: what is needed, by when, "
            "for which initiative, and which team is asked."
        )
    if dep.is_active:
        return (
            f"{asked} has answered, so the request is no longer edited: its date and scope "
            f"change by a proposal the other side agrees to. {who[0].upper()}{who[1:]} may "
            "still tie its need-by date to a milestone."
        )
    return ""


@transaction.atomic
def update_dependency(
    org: Organization,
    actor: Person | None,
    dep: Dependency,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Dependency:
    """The asking side edits its request while the providing team has not answered it
    (`requested`): title, description, priority, need-by date, the asking team's initiative
    it is for (`requester_initiative`) and the team asked (`provider_team`). One `updated`
    event records what changed; nothing changed records nothing.

    Another team asked re-routes it: still requested, with its history, that team's leads
    get it as a new request and the team it left is told (accord.conversation.inbox). A
    need-by date other than its milestone's unties it from the milestone. Once answered,
    only proposals (`transition`) and `tie_to_milestone` change it."""
    _same_org(org, dep, "dependency")
    unknown = sorted(set(changes) - set(EDITABLE))
    if unknown:
        raise ServiceError(
            f"Cannot change {', '.join(unknown)} of a dependency; what its requester may "
            f"edit is {', '.join(EDITABLE)}.",
            fields={name: ["Not editable."] for name in unknown},
        )
    dep = (
        Dependency.objects.select_for_update()
        .select_related("requester_team", "provider_team", "requester_initiative")
        .get(pk=dep.pk)
    )
    check_version(dep, expected_version)
    sides = check_edit(actor, dep)
    new = _edited(org, actor, dep, changes)
    old_initiative, old_provider = dep.requester_initiative_id, dep.provider_team
    fields = [*new, "need_by_milestone", "provider_initiative", "proposed_initiative"]
    before = activity.snapshot(dep, fields)
    for name, value in new.items():
        setattr(dep, name, value)
    milestone = dep.need_by_milestone if dep.need_by_milestone_id else None
    if "need_by" in new and milestone is not None and dep.need_by != milestone.date:
        dep.need_by_milestone = None  # a date of its own: no longer the milestone's
    if "provider_team" in new:
        # An initiative of the team it left no longer delivers it (an imported request
        # may name one).
        for name in ("provider_initiative", "proposed_initiative"):
            held = getattr(dep, name)
            if held is not None and held.team_id != dep.provider_team_id:
                setattr(dep, name, None)
    before, after = activity.diff(before, activity.snapshot(dep, fields))
    if not after:
        return dep
    dep.version += 1
    dep.save()
    blocked.refresh({old_initiative, dep.requester_initiative_id})
    if "provider_team" in after:
        after["note"] = (
            f"{dep.requester_team.name} asks {dep.provider_team.name} now, "
            f"instead of {old_provider.name}."
        )
    after.update(_acting_for(sides[Side.REQUESTER], dep.requester_team))
    activity.record(org, actor, "updated", dep, before=before, after=after)
    return dep


def _edited(org: Organization, actor: Person | None, dep: Dependency, changes: dict) -> dict:
    """The checked values of an edit (`update_dependency`), each refused naming its field."""
    out: dict[str, Any] = {}
    if "title" in changes:
        out["title"] = require_text(changes["title"], "title", max_length=300)
    if "description" in changes:
        out["description"] = require_long_text(changes["description"], "description")
    if "priority" in changes:
        if changes["priority"] not in Priority.values:
            raise ServiceError(
                f"Unknown priority {changes['priority']!r}; use one of "
                f"{', '.join(Priority.values)}.",
                fields={"priority": ["Unknown priority."]},
            )
        out["priority"] = changes["priority"]
    if "need_by" in changes:
        need_by = parse_date(changes["need_by"], "need_by", required=True)
        if need_by != dep.need_by:  # an unchanged date since passed is no new mistake
            out["need_by"] = _date(need_by, "need_by", required=True, actor=actor)
    if changes.get("requester_initiative") is not None:
        initiative = changes["requester_initiative"]
        _same_org(org, initiative, "initiative", "requester_initiative")
        if initiative.pk != dep.requester_initiative_id:
            if initiative.team_id != dep.requester_team_id:
                raise ServiceError(
                    f"{initiative.title!r} is not an initiative of {dep.requester_team.name}, "
                    "the team asking; choose one of its initiatives.",
                    fields={
                        "requester_initiative": [f"Not an initiative of {dep.requester_team.name}."]
                    },
                )
            if initiative.status not in OPEN_INITIATIVE:
                raise ServiceError(
                    f"{initiative.title!r} is {initiative.status}; only open initiatives can "
                    "depend on other teams.",
                    fields={"requester_initiative": ["The initiative is closed."]},
                )
            out["requester_initiative"] = initiative
    elif "requester_initiative" in changes:
        raise ServiceError(
            "A request is always for an initiative of the team asking.",
            fields={"requester_initiative": ["Required."]},
        )
    if changes.get("provider_team") is not None:
        team = changes["provider_team"]
        _same_org(org, team, "team", "provider_team")
        if team.pk != dep.provider_team_id:
            _check_asked(team, dep.requester_team)
            out["provider_team"] = team
    elif "provider_team" in changes:
        raise ServiceError("A request always asks a team.", fields={"provider_team": ["Required."]})
    return out


# --- transitions -------------------------------------------------------------------------


# How a refusal names an action whose name is no verb ("Cannot say not delivered yet of").
REFUSED_AS = {"not_delivered": "say not delivered yet of"}


def _refuse(dep: Dependency, action: str, why: str) -> None:
    allowed = dep.allowed_actions()
    names = ", ".join(allowed) if allowed else "none (it is closed)"
    what = REFUSED_AS.get(action, action.replace("_", " "))
    raise ServiceError(
        f"Cannot {what} {dep.title!r}: {why}. Allowed now: {names}.",
        fields={"action": [f"Allowed now: {names}."]},
        code="illegal_transition",
    )


def _provider_initiative(org: Organization, dep: Dependency, initiative, field: str):
    _same_org(org, initiative, "initiative", field)
    if initiative.team_id != dep.provider_team_id:
        raise ServiceError(
            f"{initiative.title!r} belongs to another team; choose an initiative of "
            f"{dep.provider_team.name}.",
            fields={field: [f"Not an initiative of {dep.provider_team.name}."]},
        )
    if initiative.status not in OPEN_INITIATIVE:
        raise ServiceError(
            f"{initiative.title!r} is {initiative.status}; choose an open initiative.",
            fields={field: ["The initiative is closed."]},
        )
    return initiative


def _date(value: Any, field: str, *, required: bool, actor: Person | None) -> dt.date | None:
    value = parse_date(value, field, required=required)
    if value is None:
        return None
    if actor is not None and value < _today():
        raise ServiceError(
            f"{day(value)} is in the past; choose today or later.",
            fields={field: ["The date is in the past."]},
            code="past_date",
        )
    return value


@transaction.atomic
def transition(
    org: Organization,
    actor: Person | None,
    dep: Dependency,
    action: str,
    *,
    note: str = "",
    committed_date: dt.date | None = None,
    provider_initiative=None,
    proposed_date: dt.date | None = None,
    proposed_scope: str | None = None,
    expected_version: int | None = None,
) -> Dependency:
    """Take one action of the state machine (see models.TRANSITIONS) on `dep`.

    Proposing or countering, `proposed_scope` None keeps the scope on the table (a
    counter-proposal of a date only still limits it to what was proposed), and "" drops
    it: everything asked. The event of a proposal names the scope proposed even when it
    is kept, so its history says what is on the table."""
    _same_org(org, dep, "dependency")
    if action not in TRANSITIONS:
        raise ServiceError(
            f"Unknown action {action!r}; actions are {', '.join(TRANSITIONS)}.",
            fields={"action": ["Unknown action."]},
            code="unknown_action",
        )
    dep = (
        Dependency.objects.select_for_update()
        .select_related("requester_team", "provider_team")
        .get(pk=dep.pk)
    )
    check_version(dep, expected_version)
    t = TRANSITIONS[action]
    if action not in dep.allowed_actions():
        if dep.state not in t.sources:
            _refuse(dep, action, f"it is {dep.get_state_display().lower()}")
        elif dep.said_delivered:
            _refuse(
                dep,
                action,
                f"{dep.provider_team.name} said it was delivered on "
                f"{day(dep.marked_delivered_on)}; {dep.requester_team.name} confirms it or "
                "says it is not delivered yet",
            )
        elif action == "not_delivered":
            _refuse(dep, action, f"{dep.provider_team.name} has not said it was delivered")
        elif t.turn and dep.awaiting != t.turn:
            _refuse(dep, action, f"it is the {dep.awaiting}'s turn to answer")
        else:
            _refuse(
                dep, action, f"it is already flagged {dep.get_flag_display().lower() or 'none'}"
            )
    sides = sides_of(actor, dep)
    names = (dep.requester_team.name, dep.provider_team.name)
    if t.side == EITHER:
        if not sides:
            raise PermissionDenied(
                f"“{TRANSITIONS[action].label}” is for the two teams of this dependency. "
                + queries.why_not(actor, names)
            )
        # Acting for one's own team says nothing more; else the requester's side first.
        side = next((s for s, st in sides.items() if st is None or not st.on_behalf), None)
        side = side or (Side.REQUESTER if Side.REQUESTER in sides else Side.PROVIDER)
    elif t.side not in sides:
        team = dep.provider_team if t.side == Side.PROVIDER else dep.requester_team
        raise PermissionDenied(
            f"“{TRANSITIONS[action].label}” is for the {t.side} ({team.name}) only. "
            + queries.why_not(actor, [team.name])
        )
    else:
        side = t.side
    acting = _acting_for(
        sides[side], dep.requester_team if side == Side.REQUESTER else dep.provider_team
    )
    note = require_long_text(note, "note", label="The note")
    before = activity.snapshot(dep, EVENT_FIELDS)
    changes = _apply(
        org,
        actor,
        dep,
        action,
        note,
        committed_date,
        provider_initiative,
        proposed_date,
        None if proposed_scope is None else require_long_text(proposed_scope, "proposed_scope"),
    )
    if t.target is not None:
        changes["state"] = t.target
    for name, value in changes.items():
        setattr(dep, name, value)
    if dep.state in (State.DECLINED, State.DELIVERED, State.CANCELLED):
        dep.closed_at = timezone.now()
    dep.version += 1
    dep.save()
    blocked.refresh([dep.requester_initiative_id])
    after = activity.snapshot(dep, EVENT_FIELDS)
    before, after = activity.diff(before, after)
    if action in ("propose", "counter"):
        # Kept, it is no change, but what is proposed now (no `before`: nothing changed).
        after.setdefault("proposed_scope", dep.proposed_scope)
    if note:
        after["note"] = note
    after.update(acting)
    activity.record(org, actor, VERBS[action], dep, before=before, after=after)
    return dep


def _need_note(note: str, what: str) -> None:
    if not note:
        raise ServiceError(f"Say why: {what} needs a reason.", fields={"note": ["Required."]})


def _apply(
    org, actor, dep, action, note, committed_date, provider_initiative, proposed_date, scope
) -> dict[str, Any]:
    if action == "accept":
        initiative = provider_initiative or dep.proposed_initiative or dep.provider_initiative
        if initiative is None:
            raise ServiceError(
                f"Name the initiative of {dep.provider_team.name} that will deliver it.",
                fields={"provider_initiative": ["Required to accept."]},
            )
        initiative = _provider_initiative(org, dep, initiative, "provider_initiative")
        committed = _date(
            committed_date or dep.proposed_date, "committed_date", required=True, actor=actor
        )
        # Negotiating, the open proposal is the requester's: accepted as it stands (its
        # date kept), its date is agreed too.
        agreed = (
            _agreed(dep, committed if committed == dep.proposed_date else None, dep.proposed_scope)
            if dep.state == State.NEGOTIATING
            else {}
        )
        return {
            "provider_initiative": initiative,
            "committed_date": committed,
            "awaiting": Side.PROVIDER,
            **_no_proposal(),
            **agreed,
        }
    if action == "decline":
        _need_note(note, "declining")
        return {"resolution": note, "awaiting": Side.REQUESTER, **_no_proposal()}
    if action in ("propose", "counter"):
        date = _date(proposed_date, "proposed_date", required=False, actor=actor)
        # The scope on the table stays unless changed: a date alone does not drop it.
        scope = dep.proposed_scope if scope is None else scope
        if date is None and scope == dep.proposed_scope:
            kept = ": the scope on the table stays unless you change it" if scope else ""
            raise ServiceError(
                f"Propose another date, another scope, or both{kept}.",
                fields={"proposed_date": ["Give a date or a scope."]},
            )
        out: dict[str, Any] = {
            "proposed_date": date or dep.committed_date or dep.need_by,
            "proposed_scope": scope,
        }
        if action == "propose":
            initiative = provider_initiative or dep.proposed_initiative or dep.provider_initiative
            if initiative is None:
                raise ServiceError(
                    f"Name the initiative of {dep.provider_team.name} that would deliver it.",
                    fields={"provider_initiative": ["Required to propose."]},
                )
            out["proposed_initiative"] = _provider_initiative(
                org, dep, initiative, "provider_initiative"
            )
            out["awaiting"] = Side.REQUESTER
        else:
            out["awaiting"] = Side.PROVIDER
        return out
    if action == "agree":
        out = {
            "provider_initiative": dep.proposed_initiative or dep.provider_initiative,
            "committed_date": dep.proposed_date,
            "awaiting": Side.PROVIDER,
            **_no_proposal(),
            **_agreed(dep, dep.proposed_date, dep.proposed_scope),
        }
        if out["provider_initiative"] is None:  # pragma: no cover - propose requires one
            raise ServiceError("The proposal names no initiative of the provider.")
        return out
    if action == "confirm_delivery":
        return {"flag": Flag.NONE, "flag_note": "", "flag_auto": False}
    if action == "mark_delivered":
        # The provider's word, dated: no longer late or at risk; the requester's move.
        return {
            "marked_delivered_on": queries.today(),  # a day every reader reads the same
            "awaiting": Side.REQUESTER,
            "flag": Flag.NONE,
            "flag_note": "",
            "flag_auto": False,
        }
    if action == "not_delivered":
        _need_note(note, "saying it is not delivered yet")
        return {"marked_delivered_on": None, "awaiting": Side.PROVIDER}
    if action == "cancel":
        _need_note(note, "cancelling")
        return {"resolution": note, **_no_proposal()}
    if action in ("flag_at_risk", "flag_blocked"):
        _need_note(note, "a flag")
        flag = Flag.AT_RISK if action == "flag_at_risk" else Flag.BLOCKED
        return {"flag": flag, "flag_note": note, "flag_auto": False}
    if action == "clear_flag":
        return {"flag": Flag.NONE, "flag_note": "", "flag_auto": False}
    raise AssertionError(action)  # pragma: no cover - TRANSITIONS and _apply agree


def _no_proposal() -> dict[str, Any]:
    return {"proposed_date": None, "proposed_scope": "", "proposed_initiative": None}


def _agreed(dep: Dependency, date: dt.date | None, scope: str) -> dict[str, Any]:
    """What a proposal both sides agreed to changes besides the commitment: its scope
    becomes the description, and its date, when later than the need-by, becomes the
    need-by (the requester agreed to need it then). A need-by that follows a milestone
    stays the milestone's: the milestone still needs it by then (at risk, as said)."""
    out: dict[str, Any] = {"description": scope} if scope else {}
    if date is not None and date > dep.need_by and dep.need_by_milestone_id is None:
        out["need_by"] = date
    return out


# --- slip propagation --------------------------------------------------------------------


@transaction.atomic
def on_initiative_replanned(
    initiative,
    old_date: dt.date | None,
    new_date: dt.date | None,
    *,
    actor: Person | None = None,
    reason: str = "",
) -> list[Dependency]:
    """A provider initiative's target moved: flag at risk what now cannot be met.

    Every active dependency resting on the initiative whose committed (or need-by) date is
    before the new target is flagged at risk. The slip then ripples: the requester's
    initiative cannot finish before the new date either, so dependencies resting on *it*
    are checked against that projected date, and so on downstream. Each dependency is
    flagged once, with the reason recorded (event `flagged_at_risk`, actor = Accord).
    Returns the dependencies flagged.
    """
    if new_date is None or (old_date is not None and new_date <= old_date):
        return []
    org = initiative.org
    deps = list(
        Dependency.objects.for_org(org)
        .filter(state__in=ACTIVE_STATES)
        .select_related("provider_initiative", "requester_initiative", "provider_team")
    )
    resting_on: dict[int, list[Dependency]] = {}
    for d in deps:
        if d.provider_initiative_id is not None:
            resting_on.setdefault(d.provider_initiative_id, []).append(d)
    projected: dict[int, dt.date] = {initiative.pk: new_date}
    cause: dict[int, str] = {initiative.pk: initiative.title}
    flagged: dict[int, tuple[Dependency, str]] = {}
    queue = [initiative.pk]
    while queue:
        node = queue.pop()
        date = projected[node]
        for d in resting_on.get(node, ()):
            if d.due_date >= date or d.pk in flagged or d.said_delivered:
                continue  # said delivered: no slip of the work reaches it
            if node == initiative.pk:
                why = (
                    f"{initiative.title} ({d.provider_team.name}) moved its target from "
                    f"{day(old_date) if old_date else 'none'} to {day(new_date)}, "
                    f"after the date committed here ({day(d.due_date)})."
                )
                if reason:
                    why += f" Reason given: {reason}"
            else:
                why = (
                    f"Upstream slip: {cause[node]} cannot finish before {day(date)} "
                    f"because {initiative.title} moved to {day(new_date)}; that is after "
                    f"the date committed here ({day(d.due_date)})."
                )
            flagged[d.pk] = (d, why)
            downstream = d.requester_initiative_id
            own = d.requester_initiative.target_date
            reach = max(date, own) if own else date
            if reach > projected.get(downstream, dt.date.min):
                projected[downstream] = reach
                cause[downstream] = d.requester_initiative.title
                queue.append(downstream)
    out = []
    for d, why in flagged.values():
        if d.flag == Flag.BLOCKED:
            continue  # blocked says more than at risk; keep it
        before = activity.snapshot(d, ("flag",))
        d.flag, d.flag_note, d.flag_auto = Flag.AT_RISK, why, True
        d.version += 1
        d.save(update_fields=["flag", "flag_note", "flag_auto", "version", "updated_at"])
        activity.record(
            org, None, "flagged_at_risk", d, before=before, after={"flag": d.flag, "note": why}
        )
        out.append(d)
    return out


# --- an initiative changes team ------------------------------------------------------------


@transaction.atomic
def follow_initiative(
    org: Organization,
    actor: Person | None,
    initiative,
    old_team: Team,
    new_team: Team,
) -> list[Dependency]:
    """`initiative` moved from `old_team` to `new_team`: the sides of the dependencies it
    anchors follow it. The requesting team of those it needs (`requester_initiative`) and
    the providing team of those it delivers, or is proposed to deliver
    (`provider_initiative`, `proposed_initiative`), become `new_team`, one `moved` event
    each, in the move's transaction (alignment's `initiative_moved` signal calls this).

    A side is the team whose initiative it rests on (as `create_dependency` reads it), so
    who may act, the map, the teams' counts, their agendas and inboxes follow the work,
    whatever the state: a declined request still blocks its initiative, and a delivered
    one is part of the initiative's record. The events keep which team it was before.

    An active dependency that would join `new_team` to itself refuses the move
    (ServiceError, so the move is undone): it is a commitment between two teams, and
    turning it into none is a decision its requester makes (cancel it) or its delivery
    settles, not a side effect of re-filing the work. So does one under negotiation whose
    provider names two initiatives (the one delivering it and another proposed), only one
    of which moves. A closed dependency that would join a team to itself keeps its teams:
    it is history, and a dependency always joins two teams. Returns the dependencies
    changed."""
    _same_org(org, initiative, "initiative")
    _same_org(org, new_team, "team", "team")
    if old_team.pk == new_team.pk:
        return []
    deps = list(
        Dependency.objects.select_for_update(of=("self",))
        .filter(org=org)
        .filter(
            Q(requester_initiative_id=initiative.pk)
            | Q(provider_initiative_id=initiative.pk)
            | Q(proposed_initiative_id=initiative.pk)
        )
        .select_related("requester_team", "provider_team")
        .order_by("id")
    )
    moves: list[tuple[Dependency, dict[str, Team]]] = []
    onto_itself: list[Dependency] = []
    split: list[Dependency] = []
    for d in deps:
        change: dict[str, Team] = {}
        if d.requester_initiative_id == initiative.pk:
            change["requester_team"] = new_team
        delivering = {d.provider_initiative_id, d.proposed_initiative_id} - {None}
        if initiative.pk in delivering:
            if len(delivering) > 1:
                if d.is_active:
                    split.append(d)
                continue
            change["provider_team"] = new_team
        change = {k: t for k, t in change.items() if getattr(d, f"{k}_id") != t.pk}
        if not change:
            continue
        requester = change.get("requester_team", d.requester_team)
        provider = change.get("provider_team", d.provider_team)
        if requester.pk == provider.pk:
            if d.is_active:
                onto_itself.append(d)
            continue
        moves.append((d, change))
    if onto_itself or split:
        raise ServiceError(
            _refused_move(initiative, new_team, onto_itself, split),
            fields={
                "team": [
                    f"{new_team.name} would depend on itself."
                    if onto_itself
                    else "Settle the proposal on its dependency first."
                ]
            },
            code="self_dependency" if onto_itself else "negotiating",
        )
    for d, change in moves:
        before = activity.snapshot(d, change)
        for name, team in change.items():
            setattr(d, name, team)
        d.version += 1
        d.save(update_fields=[*change, "version", "updated_at"])
        after = activity.snapshot(d, change)
        sides = " and ".join(
            f"{new_team.name} {'asks for' if name == 'requester_team' else 'delivers'} it now"
            for name in change
        )
        after["note"] = (
            f"{initiative.title} moved from {old_team.name} to {new_team.name}: {sides}."
        )
        activity.record(org, actor, "moved", d, before=before, after=after)
    return [d for d, _ in moves]


def _refused_move(initiative, team: Team, onto_itself: list, split: list) -> str:
    def names(deps: list) -> str:
        shown = ", ".join(f"{d.title!r} ({d.get_state_display().lower()})" for d in deps[:5])
        return shown + (f" and {len(deps) - 5} more" if len(deps) > 5 else "")

    parts = []
    if onto_itself:
        them = "it" if len(onto_itself) == 1 else "them"
        parts.append(
            f"{team.name} would depend on itself for {names(onto_itself)}: close {them} "
            f"first (delivered, declined or cancelled), or choose another team"
        )
    if split:
        one = len(split) == 1
        parts.append(
            f"{names(split)} {'is' if one else 'are'} being negotiated with another "
            f"initiative named to deliver {'it' if one else 'them'}: settle the proposal first"
        )
    return f"{initiative.title!r} cannot move to {team.name}. " + "; ".join(parts) + "."


def _on_initiative_moved(sender, org, initiative, old_team, new_team, actor=None, **kwargs) -> None:
    follow_initiative(org, actor, initiative, old_team, new_team)


# --- milestones --------------------------------------------------------------------------


@transaction.atomic
def tie_to_milestone(
    org: Organization,
    actor: Person | None,
    dep: Dependency,
    milestone,
    *,
    expected_version: int | None = None,
) -> Dependency:
    """The requester ties the need-by date to a milestone (it becomes the milestone's date
    and follows it), or unties it with `milestone=None` (the date stays where it is)."""
    _same_org(org, dep, "dependency")
    if milestone is not None:
        _same_org(org, milestone, "milestone", "need_by_milestone")
    dep = (
        Dependency.objects.select_for_update()
        .select_related("requester_team", "provider_team")
        .get(pk=dep.pk)
    )
    check_version(dep, expected_version)
    if Side.REQUESTER not in sides_of(actor, dep):
        raise PermissionDenied(
            f"Only the requester ({dep.requester_team.name}) may change when it is needed. "
            + queries.why_not(actor, [dep.requester_team.name])
        )
    if dep.state not in ACTIVE_STATES:
        raise ServiceError(
            f"{dep.title!r} is {dep.get_state_display().lower()}; its need-by no longer moves.",
            code="closed",
        )
    before = activity.snapshot(dep, ("need_by", "need_by_milestone"))
    dep.need_by_milestone = milestone
    if milestone is not None:
        dep.need_by = milestone.date
    after = activity.snapshot(dep, ("need_by", "need_by_milestone"))
    before, after = activity.diff(before, after)
    if not after:
        return dep
    dep.version += 1
    dep.save()
    blocked.refresh([dep.requester_initiative_id])
    if milestone is not None:
        after["note"] = f"Needed by {milestone.name} ({day(milestone.date)})."
    activity.record(org, actor, "need_by_tied", dep, before=before, after=after)
    return dep


def on_milestone_moved(
    milestone, old_date: dt.date, new_date: dt.date, *, actor: Person | None = None
) -> list[Dependency]:
    """A milestone moved: every active dependency needed by it now needs it by the new
    date (one `need_by_moved` event each, saying from when to when and why). One whose
    provider committed to a date after the new need-by is flagged at risk."""
    org = milestone.org
    deps = list(
        Dependency.objects.select_for_update()
        .filter(org=org, need_by_milestone=milestone, state__in=ACTIVE_STATES)
        .select_related("provider_team")
    )
    for d in deps:
        if d.need_by == new_date:
            continue
        old = d.need_by
        note = f"Need-by moved from {day(old)} to {day(new_date)} with milestone {milestone.name}."
        d.need_by = new_date
        fields = ["need_by", "version", "updated_at"]
        late_commitment = d.committed_date is not None and d.committed_date > new_date
        if late_commitment and d.flag == Flag.NONE and not d.said_delivered:
            d.flag, d.flag_auto = Flag.AT_RISK, True
            d.flag_note = (
                f"{milestone.name} moved to {day(new_date)}, before the date "
                f"{d.provider_team.name} committed to ({day(d.committed_date)})."
            )
            fields += ["flag", "flag_note", "flag_auto"]
        d.version += 1
        d.save(update_fields=fields)
        after: dict[str, Any] = {
            "need_by": new_date,
            "need_by_milestone": milestone.pk,
            "note": note,
        }
        if "flag" in fields:
            after["flag"] = d.flag
        activity.record(org, actor, "need_by_moved", d, before={"need_by": old}, after=after)
    blocked.refresh(d.requester_initiative_id for d in deps)
    return deps


def _on_milestone_moved(sender, milestone, old_date, new_date, actor=None, **kwargs) -> None:
    on_milestone_moved(milestone, old_date, new_date, actor=actor)


# --- late ------------------------------------------------------------------------------


LATE_BATCH = 200  # most announcements a transaction writes (and 0.2 s: `accord.core.batches`)


def announce_late(org: Organization, today: dt.date | None = None) -> int:
    """Record one `became_late` event per late dependency (`queries.late_q`: active, its
    date passed, not said delivered), saying in `late_since` the day it became late (the day
    after its date, `Dependency.late_since`), however long after that this job notices it
    (the event's `created_at` stays the moment it was recorded; histories date it by the day
    it names, `describe.happened_at`).

    Announced once per due date: a new committed date that passes again is announced
    again. Each row is claimed with a conditional update, so concurrent workers announce
    it once. Returns how many were announced.

    Written in batches (LATE_BATCH at most), each in a transaction of its own
    (`accord.core.batches`): a large organization's first run announces thousands, and a
    sign-in must not wait for all of them (nor the disk for a commit per row). A run stopped
    midway has announced whole batches (each claim committed with its event); the next run
    announces the rest, none twice.
    """
    from accord.core.batches import in_batches

    today = today or queries.today()
    deps = [
        d
        for d in Dependency.objects.for_org(org)
        .filter(queries.late_q(today))
        .select_related("requester_team", "provider_team")
        if d.late_announced_for != d.due_date
    ]
    count = 0
    for batch in in_batches(deps, LATE_BATCH):
        with transaction.atomic():
            for d in batch:
                claimed = (
                    Dependency.objects.filter(pk=d.pk)
                    .exclude(late_announced_for=d.due_date)
                    .update(late_announced_for=d.due_date)
                )
                if not claimed:
                    continue
                activity.record(
                    org,
                    None,
                    "became_late",
                    d,
                    after={
                        "due": d.due_date,
                        "late_since": d.late_since,
                        "requester_team": d.requester_team_id,
                        "provider_team": d.provider_team_id,
                        "note": f"{d.provider_team.name} has not delivered {d.title!r} to "
                        f"{d.requester_team.name}, due {day(d.due_date)}.",
                    },
                )
                count += 1
    return count


# --- blockers ----------------------------------------------------------------------------


def undelivered_for(initiative) -> list[str]:
    """Titles of the active dependencies `initiative` relies on (one query)."""
    return list(
        Dependency.objects.filter(
            requester_initiative_id=initiative.pk, state__in=ACTIVE_STATES
        ).values_list("title", flat=True)
    )


def check_initiative_status(initiative, new_status: str, override_reason: str = "") -> None:
    """Registered in alignment's INITIATIVE_STATUS_CHECKS: refuse marking an initiative done
    while it still waits on dependencies (active ones, not yet delivered: a *waiting*
    initiative in `queries`' terms, whether or not it is also *blocked*), unless an override
    reason is given (alignment records the reason with the status change)."""
    if new_status != "done" or (override_reason or "").strip():
        return
    titles = undelivered_for(initiative)
    if not titles:
        return
    n = len(titles)
    names = ", ".join(repr(t) for t in titles[:5]) + (" …" if n > 5 else "")
    raise ServiceError(
        f"{initiative.title!r} still waits on {n} undelivered "
        f"dependenc{'y' if n == 1 else 'ies'} ({names}). Give an override reason "
        "to mark it done anyway.",
        fields={"override_reason": ["Required while dependencies are undelivered."]},
        code="undelivered_dependencies",
    )


def _on_replanned(
    sender, initiative, old_target_date, new_target_date, reason="", actor=None, **kwargs
) -> None:
    on_initiative_replanned(
        initiative, old_target_date, new_target_date, actor=actor, reason=reason
    )


# --- a team retired ----------------------------------------------------------------------


def close_for_retired_team(org: Organization, team: Team) -> dict[str, int]:
    """What a retired team can no longer carry on (`org.signals.team_retired`, inside the
    retirement's transaction): its open requests to other teams are cancelled, and those
    asked of it are declined while it is its turn to answer, or else flagged blocked for
    the asker to ask another team or cancel; each with the reason, through `transition`,
    so both sides are told as for any answer. One asked of it that it already said was
    delivered stays for the asker to confirm. Accord acts (an actor of None): the one
    retiring it need not stand on either side. Returns how many of each."""
    why = f"{team.name} was retired"
    done = {"cancelled": 0, "declined": 0, "flagged": 0}
    open_ = Dependency.objects.filter(org=org, state__in=ACTIVE_STATES).order_by("pk")
    for dep in open_.filter(requester_team=team):
        transition(org, None, dep, "cancel", note=why)
        done["cancelled"] += 1
    for dep in open_.filter(provider_team=team):
        allowed = dep.allowed_actions()
        if "decline" in allowed:
            transition(org, None, dep, "decline", note=f"{why}: ask another team.")
            done["declined"] += 1
        elif "flag_blocked" in allowed:
            note = f"{why}: ask another team, or cancel the request."
            transition(org, None, dep, "flag_blocked", note=note)
            done["flagged"] += 1
    return done


def _on_team_retired(sender, org, actor, team, **kwargs) -> None:
    close_for_retired_team(org, team)


# --- reminders ---------------------------------------------------------------------------

# The first reminder of a dependency no sooner than this after the team was asked (its leads
# were told of the request then, or of its move to them), and at most one in this time.
REMIND_EVERY = dt.timedelta(days=1)


def check_remind(actor: Person | None, dep: Dependency, last=None) -> None:
    """Refuse a reminder `actor` may not send of `dep` now: only the person who asked or a
    lead of the team asking chases an answer, only while it waits on the provider's (a
    request, or a counter-proposal), not before `REMIND_EVERY` has passed since the team
    was asked (the request, or its latest move to that team: re-routed by its asker, or
    its initiative moved), at most once in `REMIND_EVERY` (`last`: the newest reminder,
    `queries.last_reminder`, read here when not given), and only when someone but the
    actor is told: the team's leads, else the nearest above, else the admins
    (`org.queries.answering`)."""
    requester, provider = dep.requester_team, dep.provider_team
    if actor is not None and not (
        queries.may_act(actor)
        and (actor.pk == dep.requested_by_id or is_team_lead(actor, requester))
    ):
        raise PermissionDenied(
            f"A reminder to {provider.name} is sent by whoever asked for it or a lead of "
            f"{requester.name}."
        )
    if not queries.awaits_provider(dep):
        now = (
            f"it is {dep.get_state_display().lower()}"
            if not dep.is_active or dep.state == State.ACCEPTED
            else f"it waits on {requester.name}'s answer"
        )
        raise ServiceError(
            f"Nothing to remind {provider.name} of: {now}. A reminder chases an answer to "
            "a request or a counter-proposal.",
            code="not_waiting",
        )
    # Sent to the team since it was made (re-routed, or its initiative moved): asked then.
    # The few events of one dependency, the newest found here (as `queries.last_reminder`).
    moves = Event.objects.filter(
        org_id=dep.org_id, verb__in=("updated", "moved"), after__provider_team=provider.pk
    ).for_target("coordination.dependency", dep.pk)
    asked = max([dep.created_at, *moves.values_list("created_at", flat=True)])
    # Who answers for it: its leads, else the nearest above, else the admins.
    told = answering(dep.org_id, provider)
    actor_id = actor.pk if actor is not None else None
    if told.whom(actor_id) == "nobody":
        # Only the one reminding answers for it (or nobody at all): nobody to remind.
        raise ServiceError(
            f"Nobody to remind: {told.only_you()}. Answer it yourself, or have "
            f"{provider.name} choose a lead."
            if told.people
            else f"Nobody to remind: {provider.name} has no lead, nor has any team above "
            "it, and the organization has no admin.",
            code="no_lead",
        )
    if asked > timezone.now() - REMIND_EVERY:
        from accord.org.invitations import email_configured

        how = "in their inbox" + (" and by e-mail, as each chose" if email_configured() else "")
        said = told.told()
        when = f"{provider.name} was asked {at_moment(asked)}"
        said = f"{when}, and {said} {how}" if told.own else f"{when}; {said} {how}"
        raise ServiceError(
            f"{said}; a reminder can go a day after they were asked: "
            f"{at_moment(asked + REMIND_EVERY)}.",
            code="asked_recently",
        )
    last = last if last is not None else queries.last_reminder(dep)
    if last is not None and last.created_at > timezone.now() - REMIND_EVERY:
        raise ServiceError(
            f"{provider.name} was reminded {at_moment(last.created_at)} by "
            f"{last.actor_name or 'Accord'}; one reminder a day: the next can go "
            f"{at_moment(last.created_at + REMIND_EVERY)}.",
            code="reminded_recently",
        )


@transaction.atomic
def remind(org: Organization, actor: Person | None, dep: Dependency):
    """The asking side chases the provider's answer (`check_remind` says who may and
    when): one `reminded` event, from which each lead of the team asked gets an inbox item
    and an e-mail (`accord.conversation.inbox`). Returns the event."""
    _same_org(org, dep, "dependency")
    dep = (
        Dependency.objects.select_for_update()
        .select_related("requester_team", "provider_team")
        .get(pk=dep.pk)
    )
    check_remind(actor, dep)
    waiting = max(0, (timezone.now() - dep.created_at).days)
    return activity.record(org, actor, "reminded", dep, after={"waiting_days": waiting})
