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

from accord.core.counting import count_up_to
from accord.org import queries as org_queries
from accord.org.models import (
    Membership,
    MembershipRole,
    Organization,
    Person,
    Team,
    TeamState,
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
) -> list[recurrence.Occurrence]:
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


def is_rule_instant(cadence: Cadence, instant: dt.datetime) -> bool:
    """Whether the cadence's rule has an occurrence at `instant` (cancelled or not)."""
    try:
        return recurrence.is_rule_instant(cadence.schedule, instant)
    except recurrence.InvalidSchedule:
        return False


def occurrence(
    cadence: Cadence, original_start: dt.datetime, *, include_cancelled: bool = False
) -> recurrence.Occurrence | None:
    """The occurrence whose original start is `original_start` (moved or not); None if the
    rule has no such instant or it was cancelled (unless `include_cancelled`)."""
    original_start = original_start.astimezone(dt.UTC)
    if not is_rule_instant(cadence, original_start):
        return None
    specs = {e.original_start: e for e in exception_specs(cadence)}
    exc = specs.get(original_start)
    cancelled = exc is not None and exc.cancelled
    if cancelled and not include_cancelled:
        return None
    start = exc.new_start if exc is not None and exc.new_start and not cancelled else None
    start = recurrence.clamp(start or original_start)
    return recurrence.Occurrence(
        original_start=original_start,
        start=start,
        end=cadence.schedule.end_for(start),
        timezone=cadence.timezone,
        moved=start != original_start,
        cancelled=cancelled,
        cadence_id=cadence.pk,
        all_day=cadence.all_day,
    )


def next_occurrence(cadence: Cadence, after: dt.datetime | None = None):
    after = after or timezone.now()
    try:
        return recurrence.next_occurrence(cadence.schedule, after, exception_specs(cadence))
    except recurrence.InvalidSchedule:
        return None


def previous_occurrence(cadence: Cadence, before: dt.datetime | None = None):
    before = before or timezone.now()
    try:
        return recurrence.previous_occurrence(cadence.schedule, before, exception_specs(cadence))
    except recurrence.InvalidSchedule:
        return None


# --- scope and participants ------------------------------------------------------------------


@dataclass
class Roster:
    """The organization's team tree and memberships, loaded once for many cadences."""

    parents: dict[int, int | None]
    members: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    leads: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    teams_of: dict[int, set[int]] = field(default_factory=lambda: defaultdict(set))
    active: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, org: Organization) -> Roster:
        roster = cls(parents=org_queries.parent_map(org))
        roster.active = set(
            Person.objects.for_org(org).filter(is_active=True).values_list("id", flat=True)
        )
        for person_id, team_id, role in Membership.objects.for_org(org).values_list(
            "person_id", "team_id", "role"
        ):
            roster.members[team_id].add(person_id)
            roster.teams_of[person_id].add(team_id)
            if role == MembershipRole.LEAD:
                roster.leads[team_id].add(person_id)
        return roster

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
        for team_id in self.scope_team_ids(cadence):
            ids |= self.members.get(team_id, set())
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
    if cadence.scope == Scope.ORG:
        return Membership.objects.filter(org=org, person=person).exists()
    if cadence.scope == Scope.TEAMS:
        team_ids = {t.pk for t in cadence.teams.all()}
    elif cadence.team_id is None:
        return False
    elif cadence.scope == Scope.SUBTREE:
        # Read up from the person's teams, not down the organization's whole tree.
        mine = Membership.objects.filter(org=org, person=person).values_list("team_id", flat=True)
        above = org_queries.ancestor_ids(org, mine)
        return any(cadence.team_id == t or cadence.team_id in up for t, up in above.items())
    else:
        team_ids = {cadence.team_id}
    return Membership.objects.filter(person=person, team_id__in=team_ids).exists()


def participants(org: Organization, cadence: Cadence) -> list[Person]:
    roster = Roster.load(org)
    ids = roster.participant_ids(cadence)
    return list(Person.objects.for_org(org).filter(pk__in=ids).order_by("name"))


def team_cadences(org: Organization, team: Team) -> list[Cadence]:
    """Active cadences whose scope includes `team` (as `Roster.scope_team_ids`), found by
    index lookups: the team's own, its set-of-teams ones, the subtrees above it, and the
    organization's — never every cadence of the organization."""
    above = org_queries.ancestor_ids(org, [team.pk])[team.pk]
    # Each kind of scope by its own index, then the cadences by id: as one filter of ORs
    # across a join to the sets of teams, SQLite read every cadence of the organization.
    of_org = Cadence.objects.for_org(org).order_by().values_list("pk", flat=True)
    ids = of_org.filter(scope=Scope.ORG).union(
        of_org.filter(scope=Scope.TEAM, team_id=team.pk),
        of_org.filter(scope=Scope.TEAMS, teams=team.pk),
        of_org.filter(scope=Scope.SUBTREE, team_id__in=[team.pk, *above]),
    )
    return list(cadences(org).filter(pk__in=list(ids)))


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


