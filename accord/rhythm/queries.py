"""Reads shared by the rhythm pages, the API, reminders, feeds and analysis.

Everything is loaded in a few bulk queries and computed in Python: who is in a cadence's
scope, who owes a check-in, which occurrences fall in a window, and adherence figures.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import (
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    prefetch_related_objects,
)
from django.utils import timezone

from accord.core.counting import COUNT_UP_TO, count_up_to
from accord.core.errors import ServiceError
from accord.org import queries as org_queries
from accord.org.models import (
    Membership,
    Organization,
    Person,
    Team,
    TeamState,
    is_leading_role,
)
from accord.rhythm import recurrence
from accord.rhythm.models import (
    Attendance,
    Away,
    Cadence,
    CadenceKind,
    CheckIn,
    CheckInStatus,
    Meeting,
    MeetingStatus,
    OccurrenceException,
    OwedBy,
    Participation,
    Scope,
)

# --- loading cadences ------------------------------------------------------------------------


def cadences(org: Organization, *, active_only: bool = True):
    """Cadences with what scope and schedule computations need, prefetched (4 queries).

    `active_only` keeps the cadences that run: active ones, and not of a retired team (its
    own or subtree cadence, or a set of teams all retired). Those have no occurrences in
    anyone's week, agendas, feeds, reminders or briefings, and the scheduler leaves them
    alone; reactivating the team brings them back as they were."""
    qs = Cadence.objects.for_org(org).select_related("team", "owner")
    if active_only:
        qs = qs.filter(is_active=True).exclude(team__state=TeamState.RETIRED)
        links = Cadence.teams.through.objects.filter(cadence_id=OuterRef("pk"))
        current = links.exclude(team__state=TeamState.RETIRED)
        qs = qs.exclude(Q(scope=Scope.TEAMS) & Exists(links) & ~Exists(current))
    return qs.prefetch_related(*_CADENCE_PREFETCH)


# What scopes, rosters and schedules read of a cadence.
_CADENCE_PREFETCH = (
    "teams",
    "extra_participants",
    Prefetch("exceptions", queryset=OccurrenceException.objects.order_by("original_start")),
)
EVERY_CADENCE_CHUNK = 1000


def every_cadence(org: Organization) -> list[Cadence]:
    """The organization's running cadences (as `cadences`), for a job that goes through
    all of them: their teams, extra participants and exceptions read a thousand cadences
    at a time. As one list of 20,000 ids, SQLite's planner reads the teams table once per
    id (11 s at 10,000 teams)."""
    cads = list(cadences(org).prefetch_related(None))
    for i in range(0, len(cads), EVERY_CADENCE_CHUNK):
        prefetch_related_objects(cads[i : i + EVERY_CADENCE_CHUNK], *_CADENCE_PREFETCH)
    return cads


def exception_specs(cadence: Cadence) -> list[recurrence.ExceptionSpec]:
    return [e.spec for e in cadence.exceptions.all()]


def schedule_problem(cadence: Cadence) -> str | None:
    """Why a stored cadence's schedule cannot be expanded (shown on its pages), or None.

    Every read below treats such a cadence as having no occurrences, so a rule written
    into the database behind the services' back never breaks a page, a feed or a job."""
    return recurrence.schedule_problem(cadence.schedule)


def occurrences_of(
    cadence: Cadence,
    start: dt.datetime,
    end: dt.datetime,
    *,
    include_cancelled: bool = False,
    since_created: bool = False,
) -> list[recurrence.Occurrence]:
    """The occurrences of the cadence's schedule now whose (possibly moved) start lies in
    [start, end). With `since_created`, none that starts before the cadence was set up:
    what is coming up or may be started of a cadence made at 20:05 does not hold that
    morning's 10:00, as its adherence does not (`past_occurrences`)."""
    if since_created and cadence.created_at is not None:
        start = max(start, cadence.created_at)
        if start >= end:
            return []
    try:
        return recurrence.occurrences(
            cadence.schedule,
            start,
            end,
            exception_specs(cadence),
            include_cancelled=include_cancelled,
            cadence_id=cadence.pk,
        )
    except recurrence.InvalidSchedule:
        return []


def before_set_up(cadence: Cadence, start: dt.datetime) -> bool:
    """Whether the occurrence starting at `start` is a meeting its cadence never had: it
    started before the cadence was set up, on or after the day it was set up to start from
    (a cadence made at 20:05 to start today does not hold that morning's 10:00). Nothing
    lists it as coming up (`occurrences_of`), and it is not started. A cadence set up with
    a start date before that day keeps its earlier occurrences, to record the meetings
    held then."""
    born = cadence.created_at
    if born is None or start >= born:
        return False
    try:
        set_up_on = born.astimezone(recurrence.zone(cadence.timezone)).date()
    except ServiceError:
        set_up_on = born.date()
    return cadence.start_date >= set_up_on


def is_rule_instant(cadence: Cadence, instant: dt.datetime) -> bool:
    """Whether the cadence's rule has an occurrence at `instant` (cancelled or not)."""
    try:
        return recurrence.is_rule_instant(cadence.schedule, instant)
    except recurrence.InvalidSchedule:
        return False


def occurrence(
    cadence: Cadence, original_start: dt.datetime, *, include_cancelled: bool = False
) -> recurrence.Occurrence | None:
    """The occurrence whose original start is `original_start` (moved or not), under the
    schedule the cadence had at that instant (`eras`: one held before a change of time
    keeps its address); None if that schedule has no such instant or it was cancelled
    (unless `include_cancelled`)."""
    original_start = original_start.astimezone(dt.UTC)
    era = era_at(cadence, original_start)
    try:
        if not recurrence.is_rule_instant(era.schedule, original_start):
            return None
    except recurrence.InvalidSchedule:
        return None
    specs = {e.original_start: e for e in era.exceptions}
    exc = specs.get(original_start)
    cancelled = exc is not None and exc.cancelled
    if cancelled and not include_cancelled:
        return None
    start = exc.new_start if exc is not None and exc.new_start and not cancelled else None
    start = recurrence.clamp(start or original_start)
    return recurrence.Occurrence(
        original_start=original_start,
        start=start,
        end=era.schedule.end_for(start),
        timezone=era.schedule.timezone,
        moved=start != original_start,
        cancelled=cancelled,
        cadence_id=cadence.pk,
        all_day=era.schedule.all_day,
    )


def stored_occurrence(
    cadence: Cadence, original_start: dt.datetime
) -> recurrence.Occurrence | None:
    """The occurrence a stored meeting or check-in names, when no schedule the cadence had
    has it (one kept from before Accord kept its earlier schedules): its minutes and
    answers stay where they were. One query (two for a check-in cadence)."""
    original_start = original_start.astimezone(dt.UTC)
    rows = CheckIn if cadence.is_checkin else Meeting
    found = (
        rows.objects.filter(cadence=cadence, occurrence_start=original_start)
        .values_list("due_at" if cadence.is_checkin else "scheduled_start", flat=True)
        .first()
    )
    if found is None:
        return None
    start = found.astimezone(dt.UTC)
    return recurrence.Occurrence(
        original_start=original_start,
        start=start,
        end=cadence.schedule.end_for(start),
        timezone=cadence.timezone,
        moved=start != original_start,
        cadence_id=cadence.pk,
        all_day=cadence.all_day,
    )


# --- the schedules a cadence had ---------------------------------------------------------


@dataclass(frozen=True)
class Era:
    """A stretch of a cadence's life under one schedule, from `since` to `until` (None: from
    the start, and still). Only the last one is the cadence's own fields; the earlier ones
    are kept in `Cadence.past_schedules` when its rule, start, time or zone changes."""

    schedule: recurrence.Schedule
    exceptions: tuple[recurrence.ExceptionSpec, ...]
    since: dt.datetime | None
    until: dt.datetime | None


