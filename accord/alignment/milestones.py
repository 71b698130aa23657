"""Every write to milestones: dated synchronization points (feature freeze, code freeze,
release candidate, release, planning day) for the whole organization or a set of teams.

A milestone may be relative to another one (its *anchor*) by a number of days: "code
freeze, R-2 weeks" is the release's date minus 14 days. Its date is stored and kept by
these services: moving a milestone moves, in the same transaction, every milestone
relative to it (and those relative to them), and tells other apps through
`signals.milestone_moved` (coordination moves the need-by dates tied to it).

Each function validates, changes and records its events in one transaction; a refused
write raises ServiceError and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from accord.activity import services as activity
from accord.alignment import signals
from accord.alignment.models import Milestone, MilestoneKind, Period
from accord.core.dates import RANGE_TEXT, in_range
from accord.core.errors import ServiceError
from accord.core.services import (
    check_version,
    delete_unless_in_use,
    parse_date,
    require_long_text,
    require_same_org,
    require_text,
    require_unique_name,
)
from accord.org.models import Organization, Person, Role, Team
from accord.org.permissions import require_role

FIELDS = ("name", "kind", "date", "period", "anchor", "offset_days", "description")
CHANGEABLE = {*FIELDS, "teams"}
MAX_OFFSET_DAYS = 3660  # ten years either way


def require_rights(actor: Person | None) -> None:
    """Milestones are planned by leaders and admins; the edit page asks this too, so its
    form is offered only to who may save it."""
    require_role(actor, Role.LEADER, "plan milestones")


def _offset(value: Any) -> int:
    if value in (None, ""):
        return 0
    try:
        n = int(str(value).strip()) if not isinstance(value, int) else value
    except ValueError:
        raise ServiceError(
            f"The offset must be a whole number of days, not {value!r}.",
            fields={"offset_days": ["Enter a whole number of days."]},
        ) from None
    if isinstance(value, bool) or abs(n) > MAX_OFFSET_DAYS:
        raise ServiceError(
            f"The offset must be a whole number of days within {MAX_OFFSET_DAYS} either way.",
            fields={"offset_days": [f"At most {MAX_OFFSET_DAYS} days either way."]},
        )
    return n


def _shift(day: dt.date, days: int, name: str) -> dt.date:
    """`day` moved by `days`, or a clear refusal outside the supported years."""
    try:
        out = day + dt.timedelta(days=days)
    except OverflowError:
        out = None
    if out is None or not in_range(out):
        raise ServiceError(
            f"{name} would fall outside the supported years ({day.isoformat()} {days:+d} "
            f"days). {RANGE_TEXT}.",
            fields={"offset_days": ["Too far from the anchor's date."]},
            code="out_of_range",
        )
    return out


def _teams(org: Organization, teams: Iterable[Team]) -> list[Team]:
    out = list(dict.fromkeys(teams))
    for team in out:
        require_same_org(org, team, "team")
    return out


def _check_anchor(org: Organization, milestone: Milestone | None, anchor: Milestone) -> None:
    """The anchor must be of this organization and must not rest on `milestone` itself."""
    require_same_org(org, anchor, "anchor milestone")
    if milestone is None:
        return
    seen: set[int] = set()
    node: Milestone | None = anchor
    while node is not None and node.pk not in seen:
        if node.pk == milestone.pk:
            raise ServiceError(
                f"{anchor.name} is {'itself' if anchor.pk == milestone.pk else 'relative to'} "
                f"{milestone.name}; a milestone cannot be relative to itself, even through "
                "others.",
                fields={"anchor": ["Would make a cycle."]},
                code="cycle",
            )
        seen.add(node.pk)
        node = node.anchor


def _clean(org: Organization, data: dict[str, Any], milestone: Milestone | None) -> dict:
    out = dict(data)
    if "name" in out:
        out["name"] = require_text(out["name"], "name", max_length=200)
        require_unique_name(Milestone.objects.for_org(org), out["name"], "milestone", milestone)
    if "kind" in out and out["kind"] not in MilestoneKind.values:
        raise ServiceError(
            f"Unknown milestone kind {out['kind']!r}; use one of "
            f"{', '.join(MilestoneKind.values)}.",
            fields={"kind": ["Unknown kind."]},
        )
    if "description" in out:
        out["description"] = require_long_text(out["description"], "description")
    if "period" in out and out["period"] is not None:
        require_same_org(org, out["period"], "period")
    if "offset_days" in out:
        out["offset_days"] = _offset(out["offset_days"])
    if out.get("anchor") is not None:
        _check_anchor(org, milestone, out["anchor"])
    anchor = out.get("anchor", milestone.anchor if milestone else None)
    if anchor is not None:
        offset = out.get("offset_days", milestone.offset_days if milestone else 0)
        out["date"] = _shift(anchor.date, offset, out.get("name") or "The milestone")
    else:
        if "anchor" in out:
            out["offset_days"] = 0
        if "date" in out or milestone is None:
            out["date"] = parse_date(out.get("date"), "date", required=True)
    return out


@transaction.atomic
def create_milestone(
    org: Organization,
    actor: Person | None,
    *,
    name: str,
    kind: str = MilestoneKind.OTHER,
    date: Any = None,
    period: Period | None = None,
    teams: Iterable[Team] = (),
    anchor: Milestone | None = None,
    offset_days: Any = 0,
    description: str = "",
) -> Milestone:
    """A new milestone; with an anchor its date is the anchor's plus `offset_days`."""
    require_rights(actor)
    data = _clean(
        org,
        {
            "name": name,
            "kind": kind,
            "date": date,
            "period": period,
            "anchor": anchor,
            "offset_days": offset_days,
            "description": description,
        },
        None,
    )
    team_list = _teams(org, teams)
    milestone = Milestone.objects.create(org=org, **data)
    milestone.teams.set(team_list)
    activity.record(
        org,
        actor,
        "created",
        milestone,
        after={**activity.snapshot(milestone, FIELDS), "teams": [t.pk for t in team_list]},
    )
    return milestone


