"""Building a briefing: one week, one scope, from the organization's own history.

Nothing here writes. A briefing compares the organization as it was at the start of the
week with how it was at its end (`intelligence.snapshot.load`, which rewinds every value
from the event log and the pillars' histories), reads the signals that held at the week's
end (`intelligence.queries.signals_as_of` at `Week.signals_at`, the end of its last day in
UTC, whatever the reader's zone, as Insights' trend reads it) and the stored health of
both week ends, and
turns what it finds into lines from fixed templates. So building the same week again
later gives the same briefing (but for "Coming up", which starts when it is built,
`coming_from`, and the counts of now beside counts linked to a list of now,
`_listed_now`), and nothing is invented: every line names one object and
links to its page (but one, which counts the scope's action items past their date and
links to their list).

A section is kept to a screen: at most MAX_ITEMS lines, what matters first and each kind
of line in its turn (`_Rank`, `_choose`), so that routine moves never hide the week's
decisions, slips or a critical issue; the lines left out are counted by kind, each count
linked to the list that holds them, and saying what that list shows when it holds more
than it counts (the week's every event on them, or what is so now: `_rest`).

A week is an ISO week (`2026-W48`) in the reader's own time zone: from Monday 00:00 to the
next Monday 00:00 there. The ISO label is the week's key (stored, in the API, `accord
briefing --week`); people read its days, "23-29 Nov 2026" with an en dash (`Week.span`).

One limit: whom a briefing covers (`reader_for_person`) comes from today's memberships,
and team names from today's teams (the snapshot rewinds values, states and ranks, not the
team tree's names or who leads what). So a briefing is rebuilt from the week's history for
the teams its reader leads today: after a change of lead or a team's rename, building a
past week again differs from what was sent. The stored briefing is what was sent and
stays as it was; pages and the API read that one.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import zoneinfo
from collections import defaultdict, deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone

from accord.alignment import confidence as bands
from accord.core.errors import ServiceError
from accord.core.text import sentence
from accord.decisions import queries as decision_queries
from accord.decisions.models import overdue_since
from accord.intelligence import queries as intel
from accord.intelligence import snapshot as snapshot_mod
from accord.intelligence.models import Evaluation, HealthScore
from accord.intelligence.snapshot import Snapshot
from accord.org.models import Membership, Organization, Person, Team
from accord.web.templatetags.dates import day, day_span, weekday
from accord.web.templatetags.numbers import counted

MAX_ITEMS = 10  # lines per section; the rest is counted by kind, each linked to its list
# "Coming up" leaves out more than this many lines of several kinds: counted in one short
# line linked to the meeting series, not a clause and a link for each kind (`_rest`).
COMING_UP_BY_KIND = 20
ROUTINE = 5  # a line's weight from which it is routine (`_Rank`): shown once what matters is
TOP_SIGNALS = 5  # "what is at risk": the top signals
KR_MOVES = 3  # key results that moved most, each way
HEALTH_RISE = 5.0  # points of roll-up health that count as "rose"
WEEK_RE = re.compile(r"^(\d{4})-W(\d{2})$")

SECTIONS = [
    ("changed", "What changed"),
    ("at_risk", "What is at risk"),
    ("needs_you", "What needs you"),
    ("blocked", "Blocked between teams"),
    ("went_well", "What went well"),
    ("coming_up", "Coming up"),
]


# --- weeks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    label: str  # 2026-W48: the key (stored, in URLs and the API); pages say `span()`
    tz: str
    start: dt.datetime  # Monday 00:00 in tz (aware)
    end: dt.datetime  # the next Monday 00:00 in tz

    @property
    def as_of(self) -> dt.datetime:
        """The week's last moment: what held at its end."""
        return self.end - dt.timedelta(microseconds=1)

    @property
    def signals_at(self) -> dt.datetime:
        """The moment whose signals a briefing reads as "the signals as the week ended":
        the end of its last day in UTC, the day Insights' health and trend read it by
        (`snapshot.as_moment`; the engine stores a day's health with that day's last
        evaluation). One moment whatever the reader's zone, so a person's briefing, the
        team's (UTC) and Insights' trend count the same signals for the same week; the
        reader's own week end (`as_of`) came an hour before a Sunday evaluation in Berlin
        and read the week before's."""
        return snapshot_mod.as_moment(self.last_day)

    @property
    def last_day(self) -> dt.date:
        return (self.end - dt.timedelta(days=1)).date()

    def previous(self) -> Week:
        return week_of(self.start - dt.timedelta(days=1), self.tz)

    def following(self) -> Week:
        return week_of(self.end + dt.timedelta(hours=1), self.tz)

    def span(self) -> str:
        """Its days as people write a week: "23-29 Nov 2026", "30 Nov - 6 Dec 2026" (en dashes)."""
        return day_span(self.start.date(), self.last_day)


def zone(tz: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(tz or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def _week(year: int, number: int, tz: str) -> Week:
    monday = dt.date.fromisocalendar(year, number, 1)
    z = zone(tz)
    start = dt.datetime.combine(monday, dt.time(), z)
    end = dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), z)
    return Week(f"{year}-W{number:02d}", tz, start, end)


def parse_week(label: str, tz: str = "UTC") -> Week:
    """`2026-W48` as a week in `tz`; a clear error for anything else."""
    m = WEEK_RE.match((label or "").strip())
    if m:
        try:
            return _week(int(m.group(1)), int(m.group(2)), tz)
        except ValueError:
            pass
    raise ServiceError(
        f"{label!r} is not an ISO week; write it as 2026-W48.",
        fields={"week": ["Write the week as 2026-W48."]},
    )


def week_of(moment: dt.datetime, tz: str = "UTC") -> Week:
    """The week that contains `moment`, in `tz`."""
    year, number, _ = moment.astimezone(zone(tz)).isocalendar()
    return _week(year, number, tz)


def last_complete_week(now: dt.datetime, tz: str = "UTC") -> Week:
    return week_of(now, tz).previous()


# --- whose briefing, about what ------------------------------------------------------------


@dataclass(frozen=True)
class Reader:
    """Whom a briefing is for and what it covers: `scope` and every team below it (None:
    the organization), and `levels`, the teams whose issues and requests are theirs.
    `acts`: whether anything can be theirs to do ("What needs you"); not for a viewer."""

    person: Person | None
    team: Team | None  # a team's briefing (its chat summary)
    scope: int | None
    levels: frozenset[int]
    tz: str
    acts: bool = True
    # What waits on the answer of a team below a team of `levels` is the reader's too (as
    # their home counts it for the teams they lead); not for someone in no team, to whom
    # the top teams' requests fall.
    below: bool = True


def led_team_ids(org: Organization, person: Person) -> set[int]:
    return set(
        Membership.objects.for_org(org)
        .in_current_teams()
        .leading()
        .filter(person=person)
        .values_list("team_id", flat=True)
    )


def reader_for_person(org: Organization, person: Person) -> Reader:
    """An admin reads about the organization, a lead about the highest team they lead,
    anyone else about the first team they belong to (in none: the organization, with the
    top teams' issues and requests as theirs). A viewer reads the same picture, but as
    they can act on none of it, nothing in it "needs" them (`acts`)."""
    led = led_team_ids(org, person)
    if person.has_role("admin") or led:
        scope = intel.default_scope(org, person)
    else:
        scope = (
            Membership.objects.for_org(org)
            .in_current_teams()
            .filter(person=person)
            .order_by("team_id")
            .values_list("team_id", flat=True)
            .first()
        )
    below = True
    if not led and scope is None:
        led = set(
            Team.objects.for_org(org)
            .current()
            .filter(parent__isnull=True)
            .values_list("id", flat=True)
        )
        below = False
    acts = person.has_role("member")
    return Reader(person, None, scope, frozenset(led), person.timezone or "UTC", acts, below)


def what_it_covers(org: Organization, person: Person) -> str:
    """What a person's briefing is about, as their settings page says it (see
    `reader_for_person`)."""
    reader = reader_for_person(org, person)
    if reader.scope is None:
        return "the whole organization"
    name = Team.objects.for_org(org).filter(pk=reader.scope).values_list("name", flat=True)
    name = name.first() or "your team"
    if reader.levels:
        return f"the teams you lead, {name} and the teams below it"
    return f"{name}, your team, and the teams below it"


def reader_for_team(org: Organization, team: Team) -> Reader:
    return Reader(None, team, team.pk, frozenset({team.pk}), "UTC")


# --- the history, loaded once for many readers ---------------------------------------------


