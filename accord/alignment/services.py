"""Every write to periods, objectives, key results, initiatives and priority stacks.

Each function validates, changes and records one event in one transaction; a refused
write raises ServiceError and changes nothing.

Hooks for other apps:
- `INITIATIVE_STATUS_CHECKS`: callables `(initiative, new_status, override_reason)` run by
  `set_initiative_status` before a change; raise ServiceError to refuse it. Append at
  import time (e.g. in an AppConfig.ready()).
- `accord.alignment.signals.initiative_replanned` / `initiative_status_changed`.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from accord.activity import delivery
from accord.activity import services as activity
from accord.alignment import confidence as confidence_bands
from accord.alignment import queries, rollups, signals
from accord.alignment.models import (
    FINAL_OBJECTIVE_STATUSES,
    OPEN_INITIATIVE_STATUSES,
    SERVING_INITIATIVE_STATUSES,
    AlignmentSettings,
    ConfidenceUpdate,
    Direction,
    FrozenKeyResult,
    Initiative,
    InitiativeKeyResult,
    InitiativeLink,
    InitiativeLinkKind,
    InitiativeObjective,
    InitiativeStatus,
    KeyResult,
    KeyResultValue,
    Objective,
    ObjectiveLevel,
    ObjectiveLink,
    ObjectiveStatus,
    Period,
    PeriodKind,
    PeriodState,
    RankChange,
    Replan,
    TeamAlignmentSettings,
)
from accord.alignment.progress import kr_progress, progress
from accord.core.dates import check_in_range
from accord.core.errors import Duplicate, NotFound, PermissionDenied, ServiceError
from accord.core.services import (
    check_version,
    delete_unless_in_use,
    lock_row,
    parse_date,
    read_decimal,
    require_long_text,
    require_same_org,
    require_text,
    require_unique_name,
    update_and_record,
)
from accord.org.models import Membership, Organization, Person, PersonKind, Role, Team
from accord.org.permissions import (
    acts_as,
    is_team_lead,
    on_behalf_of,
    refuse_agent,
    refuse_viewer,
    require_role,
    require_team_admin,
)
from accord.web.templatetags.dates import at_moment

StatusCheck = Callable[[Initiative, str, str], None]
INITIATIVE_STATUS_CHECKS: list[StatusCheck] = []

PERIOD_FIELDS = ("name", "kind", "start", "end", "state", "is_current")
OBJECTIVE_FIELDS = ("title", "description", "owner", "level", "team", "period", "status")
KR_FIELDS = (
    "name",
    "unit",
    "direction",
    "start",
    "target",
    "range_low",
    "range_high",
    "baseline_date",
    "is_milestone",
    "weight",
    "owner",
    "position",
)
INITIATIVE_FIELDS = (
    "title",
    "description",
    "owner",
    "team",
    "start_date",
    "target_date",
    "effort_weeks",
    "progress",
    "stage",
)
LABEL_FIELDS = ("objective_label", "key_result_label", "initiative_label")


# --- shared checks -----------------------------------------------------------------------


def _can_write(actor: Person | None, action: str) -> None:
    require_role(actor, Role.MEMBER, action)


def _choice(value: Any, choices: Any, field: str, what: str) -> str:
    if value not in choices.values:
        raise ServiceError(
            f"Unknown {what} {value!r}; use one of {', '.join(choices.values)}.",
            fields={field: [f"Unknown {what}."]},
        )
    return str(value)


def number(value: Any, field: str, *, required: bool = True) -> float | None:
    """A finite number from an int, float, Decimal or numeric text; else a clear refusal."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ServiceError(f"{_label(field)} is required.", fields={field: ["Required."]})
        return None
    if isinstance(value, bool):
        value = str(value)
    d = read_decimal(value)
    if d.is_nan():
        raise ServiceError(
            f"{_label(field)} must be a number, not {value!r}.",
            fields={field: ["Enter a number."]},
            code="not_a_number",
        )
    out = float(d)
    if not math.isfinite(out):
        raise ServiceError(
            f"{_label(field)} must be a finite number.", fields={field: ["Enter a number."]}
        )
    return out


_date = parse_date


def _label(field: str) -> str:
    return field.replace("_", " ").capitalize()


def _require_open_period(period: Period, what: str) -> None:
    if period.state == PeriodState.CLOSED:
        raise ServiceError(
            f"{period.name} is closed; its {what} are a frozen record and cannot change.",
            code="period_closed",
        )


# --- periods -----------------------------------------------------------------------------


def require_period_rights(actor: Person | None) -> None:
    """Creating, changing and deleting periods is for leaders and admins; the pages ask
    this too (`may_plan_periods`), so a form is offered only to who may save it."""
    require_role(actor, Role.LEADER, "plan periods")


def may_plan_periods(actor: Person | None) -> bool:
    try:
        require_period_rights(actor)
    except PermissionDenied:
        return False
    return True


def _clean_period(org: Organization, data: dict[str, Any], period: Period | None) -> dict:
    out = dict(data)
    if "name" in out:
        out["name"] = require_text(out["name"], "name", max_length=100)
        require_unique_name(Period.objects.for_org(org), out["name"], "period", period)
    if "kind" in out:
        _choice(out["kind"], PeriodKind, "kind", "period kind")
    if "state" in out:
        _choice(out["state"], PeriodState, "state", "period state")
    for f in ("start", "end"):
        if f in out:
            out[f] = _date(out[f], f, required=True)
    start = out.get("start", period.start if period else None)
    end = out.get("end", period.end if period else None)
    if start and end and end < start:
        raise ServiceError(
            f"The period ends ({end}) before it starts ({start}).",
            fields={"end": ["Must be on or after the start date."]},
        )
    return out


# How long a period of each kind runs, in days, with room for 4-4-5 and 13-week quarters
# and 52- or 53-week years; release cycles and custom periods run as long as they like.
KIND_DAYS = {
    PeriodKind.QUARTER: (77, 105, "about 3 months"),
    PeriodKind.HALF: (161, 203, "about 6 months"),
    PeriodKind.YEAR: (350, 380, "about 12 months"),
}


def _length(days: int) -> str:
    if days < 60:
        return f"{days} days"
    months = round(days / 30.44)
    return f"{months} month{'s' if months != 1 else ''}"


def check_period_kind(kind: str, start: dt.date, end: dt.date) -> None:
    """Refuse a period whose dates do not fit its kind (a "quarter" of twelve months),
    naming the kind that fits."""
    rule = KIND_DAYS.get(kind)
    if rule is None or start is None or end is None or end < start:
        return
    low, high, words = rule
    days = (end - start).days + 1
    if low <= days <= high:
        return
    fits = next((k for k, (lo, hi, _) in KIND_DAYS.items() if lo <= days <= hi), None)
    choose = PeriodKind(fits).label if fits else PeriodKind.CUSTOM.label
    label = PeriodKind(kind).label
    raise ServiceError(
        f"A {label.lower()} runs {words}; {start:%-d %b %Y} to {end:%-d %b %Y} is "
        f"{_length(days)}. Choose {choose} as its kind, or change its dates.",
        fields={"kind": [f"{_length(days)} is not a {label.lower()}: choose {choose}."]},
        code="kind_mismatch",
    )


# Kinds that divide the calendar: two of one kind never share a day (a "winter quarter"
# over two quarters would be in every quarter's list at once). Release cycles and custom
# periods may overlap (a release stabilizing while the next is built).
CALENDAR_KINDS = (PeriodKind.QUARTER, PeriodKind.HALF, PeriodKind.YEAR)


def check_period_overlap(
    org: Organization, kind: str, start: dt.date, end: dt.date, period: Period | None = None
) -> None:
    """Refuse a quarter, half or year that shares days with another of its kind, naming
    the other."""
    if kind not in CALENDAR_KINDS or start is None or end is None:
        return
    others = Period.objects.for_org(org).filter(kind=kind, start__lte=end, end__gte=start)
    if period is not None:
        others = others.exclude(pk=period.pk)
    other = others.order_by("start", "pk").first()
    if other is None:
        return
    label = PeriodKind(kind).label.lower()
    raise ServiceError(
        f"{other.name} is a {label} too, from {other.start:%-d %b %Y} to "
        f"{other.end:%-d %b %Y}, and {start:%-d %b %Y} to {end:%-d %b %Y} overlaps it: two "
        f"{label}s cannot share days. Change the dates, or choose another kind.",
        fields={
            "start": [f"Overlaps {other.name}."],
            "end": [f"Overlaps {other.name}."],
        },
        code="period_overlap",
    )


@transaction.atomic
def create_period(
    org: Organization,
    actor: Person | None,
    *,
    name: str,
    start: Any,
    end: Any,
    kind: str = PeriodKind.QUARTER,
    state: str = PeriodState.PLANNING,
    is_current: bool = False,
) -> Period:
    require_period_rights(actor)
    data = _clean_period(
        org, {"name": name, "kind": kind, "start": start, "end": end, "state": state}, None
    )
    if actor is not None:  # (a file or an import enters what was)
        check_period_kind(data["kind"], data["start"], data["end"])
    check_period_overlap(org, data["kind"], data["start"], data["end"])
    if data["state"] == PeriodState.CLOSED:
        raise ServiceError(
            "A new period cannot start closed.", fields={"state": ["Use planning or active."]}
        )
    period = Period.objects.create(org=org, **data)
    activity.record(org, actor, "created", period, after=activity.snapshot(period, PERIOD_FIELDS))
    if is_current:
        set_current_period(org, actor, period)
        period.refresh_from_db()
    return period