def _instant(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    out = dt.datetime.fromisoformat(value)
    return (out if out.tzinfo else out.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def eras(cadence: Cadence, specs: Iterable[recurrence.ExceptionSpec] | None = None) -> list[Era]:
    """The schedules the cadence had, oldest first, each with its span; the last is its
    schedule now, with its exceptions (`specs` when already read). No query."""
    out: list[Era] = []
    since: dt.datetime | None = None
    for row in cadence.past_schedules or ():
        try:
            until = _instant(row["until"])
            schedule = recurrence.Schedule(
                rrule=row["rrule"],
                start_date=dt.date.fromisoformat(row["start_date"]),
                time=dt.time.fromisoformat(row["time"]) if row.get("time") else None,
                timezone=row["timezone"],
                duration_minutes=row.get("duration_minutes"),
                all_day=bool(row.get("all_day")),
            )
            kept = tuple(
                recurrence.ExceptionSpec(
                    _instant(e["occurrence"]), _instant(e.get("new_start")), bool(e["cancelled"])
                )
                for e in row.get("exceptions") or ()
            )
        except (KeyError, TypeError, ValueError):
            continue  # written behind the services' back: left out
        if until is None or (since is not None and until <= since):
            continue
        out.append(Era(schedule, kept, since, until))
        since = until
    now = tuple(exception_specs(cadence) if specs is None else specs)
    out.append(Era(cadence.schedule, now, since, None))
    return out


def era_at(cadence: Cadence, instant: dt.datetime) -> Era:
    """The era whose span holds `instant` (the first one reaches back indefinitely)."""
    found = eras(cadence)
    for era in found:
        if era.until is None or instant < era.until:
            return era
    return found[-1]


def past_record(cadence: Cadence, until: dt.datetime) -> dict | None:
    """What `Cadence.past_schedules` keeps of the cadence's schedule now, when it gives way
    at `until` to another: its fields and its moves and cancellations before `until`. None
    when that schedule had no occurrence before `until` (it never ran: nothing to keep,
    and no address to hold) or cannot be expanded."""
    schedule = cadence.schedule
    since = eras(cadence)[-1].since
    try:
        began = since or recurrence.place(
            dt.datetime.combine(schedule.start_date, dt.time()), schedule.tz
        )
        first = recurrence.next_occurrence(schedule, began)
    except (recurrence.InvalidSchedule, ServiceError):
        return None
    if first is None or first.original_start >= until:
        return None
    return {
        "until": until.astimezone(dt.UTC).isoformat(),
        "rrule": schedule.rrule,
        "start_date": schedule.start_date.isoformat(),
        "all_day": schedule.all_day,
        "time": schedule.time.isoformat() if schedule.time else None,
        "timezone": schedule.timezone,
        "duration_minutes": schedule.duration_minutes,
        "exceptions": [
            {
                "occurrence": e.original_start.astimezone(dt.UTC).isoformat(),
                "new_start": e.new_start.astimezone(dt.UTC).isoformat() if e.new_start else None,
                "cancelled": e.cancelled,
            }
            for e in exception_specs(cadence)
            if e.original_start < until
        ],
    }


def past_occurrences(
    cadence: Cadence,
    start: dt.datetime,
    end: dt.datetime,
    *,
    include_cancelled: bool = False,
    specs: Iterable[recurrence.ExceptionSpec] | None = None,
    since_created: bool = True,
) -> list[recurrence.Occurrence]:
    """The occurrences the cadence had in [start, end): each under the schedule of its time
    (`eras`), and none before the cadence was created (unless not `since_created`: a
    start date in the past has occurrences to record meetings for). What history reads
    (adherence, missed check-ins, signals); `occurrences_of` is the schedule now."""
    out: list[recurrence.Occurrence] = []
    born = cadence.created_at if since_created else None
    for era in eras(cadence, specs):
        lo = max(t for t in (start, era.since, born) if t is not None)
        hi = end if era.until is None else min(end, era.until)
        if lo >= hi:
            continue
        try:
            out += recurrence.occurrences(
                era.schedule,
                lo,
                hi,
                era.exceptions,
                include_cancelled=include_cancelled,
                cadence_id=cadence.pk,
            )
        except recurrence.InvalidSchedule:
            continue
    return out


def next_occurrence(cadence: Cadence, after: dt.datetime | None = None):
    after = after or timezone.now()
    try:
        return recurrence.next_occurrence(cadence.schedule, after, exception_specs(cadence))
    except recurrence.InvalidSchedule:
        return None


def meeting_due(end: dt.datetime, now: dt.datetime, *, started: bool) -> bool:
    """Whether a meeting's occurrence, begun by `now`, counts by then (held or not held):
    once it has ended (its start and the cadence's length), or while going on once its
    meeting has started (being held). Going on and not started, it is not yet due: neither
    held nor not held until it ends. The one rule of adherence and of Insights' snapshot."""
    return end <= now or started


def held(meeting: Meeting | None) -> bool:
    """Whether an occurrence's meeting has been held: finished. One started early and
    finished before its time is behind, not next: the one rule of every "next" (home, the
    cadence list, a team's rhythm page and its panel), `next_occurrences`."""
    return meeting is not None and meeting.status == MeetingStatus.FINISHED


# Occurrences held early that `next_occurrences` passes over, at most, looking for the next
# (a meeting is seldom held more than one occurrence ahead).
HELD_AHEAD = 4


def next_occurrences(
    cads: Iterable[Cadence], after: dt.datetime | None = None
) -> dict[int, recurrence.Occurrence | None]:
    """{cadence id: its next occurrence not yet held} (`held`): the schedule's next after
    `after`, or, when that one's meeting was started early and finished, the one after it.
    One query for the meetings of all the cadences' next occurrences (a page of them), and
    one more only for those held early."""
    after = after or timezone.now()
    cads = list(cads)
    found = {c.pk: next_occurrence(c, after) for c in cads}
    by_pk = {c.pk: c for c in cads}
    # A check-in cadence has no meetings: its next round is its next occurrence.
    ahead = {pk: o for pk, o in found.items() if o is not None and not by_pk[pk].is_checkin}
    for _ in range(HELD_AHEAD):
        if not ahead:
            break
        rows = Meeting.objects.filter(
            cadence_id__in=list(ahead),
            occurrence_start__in={o.original_start for o in ahead.values()},
        ).only("cadence_id", "occurrence_start", "status")
        done = {(m.cadence_id, m.occurrence_start) for m in rows if held(m)}
        ahead = {
            pk: next_occurrence(by_pk[pk], recurrence.plus(o.start, dt.timedelta(seconds=1)))
            for pk, o in ahead.items()
            if (pk, o.original_start) in done
        }
        found.update(ahead)
        ahead = {pk: o for pk, o in ahead.items() if o is not None}
    return found


def previous_occurrence(cadence: Cadence, before: dt.datetime | None = None):
    """The last occurrence before `before` the cadence had, under the schedule of its time
    (`eras`): after a change of time, the last meeting was when it was, not when the new
    schedule would have had it."""
    before = before or timezone.now()
    if not cadence.past_schedules:
        try:
            return recurrence.previous_occurrence(
                cadence.schedule, before, exception_specs(cadence)
            )
        except recurrence.InvalidSchedule:
            return None
    start = recurrence.plus(before, -dt.timedelta(days=400))  # as the engine's horizon
    found = past_occurrences(cadence, start, before, since_created=False)
    return found[-1] if found else None


# --- terms: who owed which occurrence --------------------------------------------------------


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


@dataclass(frozen=True, slots=True)
class Term:
    """A person's term in a team, as the occurrences it owes: those due from `since` (the
    later of when the term was recorded and the day it started: nobody was asked before
    Accord knew of them) until `until` (the day it ended; None while it runs)."""

    person_id: int
    team_id: int
    lead: bool
    since: dt.datetime
    until: dt.datetime | None

    @classmethod
    def of(
        cls,
        person_id: int,
        team_id: int,
        role: str,
        created_at: dt.datetime,
        started_on: dt.date | None,
        ended_on: dt.date | None,
    ) -> Term:
        since = created_at if started_on is None else max(created_at, _midnight(started_on))
        until = None if ended_on is None else _midnight(ended_on)
        return cls(person_id, team_id, is_leading_role(role), since, until)


TERM_COLUMNS = ("person_id", "team_id", "role", "created_at", "started_on", "ended_on")


def changed_since(terms: QuerySet, after: dt.datetime) -> QuerySet:
    """The terms (a `Membership.terms` query) that began or ended after `after`: only their
    people owe less than every occurrence since then."""
    day = after.date()
    return terms.filter(Q(created_at__gt=after) | Q(started_on__gt=day) | Q(ended_on__gte=day))


@dataclass
class Owers:
    """Who owed each occurrence of a check-in cadence: the people in `always` every one
    since the cadence was created (`born`), the people in `spans` only those due while one
    of their terms in its scope ran, as (since, until) (see `Term`)."""

    born: dt.datetime | None
    always: set[int] = field(default_factory=set)
    spans: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = field(default_factory=dict)

    def at(self, instant: dt.datetime) -> set[int]:
        """Who owed the occurrence due at `instant` (before time off)."""
        if self.born is not None and instant < self.born:
            return set()
        if not self.spans:
            return self.always
        return self.always | {
            pid
            for pid, spans in self.spans.items()
            if any(a <= instant and (b is None or instant < b) for a, b in spans)
        }

    @property
    def everyone(self) -> set[int]:
        return self.always | set(self.spans)


# --- scope and participants ------------------------------------------------------------------


@dataclass
class Roster:
    """The organization's team tree and memberships, loaded once for many cadences.

    `dated` and `terms` (loaded with `terms_after`) are the people whose terms began or
    ended after that moment and every term of theirs, by team: they owe only the
    occurrences of their terms (`owers`); everyone else has been in their teams since
    before it."""

    parents: dict[int, int | None]
    members: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    leads: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    teams_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    active: set[int] = field(default_factory=set)
    dated: set[int] = field(default_factory=set)
    terms: dict[int, list[Term]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, org: Organization, *, terms_after: dt.datetime | None = None) -> Roster:
        roster = cls(parents=org_queries.parent_map(org))
        roster.active = set(
            Person.objects.for_org(org).filter(is_active=True).values_list("id", flat=True)
        )
        for person_id, team_id, role in Membership.objects.for_org(org).values_list(
            "person_id", "team_id", "role"
        ):
            roster.members[team_id].add(person_id)
            roster.teams_of[person_id].add(team_id)
            if is_leading_role(role):
                roster.leads[team_id].add(person_id)
        if terms_after is not None:
            roster.date_terms(Membership.terms.for_org(org), terms_after)
        return roster

    def date_terms(self, terms: QuerySet, after: dt.datetime) -> None:
        """Read the terms of the people whose terms changed after `after` (one query;
        `terms` is the organization's `Membership.terms`, narrowed as the caller needs)."""
        recent = changed_since(terms, after).order_by().values("person_id")
        for row in terms.filter(person_id__in=recent).order_by().values_list(*TERM_COLUMNS):
            term = Term.of(*row)
            self.dated.add(term.person_id)
            self.terms[term.team_id].append(term)

    def owers(self, cadence: Cadence) -> Owers:
        """Who owed each of the cadence's occurrences (see `Owers`)."""
        if not cadence.is_checkin:
            return Owers(cadence.created_at)
        leads_only = cadence.checkin_owed_by == OwedBy.LEADS
        extras = set() if leads_only else {p.pk for p in cadence.extra_participants.all()}
        always = (self.ower_ids(cadence) - self.dated) | (extras & self.active)
        spans: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
        if self.dated:
            for team_id in self.scope_team_ids(cadence):
                for t in self.terms.get(team_id, ()):
                    if t.person_id in always or t.person_id not in self.active:
                        continue
                    if not leads_only or t.lead:
                        spans[t.person_id].append((t.since, t.until))
        return Owers(cadence.created_at, always, dict(spans))

    def scope_team_ids(self, cadence: Cadence) -> set[int]:
        if cadence.scope == Scope.ORG:
            return set(self.parents)
        if cadence.scope == Scope.TEAMS:
            return {t.pk for t in cadence.teams.all()}
        if cadence.team_id is None:
            return set()
        if cadence.scope == Scope.SUBTREE:
            return {cadence.team_id} | org_queries.descendants_of(cadence.team_id, self.parents)
        return {cadence.team_id}

    def participant_ids(self, cadence: Cadence) -> set[int]:
        ids: set[int] = set()
        # Everyone in its teams, or their leads only (`Cadence.participation`).
        of_team = self.leads if cadence.participation == Participation.LEADS else self.members
        for team_id in self.scope_team_ids(cadence):
            ids |= of_team.get(team_id, set())
        ids |= {p.pk for p in cadence.extra_participants.all()}
        if cadence.owner_id:
            ids.add(cadence.owner_id)
        return ids & self.active

    def ower_ids(self, cadence: Cadence) -> set[int]:
        """Who owes a check-in per occurrence (before time off is taken into account)."""
        if not cadence.is_checkin:
            return set()
        if cadence.checkin_owed_by == OwedBy.LEADS:
            ids: set[int] = set()
            for team_id in self.scope_team_ids(cadence):
                ids |= self.leads.get(team_id, set())
            return ids & self.active
        ids = set()
        for team_id in self.scope_team_ids(cadence):
            ids |= self.members.get(team_id, set())
        return (ids | {p.pk for p in cadence.extra_participants.all()}) & self.active

    def person_in(self, cadence: Cadence, person_id: int) -> bool:
        return person_id in self.participant_ids(cadence)


def is_participant(org: Organization, cadence: Cadence, person: Person) -> bool:
    """Whether `person` is in the cadence (a couple of small queries, no roster load)."""
    if not person.is_active:
        return False
    if cadence.owner_id == person.pk or any(
        p.pk == person.pk for p in cadence.extra_participants.all()
    ):
        return True
    terms = Membership.objects.filter(org=org, person=person)
    if cadence.participation == Participation.LEADS:
        terms = terms.leading()  # the teams' leads only take part
    if cadence.scope == Scope.ORG:
        return terms.exists()
    if cadence.scope == Scope.TEAMS:
        team_ids = {t.pk for t in cadence.teams.all()}
    elif cadence.team_id is None:
        return False
    elif cadence.scope == Scope.SUBTREE:
        # Read up from the person's teams, not down the organization's whole tree.
        mine = terms.values_list("team_id", flat=True)
        above = org_queries.ancestor_ids(org, mine)
        return any(cadence.team_id == t or cadence.team_id in up for t, up in above.items())
    else:
        team_ids = {cadence.team_id}
    return terms.filter(team_id__in=team_ids).exists()


def participants(org: Organization, cadence: Cadence) -> list[Person]:
    roster = Roster.load(org)
    ids = roster.participant_ids(cadence)
    return list(Person.objects.for_org(org).filter(pk__in=ids).order_by("name"))


def team_cadences(org: Organization, team: Team) -> list[Cadence]:
    """Active cadences whose scope includes `team` (as `Roster.scope_team_ids`), found by
    index lookups: the team's own, its set-of-teams ones, the subtrees above it, and the
    organization's — never every cadence of the organization. In that order (the nearest
    team's first), by name within each: a team's page shows its own rhythm first."""
    above = org_queries.ancestor_ids(org, [team.pk])[team.pk]
    # Each kind of scope by its own index, then the cadences by id: as one filter of ORs
    # across a join to the sets of teams, SQLite read every cadence of the organization.
    of_org = Cadence.objects.for_org(org).order_by().values_list("pk", flat=True)
    ids = of_org.filter(scope=Scope.ORG).union(
        of_org.filter(scope=Scope.TEAM, team_id=team.pk),
        of_org.filter(scope=Scope.TEAMS, teams=team.pk),
        of_org.filter(scope=Scope.SUBTREE, team_id__in=[team.pk, *above]),
    )
    found = list(cadences(org).filter(pk__in=list(ids)))
    depth = {team_id: n for n, team_id in enumerate(above, 1)}  # the parent is 1

    def nearness(c: Cadence) -> tuple[int, str]:
        # The team's own cadences first, then a set of teams it is in, then those of the
        # teams above it (the nearest first), then the whole organization's.
        if c.scope == Scope.ORG:
            return (len(above) + 2, c.name)
        if c.scope == Scope.TEAMS:
            return (1, c.name)
        if c.team_id == team.pk:
            return (0, c.name)
        return (1 + depth.get(c.team_id, len(above)), c.name)

    return sorted(found, key=nearness)


def lists_issues(cadence: Cadence) -> dict | None:
    """The section of `cadence`'s agenda that lists its teams' open issues, or None."""
    return next((s for s in cadence.agenda or () if s.get("source") == "issues"), None)


def next_meeting_listing_issues(
    org: Organization, team: Team, after: dt.datetime | None = None
) -> tuple[Cadence, recurrence.Occurrence] | None:
    """Where an issue raised for `team` is next on an agenda: the soonest meeting not yet
    held (`next_occurrences`) of the cadences whose scope takes in the team
    (`team_cadences`; the nearest team's first on a tie) whose agenda lists issues
    (`lists_issues`). None when no meeting of the team's lists them."""
    cads = [
        c
        for c in team_cadences(org, team)
        if not c.is_checkin and not c.all_day and lists_issues(c) is not None
    ]
    nxt = next_occurrences(cads, after)
    found = [(nxt[c.pk].start, n) for n, c in enumerate(cads) if nxt[c.pk] is not None]
    if not found:
        return None
    _, n = min(found)
    return cads[n], nxt[cads[n].pk]


def descendant_ids(org: Organization, team_id: int) -> set[int]:
    """Every team below `team_id`: the organization's walk down the tree
    (`org.queries.subtree_ids`), run on its own, less the team itself. One query."""
    down = org_queries.subtree_ids(Team(pk=team_id, org_id=org.pk))
    with connection.cursor() as cursor:
        cursor.execute(down.sql, down.params)
        return {row[0] for row in cursor.fetchall()} - {team_id}


def scope_team_ids(org: Organization, cadence: Cadence) -> set[int]:
    """The teams in one cadence's scope, as `Roster.scope_team_ids`, without the roster."""
    if cadence.scope == Scope.ORG:
        return set(Team.objects.for_org(org).values_list("id", flat=True))
    if cadence.scope == Scope.TEAMS:
        return {t.pk for t in cadence.teams.all()}
    if cadence.team_id is None:
        return set()
    if cadence.scope == Scope.SUBTREE:
        return {cadence.team_id} | descendant_ids(org, cadence.team_id)
    return {cadence.team_id}


def participants_query(org: Organization, cadence: Cadence):
    """The cadence's participants as a query (as `Roster.participant_ids`): page it, count
    it, never load a whole organization's people for it."""
    members = Membership.objects.for_org(org)
    if cadence.participation == Participation.LEADS:
        members = members.leading()  # the teams' leads only take part
    others = {p.pk for p in cadence.extra_participants.all()} | {cadence.owner_id} - {None}
    if spans_every_team(cadence):
        # Anyone in a team, tested person by person: a screen of them by name is read off
        # the name index, where gathering every membership first sorted the whole
        # organization's people to show forty (120 ms at 10,000 teams).
        cond = Q(Exists(members.filter(person_id=OuterRef("pk"))))
        # Only the others outside every team are added: any OR to the test made PostgreSQL
        # hash every membership of the organization first (40 ms, twice a page).
        outside = others - set(
            members.filter(person_id__in=others).values_list("person_id", flat=True)
        )
        if outside:
            cond |= Q(pk__in=outside)
    else:
        # The scope's members and the others as one set of ids: joined by OR to the
        # members' subquery, PostgreSQL read every person to test each (40 ms a team).
        scope = members.filter(team_id__in=scope_team_ids(org, cadence))
        ids = scope.order_by().values("person_id")
        if others:
            ids = ids.union(Person.objects.filter(pk__in=others).order_by().values("id"))
        cond = Q(pk__in=ids)
    return Person.objects.for_org(org).filter(is_active=True).filter(cond)


def spans_every_team(cadence: Cadence) -> bool:
    """Whether the cadence's scope is every team: the organization's, or the sub-tree of
    the only team at the top (one query). Its participants are then anyone in a team, and
    its agenda the whole organization's, read without listing every team and person."""
    if cadence.scope == Scope.ORG:
        return True
    return (
        cadence.scope == Scope.SUBTREE
        and cadence.team is not None
        and org_queries.covers_every_team(cadence.team)
    )


def ower_ids(org: Organization, cadence: Cadence) -> set[int]:
    """Who owes one cadence's check-ins (as `Roster.ower_ids`), without the roster."""
    if not cadence.is_checkin:
        return set()
    return set(owers_query(org, cadence).values_list("id", flat=True))


def owers(org: Organization, cadence: Cadence, after: dt.datetime) -> Owers:
    """Who owed each of one cadence's occurrences since `after` (as `Roster.owers`),
    without the roster: two queries, the second reading only the terms of its scope's
    people whose terms began or ended since."""
    if not cadence.is_checkin:
        return Owers(cadence.created_at)
    teams = None if cadence.scope == Scope.ORG else scope_team_ids(org, cadence)
    current = set(_owers_query(org, cadence, teams).values_list("id", flat=True))
    terms = Membership.terms.for_org(org).filter(person__is_active=True)
    if teams is not None:
        terms = terms.filter(team_id__in=teams)
    leads_only = cadence.checkin_owed_by == OwedBy.LEADS
    if leads_only:
        terms = terms.leading()
    extras = set() if leads_only else {p.pk for p in cadence.extra_participants.all()}
    recent = changed_since(terms, after).order_by().values("person_id")
    spans: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for row in terms.filter(person_id__in=recent).order_by().values_list(*TERM_COLUMNS):
        if row[0] not in extras:
            t = Term.of(*row)
            spans[t.person_id].append((t.since, t.until))
    return Owers(cadence.created_at, current - set(spans), dict(spans))


def owers_query(org: Organization, cadence: Cadence, *, at: dt.datetime | None = None):
    """Who owes a check-in cadence's check-ins, as a query of people (page it, count it:
    a whole organization's cadence is owed by everyone in a team). With `at`, who owed the
    occurrence due then: nobody before the cadence was created, else the people whose
    term in its scope ran then (see `Term`), past terms too."""
    return _owers_query(org, cadence, None, at=at)


def _owers_query(org: Organization, cadence: Cadence, teams, *, at: dt.datetime | None = None):
    if at is not None and cadence.created_at is not None and at < cadence.created_at:
        return Person.objects.none()
    if at is None:
        members = Membership.objects.for_org(org)
    else:
        day = at.astimezone(dt.UTC).date()
        members = (
            Membership.terms.for_org(org)
            .filter(created_at__lte=at)
            .filter(Q(started_on__isnull=True) | Q(started_on__lte=day))
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))
        )
    if cadence.scope != Scope.ORG:
        members = members.filter(
            team_id__in=scope_team_ids(org, cadence) if teams is None else teams
        )
    if cadence.checkin_owed_by == OwedBy.LEADS:
        cond = Q(pk__in=members.leading().values("person_id"))
    else:
        cond = Q(pk__in=members.values("person_id")) | Q(
            pk__in=[p.pk for p in cadence.extra_participants.all()]
        )
    return Person.objects.for_org(org).filter(is_active=True).filter(cond)