class History:
    """Snapshots and signals of one organization, each loaded once, for every briefing
    built from it (the worker builds many readers' briefings of one week together)."""

    def __init__(self, org: Organization):
        self.org = org
        self._snaps: dict[dt.datetime, Snapshot] = {}
        self._signals: dict[dt.datetime, tuple[list, dict[int, set[int]]]] = {}
        self._cadences: list | None = None
        self._index: dict[tuple[int, str], dict[int | None, set[int]]] = {}
        self._cadence_index: dict[int, set[int]] | None = None
        self._cadence_reach: dict[tuple, set[int]] | None = None
        self._latest: dict[dt.date, dt.date | None] = {}

    @functools.cached_property
    def slugs(self) -> dict[int, str]:
        """Every team's address by its id, retired ones too (one query for every reader):
        what a briefing's links name their team by."""
        return dict(Team.objects.for_org(self.org).values_list("id", "slug"))

    @functools.cached_property
    def top_slug(self) -> str:
        """The address of the organization's only current team at the top ("" with
        several): the organization's lists of action items are its (one query)."""
        tops = list(
            Team.objects.for_org(self.org)
            .current()
            .filter(parent__isnull=True)
            .values_list("slug", flat=True)[:2]
        )
        return tops[0] if len(tops) == 1 else ""

    @functools.cached_property
    def issue_teams(self) -> dict[int, set[int]]:
        """The teams holding an issue each decision is about
        (`decisions.queries.issue_teams`), read once for every reader (one query)."""
        return decision_queries.issue_teams(self.org)

    def teams_of(self, dec: Any) -> set[int]:
        """The teams whose decision `dec` (of a snapshot) is, as the decision log's team
        filter reads them (`decisions.queries.team_decisions`): its teams affected as the
        snapshot of that week has them, and the teams holding an issue it is about. A count
        of a team's decisions and the log it links to agree."""
        return set(dec.team_ids) | self.issue_teams.get(dec.id, set())

    def latest_date(self, day: dt.date) -> dt.date | None:
        """The last day with stored health on or before `day` (`intel.latest_date`), read
        once per day: a briefing's headline and its risers read the same two days."""
        if day not in self._latest:
            self._latest[day] = intel.latest_date(self.org, day)
        return self._latest[day]

    @functools.cached_property
    def signals_recorded_from(self) -> dt.datetime | None:
        """The moment the organization's signals began to be stored; None: not yet. Before
        it, the log has no signals to tell."""
        return Evaluation.first_stored(self.org)

    def snap(self, moment: dt.datetime) -> Snapshot:
        if moment not in self._snaps:
            self._snaps[moment] = snapshot_mod.load(self.org, moment, rhythm=False)
        return self._snaps[moment]

    def signals(self, moment: dt.datetime, scope: set[int] | None) -> list:
        """The signals that held at `moment` concerning any team of `scope` (None: all),
        ranked. The organization's are loaded once per moment (five queries)."""
        if moment not in self._signals:
            found = intel.signals_as_of(self.org, moment, state="live")
            by_team: dict[int, set[int]] = defaultdict(set)
            for signal_id, team_ids in intel.team_ids_of(s.pk for s in found).items():
                for t in team_ids:
                    by_team[t].add(signal_id)
            self._signals[moment] = (found, by_team)
        found, by_team = self._signals[moment]
        if scope is None:
            return list(found)
        ids: set[int] = set()
        for t in scope:
            ids |= by_team.get(t, set())
        return [s for s in found if s.pk in ids]

    def pick(self, snap: Snapshot, kind: str, teams: set[int] | None, extra: Any = ()) -> list:
        """The snapshot's objects of `kind` that concern any of `teams` (None: all), by id:
        through an index by team built once per snapshot, so each reader visits only their
        own part of the organization. `extra` adds objects by id."""
        objects: dict[int, Any] = getattr(snap, kind)
        if teams is None:
            return [objects[k] for k in sorted(objects)]
        key = (id(snap), kind)
        if key not in self._index:
            index: dict[int | None, set[int]] = defaultdict(set)
            for obj in objects.values():
                teams_of = self.teams_of(obj) if kind == "decisions" else _teams_of(snap, kind, obj)
                for t in teams_of:
                    index[t].add(obj.id)
            self._index[key] = index
        index = self._index[key]
        ids: set[int] = set(extra)
        for t in teams:
            ids |= index.get(t, set())
        return [objects[i] for i in sorted(ids) if i in objects]

    def of_person(self, snap: Snapshot, kind: str, attr: str, person_id: int) -> list:
        """The snapshot's objects of `kind` whose `attr` (owner_id, approver_id) is
        `person_id`, by id: through an index built once per snapshot."""
        key = (id(snap), f"{kind}:{attr}")
        if key not in self._index:
            index: dict[int | None, set[int]] = defaultdict(set)
            for obj in getattr(snap, kind).values():
                index[getattr(obj, attr)].add(obj.id)
            self._index[key] = index
        objects = getattr(snap, kind)
        return [objects[i] for i in sorted(self._index[key].get(person_id, ())) if i in objects]

    def taking_part(self, person: Person) -> list:
        """The meeting cadences `person` takes part in, wherever they are (their own, one
        they are asked to, their teams', the whole organization's), as their week and the
        cadences list say (`PersonScope.participates`): a couple of queries for the person;
        the cadences that may concern them are found through an index of the loaded ones
        by person and team (as `PersonScope.candidates` finds them in the database)."""
        from accord.rhythm import queries as rhythm_queries
        from accord.rhythm.models import Scope

        if self._cadence_reach is None:
            reach: dict[tuple, set[int]] = defaultdict(set)
            for i, (c, _) in enumerate(self.cadences()):
                if c.owner_id:
                    reach[("person", c.owner_id)].add(i)
                for p in c.extra_participants.all():
                    reach[("person", p.pk)].add(i)
                for t in ({c.team_id} | {t.pk for t in c.teams.all()}) - {None}:
                    reach[("team", t)].add(i)
                if c.scope == Scope.ORG:
                    reach[("org",)].add(i)
            self._cadence_reach = reach
        person_scope = rhythm_queries.PersonScope.load(self.org, person)
        keys = [("person", person.pk), *(("team", t) for t in person_scope.reach)]
        keys += [("org",)] if person_scope.team_ids else []
        found: set[int] = set()
        for key in keys:
            found |= self._cadence_reach.get(key, set())
        every = self.cadences()
        return [every[i][0] for i in sorted(found) if person_scope.participates(every[i][0])]

    def cadences_of(self, teams: set[int] | None) -> list:
        """The meeting cadences whose home team (else any team of their scope) is one of
        `teams` (None: all), in a stable order; indexed by team once."""
        every = self.cadences()
        if teams is None:
            return [c for c, _ in every]
        if self._cadence_index is None:
            self._cadence_index = defaultdict(set)
            for i, (c, scope_teams) in enumerate(every):
                for t in {c.team_id} if c.team_id else scope_teams:
                    self._cadence_index[t].add(i)
        found: set[int] = set()
        for t in teams:
            found |= self._cadence_index.get(t, set())
        return [every[i][0] for i in sorted(found)]

    def cadences(self):
        if self._cadences is None:
            from accord.rhythm import queries as rhythm_queries
            from accord.rhythm.models import CadenceKind

            roster = rhythm_queries.Roster.load(self.org)
            self._cadences = [
                (c, roster.scope_team_ids(c))
                for c in rhythm_queries.cadences(self.org)
                if c.kind != CadenceKind.CHECKIN
            ]
        return self._cadences


# --- building ------------------------------------------------------------------------------


def _teams_of(snap: Snapshot, kind: str, obj: Any) -> tuple:
    """The teams an object of the snapshot concerns, for `History.pick` (a decision's:
    `History.teams_of`)."""
    if kind == "key_results":
        o = snap.objectives.get(obj.objective_id)
        return (o.team_id,) if o else ()
    if kind == "dependencies":
        return (obj.requester_team_id, obj.provider_team_id)
    return (obj.team_id,)


def _item(text: str, target_type: str, target_id: int | str, **extra: Any) -> dict[str, Any]:
    return {"text": text, "target_type": target_type, "target_id": str(target_id), **extra}


@functools.lru_cache(maxsize=4096)
def _day(d: dt.date) -> str:
    """A date as briefings write it; remembered, since a lead's "coming up" writes the few
    days of next week for hundreds of cadences, and the worker writes 10,000 briefings."""
    return weekday(d)


def _points(delta: float) -> str:
    """A move of progress (0 to 1) in points of the target: "1 point", "18 points"."""
    n = int(abs(delta) * 100 + 0.5)
    return "less than 1 point" if n == 0 else counted(n, "point")


@dataclass
class _Scope:
    ids: set[int] | None  # None: every team

    def has(self, team_id: int | None) -> bool:
        if self.ids is None:
            return True
        return team_id is not None and team_id in self.ids

    def any(self, team_ids) -> bool:
        return self.ids is None or bool(self.ids & set(team_ids))


def _subtree(snap: Snapshot, root: int | None) -> set[int] | None:
    if root is None:
        return None
    children = snap.children()
    out, todo = set(), [root]
    while todo:
        t = todo.pop()
        if t in out:
            continue
        out.add(t)
        todo.extend(children.get(t, []))
    return out


