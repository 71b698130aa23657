"""One organization's state *as of* a moment, loaded in bulk into plain Python structures.

The detectors (`detectors.py`) and the health score read only this. The same loader
answers "now", "last Tuesday" and a backtest: a row created after the moment is left out
(unless it was created before the organization's first evaluation, see `load`), and a
field's value at the moment is recovered from the histories the pillars keep:

- key-result values (`KeyResultValue.recorded_at`), objective confidence
  (`ConfidenceUpdate.at`), re-plans (`Replan.at`), re-rankings (`RankChange.at`),
  escalations (`IssueEscalation.at`), check-ins (`submitted_at`), meetings (`ended_at`);
- states the pillars date on the row itself, whenever their events were recorded (an
  import or the demo records a past decision's events when it loads it): a decision is
  proposed, decided, superseded or reversed since `proposed_at`, `decided_at`, `closed_at`;
  an action item done or dropped since `done_at`, `dropped_at`; an issue solved or dropped
  since `closed_at`; a dependency closed since `closed_at`, and one dated as created before
  Accord recorded its creation keeps its present state since then (`_load_coordination`);
- everything else from the append-only event log: every service write records the
  changed fields' values before and after, so the value a field had at moment T is the
  `before` of the first event after T that changed it (`_rewind`). The same log gives
  the rows removed or made since T: team memberships (removed with their person, team,
  role and allocation; `_memberships`) and the links between objectives and between work
  and objectives or key results (`_links`), as well as people's `is_active` and teams'
  WIP limits. "Now" has no such events and costs nothing extra.

A bounded number of queries, whatever the size of the organization (about 45; no query
per object), then linear work in Python.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import CharField, DateTimeField, F, Prefetch, Q, prefetch_related_objects
from django.db.models.functions import Cast
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment.models import (
    ConfidenceUpdate,
    Initiative,
    InitiativeKeyResult,
    InitiativeObjective,
    KeyResult,
    KeyResultValue,
    Objective,
    ObjectiveLink,
    Period,
    RankChange,
    Replan,
    TeamAlignmentSettings,
)
from accord.coordination.models import Dependency
from accord.decisions.models import ActionItem, Decision, Issue, IssueEscalation
from accord.org.models import Membership, Organization, Person, Team, is_leading_role
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import recurrence
from accord.rhythm.models import (
    Attendance,
    CheckIn,
    CheckInStatus,
    Meeting,
    MeetingStatus,
    OccurrenceException,
    OwedBy,
    Scope,
)
from accord.web.templatetags.numbers import num
from accord.web.templatetags.people import name_of

# --- plain structures --------------------------------------------------------------------


@dataclass(slots=True)
class TeamS:
    id: int
    name: str
    parent_id: int | None
    members: set[int] = field(default_factory=set)
    leads: set[int] = field(default_factory=set)  # in a leading role: lead, co-lead, chair
    wip_limit: int | None = None

    @property
    def people(self) -> int:
        return len(self.members)


@dataclass(slots=True)
class PersonS:
    id: int
    name: str
    is_active: bool
    teams: set[int] = field(default_factory=set)
    allocation: int = 0  # sum over memberships, percent
    timezone: str = "UTC"


@dataclass(slots=True)
class PeriodS:
    id: int
    name: str
    start: dt.date
    end: dt.date
    closed_at: dt.datetime | None = None

    def live(self, snap: Snapshot) -> bool:
        """Under way as of the snapshot: its dates hold its day and it was not closed by
        then (a closed period's objectives are a record: no live-progress signal)."""
        if self.closed_at is not None and self.closed_at <= snap.as_of:
            return False
        return self.start <= snap.today <= self.end


@dataclass(slots=True)
class ObjectiveS:
    id: int
    title: str
    team_id: int | None
    owner_id: int | None
    period_id: int
    status: str
    confidence: int | None = None
    confidence_history: list[tuple[dt.datetime, int]] = field(default_factory=list)
    parent_ids: list[int] = field(default_factory=list)
    created_at: dt.datetime | None = None


@dataclass(slots=True)
class KeyResultS:
    id: int
    name: str
    objective_id: int
    owner_id: int | None
    direction: str
    start: float
    target: float
    range_low: float | None
    range_high: float | None
    is_milestone: bool
    current: float
    done: bool
    values: list[tuple[dt.datetime, float]] = field(default_factory=list)
    created_at: dt.datetime | None = None
    unit: str = ""
    baseline_date: dt.date | None = None  # the day `start` was measured, when said

    def value(self, v: float) -> str:
        """A value of this key result as the pages write it: "13.9 M€", "18 %"."""
        return f"{num(v)} {self.unit}".rstrip()


@dataclass(slots=True)
class InitiativeS:
    id: int
    title: str
    team_id: int
    owner_id: int | None
    status: str
    start_date: dt.date | None
    target_date: dt.date | None
    baseline_target_date: dt.date | None
    rank: int | None
    replans: list[tuple[dt.datetime, dt.date | None, dt.date | None]] = field(default_factory=list)
    objective_ids: set[int] = field(default_factory=set)
    key_result_ids: set[int] = field(default_factory=set)


ACTIVE = ("requested", "negotiating", "accepted")  # a dependency's active states


@dataclass(slots=True)
class DependencyS:
    id: int
    title: str
    requester_team_id: int
    requester_initiative_id: int
    provider_team_id: int
    provider_initiative_id: int | None
    need_by: dt.date
    committed_date: dt.date | None
    state: str
    flag: str
    created_at: dt.datetime
    closed_at: dt.datetime | None
    requested_by_id: int | None
    # The day its provider said it was delivered (coordination's `mark_delivered`), while
    # the requester has not confirmed it or said it is not delivered yet.
    marked_delivered_on: dt.date | None = None
    awaiting: str = ""  # whose move it is: "provider" or "requester"
    # Negotiating: the moment of the last move that left it waiting on `awaiting`'s side
    # (the proposal or counter-proposal on the table); None when not known.
    waiting_since: dt.datetime | None = None

    @property
    def due(self) -> dt.date:
        return self.committed_date or self.need_by

    @property
    def late_since(self) -> dt.date:
        """The day it is late from (if it is): the day after `due` (coordination's rule)."""
        return self.due + dt.timedelta(days=1)

    def is_late(self, today: dt.date) -> bool:
        """Active, its due date passed, and not said delivered (coordination's one rule)."""
        return self.active and self.due < today and self.marked_delivered_on is None

    @property
    def waits_on(self) -> str | None:
        """The side whose answer it waits for (coordination's `waiting_q`): a request or
        a proposal whose move is that side's, or a delivery its provider said was made,
        for the requester to confirm; None when it waits on no one's answer."""
        if self.state in ("requested", "negotiating"):
            return self.awaiting or None
        if self.state == "accepted" and self.marked_delivered_on is not None:
            return "requester"
        return None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE


@dataclass(slots=True)
class DecisionS:
    id: int
    question: str
    status: str
    approver_id: int
    decide_by: dt.date | None
    opened_at: dt.datetime
    decided_at: dt.datetime | None
    team_ids: set[int] = field(default_factory=set)

    @property
    def undecided(self) -> bool:
        return self.status in ("open", "proposed")


@dataclass(slots=True)
class ActionItemS:
    id: int
    title: str
    owner_id: int
    team_id: int | None
    status: str
    due_on: dt.date | None
    done_at: dt.datetime | None
    created_at: dt.datetime
    # The due date it had passed when it was re-dated (it slipped), if it was.
    slipped_from: dt.date | None = None


@dataclass(slots=True)
class IssueS:
    id: int
    title: str
    team_id: int
    status: str
    opened_at: dt.datetime
    level_since: dt.datetime
    severity: str = "medium"  # low, medium, high, critical


@dataclass(slots=True)
class CheckinOccurrence:
    """One closed check-in occurrence of a cadence: who owed, and what each did."""

    cadence_id: int
    due: dt.datetime
    status: dict[int, str]  # person id -> on_time | late | missed


@dataclass(slots=True)
class CadenceS:
    id: int
    name: str
    kind: str
    team_ids: set[int]
    owner_id: int | None
    occurrences: list[CheckinOccurrence] = field(default_factory=list)  # check-in cadences
    meetings: list[tuple[dt.datetime, bool, float | None]] = field(
        default_factory=list
    )  # other cadences: (occurrence start, held, average rating)
    all_day: bool = False  # dates, not meetings: never "held" or not
    whole_org: bool = False  # the whole organization's (`team_ids` is every team)


@dataclass
class Snapshot:
    org_id: int
    org_name: str
    as_of: dt.datetime
    teams: dict[int, TeamS] = field(default_factory=dict)
    people: dict[int, PersonS] = field(default_factory=dict)
    periods: dict[int, PeriodS] = field(default_factory=dict)
    objectives: dict[int, ObjectiveS] = field(default_factory=dict)
    key_results: dict[int, KeyResultS] = field(default_factory=dict)
    initiatives: dict[int, InitiativeS] = field(default_factory=dict)
    dependencies: dict[int, DependencyS] = field(default_factory=dict)
    rank_changes: list[tuple[int, int, dt.datetime]] = field(default_factory=list)  # team, init
    decisions: dict[int, DecisionS] = field(default_factory=dict)
    action_items: dict[int, ActionItemS] = field(default_factory=dict)
    issues: dict[int, IssueS] = field(default_factory=dict)
    cadences: dict[int, CadenceS] = field(default_factory=dict)
    # Teams retired at this moment: kept in `teams` (their rows still refer to them) but
    # out of every signal and of the health roll-up.
    retired: set[int] = field(default_factory=set)
    # Rows created up to this moment count as existing (see `load`): the moment itself,
    # or the organization's first evaluation for a moment before it.
    existed_by: dt.datetime = field(default_factory=timezone.now)
    # The organization now (not a past date): only then may a detector use what it keeps
    # between evaluations (the duplicates' text index), which a past date must not change.
    live: bool = False
    # The organization's detector settings (kind -> thresholds with `enabled`) this
    # evaluation runs with (`evaluate.run_catalogue`): a detector that reads what another
    # decides reads it with that one's settings (`detectors.thresholds`).
    settings: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Derived data several detectors share, computed once per snapshot.
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def today(self) -> dt.date:
        return self.as_of.date()

    def children(self) -> dict[int | None, list[int]]:
        out: dict[int | None, list[int]] = defaultdict(list)
        for t in self.teams.values():
            out[t.parent_id].append(t.id)
        return out

    def peopled_tops(self) -> set[int]:
        """The top teams (not retired) with someone in them or in a team below them: those
        the organization's own problems (of no team) concern. An empty department has
        nobody to act on them, nor anything of its own to be scored on. Linear in the
        teams."""
        children = self.children()
        out: set[int] = set()
        for top in children.get(None, ()):
            stack, seen = [top], set()
            while stack:
                t = stack.pop()
                if t in seen or t in self.retired:
                    continue
                seen.add(t)
                if self.teams[t].members:
                    out.add(top)
                    break
                stack.extend(children.get(t, ()))
        return out

    def lead_of(self, team_id: int | None) -> int | None:
        """The team's first lead, else the nearest ancestor's."""
        seen = 0
        while team_id is not None and seen < 1000:
            team = self.teams.get(team_id)
            if team is None:
                return None
            if team.leads:
                return min(team.leads)
            team_id = team.parent_id
            seen += 1
        return None

    def team_name(self, team_id: int | None) -> str:
        t = self.teams.get(team_id) if team_id is not None else None
        return t.name if t else "—"

    def person_name(self, person_id: int | None) -> str:
        """The person's name as Accord writes it (`name_of`: "Jonas Mensah (left)" once
        they were deactivated, as of the snapshot's moment); "nobody" for none."""
        p = self.people.get(person_id) if person_id is not None else None
        return name_of(p) if p else "nobody"


# --- loading -----------------------------------------------------------------------------


def as_moment(as_of: dt.datetime | dt.date | None) -> dt.datetime:
    """A moment: now; a date means the end of that day (UTC)."""
    if as_of is None:
        return timezone.now()
    if isinstance(as_of, dt.datetime):
        return as_of if timezone.is_aware(as_of) else as_of.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(as_of, dt.time(23, 59, 59, 999999), tzinfo=dt.UTC)


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    return dt.date.fromisoformat(str(value)[:10])


def _datetime(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value
    out = dt.datetime.fromisoformat(str(value))
    return out if timezone.is_aware(out) else out.replace(tzinfo=dt.UTC)


def _rows(queryset: Any, *names: str) -> Iterator[list]:
    """`queryset.values_list(*names)`, as lists; on SQLite its datetime columns are read as
    their stored text and parsed by `datetime.fromisoformat`: Django's converters cost
    seconds per million values, and an organization of 10,000 teams loads over a million."""
    if connection.vendor != "sqlite":
        yield from (list(r) for r in queryset.values_list(*names))
        return
    fields = {f.name: f for f in queryset.model._meta.concrete_fields}
    at = [n for n, name in enumerate(names) if isinstance(fields.get(name), DateTimeField)]
    texts = {f"{names[n]}_as_text": Cast(names[n], CharField()) for n in at}
    columns = [f"{name}_as_text" if n in at else name for n, name in enumerate(names)]
    for row in queryset.annotate(**texts).values_list(*columns):
        row = list(row)
        for n in at:
            if row[n] is not None:
                row[n] = _datetime(row[n])
        yield row


def _rewind(
    org: Organization, as_of: dt.datetime, target_type: str, fields: tuple[str, ...]
) -> dict[int, dict[str, Any]]:
    """{object id: {field: value as of the moment}} for the objects whose `fields` changed
    after it: the `before` of the first later event that names the field. One query."""
    out: dict[int, dict[str, Any]] = {}
    rows = (
        Event.objects.filter(org=org, target_type=target_type, created_at__gt=as_of)
        .order_by("created_at", "id")
        .values_list("target_id", "before")
    )
    for target_id, before in rows.iterator(chunk_size=5000):
        if not before:
            continue
        got = out.setdefault(int(target_id), {})
        for name in fields:
            if name in before and name not in got:
                got[name] = before[name]
    return out


def load(
    org: Organization,
    as_of: dt.datetime | dt.date | None = None,
    *,
    live: bool | None = None,
    rhythm: bool = True,
) -> Snapshot:
    """The organization as it was at `as_of` (default: now). `live` says the moment is now
    (default: when `as_of` is not given), e.g. for a moment an evaluation of now took.
    `rhythm=False` leaves out the cadences' rounds and meetings (`Snapshot.cadences` stays
    empty), for a reader that does not look at them: a weekly briefing, which reads
    the cadences itself (a third of a large organization's snapshot)."""

    moment = as_moment(as_of)
    snap = Snapshot(
        org_id=org.id,
        org_name=org.name,
        as_of=moment,
        existed_by=moment,
        live=as_of is None if live is None else live,
    )
    # What existed before Accord first evaluated the organization (an import, the demo)
    # has no trustworthy creation date: it counts as having always existed, so a backfill
    # can compute the past from its histories. Every stored evaluation is at or after the
    # first one, where creation dates are honoured: what it stored stays reproducible.
    from accord.intelligence.models import Evaluation

    first = Evaluation.first_stored(org)
    if first is not None and moment < first:
        snap.existed_by = first
    _load_org(org, snap)
    _load_alignment(org, snap)
    _load_coordination(org, snap)
    _load_decisions(org, snap)
    if rhythm:
        _load_rhythm(org, snap)
    return snap


def _load_org(org: Organization, snap: Snapshot) -> None:
    m = snap.as_of
    for pk, name, parent_id, state, retired_on in (
        Team.objects.for_org(org)
        .filter(created_at__lte=snap.existed_by)
        .values_list("id", "name", "parent_id", "state", "retired_on")
    ):
        snap.teams[pk] = TeamS(pk, name, parent_id)
        if state == "retired" and retired_on <= m.date():  # retired since the day it says
            snap.retired.add(pk)
    rewound = _rewind(org, m, "org.team", ("parent", "wip_limit", "state"))
    for pk, old in rewound.items():
        if pk in snap.teams and "parent" in old:
            snap.teams[pk].parent_id = old["parent"]
        if pk in snap.teams and "state" in old and old["state"] == "retired":
            snap.retired.add(pk)  # retired then, reactivated since
    for pk, name, active, tz in (
        Person.objects.for_org(org)
        .filter(created_at__lte=snap.existed_by)
        .values_list("id", "name", "is_active", "timezone")
    ):
        snap.people[pk] = PersonS(pk, name, active, timezone=tz)
    for pk, old in _rewind(org, m, "org.person", ("is_active",)).items():
        if pk in snap.people and "is_active" in old:
            snap.people[pk].is_active = bool(old["is_active"])
    for person_id, team_id, role, allocation in _memberships(org, snap):
        team, person = snap.teams.get(team_id), snap.people.get(person_id)
        if team is None or person is None or not person.is_active:
            continue
        team.members.add(person_id)
        if is_leading_role(role):
            team.leads.add(person_id)
        person.teams.add(team_id)
        person.allocation += allocation or 0  # an unknown share counts for nothing
    for team_id, limit in TeamAlignmentSettings.objects.for_org(org).values_list(
        "team_id", "wip_limit"
    ):
        if team_id in snap.teams:
            snap.teams[team_id].wip_limit = limit
    for pk, old in rewound.items():
        if pk in snap.teams and "wip_limit" in old:
            snap.teams[pk].wip_limit = old["wip_limit"]


def _memberships(org: Organization, snap: Snapshot) -> Iterator[tuple[int, int, str, int]]:
    """(person, team, role, allocation) of the memberships at the moment: today's rows that
    existed by then, with the role and allocation they had (`_rewind`'s rule), and the ones
    removed since, from their removal's event, unless they were made after the moment (a
    creation recorded after `existed_by`). A term counts while it had not ended then (its
    end is rewound like the role). One query for the later events ("now" reads none), one
    for the rows."""
    got: dict[int, dict[str, Any]] = {}
    removed: dict[int, dict[str, Any]] = {}
    made_later: set[int] = set()
    for target_id, verb, before, at in _rows(
        Event.objects.filter(
            org=org, target_type="org.membership", created_at__gt=snap.as_of
        ).order_by("created_at", "id"),
        *("target_id", "verb", "before", "created_at"),
    ):
        pk, before = int(target_id), before or {}
        if verb == "created" and at > snap.existed_by:
            made_later.add(pk)
        if verb == "deleted":
            removed.setdefault(pk, before)
        old = got.setdefault(pk, {})
        for name in ("role", "allocation", "ended_on"):
            if name in before and name not in old:
                old[name] = before[name]
    rows = (
        Membership.terms.for_org(org)
        .filter(created_at__lte=snap.existed_by)
        .values_list("id", "person_id", "team_id", "role", "allocation", "ended_on")
    )
    if not got:
        for _pk, person_id, team_id, role, allocation, ended_on in rows:
            if ended_on is None:
                yield person_id, team_id, role, allocation or 0
        return
    live: set[int] = set()
    for pk, person_id, team_id, role, allocation, ended_on in rows:
        live.add(pk)
        old = got.get(pk)
        if old:
            role = old.get("role", role)
            allocation = old.get("allocation", allocation)
            ended_on = old.get("ended_on", ended_on)
        if ended_on is None:
            yield person_id, team_id, role, int(allocation or 0)
    for pk, before in removed.items():
        if pk in live or pk in made_later or "person" not in before or "team" not in before:
            continue
        old = got[pk]
        yield before["person"], before["team"], old.get("role", ""), int(old.get("allocation") or 0)


def _links(
    org: Organization, snap: Snapshot
) -> tuple[dict[tuple[str, int, str, int], bool], set[tuple[str, int]]]:
    """Which links between objectives, and between work and objectives or key results, were
    made or removed after the moment, from their events: {(target type, id, "parent" |
    "objective" | "key_result", id): existed at the moment}. A link existed then if the first
    later event about it removed it, or made it at a time that counts as before (`load`'s
    `existed_by`). Also the objectives and initiatives whose creation was recorded after the
    moment: one dated as created by then was loaded with its past (an import, the demo), and
    the links recorded with it keep their present state (as a dependency's values do, see
    `_load_coordination`). One query; "now" reads no rows."""
    out: dict[tuple[str, int, str, int], bool] = {}
    created: set[tuple[str, int]] = set()
    for target_type, target_id, verb, before, after, at in _rows(
        Event.objects.filter(
            org=org,
            target_type__in=("alignment.objective", "alignment.initiative"),
            verb__in=("linked", "unlinked", "created"),
            created_at__gt=snap.as_of,
        ).order_by("created_at", "id"),
        *("target_type", "target_id", "verb", "before", "after", "created_at"),
    ):
        if verb == "created":
            created.add((target_type, int(target_id)))
            continue
        data = (after if verb == "linked" else before) or {}
        for name in ("parent", "objective", "key_result"):
            if data.get(name) is not None:
                key = (target_type, int(target_id), name, int(data[name]))
                if key not in out:
                    out[key] = verb == "unlinked" or at <= snap.existed_by
    return out, created


def _loaded_with_its_past(
    target_type: str, pk: int, rows: dict, created_later: set[tuple[str, int]], m: dt.datetime
) -> bool:
    """Whether the objective or initiative `pk` is dated as created by the moment `m` while
    its creation was recorded after it (see `_links`). `rows` maps ids to rows with a
    `created_at`, or to the creation date itself."""
    if (target_type, pk) not in created_later:
        return False
    row = rows.get(pk)
    made = getattr(row, "created_at", row)
    return made is not None and made <= m


def _load_alignment(org: Organization, snap: Snapshot) -> None:
    m = snap.as_of
    for pk, name, start, end, closed_at in Period.objects.for_org(org).values_list(
        "id", "name", "start", "end", "closed_at"
    ):
        snap.periods[pk] = PeriodS(pk, name, start, end, closed_at)
    for row in _rows(
        Objective.objects.for_org(org).filter(created_at__lte=snap.existed_by),
        *("id", "title", "team_id", "owner_id", "period_id", "status", "confidence", "created_at"),
    ):
        snap.objectives[row[0]] = ObjectiveS(
            row[0], row[1], row[2], row[3], row[4], row[5], None, created_at=row[7]
        )
    for pk, old in _rewind(org, m, "alignment.objective", ("status",)).items():
        if pk in snap.objectives and "status" in old:
            snap.objectives[pk].status = old["status"]
    for obj_id, conf, at in _rows(
        ConfidenceUpdate.objects.for_org(org).filter(at__lte=m).order_by("at", "id"),
        *("objective_id", "confidence", "at"),
    ):
        o = snap.objectives.get(obj_id)
        if o is not None:
            o.confidence_history.append((at, conf))
            o.confidence = conf
    # Links as they were at the moment: today's, less those made since, plus those removed
    # since (`_links`).
    links, created_later = _links(org, snap)
    parents = dict.fromkeys(
        ObjectiveLink.objects.for_org(org)
        .filter(created_at__lte=snap.existed_by)
        .order_by("id")
        .values_list("child_id", "parent_id")
    )
    for (target_type, child, name, parent), existed in links.items():
        if target_type != "alignment.objective" or name != "parent":
            continue
        if not _loaded_with_its_past(target_type, child, snap.objectives, created_later, m):
            if existed:
                parents.setdefault((child, parent))
            else:
                parents.pop((child, parent), None)
    for child, parent in parents:
        if child in snap.objectives and parent in snap.objectives:
            snap.objectives[child].parent_ids.append(parent)
    for row in _rows(
        KeyResult.objects.for_org(org).filter(created_at__lte=snap.existed_by),
        *(
            "id",
            "name",
            "objective_id",
            "owner_id",
            "direction",
            "start",
            "target",
            "range_low",
            "range_high",
            "is_milestone",
            "created_at",
            "unit",
            "baseline_date",
        ),
    ):
        if row[2] not in snap.objectives:
            continue
        snap.key_results[row[0]] = KeyResultS(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6],
            row[7],
            row[8],
            row[9],
            current=row[5],
            done=False,
            created_at=row[10],
            unit=row[11],
            baseline_date=row[12],
        )
    for kr_id, value, at in _rows(
        KeyResultValue.objects.for_org(org)
        .filter(recorded_at__lte=m)
        .order_by("recorded_at", "id"),
        *("key_result_id", "value", "recorded_at"),
    ):
        kr = snap.key_results.get(kr_id)
        if kr is not None:
            kr.values.append((at, value))
            kr.current = value
            kr.done = kr.is_milestone and value == 1.0
    initiative_created: dict[int, dt.datetime] = {}
    for row in (
        Initiative.objects.for_org(org)
        .filter(created_at__lte=snap.existed_by)
        .values_list(
            "id",
            "title",
            "team_id",
            "owner_id",
            "status",
            "start_date",
            "target_date",
            "baseline_target_date",
            "rank",
            "created_at",
        )
    ):
        snap.initiatives[row[0]] = InitiativeS(*row[:-1])
        initiative_created[row[0]] = row[-1]
    fields = ("status", "target_date", "rank", "team", "start_date")
    for pk, old in _rewind(org, m, "alignment.initiative", fields).items():
        i = snap.initiatives.get(pk)
        if i is None:
            continue
        if "status" in old:
            i.status = old["status"]
        if "target_date" in old:
            i.target_date = _date(old["target_date"])
        if "start_date" in old:
            i.start_date = _date(old["start_date"])
        if "rank" in old:
            i.rank = old["rank"]
        if "team" in old and old["team"] in snap.teams:
            i.team_id = old["team"]
        if i.target_date is None:
            i.baseline_target_date = None
    for init_id, at, old, new in _rows(
        Replan.objects.for_org(org).filter(at__lte=m).order_by("at", "id"),
        *("initiative_id", "at", "old_target_date", "new_target_date"),
    ):
        if init_id in snap.initiatives:
            snap.initiatives[init_id].replans.append((at, old, new))
    for init_id, obj_id in InitiativeObjective.objects.for_org(org).values_list(
        "initiative_id", "objective_id"
    ):
        if init_id in snap.initiatives:
            snap.initiatives[init_id].objective_ids.add(obj_id)
    for init_id, kr_id in InitiativeKeyResult.objects.for_org(org).values_list(
        "initiative_id", "key_result_id"
    ):
        if init_id in snap.initiatives:
            snap.initiatives[init_id].key_result_ids.add(kr_id)
    # ... as they were at the moment: those made since undone, those removed since restored.
    for (target_type, init_id, name, pk), existed in links.items():
        i = snap.initiatives.get(init_id)
        if target_type != "alignment.initiative" or name == "parent" or i is None:
            continue
        if _loaded_with_its_past(target_type, init_id, initiative_created, created_later, m):
            continue
        ids = i.objective_ids if name == "objective" else i.key_result_ids
        if existed:
            ids.add(pk)
        else:
            ids.discard(pk)
    # Ranks after the moment are undone from the stack's own history (re-rankings).
    later_rank: dict[int, int | None] = {}
    rows = _rows(
        RankChange.objects.for_org(org).order_by("at", "id"),
        *("team_id", "initiative_id", "old_rank", "at"),
    )
    for team_id, init_id, old_rank, at in rows:
        if at <= m:
            snap.rank_changes.append((team_id, init_id, at))
        elif init_id not in later_rank:
            later_rank[init_id] = old_rank
    for init_id, rank in later_rank.items():
        if init_id in snap.initiatives:
            snap.initiatives[init_id].rank = rank


def _load_coordination(org: Organization, snap: Snapshot) -> None:
    m = snap.as_of
    for row in _rows(
        Dependency.objects.for_org(org).filter(created_at__lte=snap.existed_by),
        *(
            "id",
            "title",
            "requester_team_id",
            "requester_initiative_id",
            "provider_team_id",
            "provider_initiative_id",
            "need_by",
            "committed_date",
            "state",
            "flag",
            "created_at",
            "closed_at",
            "requested_by_id",
            "marked_delivered_on",
            "awaiting",
        ),
    ):
        snap.dependencies[row[0]] = DependencyS(*row)
    # The values at the moment are rewound from the later events (`_rewind`), except for a
    # dependency dated as created by the moment whose creation Accord recorded only after
    # it: it was loaded with its past (an import, the demo), and what was recorded with it
    # happened at an unknown time, not when it was recorded. Such a dependency keeps its
    # present values since its creation date, except that a closed one was closed at its
    # `closed_at` and was in the state it was closed from before. (A row merely counted as
    # existing, see `load`, is not dated: its events keep their times.) One query.
    fields = (
        "state",
        "flag",
        "committed_date",
        "need_by",
        "provider_initiative",
        "requester_team",
        "provider_team",
        "marked_delivered_on",
        "awaiting",
    )
    rewound: dict[int, dict[str, Any]] = {}
    loaded: set[int] = set()
    closed_from: dict[int, str] = {}
    rows = (
        Event.objects.filter(org=org, target_type="coordination.dependency", created_at__gt=m)
        .order_by("created_at", "id")
        .values_list("target_id", "verb", "before", "after")
    )
    for target_id, verb, before, after in rows.iterator(chunk_size=5000):
        d = snap.dependencies.get(int(target_id))
        if d is None:
            continue
        if verb == "created" and d.created_at <= m:
            loaded.add(d.id)
        before = before or {}
        if (after or {}).get("state") == d.state and d.state not in ACTIVE:
            closed_from.setdefault(d.id, before.get("state", ""))
        got = rewound.setdefault(d.id, {})
        for name in fields:
            if name in before and name not in got:
                got[name] = before[name]
    for d in snap.dependencies.values():
        old = rewound.get(d.id, {})
        # Its sides moved later with an initiative (`moved`): whatever its state, it was
        # between the teams it had then.
        if old.get("requester_team"):
            d.requester_team_id = old["requester_team"]
        if old.get("provider_team"):
            d.provider_team_id = old["provider_team"]
        if d.closed_at is not None and d.closed_at <= m:
            continue  # closed since `closed_at`; closed states are final
        if d.id in loaded:
            if d.closed_at is not None and closed_from.get(d.id):
                d.state, d.closed_at = closed_from[d.id], None
            continue
        if "state" in old:
            d.state = old["state"]
            if d.state in ACTIVE:
                d.closed_at = None
        if "flag" in old:
            d.flag = old["flag"] or ""
        if "committed_date" in old:
            d.committed_date = _date(old["committed_date"])
        if "need_by" in old:
            d.need_by = _date(old["need_by"]) or d.need_by
        if "provider_initiative" in old:
            d.provider_initiative_id = old["provider_initiative"]
        if "marked_delivered_on" in old:
            d.marked_delivered_on = _date(old["marked_delivered_on"])
        if "awaiting" in old:
            d.awaiting = old["awaiting"] or ""
    _load_waiting_since(org, snap)


# The moves that leave a dependency negotiating, and the side each leaves it waiting on
# (coordination's TRANSITIONS: the provider proposes, the requester counter-proposes).
PROPOSALS = {"proposed": "requester", "countered": "provider"}


def _load_waiting_since(org: Organization, snap: Snapshot) -> None:
    """`waiting_since` of each dependency negotiated at the moment: its newest proposal or
    counter-proposal by then that left it waiting on the side whose move it is now (the
    rule of coordination's `queries.waiting_since`, as of the moment). One query, none
    when nothing is negotiated: the proposals of the organization's dependencies made
    from the day the oldest of those was asked, read by moment rather than by a list of
    ids (an organization of 10,000 teams has more than a database accepts in one
    statement)."""
    negotiating = {
        d.id: d
        for d in snap.dependencies.values()
        if d.state == "negotiating" and d.awaiting and d.created_at <= snap.as_of
    }
    if not negotiating:
        return
    moves = (
        Event.objects.filter(
            org=org,
            target_type="coordination.dependency",
            verb__in=tuple(PROPOSALS),
            created_at__gte=min(d.created_at for d in negotiating.values()),
            created_at__lte=snap.as_of,
        )
        .order_by()
        .values_list("target_id", "verb", "created_at", "after__awaiting")
    )
    for target_id, verb, at, side in moves.iterator(chunk_size=5000):
        d = negotiating.get(int(target_id))
        if d is None or (side or PROPOSALS[verb]) != d.awaiting:
            continue
        if d.waiting_since is None or at > d.waiting_since:
            d.waiting_since = at


def _decision_status(
    m: dt.datetime,
    rewound: str,
    status: str,
    proposed_at: dt.datetime | None,
    decided_at: dt.datetime | None,
    closed_at: dt.datetime | None,
) -> str:
    """A decision's status at moment `m` from its own dates; the event log (`rewound`) only
    where a date is missing."""
    if status in ("superseded", "reversed") and closed_at is not None and closed_at <= m:
        return status
    if decided_at is not None:
        if decided_at <= m:
            return "decided"
        return "proposed" if proposed_at is not None and proposed_at <= m else "open"
    if status == "proposed" and proposed_at is not None:
        return "proposed" if proposed_at <= m else "open"
    return rewound


def _load_decisions(org: Organization, snap: Snapshot) -> None:
    m = snap.as_of
    dated: dict[int, tuple[str, dt.datetime | None, dt.datetime | None, dt.datetime | None]] = {}
    for row in _rows(
        Decision.objects.for_org(org).filter(opened_at__lte=m),
        *(
            "id",
            "question",
            "status",
            "approver_id",
            "decide_by",
            "opened_at",
            "decided_at",
            "proposed_at",
            "closed_at",
        ),
    ):
        snap.decisions[row[0]] = DecisionS(*row[:7])
        dated[row[0]] = (row[2], row[7], row[6], row[8])
    fields = ("status", "approver", "decide_by")
    for pk, old in _rewind(org, m, "decisions.decision", fields).items():
        d = snap.decisions.get(pk)
        if d is None:
            continue
        if "status" in old:
            d.status = old["status"]
        if old.get("approver"):
            d.approver_id = old["approver"]
        if "decide_by" in old:
            d.decide_by = _date(old["decide_by"])
    # A decision's life is dated on the decision itself (open -> proposed -> decided ->
    # superseded or reversed, never back): its status at the moment comes from those dates,
    # whenever the events were recorded (an import or the demo records a past decision's
    # events when it loads it).
    for pk, (status, proposed_at, decided_at, closed_at) in dated.items():
        d = snap.decisions[pk]
        d.status = _decision_status(m, d.status, status, proposed_at, decided_at, closed_at)
        d.decided_at = decided_at if decided_at is not None and decided_at <= m else None
    for dec_id, team_id in Decision.teams.through.objects.filter(decision__org=org).values_list(
        "decision_id", "team_id"
    ):
        if dec_id in snap.decisions:
            snap.decisions[dec_id].team_ids.add(team_id)
    current: dict[int, tuple[str, dt.datetime | None, dt.datetime | None]] = {}
    for row in _rows(
        ActionItem.objects.for_org(org).filter(created_at__lte=snap.existed_by),
        *(
            "id",
            "title",
            "owner_id",
            "team_id",
            "status",
            "due_on",
            "done_at",
            "created_at",
            "dropped_at",
            "slipped_from",
        ),
    ):
        snap.action_items[row[0]] = ActionItemS(*row[:8], slipped_from=row[9])
        current[row[0]] = (row[4], row[6], row[8])
    fields = ("status", "due_on", "done_at", "slipped_from")
    for pk, old in _rewind(org, m, "decisions.actionitem", fields).items():
        a = snap.action_items.get(pk)
        if a is None:
            continue
        if "status" in old:
            a.status = old["status"]
        if "due_on" in old:
            a.due_on = _date(old["due_on"])
        if "done_at" in old:
            a.done_at = _datetime(old["done_at"])
        if "slipped_from" in old:
            a.slipped_from = _date(old["slipped_from"])
    # Done and dropped are dated on the item: done since `done_at`, dropped since
    # `dropped_at`, open before, whenever the events were recorded.
    for a in snap.action_items.values():
        now_status, done_at, dropped_at = current[a.id]
        if now_status == "done" and done_at is not None:
            a.status, a.done_at = ("done", done_at) if done_at <= m else ("open", None)
        elif now_status == "dropped" and dropped_at is not None:
            a.status = "dropped" if dropped_at <= m else "open"
        if a.done_at is not None and a.done_at > m:
            a.done_at = None
        if a.status != "done":
            a.done_at = None
    closed: dict[int, tuple[str, dt.datetime]] = {}
    for row in _rows(
        Issue.objects.for_org(org).filter(opened_at__lte=m),
        *("id", "title", "team_id", "status", "opened_at", "raised_in_id", "closed_at"),
        "severity",
    ):
        pk, title, team_id, status, opened_at, raised_in, closed_at, severity = row
        snap.issues[pk] = IssueS(
            pk, title, raised_in or team_id, status, opened_at, opened_at, severity
        )
        if closed_at is not None:
            closed[pk] = (status, closed_at)
    first_from: dict[int, int] = {}
    for issue_id, from_team, to_team, at in _rows(
        IssueEscalation.objects.for_org(org).order_by("at", "id"),
        *("issue_id", "from_team_id", "to_team_id", "at"),
    ):
        i = snap.issues.get(issue_id)
        if i is None:
            continue
        first_from.setdefault(issue_id, from_team)
        if at <= m:
            i.team_id = to_team
            i.level_since = at
    for issue_id, from_team in first_from.items():
        i = snap.issues[issue_id]
        if i.level_since == i.opened_at:
            i.team_id = from_team
    for pk, old in _rewind(org, m, "decisions.issue", ("status", "severity")).items():
        if pk in snap.issues and "status" in old:
            snap.issues[pk].status = old["status"]
        if pk in snap.issues and old.get("severity"):
            snap.issues[pk].severity = old["severity"]
    # An issue is solved or dropped since its `closed_at`, open before (issues never reopen).
    for pk, (status, closed_at) in closed.items():
        snap.issues[pk].status = status if closed_at <= m else "open"


def _instant_column(name: str) -> Any:
    """A datetime column as the database stores it: its text on SQLite (parsed by
    `_Instants`, once per distinct value), the value itself elsewhere."""
    if connection.vendor == "sqlite":
        return Cast(name, CharField())
    return F(name)


class _Instants(dict):
    """Parses each distinct stored instant once: text -> aware datetime (UTC)."""

    def __call__(self, value: Any) -> dt.datetime:
        got = self.get(value)
        if got is None:
            got = self[value] = _datetime(value)
        return got


def _first_start(cadence: Any) -> dt.date:
    """The earliest start date of the schedules the cadence had (`rhythm_queries.eras`)."""
    if not cadence.past_schedules:
        return cadence.start_date
    return min(e.schedule.start_date for e in rhythm_queries.eras(cadence, ()))


def _load_rhythm(org: Organization, snap: Snapshot, lookback_days: int = 120) -> None:
    """Closed occurrences of the last `lookback_days`: check-ins owed and given, meetings
    held and rated. Occurrences come from the schedules each cadence had (rhythm's own
    code, `rhythm_queries.eras`), none before it was created; a check-in is owed by who
    was in its scope when it was due."""
    m = snap.as_of
    # The tree and memberships as of the moment, not today's: the roster is the snapshot's.
    roster = rhythm_queries.Roster(
        parents={t.id: t.parent_id for t in snap.teams.values()},
        members=defaultdict(set, {t.id: set(t.members) for t in snap.teams.values()}),
        leads=defaultdict(set, {t.id: set(t.leads) for t in snap.teams.values()}),
        active={p.id for p in snap.people.values() if p.is_active},
    )
    cads = [
        c
        for c in rhythm_queries.cadences(org).select_related(None).prefetch_related(None)
        if c.created_at <= snap.existed_by
        and dt.datetime.combine(_first_start(c), dt.time(), dt.UTC) <= m
    ]
    # What the roster and the schedule read of a cadence, fetched only for the cadences
    # that use it: prefetching for every one of 20,000 cadences costs seconds in Django's
    # related managers alone, for lists that are nearly all empty.
    excepted = set(OccurrenceException.objects.for_org(org).values_list("cadence_id", flat=True))
    prefetch_related_objects([c for c in cads if c.scope == Scope.TEAMS], "teams")
    prefetch_related_objects(
        [c for c in cads if c.is_checkin and c.checkin_owed_by != OwedBy.LEADS],
        "extra_participants",
    )
    prefetch_related_objects(
        [c for c in cads if c.pk in excepted],
        Prefetch("exceptions", queryset=OccurrenceException.objects.order_by("original_start")),
    )
    window_start = m - dt.timedelta(days=lookback_days)
    since = window_start - dt.timedelta(days=2)
    # No `__in` lists of ids: an organization of 10,000 teams has more than a database
    # accepts in one statement. The window and the organization bound each read instead.
    # Occurrence starts are read as the database's text where it stores text (SQLite), and
    # each distinct one is parsed once: a few hundred values for hundreds of thousands of
    # check-ins.
    occ_start = _instant_column("occurrence_start")
    instant = _Instants()
    checkins: dict[tuple[int, dt.datetime], dict[int, str]] = defaultdict(dict)
    for cad_id, occ, person_id, status in (
        CheckIn.objects.for_org(org)
        .filter(occurrence_start__gte=since, submitted_at__lte=m)
        .exclude(status=CheckInStatus.MISSED)
        .annotate(occ=occ_start)
        .values_list("cadence_id", "occ", "person_id", "status")
        .iterator(chunk_size=10000)
    ):
        checkins[(cad_id, instant(occ))][person_id] = status
    finished = Meeting.objects.for_org(org).filter(
        status=MeetingStatus.FINISHED, ended_at__lte=m, occurrence_start__gte=since
    )
    # Held: finished by the moment, or started by it (being held, as rhythm's adherence
    # counts it: `rhythm_queries.adherence`); rated only once finished. An occurrence is due
    # by adherence's rule too (`rhythm_queries.meeting_due`): once it has ended, or once
    # its meeting has started.
    begun = Meeting.objects.for_org(org).filter(
        Q(ended_at__lte=m) | Q(started_at__lte=m),
        status__in=(MeetingStatus.FINISHED, MeetingStatus.RUNNING),
        occurrence_start__gte=since,
    )
    held: dict[tuple[int, dt.datetime], int] = {}
    # Meetings by cadence, with when they were held: one held at an occurrence no schedule
    # of its cadence has (kept from before Accord kept earlier schedules, or recorded for a
    # date before the cadence was set up) still counts, where it was.
    meetings_of: dict[int, list[tuple[dt.datetime, dt.datetime, int]]] = defaultdict(list)
    for pk, cad_id, occ, scheduled in begun.annotate(
        occ=occ_start, at=_instant_column("scheduled_start")
    ).values_list("id", "cadence_id", "occ", "at"):
        held[(cad_id, instant(occ))] = pk
        meetings_of[cad_id].append((instant(occ), instant(scheduled), pk))
    ratings: dict[int, list[int]] = defaultdict(list)
    for meeting_id, rating in (
        Attendance.objects.for_org(org)
        .filter(meeting__in=finished, rating__isnull=False)
        .values_list("meeting_id", "rating")
    ):
        ratings[meeting_id].append(rating)
    # Who owed each occurrence: who was in the cadence's scope when it was due, not before
    # they joined (the terms of the people whose terms began or ended in the window; one
    # query), and nobody before the cadence was created (`rhythm_queries.Owers`).
    roster.date_terms(Membership.terms.for_org(org).filter(created_at__lte=snap.existed_by), since)
    owers_of = {c.pk: roster.owers(c) for c in cads if c.is_checkin}
    tz_of = {p.id: p.timezone for p in snap.people.values()}
    away = rhythm_queries.AwayBook(org, None, window_start.date(), m.date())
    # Thousands of cadences share a few dozen schedules: each (schedule, exceptions,
    # window) is expanded once, by rhythm's own code.
    expanded: dict[tuple, list[tuple[dt.datetime, dt.datetime, dt.datetime]]] = {}

    def expand(schedule: Any, specs: tuple, start: dt.datetime, end: dt.datetime) -> list:
        key = (schedule, specs, start, end)
        got = expanded.get(key)
        if got is None:
            try:  # as `rhythm_queries.occurrences_of`, with the exceptions read above
                occs = recurrence.occurrences(schedule, start, end, specs)
            except recurrence.InvalidSchedule:
                occs = []
            got = expanded[key] = [(o.original_start, o.start, o.end) for o in occs]
        return got

    for c in cads:
        cs = CadenceS(c.pk, c.name, c.kind, roster.scope_team_ids(c), c.owner_id)
        cs.all_day = c.all_day
        cs.whole_org = c.scope == Scope.ORG
        snap.cadences[c.pk] = cs
        if c.all_day:
            continue  # an all-day cadence's dates are reached, not held: nothing to measure
        # A check-in's round closes once late; a meeting's occurrences are read from those
        # begun by the moment, and kept below once due.
        closed_before = m - dt.timedelta(hours=c.late_after_hours) if c.is_checkin else m
        # The occurrences it had (as `rhythm_queries.past_occurrences`): each under the
        # schedule of its time, none before the cadence was created.
        specs = tuple(rhythm_queries.exception_specs(c)) if c.pk in excepted else ()
        had: list[tuple[dt.datetime, dt.datetime, dt.datetime]] = []
        for era in rhythm_queries.eras(c, specs):
            lo = window_start if era.since is None else max(window_start, era.since)
            hi = closed_before if era.until is None else min(closed_before, era.until)
            if lo < hi:
                had += expand(era.schedule, era.exceptions, lo, hi)
        had = [(o, s, e) for o, s, e in had if s >= c.created_at]
        known = {o for o, _, _ in had}
        if c.is_checkin:
            owers = owers_of[c.pk]
            for original_start, start, _ in sorted(had, key=lambda r: (r[1], r[0])):
                got = checkins.get((c.pk, original_start), {})
                status: dict[int, str] = dict(got)
                for pid in owers.at(start):
                    if pid in got:
                        continue
                    if (
                        pid in away.periods  # most people are never away: no zone to load
                        and away.is_away(pid, start, tz_of.get(pid, "UTC"))
                    ):
                        continue
                    status[pid] = CheckInStatus.MISSED
                if status:
                    cs.occurrences.append(CheckinOccurrence(c.pk, start, status))
        else:
            had = [
                (o, s, e)
                for o, s, e in had
                if rhythm_queries.meeting_due(e, m, started=(c.pk, o) in held)
            ]
            # Those held where no schedule has them: begun by the moment, so due.
            had += [
                (o, at, at)
                for o, at, _ in meetings_of.get(c.pk, ())
                if o not in known and window_start <= at < closed_before
            ]
            for original_start, start, _ in sorted(had, key=lambda r: (r[1], r[0])):
                mid = held.get((c.pk, original_start))
                r = ratings.get(mid) if mid else None
                cs.meetings.append((start, mid is not None, sum(r) / len(r) if r else None))