@dataclass
class PersonScope:
    """One person's place in the tree, for the cadences that concern them only: their
    teams, the teams they lead, and everything above those (a sub-tree cadence of a team
    above reaches them). Three small queries, whatever the size of the organization;
    agrees with `Roster` on who is in a cadence and who owes its check-ins."""

    person_id: int
    active: bool
    team_ids: set[int]
    lead_team_ids: set[int]
    reach: set[int]  # team_ids and every team above them
    lead_reach: set[int]  # lead_team_ids and every team above them
    # Since when each of their terms owes (see `Term`), and the teams above each team.
    since: dict[int, dt.datetime] = field(default_factory=dict)
    above: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, org: Organization, person: Person) -> PersonScope:
        team_ids: set[int] = set()
        lead_ids: set[int] = set()
        since: dict[int, dt.datetime] = {}
        for row in (
            Membership.objects.for_org(org)
            .in_current_teams()
            .filter(person=person)
            .values_list(*TERM_COLUMNS)
        ):
            term = Term.of(*row)
            team_ids.add(term.team_id)
            since[term.team_id] = term.since
            if term.lead:
                lead_ids.add(term.team_id)
        above = org_queries.ancestor_ids(org, team_ids)
        reach, lead_reach = set(team_ids), set(lead_ids)
        for team_id, ids in above.items():
            reach.update(ids)
            if team_id in lead_ids:
                lead_reach.update(ids)
        return cls(
            person_id=person.pk,
            active=person.is_active,
            team_ids=team_ids,
            lead_team_ids=lead_ids,
            reach=reach,
            lead_reach=lead_reach,
            since=since,
            above=above,
        )

    def owes_since(self, cadence: Cadence) -> dt.datetime | None:
        """From when the person owes the cadence's check-ins: the cadence's creation, or
        the start of their first term in its scope if later (see `Term`); None if they
        owe none."""
        if not self.owes(cadence):
            return None
        born = cadence.created_at
        if cadence.checkin_owed_by != OwedBy.LEADS and self._extra(cadence):
            return born
        mine = self.lead_team_ids if cadence.checkin_owed_by == OwedBy.LEADS else self.team_ids
        starts = [self.since[t] for t in mine if t in self.since and self._covers(cadence, t)]
        first = min(starts, default=None)
        if first is None or born is None:
            return first or born
        return max(first, born)

    def _covers(self, cadence: Cadence, team_id: int) -> bool:
        """Whether the person's team `team_id` is in the cadence's scope."""
        if cadence.scope == Scope.ORG:
            return True
        if cadence.scope == Scope.TEAMS:
            return any(t.pk == team_id for t in cadence.teams.all())
        if cadence.scope == Scope.SUBTREE:
            return cadence.team_id == team_id or cadence.team_id in self.above.get(team_id, ())
        return cadence.team_id == team_id

    @staticmethod
    def _in_scope(cadence: Cadence, team_ids: set[int], reach: set[int]) -> bool:
        if cadence.scope == Scope.ORG:
            return bool(team_ids)
        if cadence.scope == Scope.TEAMS:
            return any(t.pk in team_ids for t in cadence.teams.all())
        if cadence.team_id is None:
            return False
        if cadence.scope == Scope.SUBTREE:
            return cadence.team_id in reach
        return cadence.team_id in team_ids

    def _extra(self, cadence: Cadence) -> bool:
        return any(p.pk == self.person_id for p in cadence.extra_participants.all())

    def participates(self, cadence: Cadence) -> bool:
        if not self.active:
            return False
        if cadence.participation == Participation.LEADS:  # the teams' leads only
            teams, reach = self.lead_team_ids, self.lead_reach
        else:
            teams, reach = self.team_ids, self.reach
        return (
            cadence.owner_id == self.person_id
            or self._extra(cadence)
            or self._in_scope(cadence, teams, reach)
        )

    def owes(self, cadence: Cadence) -> bool:
        """Whether the person owes the cadence's check-ins (before time off)."""
        if not self.active or not cadence.is_checkin:
            return False
        if cadence.checkin_owed_by == OwedBy.LEADS:
            return self._in_scope(cadence, self.lead_team_ids, self.lead_reach)
        return self._in_scope(cadence, self.team_ids, self.reach) or self._extra(cadence)

    def candidates(self, org: Organization):
        """Active cadences that may concern the person, narrowed in the database (a
        superset of `participates`; prefetched as `cadences`)."""
        if not self.active:
            return Cadence.objects.none()
        # One query, each part read from its own index (owner, team, the two link tables,
        # organization and scope), so no plan walks the organization's cadences.
        pid = self.person_id
        parts = [
            Cadence.objects.filter(owner_id=pid).order_by().values_list("id"),
            Cadence.extra_participants.through.objects.filter(person_id=pid)
            .order_by()
            .values_list("cadence_id"),
            Cadence.objects.filter(team_id__in=self.reach).order_by().values_list("id"),
            Cadence.teams.through.objects.filter(team_id__in=self.team_ids)
            .order_by()
            .values_list("cadence_id"),
        ]
        if self.team_ids:
            parts.append(
                Cadence.objects.filter(org=org, scope=Scope.ORG).order_by().values_list("id")
            )
        ids = [row[0] for row in parts[0].union(*parts[1:])]
        return cadences(org).filter(id__in=ids)

    def cadences(self, org: Organization) -> list[Cadence]:
        return [c for c in self.candidates(org) if self.participates(c)]