def _waiting_words(snap: Snapshot, dep: Any, side: str) -> str:
    """What a dependency waiting on `side`'s answer waits for, in a sentence."""
    asker = snap.team_name(dep.requester_team_id)
    giver = snap.team_name(dep.provider_team_id)
    what = f"“{dep.title}” (need by {_day(dep.need_by)})"
    if dep.state == "requested":
        return f"{asker} asked {giver} for {what}: no answer yet."
    if dep.state == "negotiating" and side == "provider":
        return f"{asker} counter-proposed on {what}: waiting for {giver}'s answer."
    if dep.state == "negotiating":
        return f"{giver} proposed another date or scope for {what}: waiting for {asker}'s answer."
    return f"{giver} said {what} was delivered: waiting for {asker} to confirm."


def _progress(kr) -> float | None:
    if kr.is_milestone:
        return 1.0 if kr.done or kr.current >= kr.target else 0.0
    if kr.direction not in ("increase", "decrease") or kr.target == kr.start:
        return None
    return (kr.current - kr.start) / (kr.target - kr.start)


@dataclass(frozen=True)
class _Rank:
    """Where a line stands in its section. `kind`: what it is; each kind takes its turn for
    the section's lines (`_choose`), and the lines of a kind left out are counted and linked
    to the list that holds them (`REST`). `weight`: lower first; below ROUTINE, what a
    reader must not miss (an escalated issue, a decision, a slip, a confidence that changed
    band, their own meeting), from ROUTINE on, what fills the lines left. `order`: within a
    weight (numbers, or one type of value per section), then the order found."""

    kind: str = ""
    weight: int = ROUTINE
    order: tuple = ()


PLAIN = _Rank()


@dataclass
class _Sections:
    items: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {key: [] for key, _ in SECTIONS}
    )
    ranks: dict[int, _Rank] = field(default_factory=dict)  # by id(item)

    def add(self, key: str, item: dict[str, Any], rank: _Rank | None = None) -> None:
        self.items[key].append(item)
        if rank is not None:
            self.ranks[id(item)] = rank

    def rank(self, item: dict[str, Any]) -> _Rank:
        return self.ranks.get(id(item), PLAIN)


def _choose(items: list[dict[str, Any]], rank_of, limit: int) -> tuple[list, list]:
    """The lines a section shows (at most `limit`, in the order it shows them) and those it
    leaves out (in the same order). What matters (weight below ROUTINE) is taken first,
    routine lines fill what is left; within each, the kinds take turns, each giving its
    weightiest line not yet taken (the kind with the weightiest line first), so that no kind
    crowds the others out: seventeen moves of confidence leave room for the week's
    decisions and slips, sixteen requests for the critical issue. Shown by weight, then
    `order`, then as found."""
    ranks = [rank_of(it) for it in items]
    ranked = sorted(range(len(items)), key=lambda n: (ranks[n].weight, ranks[n].order, n))
    taken: set[int] = set()
    for notable in (True, False):
        turns: dict[str, deque[int]] = {}
        for n in ranked:
            if (ranks[n].weight < ROUTINE) == notable:
                turns.setdefault(ranks[n].kind, deque()).append(n)
        while turns and len(taken) < limit:
            for kind in list(turns):
                if len(taken) >= limit:
                    break
                taken.add(turns[kind].popleft())
                if not turns[kind]:
                    del turns[kind]
    return [items[n] for n in ranked if n in taken], [items[n] for n in ranked if n not in taken]


def _confidence(value: int) -> str:
    """ "5 (at risk)": a confidence with its band."""
    return f"{value} ({bands.word(value)})"


# Issues grave enough to lead "What needs you", the gravest first, and how a line says them.
GRAVE = {"critical": 2, "high": 1}
GRAVE_WORDS = {"critical": "Critical issue", "high": "High-severity issue"}


def _confidence_rank(was: int | None, now: int, obj_id: int) -> _Rank:
    """A move of confidence into another band matters (down, or a first rating of at risk
    or off track, first: the lowest first; then up); a move within its band (7 to 9, both
    on track) is routine, the largest first."""
    if was is not None and bands.band(was) == bands.band(now):
        return _Rank("objective", ROUTINE + 1, (0, -abs(now - was), obj_id))
    down = now <= bands.AT_RISK_MAX if was is None else now < was
    if down:
        return _Rank("objective", 3, (now, 0, obj_id))
    return _Rank("objective", 4, (-now, 0, obj_id))


def _waiting_rank(kind: str, when: dt.date | None, late: bool) -> _Rank:
    """What needs the reader: what is past its date first (the most overdue first), then
    by date, the soonest first; without a date, after."""
    if late:
        return _Rank(kind, 1, (when, 0))
    return _Rank(kind, 3, (when, 0)) if when is not None else _Rank(kind, 4, (dt.date.max, 0))


def _overdue_actions(org, week, reader, scope, snap, history, out) -> None:
    """Into "What needs you": the reader's own open action items whose date came by the
    week's end (filed to any team: they owe them), and one line counting the scope's open
    action items past their date, linked to the scope's list of action items."""
    if reader.person is not None:
        for ai in history.of_person(snap, "action_items", "owner_id", reader.person.pk):
            if ai.status != "open" or ai.due_on is None or ai.due_on > week.last_day:
                continue
            late = ai.due_on < week.last_day
            when = ai.due_on + dt.timedelta(days=1) if late else ai.due_on
            said = f"overdue since {_day(when)}" if late else f"due {_day(when)}"
            out.add(
                "needs_you",
                _item(f"Your action item “{ai.title}”, {said}.", "decisions.actionitem", ai.id),
                _waiting_rank("action", ai.due_on, late),
            )
    late_items = [
        ai
        for ai in history.pick(snap, "action_items", scope.ids)
        if ai.status == "open"
        and ai.due_on is not None
        and ai.due_on < week.last_day
        and scope.has(ai.team_id)
    ]
    if not late_items:
        return
    oldest = min(late_items, key=lambda ai: (ai.due_on, ai.id))
    roots = [t.id for t in snap.teams.values() if t.parent_id is None and t.id not in snap.retired]
    team_id = reader.scope if reader.scope is not None else (roots[0] if len(roots) == 1 else None)
    if reader.scope is None:
        where = f"across {snap.org_name}"
    elif snap.children().get(reader.scope):
        where = f"in {snap.team_name(reader.scope)} and the teams below it"
    else:
        where = f"in {snap.team_name(reader.scope)}"
    n = len(late_items)
    text = (
        f"{counted(n, 'action item')} {where} "
        f"{'is past its date; it was' if n == 1 else 'are past their date; the oldest was'} "
        f"due {_day(oldest.due_on)}."
    )
    if team_id is not None:
        # The scope's action items, the most overdue first: the page counts them too.
        url = reverse("decisions:actions", kwargs={"org_slug": org.slug})
        where_to = urlencode({"team": history.slugs.get(team_id, "")})
        item = _item(text, "org.team", team_id, href=f"{url}?{where_to}")
    else:
        item = _item(text, "decisions.actionitem", oldest.id)
    out.add("needs_you", item, _Rank("overdue", 2, (oldest.due_on, 0)))