@transaction.atomic
def update_period(
    org: Organization,
    actor: Person | None,
    period: Period,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Period:
    require_same_org(org, period, "period")
    require_period_rights(actor)
    unknown = set(changes) - {"name", "kind", "start", "end", "state"}
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a period.")
    period = Period.objects.select_for_update().get(pk=period.pk)
    check_version(period, expected_version)
    data = _clean_period(org, changes, period)
    if period.state == PeriodState.CLOSED:
        raise ServiceError(f"{period.name} is closed and cannot change.", code="period_closed")
    if data.get("state") == PeriodState.CLOSED:
        raise ServiceError(
            "Close a period with close_period, which freezes its key results.",
            fields={"state": ["Use Close period."]},
        )
    if "start" in data or "end" in data:
        _check_period_dates(
            org, period, data.get("start", period.start), data.get("end", period.end)
        )
    shape = {f: data.get(f, getattr(period, f)) for f in ("kind", "start", "end")}
    if actor is not None and any(shape[f] != getattr(period, f) for f in shape):
        check_period_kind(shape["kind"], shape["start"], shape["end"])
    if any(shape[f] != getattr(period, f) for f in shape):
        check_period_overlap(org, shape["kind"], shape["start"], shape["end"], period)
    return update_and_record(org, actor, period, data)


@transaction.atomic
def delete_period(org: Organization, actor: Person | None, period: Period) -> None:
    """Delete an empty period (one with objectives is kept: close it instead)."""
    require_same_org(org, period, "period")
    require_period_rights(actor)
    count = Objective.objects.filter(period=period).count()
    if count:
        raise ServiceError(
            f"{period.name} has {count} objective{'s' if count != 1 else ''}; close it instead "
            "of deleting it, so its record is kept.",
            code="has_objectives",
        )
    activity.record(org, actor, "deleted", period, before=activity.snapshot(period, PERIOD_FIELDS))
    delete_unless_in_use(period, period.name)


def _check_period_dates(org: Organization, period: Period, start: dt.date, end: dt.date) -> None:
    """New dates must keep every objective link valid (parent periods enclose children's)."""
    probe = Period(start=start, end=end)
    links = ObjectiveLink.objects.for_org(org).select_related("child__period", "parent__period")
    for link in links.filter(child__period=period).exclude(parent__period=period):
        if not (link.parent.period.start <= start and link.parent.period.end >= end):
            raise ServiceError(
                f"{link.child.title} contributes to {link.parent.title} in "
                f"{link.parent.period.name}, which would no longer enclose {period.name}.",
                fields={"start": ["Would break an alignment link."]},
            )
    for link in links.filter(parent__period=period).exclude(child__period=period):
        if not probe.encloses(link.child.period):
            raise ServiceError(
                f"{link.child.title} in {link.child.period.name} contributes to "
                f"{link.parent.title}; {period.name} must still enclose it.",
                fields={"start": ["Would break an alignment link."]},
            )


@transaction.atomic
def set_current_period(org: Organization, actor: Person | None, period: Period) -> Period:
    require_same_org(org, period, "period")
    require_role(actor, Role.LEADER, "choose the current period")
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.state == PeriodState.CLOSED:
        raise ServiceError(f"{period.name} is closed; it cannot be the current period.")
    previous = list(Period.objects.for_org(org).filter(is_current=True).exclude(pk=period.pk))
    for p in previous:
        update_and_record(org, actor, p, {"is_current": False})
    changes: dict[str, Any] = {"is_current": True}
    if period.state == PeriodState.PLANNING:
        changes["state"] = PeriodState.ACTIVE
    return update_and_record(org, actor, period, changes, verb="made_current")


@transaction.atomic
def close_period(
    org: Organization,
    actor: Person | None,
    period: Period,
    *,
    then_current: Period | None = None,
) -> Period:
    """Close a period: its key-result values are frozen as a read-only record, and its
    objectives are no longer judged (no signal, no health score counts them). What is
    current afterwards is `queries.current_period`; `then_current` makes another open
    period current as part of closing (`set_current_period`)."""
    require_same_org(org, period, "period")
    require_role(actor, Role.LEADER, "close periods")
    if then_current is not None:
        require_same_org(org, then_current, "period")
        if then_current.pk == period.pk:
            raise ServiceError(
                f"{period.name} is being closed; it cannot be the current period.",
                fields={"then_current": ["Choose another period, or none."]},
            )
    period = Period.objects.select_for_update().get(pk=period.pk)
    if period.state == PeriodState.CLOSED:
        raise ServiceError(f"{period.name} is already closed.", code="already_closed")
    now = timezone.now()
    krs = list(KeyResult.objects.for_org(org).filter(objective__period=period))
    FrozenKeyResult.objects.bulk_create(
        [
            FrozenKeyResult(
                org=org,
                period=period,
                key_result=kr,
                value=kr.current,
                done=kr.done,
                progress=kr_progress(kr),
                frozen_at=now,
            )
            for kr in krs
        ]
    )
    period.closed_at = now
    period.save(update_fields=["closed_at"])
    update_and_record(
        org,
        actor,
        period,
        {"state": PeriodState.CLOSED, "is_current": False},
        verb="closed",
    )
    # Its objectives are history now: none is orphaned (see rollups.py).
    rollups.refresh(Objective.objects.filter(period=period).values_list("id", flat=True))
    if then_current is not None:
        set_current_period(org, actor, then_current)
    return period


def carriable_objectives(org: Organization, period: Period):
    """The objectives of `period` a carry-over copies: unfinished ones, that is draft or
    active and not already complete (their stored roll-up progress short of 100%), of the
    organization or of a team that is not retired (`left_behind`: those of retired teams)."""
    from accord.org.models import TeamState

    return queries.unfinished_objectives(org, period).exclude(team__state=TeamState.RETIRED)


def left_behind(org: Organization, period: Period):
    """The unfinished objectives of `period` a carry-over leaves behind: those of retired
    teams (nobody is left to pursue them)."""
    from accord.org.models import TeamState

    return queries.unfinished_objectives(org, period).filter(team__state=TeamState.RETIRED)


class CarriedOver(list):
    """The copies `carry_over` made (it is the list of them), with what it did besides:
    `left_behind` (objectives of retired teams, not carried), `already` (how many were
    carried there before), `new_owner` (copy -> the team lead it was given, or None, when
    its owner is deactivated), `initiatives` (open initiatives that now serve a copy too)
    and `confidences` (copies that carry their original's last confidence)."""

    def __init__(self, copies: Iterable[Objective] = (), into: Period | None = None) -> None:
        super().__init__(copies)  # (a list's own constructor: Django rebuilds lists so)
        self.into = into
        self.left_behind: list[Objective] = []
        self.already = 0
        self.new_owner: dict[Objective, Person | None] = {}
        self.initiatives: set[int] = set()
        self.confidences = 0

    def summary(self, singular: str = "objective", plural: str = "objectives") -> str:
        """What it did, for its page: "3 unfinished objectives carried over into Q1 2027
        (they start where their key results stood; 2 open initiatives serve the copies
        too). 1 objective of a retired team left behind: …"."""

        def n(count: int, one: str = singular, many: str = plural) -> str:
            return f"{count} {(one if count == 1 else many).lower()}"

        into = self.into.name if self.into else "the chosen period"
        if not self:
            text = f"No unfinished {plural.lower()} to carry over into {into}."
        else:
            text = f"{n(len(self))} carried over into {into}"
            # A copy's key results start where the original's stood (`carry_over`): its
            # progress counts from today's value, not from the original's start.
            notes = ["their key results start from their current values"]
            if self.initiatives:
                k = len(self.initiatives)
                notes.append(
                    f"{k} open initiative{'s serve' if k != 1 else ' serves'} the copies too"
                )
            if self.confidences:
                c = self.confidences
                notes.append(f"{c} {'keeps its' if c == 1 else 'keep their'} last confidence")
            text += f" ({'; '.join(notes)})." if notes else "."
        if self.already:
            text += f" {n(self.already)} already carried there before, skipped."
        if self.left_behind:
            names = sorted({o.team.name for o in self.left_behind if o.team})
            text += (
                f" {n(len(self.left_behind))} of retired teams left behind ({', '.join(names)})."
            )
        given = [c for c, p in self.new_owner.items() if p is not None]
        if given:
            who = ", ".join(f"{c.title} → {self.new_owner[c].name}" for c in given[:5])
            text += f" {n(len(given))} whose owner is deactivated given their team's lead: {who}."
        ownerless = [c for c, p in self.new_owner.items() if p is None]
        if ownerless:
            titles = ", ".join(c.title for c in ownerless[:5])
            text += (
                f" {n(len(ownerless))} whose owner is deactivated left without an owner "
                f"(no team lead to give it to): {titles}."
            )
        return text


def lead_to_own(team_id: int | None) -> Person | None:
    """The team's lead who may own its objective (an active person, not an agent, who
    changes things: `refuse_agent`, `refuse_viewer`), the lowest id as the signals name a
    team's lead (`Snapshot.lead_of`), else None."""
    if team_id is None:
        return None
    m = (
        Membership.objects.leading()
        .filter(team_id=team_id, person__is_active=True, person__kind=PersonKind.PERSON)
        .exclude(person__role=Role.VIEWER)
        .select_related("person")
        .order_by("person_id")
        .first()
    )
    return m.person if m else None


@transaction.atomic
def carry_over(
    org: Organization,
    actor: Person | None,
    *,
    from_period: Period,
    to_period: Period,
    objectives: Iterable[Objective] | None = None,
) -> CarriedOver:
    """Copy unfinished objectives of `from_period` (`carriable_objectives`: draft or active
    and not complete) into `to_period`.

    Each copy links back to its original (`carried_from`) and gets copies of its key
    results, which start the new period from where the originals stood: their start is
    the original's current value. A copy contributes to its parent's copy in `to_period`
    (carried now or before) with the same weight, and keeps a parent whose period
    encloses `to_period`; other parents are left behind. The open initiatives that serve
    the original (or its key results) serve the copy (its key results) too. A copy keeps
    its original's last confidence, recorded on it with its date ("Carried from Q4").
    An owner who is deactivated is not carried: the copy goes to its team's lead (or to
    nobody when there is none), as the result says. Objectives of retired teams are left
    behind; those already carried into `to_period` are skipped, so carrying twice is
    harmless. Returns the copies (`CarriedOver`, which also tells what else it did).
    """
    require_same_org(org, from_period, "period")
    require_same_org(org, to_period, "period")
    require_role(actor, Role.LEADER, "carry objectives over")
    if from_period.pk == to_period.pk:
        raise ServiceError(
            "Choose another period to carry objectives into.",
            fields={"to_period": ["Same as the source period."]},
        )
    to_period = Period.objects.select_for_update().get(pk=to_period.pk)  # as it is now
    _require_open_period(to_period, "objectives")
    if to_period.start < from_period.start:
        raise ServiceError(
            f"{to_period.name} starts before {from_period.name}; carry objectives forward.",
            fields={"to_period": ["Must be a later period."]},
        )
    result = CarriedOver(into=to_period)
    qs = carriable_objectives(org, from_period)
    behind = left_behind(org, from_period).select_related("team")
    if objectives is not None:
        ids = [o.pk for o in objectives]
        for o in objectives:
            require_same_org(org, o, "objective")
        qs = qs.filter(pk__in=ids)
        behind = behind.filter(pk__in=ids)
    result.left_behind = list(behind.order_by("id"))
    # original id -> id of its copy in `to_period`
    copy_of: dict[int, int] = dict(
        Objective.objects.for_org(org)
        .filter(period=to_period, carried_from__isnull=False)
        .values_list("carried_from_id", "id")
    )
    candidates = list(qs.select_related("owner").order_by("id"))
    originals = [o for o in candidates if o.pk not in copy_of]
    result.already = len(candidates) - len(originals)
    krs_by_objective: dict[int, list[KeyResult]] = {}
    for kr in (
        KeyResult.objects.filter(objective__in=originals)
        .select_related("owner")
        .order_by("position", "id")
    ):
        krs_by_objective.setdefault(kr.objective_id, []).append(kr)
    # The open initiatives serving each original, and each of its key results.
    open_work = Q(initiative__status__in=OPEN_INITIATIVE_STATUSES)
    serving: dict[int, list[int]] = {}
    for init_id, obj_id in InitiativeObjective.objects.filter(
        open_work, objective__in=originals
    ).values_list("initiative_id", "objective_id"):
        serving.setdefault(obj_id, []).append(init_id)
    serving_kr: dict[int, list[int]] = {}
    for init_id, kr_id in InitiativeKeyResult.objects.filter(
        open_work, key_result__objective__in=originals
    ).values_list("initiative_id", "key_result_id"):
        serving_kr.setdefault(kr_id, []).append(init_id)
    last_confidence = {
        u.objective_id: u
        for u in ConfidenceUpdate.objects.filter(objective__in=originals).order_by("at", "id")
    }
    leads: dict[int | None, Person | None] = {}
    copies: list[Objective] = []
    served: list[InitiativeObjective] = []
    served_kr: list[InitiativeKeyResult] = []
    now = timezone.now()
    today = timezone.localdate(now)
    for original in originals:
        owner = original.owner
        gone = owner is not None and not owner.is_active
        if gone:
            if original.team_id not in leads:
                leads[original.team_id] = lead_to_own(original.team_id)
            owner = leads[original.team_id]
        copy = Objective.objects.create(
            org=org,
            title=original.title,
            description=original.description,
            owner=owner,
            level=original.level,
            team_id=original.team_id,
            period=to_period,
            status=ObjectiveStatus.ACTIVE,
            confidence=original.confidence,
            confidence_updated_at=original.confidence_updated_at,
            carried_from=original,
        )
        if gone:
            result.new_owner[copy] = owner
        copy_of[original.pk] = copy.pk
        if original.confidence is not None:
            last = last_confidence.get(original.pk)
            ConfidenceUpdate.objects.create(
                org=org,
                objective=copy,
                confidence=original.confidence,
                by=last.by if last else None,
                at=original.confidence_updated_at or (last.at if last else now),
                note=f"Carried from {from_period.name}",
            )
            result.confidences += 1
        for init_id in serving.get(original.pk, []):
            served.append(InitiativeObjective(org=org, initiative_id=init_id, objective=copy))
            result.initiatives.add(init_id)
        for kr in krs_by_objective.get(original.pk, []):
            kr_owner = kr.owner if kr.owner is None or kr.owner.is_active else None
            new_kr = KeyResult.objects.create(
                org=org,
                objective=copy,
                name=kr.name,
                unit=kr.unit,
                direction=kr.direction,
                # The new period starts from where the key result stands.
                start=kr.current,
                target=kr.target,
                current=kr.current,
                range_low=kr.range_low,
                range_high=kr.range_high,
                baseline_date=today if kr.baseline_date else None,
                is_milestone=kr.is_milestone,
                done=kr.done,
                weight=kr.weight,
                owner=kr_owner,
                position=kr.position,
            )
            KeyResultValue.objects.create(
                org=org,
                key_result=new_kr,
                value=new_kr.current,
                recorded_by=actor,
                recorded_at=now,
                note=f"Carried over from {from_period.name}",
            )
            for init_id in serving_kr.get(kr.pk, []):
                served_kr.append(
                    InitiativeKeyResult(org=org, initiative_id=init_id, key_result=new_kr)
                )
                result.initiatives.add(init_id)
        after: dict[str, Any] = {"carried_from": original.pk, "period": to_period.pk}
        if gone:
            after["owner"] = owner.pk if owner else None
            after["owner_deactivated"] = original.owner_id
        activity.record(org, actor, "carried_over", copy, after=after)
        copies.append(copy)
    # Each copy contributes to its parent's copy; a parent whose period encloses the new
    # period stays its parent; any other parent is left behind.
    links: list[ObjectiveLink] = []
    for link in ObjectiveLink.objects.filter(child__in=originals).select_related("parent__period"):
        if link.parent_id in copy_of:
            parent_id = copy_of[link.parent_id]
        elif link.parent.period.encloses(to_period):
            parent_id = link.parent_id
        else:
            continue
        links.append(
            ObjectiveLink(
                org=org, child_id=copy_of[link.child_id], parent_id=parent_id, weight=link.weight
            )
        )
    ObjectiveLink.objects.bulk_create(links)
    InitiativeObjective.objects.bulk_create(served)
    InitiativeKeyResult.objects.bulk_create(served_kr)
    # Each initiative's history says what it serves now, as `link_initiative` records it.
    initiatives = Initiative.objects.in_bulk({link.initiative_id for link in served + served_kr})
    for link in served:
        after = {"objective": link.objective.pk, "label": link.objective.title}
        activity.record(org, actor, "linked", initiatives[link.initiative_id], after=after)
    for link in served_kr:
        after = {"key_result": link.key_result.pk, "label": link.key_result.name}
        activity.record(org, actor, "linked", initiatives[link.initiative_id], after=after)
    rollups.refresh(c.pk for c in copies)
    rollups.refresh_aligned(result.initiatives)
    result.extend(copies)
    return result


# --- objectives --------------------------------------------------------------------------


def _check_level_team(org: Organization, level: str, team: Team | None) -> None:
    _choice(level, ObjectiveLevel, "level", "level")
    require_same_org(org, team, "team")
    if level == ObjectiveLevel.TEAM and team is None:
        raise ServiceError(
            "A team objective needs a team.", fields={"team": ["Choose the team it belongs to."]}
        )
    if level == ObjectiveLevel.ORG and team is not None:
        raise ServiceError(
            f"An organization objective belongs to no team; {team.name}'s is a team objective.",
            fields={"team": ["Leave it empty for an organization objective, or choose Team."]},
            code="org_objective_team",
        )


def require_objective_rights(actor: Person | None, level: str) -> None:
    """Organization objectives are set and changed by leaders and admins, a team's by who
    acts for the team or owns it (`may_change`, `require_team_rights`); the pages ask this
    too (`may_change_objective`), so the edit form and its button are offered only to who
    may save it."""
    if level == ObjectiveLevel.ORG:
        require_role(actor, Role.LEADER, "set or change organization objectives")
    else:
        _can_write(actor, "change objectives")


def may_change_objective(actor: Person | None, objective: Objective) -> bool:
    """Whether the edit form of `objective` is for `actor`: its level's rights
    (`require_objective_rights`) and the objective's own (`may_change`)."""
    try:
        require_objective_rights(actor, objective.level)
    except PermissionDenied:
        return False
    return may_change(actor, objective)


@transaction.atomic
def create_objective(
    org: Organization,
    actor: Person | None,
    *,
    title: str,
    period: Period,
    level: str = ObjectiveLevel.TEAM,
    team: Team | None = None,
    owner: Person | None = None,
    description: str = "",
    status: str = ObjectiveStatus.ACTIVE,
    parents: Iterable[Objective | tuple[Objective, float]] = (),
    again: bool = False,
) -> Objective:
    """An objective. The same one (title, period, level and team) its person set a moment
    ago, still open, is refused (`Duplicate`, `queries.twin_objective`) unless `again`."""
    require_objective_rights(actor, level)
    title = require_text(title, "title", max_length=300)
    if period is None:
        raise ServiceError("Choose a period.", fields={"period": ["Required."]})
    require_same_org(org, period, "period")
    require_same_org(org, owner, "person")
    refuse_agent(owner, "owner", "be the accountable owner of an objective")
    if actor is not None:  # (a file or an import enters what was)
        refuse_viewer(owner, "owner", "be the accountable owner of an objective")
    _check_level_team(org, level, team)
    if level == ObjectiveLevel.TEAM and team is not None:
        require_team_rights(actor, team, "objectives")
    _choice(status, ObjectiveStatus, "status", "status")
    _require_open_period(period, "objectives")
    twin = None if again else queries.twin_objective(org, actor, title, period, level, team)
    if twin is not None:
        raise Duplicate(f"{twin_objective_said(twin)}.", existing=twin, what="objective")
    objective = Objective.objects.create(
        org=org,
        title=title,
        description=require_long_text(description, "description"),
        owner=owner,
        level=level,
        team=team,
        period=period,
        status=status,
    )
    activity.record(
        org, actor, "created", objective, after=activity.snapshot(objective, OBJECTIVE_FIELDS)
    )
    for p in parents:
        parent, weight = p if isinstance(p, tuple) else (p, 1.0)
        link_objective(org, actor, objective, parent, weight)
    rollups.refresh([objective.pk])
    return objective


def twin_objective_said(twin: Objective) -> str:
    """What the page and the API say of the objective just set the same (no full stop: a
    form goes on to offer its box)."""
    who = twin.team.name if twin.team_id else "the organization"
    return (
        f"You set this objective for {who} in {twin.period.name} {at_moment(twin.created_at)} "
        f"(#{twin.pk}). Follow that one"
    )


@transaction.atomic
def update_objective(
    org: Organization,
    actor: Person | None,
    objective: Objective,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Objective:
    require_same_org(org, objective, "objective")
    unknown = set(changes) - set(OBJECTIVE_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of an objective.")
    objective = Objective.objects.select_for_update().select_related("period").get(pk=objective.pk)
    check_version(objective, expected_version)
    level = changes.get("level", objective.level)
    require_objective_rights(actor, level)
    if level != objective.level:
        require_objective_rights(actor, objective.level)
    dropping = changes.get("status") == ObjectiveStatus.DROPPED != objective.status
    require_change_rights(actor, objective, "objective", "drop" if dropping else "change")
    if objective.period.state == PeriodState.CLOSED:
        _check_scoring(objective, changes)
    if "title" in changes:
        changes["title"] = require_text(changes["title"], "title", max_length=300)
    if "description" in changes:
        changes["description"] = require_long_text(changes["description"], "description")
    if "status" in changes:
        _choice(changes["status"], ObjectiveStatus, "status", "status")
    require_same_org(org, changes.get("owner"), "person")
    refuse_agent(changes.get("owner"), "owner", "be the accountable owner of an objective")
    if actor is not None and changes.get("owner") and changes["owner"].pk != objective.owner_id:
        refuse_viewer(changes["owner"], "owner", "be the accountable owner of an objective")
    team = changes.get("team", objective.team)
    if "level" in changes or "team" in changes:  # (an older one given a team stays editable)
        _check_level_team(org, level, team)
    if level == ObjectiveLevel.TEAM and team is not None and team.pk != objective.team_id:
        require_team_rights(actor, team, "objectives")
    if "period" in changes and changes["period"] != objective.period:
        new_period = changes["period"]
        if new_period is None:
            raise ServiceError("Choose a period.", fields={"period": ["Required."]})
        require_same_org(org, new_period, "period")
        _require_open_period(new_period, "objectives")
        _check_links_for_period(objective, new_period)
    objective = update_and_record(org, actor, objective, changes)
    if "status" in changes:
        rollups.refresh([objective.pk])
    return objective


def _check_scoring(objective: Objective, changes: dict[str, Any]) -> None:
    """A closed period's objective is a frozen record, but for its score: its status may
    still be set to achieved, missed or dropped (the quarter is reviewed after it closed);
    the rest of what is posted must be as it is."""
    period = objective.period
    changed = sorted(f for f, v in changes.items() if f != "status" and getattr(objective, f) != v)
    if changed:
        raise ServiceError(
            f"{period.name} is closed; its objectives are a frozen record, and only their "
            f"status (achieved, missed or dropped) can still be set, not their "
            f"{', '.join(_label(f).lower() for f in changed)}.",
            fields={f: [f"{period.name} is closed."] for f in changed},
            code="period_closed",
        )
    status = changes.get("status", objective.status)
    if status != objective.status and status not in FINAL_OBJECTIVE_STATUSES:
        raise ServiceError(
            f"{period.name} is closed: score its objectives achieved, missed or dropped.",
            fields={"status": ["Achieved, missed or dropped."]},
            code="period_closed",
        )


def _check_links_for_period(objective: Objective, period: Period) -> None:
    for link in objective.parent_links.select_related("parent__period"):
        if not link.parent.period.encloses(period):
            raise ServiceError(
                f"{objective.title} contributes to {link.parent.title} in "
                f"{link.parent.period.name}, which does not enclose {period.name}.",
                fields={"period": ["A parent objective's period must enclose it."]},
                code="cross_period",
            )
    for link in objective.child_links.select_related("child__period"):
        if not period.encloses(link.child.period):
            raise ServiceError(
                f"{link.child.title} in {link.child.period.name} contributes to "
                f"{objective.title}; {period.name} does not enclose it.",
                fields={"period": ["Must enclose the periods of contributing objectives."]},
                code="cross_period",
            )


def _weight(value: Any) -> float:
    w = number(value, "weight")
    assert w is not None
    if w <= 0:
        raise ServiceError(
            f"Weight must be above 0, not {w:g}.", fields={"weight": ["Enter a number above 0."]}
        )
    return w


@transaction.atomic
def link_objective(
    org: Organization,
    actor: Person | None,
    child: Objective,
    parent: Objective,
    weight: Any = 1.0,
) -> ObjectiveLink:
    """`child` contributes to `parent` (any team's). Refuses cycles and cross-period links."""
    require_same_org(org, child, "objective")
    require_same_org(org, parent, "parent objective")
    _can_write(actor, "align objectives")
    weight = _weight(weight)
    child = Objective.objects.select_related("period", "team", "owner").get(pk=child.pk)
    require_change_rights(actor, child, "objective", "align")
    parent = Objective.objects.select_related("period").get(pk=parent.pk)
    _require_open_period(child.period, "objectives")
    if child.pk == parent.pk:
        raise ServiceError(
            f"{child.title} cannot contribute to itself.",
            fields={"parent": ["An objective cannot be its own parent."]},
            code="cycle",
        )
    if not parent.period.encloses(child.period):
        raise ServiceError(
            f"{parent.title} belongs to {parent.period.name}, which does not enclose "
            f"{child.period.name}; a parent must be in the same or an enclosing period.",
            fields={"parent": ["Must be in the same or an enclosing period."]},
            code="cross_period",
        )
    if child.pk in rollups.ancestors([parent.pk]):
        raise ServiceError(
            f"Aligning {child.title} under {parent.title} would make a cycle: "
            f"{parent.title} already contributes to {child.title}.",
            fields={"parent": [f"{parent.title} already contributes to {child.title}."]},
            code="cycle",
        )
    link = ObjectiveLink.objects.filter(child=child, parent=parent).first()
    if link is not None:
        if link.weight != weight:
            before = {"parent": parent.pk, "weight": link.weight}
            link.weight = weight
            link.save(update_fields=["weight"])
            activity.record(
                org,
                actor,
                "relinked",
                child,
                before=before,
                after={"parent": parent.pk, "weight": weight},
            )
            rollups.refresh([child.pk])
        return link
    try:
        with transaction.atomic():
            link = ObjectiveLink.objects.create(org=org, child=child, parent=parent, weight=weight)
    except IntegrityError:
        raise ServiceError(f"{child.title} already contributes to {parent.title}.") from None
    activity.record(
        org,
        actor,
        "linked",
        child,
        after={"parent": parent.pk, "parent_title": parent.title, "weight": weight},
    )
    rollups.refresh([child.pk])
    return link


@transaction.atomic
def unlink_objective(
    org: Organization, actor: Person | None, child: Objective, parent: Objective
) -> None:
    require_same_org(org, child, "objective")
    require_same_org(org, parent, "parent objective")
    _can_write(actor, "align objectives")
    child = Objective.objects.select_related("period", "team", "owner").get(pk=child.pk)
    require_change_rights(actor, child, "objective", "align")
    _require_open_period(child.period, "objectives")
    link = ObjectiveLink.objects.filter(child=child, parent=parent).first()
    if link is None:
        raise ServiceError(
            f"{child.title} does not contribute to {parent.title}.", code="not_linked"
        )
    activity.record(
        org, actor, "unlinked", child, before={"parent": parent.pk, "weight": link.weight}
    )
    link.delete()
    rollups.refresh([parent.pk])


@transaction.atomic
def set_objective_confidence(
    org: Organization,
    actor: Person | None,
    objective: Objective,
    confidence: Any,
    note: str = "",
    *,
    at: dt.datetime | None = None,
) -> ConfidenceUpdate:
    """Record how confident people are (1-10, or a band's word: see `confidence.py`); `at`
    backdates it (importers, the demo). Whoever may change the objective may, and its
    owner (`may_set_confidence`), from its page, the API, MCP or a check-in alike."""
    require_same_org(org, objective, "objective")
    _can_write(actor, "set confidence")
    value = confidence_bands.parse(confidence)
    note = require_text(note, "note", max_length=500, required=False, label="The note")
    objective = (
        Objective.objects.select_for_update(of=("self", "period"))  # not the outer joins
        .select_related("period", "team", "owner")
        .get(pk=objective.pk)
    )
    if not may_set_confidence(actor, objective):
        require_change_rights(actor, objective, "objective", "change")
    _require_open_period(objective.period, "objectives")
    now = at or timezone.now()
    update = ConfidenceUpdate.objects.create(
        org=org, objective=objective, confidence=value, by=actor, at=now, note=note
    )
    before = {"confidence": objective.confidence}
    objective.confidence = value
    objective.confidence_updated_at = now
    objective.version += 1
    objective.save(update_fields=["confidence", "confidence_updated_at", "version", "updated_at"])
    activity.record(
        org,
        actor,
        "confidence_set",
        objective,
        before=before,
        after={"confidence": value, "note": note},
    )
    return update


# --- key results -------------------------------------------------------------------------


# The largest magnitude of a key result's numbers (start, target, bounds, values): far
# beyond any real metric, and small enough to show and to compute progress with.
MAX_MAGNITUDE = 1e15


def _measure(value: Any, field: str, *, required: bool = True) -> float | None:
    """A key result's number: finite (`number`) and at most MAX_MAGNITUDE either way."""
    out = number(value, field, required=required)
    if out is not None and abs(out) > MAX_MAGNITUDE:
        bound = f"{MAX_MAGNITUDE:,.0f}"
        raise ServiceError(
            f"{_label(field)} {out:g} is out of range: a key result's numbers lie between "
            f"-{bound} and {bound}.",
            fields={field: [f"Enter a number between -{bound} and {bound}."]},
            code="out_of_range",
        )
    return out


def _check_direction(direction: str, start: float, target: float) -> None:
    """An increase or a decrease needs a distance to cover, the way it says: else its
    progress is 100% (or 0%) from the first day whatever happens. Keep above / below and
    ranges hold a level, so their start may be anywhere."""
    if direction == Direction.INCREASE and target <= start:
        way, other, side = "increase", Direction.DECREASE.label, "above"
    elif direction == Direction.DECREASE and target >= start:
        way, other, side = "decrease", Direction.INCREASE.label, "below"
    else:
        return
    if target == start:
        hint = (
            f"the start and the target are both {start:g}, so there is nothing to {way}. "
            f"Set the target to reach, or choose “{Direction.ABOVE.label}” or "
            f"“{Direction.BELOW.label}” for a level to hold."
        )
    else:
        hint = (
            f"from {start:g} to {target:g} does not {way}. "
            f"Choose “{other}”, or correct the start or the target."
        )
    raise ServiceError(
        f"To {way}, the target must be {side} the start: {hint}",
        fields={"target": [f"Must be {side} the start ({start:g})."]},
        code="target_direction",
    )


def _clean_kr(
    data: dict[str, Any], kr: KeyResult | None, *, directions: bool = True
) -> dict[str, Any]:
    """Clean a key result's fields. The rules on its numbers and direction hold for what
    is set or changed now, so a key result stored before them keeps its other fields
    editable (a form posts every field, changed or not); `directions=False` leaves the
    direction rule out (a key result entered as another record has it)."""
    out = dict(data)
    if "name" in out:
        out["name"] = require_text(out["name"], "name", max_length=300)
    if "unit" in out:
        out["unit"] = require_text(out["unit"], "unit", max_length=30, required=False)
    if "direction" in out:
        _choice(out["direction"], Direction, "direction", "direction")
    for f in ("start", "target"):
        if f in out:
            out[f] = number(out[f], f)
    for f in ("range_low", "range_high"):
        if f in out:
            out[f] = number(out[f], f, required=False)
    if "weight" in out:
        out["weight"] = _weight(out["weight"])
    if "baseline_date" in out:
        out["baseline_date"] = _date(out["baseline_date"], "baseline_date")
    if "is_milestone" in out:
        out["is_milestone"] = bool(out["is_milestone"])
    changed = {f for f in out if kr is None or out[f] != getattr(kr, f, None)}
    for f in ("start", "target", "range_low", "range_high"):
        if f in changed:
            _measure(out[f], f, required=False)
    direction = out.get("direction", kr.direction if kr else Direction.INCREASE)
    milestone = out.get("is_milestone", kr.is_milestone if kr else False)
    if directions and not milestone and changed & {"direction", "start", "target", "is_milestone"}:
        _check_direction(
            direction,
            out.get("start", kr.start if kr else 0.0),
            out.get("target", kr.target if kr else 0.0),
        )
    if direction == Direction.RANGE and not milestone:
        low = out.get("range_low", kr.range_low if kr else None)
        high = out.get("range_high", kr.range_high if kr else None)
        if low is None or high is None:
            raise ServiceError(
                "A range needs a low and a high bound.",
                fields={
                    f: ["Required for a range."]
                    for f, v in (("range_low", low), ("range_high", high))
                    if v is None
                },
            )
        if low > high:
            raise ServiceError(
                f"The range's low bound ({low:g}) is above its high bound ({high:g}).",
                fields={"range_high": ["Must be at least the low bound."]},
            )
    return out


@transaction.atomic
def create_key_result(
    org: Organization,
    actor: Person | None,
    objective: Objective,
    *,
    name: str,
    target: Any = 0,
    start: Any = 0,
    current: Any = None,
    unit: str = "",
    direction: str = Direction.INCREASE,
    range_low: Any = None,
    range_high: Any = None,
    baseline_date: Any = None,
    is_milestone: bool = False,
    weight: Any = 1.0,
    owner: Person | None = None,
    at: dt.datetime | None = None,
    as_history: bool = False,
    again: bool = False,
) -> KeyResult:
    """A key result; its first value (`current`, default `start`) opens the history at `at`.
    `as_history`: entered as an organization file has it (an export of a time before the
    rule that an increase or decrease needs a target beyond its start): that rule is left
    out, every other holds. The same name added to the same objective by its person a
    moment ago is refused (`Duplicate`, `queries.twin_key_result`) unless `again`."""
    require_same_org(org, objective, "objective")
    require_same_org(org, owner, "person")
    if actor is not None:  # (a file or an import enters what was)
        refuse_viewer(owner, "owner", "own a key result")
    _can_write(actor, "change key results")
    objective = Objective.objects.select_related("period", "team", "owner").get(pk=objective.pk)
    require_change_rights(actor, objective, "objective", "add key results to")
    _require_open_period(objective.period, "key results")
    data = _clean_kr(
        {
            "name": name,
            "unit": unit,
            "direction": direction,
            "start": start,
            "target": target,
            "range_low": range_low,
            "range_high": range_high,
            "baseline_date": baseline_date,
            "is_milestone": is_milestone,
            "weight": weight,
        },
        None,
        directions=not as_history,
    )
    value = data["start"] if current in (None, "") else _measure(current, "current")
    if data["is_milestone"] and value not in (0.0, 1.0):
        field = "start" if current in (None, "") else "current"
        raise ServiceError(
            f"{data['name']} is a milestone: its value is 1 for done or 0 for not done.",
            fields={field: ["1 = done, 0 = not done."]},
        )
    twin = None if again or at else queries.twin_key_result(org, actor, objective, data["name"])
    if twin is not None:
        raise Duplicate(f"{twin_key_result_said(twin)}.", existing=twin, what="key result")
    position = KeyResult.objects.filter(objective=objective).count()
    kr = KeyResult.objects.create(
        org=org,
        objective=objective,
        owner=owner,
        current=value,
        done=data["is_milestone"] and value == 1.0,  # as a value recorded later would
        position=position,
        **data,
    )
    KeyResultValue.objects.create(
        org=org, key_result=kr, value=value, recorded_by=actor, recorded_at=at or timezone.now()
    )
    activity.record(org, actor, "created", kr, after=activity.snapshot(kr, (*KR_FIELDS, "current")))
    rollups.refresh([objective.pk])
    return kr


def twin_key_result_said(twin: KeyResult) -> str:
    """What the page and the API say of the key result just added the same."""
    return (
        f"You added this key result to {twin.objective.title} {at_moment(twin.created_at)} "
        f"(#{twin.pk}). Follow that one"
    )


@transaction.atomic
def update_key_result(
    org: Organization,
    actor: Person | None,
    kr: KeyResult,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> KeyResult:
    require_same_org(org, kr, "key result")
    unknown = set(changes) - set(KR_FIELDS)
    if unknown:
        hint = " Record a new value instead." if {"current", "done"} & unknown else ""
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a key result.{hint}")
    _can_write(actor, "change key results")
    kr = KeyResult.objects.select_for_update().select_related("objective__period").get(pk=kr.pk)
    require_change_rights(actor, kr, "key result", "change")
    check_version(kr, expected_version)
    _require_open_period(kr.objective.period, "key results")
    require_same_org(org, changes.get("owner"), "person")
    if actor is not None and changes.get("owner") and changes["owner"].pk != kr.owner_id:
        refuse_viewer(changes["owner"], "owner", "own a key result")
    if "position" in changes:
        changes["position"] = int(number(changes["position"], "position") or 0)
    data = _clean_kr(changes, kr)
    kr = update_and_record(org, actor, kr, data)
    rollups.refresh([kr.objective_id])
    return kr


def first_value_day(kr: KeyResult) -> dt.date:
    """The earliest day a value of `kr` may be entered "as of": the day its period starts,
    or its baseline date when that is earlier (what it measured before the period)."""
    start = kr.objective.period.start
    return min(start, kr.baseline_date) if kr.baseline_date else start


def value_moment(as_of: Any, kr: KeyResult | None = None) -> dt.datetime:
    """The moment a value entered "as of" a day is dated: now for today, the end of the day
    (in the current time zone) for an earlier one, so that it follows what was recorded
    during that day and precedes the next. A day after today is refused, and one before
    `kr`'s `first_value_day` (a 1999 value of a 2026 key result flattens its history)."""
    day = _date(as_of, "as_of", required=True)
    assert day is not None
    now = timezone.now()
    today = timezone.localdate(now)
    if day > today:
        raise ServiceError(
            f"A value cannot be dated after today ({day.isoformat()} is in the future).",
            fields={"as_of": ["Enter today or an earlier day."]},
            code="future_date",
        )
    first = first_value_day(kr) if kr is not None else None
    if first is not None and day < first:
        assert kr is not None
        period = kr.objective.period
        since = (
            f"{period.name} starts"
            if first == period.start
            else "its baseline date, before its period starts"
        )
        raise ServiceError(
            f"A value of {kr.name} cannot be dated before {first.isoformat()} ({since}); "
            f"{day.isoformat()} is earlier.",
            fields={"as_of": [f"Enter {first.isoformat()} or a later day."]},
            code="before_start",
        )
    if day == today:
        return now
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max))


def _kr_to_write(kr: KeyResult) -> KeyResult:
    """`kr` locked for a new value, with what `may_change` reads (its owners and team)."""
    # Locked as before (it, its objective and period); the owners and team, joined by
    # outer joins, are read, not locked: PostgreSQL locks no row of an outer join's side.
    return (
        KeyResult.objects.select_for_update(of=("self", "objective", "objective__period"))
        .select_related("owner", "objective__period", "objective__team", "objective__owner")
        .get(pk=kr.pk)
    )


@transaction.atomic
def record_key_result_value(
    org: Organization,
    actor: Person | None,
    kr: KeyResult,
    value: Any,
    note: str = "",
    *,
    at: dt.datetime | None = None,
    as_of: Any = None,
    source: str = "",
    check_unusual: bool = False,
    again: bool = False,
) -> KeyResultValue:
    """Record a value in a key result's history (for a milestone: 1/true = done, 0/false =
    not done).

    `at` dates the history entry (importers, the demo); `as_of` dates it by a day (the
    page's and the API's "as of": `value_moment`); it defaults to now. The key result's
    current value is always its latest value by date (ties: the latest recorded), as when
    a value is voided: a value dated before the newest one is kept in the history at its
    date and leaves the current value, progress and roll-ups as they are; its event says
    so (`value` and `as_of` in its `after`). The returned entry's `newer` is the value
    that stays current then (None when the recorded value became current).

    `source` marks a value Accord pulled ("source") rather than one a person recorded.
    `check_unusual`: refuse (code "unusual_value") a value `unusual_value` finds far out
    of line, until the person confirms it (the page's "Record anyway" box, the API's
    `confirm`); loaders, importers and sources record what they are given.
    The same number and note its person recorded a moment ago is refused (`Duplicate`,
    `queries.value_twin`) unless `again`; a value dated by its moment (`at`: loaders, the
    demo) records history, never a second click.

    Whoever may change the key result may record its values (`require_change_rights`):
    the same rule from its page, home, the API, MCP and a check-in."""
    require_same_org(org, kr, "key result")
    _can_write(actor, "update key results")
    history = at is not None  # dated by its moment, not by a day ("as of")
    if isinstance(value, bool):
        value = 1 if value else 0
    number_value = _measure(value, "value")
    assert number_value is not None
    note = require_text(note, "note", max_length=500, required=False, label="The note")
    if as_of not in (None, "") and at is not None:
        raise ServiceError("Date a value by its moment or by its day, not both.")
    kr = _kr_to_write(kr)
    require_change_rights(actor, kr, "key result", "change")
    if as_of not in (None, ""):
        at = value_moment(as_of, kr)
    if at is not None:
        check_in_range(at, "recorded_at", "The value's date")
    _require_open_period(kr.objective.period, "key results")
    if kr.is_milestone and number_value not in (0.0, 1.0):
        raise ServiceError(
            f"{kr.name} is a milestone: record 1 for done or 0 for not done.",
            fields={"value": ["1 = done, 0 = not done."]},
        )
    twin = None if again or history else queries.value_twin(kr, actor, number_value, note, at)
    if twin is not None:
        last, when = twin
        unit = f" {kr.unit}" if kr.unit else ""
        raise Duplicate(
            f"{kr.name}: you recorded {last.value:g}{unit} {at_moment(when)}, with the same "
            f"note (value #{last.pk}). Follow that one.",
            existing=last,
            what="value",
        )
    if check_unusual:
        # Against the key result's known numbers (start, target, bounds, its latest values
        # by date), whatever the new value's date: a slip is a slip on any day.
        warning = unusual_value(kr, number_value, at=at)
        if warning:
            raise ServiceError(
                warning,
                fields={"value": ["Unusual for this key result: check it, or record it anyway."]},
                code="unusual_value",
            )
    moment = at or timezone.now()
    # A value dated later than this one stays current (ties go to the one recorded now).
    newer = (
        KeyResultValue.objects.filter(key_result=kr, recorded_at__gt=moment)
        .order_by("-recorded_at", "-id")
        .first()
    )
    before = {"current": kr.current, "done": kr.done, "progress": round(kr_progress(kr), 1)}
    if newer is None:
        kr.current = number_value
        if kr.is_milestone:
            kr.done = number_value == 1.0
        kr.version += 1
        kr.save(update_fields=["current", "done", "version", "updated_at"])
    entry = KeyResultValue.objects.create(
        org=org,
        key_result=kr,
        value=number_value,
        recorded_by=actor,
        recorded_at=moment,
        note=note,
        source=source,
    )
    entry.newer = newer
    after: dict[str, Any] = {
        "current": kr.current,
        "done": kr.done,
        "progress": round(kr_progress(kr), 1),
    }
    if newer is not None:  # back-dated: added to the history, not the current value
        after["value"] = number_value
        after["as_of"] = timezone.localdate(moment).isoformat()
    if note:
        after["note"] = note
    if source:
        after["source"] = source
    activity.record(org, actor, "value_recorded", kr, before=before, after=after)
    if newer is None:
        rollups.refresh([kr.objective_id])
    return entry


PERCENT_UNITS = frozenset({"%", "percent", "per cent", "pct"})
RECENT_VALUES = 10  # the recorded values `unusual_value` compares a new one with
JUMP = 50.0  # points of progress in one step: more than half the way from start to target
# How the page asks to confirm; the API and MCP say it in their own words, in place of these.
ANYWAY_ON_THE_FORM = "tick the box to record it anyway"
# How the API and MCP ask for it instead (`rhythm.services.checkin_refusal_as_given`).
ANYWAY_IN_THE_API = 'send it again with "confirm": true to record it anyway'
ANYWAY_IN_MCP = "call again with confirm=true to record it"


def unusual_value(kr: KeyResult, value: float, *, at: dt.datetime | None = None) -> str:
    """Why `value` looks like a slip for `kr` ("" if it does not): the page asks before
    recording it, the API wants `confirm`. The one check of a key result's page, home's
    update box, a check-in, the API and MCP; the first of these that holds says why:

    - a percentage (unit "%") outside 0 to 100;
    - a value further outside the key result's known numbers (its start, target, range
      bounds and last ten recorded values, lowest to highest) than the larger of their
      spread and half their largest size (at least 1): for 99.8 to 99.95 % anything below
      49.8; for 1,000,000 to 2,000,000 anything above 3,000,000 or below 0;
    - below zero while every value the key result has known (its start, target, range
      bounds and every recorded value) is zero or more: -1 hour of median first response;
      or above zero while every one is zero or less (and one below zero);
    - for a key result moving from its start to its target (increase, decrease), a value
      that would take its progress back by more than half the way in one step from its
      latest value, once a value has been recorded since it was set up: 84 % to 0 % for 12
      hours typed for 1.2. A big step forward is not asked about (a count of three
      features reaching its target from one), nor a milestone or a level to hold, whose
      progress is 0 or 100 by nature, nor a value dated `at` before one already recorded
      (filling in history moves no progress).

    A milestone's 0 or 1 is never unusual. One query (the recent values), two when a value
    of a sign the recent ones do not have needs the whole history."""
    if kr.is_milestone:
        return ""
    unit = (kr.unit or "").strip()
    ask = f"Check the value, or {ANYWAY_ON_THE_FORM}."
    if unit.lower() in PERCENT_UNITS and not 0 <= value <= 100:
        return f"{value:g} {unit} is outside 0 to 100 {unit} for {kr.name}, a percentage. {ask}"
    shown = f"{value:g}{' ' + unit if unit else ''}"
    values = KeyResultValue.objects.filter(key_result=kr)
    recent = list(
        values.order_by("-recorded_at", "-id").values_list("value", flat=True)[:RECENT_VALUES]
    )
    known = [kr.start, kr.target, *(v for v in (kr.range_low, kr.range_high) if v is not None)]
    known += recent
    low, high = min(known), max(known)
    slack = max(high - low, max(abs(low), abs(high)) / 2, 1.0)
    if not low - slack <= value <= high + slack:
        return (
            f"{shown} is far outside what {kr.name} has known ({low:g} to {high:g}: its "
            f"start, target and recent values). {ask}"
        )
    if value < 0 <= low and not values.filter(value__lt=0).exists():
        return (
            f"{shown} for {kr.name} is below zero, while every value so far is zero or more "
            f"(its start, target and recorded values). {ask}"
        )
    if value > 0 >= high > low and not values.filter(value__gt=0).exists():
        return (
            f"{shown} for {kr.name} is above zero, while every value so far is zero or less "
            f"(its start, target and recorded values). {ask}"
        )
    if at is not None and values.filter(recorded_at__gt=at).exists():
        return ""  # history filled in: a later value stays current
    return _progress_jump(kr, recent, value, shown, ask)


def _progress_jump(kr: KeyResult, recent: list[float], value: float, shown: str, ask: str) -> str:
    """What `value` (`shown` so) would do to `kr`'s progress when it takes it back by more
    than `JUMP` points from its latest value (`recent[0]`), then `ask`; "" else: for an
    increase or a decrease with a way to go, once a value follows the one it was set up
    with."""
    way = kr.target - kr.start
    moving = (kr.direction == Direction.INCREASE and way > 0) or (
        kr.direction == Direction.DECREASE and way < 0
    )
    if not moving or len(recent) < 2:
        return ""
    latest = recent[0]
    before = progress(kr.direction, kr.start, kr.target, latest)
    after = progress(kr.direction, kr.start, kr.target, value)
    if before - after <= JUMP:
        return ""
    unit = f" {kr.unit.strip()}" if (kr.unit or "").strip() else ""
    return (
        f"{shown} for {kr.name} would move progress from {before:.0f}% to {after:.0f}% in one "
        f"step (from its latest value, {latest:g}{unit}: back more than half the way from "
        f"its start to its target). {ask}"
    )


@transaction.atomic
def import_key_result_values(
    org: Organization,
    actor: Person | None,
    kr: KeyResult,
    values: Iterable[tuple[dt.datetime, Any]],
    note: str = "",
) -> int:
    """Add many dated values at once (importers, the demo): one event, one bulk insert.

    The latest value by date becomes the current one if it is newer than the history
    already there. Every value is validated first; one bad value refuses them all."""
    require_same_org(org, kr, "key result")
    _can_write(actor, "update key results")
    note = require_text(note, "note", max_length=500, required=False, label="The note")
    rows: list[tuple[dt.datetime, float]] = []
    for at, value in values:
        if not isinstance(at, dt.datetime):
            raise ServiceError(
                f"Each value needs a date and time, not {at!r}.",
                fields={"recorded_at": ["Required."]},
            )
        check_in_range(at, "recorded_at", "A value's date")
        n = _measure(value, "value")
        assert n is not None
        rows.append((at, n))
    if not rows:
        return 0
    kr = _kr_to_write(kr)
    require_change_rights(actor, kr, "key result", "change")
    _require_open_period(kr.objective.period, "key results")
    if kr.is_milestone and any(v not in (0.0, 1.0) for _, v in rows):
        raise ServiceError(
            f"{kr.name} is a milestone: values are 1 (done) or 0 (not done).",
            fields={"value": ["1 = done, 0 = not done."]},
        )
    KeyResultValue.objects.bulk_create(
        [
            KeyResultValue(
                org=org, key_result=kr, value=v, recorded_by=actor, recorded_at=at, note=note
            )
            for at, v in rows
        ]
    )
    latest_at, latest = max(rows, key=lambda r: r[0])
    newest_before = KeyResultValue.objects.filter(key_result=kr, recorded_at__gt=latest_at).exists()
    before = {"current": kr.current, "done": kr.done}
    if not newest_before:
        kr.current = latest
        if kr.is_milestone:
            kr.done = latest == 1.0
        kr.version += 1
        kr.save(update_fields=["current", "done", "version", "updated_at"])
    activity.record(
        org,
        actor,
        "values_imported",
        kr,
        before=before,
        after={"current": kr.current, "done": kr.done, "values": len(rows)},
    )
    rollups.refresh([kr.objective_id])
    return len(rows)


def can_void_value(actor: Person | None, entry: KeyResultValue, kr: KeyResult) -> bool:
    """Who may void a recorded value: the person who recorded it, and whoever may void
    any of the key result's values (`voids_any_value`)."""
    if actor is None:
        return True
    if not actor.is_active or not actor.has_role(Role.MEMBER):
        return False
    return actor.pk == entry.recorded_by_id or voids_any_value(actor, kr)


def voids_any_value(actor: Person | None, kr: KeyResult) -> bool:
    """Whether `actor` may void any recorded value of `kr`: its owner (its objective's when
    it has none), a lead of its objective's team, the organization's leaders and admins
    (who manage any team, `require_team_admin`), and Accord itself. At most one query."""
    if actor is None:
        return True
    if not actor.is_active or not actor.has_role(Role.MEMBER):
        return False
    objective = kr.objective
    if actor.has_role(Role.LEADER) or actor.pk == (kr.owner_id or objective.owner_id):
        return True
    return objective.team_id is not None and is_team_lead(actor, objective.team)


@transaction.atomic
def void_key_result_value(
    org: Organization, actor: Person | None, entry: KeyResultValue, reason: str = ""
) -> KeyResult:
    """Remove a mistaken recorded value from a key result's history.

    The key result's current value becomes its latest remaining value (by date) and its
    progress and the stored roll-ups follow, as when a value is recorded. The event keeps
    what was removed (value, date, who recorded it) and why. A key result keeps at least
    one value: record the right one first, then void the slip."""
    require_same_org(org, entry, "recorded value")
    kr = (
        # Only the key result is locked: PostgreSQL refuses to lock the nullable side of
        # the outer join to the objective's team.
        KeyResult.objects.select_for_update(of=("self",))
        .select_related("objective__period", "objective__team")
        .get(pk=entry.key_result_id)
    )
    if not can_void_value(actor, entry, kr):
        raise PermissionDenied(
            "Only the person who recorded a value, the key result's owner, a lead of its "
            "team, a leader or an admin may remove it."
        )
    _require_open_period(kr.objective.period, "key results")
    reason = require_text(reason, "reason", max_length=500, required=False, label="The reason")
    rest = KeyResultValue.objects.filter(key_result=kr).exclude(pk=entry.pk)
    latest = rest.order_by("-recorded_at", "-id").first()
    if latest is None:
        raise ServiceError(
            f"This is the only value of {kr.name}: record the right value first, then remove "
            "this one.",
            code="last_value",
        )
    before = {
        "current": kr.current,
        "done": kr.done,
        "progress": round(kr_progress(kr), 1),
        "value": entry.value,
        "recorded_at": entry.recorded_at.isoformat(),
        "recorded_by": entry.recorded_by_id,
    }
    entry.delete()
    kr.current = latest.value
    if kr.is_milestone:
        kr.done = latest.value == 1.0
    kr.version += 1
    kr.save(update_fields=["current", "done", "version", "updated_at"])
    after: dict[str, Any] = {
        "current": kr.current,
        "done": kr.done,
        "progress": round(kr_progress(kr), 1),
    }
    if reason:
        after["reason"] = reason
    activity.record(org, actor, "value_voided", kr, before=before, after=after)
    rollups.refresh([kr.objective_id])
    return kr


# --- deleting: who may, and who is told ---------------------------------------------------
#
# A team's alignment work is changed by the team (see "changing" below), but deleting an
# objective, a key result or an initiative takes its history with it (values, confidence
# updates, links) and cannot be undone: it is for its owner, the leads of its team, leaders
# and admins. A deletion by someone else that took history with it is told to the owner and
# the team's leads.


def _delete_rights(thing: Objective | KeyResult | Initiative) -> tuple[list, Team | None]:
    """Who besides leaders and admins may delete `thing`: its owners, each with the words
    naming them, and the team whose leads may (none for organization objectives)."""
    if isinstance(thing, Initiative):
        return [("its owner", thing.owner)], thing.team
    if isinstance(thing, KeyResult):
        objective = thing.objective
        owners = [("its owner", thing.owner), ("its objective's owner", objective.owner)]
        return owners, objective.team if objective.level == ObjectiveLevel.TEAM else None
    if thing.level == ObjectiveLevel.ORG:
        return [], None  # set and changed by leaders (`require_objective_rights`)
    return [("its owner", thing.owner)], thing.team


# --- changing: who may -------------------------------------------------------------------
#
# A team's objectives, their key results and the team's initiatives are changed (edited,
# dropped, aligned under a parent, linked to what they serve) by the people who act for
# the team, as for its requests to other teams (`coordination.queries.standing`): its
# members and the leads of a team above it; and by their owners, the organization's
# leaders and admins. Organization objectives are for leaders and admins (and so are the
# key results of one, but for their owners). Anyone else reads them, comments on them and
# aligns their own work under them, but does not change or drop them. An agent acts for
# what its owner owns and the teams its owner is a member of or leads above, but rights
# over every team only by its own role (Leader or Admin), never by its owner's.


def may_change(actor: Person | None, thing: Objective | KeyResult | Initiative) -> bool:
    """Whether `actor` may change `thing` (see "changing" above); an agent what its owner
    owns too (it works on their behalf). At most one query beyond the owners and team
    already loaded."""
    return _may(actor, thing, acts_for, agent_for_owner=True)


def may_set_confidence(actor: Person | None, objective: Objective) -> bool:
    """Whether `actor` may record how confident they are in `objective`: whoever may change
    it (`may_change`), and its owner, an organization objective's too (leaders set and
    change those, but the confidence is the owner's to say; a check-in offers it to them),
    or an agent for its owner."""
    if (
        actor is not None
        and actor.is_active
        and actor.has_role(Role.MEMBER)
        and objective.owner_id in acts_as(actor)
    ):
        return True
    return may_change(actor, objective)


def _may(actor, thing, by_team, *, agent_for_owner: bool) -> bool:
    """Whether `actor` may change or delete `thing`: Accord itself, leaders and admins, its
    owners (`_delete_rights`), and whom `by_team(actor, team)` admits for its team."""
    if actor is None:
        return True
    if not actor.is_active or not actor.has_role(Role.MEMBER):
        return False
    if actor.has_role(Role.LEADER):
        return True
    owners, team = _delete_rights(thing)
    acting_as = acts_as(actor) if agent_for_owner else {actor.pk}
    if any(p is not None and p.pk in acting_as for _, p in owners):
        return True
    return team is not None and by_team(actor, team)


def acts_for(actor: Person | None, team: Team) -> bool:
    """Whether `actor` may set and change `team`'s objectives and initiatives: a member of
    it, a lead of a team above it, a leader, an admin, or Accord itself; an agent also for
    the teams its owner is a member of or leads above (it works on their behalf), but a
    leader's or an admin's rights only by its own role, never by its owner's. One query
    (two for an agent)."""
    if actor is None:
        return True
    if not actor.is_active or not actor.has_role(Role.MEMBER):
        return False
    if actor.has_role(Role.LEADER):
        return True
    from accord.coordination.queries import standing  # who acts for a team, in one place

    return any(
        team.pk in standing(team.org_id, someone, [team.pk], by_role=False)
        for someone in _acting(actor)
    )


def teams_acted_for(org: Organization, actor: Person | None):
    """The organization's current teams whose objectives and initiatives `actor` may set
    (`acts_for`), by name: every one for Accord itself, a leader or an admin; none for a
    viewer or an inactive account; else their teams and those below a team they lead, and
    for an agent its owner's so counted (not every team for a leader's or an admin's
    agent: its own role says that). One query, however large the organization: what the
    forms offer, so that nobody fills in a form for a team it then refuses."""
    from accord.coordination.queries import actable_team_ids  # who acts for a team
    from accord.org.queries import current_teams

    teams = current_teams(org)
    if actor is None or (actor.is_active and actor.has_role(Role.LEADER)):
        return teams
    if not actor.is_active or not actor.has_role(Role.MEMBER):
        return teams.none()
    found = Q()
    for someone in _acting(actor):
        found |= Q(pk__in=actable_team_ids(org, someone, by_role=False))
    return teams.filter(found)


def _acting(actor: Person) -> list[Person]:
    """Whose standing in teams `actor` acts by: their own, and an agent's owner's (a
    person, never another agent)."""
    owner = on_behalf_of(actor)
    return [actor] if owner is None or owner.is_agent else [actor, owner]


def require_team_rights(actor: Person | None, team: Team, what: str) -> None:
    """Refuse setting `what` ("objectives") for `team` to whoever does not act for it."""
    if not acts_for(actor, team):
        raise PermissionDenied(
            f"Only members of {team.name}, a lead of a team above it, a leader or an admin "
            f"may set {team.name}'s {what}."
        )


def who_may_change(thing: Objective | KeyResult | Initiative) -> str:
    """Who may change `thing`, for its refusal: "its owner (Hugo Costa), members of Sales,
    a lead of a team above it, a leader or an admin"."""
    return _who_may(thing, lambda team: [f"members of {team.name}", "a lead of a team above it"])


def _who_may(thing, for_team) -> str:
    """Who may change or delete `thing`, in words: its active owners by name, `for_team`'s
    words for its team, then leaders and admins."""
    owners, team = _delete_rights(thing)
    parts: list[str] = []
    named: set[int] = set()
    for words, person in owners:
        if person is not None and person.is_active and person.pk not in named:
            named.add(person.pk)
            parts.append(f"{words} ({person.name})")
    if team is not None:
        parts += for_team(team)
    parts += ["a leader", "an admin"]
    return f"{', '.join(parts[:-1])} or {parts[-1]}"


def require_change_rights(
    actor: Person | None, thing: Objective | KeyResult | Initiative, what: str, action: str
) -> None:
    """Refuse `actor` changing `thing` unless they may (`may_change`), naming who may:
    `action` is what they tried, "change", "drop"."""
    if not may_change(actor, thing):
        raise PermissionDenied(f"Only {who_may_change(thing)} may {action} this {what}.")


def require_replacement_rights(actor: Person | None, one: Initiative, other: Initiative) -> None:
    """Refuse `actor` saying or unsaying that one initiative replaces another unless they
    may change either of the two: the link is about both."""
    if not (may_change(actor, one) or may_change(actor, other)):
        raise PermissionDenied(
            f"Only those who may change “{one.title}” or “{other.title}” (their owners, "
            "members of their teams, a lead of a team above, a leader or an admin) may say "
            "which replaces which."
        )


def may_delete(actor: Person | None, thing: Objective | KeyResult | Initiative) -> bool:
    """Whether `actor` may delete `thing`: its owner (a key result's, or its objective's),
    a lead of its team, the organization's leaders and admins, and Accord itself. At most
    one query beyond the owners and team already loaded."""
    return _may(actor, thing, is_team_lead, agent_for_owner=False)


def who_may_delete(thing: Objective | KeyResult | Initiative) -> str:
    """Who may delete `thing`, for its refusal and the muted line where Delete would be:
    "its owner (Hugo Costa), a lead of Data & Analytics, a leader or an admin"."""
    return _who_may(thing, lambda team: [f"a lead of {team.name}"])


def require_delete_rights(
    actor: Person | None, thing: Objective | KeyResult | Initiative, what: str
) -> None:
    if not may_delete(actor, thing):
        raise PermissionDenied(f"Only {who_may_delete(thing)} may delete this {what}.")


def _tell_of_deletion(
    org: Organization,
    actor: Person | None,
    thing: Objective | KeyResult | Initiative,
    *,
    what: str,
    title: str,
    where: str,
    gone: queries.Deletion,
    path: str,
    link_label: str,
) -> int:
    """Queue a notice of the deletion to the owners of `thing` and the leads of its team
    (not to whoever deleted it), through the one delivery path, when it took history with
    it. Accord's own deletions (files, imports) are not news."""
    if actor is None or not gone.history:
        return 0
    owners, team = _delete_rights(thing)
    if team is None and isinstance(thing, Objective | KeyResult):
        objective = thing if isinstance(thing, Objective) else thing.objective
        team = objective.team  # an organization objective's team, if it has one
    people = [p for _, p in owners if p is not None]
    if team is not None:
        people += [
            m.person
            for m in Membership.objects.leading()
            .filter(team=team, person__is_active=True)
            .select_related("person")
        ]
    people = [p for p in people if p.pk != actor.pk]
    if not people:
        return 0
    lines = [f"{actor.name} deleted the {what} “{title}” {where}."]
    told = gone.describe(done=True)
    if told:
        lines.append(told)
    return delivery.notify(
        org,
        kind="alignment_deleted",
        key=f"{thing._meta.model_name}:{thing.pk}:deleted",
        subject=f"Deleted: {title}",
        text="\n\n".join(lines),
        link=delivery.site_link(path),
        link_label=link_label,
        people=people,
    )


def _alignment_path(org: Organization, team: Team | None) -> str:
    if team is None:
        return reverse("alignment:index", kwargs={"org_slug": org.slug})
    return reverse("alignment:team", kwargs={"org_slug": org.slug, "team_slug": team.slug})


@transaction.atomic
def delete_key_result(org: Organization, actor: Person | None, kr: KeyResult) -> None:
    """Delete a key result with its values (see "deleting" above for who may)."""
    require_same_org(org, kr, "key result")
    require_delete_rights(actor, kr, "key result")
    objective = kr.objective
    _require_open_period(objective.period, "key results")
    if actor is not None:
        _tell_of_deletion(
            org,
            actor,
            kr,
            what="key result",
            title=kr.name,
            where=f"of “{objective.title}”",
            gone=queries.deletion(kr),
            path=reverse(
                "alignment:objective", kwargs={"org_slug": org.slug, "objective_id": objective.pk}
            ),
            link_label="Open the objective",
        )
    activity.record(org, actor, "deleted", kr, before=activity.snapshot(kr, ("name", "objective")))
    serving = list(kr.initiative_links.values_list("initiative_id", flat=True))
    delete_unless_in_use(kr, kr.name)
    rollups.refresh([kr.objective_id])
    rollups.refresh_aligned(serving)


@transaction.atomic
def delete_objective(org: Organization, actor: Person | None, objective: Objective) -> None:
    """Delete an objective with its key results, their values and its confidence history;
    the work serving it is left unaligned (see "deleting" above for who may). Marking it
    dropped keeps all of that."""
    require_same_org(org, objective, "objective")
    require_delete_rights(actor, objective, "objective")
    _require_open_period(objective.period, "objectives")
    if actor is not None:
        team = objective.team
        _tell_of_deletion(
            org,
            actor,
            objective,
            what="objective",
            title=objective.title,
            where=f"of {team.name if team else 'the organization'} ({objective.period.name})",
            gone=queries.deletion(objective),
            path=_alignment_path(org, team),
            link_label=f"Open {team.name}'s alignment" if team else "Open alignment",
        )
    activity.record(
        org, actor, "deleted", objective, before=activity.snapshot(objective, ("title", "period"))
    )
    parents = list(objective.parent_links.values_list("parent_id", flat=True))
    serving = list(
        InitiativeObjective.objects.filter(objective=objective).values_list(
            "initiative_id", flat=True
        )
    ) + list(
        InitiativeKeyResult.objects.filter(key_result__objective=objective).values_list(
            "initiative_id", flat=True
        )
    )
    delete_unless_in_use(objective, objective.title)
    rollups.refresh(parents)
    rollups.refresh_aligned(serving)


# --- initiatives -------------------------------------------------------------------------


def _progress_pct(value: Any) -> int:
    p = number(value, "progress")
    assert p is not None
    if not 0 <= p <= 100:
        raise ServiceError(
            f"Progress must be between 0 and 100%, not {p:g}.",
            fields={"progress": ["Enter a number from 0 to 100."]},
        )
    return round(p)


def _effort(value: Any) -> float | None:
    e = number(value, "effort_weeks", required=False)
    if e is not None and e < 0:
        raise ServiceError(
            "Effort cannot be negative.", fields={"effort_weeks": ["Enter 0 or more."]}
        )
    return e


def _stage(value: Any) -> str:
    """A free-text maturity stage (alpha, beta, stable …); empty for none."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ServiceError(
            f"The stage must be text, not {value!r}.", fields={"stage": ["Enter text."]}
        )
    return require_text(" ".join(value.split()), "stage", max_length=40, required=False)


def _lock_stack(team: Team) -> list[Initiative]:
    """Lock the team (serialises stack changes) and return its stack, top first."""
    Team.objects.select_for_update().get(pk=team.pk)
    return list(
        Initiative.objects.select_for_update()
        .filter(team_id=team.pk, status=InitiativeStatus.ACTIVE)
        .order_by("rank", "id")
    )


def _lock_next_up(team: Team) -> list[Initiative]:
    """Lock the team (serialises its rankings) and return its Next up list: the proposed
    initiatives, first first (any without a place yet last, oldest first)."""
    Team.objects.select_for_update().get(pk=team.pk)
    return list(
        Initiative.objects.select_for_update()
        .filter(team_id=team.pk, status=InitiativeStatus.PROPOSED)
        .order_by(F("next_rank").asc(nulls_last=True), "id")
    )


def _write_ranks(stack: list[Initiative], field: str = "rank") -> None:
    """Make the ranks dense 1..n in the order of `stack`, writing only what changed; `field`
    is "rank" for the priority stack, "next_rank" for the Next up list."""
    changed = []
    for i, item in enumerate(stack, start=1):
        if getattr(item, field) != i:
            setattr(item, field, i)
            changed.append(item)
    if changed:
        Initiative.objects.bulk_update(changed, [field])


@transaction.atomic
def create_initiative(
    org: Organization,
    actor: Person | None,
    *,
    team: Team,
    title: str,
    owner: Person | None = None,
    description: str = "",
    status: str = InitiativeStatus.PROPOSED,
    start_date: Any = None,
    target_date: Any = None,
    effort_weeks: Any = None,
    progress: Any = 0,
    stage: str = "",
    key_results: Iterable[KeyResult] = (),
    objectives: Iterable[Objective] = (),
    again: bool = False,
) -> Initiative:
    """An initiative. The same title for the same team its person created a moment ago,
    still open, is refused (`Duplicate`, `queries.twin_initiative`) unless `again`."""
    _can_write(actor, "change initiatives")
    if team is None:
        raise ServiceError("Choose the team doing the work.", fields={"team": ["Required."]})
    require_same_org(org, team, "team")
    require_team_rights(actor, team, "initiatives")
    require_same_org(org, owner, "person")
    if actor is not None:  # (a file or an import enters what was)
        refuse_viewer(owner, "owner", "own an initiative")
    title = require_text(title, "title", max_length=300)
    _choice(status, InitiativeStatus, "status", "status")
    start_date = _date(start_date, "start_date")
    target_date = _date(target_date, "target_date")
    _check_dates(start_date, target_date)
    data = {
        "title": title,
        "description": require_long_text(description, "description"),
        "status": status,
        "start_date": start_date,
        "target_date": target_date,
        "baseline_target_date": target_date,
        "effort_weeks": _effort(effort_weeks),
        "progress": _progress_pct(progress) if progress not in (None, "") else 0,
        "stage": _stage(stage),
    }
    twin = None if again else queries.twin_initiative(org, actor, title, team)
    if twin is not None:
        raise Duplicate(f"{twin_initiative_said(twin)}.", existing=twin, what="initiative")
    rank = next_rank = None
    if status in (InitiativeStatus.ACTIVE, InitiativeStatus.PROPOSED):
        # Last in the (dense) stack, or in the Next up list when proposed: counted, not
        # loaded, so adding n initiatives to one team costs n, not n squared. The team's
        # lock serialises stack changes.
        lock_row(Team, team.pk)
        last = Initiative.objects.filter(team_id=team.pk, status=status).count() + 1
        if status == InitiativeStatus.ACTIVE:
            rank = last
        else:
            next_rank = last
    initiative = Initiative.objects.create(
        org=org, team=team, owner=owner, rank=rank, next_rank=next_rank, **data
    )
    activity.record(
        org,
        actor,
        "created",
        initiative,
        after=activity.snapshot(initiative, (*INITIATIVE_FIELDS, "status", "rank", "next_rank")),
    )
    for kr in key_results:
        link_initiative(org, actor, initiative, key_result=kr)
    for objective in objectives:
        link_initiative(org, actor, initiative, objective=objective)
    return initiative


def twin_initiative_said(twin: Initiative) -> str:
    """What the page and the API say of the initiative just created the same."""
    return (
        f"You created this initiative for {twin.team.name} {at_moment(twin.created_at)} "
        f"(#{twin.pk}, {twin.get_status_display().lower()}). Follow that one"
    )


def _check_dates(start: dt.date | None, target: dt.date | None) -> None:
    if start and target and target < start:
        raise ServiceError(
            f"The target date ({target}) is before the start date ({start}).",
            fields={"target_date": ["Must be on or after the start date."]},
        )


@transaction.atomic
def update_initiative(
    org: Organization,
    actor: Person | None,
    initiative: Initiative,
    *,
    expected_version: int | None = None,
    reason: str = "",
    **changes: Any,
) -> Initiative:
    """Change an initiative. A new target date is a re-plan and needs a `reason`."""
    require_same_org(org, initiative, "initiative")
    if "status" in changes:
        raise ServiceError("Change the status with set_initiative_status.", code="use_status")
    unknown = set(changes) - set(INITIATIVE_FIELDS)
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of an initiative.")
    _can_write(actor, "change initiatives")
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    require_change_rights(actor, initiative, "initiative", "change")
    check_version(initiative, expected_version)
    data = dict(changes)
    if "title" in data:
        data["title"] = require_text(data["title"], "title", max_length=300)
    if "description" in data:
        data["description"] = require_long_text(data["description"], "description")
    require_same_org(org, data.get("owner"), "person")
    if actor is not None and data.get("owner") and data["owner"].pk != initiative.owner_id:
        refuse_viewer(data["owner"], "owner", "own an initiative")
    if "team" in data:
        if data["team"] is None:
            raise ServiceError("Choose the team doing the work.", fields={"team": ["Required."]})
        require_same_org(org, data["team"], "team")
    if "start_date" in data:
        data["start_date"] = _date(data["start_date"], "start_date")
    new_target = initiative.target_date
    target_changes = "target_date" in data
    if target_changes:
        new_target = _date(data.pop("target_date"), "target_date")
        if new_target == initiative.target_date:
            target_changes = False
    _check_dates(data.get("start_date", initiative.start_date), new_target)
    if "effort_weeks" in data:
        data["effort_weeks"] = _effort(data["effort_weeks"])
    if "progress" in data:
        data["progress"] = _progress_pct(data["progress"])
    if "stage" in data:
        data["stage"] = _stage(data["stage"])
    committed = initiative.baseline_target_date is not None or initiative.target_date is not None
    if target_changes and committed:
        _replan_reason(reason)  # refuse before writing anything else
    new_team = data.get("team")
    if new_team is not None and new_team.pk != initiative.team_id:
        require_team_rights(actor, new_team, "initiatives")
        _move_team(org, actor, initiative, new_team)
        data.pop("team")
    initiative = update_and_record(org, actor, initiative, data)
    if target_changes:
        initiative = replan_initiative(org, actor, initiative, new_target, reason)
    return initiative


def _replan_reason(reason: str) -> str:
    reason = require_text(reason, "reason", max_length=2000, required=False)
    if not reason:
        raise ServiceError(
            "Moving the target date is a re-plan: say why.",
            fields={"reason": ["Give the reason for the new date."]},
            code="reason_required",
        )
    return reason


@transaction.atomic
def replan_initiative(
    org: Organization,
    actor: Person | None,
    initiative: Initiative,
    target_date: Any,
    reason: str = "",
) -> Initiative:
    """The one place a target date changes.

    The first committed date becomes the baseline (no reason needed); every later change
    is a re-plan, recorded with its reason, counted, and announced with the
    `initiative_replanned` signal. The baseline never moves, so a slip stays visible.
    """
    require_same_org(org, initiative, "initiative")
    _can_write(actor, "re-plan initiatives")
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    require_change_rights(actor, initiative, "initiative", "re-plan")
    new = _date(target_date, "target_date")
    old = initiative.target_date
    if new == old:
        return initiative
    _check_dates(initiative.start_date, new)
    if initiative.baseline_target_date is None and old is None:
        initiative.target_date = new
        initiative.baseline_target_date = new
        initiative.version += 1
        initiative.save(
            update_fields=["target_date", "baseline_target_date", "version", "updated_at"]
        )
        activity.record(
            org,
            actor,
            "committed",
            initiative,
            before={"target_date": None},
            after={"target_date": new},
        )
        return initiative
    reason = _replan_reason(reason)
    now = timezone.now()
    Replan.objects.create(
        org=org,
        initiative=initiative,
        old_target_date=old,
        new_target_date=new,
        reason=reason,
        by=actor,
        at=now,
    )
    initiative.target_date = new
    initiative.replan_count += 1
    initiative.version += 1
    initiative.save(update_fields=["target_date", "replan_count", "version", "updated_at"])
    activity.record(
        org,
        actor,
        "replanned",
        initiative,
        before={"target_date": old},
        after={
            "target_date": new,
            "reason": reason,
            "baseline_target_date": initiative.baseline_target_date,
            "slip_days": initiative.slip_days,
            "replan_count": initiative.replan_count,
        },
    )
    signals.initiative_replanned.send(
        sender=Initiative,
        initiative=initiative,
        old_target_date=old,
        new_target_date=new,
        reason=reason,
        actor=actor,
    )
    return initiative


def _move_team(org: Organization, actor: Person | None, initiative: Initiative, team: Team) -> None:
    """Move an initiative to another team: it leaves one stack and joins the bottom of the
    other. What rests on it follows through `signals.initiative_moved` (the dependency
    sides it anchors, see coordination), in this transaction; a receiver may refuse."""
    old_team = initiative.team
    old_rank = initiative.rank
    if initiative.status == InitiativeStatus.ACTIVE:
        first, second = sorted([old_team, team], key=lambda t: t.pk)
        stacks = {first.pk: _lock_stack(first), second.pk: _lock_stack(second)}
        remaining = [i for i in stacks[old_team.pk] if i.pk != initiative.pk]
        _write_ranks(remaining)
        initiative.rank = len(stacks[team.pk]) + 1
    elif initiative.status == InitiativeStatus.PROPOSED:
        # Out of one Next up list (which closes up), last in the other.
        first, second = sorted([old_team, team], key=lambda t: t.pk)
        lists = {first.pk: _lock_next_up(first), second.pk: _lock_next_up(second)}
        remaining = [i for i in lists[old_team.pk] if i.pk != initiative.pk]
        _write_ranks(remaining, "next_rank")
        initiative.next_rank = len(lists[team.pk]) + 1
    before = {"team": old_team.pk, "rank": old_rank}
    initiative.team = team
    initiative.version += 1
    initiative.save(update_fields=["team", "rank", "next_rank", "version", "updated_at"])
    activity.record(
        org,
        actor,
        "moved",
        initiative,
        before=before,
        after={"team": team.pk, "rank": initiative.rank},
    )
    signals.initiative_moved.send(
        sender=Initiative,
        org=org,
        initiative=initiative,
        old_team=old_team,
        new_team=team,
        actor=actor,
    )


@transaction.atomic
def set_initiative_status(
    org: Organization,
    actor: Person | None,
    initiative: Initiative,
    status: str,
    reason: str = "",
    *,
    override_reason: str = "",
) -> Initiative:
    """Change the status; an initiative joins its team's stack (at the bottom) when it becomes
    active and leaves it otherwise. Checks in INITIATIVE_STATUS_CHECKS may refuse the change
    (they receive `override_reason`, which lets a person proceed knowingly)."""
    require_same_org(org, initiative, "initiative")
    _can_write(actor, "change initiatives")
    _choice(status, InitiativeStatus, "status", "status")
    stack = _lock_stack(initiative.team)
    initiative = Initiative.objects.select_for_update().get(pk=initiative.pk)
    dropping = status == InitiativeStatus.DROPPED != initiative.status
    require_change_rights(actor, initiative, "initiative", "drop" if dropping else "change")
    old = initiative.status
    if status == old:
        return initiative
    for check in INITIATIVE_STATUS_CHECKS:
        check(initiative, status, override_reason)
    old_rank = initiative.rank
    stack = [i for i in stack if i.pk != initiative.pk]
    changes: dict[str, Any] = {"status": status}
    if status == InitiativeStatus.ACTIVE:
        changes["rank"] = len(stack) + 1
    else:
        changes["rank"] = None
    if status == InitiativeStatus.DONE:
        changes["progress"] = 100
    _write_ranks(stack)
    if InitiativeStatus.PROPOSED in (old, status):
        # Proposed work leaves the Next up list (which closes up) whatever it becomes, and
        # work proposed again joins it last.
        next_up = [i for i in _lock_next_up(initiative.team) if i.pk != initiative.pk]
        changes["next_rank"] = len(next_up) + 1 if status == InitiativeStatus.PROPOSED else None
        _write_ranks(next_up, "next_rank")
    before = {"status": old, "rank": old_rank}
    for k, v in changes.items():
        setattr(initiative, k, v)
    initiative.version += 1
    initiative.save(update_fields=[*changes, "version", "updated_at"])
    after = {"status": status, "rank": initiative.rank}
    if reason:
        after["reason"] = reason
    if override_reason:
        after["override_reason"] = override_reason
    activity.record(org, actor, "status_changed", initiative, before=before, after=after)
    if old_rank != initiative.rank:
        RankChange.objects.create(
            org=org,
            team_id=initiative.team_id,
            initiative=initiative,
            old_rank=old_rank,
            new_rank=initiative.rank,
            by=actor,
            at=timezone.now(),
        )
    if (old in SERVING_INITIATIVE_STATUSES) != (status in SERVING_INITIATIVE_STATUSES):
        rollups.refresh(_served_by(initiative))
    signals.initiative_status_changed.send(
        sender=Initiative, initiative=initiative, old_status=old, new_status=status, actor=actor
    )
    return initiative


def _served_by(initiative: Initiative) -> set[int]:
    """Objectives `initiative` serves, directly or through one of their key results."""
    out = set(
        InitiativeObjective.objects.filter(initiative=initiative).values_list(
            "objective_id", flat=True
        )
    )
    out |= set(
        InitiativeKeyResult.objects.filter(initiative=initiative).values_list(
            "key_result__objective_id", flat=True
        )
    )
    return out


@transaction.atomic
def link_initiative(
    org: Organization,
    actor: Person | None,
    initiative: Initiative,
    key_result: KeyResult | None = None,
    objective: Objective | None = None,
) -> None:
    """Say that `initiative` serves a key result or an objective (give exactly one)."""
    require_same_org(org, initiative, "initiative")
    require_same_org(org, key_result, "key result")
    require_same_org(org, objective, "objective")
    _can_write(actor, "align initiatives")
    require_change_rights(actor, initiative, "initiative", "align")
    if (key_result is None) == (objective is None):
        raise ServiceError(
            "Link an initiative to one key result or one objective.",
            fields={"key_result": ["Give a key result or an objective."]},
        )
    target = key_result.objective if key_result is not None else objective
    assert target is not None
    period = Period.objects.get(pk=target.period_id)
    if period.is_closed:
        raise ServiceError(
            f"{period.name} is closed; its objectives are history, so no new work can be "
            f"linked to them.",
            fields={"key_result" if key_result is not None else "objective": ["Closed period."]},
            code="period_closed",
        )
    if key_result is not None:
        _, created = InitiativeKeyResult.objects.get_or_create(
            org=org, initiative=initiative, key_result=key_result
        )
        after = {"key_result": key_result.pk, "label": key_result.name}
    else:
        assert objective is not None
        _, created = InitiativeObjective.objects.get_or_create(
            org=org, initiative=initiative, objective=objective
        )
        after = {"objective": objective.pk, "label": objective.title}
    if created:
        activity.record(org, actor, "linked", initiative, after=after)
        rollups.refresh([key_result.objective_id if key_result is not None else objective.pk])
        rollups.refresh_aligned([initiative.pk])


@transaction.atomic
def unlink_initiative(
    org: Organization,
    actor: Person | None,
    initiative: Initiative,
    key_result: KeyResult | None = None,
    objective: Objective | None = None,
) -> None:
    require_same_org(org, initiative, "initiative")
    require_same_org(org, key_result, "key result")
    require_same_org(org, objective, "objective")
    _can_write(actor, "align initiatives")
    require_change_rights(actor, initiative, "initiative", "align")
    if key_result is not None:
        n, _ = InitiativeKeyResult.objects.filter(
            initiative=initiative, key_result=key_result
        ).delete()
        before = {"key_result": key_result.pk}
    elif objective is not None:
        n, _ = InitiativeObjective.objects.filter(
            initiative=initiative, objective=objective
        ).delete()
        before = {"objective": objective.pk}
    else:
        raise ServiceError("Give the key result or objective to unlink.")
    if not n:
        raise ServiceError(f"{initiative.title} does not serve that.", code="not_linked")
    activity.record(org, actor, "unlinked", initiative, before=before)
    rollups.refresh([key_result.objective_id if key_result is not None else objective.pk])
    rollups.refresh_aligned([initiative.pk])


@transaction.atomic
def move_in_stack(
    org: Organization, actor: Person | None, initiative: Initiative, new_position: Any
) -> list[int]:
    """Move one active initiative to `new_position` (1 = top) in its team's priority stack.

    Stack changes of a team are serialised (the team row is locked), so concurrent moves
    each apply to the order the previous one left: ranks stay a dense 1..n. Returns the
    stack's initiative ids, top first.
    """
    return _move_in_list(org, actor, initiative, new_position, next_up=False)


@transaction.atomic
def move_in_next_up(
    org: Organization, actor: Person | None, initiative: Initiative, new_position: Any
) -> list[int]:
    """Move one proposed initiative to `new_position` (1 = first) in its team's Next up
    list: the order the team means to take its proposed work up in, ranked apart from the
    priority stack. Serialised and kept dense as `move_in_stack`; the same people may. It
    is recorded as a "reranked" event (after: its `next_rank`); unlike a stack move it is
    no priority churn (no `RankChange`). Returns the list's initiative ids, first first.
    """
    return _move_in_list(org, actor, initiative, new_position, next_up=True)


def _move_in_list(
    org: Organization, actor: Person | None, initiative: Initiative, new_position: Any, *, next_up
) -> list[int]:
    require_same_org(org, initiative, "initiative")
    try:
        if isinstance(new_position, bool):
            raise ValueError
        position = int(str(new_position).strip())
    except (TypeError, ValueError):
        raise ServiceError(
            f"The position must be a whole number, not {new_position!r}.",
            fields={"position": ["Enter a whole number (1 = top)."]},
            code="not_a_number",
        ) from None
    team = Team.objects.get(pk=initiative.team_id)
    require_team_admin(actor, team, "reorder its priorities")
    stack = _lock_next_up(team) if next_up else _lock_stack(team)
    current = next((i for i in stack if i.pk == initiative.pk), None)
    if current is None:
        if next_up:
            raise ServiceError(
                f"{initiative.title} is not proposed, so it is not in {team.name}'s Next up.",
                code="not_in_next_up",
            )
        raise ServiceError(
            f"{initiative.title} is not active, so it is not in {team.name}'s priority stack.",
            code="not_in_stack",
        )
    if position < 1 or position > len(stack):
        raise ServiceError(
            f"The position must be between 1 and {len(stack)}.",
            fields={"position": [f"Enter 1 to {len(stack)}."]},
        )
    field = "next_rank" if next_up else "rank"
    old_rank = stack.index(current) + 1
    rest = [i for i in stack if i.pk != current.pk]
    rest.insert(position - 1, current)
    _write_ranks(rest, field)
    if old_rank != position:
        if not next_up:
            RankChange.objects.create(
                org=org,
                team=team,
                initiative=current,
                old_rank=old_rank,
                new_rank=position,
                by=actor,
                at=timezone.now(),
            )
        activity.record(
            org, actor, "reranked", current, before={field: old_rank}, after={field: position}
        )
    return [i.pk for i in rest]


@transaction.atomic
def delete_initiative(org: Organization, actor: Person | None, initiative: Initiative) -> None:
    """Delete an initiative with its re-plans and links (see "deleting" above for who
    may). Dropping it keeps them."""
    require_same_org(org, initiative, "initiative")
    require_delete_rights(actor, initiative, "initiative")
    if actor is not None:
        _tell_of_deletion(
            org,
            actor,
            initiative,
            what="initiative",
            title=initiative.title,
            where=f"of {initiative.team.name}",
            gone=queries.deletion(initiative),
            path=_alignment_path(org, initiative.team),
            link_label=f"Open {initiative.team.name}'s alignment",
        )
    stack = _lock_stack(initiative.team)
    links = InitiativeLink.objects.filter(
        Q(from_initiative=initiative) | Q(to_initiative=initiative)
    )
    for link in links.select_related("from_initiative", "to_initiative").order_by("id"):
        _record_initiative_link(org, actor, "unlinked", link)
    links.delete()
    activity.record(
        org,
        actor,
        "deleted",
        initiative,
        before=activity.snapshot(initiative, ("title", "team", "status")),
    )
    next_up = _lock_next_up(initiative.team)
    served = _served_by(initiative)
    gone = initiative.pk  # (deleting clears it)
    delete_unless_in_use(initiative, initiative.title)
    rollups.refresh(served)
    # The rest of its stack or Next up list closes up.
    _write_ranks([i for i in stack if i.pk != gone])
    _write_ranks([i for i in next_up if i.pk != gone], "next_rank")


# --- links between initiatives --------------------------------------------------------------


def _initiative_link_kind(kind: Any) -> str:
    if kind not in InitiativeLinkKind.values:
        raise ServiceError(
            f"Unknown kind of initiative link {kind!r}; use one of "
            f"{', '.join(InitiativeLinkKind.values)}.",
            fields={"kind": ["Unknown kind."]},
        )
    return str(kind)


def _record_initiative_link(
    org: Organization, actor: Person | None, verb: str, link: InitiativeLink
) -> None:
    data = {
        "kind": link.kind,
        "to_initiative": link.to_initiative_id,
        "to_initiative_title": link.to_initiative.title,
    }
    if verb == "linked":
        activity.record(org, actor, verb, link.from_initiative, after=data)
    else:
        activity.record(org, actor, verb, link.from_initiative, before=data)


@transaction.atomic
def link_initiatives(
    org: Organization,
    actor: Person | None,
    from_initiative: Initiative,
    to_initiative: Initiative,
    kind: str = InitiativeLinkKind.REPLACES,
) -> InitiativeLink:
    """Say that `from_initiative` replaces `to_initiative` (kind "replaces"). Stored once;
    read from the other end it is "replaced by"."""
    for item, field in ((from_initiative, "from_initiative"), (to_initiative, "to_initiative")):
        if item is None:
            raise ServiceError("Choose both initiatives.", fields={field: ["Required."]})
        if item.org_id != org.id:
            raise ServiceError(
                f"{item.title} is not an initiative of {org.name}; link initiatives of one "
                "organization.",
                fields={field: ["Not an initiative of this organization."]},
                code="other_org",
            )
    _can_write(actor, "link initiatives")
    require_replacement_rights(actor, from_initiative, to_initiative)
    kind = _initiative_link_kind(kind)
    if from_initiative.pk == to_initiative.pk:
        raise ServiceError(
            f"{from_initiative.title} cannot replace itself.",
            fields={"to_initiative": ["Choose another initiative."]},
            code="self_link",
        )
    label = InitiativeLinkKind(kind).label.lower()
    duplicate = ServiceError(
        f"{from_initiative.title} already {label} {to_initiative.title}.", code="duplicate"
    )
    existing = InitiativeLink.objects.filter(
        from_initiative=from_initiative, to_initiative=to_initiative, kind=kind
    )
    if existing.exists():
        raise duplicate
    if InitiativeLink.objects.filter(
        from_initiative=to_initiative, to_initiative=from_initiative, kind=kind
    ).exists():
        raise ServiceError(
            f"{to_initiative.title} already {label} {from_initiative.title}; the two cannot "
            "replace each other.",
            fields={"to_initiative": ["They would replace each other."]},
            code="cycle",
        )
    try:
        with transaction.atomic():
            link = InitiativeLink.objects.create(
                org=org, from_initiative=from_initiative, to_initiative=to_initiative, kind=kind
            )
    except IntegrityError:
        raise duplicate from None
    _record_initiative_link(org, actor, "linked", link)
    return link


@transaction.atomic
def unlink_initiatives(
    org: Organization,
    actor: Person | None,
    from_initiative: Initiative,
    to_initiative: Initiative,
    kind: str = InitiativeLinkKind.REPLACES,
) -> None:
    """Remove the link `link_initiatives` made."""
    require_same_org(org, from_initiative, "initiative")
    require_same_org(org, to_initiative, "initiative")
    _can_write(actor, "link initiatives")
    require_replacement_rights(actor, from_initiative, to_initiative)
    kind = _initiative_link_kind(kind)
    link = (
        InitiativeLink.objects.select_for_update()
        .select_related("from_initiative", "to_initiative")
        .filter(org=org, from_initiative=from_initiative, to_initiative=to_initiative, kind=kind)
        .first()
    )
    if link is None:
        raise NotFound(
            f"{from_initiative.title} does not "
            f"{InitiativeLinkKind(kind).label.lower().rstrip('s')} {to_initiative.title}."
        )
    _record_initiative_link(org, actor, "unlinked", link)
    link.delete()


# --- settings ----------------------------------------------------------------------------


@transaction.atomic
def set_wip_limit(
    org: Organization, actor: Person | None, team: Team, wip_limit: Any
) -> TeamAlignmentSettings:
    require_same_org(org, team, "team")
    require_team_admin(actor, team, "set its WIP limit")
    limit = None
    if wip_limit not in (None, ""):
        try:
            if isinstance(wip_limit, bool):
                raise ValueError
            limit = int(str(wip_limit).strip())
        except (TypeError, ValueError):
            raise ServiceError(
                f"The WIP limit must be a whole number, not {wip_limit!r}.",
                fields={"wip_limit": ["Enter a whole number, or leave empty for no limit."]},
                code="not_a_number",
            ) from None
        if limit < 1 or limit > 1000:
            raise ServiceError(
                "The WIP limit must be between 1 and 1000.",
                fields={"wip_limit": ["Enter 1 to 1000, or leave empty for no limit."]},
            )
    settings_, _ = TeamAlignmentSettings.objects.select_for_update().get_or_create(
        org=org, team=team
    )
    before = {"wip_limit": settings_.wip_limit}
    if before["wip_limit"] != limit:
        settings_.wip_limit = limit
        settings_.version += 1
        settings_.save(update_fields=["wip_limit", "version"])
        activity.record(
            org, actor, "wip_limit_set", team, before=before, after={"wip_limit": limit}
        )
    return settings_


@transaction.atomic
def set_labels(org: Organization, actor: Person | None, **labels: Any) -> AlignmentSettings:
    """What the organization calls objectives, key results and initiatives."""
    require_role(actor, Role.ADMIN, "rename the alignment concepts")
    unknown = set(labels) - set(LABEL_FIELDS)
    if unknown:
        raise ServiceError(f"Unknown label {', '.join(sorted(unknown))}.")
    clean = {k: require_text(v, k, max_length=40) for k, v in labels.items()}
    settings_, _ = AlignmentSettings.objects.select_for_update().get_or_create(org=org)
    return update_and_record(org, actor, settings_, clean)


__all__ = [
    "INITIATIVE_STATUS_CHECKS",
    "PermissionDenied",
    "carriable_objectives",
    "carry_over",
    "close_period",
    "create_initiative",
    "create_key_result",
    "create_objective",
    "create_period",
    "delete_initiative",
    "delete_key_result",
    "delete_objective",
    "delete_period",
    "link_initiative",
    "link_objective",
    "move_in_next_up",
    "move_in_stack",
    "number",
    "record_key_result_value",
    "replan_initiative",
    "set_current_period",
    "set_initiative_status",
    "set_labels",
    "set_objective_confidence",
    "set_wip_limit",
    "unlink_initiative",
    "unlink_objective",
    "update_initiative",
    "update_key_result",
    "update_objective",
    "update_period",
]