def person_cadences(org: Organization, person: Person, scope: PersonScope | None = None):
    """The active cadences `person` takes part in (a few queries, only those loaded)."""
    scope = scope or PersonScope.load(org, person)
    return scope.cadences(org)


# --- time off --------------------------------------------------------------------------------


class AwayBook:
    """Who is away on which dates, for many people at once (one query); `person_ids` None
    is everyone in the organization (no list of ids, for jobs that read them all)."""

    def __init__(
        self, org: Organization, person_ids: Iterable[int] | None, start: dt.date, end: dt.date
    ):
        self.periods: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        qs = Away.objects.for_org(org).filter(starts_on__lte=end, ends_on__gte=start)
        if person_ids is not None:
            qs = qs.filter(person_id__in=list(person_ids))
        for pid, a, b in qs.values_list("person_id", "starts_on", "ends_on"):
            self.periods[pid].append((a, b))

    def is_away(self, person_id: int, instant: dt.datetime, tz_name: str = "UTC") -> bool:
        day = instant.astimezone(recurrence.zone(tz_name)).date()
        return any(a <= day <= b for a, b in self.periods.get(person_id, ()))


def is_away(org: Organization, person: Person, instant: dt.datetime) -> bool:
    day = instant.astimezone(recurrence.zone(person.timezone)).date()
    return (
        Away.objects.for_org(org)
        .filter(person=person, starts_on__lte=day, ends_on__gte=day)
        .exists()
    )