def owers_query(org: Organization, cadence: Cadence):
    """Who owes a check-in cadence's check-ins, as a query of people (page it, count it:
    a whole organization's cadence is owed by everyone in a team)."""
    members = Membership.objects.for_org(org)
    if cadence.scope != Scope.ORG:
        members = members.filter(team_id__in=scope_team_ids(org, cadence))
    if cadence.checkin_owed_by == OwedBy.LEADS:
        cond = Q(pk__in=members.filter(role=MembershipRole.LEAD).values("person_id"))
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

    @classmethod
    def load(cls, org: Organization, person: Person) -> PersonScope:
        team_ids: set[int] = set()
        lead_ids: set[int] = set()
        for team_id, role in (
            Membership.objects.for_org(org)
            .in_current_teams()
            .filter(person=person)
            .values_list("team_id", "role")
        ):
            team_ids.add(team_id)
            if role == MembershipRole.LEAD:
                lead_ids.add(team_id)
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
        )

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
        return (
            cadence.owner_id == self.person_id
            or self._extra(cadence)
            or self._in_scope(cadence, self.team_ids, self.reach)
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


def checkin_status_at(
    cadence: Cadence, occ: recurrence.Occurrence, when: dt.datetime
) -> str | None:
    """on_time / late for a submission at `when`; None before the window or after it."""
    opens, late_until = cadence.window(occ)
    if when < opens:
        return None
    if when <= occ.start:
        return CheckInStatus.ON_TIME
    if when <= late_until:
        return CheckInStatus.LATE
    return None


@dataclass
class Owed:
    cadence: Cadence
    occurrence: recurrence.Occurrence
    opens: dt.datetime
    late_until: dt.datetime
    checkin: CheckIn | None = None

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
    """Check-ins `person` owes whose due time is in [start, end), minus their time off.
    `cads`, when given, are the person's cadences already loaded (`person_cadences`)."""
    scope = scope or PersonScope.load(org, person)
    if cads is None:
        cads = scope.candidates(org).filter(kind=CadenceKind.CHECKIN)
    cads = [c for c in cads if scope.owes(c)]
    found: list[Owed] = []
    for cadence in cads:
        for occ in occurrences_of(cadence, start, end):
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
    for o in found:
        o.checkin = existing.get((o.cadence.pk, o.occurrence.original_start))
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
) -> list[Upcoming]:
    """Occurrences of the (non-check-in) cadences in [start, end), with their Meeting rows."""
    out: list[Upcoming] = []
    for cadence in cads:
        if cadence.is_checkin:
            continue
        for occ in occurrences_of(cadence, start, end):
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
    out.sort(key=lambda u: u.occurrence.start)
    return out


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return (
        Meeting.objects.filter(
            cadence_id=meeting.cadence_id, occurrence_start__lt=meeting.occurrence_start
        )
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
    Who owes each cadence's check-ins comes from `roster` when given (many cadences at
    once), else is asked per cadence (`ower_ids`): never the whole organization's roster
    for a page's few cadences."""
    now = now or timezone.now()
    past: dict[int, list[recurrence.Occurrence]] = {}
    for c in cads:
        closed_before = now - dt.timedelta(hours=c.late_after_hours if c.is_checkin else 0)
        # A year back is enough for 12 occurrences of anything up to monthly.
        span = dt.timedelta(days=max(400, 31 * last * (3 if "MONTHLY" in c.rrule else 1)))
        occs = occurrences_of(c, closed_before - span, closed_before)
        past[c.pk] = occs[-last:]
    ids = [c.pk for c in cads]
    earliest = min((o[0].original_start for o in past.values() if o), default=now)
    # Who answered each occurrence, and how: four columns, not check-ins as objects (a
    # team's page reads hundreds of them).
    submitted_to: dict[tuple[int, dt.datetime], dict[int, str]] = defaultdict(dict)
    for cadence_id, start, person_id, status in (
        CheckIn.objects.for_org(org)
        .filter(cadence_id__in=ids, occurrence_start__gte=earliest)
        .values_list("cadence_id", "occurrence_start", "person_id", "status")
    ):
        submitted_to[(cadence_id, start)][person_id] = status
    held = set(
        Meeting.objects.for_org(org)
        .filter(cadence_id__in=ids, status=MeetingStatus.FINISHED, occurrence_start__gte=earliest)
        .values_list("cadence_id", "occurrence_start")
    )
    all_owers: set[int] = set()
    if roster is not None:
        owers_of = {c.pk: roster.ower_ids(c) for c in cads}
    else:
        owers_of = {c.pk: ower_ids(org, c) for c in cads}
    for s in owers_of.values():
        all_owers |= s
    tz_of = dict(Person.objects.for_org(org).filter(pk__in=all_owers).values_list("pk", "timezone"))
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
                for pid in owers_of[c.pk]:
                    status = submitted.get(pid)
                    if status is None and away.is_away(pid, occ.start, tz_of.get(pid, "UTC")):
                        continue
                    fig.owed += 1
                    if status == CheckInStatus.ON_TIME:
                        fig.on_time += 1
                    elif status == CheckInStatus.LATE:
                        fig.late += 1
                    else:
                        fig.missed += 1
            else:
                fig = OccurrenceFigures(occ, held=(c.pk, occ.original_start) in held)
            rows.append(fig)
        out.append(Adherence(c, rows))
    return out


def adherence_by_team(
    org: Organization, *, now: dt.datetime | None = None, last: int = 12
) -> dict[int, dict]:
    """Per team: the share of its cadences' occurrences held and of check-ins on time, late
    and missed over the last `last` occurrences (for health scores). Set-based: one roster,
    one adherence pass over every active cadence."""
    roster = Roster.load(org)
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