def build(
    org: Organization,
    week: Week,
    reader: Reader,
    history: History | None = None,
    *,
    built_at: dt.datetime | None = None,
) -> dict:
    """The briefing of `reader` for `week`, as plain data (see the module docstring), built
    now or as sent at `built_at` (where "Coming up" starts, `coming_from`)."""
    history = history or History(org)
    before = history.snap(week.start - dt.timedelta(microseconds=1))
    after = history.snap(week.as_of)
    scope = _Scope(_subtree(after, reader.scope))
    out = _Sections()
    start, end = week.start, week.end
    # Where lines come from several teams (a department's, the organization's), a line
    # whose words name no team says whose it is: two teams' decisions may ask one question.
    several = scope.ids is None or len(scope.ids) > 1

    def of_team(team_id: int | None) -> str:
        return f" ({after.team_name(team_id)})" if several and team_id is not None else ""

    def of_decision(dec: Any) -> str:
        return _decision_teams(after, history, dec) if several else ""

    def in_week(moment: dt.datetime | None) -> bool:
        return moment is not None and start <= moment < end

    # -- key results and objectives
    moves = []
    teams = scope.ids
    for kr in history.pick(after, "key_results", teams):
        obj = after.objectives.get(kr.objective_id)
        old = before.key_results.get(kr.id)
        if obj is None or old is None or not scope.has(obj.team_id):
            continue
        if obj.team_id is None and reader.scope is not None:
            continue
        p0, p1 = _progress(old), _progress(kr)
        if p0 is None or p1 is None or abs(p1 - p0) < 0.005:
            continue
        moves.append((p1 - p0, kr, old, obj))
    ups = sorted((m for m in moves if m[0] > 0), key=lambda m: (-m[0], m[1].id))[:KR_MOVES]
    downs = sorted((m for m in moves if m[0] < 0), key=lambda m: (m[0], m[1].id))[:KR_MOVES]
    for delta, kr, old, _obj in ups + downs:
        way = "closer to" if delta > 0 else "further from"
        item = _item(
            f"Key result “{kr.name}”{of_team(_obj.team_id)} moved from "
            f"{kr.value(old.current)} to "
            f"{kr.value(kr.current)}, "
            f"{_points(delta)} {way} its target.",
            "alignment.keyresult",
            kr.id,
        )
        # Once each: a key result closer to its target went well, one further from it changed.
        if delta > 0:
            out.add("went_well", item, _Rank("keyresult"))
        else:
            out.add("changed", item, _Rank("keyresult", 2, (0, delta, kr.id)))
    for obj in history.pick(after, "objectives", teams):
        old = before.objectives.get(obj.id)
        if old is None or not scope.has(obj.team_id):
            continue
        if obj.confidence != old.confidence and obj.confidence is not None:
            was = "not rated" if old.confidence is None else _confidence(old.confidence)
            out.add(
                "changed",
                _item(
                    f"Confidence in objective “{obj.title}”{of_team(obj.team_id)} moved "
                    f"from {was} to "
                    f"{_confidence(obj.confidence)}.",
                    "alignment.objective",
                    obj.id,
                ),
                _confidence_rank(old.confidence, obj.confidence, obj.id),
            )

    # -- initiatives
    for ini in history.pick(after, "initiatives", teams):
        if not scope.has(ini.team_id):
            continue
        old = before.initiatives.get(ini.id)
        team = after.team_name(ini.team_id)
        was = old.status if old else None
        routine = _Rank("initiative", ROUTINE, (0, 0, ini.id))
        if ini.status == "active" and was != "active":
            text = f"{team} started initiative “{ini.title}”."
            out.add("changed", _item(text, "alignment.initiative", ini.id), routine)
        elif ini.status == "done" and was not in (None, "done"):
            text = f"{team} finished initiative “{ini.title}”."
            out.add("changed", _item(text, "alignment.initiative", ini.id), routine)
        if (
            old is not None
            and ini.target_date
            and ini.baseline_target_date
            and old.target_date != ini.target_date
            and ini.target_date > ini.baseline_target_date
            and (old.target_date is None or ini.target_date > old.target_date)
        ):
            late = (ini.target_date - ini.baseline_target_date).days
            out.add(
                "changed",
                _item(
                    f"Initiative “{ini.title}” ({team}) slipped to {_day(ini.target_date)}, "
                    f"{counted(late, 'day')} past its baseline of "
                    f"{_day(ini.baseline_target_date)}.",
                    "alignment.initiative",
                    ini.id,
                ),
                # A slip matters; the furthest past its baseline first.
                _Rank("initiative", 2, (1, -late, ini.id)),
            )

    # -- dependencies
    in_danger: dict[int, Any] = {}  # at risk, not blocked nor late: said after the signals
    for dep in history.pick(after, "dependencies", teams):
        if not (scope.has(dep.requester_team_id) or scope.has(dep.provider_team_id)):
            continue
        old = before.dependencies.get(dep.id)
        asker, giver = after.team_name(dep.requester_team_id), after.team_name(dep.provider_team_id)
        was = old.state if old else None
        link = ("coordination.dependency", dep.id)
        # Asked and withdrawn within the week: said as one line, so that no one reads of a
        # request as asked when nothing is asked any more.
        withdrew = " and withdrew the request" if dep.state == "cancelled" else ""
        if old is None and in_week(dep.created_at):
            out.add(
                "changed",
                _item(f"{asker} asked {giver} for “{dep.title}”{withdrew}.", *link),
                _Rank("dependency", ROUTINE, (0, 0, dep.id)),
            )
        elif (
            old is not None
            and old.state == "requested"
            and old.provider_team_id != dep.provider_team_id
        ):
            # Sent on to another team this week (`update_dependency`): a new request for
            # the team it went to; the team it left, no longer a side, reads nothing of it.
            was_asked = after.team_name(old.provider_team_id)
            text = f"{asker} asked {giver} for “{dep.title}”, instead of {was_asked}"
            text += f",{withdrew}." if withdrew else "."
            out.add("changed", _item(text, *link), _Rank("dependency", ROUTINE, (0, 0, dep.id)))
        elif old is not None and was != "cancelled" and dep.state == "cancelled":
            # An earlier request withdrawn this week: what its provider planned on is no
            # longer asked of it.
            text = f"{asker} withdrew its request to {giver} for “{dep.title}”."
            out.add("changed", _item(text, *link), _Rank("dependency", ROUTINE + 1, (0, 0, dep.id)))
        if dep.state != was and dep.state in ("accepted", "declined", "delivered"):
            verb = {"accepted": "accepted", "declined": "declined", "delivered": "delivered"}
            text = f"{giver} {verb[dep.state]} “{dep.title}” for {asker}."
            # A request declined leaves its asker without what they planned on: it matters.
            rank = (
                _Rank("dependency", 3, (11, 0, dep.id))
                if dep.state == "declined"
                else _Rank("dependency", ROUTINE + 1, (0, 0, dep.id))
            )
            out.add("changed", _item(text, *link), rank)
            if dep.state == "delivered" and (
                dep.closed_at is None or dep.closed_at.date() <= dep.due
            ):
                out.add(
                    "went_well",
                    _item(f"{giver} delivered “{dep.title}” to {asker} on time.", *link),
                    _Rank("delivered"),
                )
        late = dep.active and dep.is_late(week.last_day)
        if dep.active and (dep.flag == "blocked" or late):
            # Late as the list of late requests reads it (`coordination.queries.late_q`),
            # blocked or not: a blocked one is counted as late once past its date, so that
            # each count has one list (late, else at risk or blocked and not late).
            days_late = f"{counted((week.last_day - dep.due).days, 'day')} late"
            why = (
                f"blocked, {days_late} (due {_day(dep.due)})"
                if late and dep.flag == "blocked"
                else "blocked"
                if dep.flag == "blocked"
                else f"{days_late} (due {_day(dep.due)})"
            )
            out.add(
                "blocked",
                _item(f"{asker} waits on {giver} for “{dep.title}”: {why}.", *link),
                _Rank("late" if late else "blocked"),
            )
        elif dep.active and dep.flag == "at_risk":
            in_danger[dep.id] = dep

    # -- decisions
    approves = (
        [d.id for d in history.of_person(after, "decisions", "approver_id", reader.person.pk)]
        if reader.person is not None
        else []
    )
    for dec in history.pick(after, "decisions", teams, approves):
        mine = reader.person is not None and dec.approver_id == reader.person.pk
        if not (scope.any(history.teams_of(dec)) or mine):
            continue
        old = before.decisions.get(dec.id)
        link = ("decisions.decision", dec.id)
        if in_week(dec.decided_at) and (old is None or old.undecided):
            out.add(
                "changed",
                _item(sentence(f"Decided{of_decision(dec)}: “{dec.question}”"), *link),
                _Rank("decided", 1, (1, 0, dec.id)),
            )
        if dec.status == "reversed" and (old is None or old.status != "reversed"):
            out.add(
                "changed",
                _item(sentence(f"Reversed{of_decision(dec)}: “{dec.question}”"), *link),
                _Rank("reversed", 1, (0, 0, dec.id)),
            )
        if mine and dec.undecided and reader.acts:
            due = ""
            late = dec.decide_by is not None and dec.decide_by < week.last_day
            if dec.decide_by is not None:
                # Overdue from the day after its deadline, as its page, Insights and
                # agendas say (`decisions.models.overdue_since`).
                when = overdue_since(dec.decide_by) if late else dec.decide_by
                due = f", {'overdue since' if late else 'due'} {_day(when)}"
            text = sentence(f"Decision waiting on you{of_decision(dec)}: “{dec.question}”{due}")
            out.add("needs_you", _item(text, *link), _waiting_rank("decision", dec.decide_by, late))

    # -- issues
    near = None if teams is None else teams | set(reader.levels)
    for iss in history.pick(after, "issues", near):
        old = before.issues.get(iss.id)
        link = ("decisions.issue", iss.id)
        team = after.team_name(iss.team_id)
        if iss.status == "open" and iss.team_id in reader.levels:
            if old is not None and old.team_id != iss.team_id:
                out.add(
                    "changed",
                    _item(f"Issue “{iss.title}” was escalated to {team}.", *link),
                    _Rank("issue", 0, (0, 0, iss.id)),
                )
            if reader.acts:
                whose = "you" if reader.person is not None else team
                grave = iss.severity in GRAVE
                said = GRAVE_WORDS.get(iss.severity, "Issue")
                text = f"{said} at the level of {team}, for {whose}: “{iss.title}”."
                # A critical or high one first, the gravest first; any other after what
                # has a date.
                rank = (
                    _Rank("issue", 0, (dt.date.min, -GRAVE[iss.severity]))
                    if grave
                    else _Rank("issue", 4, (dt.date.max, 0))
                )
                out.add("needs_you", _item(text, *link), rank)
        if (
            iss.status == "solved"
            and scope.has(iss.team_id)
            and (old is None or old.status != "solved")
        ):
            out.add(
                "went_well",
                _item(f"{team} resolved issue “{iss.title}”.", *link),
                _Rank("issue"),
            )

    # -- what waits on the answer of the reader's teams (or a team below one), as their home
    # and their teams' inboxes count it (coordination's `waiting_on_teams_led`): requests
    # and counter-proposals asked of them, proposals on what they asked, deliveries said
    # made to them
    answering: set[int] = set()
    for led in reader.levels if reader.acts else ():
        answering |= (_subtree(after, led) or set()) if reader.below else {led}
    for dep in history.pick(after, "dependencies", answering):
        side = dep.waits_on
        team_id = dep.provider_team_id if side == "provider" else dep.requester_team_id
        if side is not None and team_id in answering:
            out.add(
                "needs_you",
                _item(_waiting_words(after, dep, side), "coordination.dependency", dep.id),
                _waiting_rank("dependency", dep.need_by, False),
            )

    # -- action items past their date: the reader's own, wherever they are filed, and how
    # many of the scope's (the list of them, by team, says which)
    if reader.acts:
        _overdue_actions(org, week, reader, scope, after, history, out)

    # -- signals at the week's end (none to tell of a week before any were recorded)
    recorded_from = history.signals_recorded_from
    recorded = recorded_from is not None and recorded_from <= week.signals_at
    signals = history.signals(week.signals_at, scope.ids) if recorded else []
    counts = {"critical": 0, "warning": 0}
    for s in signals:
        if s.severity in counts:
            counts[s.severity] += 1
    # Ranked as Insights ranks (severity, then reach in people and teams) by what the
    # week's end stored (its episodes' reach, then the oldest episode), so that later
    # changes to a signal's reach do not reorder a past week.
    order = {"critical": 0, "warning": 1}

    def reach(s, key: str) -> int:
        return int((s.numbers or {}).get(key) or 0)

    risky = sorted(
        (s for s in signals if s.severity in counts),
        key=lambda s: (
            order[s.severity],
            -reach(s, "reach_people"),
            -reach(s, "reach_teams"),
            s.first_seen,
            s.pk,
        ),
    )
    for s in risky:
        line = (s.explanation or s.title or "").strip().splitlines()
        out.add(
            "at_risk",
            _item(
                f"{s.severity.capitalize()}: {line[0] if line else s.kind}",
                "intelligence.signal",
                s.pk,
                severity=s.severity,
            ),
        )
    _in_danger(week, after, signals, in_danger, out)

    # -- health
    headline = _headline(
        org, week, reader, after, history, counts if recorded else None, recorded_from
    )
    for team_id, name, now, was in _risers(org, week, reader, after, history):
        out.add(
            "went_well",
            _item(
                f"{name}'s coordination health rose from {_whole(was)} to {_whole(now)}.",
                "org.team",
                team_id,
            ),
            _Rank("team"),
        )

    # -- next week
    _coming_up(week, reader, scope, after, history, out, of_decision, coming_from(week, built_at))

    return _finish(org, week, reader, after, history, headline, out)