# --- check-in windows ------------------------------------------------------------------------


# How far ahead of its due time a round takes check-ins at the earliest (`early_from`).
EARLY_AHEAD = dt.timedelta(days=7)


def early_from(cadence: Cadence, occ: recurrence.Occurrence) -> dt.datetime:
    """When the person who owes round `occ` may first check in: when its window opens, or
    earlier, as soon as the round before it has closed (its late check-ins taken), but not
    more than EARLY_AHEAD before it is due. A week's round takes check-ins from the day
    after the last one closed, a month's in its last week; one given early is on time.
    Reminders and who owes it still start when the window opens (`Cadence.window`)."""
    opens, _ = cadence.window(occ)
    earliest = occ.start - EARLY_AHEAD
    if opens <= earliest:
        return opens
    late = dt.timedelta(hours=cadence.late_after_hours)
    before = past_occurrences(cadence, earliest - late, occ.start, since_created=False)
    closed = max(
        (o.start + late for o in before if o.original_start != occ.original_start),
        default=earliest,
    )
    return min(opens, max(earliest, closed))


def checkin_status_at(
    cadence: Cadence, occ: recurrence.Occurrence, when: dt.datetime
) -> str | None:
    """on_time / late for a submission at `when`; None before it may be given (`early_from`:
    one given early is on time) or after the window."""
    opens, late_until = cadence.window(occ)
    if when < opens and when < early_from(cadence, occ):
        return None
    if when <= occ.start:
        return CheckInStatus.ON_TIME
    if when <= late_until:
        return CheckInStatus.LATE
    return None


@dataclass
class RoundTally:
    """One check-in round and who is in: `given` check-ins of the `owed` (who owes it, as
    its page counts them: someone away that day owes none), each counted up to
    COUNT_UP_TO (`more`: the round owes more than that)."""

    cadence: Cadence
    occurrence: recurrence.Occurrence
    given: int
    owed: int
    more: bool = False

    @property
    def owed_shown(self) -> str:
        return f"{self.owed:,}+" if self.more else f"{self.owed:,}"


def away_on(org: Organization, occ: recurrence.Occurrence, people) -> set[int]:
    """The ids of `people` (a query of them) away on the day of round `occ`, each in their
    own time zone: they owe nothing then (the worker records no miss)."""
    return away_at(org, occ.start, people)


def away_at(org: Organization, when: dt.datetime, people) -> set[int]:
    """The ids of `people` (a query of them) away on the day of instant `when`, each in
    their own time zone (a round's start, a meeting's)."""
    return set(away_until(org, when, people))


def away_until(org: Organization, when: dt.datetime, people) -> dict[int, dt.date]:
    """`people` (a query or list of ids) away on the day of instant `when`, each in their
    own time zone, with the last day of that time off (`away_at`)."""
    day = when.astimezone(dt.UTC).date()  # each person's own day is at most one either side
    one = dt.timedelta(days=1)
    out: dict[int, dt.date] = {}
    for pid, a, b, tz in (
        Away.objects.for_org(org)
        .filter(starts_on__lte=day + one, ends_on__gte=day - one, person__in=people)
        .values_list("person_id", "starts_on", "ends_on", "person__timezone")
    ):
        if a <= when.astimezone(recurrence.zone(tz)).date() <= b:
            out[pid] = max(b, out.get(pid, b))
    return out


def round_tally(org: Organization, cadence: Cadence, occ: recurrence.Occurrence) -> RoundTally:
    """Who is in for one round of check-in `cadence`, as its page counts (three queries)."""
    given_rows = (
        CheckIn.objects.for_org(org)
        .filter(cadence=cadence, occurrence_start=occ.original_start)
        .exclude(status=CheckInStatus.MISSED)
    )
    given = count_up_to(given_rows)
    pending = owers_query(org, cadence, at=occ.start).exclude(pk__in=given_rows.values("person_id"))
    waiting = max(0, count_up_to(pending) - len(away_on(org, occ, pending)))
    more = given > COUNT_UP_TO or waiting > COUNT_UP_TO
    return RoundTally(cadence, occ, given, given + waiting, more)