@transaction.atomic
def update_milestone(
    org: Organization,
    actor: Person | None,
    milestone: Milestone,
    *,
    expected_version: int | None = None,
    **changes: Any,
) -> Milestone:
    """Change a milestone; a new date (or anchor, or offset) moves every milestone relative
    to it and every need-by date tied to any of them, in this transaction."""
    require_same_org(org, milestone, "milestone")
    require_rights(actor)
    unknown = set(changes) - CHANGEABLE
    if unknown:
        raise ServiceError(f"Cannot change {', '.join(sorted(unknown))} of a milestone.")
    milestone = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("anchor")
        .get(pk=milestone.pk)
    )
    check_version(milestone, expected_version)
    teams = changes.pop("teams", None)
    anchor = changes.get("anchor", milestone.anchor)
    if "date" in changes and anchor is not None and "offset_days" not in changes:
        # A relative milestone moved to a date keeps its anchor: the offset changes.
        new = parse_date(changes.pop("date"), "date", required=True)
        assert new is not None
        changes["offset_days"] = (new - anchor.date).days
    data = _clean(org, changes, milestone)
    before = activity.snapshot(milestone, data.keys())
    old_date = milestone.date
    for name, value in data.items():
        setattr(milestone, name, value)
    after = activity.snapshot(milestone, data.keys())
    before, after = activity.diff(before, after)
    if teams is not None:
        team_list = _teams(org, teams)
        old_ids = sorted(milestone.teams.values_list("pk", flat=True))
        new_ids = sorted(t.pk for t in team_list)
        if old_ids != new_ids:
            milestone.teams.set(team_list)
            before["teams"], after["teams"] = old_ids, new_ids
    if not after:
        return milestone
    milestone.version += 1
    milestone.save()
    verb = "moved" if set(after) <= {"date", "anchor", "offset_days"} else "updated"
    activity.record(org, actor, verb, milestone, before=before, after=after)
    if milestone.date != old_date:
        signals.milestone_moved.send(
            Milestone, milestone=milestone, old_date=old_date, new_date=milestone.date, actor=actor
        )
        _move_dependants(org, actor, milestone)
    return milestone


def move_milestone(
    org: Organization,
    actor: Person | None,
    milestone: Milestone,
    date: Any,
    *,
    expected_version: int | None = None,
) -> Milestone:
    """Move a milestone to `date`. A relative one keeps its anchor: its offset changes."""
    return update_milestone(org, actor, milestone, expected_version=expected_version, date=date)


def _move_dependants(org: Organization, actor: Person | None, root: Milestone) -> None:
    """Recompute the dates of the milestones relative to `root`, level by level."""
    level = [root]
    seen = {root.pk}
    while level:
        by_id = {m.pk: m for m in level}
        children = list(
            Milestone.objects.select_for_update().filter(org=org, anchor_id__in=list(by_id))
        )
        level = []
        for child in children:
            if child.pk in seen:  # pragma: no cover - cycles are refused on write
                continue
            seen.add(child.pk)
            new = _shift(by_id[child.anchor_id].date, child.offset_days, child.name)
            if new == child.date:
                continue
            old = child.date
            child.date = new
            child.version += 1
            child.save(update_fields=["date", "version"])
            activity.record(
                org,
                actor,
                "moved",
                child,
                before={"date": old.isoformat()},
                after={"date": new.isoformat(), "with": root.name},
            )
            signals.milestone_moved.send(
                Milestone, milestone=child, old_date=old, new_date=new, actor=actor
            )
            level.append(child)


@transaction.atomic
def delete_milestone(org: Organization, actor: Person | None, milestone: Milestone) -> None:
    """Delete a milestone no other milestone is relative to (need-by dates tied to it keep
    their last date and are no longer tied)."""
    require_same_org(org, milestone, "milestone")
    require_rights(actor)
    activity.record(org, actor, "deleted", milestone, before=activity.snapshot(milestone, FIELDS))
    delete_unless_in_use(milestone, milestone.name)