def _in_danger(week: Week, after: Snapshot, signals: list, flagged: dict, out) -> None:
    """What else holds work up between the scope's teams at the week's end, after what is
    blocked or late: initiatives that depend on each other in a circle (none can finish
    first), and requests at risk, flagged so (`flagged`) or predicted late (the week's
    end's `dependencies.predicted_late` signals), soonest due first. So "Blocked between
    teams" never says nothing is blocked beneath a circle "What is at risk" opens with."""
    predicted: set[int] = set()
    for s in signals:
        if s.kind == "dependencies.cycle":
            line = (s.explanation or s.title or "").strip().splitlines()
            text = line[0] if line else s.title
            out.add("blocked", _item(text, "intelligence.signal", s.pk), _Rank("cycle", 1))
        elif s.kind == "dependencies.predicted_late" and str(s.subject_id).isdigit():
            predicted.add(int(s.subject_id))
    deps = dict(flagged)
    for dep_id in predicted:
        dep = after.dependencies.get(dep_id)
        if dep is not None and dep.active and dep.flag != "blocked":
            deps[dep_id] = dep
    for dep in sorted(deps.values(), key=lambda d: (d.due, d.id)):
        if dep.is_late(week.last_day) or dep.marked_delivered_on is not None:
            continue  # said above, as late; or said delivered, for its asker to confirm
        asker, giver = after.team_name(dep.requester_team_id), after.team_name(dep.provider_team_id)
        why = "flagged at risk"
        plan = after.initiatives.get(dep.provider_initiative_id or 0)
        if dep.id in predicted and plan is not None and plan.target_date is not None:
            gap = (plan.target_date - dep.need_by).days
            if gap > 0:
                why = (
                    f"at risk, {giver} plans to finish “{plan.title}” on "
                    f"{_day(plan.target_date)}, {counted(gap, 'day')} after it is needed "
                    f"({_day(dep.need_by)})"
                )
        elif dep.id in predicted:
            why = "at risk, predicted to come late"
        out.add(
            "blocked",
            _item(
                f"{asker} waits on {giver} for “{dep.title}”: {why}.",
                "coordination.dependency",
                dep.id,
            ),
            _Rank("at_risk", ROUTINE + 1, (dep.due, dep.id)),
        )


def _decision_teams(snap: Snapshot, history: History, dec: Any) -> str:
    """Whose a decision is, short, for a line among several teams' (" (Platform)",
    " (Platform, Web)", " (Platform and 3 other teams)"); "" for one of no team."""
    names = sorted(snap.team_name(t) for t in history.teams_of(dec) if t in snap.teams)
    if not names:
        return ""
    if len(names) <= 2:
        return f" ({', '.join(names)})"
    return f" ({names[0]} and {counted(len(names) - 1, 'other team')})"


def _whole(score: float) -> int:
    """A health score as the pages show it (`floatformat`: 94.5 is 95, where round() and
    f"{:.0f}" give 94)."""
    return int(floatformat(score, 0))


def _headline(org, week, reader, after, history, counts, recorded_from=None) -> dict[str, Any]:
    """The briefing's first line; `counts` None: no signals were recorded by the week's
    end (the first stored evaluation, `recorded_from`, came later or never)."""
    (computed, now), (_, was) = (
        _health(org, reader, after, history, week.last_day),
        _health(org, reader, after, history, week.last_day - dt.timedelta(days=7)),
    )
    parts = []
    if now is None and computed:  # nothing to judge in the scope: no score, not 100
        parts.append("Coordination health not scored: not enough activity")
    elif now is None:
        parts.append("No coordination health computed for this week yet")
    elif was is None:
        parts.append(f"Coordination health {_whole(now)}")
    else:
        # Between the figures as shown, so "68 (up 7 from 61)" adds up.
        delta = _whole(now) - _whole(was)
        way = "up" if delta > 0 else "down"
        moved = "unchanged" if delta == 0 else f"{way} {abs(delta)}"
        parts.append(f"Coordination health {_whole(now)} ({moved} from {_whole(was)})")
    if counts is None:
        parts.append(
            recorded_from_words(recorded_from, zone(week.tz))
            if recorded_from
            else "no signals recorded yet"
        )
    else:
        parts.append(
            f"{counts['critical']} critical and {counts['warning']} warning signal"
            f"{'' if counts['warning'] == 1 else 's'} open"
        )
    out = {
        "text": "; ".join(parts) + ".",
        "health": None if now is None else round(now, 1),
        "previous": None if was is None else round(was, 1),
        "critical": None if counts is None else counts["critical"],
        "warning": None if counts is None else counts["warning"],
    }
    if counts is None and recorded_from:
        # The moment too, so a page can say its date in its reader's zone (`render.in_zone`).
        out["recorded_from"] = recorded_from.astimezone(dt.UTC).isoformat()
    return out


def recorded_from_words(moment: dt.datetime, z: dt.tzinfo) -> str:
    """Where the signals' history begins, as a headline says it: its date in zone `z`, the
    briefing's (its reader's) zone, as the rest of the briefing's dates."""
    return f"signals were recorded from {day(moment.astimezone(z))} on, after this week"


def _health(org, reader, snap, history: History, day: dt.date) -> tuple[bool, float | None]:
    """Whether health was computed for the scope by `day`, and its roll-up on the last
    stored day on or before it (for the organization: its top teams', weighted by
    people); None when not computed or not scored (nothing to judge: never 100)."""
    date = history.latest_date(day)
    if date is None or date <= day - dt.timedelta(days=7):
        return False, None
    if reader.scope is not None:
        row = HealthScore.objects.filter(org=org, team_id=reader.scope, date=date).first()
        return row is not None, row.rollup_overall if row else None
    roots = [t.id for t in snap.teams.values() if t.parent_id is None]
    rows = list(
        HealthScore.objects.filter(org=org, team_id__in=roots, date=date).values_list(
            "rollup_overall", "rollup_people"
        )
    )
    scored = [(v, p) for v, p in rows if v is not None]
    if not scored:
        return bool(rows), None
    weight = sum(max(p, 1) for _, p in scored)
    return True, sum(v * max(p, 1) for v, p in scored) / weight