def open_round(
    org: Organization, cadence: Cadence, now: dt.datetime | None = None
) -> RoundTally | None:
    """The round of check-in `cadence` open now (its window opened and has not closed), with
    who is in: the next one due, else the last still taking late check-ins; None when none
    is open (no query then)."""
    if not cadence.is_checkin or not cadence.is_running:
        return None
    now = now or timezone.now()
    near = occurrences_of(
        cadence,
        now - dt.timedelta(hours=cadence.late_after_hours),
        now + dt.timedelta(hours=cadence.window_opens_hours, seconds=1),
    )
    open_now = [o for o in near if cadence.window(o)[0] <= now <= cadence.window(o)[1]]
    if not open_now:
        return None
    due = [o for o in open_now if o.start >= now]
    return round_tally(org, cadence, due[0] if due else open_now[-1])


@dataclass
class Owed:
    cadence: Cadence
    occurrence: recurrence.Occurrence
    opens: dt.datetime
    late_until: dt.datetime
    checkin: CheckIn | None = None
    # When it may be given early, before its window opens (`early_from`); set by
    # `owed_checkins` for a round not given whose window has not opened.
    early_from: dt.datetime | None = None

    @property
    def early(self) -> bool:
        """Whether it may be given now, early: its window (and reminders) not open yet."""
        now = timezone.now()
        return (
            self.checkin is None
            and self.early_from is not None
            and self.early_from <= now < self.opens
        )

    @property
    def closed(self) -> bool:
        """Whether its window has closed: what was given can be read, no longer changed."""
        return timezone.now() > self.late_until

    @property
    def state(self) -> str:
        if self.checkin is not None:
            return self.checkin.status
        now = timezone.now()
        if now < self.opens:
            return "upcoming"
        if now <= self.occurrence.start:
            return "open"
        if now <= self.late_until:
            return "overdue"
        return "missed"


def owed_checkins(
    org: Organization,
    person: Person,
    start: dt.datetime,
    end: dt.datetime,
    *,
    scope: PersonScope | None = None,
    cads: Iterable[Cadence] | None = None,
) -> list[Owed]:
    """Check-ins `person` owes whose due time is in [start, end), minus their time off and
    those due before they joined the cadence's teams or it was set up (`owes_since`).
    `cads`, when given, are the person's cadences already loaded (`person_cadences`)."""
    scope = scope or PersonScope.load(org, person)
    if cads is None:
        cads = scope.candidates(org).filter(kind=CadenceKind.CHECKIN)
    found: list[Owed] = []
    for cadence in cads:
        since = scope.owes_since(cadence)
        if since is None:
            continue
        # Not those due before the person joined, or before the cadence was set up.
        for occ in past_occurrences(cadence, max(start, since), end):
            opens, late_until = cadence.window(occ)
            found.append(Owed(cadence, occ, opens, late_until))
    if not found:
        return []
    away = AwayBook(org, [person.pk], (start - dt.timedelta(days=1)).date(), end.date())
    found = [o for o in found if not away.is_away(person.pk, o.occurrence.start, person.timezone)]
    existing = {
        (c.cadence_id, c.occurrence_start): c
        for c in CheckIn.objects.for_org(org).filter(
            person=person,
            cadence_id__in=[o.cadence.pk for o in found],
            occurrence_start__in=[o.occurrence.original_start for o in found],
        )
    }
    now = timezone.now()
    for o in found:
        o.checkin = existing.get((o.cadence.pk, o.occurrence.original_start))
        if o.checkin is None and now < o.opens and o.occurrence.start - EARLY_AHEAD <= now:
            o.early_from = early_from(o.cadence, o.occurrence)
    found.sort(key=lambda o: o.occurrence.start)
    return found


def last_checkin(org: Organization, person: Person, cadence: Cadence) -> CheckIn | None:
    return (
        CheckIn.objects.for_org(org)
        .filter(person=person, cadence=cadence, submitted_at__isnull=False)
        .order_by("-occurrence_start")
        .first()
    )


# --- meetings --------------------------------------------------------------------------------


@dataclass
class Upcoming:
    cadence: Cadence
    occurrence: recurrence.Occurrence
    meeting: Meeting | None = None


def meetings_between(
    org: Organization,
    cads: Iterable[Cadence],
    start: dt.datetime,
    end: dt.datetime,
    *,
    tz_name: str | None = None,
    ending_after: dt.datetime | None = None,
) -> list[Upcoming]:
    """Occurrences of the (non-check-in) cadences in [start, end), none before each was
    set up (`occurrences_of`), with their Meeting rows, in the order a viewer in `tz_name`
    reads them (`viewer_order`); by start without one. With `ending_after`, only those
    that end after it or whose meeting is still running past its end (`meetings_ahead`)."""
    out: list[Upcoming] = []
    for cadence in cads:
        if cadence.is_checkin:
            continue
        for occ in occurrences_of(cadence, start, end, since_created=True):
            out.append(Upcoming(cadence, occ))
    if out:
        rows = {
            (m.cadence_id, m.occurrence_start): m
            # By (cadence, occurrence) — the cadences are the organization's already.
            for m in Meeting.objects.filter(
                cadence_id__in={u.cadence.pk for u in out},
                occurrence_start__in={u.occurrence.original_start for u in out},
            )
        }
        for u in out:
            u.meeting = rows.get((u.cadence.pk, u.occurrence.original_start))
    if ending_after is not None:
        out = [
            u
            for u in out
            if u.occurrence.end > ending_after
            or (u.meeting is not None and u.meeting.status == MeetingStatus.RUNNING)
        ]
    if tz_name:
        out.sort(key=lambda u: viewer_order(u.occurrence, tz_name))
    else:
        out.sort(key=lambda u: u.occurrence.start)
    return out


# The longest an occurrence lasts: a day (24 hours at most, `Schedule.validate`), or an all-day
# date's 25 hours on the day the clocks go back.
LONGEST_OCCURRENCE = dt.timedelta(hours=25)


def meetings_ahead(
    org: Organization,
    cads: Iterable[Cadence],
    now: dt.datetime,
    until: dt.datetime,
    *,
    tz_name: str | None = None,
) -> list[Upcoming]:
    """The occurrences going on at `now` or still to come, starting before `until`: those
    that end (start and the cadence's length) after `now`, as `meetings_between` lists
    them. A 90-minute meeting started 70 minutes ago is there; a 15-minute one over is
    not."""
    return meetings_between(
        org, cads, now - LONGEST_OCCURRENCE, until, tz_name=tz_name, ending_after=now
    )


def viewer_order(occ: recurrence.Occurrence, tz_name: str) -> tuple:
    """Where an occurrence falls for a viewer in `tz_name`: by the day they see it on and
    then its time. An all-day date is its own date wherever it is read (it starts at
    midnight in its cadence's zone, which may be the day before elsewhere) and comes first
    on its day, as calendars list it."""
    try:
        tz = recurrence.zone(tz_name)
    except ServiceError:
        tz = dt.UTC
    if occ.all_day:
        return (occ.day, 0, occ.start)
    return (occ.start.astimezone(tz).date(), 1, occ.start)


def issues_to_bring(org: Organization, cadence: Cadence) -> QuerySet:
    """The open issues a meeting of `cadence` may bring to its agenda
    (`services.bring_to_agenda`): those of the teams below its teams, which its agenda does
    not list (it lists its teams' own, and those they raised and escalated). None for a
    whole-organization cadence or one of a team with everything below it, whose agenda
    lists them all. Newest first. A query, unread."""
    from accord.decisions.models import Issue, IssueStatus
    from accord.org.queries import subtree_ids

    if cadence.scope in (Scope.ORG, Scope.SUBTREE):
        return Issue.objects.none()
    teams = (
        list(cadence.teams.all())
        if cadence.scope == Scope.TEAMS
        else [cadence.team]
        if cadence.team_id
        else []
    )
    if not teams:
        return Issue.objects.none()
    below = Q()
    for team in teams:
        below |= Q(team_id__in=subtree_ids(team))
    ids = [t.pk for t in teams]
    return (
        Issue.objects.for_org(org)
        .filter(status=IssueStatus.OPEN)
        .filter(below)
        .exclude(team_id__in=ids)
        .exclude(raised_in_id__in=ids)
        .select_related("team")
        .order_by("-opened_at", "-id")
    )


def previous_meeting(meeting: Meeting) -> Meeting | None:
    """The cadence's last meeting held before `meeting` (started, running or finished): one
    only opened for a headline shared ahead, and never started, left nothing to follow up."""
    return (
        Meeting.objects.filter(
            cadence_id=meeting.cadence_id, occurrence_start__lt=meeting.occurrence_start
        )
        .exclude(status=MeetingStatus.PLANNED)
        .order_by("-occurrence_start")
        .first()
    )


def ratings_of(meeting: Meeting) -> tuple[float | None, int]:
    """The meeting's average rating and how many rated it (one query)."""
    got = Attendance.objects.filter(meeting=meeting, rating__isnull=False).aggregate(
        total=Sum("rating"), n=Count("pk")
    )
    if not got["n"]:
        return None, 0
    return round(got["total"] / got["n"], 1), got["n"]


# A meeting of more participants than this has no list of everyone to tick: they say they
# are there themselves (a facilitator may mark anyone), and it starts with nobody marked.
# Marking 100,000 people present when an organization-wide review started took 5 s, and
# its page listed them all.
ATTENDANCE_LISTED = 100


def attendance_listed(participants: QuerySet) -> bool:
    """Whether a meeting of these participants (`participants_query`) takes attendance
    from a list of everyone: at most ATTENDANCE_LISTED of them. One query, reading at
    most that many rows."""
    return count_up_to(participants, ATTENDANCE_LISTED) <= ATTENDANCE_LISTED


def meeting_people(org: Organization, meeting: Meeting) -> QuerySet:
    """Who a meeting's minutes and the decisions recorded in it are for: everyone marked at
    it, present or absent (someone marked from outside its teams too), and, in a meeting of
    at most ATTENDANCE_LISTED participants, each of its cadence's participants, marked or
    not; in a larger one, where each says they are there, those marked. Active people, by
    name. Three queries, the last one reading at most those people."""
    people = participants_query(org, meeting.cadence)
    marked = Attendance.objects.filter(org=org, meeting=meeting).values("person_id")
    cond = Q(pk__in=marked)
    if attendance_listed(people):
        cond |= Q(pk__in=list(people.values_list("pk", flat=True)))
    return Person.objects.for_org(org).filter(is_active=True).filter(cond).order_by("name", "pk")


def informed_of_decision(org: Organization, meeting: Meeting, approver: Person | None) -> QuerySet:
    """Who a decision recorded in a meeting informs unless its recorder says otherwise: its
    informed people are told when it is decided, superseded or reversed; everyone in the
    meeting (`meeting_people`) but its approver, who decides it rather than hears of it."""
    people = meeting_people(org, meeting)
    return people.exclude(pk=approver.pk) if approver is not None else people


# --- adherence -------------------------------------------------------------------------------


@dataclass
class OccurrenceFigures:
    occurrence: recurrence.Occurrence
    held: bool | None  # None for check-in and all-day cadences
    owed: int = 0
    on_time: int = 0
    late: int = 0
    missed: int = 0

    @property
    def submitted_share(self) -> float | None:
        return None if not self.owed else (self.on_time + self.late) / self.owed


@dataclass
class Adherence:
    cadence: Cadence
    occurrences: list[OccurrenceFigures]

    @property
    def held_share(self) -> float | None:
        flags = [o.held for o in self.occurrences if o.held is not None]
        return None if not flags else sum(flags) / len(flags)

    @property
    def totals(self) -> dict[str, int]:
        return {
            "owed": sum(o.owed for o in self.occurrences),
            "on_time": sum(o.on_time for o in self.occurrences),
            "late": sum(o.late for o in self.occurrences),
            "missed": sum(o.missed for o in self.occurrences),
        }

    @property
    def on_time_share(self) -> float | None:
        t = self.totals
        return None if not t["owed"] else t["on_time"] / t["owed"]

    def as_dict(self) -> dict:
        return {
            "cadence_id": self.cadence.pk,
            "cadence": self.cadence.name,
            "held_share": self.held_share,
            "on_time_share": self.on_time_share,
            **self.totals,
            "trend": [
                {
                    "occurrence": o.occurrence.key,
                    "start": o.occurrence.start.isoformat(),
                    "held": o.held,
                    "owed": o.owed,
                    "on_time": o.on_time,
                    "late": o.late,
                    "missed": o.missed,
                }
                for o in self.occurrences
            ],
        }


def adherence(
    org: Organization,
    cads: list[Cadence],
    *,
    now: dt.datetime | None = None,
    last: int = 12,
    roster: Roster | None = None,
) -> list[Adherence]:
    """Share of occurrences held and check-ins on time / late / missed over the last
    `last` occurrences whose window has closed, per cadence. A few queries in all.

    The occurrences are those the cadence had (`past_occurrences`: each under the schedule
    of its time, none before the cadence was created), and any other a finished meeting
    is stored for: what was held stays held. A meeting's window closes when its occurrence
    ends (start and duration): one going on counts only once started, as held (a started
    meeting is being held); not started, it is not yet due. A check-in is owed by who was
    in the cadence's scope when it was due (`Owers`); who gave one counts whether or not
    they owed it. Who owes comes from `roster` when given (many cadences at once), else is
    asked per cadence (`owers`): never the whole organization's roster for a page's few
    cadences."""
    now = now or timezone.now()
    past: dict[int, list[recurrence.Occurrence]] = {}
    # Meetings begun and not ended by `now`: counted only once started (being held).
    going_on: dict[int, list[recurrence.Occurrence]] = {}
    closed: dict[int, dt.datetime] = {}
    lowest: dict[int, dt.datetime] = {}
    for c in cads:
        closed[c.pk] = now - dt.timedelta(hours=c.late_after_hours if c.is_checkin else 0)
        # A year back is enough for 12 occurrences of anything up to monthly.
        span = dt.timedelta(days=max(400, 31 * last * (3 if "MONTHLY" in c.rrule else 1)))
        occs = past_occurrences(c, closed[c.pk] - span, closed[c.pk])
        if not c.is_checkin and not c.all_day:
            going_on[c.pk] = [o for o in occs if not meeting_due(o.end, now, started=False)]
            occs = [o for o in occs if meeting_due(o.end, now, started=False)]
        occs = occs[-last:]
        past[c.pk] = occs
        if len(occs) == last or c.is_checkin:
            lowest[c.pk] = occs[0].original_start if occs else closed[c.pk]
        else:  # a meeting may have been held before the cadence was set up: since its start
            floor, day = closed[c.pk] - span, dt.timedelta(days=1)
            began = min(e.schedule.start_date for e in eras(c))
            lowest[c.pk] = _midnight(began - day) if began > floor.date() + day else floor
    checkin_ids = [c.pk for c in cads if c.is_checkin and not c.all_day]
    meeting_ids = [c.pk for c in cads if not c.is_checkin and not c.all_day]
    # Who answered each occurrence, and how: four columns, not check-ins as objects (a
    # team's page reads hundreds of them).
    submitted_to: dict[tuple[int, dt.datetime], dict[int, str]] = defaultdict(dict)
    since = min((lowest[i] for i in checkin_ids), default=now)
    for cadence_id, start, person_id, status in (
        CheckIn.objects.for_org(org)
        .filter(cadence_id__in=checkin_ids, occurrence_start__gte=since)
        .values_list("cadence_id", "occurrence_start", "person_id", "status")
    ):
        submitted_to[(cadence_id, start)][person_id] = status
    # Read from each cadence's bound: those with `last` occurrences from the first of them,
    # the others (fewer, being younger) from their start, each group from its earliest.
    full = {i for i in meeting_ids if len(past[i]) == last}
    meetings = Q()
    for group in (full, set(meeting_ids) - full):
        if group:
            since = min(lowest[i] for i in group)
            meetings |= Q(cadence_id__in=sorted(group), occurrence_start__gte=since)
    held: dict[tuple[int, dt.datetime], dt.datetime] = {}
    running: set[tuple[int, dt.datetime]] = set()  # started, not finished: being held
    if meeting_ids:
        for cadence_id, start, scheduled, status in (
            Meeting.objects.for_org(org)
            .filter(meetings, status__in=(MeetingStatus.FINISHED, MeetingStatus.RUNNING))
            .values_list("cadence_id", "occurrence_start", "scheduled_start", "status")
        ):
            if status == MeetingStatus.FINISHED:
                held[(cadence_id, start)] = scheduled
            else:
                running.add((cadence_id, start))
    # An occurrence going on (begun, not ended) is not yet due: it counts once its meeting
    # has started (held, or being held), and is left out until it ends otherwise.
    started = held.keys() | running
    for cadence_id, ongoing in going_on.items():
        begun = [
            o
            for o in ongoing
            if meeting_due(o.end, now, started=(cadence_id, o.original_start) in started)
        ]
        if begun:
            past[cadence_id] = (past[cadence_id] + begun)[-last:]
    # A meeting held at an occurrence no schedule of the cadence has (kept from before
    # Accord kept earlier schedules, or recorded for a date before it was set up) is shown
    # where it was, held; so is one held early (finished before its time: held by the rule
    # of `queries.held`, as the schedule lists it), at its occurrence, not come yet.
    by_pk = {c.pk: c for c in cads}
    off: dict[int, list[recurrence.Occurrence]] = defaultdict(list)
    for (cadence_id, start), at in held.items():
        c = by_pk[cadence_id]
        if lowest[c.pk] <= start:
            off[cadence_id].append(
                (occurrence(c, start) if at >= closed[c.pk] else None)
                or recurrence.Occurrence(
                    original_start=start,
                    start=at,
                    end=c.schedule.end_for(at),
                    timezone=c.timezone,
                    moved=at != start,
                    cadence_id=c.pk,
                )
            )
    for cadence_id, extra in off.items():
        known = {o.original_start for o in past[cadence_id]}
        extra = [o for o in extra if o.original_start not in known]
        if extra:
            merged = past[cadence_id] + extra
            past[cadence_id] = sorted(merged, key=lambda o: (o.start, o.original_start))[-last:]
    owers_of: dict[int, Owers] = {}
    for c in cads:
        if not c.is_checkin or c.all_day or not past[c.pk]:
            continue
        if roster is not None:
            owers_of[c.pk] = roster.owers(c)
        else:
            owers_of[c.pk] = owers(org, c, past[c.pk][0].start)
    all_owers: set[int] = set()
    for o in owers_of.values():
        all_owers |= o.everyone
    tz_of = dict(Person.objects.for_org(org).filter(pk__in=all_owers).values_list("pk", "timezone"))
    earliest = min((lowest[i] for i in checkin_ids), default=now)
    away = AwayBook(org, all_owers, earliest.date() - dt.timedelta(days=1), now.date())
    out = []
    for c in cads:
        rows = []
        for occ in past[c.pk]:
            if c.all_day:
                fig = OccurrenceFigures(occ, held=None)  # a date reached, not a meeting
            elif c.is_checkin:
                fig = OccurrenceFigures(occ, held=None)
                submitted = submitted_to.get((c.pk, occ.original_start), {})
                given = {pid for pid, v in submitted.items() if v != CheckInStatus.MISSED}
                for pid in owers_of[c.pk].at(occ.start) | given:
                    status = submitted.get(pid)
                    if pid not in given and away.is_away(pid, occ.start, tz_of.get(pid, "UTC")):
                        continue
                    fig.owed += 1
                    if status == CheckInStatus.ON_TIME:
                        fig.on_time += 1
                    elif status == CheckInStatus.LATE:
                        fig.late += 1
                    else:
                        fig.missed += 1
            else:
                key = (c.pk, occ.original_start)
                fig = OccurrenceFigures(occ, held=key in held or key in running)
            rows.append(fig)
        out.append(Adherence(c, rows))
    return out