def _risers(org, week, reader, snap, history: History) -> list[tuple[int, str, float, float]]:
    """Teams right below the scope (the top teams for the organization) whose roll-up
    health rose by HEALTH_RISE points or more over the week, most first."""
    children = [t.id for t in snap.teams.values() if t.parent_id == reader.scope]
    if reader.scope is not None:
        children.append(reader.scope)
    day, prev = week.last_day, week.last_day - dt.timedelta(days=7)
    d1, d0 = history.latest_date(day), history.latest_date(prev)
    if d1 is None or d0 is None or d1 == d0 or d1 <= prev:
        return []
    rows = HealthScore.objects.filter(org=org, team_id__in=children, date__in=[d0, d1])
    # A score and the one before (a team not scored either week is not one that rose).
    by = {(r.team_id, r.date): r.rollup_overall for r in rows if r.rollup_overall is not None}
    out = []
    for t in children:
        if (t, d0) in by and (t, d1) in by and by[(t, d1)] - by[(t, d0)] >= HEALTH_RISE:
            out.append((t, snap.team_name(t), by[(t, d1)], by[(t, d0)]))
    return sorted(out, key=lambda r: (-(r[2] - r[3]), r[0]))[:3]


def meeting_line(name: str, moment: dt.datetime, z: dt.tzinfo) -> str:
    """A meeting of "Coming up", at its time in zone `z`: "Platform sync: Mon 19 Jan 2026
    at 10:00." """
    at = moment.astimezone(z)
    return f"{name}: {_day(at.date())} at {at:%H:%M}."


def coming_from(week: Week, now: dt.datetime | None = None) -> dt.datetime:
    """Where "Coming up" of `week`'s briefing starts: the week after it, from the moment
    the briefing is built (sent a Tuesday, Monday's meetings and what fell due then are
    past, not coming) to that week's end; a week built again once the next is over reads
    the whole next week, as it came up then."""
    nxt = week.following()
    now = now or timezone.now()
    return now if nxt.start < now < nxt.end else nxt.start


def coming_up_title(tz: str) -> str:
    return f"Coming up (times in {tz})"  # readers' zones differ; say whose


def _coming_up(
    week: Week,
    reader: Reader,
    scope: _Scope,
    snap: Snapshot,
    history: History,
    out,
    of_decision,
    since: dt.datetime,
) -> None:
    """Next week's meetings and what falls due, by time: the reader's own first (the
    meetings they take part in, wherever they are, as the Leadership sync of a head whose
    scope is their department; their own action items, the decisions they approve, the
    initiatives they own), then the scope's."""
    from accord.rhythm import queries as rhythm_queries

    nxt = week.following()
    z = zone(week.tz)
    me = reader.person.pk if reader.person is not None else None
    theirs = history.taking_part(reader.person) if reader.person is not None else []
    own = {c.pk for c in theirs}
    cadences = history.cadences_of(scope.ids)
    listed = {c.pk for c in cadences}
    cadences += [c for c in theirs if c.pk not in listed]

    def rank(kind: str, mine: bool, at: dt.datetime, sub: int, item: dict) -> _Rank:
        return _Rank(kind, 0 if mine else ROUTINE, (at, sub, item["target_id"]))

    scopes = {c.pk: teams for c, teams in history.cadences()}

    def whose(cadence) -> str:
        """Whose meetings a cadence's are, for a line among the reader's teams' (several
        teams' syncs share a title): its home team, else the one team of its scope, else
        how many teams it brings together."""
        if cadence.team_id:
            return snap.team_name(cadence.team_id)
        teams = scopes.get(cadence.pk) or set()
        if len(teams) == 1:
            return snap.team_name(next(iter(teams)))
        return f"{len(teams)} teams" if teams else org_wide

    org_wide = "the whole organization"
    for cadence in cadences:
        for occ in rhythm_queries.occurrences_of(cadence, since, nxt.end, since_created=True):
            # An all-day cadence's occurrence is a date (in its own zone), not a time.
            if occ.all_day:
                item = _item(
                    f"{cadence.name}: {_day(occ.day)} (all day).",
                    "rhythm.cadence",
                    cadence.pk,
                    name=cadence.name,
                    whose=whose(cadence),
                )
            else:
                # The moment and the name too, so a page can say it in its reader's zone
                # (`meeting_line`; a team's briefing is built in UTC).
                item = _item(
                    meeting_line(cadence.name, occ.start, z),
                    "rhythm.cadence",
                    cadence.pk,
                    at=occ.start.astimezone(dt.UTC).isoformat(),
                    name=cadence.name,
                    whose=whose(cadence),
                )
            out.add("coming_up", item, rank("meeting", cadence.pk in own, occ.start, 0, item))

    first_day = since.astimezone(z).date()

    def due(d: dt.date | None) -> bool:
        return d is not None and first_day <= d <= nxt.last_day

    def noon(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(12), z)

    for ini in history.pick(snap, "initiatives", scope.ids):
        open_ = ini.status in ("proposed", "active", "paused")
        if scope.has(ini.team_id) and open_ and due(ini.target_date):
            item = _item(
                f"Initiative “{ini.title}” ({snap.team_name(ini.team_id)}) is due "
                f"{_day(ini.target_date)}.",
                "alignment.initiative",
                ini.id,
            )
            mine = me is not None and ini.owner_id == me
            out.add("coming_up", item, rank("initiative", mine, noon(ini.target_date), 1, item))
    for dep in history.pick(snap, "dependencies", scope.ids):
        ours = scope.has(dep.requester_team_id) or scope.has(dep.provider_team_id)
        if dep.active and ours and due(dep.due):
            item = _item(
                f"{snap.team_name(dep.provider_team_id)} owes "
                f"{snap.team_name(dep.requester_team_id)} “{dep.title}” by {_day(dep.due)}.",
                "coordination.dependency",
                dep.id,
            )
            out.add("coming_up", item, rank("dependency", False, noon(dep.due), 2, item))
    for dec in history.pick(snap, "decisions", scope.ids):
        if dec.undecided and scope.any(history.teams_of(dec)) and due(dec.decide_by):
            item = _item(
                f"Decision “{dec.question}”{of_decision(dec)} is due {_day(dec.decide_by)}.",
                "decisions.decision",
                dec.id,
            )
            mine = me is not None and dec.approver_id == me
            out.add("coming_up", item, rank("decision", mine, noon(dec.decide_by), 3, item))
    # The scope's action items, and the reader's own wherever they are filed.
    owned = history.of_person(snap, "action_items", "owner_id", me) if me is not None else []
    scoped = history.pick(snap, "action_items", scope.ids)
    for ai in {ai.id: ai for ai in [*scoped, *owned]}.values():
        mine = ai.owner_id == me
        ours = mine or (ai.team_id is not None and scope.has(ai.team_id))
        if ai.status == "open" and ours and due(ai.due_on):
            whose = "Your action item" if mine else "Action"
            by = "" if mine else f" ({snap.person_name(ai.owner_id)})"
            item = _item(
                f"{whose} “{ai.title}”{by} is due {_day(ai.due_on)}.",
                "decisions.actionitem",
                ai.id,
            )
            out.add("coming_up", item, rank("action", mine, noon(ai.due_on), 4, item))


def _finish(org, week, reader, snap, history: History, headline, out: _Sections) -> dict[str, Any]:
    if reader.team is not None:
        scope_name = reader.team.name
    elif reader.scope is not None:
        scope_name = snap.team_name(reader.scope)
    else:
        scope_name = org.name
    insights = reverse("intelligence:index", kwargs={"org_slug": org.slug})
    if reader.scope is not None:
        insights += f"?scope={reader.scope}"
    slug = history.slugs.get(reader.scope, "") if reader.scope is not None else ""
    sections = []
    quiet = not any(out.items.values())
    # The lines each section shows, and those it leaves out; their links are resolved for
    # every section at once (one query per kind of object, not per kind and section).
    picked: dict[str, tuple[list, list]] = {}
    for key, _ in SECTIONS:
        items = out.items[key]
        if key == "at_risk":  # ranked as Insights ranks them
            picked[key] = items[:TOP_SIGNALS], items[TOP_SIGNALS:]
        else:
            picked[key] = _choose(items, out.rank, MAX_ITEMS)
    resolved = iter(
        intel.resolve_links(org, [it for chosen, _ in picked.values() for it in chosen])
    )
    for key, title in SECTIONS:
        items = out.items[key]
        if key == "needs_you" and reader.person is None:
            title = "What needs the team"
        if key == "coming_up":
            title = coming_up_title(week.tz)
        if not items:
            # A section a lead relies on says it is empty, so that "nothing blocked" reads
            # apart from "not covered"; a quiet week says all of it in one line instead.
            empty = _empty(key, reader, headline)
            if empty and not quiet:
                sections.append(
                    {
                        "key": key,
                        "title": title,
                        "items": [],
                        "more": 0,
                        "more_url": "",
                        "more_label": "",
                        "more_parts": [],
                        "empty": empty,
                    }
                )
            continue
        chosen, rest = picked[key]
        shown = [next(resolved) for _ in chosen]
        if key == "coming_up" and reader.person is not None:
            # The reader's own lines come first, then their teams': each line says which,
            # for the renderings to put them under their own sub-headings (`render.groups`).
            for original, it in zip(chosen, shown, strict=True):
                it["group"] = "yours" if out.rank(original).weight < ROUTINE else "teams"
                whose = it.get("whose") or ""
                named_so = whose.casefold() in (it.get("name") or "").casefold()
                if it["group"] == "teams" and whose and it.get("name") and not named_so:
                    # Several teams' meetings may share a title ("Weekly team sync"): each
                    # says whose it is, unless its title names its team ("Platform sync").
                    named = f"{it['name']} ({it['whose']})"
                    it["text"] = it["text"].replace(f"{it['name']}:", f"{named}:", 1)
                    it["name"] = named
        for it in shown:
            if "href" in it:  # a line about a list (the scope's overdue action items)
                it["url"] = it.pop("href")
            if it["target_type"] == "intelligence.signal":
                it["url"] = reverse(
                    "intelligence:signal",
                    kwargs={"org_slug": org.slug, "signal_id": int(it["target_id"])},
                )
            elif it["target_type"] == "rhythm.cadence" and it["url"] is None:
                it["url"] = insights
        more = len(rest)
        at_risk = key == "at_risk" and more
        more_url, more_label = _more(org, reader) if at_risk else ("", "")
        sections.append(
            {
                "key": key,
                "title": title,
                "items": shown,
                "more": more,
                "more_url": more_url,
                "more_label": more_label,
                # The rest by kind, each with the list that holds it (the signals: above).
                "more_parts": []
                if key == "at_risk"
                else _rest(
                    org,
                    week,
                    reader,
                    key,
                    slug,
                    [out.rank(it).kind for it in rest],
                    [out.rank(it).kind for it in items],
                    history,
                ),
            }
        )
    scope_url = (
        reverse("org:team", kwargs={"org_slug": org.slug, "team_slug": slug})
        if reader.scope is not None
        else insights
    )
    return {
        "title": f"{scope_name}: the week of {week.span()}",
        "week": week.label,
        "span": week.span(),
        "timezone": week.tz,
        "scope": {"team_id": reader.scope, "name": scope_name, "url": scope_url},
        "headline": headline,
        "sections": sections,
        "quiet": quiet,
        "quiet_text": (
            f"A quiet week for {scope_name}: nothing changed, nothing is at risk or waiting, "
            "and nothing is due next week."
            if quiet
            else ""
        ),
    }


def _empty(key: str, reader: Reader, headline: dict[str, Any]) -> str:
    """What an empty section a lead relies on says ("" for the others, left out)."""
    if key == "at_risk":
        if headline.get("critical") is None:  # no signals recorded by the week's end
            return "Not covered: no signals were recorded by the end of this week."
        return "Nothing at risk: no critical or warning signal open at the end of the week."
    if key == "needs_you":
        if not reader.acts:
            return ""  # a viewer's: nothing of it is theirs to do, so the section is left out
        who = "you" if reader.person is not None else "the team"
        return f"Nothing waits on {who}: no decision, issue or request waiting."
    if key == "blocked":
        return "Nothing blocked: no request between teams is blocked or late."
    return ""


def _more(org, reader: Reader) -> tuple[str, str]:
    """Where the signals "What is at risk" leaves out are listed, and what the link says:
    Insights' list of the scope, which is of now, not of the week's end: N counts the
    critical and warning signals open at the week's end, and the words say that the link
    is to those open now (`SIGNALS_MORE_LABEL`)."""
    url = reverse("intelligence:index", kwargs={"org_slug": org.slug})
    scope = "all" if reader.scope is None else reader.scope
    return f"{url}?scope={scope}#signals", SIGNALS_MORE_LABEL


# What the lines of each kind a section leaves out are called when counted ("and 49 more:
# 2 decisions made, ..."), one and many, by section and kind (`_Rank.kind`).
REST = {
    "changed": {
        "issue": ("issue escalated", "issues escalated"),
        "decided": ("decision made", "decisions made"),
        "reversed": ("decision reversed", "decisions reversed"),
        "keyresult": (
            "key result further from its target",
            "key results further from their targets",
        ),
        "initiative": (
            "initiative slipped, started or finished",
            "initiatives slipped, started or finished",
        ),
        "objective": ("change of confidence", "changes of confidence"),
        "dependency": ("change to a request between teams", "changes to requests between teams"),
    },
    "needs_you": {
        "issue": ("issue at your level", "issues at your level"),
        "decision": ("decision waiting on you", "decisions waiting on you"),
        "action": ("action item of yours past its date", "action items of yours past their date"),
        "overdue": (
            "line on action items past their date",
            "lines on action items past their date",
        ),
        "dependency": ("request waiting for an answer", "requests waiting for an answer"),
    },
    "blocked": {
        "cycle": ("circle of requests", "circles of requests"),
        "blocked": ("request blocked", "requests blocked"),
        "late": ("request late", "requests late"),
        "at_risk": ("request at risk", "requests at risk"),
    },
    "went_well": {
        "keyresult": ("key result closer to its target", "key results closer to their targets"),
        "delivered": ("request delivered on time", "requests delivered on time"),
        "issue": ("issue resolved", "issues resolved"),
        "team": ("team whose health rose", "teams whose health rose"),
    },
    "coming_up": {
        "meeting": ("meeting", "meetings"),
        "initiative": ("initiative due", "initiatives due"),
        "dependency": ("request due", "requests due"),
        "decision": ("decision due", "decisions due"),
        "action": ("action item due", "action items due"),
    },
}


# What the list a kind's count links to shows, when it is not just the lines counted
# (`_rest_url`): the week's events of that kind hold every change to those things, lists
# of now hold what is so today (not at the week's end, nor next week's alone). Said after
# the count, in its link, so that a reader who finds another number there knows why.
ACTIVITY_NOTE = "in the week's activity"
NOW = "listed as they are now"  # the list holds that kind, as it is today
NOW_NOTE = {
    ("needs_you", "issue"): NOW,
    ("needs_you", "decision"): NOW,
    ("needs_you", "action"): "listed: all your open action items now",
    ("needs_you", "overdue"): "listed: the team's action items now",
    ("needs_you", "dependency"): NOW,
    ("blocked", "cycle"): "shown: the circles found now",
    ("blocked", "blocked"): "listed: at risk or blocked now",
    ("blocked", "late"): NOW,
    ("blocked", "at_risk"): "listed: at risk or blocked now",
    ("went_well", "team"): "health now, on Insights",
    ("coming_up", "meeting"): "listed: every meeting series",
    ("coming_up", "initiative"): "listed: all open now, by target date",
    ("coming_up", "dependency"): "listed: all active now",
    ("coming_up", "decision"): NOW,
    ("coming_up", "action"): "listed: all open now",
}
ACTIVITY_KINDS = {
    "changed": {
        "issue": "decisions.issue",
        "reversed": "decisions.decision",
        "keyresult": "alignment.keyresult",
        "initiative": "alignment.initiative",
        "objective": "alignment.objective",
        "dependency": "coordination.dependency",
    },
    "went_well": {
        "issue": "decisions.issue",
        "keyresult": "alignment.keyresult",
        "delivered": "coordination.dependency",
    },
}