def adherence_by_team(
    org: Organization, *, now: dt.datetime | None = None, last: int = 12
) -> dict[int, dict]:
    """Per team: the share of its cadences' occurrences held and of check-ins on time, late
    and missed over the last `last` occurrences (for health scores). Set-based: one roster,
    one adherence pass over every active cadence."""
    now = now or timezone.now()
    # Terms changed in the last year or three are read (`Roster.owers`): the window of
    # `adherence`'s longest cadences.
    roster = Roster.load(org, terms_after=now - dt.timedelta(days=max(400, 93 * last)))
    cads = every_cadence(org)
    figures = adherence(org, cads, now=now, last=last, roster=roster)
    out: dict[int, dict] = {}
    for a in figures:
        for team_id in roster.scope_team_ids(a.cadence):
            row = out.setdefault(
                team_id, {"held": 0, "meetings": 0, "owed": 0, "on_time": 0, "late": 0, "missed": 0}
            )
            for f in a.occurrences:
                if f.held is not None:
                    row["meetings"] += 1
                    row["held"] += int(f.held)
            for k, v in a.totals.items():
                row[k] += v
    for row in out.values():
        row["held_share"] = row["held"] / row["meetings"] if row["meetings"] else None
        row["on_time_share"] = row["on_time"] / row["owed"] if row["owed"] else None
    return out


# --- one person's work -----------------------------------------------------------------------


def latest_checkin(org: Organization, person: Person) -> CheckIn | None:
    """The last check-in `person` submitted, of any cadence: one query off the (org,
    person, occurrence start) index."""
    return (
        CheckIn.objects.for_org(org)
        .filter(person=person, submitted_at__isnull=False)
        .select_related("cadence")
        .order_by("-occurrence_start", "-id")
        .first()
    )


def next_checkin(
    org: Organization, person: Person, *, now: dt.datetime | None = None, days: int = 14
) -> Owed | None:
    """The next check-in `person` owes and has not sent (one overdue first), due from
    `now` less the late window to `days` ahead; a few queries (`owed_checkins`)."""
    now = now or timezone.now()
    for owed in owed_checkins(
        org, person, now - dt.timedelta(days=2), now + dt.timedelta(days=days)
    ):
        if owed.checkin is None and owed.state in ("upcoming", "open", "overdue"):
            return owed
    return None


# How far back home and a person's page look for rounds missed: as far as the worker
# records misses (`services.record_missed_checkins`' two weeks).
MISSED_LOOKBACK = dt.timedelta(days=14)
MISSED_SHOWN = 3  # missed rounds home and a person's page name at most


def missed_since_given(owed: Iterable[Owed], limit: int = MISSED_SHOWN) -> list[Owed]:
    """Of one person's rounds (`owed_checkins`), those they missed since the last check-in
    they gave of the same cadence, newest first, the first `limit`: a miss recorded by the
    worker, or a round whose late window closed without one (as the round's page says)."""
    owed = list(owed)
    given: dict[int, dt.datetime] = {}
    for o in owed:
        if o.checkin is not None and o.checkin.status != CheckInStatus.MISSED:
            given[o.cadence.pk] = max(
                given.get(o.cadence.pk, o.occurrence.start), o.occurrence.start
            )
    missed = [
        o
        for o in owed
        if o.state == CheckInStatus.MISSED
        and (o.cadence.pk not in given or o.occurrence.start > given[o.cadence.pk])
    ]
    missed.sort(key=lambda o: o.occurrence.start, reverse=True)
    return missed[:limit]


def checkin_standing(
    org: Organization, person: Person, *, now: dt.datetime | None = None, days: int = 14
) -> tuple[Owed | None, list[Owed]]:
    """`next_checkin` and the rounds missed since the last one given (`missed_since_given`)
    from one reading of the person's rounds: a few queries (`owed_checkins`)."""
    now = now or timezone.now()
    owed = owed_checkins(org, person, now - MISSED_LOOKBACK, now + dt.timedelta(days=days))
    soon = now - dt.timedelta(days=2)  # as `next_checkin` looks back
    nxt = next(
        (
            o
            for o in owed
            if o.occurrence.start >= soon
            and o.checkin is None
            and o.state in ("upcoming", "open", "overdue")
        ),
        None,
    )
    return nxt, missed_since_given(owed)


def raised_issue(checkin: CheckIn | None):
    """The issue a check-in's blocker was raised as, when the person ticked "Also raise it
    as an issue for that team" (`links.raise_blocker_issue`: raised by them for the team
    the check-in names, with the blocker's text; it may have been escalated above that
    team since, and is raised in their own team), the latest if it was raised more than
    once; None without one. One query; none for a check-in whose blocker names no team."""
    if checkin is None or not checkin.blockers or checkin.blocker_team_id is None:
        return None
    from accord.decisions.models import Issue

    return (
        Issue.objects.filter(
            org_id=checkin.org_id,
            raised_by_id=checkin.person_id,
            description=checkin.blockers,
        )
        .select_related("team", "raised_in")
        .order_by("-opened_at", "-id")
        .first()
    )


def time_off_of(people: list[Person], since: dt.date) -> list[tuple[Person, list[Away]]]:
    """Each of `people` (one login's, in its other organizations) with their time off there
    ending on or after `since`, first first: one query, of those people's own only."""
    by_person: dict[int, list[Away]] = defaultdict(list)
    aways = Away.objects.filter(person__in=[p.pk for p in people], ends_on__gte=since)
    for away in aways.order_by("starts_on", "pk"):
        by_person[away.person_id].append(away)
    return [(p, by_person[p.pk]) for p in people]