def _rest(
    org,
    week: Week,
    reader: Reader,
    key: str,
    slug: str,
    kinds: list[str],
    every: list[str],
    history: History,
) -> list[dict]:
    """The lines a section leaves out, counted by kind (`kinds`: theirs, in the order the
    section ranks them; `every`: the kinds of all its lines), each with the list that holds
    them (`_rest_url`) and, in its words, what that list shows when it is more than the
    lines counted: the week's decisions on the decision log by when they were decided
    (with those shown above), the week's other changes of a kind among the activity's
    events, lists of now for the rest ("now": the count is of the week)."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    words = REST.get(key, {})
    level = "your level" if reader.person is not None else "the team's level"  # a team's own
    parts: list[dict] = []
    if key == "coming_up" and len(counts) > 2 and len(kinds) > COMING_UP_BY_KIND:
        return [_coming_up_rest(org, reader, slug, counts)]
    for kind, n in counts.items():
        url = _rest_url(org, week, reader, key, kind, slug, history)
        label = counted(n, *words.get(kind, ("more", "more"))).replace("your level", level)
        total = every.count(kind)
        note = NOW_NOTE.get((key, kind), "")
        listed = _listed_now(org, url) if (key, kind) in COUNTED_NOW else None
        if listed is not None:
            # The list is of now: its count now beside the week's, read by the list's own
            # query, so the number a reader is told is the number of rows the link shows.
            same = next((p for p in parts if p["url"] == url and "listed" in p), None)
            if same is not None:  # blocked and at risk: one list, one count of it
                same["label"] = same["label"].replace(" (", f", {label} (", 1)
                same["count"] += n
                continue
            when = _day(timezone.localtime(timezone.now(), zone(week.tz)).date())
            what = LISTED_WORDS.get(kind, "")
            parts.append(
                {"count": n, "label": f"{label} ({what}the list on {when}: {listed})", "url": url}
            )
            parts[-1]["listed"] = listed
            continue
        if kind in ACTIVITY_KINDS.get(key, {}):
            note = ACTIVITY_NOTE
        elif key == "changed" and kind == "decided":
            if total > n:  # the log lists the week's decisions, those shown above too
                note = f"the week's log: all {total}, including those above"
        elif note and total > n:  # a list of now holds those shown above too
            note += ", including those above"
        part = {"count": n, "label": label, "url": url}
        if key == "coming_up" and kind == "meeting" and url:
            # Said plainly: the link lists meeting series (the meetings above among them),
            # not the meetings counted; alone, the whole "and N more" says it.
            series = MEETING_SERIES[reader.person is not None if slug else None]
            part["label"] = f"{label} (see {series})"
            part["alone"] = f"{counted(n, 'more meeting', 'more meetings')} — see {series}"
        elif url and note:
            part["label"] = f"{label} ({note})"
        parts.append(part)
    return parts


# The counts whose link is a list of now that says how many it holds (`_listed_now`): the
# briefing says that number beside its own, of the week.
COUNTED_NOW = {
    ("needs_you", "dependency"),
    ("blocked", "late"),
    ("blocked", "blocked"),
    ("blocked", "at_risk"),
    ("coming_up", "decision"),
}


# What a list of now holds beyond the lines' own reading, said before its count: the list
# of requests at risk counts every reason one is (a commitment after the need-by date, a
# provider's plan that ends later, is paused or blocked), the lines those flagged so or
# predicted late.
LISTED_WORDS = {
    "blocked": "at risk for any reason and not late: ",
    "at_risk": "at risk for any reason and not late: ",
}


def _listed_now(org, url: str) -> int | None:
    """How many rows the list at `url` (a list of requests or the decision log, with the
    query a briefing links with) holds now: its own query function (`coordination.queries
    .filtered`, `decisions.queries.filter_log`) read with that query's filters, so that a
    count and the list it links to agree. None: not such a list (or no such team)."""
    from urllib.parse import parse_qsl, urlsplit

    from accord.coordination import queries as coordination_queries

    path, query = urlsplit(url)[2], dict(parse_qsl(urlsplit(url)[3]))
    team = None
    if query.get("team"):
        team = Team.objects.for_org(org).filter(slug=query["team"]).first()
        if team is None:
            return None
    only = query.get("only") == "1"
    yes_no = {"1": True, "0": False}
    if path == reverse("coordination:list", kwargs={"org_slug": org.slug}):
        return coordination_queries.filtered(
            org,
            team=team,
            only=only,
            waiting=query.get("waiting") == "1",
            active=yes_no.get(query.get("active", "")),
            late=yes_no.get(query.get("late", "")),
            at_risk=yes_no.get(query.get("at_risk", "")),
        ).count()
    if path == reverse("decisions:index", kwargs={"org_slug": org.slug}):

        def date(name: str) -> dt.date | None:
            return dt.date.fromisoformat(query[name]) if query.get(name) else None

        return decision_queries.filter_log(
            org,
            team=team,
            only=only,
            status=query.get("status", ""),
            due_since=date("due_since"),
            due_until=date("due_until"),
        ).count()
    return None


def _coming_up_rest(org, reader: Reader, slug: str, counts: dict[str, int]) -> dict:
    """The rest of "Coming up" when of several kinds: one short line ("and 509 more: 223
    meetings, 286 items due"), linked to the meeting series of the reader's teams, rather
    than a clause and a list for each kind."""
    meetings = counts.get("meeting", 0)
    due = sum(n for kind, n in counts.items() if kind != "meeting")
    total = meetings + due
    said = [counted(meetings, "meeting")] if meetings else []
    said += [f"{counted(due, 'item')} due"] if due else []
    series = MEETING_SERIES[reader.person is not None if slug else None]
    url = reverse("rhythm:cadences", kwargs={"org_slug": org.slug})
    url += f"?{urlencode({'team': slug})}" if slug else ""
    label = f"{counted(total, 'more', 'more')} ({', '.join(said)})"
    return {"count": total, "label": label, "url": url, "alone": f"{label} — see {series}"}


# Whose meeting series the list of "and N more meetings" holds: a person's scope, a
# team's, the organization's (None).
MEETING_SERIES = {
    True: "all your teams' meeting series",
    False: "all the team's meeting series",
    None: "every meeting series",
}


def _rest_url(org, week: Week, reader: Reader, key: str, kind: str, slug: str, history) -> str:
    """The list that holds a section's lines of `kind` ("" when none does). `slug`: the
    scope's team; for the organization, each list's every team. `history`: where the
    teams' addresses are read from (once for the briefings built together). A count of
    the week links to the week's days where the list has a filter of days (the decision
    log by when decided, the activity); what it shows beyond the lines counted, the
    count's words say (`NOW_NOTE`)."""
    o = {"org_slug": org.slug}
    team = {"team": slug} if slug else {}
    days = {"since": week.start.date().isoformat(), "until": week.last_day.isoformat()}

    def at(name: str, query: dict[str, str]) -> str:
        url = reverse(name, kwargs=o)
        return f"{url}?{urlencode(query)}" if query else url

    def led() -> str:
        return history.slugs.get(next(iter(reader.levels)), "")

    target = ACTIVITY_KINDS.get(key, {}).get(kind)
    if target:  # the week's events on things of that kind (and the scope's teams)
        return at("web:activity", {"type": target, **days, **team})
    if key == "changed":
        if kind == "decided":
            decided = {"decided_since": days["since"], "decided_until": days["until"]}
            return at("decisions:index", {**decided, **team})
        return ""
    if key == "needs_you":
        if kind == "issue":
            # The issues at the reader's level: of the one team they lead alone; else the scope.
            if len(reader.levels) == 1:
                return at("decisions:issues", {"team": led(), "only": "1"})
            return at("decisions:issues", {"team": slug})
        if kind == "decision" and reader.person is not None:
            return at("decisions:waiting", {})
        if kind == "action" and reader.person is not None:
            return at("decisions:actions", {"person": str(reader.person.pk)})
        if kind == "overdue":  # the scope's action items (the organization's: its top team's)
            top = slug or history.top_slug
            return at("decisions:actions", {"team": top}) if top else ""
        if kind == "dependency":
            if len(reader.levels) == 1:
                answering = {"team": led()} | ({} if reader.below else {"only": "1"})
            else:
                answering = team
            return at("coordination:list", {**answering, "waiting": "1"})
        return ""
    if key == "blocked":
        if kind == "cycle":  # the dependencies' overview draws the circles of its scope
            return at("coordination:index", {"team": slug})
        if kind == "late":
            return at("coordination:list", {**team, "late": "1"})
        # Blocked or at risk, and not late: the late are counted, and listed, as late.
        return at("coordination:list", {**team, "at_risk": "1", "late": "0"})
    if key == "went_well":
        if kind == "team":
            return at("intelligence:index", {"scope": str(reader.scope or "all")})
        return ""
    if key == "coming_up":
        if kind == "meeting":
            return at("rhythm:cadences", team)
        if kind == "initiative":
            return at("alignment:initiatives", {**team, "status": "open", "sort": "target"})
        if kind == "dependency":
            return at("coordination:list", {**team, "active": "1"})
        if kind == "decision":
            # Open or proposed (both wait for their decision, `UNDECIDED`) and due next
            # week, by their decide-by date: what the lines count (`_coming_up`).
            nxt = week.following()
            first = coming_from(week).astimezone(zone(week.tz)).date()
            due = {"due_since": first.isoformat(), "due_until": nxt.last_day.isoformat()}
            return at("decisions:index", {**team, "status": "undecided", **due})
        if kind == "action":
            # The organization's: its one top team's list (with several, none lists them).
            top = slug or history.top_slug
            return at("decisions:actions", {"team": top}) if top else ""
    return ""


# What "and N more" of "At risk" says of its link: N is of the week's end, the link of now.
SIGNALS_MORE_LABEL = "critical or warning at the week's end; the signals open now are on Insights"


def changes_label(span: str, team_name: str = "") -> str:
    """What "and N more" of "What changed" says of its link: the activity page of the
    week's days (and the scope's teams), where those changes are among every event."""
    where = f" in {team_name} and the teams below it" if team_name else ""
    return f"among every event of {span}{where}, in the activity"
