"""A meeting's agenda, built from live data at the moment it is asked for.

Each agenda section names a source (templates_catalog.SECTION_SOURCES); a source is a
function that returns plain items — dicts with a stable `ref`, a `title`, a `detail`
and a `tone` (ok / warn / bad) — for the cadence's scope. When the meeting starts the
result is stored as its snapshot and never recomputed.

Each source does a bounded number of queries, whatever the size of the organization,
and yields its items lazily: a section shows its first screen (FIRST_SCREEN items) and
says when there are more, which the reader opens on demand; a whole-organization agenda
never loads the whole organization.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice
from zoneinfo import ZoneInfo

from django.db.models import Exists, Min, OuterRef, Q, QuerySet
from django.template.defaultfilters import floatformat
from django.utils import timezone

from accord.alignment import confidence as bands
from accord.alignment.blocked import unplanned_declines
from accord.alignment.progress import pace as kr_pace
from accord.alignment.progress import pace_share
from accord.core.counting import count_up_to, shown_count
from accord.core.days import org_day
from accord.org.models import Organization, Person, Team
from accord.org.queries import covers_every_team, only_top_team, subtree_ids
from accord.rhythm import links, queries, recurrence, scorecard
from accord.rhythm.models import (
    Cadence,
    CheckIn,
    CheckInStatus,
    Headline,
    Meeting,
    Participation,
    Scope,
)
from accord.web.templatetags.dates import day
from accord.web.templatetags.people import name_of

FIRST_SCREEN = 10  # items a section shows before "show more"
MORE_MAX = 500  # the most items one section shows when opened
SNAPSHOT_MAX = 100  # items per section frozen when a meeting starts
# Rows read at a time by sources that filter in Python: a few first, as a screen of ten
# items usually comes from them, then twice as many each time up to CHUNK.
FIRST_CHUNK = 30
CHUNK = 200

MILESTONE_HORIZON_DAYS = 21  # milestones this near a meeting are on its agenda

KR_BEHIND_POINTS = 25  # a key result this far behind the period's elapsed share is off track


@dataclass
class Context:
    org: Organization
    cadence: Cadence
    team_ids: set[int] | None  # None: every team (a whole-organization cadence)
    # The participants' ids (`participant_ids`), or None: everyone.
    person_ids: list[int] | QuerySet | None
    since: dt.datetime  # the previous occurrence's start
    until: dt.datetime  # this occurrence's start
    now: dt.datetime
    # The scope holds a root team: what belongs to the whole organization is its business.
    has_root: bool = False
    # The stored meeting the agenda is of (None: a preview of an occurrence nobody opened):
    # the headlines shared for it ahead are on it.
    meeting_id: int | None = None
    # The meeting itself (stored, or not yet: a live agenda's), None for a preview: what
    # its cadence's last meeting agreed is before it (`_agreed_last_time`).
    meeting: Meeting | None = None
    # The initiatives the cadence is the sync of (`Cadence.initiatives`): its agenda is
    # about them (`_initiative_work`, and its decisions and action items its own).
    initiative_ids: list[int] = field(default_factory=list)

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def teams(self, field: str = "team_id") -> Q:
        """Rows of the cadence's teams (everything for a whole-organization cadence)."""
        return Q() if self.team_ids is None else Q(**{f"{field}__in": self.team_ids})

    def people(self, field: str) -> Q:
        return Q() if self.person_ids is None else Q(**{f"{field}__in": self.person_ids})


# Up to this many participants' ids are given to each source's filter as a list; more, as
# a subquery.
IDS_AS_LIST = 500


def participant_ids(org: Organization, cadence: Cadence) -> list[int] | QuerySet:
    """The cadence's participants' ids: a list when they are few (both databases plan a
    filter by a short list of ids best: PostgreSQL misjudged a team's people as a
    subquery by a thousand times), a subquery when they are many (a division's 11,000 ids
    as parameters of every filter cost more than the filter)."""
    people = queries.participants_query(org, cadence).order_by().values_list("id", flat=True)
    few = list(people[: IDS_AS_LIST + 1])
    return few if len(few) <= IDS_AS_LIST else people


def context(
    org: Organization, cadence: Cadence, meeting: Meeting | None, now: dt.datetime | None = None
) -> Context:
    now = now or timezone.now()
    until = meeting.scheduled_start if meeting is not None else now
    previous = queries.previous_occurrence(cadence, until - dt.timedelta(seconds=1))
    since = previous.start if previous is not None else until - dt.timedelta(days=7)
    # A sub-tree of the only team at the top is the whole organization's meeting: listing
    # its 10,000 teams and 100,000 people made every source filter by them (1.6 s).
    every = queries.spans_every_team(cadence)
    team_ids = None if every else queries.scope_team_ids(org, cadence)
    # Everyone in every team is no filter; the leads of every team are.
    everyone = every and cadence.participation != Participation.LEADS
    return Context(
        org=org,
        cadence=cadence,
        team_ids=team_ids,
        person_ids=None if everyone else participant_ids(org, cadence),
        since=since,
        until=until,
        now=now,
        has_root=bool(team_ids)
        and Team.objects.for_org(org).filter(pk__in=team_ids, parent__isnull=True).exists(),
        meeting_id=meeting.pk if meeting is not None else None,
        meeting=meeting,
        initiative_ids=sorted(cadence.initiatives.values_list("pk", flat=True)),
    )


def _scan(qs, chunk: Callable[[list], Iterable[dict]]) -> Iterator[dict]:
    """Items from `qs` read in chunks of FIRST_CHUNK rows growing to CHUNK, each chunk
    turned into items by `chunk` (which may drop rows and query what it needs for those
    rows only)."""
    offset, size = 0, FIRST_CHUNK
    while True:
        rows = list(qs[offset : offset + size])
        yield from chunk(rows)
        if len(rows) < size:
            return
        offset += size
        size = min(CHUNK, size * 2)


def _rows(qs) -> Iterator:
    """The rows of `qs` read a chunk at a time (`_scan`): each read has a LIMIT, so the
    database reads the first rows off an index in the query's order rather than sorting
    every match."""
    return _scan(qs, lambda rows: rows)


class Listed:
    """A source's items (iterated lazily) that can also tell, without reading its items,
    which of some ids of one kind of item (`kind`, the kind its items' refs name) it lists,
    however far down (`listed`): what a meeting carries forward is checked against every
    item of each section, not only those of its first screen (`listed_refs`)."""

    def __init__(
        self, items: Iterable[dict], kind: str, among: Callable[[list[int]], Iterable[int]]
    ):
        self.items, self.kind, self._among = iter(items), kind, among

    def __iter__(self) -> Iterator[dict]:
        return self.items

    def listed(self, ids: list[int]) -> set[int]:
        return set(self._among(ids)) if ids else set()


class Counted(Listed):
    """A source's items (iterated lazily) with the rows they come from (`rows`, a
    queryset): when a section is cut, `build` counts them, up to COUNT_UP_TO ("first 10 of
    1,000+"), one query, only for a section that has more. Which ids of `kind` it lists is
    a filter of those rows."""

    def __init__(self, items: Iterable[dict], rows: QuerySet, kind: str):
        super().__init__(
            items, kind, lambda ids: rows.filter(pk__in=ids).values_list("pk", flat=True)
        )
        self.rows = rows


def item(ref: str, title: str, detail: str = "", tone: str = "", **extra) -> dict:
    return {"ref": ref, "title": title, "detail": detail, "tone": tone, **extra}


# --- sources -------------------------------------------------------------------------------


def _given_by(ctx: Context, prefix: str = "") -> Q:
    """Check-ins known at this occurrence: of rounds due by then, and of rounds due after
    it given before it (a Monday pulse filled in on Saturday is news at Monday morning's
    meeting, whatever the round's due time)."""
    return Q(**{f"{prefix}occurrence_start__lte": ctx.until}) | Q(
        **{f"{prefix}submitted_at__lte": ctx.until}
    )


def _checkin_rows(ctx: Context) -> QuerySet:
    """The participants' check-ins of the latest rounds before this occurrence: since the
    week before the previous one, and those given before it of rounds due after it."""
    return (
        CheckIn.objects.for_org(ctx.org)
        .filter(ctx.people("person_id"), cadence__kind="checkin")
        .filter(occurrence_start__gt=ctx.since - dt.timedelta(days=7))
        .filter(_given_by(ctx))
        .select_related("person", "blocker_team")
        .order_by("-occurrence_start", "person__name")
    )


def _blocker_item(ci: CheckIn, ctx: Context | None = None) -> dict:
    who = f" (needs {ci.blocker_team.name})" if ci.blocker_team else ""
    # Of another team than the meeting's (`ctx`): that team named first.
    team = ci.cadence.team if ctx is not None else None
    of = f"{team.name} · " if team is not None and team.pk != ctx.cadence.team_id else ""
    detail = f"{of}Blocked{who}: {ci.blockers[:200]}"
    return item(f"checkin:{ci.pk}", ci.person.name, detail, "bad")


def _checkin_blockers(ctx: Context) -> Iterator[dict]:
    """Open blockers: each participant's latest check-in of a round (of any check-in
    cadence of theirs) that names one. A blocker is open until a later check-in of the same
    cadence replaces it (a missed one does not: nothing was said). The rows that name a
    blocker and have no later check-in are found by the database, not read one by one."""
    later = (
        CheckIn.objects.filter(
            person_id=OuterRef("person_id"),
            cadence_id=OuterRef("cadence_id"),
            occurrence_start__gt=OuterRef("occurrence_start"),
        )
        .filter(_given_by(ctx))
        .exclude(status=CheckInStatus.MISSED)
    )
    # Newest round first, then by the cadence's team (what blocks one team reads together),
    # then by person.
    rows = (
        _checkin_rows(ctx)
        .exclude(status=CheckInStatus.MISSED)
        .exclude(blockers="")
        .filter(~Exists(later))
        .select_related("cadence__team")
        .order_by("-occurrence_start", "cadence__team__name", "person__name", "id")
    )
    seen: set[int] = set()
    for ci in _rows(rows):
        if ci.person_id not in seen:
            seen.add(ci.person_id)
            yield _blocker_item(ci, ctx)


def _checkins(ctx: Context) -> Iterator[dict]:
    rows = _checkin_rows(ctx)
    seen: set[int] = set()
    for ci in rows.iterator(chunk_size=CHUNK):
        if ci.person_id in seen:
            continue
        seen.add(ci.person_id)
        if ci.status == CheckInStatus.MISSED:
            yield item(f"checkin:{ci.pk}", ci.person.name, "No check-in.", "bad")
            continue
        if ci.blockers:
            yield _blocker_item(ci)
            continue
        tone = "ok" if ci.status == CheckInStatus.ON_TIME else "warn"
        yield item(f"checkin:{ci.pk}", ci.person.name, ci.highlights[:200], tone)


def _top_of_tree(ctx: Context) -> bool:
    """Whether the meeting is the organization's: a whole-organization cadence, or one of
    the only team at the top (the leadership's, which reviews every team's objectives and
    dependencies too: `_objectives_in_scope`, `_side_team_ids`)."""
    cadence = ctx.cadence
    return ctx.team_ids is None or (
        cadence.scope == Scope.TEAM and cadence.team is not None and covers_every_team(cadence.team)
    )


def _scorecard_team_ids(ctx: Context):
    """The teams whose scorecards the meeting reviews: the cadence's; the organization's
    meeting, the top of the tree (the root teams and the teams just below them), not every
    team's."""
    if not _top_of_tree(ctx):
        return ctx.team_ids
    return (
        Team.objects.for_org(ctx.org)
        .filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
        .values_list("id", flat=True)
    )


def scorecard_empty(ctx: Context) -> tuple[str, str, str]:
    """Why a meeting's scorecard section lists nothing, in one line, and where to add
    measurables: (text, link text, link)."""
    from django.urls import reverse

    def page(team: Team) -> str:
        return (
            reverse("rhythm:team", kwargs={"org_slug": ctx.org.slug, "team_slug": team.slug})
            + "#score-h"
        )

    each = "each team adds its weekly numbers, each with an owner and a goal, on its scorecard."
    if _top_of_tree(ctx):
        root = only_top_team(ctx.org)
        top = root.name if root is not None else "the top teams"
        text = f"No measurables on the scorecards of {top} or the teams just below it: {each}"
        if root is not None:
            return text, f"Add them to the scorecard of {root.name}", page(root)
        return text, "", ""
    teams = list(Team.objects.for_org(ctx.org).filter(pk__in=ctx.team_ids or [])[:2])
    if len(teams) == 1:
        return (
            f"No measurables on the scorecard of {teams[0].name} yet: a few weekly numbers, "
            "each with an owner and a goal, are reviewed here.",
            f"Add them to the scorecard of {teams[0].name}",
            page(teams[0]),
        )
    return f"No measurables on the scorecards of this meeting's teams yet: {each}", "", ""


def _meeting_day(ctx: Context) -> dt.date:
    """The meeting's own day in its cadence's zone: an all-day date begins at midnight
    there, which east of Greenwich is the day before in UTC."""
    return ctx.until.astimezone(recurrence.zone(ctx.cadence.timezone)).date()


def _metrics(ctx: Context) -> list[dict]:
    day_of = _meeting_day(ctx)
    week = day_of - dt.timedelta(days=day_of.weekday())
    rows = scorecard.team_scorecards(ctx.org, _scorecard_team_ids(ctx), weeks=2, until=week)
    out = []
    for row in rows:
        # This week's value, or last week's while this week's is not in yet.
        known = [c for c in row.cells if c.value is not None]
        latest = known[-1] if known else None
        value = latest.value if latest else None
        tone = {"green": "ok", "amber": "warn", "red": "bad"}.get(latest.rag if latest else "", "")
        shown = "no value yet" if value is None else f"{_fmt(value)} {row.measurable.unit}".strip()
        out.append(
            item(
                f"measurable:{row.measurable.pk}",
                f"{row.measurable.name} ({row.measurable.team.name})",
                f"{shown}; goal {row.goal_text}",
                tone or "warn",
            )
        )
    out.sort(key=lambda i: {"bad": 0, "warn": 1, "ok": 2}.get(i["tone"], 1))
    return out


def _fmt(value: Decimal | float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _objective_filter(ctx: Context, mine: Q | None = None) -> Q:
    """Objectives of the cadence's teams (or of `mine`); a cadence of the root team also
    reviews the organization's own objectives (with or without a team)."""
    mine = ctx.teams("team_id") if mine is None else mine
    if ctx.has_root:
        from accord.alignment.models import Objective, ObjectiveLevel

        # One set of ids, each part off an index: joined by OR beside the title order,
        # SQLite read every objective of the organization by title (33 ms a section at
        # 10,000 teams, two sections an agenda).
        own = Objective.objects.for_org(ctx.org).order_by()
        ids = own.filter(mine).values("id")
        ids = ids.union(
            own.filter(team__isnull=True).values("id"),
            own.filter(level=ObjectiveLevel.ORG).values("id"),
        )
        return Q(pk__in=ids)
    return mine


def _key_results(ctx: Context) -> Iterable[dict]:
    from accord.alignment.models import (
        OPEN_OBJECTIVE_STATUSES,
        KeyResult,
        KeyResultValue,
        Objective,
        PeriodState,
    )
    from accord.alignment.progress import kr_progress

    # Objectives in title order off their (org, title, id) index, then the key results of
    # each chunk of them by objective: asked for key results in their objectives' title
    # order, SQLite read and sorted every key result of the organization first.
    objectives = (
        Objective.objects.for_org(ctx.org)
        .filter(status__in=OPEN_OBJECTIVE_STATUSES)
        .exclude(period__state=PeriodState.CLOSED)  # history, not for review
        .filter(_objective_filter(ctx))
        .select_related("period", "team")
        .order_by("title", "id")
    )

    def chunk(objs: list) -> list[dict]:
        place = {o.pk: (i, o) for i, o in enumerate(objs)}
        # By objective (these are the organization's): the objective's index, not the
        # organization's.
        krs = list(
            KeyResult.objects.filter(objective__in=objs)
            .select_related("owner")
            .annotate(opened=Min("values__recorded_at"))  # where its pace starts
            .order_by()
        )
        for kr in krs:
            kr.objective = place[kr.objective_id][1]
        krs.sort(key=lambda kr: (place[kr.objective_id][0], kr.position, kr.pk))
        return _key_result_items(ctx, krs, kr_progress, KeyResultValue)

    # Those behind pace first (each chunk's furthest behind first), then those that moved
    # since the last meeting, kept aside as they are read: they are listed only once every
    # key result was read, when the first screen (or the section opened further) is not
    # filled by those behind.
    others: list[dict] = []

    def behind_first(items: list[dict]) -> list[dict]:
        others.extend(i for i in items if not i["behind_by"])
        return sorted((i for i in items if i["behind_by"]), key=lambda i: -i["behind_by"])

    def among(ids: list[int]) -> list[int]:
        # Which of these key results the section lists: those of its objectives that moved
        # or are behind (`_key_result_items`), read for these few only.
        krs = list(
            KeyResult.objects.filter(pk__in=ids, objective__in=objectives.order_by().values("pk"))
            .select_related("owner", "objective__period", "objective__team")
            .annotate(opened=Min("values__recorded_at"))
            .order_by()
        )
        found = _key_result_items(ctx, krs, kr_progress, KeyResultValue)
        return [int(i["ref"].split(":")[1]) for i in found]

    items = chain(_scan(objectives, lambda objs: behind_first(chunk(objs))), iter(others))
    return Listed(items, "kr", among)


# A period ending this many days after a meeting is the one it reviews: a quarterly
# planning meets on the quarter's last business day, before a weekend or holiday ends it.
REVIEW_AHEAD_DAYS = 7


def reviewed_period(org: Organization, when: dt.datetime):
    """The period a meeting at `when` reviews ("How the quarter went"): of those begun by
    its day that have ended, end within REVIEW_AHEAD_DAYS or were closed by then, the
    latest to end, a quarter before any other kind; None when there is none. Never a period
    that starts later (the next quarter, made current before the meeting)."""
    from accord.alignment.models import Period, PeriodKind

    today = timezone.localdate(when)
    ahead = today + dt.timedelta(days=REVIEW_AHEAD_DAYS)
    found = list(
        Period.objects.for_org(org)
        .filter(start__lte=today)
        .filter(Q(end__lte=ahead) | Q(closed_at__lte=when))
        .order_by("-end", "start", "pk")[:20]
    )
    return min(
        found,
        key=lambda p: (p.kind != PeriodKind.QUARTER, -p.end.toordinal(), p.end - p.start, p.pk),
        default=None,
    )


def _quarter_results(ctx: Context) -> Iterable[dict]:
    """How the quarter went: the key results of the period under review (`reviewed_period`
    as of the meeting) with where each ended (its frozen value once the period closed),
    best first within each objective's, by objective title. Dropped objectives are left
    out."""
    from accord.alignment.models import KeyResult, Objective, ObjectiveStatus
    from accord.alignment.progress import kr_progress, outside_limit

    period = reviewed_period(ctx.org, ctx.until)
    if period is None:
        return iter(())
    objectives = (
        Objective.objects.for_org(ctx.org)
        .filter(period=period)
        .exclude(status=ObjectiveStatus.DROPPED)
        .filter(_objective_filter(ctx))
        .select_related("period", "team")
        .order_by("title", "id")
    )
    ended = period.is_closed or period.end < timezone.localdate(ctx.until)

    def chunk(objs: list) -> list[dict]:
        place = {o.pk: (i, o) for i, o in enumerate(objs)}
        krs = list(
            KeyResult.objects.filter(objective__in=objs)
            .select_related("owner", "frozen")
            .order_by()
        )
        krs.sort(key=lambda kr: (place[kr.objective_id][0], kr.position, kr.pk))
        out = []
        for kr in krs:
            objective = place[kr.objective_id][1]
            frozen = getattr(kr, "frozen", None) if period.is_closed else None
            value = frozen.value if frozen else kr.current
            progress = frozen.progress if frozen else kr_progress(kr)
            done = frozen.done if frozen else kr.done
            where = f"{_fmt(value)} {kr.unit}".rstrip()
            when = (
                f"at the end of {period.name}"
                if ended
                else f"as {period.name} ends ({day(period.end)})"
            )
            # A level to hold on the wrong side of its limit says so, not its partial
            # credit as a share done (`progress.outside_limit`, of the value it ended at).
            outside = outside_limit(
                kr.direction,
                kr.target,
                value,
                low=kr.range_low,
                high=kr.range_high,
                is_milestone=kr.is_milestone,
            )
            detail = f"{outside or f'{progress:.0f}% done'}, {where} {when}"
            detail += f" · of “{objective.title}”"
            if objective.status != ObjectiveStatus.ACTIVE:
                detail += f" ({objective.get_status_display().lower()})"
            team = objective.team if objective.team_id else None
            if team is not None and team.pk != ctx.cadence.team_id:
                detail += f" · {team.name}"
            tone = "ok" if done or progress >= 100 else "warn" if progress >= 70 else "bad"
            if outside:
                tone = "bad"
            out.append(
                item(
                    f"kr:{kr.pk}",
                    kr.name,
                    detail,
                    tone,
                    owner=name_of(kr.owner),
                )
            )
        return out

    return Listed(
        _scan(objectives, chunk),
        "kr",
        lambda ids: KeyResult.objects.filter(
            pk__in=ids, objective__in=objectives.order_by().values("pk")
        ).values_list("pk", flat=True),
    )


def _key_result_items(ctx: Context, krs: list, kr_progress, KeyResultValue) -> list[dict]:
    """The items of `krs` that moved since the last meeting, are behind pace, or are levels
    to hold on the wrong side of their limit (`progress.kr_outside_limit`: said in its
    words, not as a share done), with `behind_by`: the points behind the share of its time
    gone (a level outside its limit, the points short of holding it), 0 when not behind."""
    from accord.alignment.progress import kr_outside_limit

    moved: dict[int, list[float]] = {}
    for kr_id, value in (
        # By key result (these are the organization's): the key result's index, not the
        # organization's.
        KeyResultValue.objects.filter(
            key_result__in=krs, recorded_at__gt=ctx.since, recorded_at__lte=ctx.now
        )
        .order_by("recorded_at", "id")
        .values_list("key_result_id", "value")
    ):
        moved.setdefault(kr_id, []).append(value)
    out = []
    # The share of the period gone as the key result's page counts it (alignment's `pace`,
    # on the organization's day, rounded as its page rounds), so both say the same to
    # every reader, and what the key_results.off_pace signal says.
    today = org_day(ctx.now)
    for kr in krs:
        period = kr.objective.period
        progress = kr_progress(kr)
        late, gone = _behind(kr, progress, today)
        outside = kr_outside_limit(kr)
        if kr.pk not in moved and not late and not outside:
            continue
        share = floatformat(gone["elapsed"], 0)
        done = outside or f"{progress:.0f}% done"
        if gone.get("from"):  # added after the period's first weeks: paced from then
            detail = (
                f"{done}, {share}% of its time gone, from {day(gone['from'])} "
                f"to the end of {period.name}"
            )
        else:
            detail = f"{done}, {share}% of {period.name} gone"
        if kr.pk in moved:  # "moved to": true still when read in the minutes, unlike "now"
            detail = f"moved to {_fmt(kr.current)} {kr.unit}".rstrip() + f" · {detail}"
        # Whose it is: its objective, and its team when not the meeting's own (two key
        # results of one name are told apart).
        objective = kr.objective
        detail += f" · of “{objective.title}”"
        team = getattr(objective, "team", None) if objective.team_id else None
        if team is not None and team.pk != ctx.cadence.team_id:
            detail += f" ({team.name})"
        out.append(
            item(
                f"kr:{kr.pk}",
                kr.name,
                detail,
                "bad" if late or outside else "ok",
                owner=name_of(kr.owner),
                behind_by=(
                    (gone["elapsed"] or 0) - progress if late else 100 - progress if outside else 0
                ),
            )
        )
    return out


def _behind(kr, progress: float, today: dt.date) -> tuple[bool, dict]:
    """Whether the key result (its objective's period read) is behind pace on `today`, and
    its pace (alignment's `pace`, with "from": the day its time runs from when not the
    period's start): not done, more than KR_BEHIND_POINTS behind the share of its time gone,
    counted as its page counts it (`pace_share`: from its baseline date, or from when it
    was added after the period's first weeks; `kr.opened`, its first value's moment, when
    the query annotated it)."""
    period = kr.objective.period
    opened = min(
        (t for t in (getattr(kr, "opened", None), kr.created_at) if t is not None), default=None
    )
    elapsed, since = pace_share(today, period.start, period.end, kr.baseline_date, opened)
    if elapsed is None:  # not under way: as before, the share of the period (0 or 100%)
        span = max(1, (period.end - period.start).days)
        elapsed = (today - period.start).days / span
    gone = {**kr_pace(progress, kr.direction, kr.is_milestone, elapsed), "from": since}
    return not kr.done and progress < gone["elapsed"] - KR_BEHIND_POINTS, gone


def _objectives_in_scope(ctx: Context) -> Q:
    """The objectives "Objectives at risk" reviews: those of the teams whose dependencies
    the agenda reviews (`_either_side`). A team's meeting covers the teams below it too: a
    department's, its teams'; the only team at the top (the leadership's), every team's."""
    cadence = ctx.cadence
    if ctx.team_ids is None or cadence.scope != Scope.TEAM or cadence.team is None:
        return _objective_filter(ctx)
    if covers_every_team(cadence.team):
        return Q()
    return _objective_filter(ctx, Q(team_id__in=subtree_ids(cadence.team)))


def _objectives(ctx: Context) -> Iterator[dict]:
    """ "Objectives at risk": the open objectives in scope whose confidence is at risk or
    off track, each saying why: its band, how far it dropped since the last meeting, and
    its key results behind pace."""

    def chunk(objectives: list) -> list[dict]:
        return _objective_items(ctx, objectives)

    # Only what is at risk is read (the confidence bands' one rule, `bands.at_risk`): an
    # objective rated on track is not at risk, however far it dropped since the last
    # meeting (8 to 7 is still on track). Filtered by the database: a whole organization
    # with few objectives at risk is never read in full.
    # The lowest confidence first, then by title: what is worst reads first. Ordered by
    # confidence, SQLite sorted all 13,000 objectives at risk of a 10,000-team organization
    # for each chunk (170 ms). The first screen is one query of the first rows of each
    # level of confidence, each read off the (org, title, id) index (`_first_by_levels`):
    # 10 ms; opened further, each level is read in turn, off the same index.
    at_risk = _objectives_at_risk(ctx)
    levels = range(1, bands.AT_RISK_MAX + 1)

    def batches() -> Iterator[list]:
        first = _first_by_levels(at_risk, levels, FIRST_CHUNK)
        yield first
        if len(first) < FIRST_CHUNK:
            return
        # Opened further ("show more"): each level read in turn in chunks, past those read.
        skip = len(first)
        rows = at_risk.select_related("owner", "team", "period")
        for level in levels:
            by_title = rows.filter(confidence=level).order_by("title", "id")
            for objs in _scan(by_title, lambda chunk: [chunk]):
                dropped, skip = min(skip, len(objs)), skip - min(skip, len(objs))
                if objs[dropped:]:
                    yield objs[dropped:]

    items = (i for objs in batches() for i in _objective_items(ctx, objs))
    return Counted(items, at_risk, "objective")


def _first_by_levels(rows: QuerySet, levels: Iterable[int], size: int) -> list:
    """The first `size` objectives of `rows` by confidence, then title, in one query: the
    first `size` of each level (a LIMIT subquery each, off the title index) hold them;
    only those are sorted."""
    from accord.alignment.models import Objective

    first = Q()
    for level in levels:
        by_title = rows.filter(confidence=level).order_by("title", "id").values("id")
        first |= Q(pk__in=by_title[:size])
    return list(
        Objective.objects.filter(first)
        .filter(bands.at_risk_q())  # as each level's (said in the query: at risk only)
        .select_related("owner", "team", "period")
        .order_by("confidence", "title", "id")[:size]
    )


def _objectives_at_risk(ctx: Context) -> QuerySet:
    """The open objectives in scope at risk or off track, unordered (counted as well)."""
    from accord.alignment.models import OPEN_OBJECTIVE_STATUSES, Objective, PeriodState

    return (
        Objective.objects.for_org(ctx.org)
        .filter(status__in=OPEN_OBJECTIVE_STATUSES, confidence__isnull=False)
        .filter(bands.at_risk_q())
        .exclude(period__state=PeriodState.CLOSED)
        .filter(_objectives_in_scope(ctx))
        .order_by()
    )


def _objective_items(ctx: Context, objectives: list) -> list[dict]:
    from accord.alignment.models import ConfidenceUpdate, KeyResult
    from accord.alignment.progress import kr_progress

    objectives = [o for o in objectives if bands.at_risk(o.confidence)]
    # Confidence before the window: the last update at or before `since`.
    history: dict[int, list[tuple[dt.datetime, int]]] = {}
    for oid, at, conf in (
        ConfidenceUpdate.objects.filter(objective__in=objectives, at__lte=ctx.now)
        .order_by("at", "id")
        .values_list("objective_id", "at", "confidence")
    ):
        history.setdefault(oid, []).append((at, conf))
    # Their key results behind pace (as "Priorities review" says it): one query a chunk.
    place = {o.pk: o for o in objectives}
    krs: dict[int, list[bool]] = {}
    today = org_day(ctx.now)
    for kr in (
        KeyResult.objects.filter(objective__in=objectives)
        .annotate(opened=Min("values__recorded_at"))
        .order_by()
    ):
        kr.objective = place[kr.objective_id]
        krs.setdefault(kr.objective_id, []).append(_behind(kr, kr_progress(kr), today)[0])
    out = []
    for o in objectives:
        earlier = [c for at, c in history.get(o.pk, []) if at <= ctx.since]
        before = earlier[-1] if earlier else None
        band = bands.band(o.confidence)
        assert band is not None
        detail = f"confidence {o.confidence}/10 ({band.word})"
        if before is not None and o.confidence < before:
            detail += f", down from {before}"
        behind = sum(krs.get(o.pk, []))
        if behind:
            of = len(krs[o.pk])
            detail += f" · {behind} of {of} key result{'s' if of != 1 else ''} behind pace"
        if o.team is not None and o.team_id != ctx.cadence.team_id:
            detail += f" · {o.team.name}"  # a team below, or one of several
        out.append(
            item(
                f"objective:{o.pk}",
                o.title,
                detail,
                band.tone,
                owner=name_of(o.owner),
            )
        )
    return out


def _initiatives(ctx: Context) -> Iterable[dict]:
    from accord.alignment.models import OPEN_INITIATIVE_STATUSES, Initiative

    rows = (
        Initiative.objects.for_org(ctx.org)
        .filter(
            ctx.teams(),
            status__in=OPEN_INITIATIVE_STATUSES,
            target_date__lt=ctx.today,
        )
        .select_related("team", "owner")
        .order_by("target_date", "id")
    )
    return Counted(
        (
            item(
                f"initiative:{i.pk}",
                i.title,
                f"{i.team.name}: due {day(i.target_date)}, {(ctx.today - i.target_date).days} "
                f"days late, {i.progress}% done",
                "bad",
                owner=name_of(i.owner),
            )
            for i in _rows(rows)
        ),
        rows,
        "initiative",
    )


def _either_side(ctx: Context) -> Q:
    """Dependencies with a team of the cadence on either side. What crosses teams, for one
    team's cadence, is its teams' too: a department's or the leadership's meeting sees the
    dependencies of the teams below it (for the only team at the top, every team's)."""
    ids = _side_team_ids(ctx)
    return Q() if ids is None else Q(requester_team_id__in=ids) | Q(provider_team_id__in=ids)


def _side_team_ids(ctx: Context):
    """The ids of the teams whose dependencies the agenda reviews, for a `team_id__in`
    filter, as `_either_side` reads the scope; None: every team."""
    cadence = ctx.cadence
    if ctx.team_ids is None:
        return None
    if cadence.scope != Scope.TEAM or cadence.team is None:
        return ctx.team_ids
    if covers_every_team(cadence.team):
        return None
    return subtree_ids(cadence.team)


@dataclass
class DependencyState:
    """What an agenda line says of a dependency after who needs it from whom by when."""

    state: str  # its state, with a critical or high priority: "accepted · high priority"
    # What makes it worth the meeting's time ("late", "committed for 16 Jan 2027, after it
    # is needed", "at risk: …"); "" when nothing does.
    what: str
    tone: str  # "bad" late or blocked, "warn" flagged or at risk, else ""


def dependency_state(d, today: dt.date) -> DependencyState:
    """A dependency's state and what makes it worth a meeting's time: late, said
    delivered, flagged, at risk as its page says it (`coordination.queries.risk_reasons`:
    committed after it is needed, its provider's initiative targets later, is paused or
    blocked). A critical or high priority is said as its page says it
    (coordination/_priority.html). The one wording of its agenda line
    (`_dependency_item`) and of what a carried one says now (`_still_open`)."""
    from accord.coordination.queries import risk_reasons

    late = d.is_late(today)  # `coordination.queries.late_q`, as the lists say it
    risks = risk_reasons(d, today)
    after = d.committed_date is not None and d.committed_date > d.need_by
    if late:
        what = "late"
    elif d.said_delivered:
        what = "marked delivered, to confirm"
    elif d.flag:
        what = d.get_flag_display().lower()
    elif after:
        what = f"committed for {day(d.committed_date)}, after it is needed"
    elif risks:
        what = "at risk: " + "; ".join(r.rstrip(".") for r in risks)
    else:
        what = ""
    priority = f" · {d.priority} priority" if d.priority in ("critical", "high") else ""
    tone = "bad" if late or d.flag == "blocked" else ("warn" if d.flag or after or risks else "")
    return DependencyState(f"{d.get_state_display().lower()}{priority}", what, tone)


def _dependency_item(ctx: Context, d) -> dict:
    """A dependency: who needs it from whom by when, its state, and what makes it worth the
    meeting's time (`dependency_state`), or new. A need-by of today or tomorrow is said as
    its page says it."""
    now = dependency_state(d, ctx.today)
    new = d.created_at > ctx.since
    by = day(d.need_by)
    days = (d.need_by - ctx.today).days
    if d.is_active and not d.said_delivered and days in (0, 1):
        by += " (needed today)" if days == 0 else " (needed tomorrow)"
    return item(
        f"dependency:{d.pk}",
        d.title,
        f"{d.requester_team.name} needs it from {d.provider_team.name} by "
        f"{by} · {now.state} · {now.what or 'new'}",
        now.tone or ("" if new else "warn"),
    )


def _late(ctx: Context) -> Q:
    """Late as the lists, the API, Insights and briefings read it (`late_q`): past its
    committed date (its need-by when not committed), and not marked delivered."""
    from accord.coordination.queries import late_q

    return late_q(ctx.today)


def _troubled(ctx: Context) -> Q:
    """Late (`_late`), flagged, or at risk as the lists, the request's page and the
    signals say it (`coordination.queries.at_risk_q`: committed after it is needed, or its
    provider's initiative targets a later date, is paused or blocked): columns of the row
    and of its provider's initiative, joined once."""
    from accord.coordination.queries import at_risk_q

    return _late(ctx) | ~Q(flag="") | at_risk_q(ctx.today)


def _active_dependencies(ctx: Context) -> QuerySet:
    from accord.coordination.models import ACTIVE_STATES, Dependency

    return (
        Dependency.objects.for_org(ctx.org)
        .filter(state__in=ACTIVE_STATES)
        .select_related("requester_team", "provider_team", "provider_initiative")
        .order_by("need_by", "id")
    )


def _dependencies(ctx: Context) -> Iterable[dict]:
    rows = (
        _active_dependencies(ctx)
        .filter(_either_side(ctx))
        .filter(Q(created_at__gt=ctx.since) | _troubled(ctx))
    )
    return Counted((_dependency_item(ctx, d) for d in _rows(rows)), rows, "dependency")


def _blockers(ctx: Context) -> Iterable[dict]:
    """What blocks the cadence's teams: what they asked of others that is late, flagged or
    at risk (`_troubled`: promised for after they need it, its provider's initiative
    targets later, …), and what they owe others that is flagged blocked
    (they are stuck on it). Requests other teams sent them are not their blockers: those
    wait on them (`_requests`)."""
    troubled = _troubled(ctx)
    ids = _side_team_ids(ctx)
    rows = _active_dependencies(ctx).filter(troubled)
    if ids is not None:
        rows = rows.filter(
            Q(requester_team_id__in=ids) | Q(provider_team_id__in=ids, flag="blocked")
        )
    return Counted((_dependency_item(ctx, d) for d in _rows(rows)), rows, "dependency")


def _requests(ctx: Context) -> Iterable[dict]:
    """What other teams wait on the cadence's teams for: what was asked of them and is not
    answered yet (requested, in negotiation), is late, flagged or at risk (`_troubled`:
    promised for after it is needed, or its initiative targets later, as the request's
    page says "At risk")."""
    from accord.coordination.models import State

    ids = _side_team_ids(ctx)
    rows = _active_dependencies(ctx).filter(
        Q(state__in=(State.REQUESTED, State.NEGOTIATING)) | _troubled(ctx)
    )
    if ids is not None:
        rows = rows.filter(provider_team_id__in=ids)
    return Counted((_dependency_item(ctx, d) for d in _rows(rows)), rows, "dependency")


def _shared_here(ctx: Context) -> Iterator[dict]:
    """The headlines shared for this meeting (`services.share_headline`: from its cadence's
    page or its own, before it starts), in the order given; nothing for a preview of an
    occurrence nobody opened. One query, off the meeting's index."""
    if ctx.meeting_id is None:
        return
    rows = (
        Headline.objects.for_org(ctx.org)
        .filter(meeting_id=ctx.meeting_id)
        .select_related("author")
        .order_by("created_at", "id")
    )
    for h in rows.iterator(chunk_size=CHUNK):
        yield item(
            f"headline:{h.pk}",
            h.text,
            "shared for this meeting" + (f" by {name_of(h.author)}" if h.author else ""),
        )


def _headlines(ctx: Context) -> Iterable[dict]:
    """The headlines shared for this meeting, then those cascaded to its teams from other
    meetings since the last occurrence."""
    return chain(_shared_here(ctx), _cascaded(ctx))


def _cascaded(ctx: Context) -> Iterable[dict]:
    rows = (
        Headline.objects.for_org(ctx.org)
        .filter(created_at__gt=ctx.since, created_at__lte=ctx.now)
        .filter(ctx.teams("cascade_to") if ctx.team_ids is not None else Q())
        .exclude(meeting__cadence=ctx.cadence)
        .select_related("meeting__cadence", "author")
        .distinct()
        .order_by("created_at", "id")
    )
    return (
        item(
            f"headline:{h.pk}",
            h.text,
            f"from {h.meeting.cadence.name}" + (f" · {name_of(h.author)}" if h.author else ""),
        )
        for h in rows.iterator(chunk_size=CHUNK)
    )


def _issues(ctx: Context) -> Iterable[dict]:

    rows = _open_issues(ctx)
    return Counted((_issue_item(ctx, i) for i in _rows(rows)), rows, "issue")


def _issue_item(ctx: Context, i) -> dict:
    """An open issue: where it sits, or, raised by one of the meeting's teams and escalated
    beyond them, the team that raised it and where it is now ("Platform · now at
    Engineering"): the meeting still follows it."""
    where = i.team.name
    if ctx.team_ids is not None and i.team_id not in ctx.team_ids and i.raised_in_id:
        where = f"{i.raised_in.name} · now at {i.team.name}"
    return item(
        f"issue:{i.pk}",
        i.title,
        f"{where} · {i.get_severity_display().lower()} · raised by "
        f"{name_of(i.raised_by) or 'someone'}",
        "bad" if i.severity in ("high", "critical") else "warn",
    )


def _open_issues(ctx: Context) -> QuerySet:
    """The open issues at the meeting's teams and those they raised that were escalated
    beyond them, most severe first (critical, high, medium, low: the issues list's order,
    off its `decisions_issue_triage` index), then longest at their level. Each side is
    read off its own index (where it sits, where it was raised), then the few found in
    that order, as `decisions.queries.action_items_due` does."""
    from accord.decisions import queries as dq

    rows = dq.open_issues(ctx.org)
    if ctx.team_ids is not None:
        teams = list(ctx.team_ids)
        at = rows.filter(team_id__in=teams).order_by().values("id")
        raised = rows.filter(raised_in_id__in=teams).order_by().values("id")
        rows = rows.filter(pk__in=at.union(raised))
    return rows.order_by("-severity_rank", "level_since", "id")


def _action_item(ctx: Context, a, agreed: str = "") -> dict:
    return action_line(a, ctx.today, agreed)


def action_line(a, today: dt.date, agreed: str = "", **extra) -> dict:
    """An open action item's agenda line: whose, due when (overdue said in words);
    `agreed`, the day of the meeting that agreed it, when that was this cadence's last."""
    late = a.due_on is not None and a.due_on < today
    due = f" · due {day(a.due_on)}" if a.due_on else " · no due date"
    if a.due_on is not None and 0 <= (a.due_on - today).days <= 1:
        due += " (today)" if a.due_on == today else " (tomorrow)"
    return item(
        f"action:{a.pk}",
        a.title,
        f"{name_of(a.owner)}{due}"
        + (" · overdue" if late else "")
        + (f" · agreed on {agreed}" if agreed else ""),
        "bad" if late else "warn",
        **extra,
    )


def held_on(meeting: Meeting) -> str:
    """The day a meeting was held (started: early, or late, that day), in its cadence's
    time zone: "30 Nov 2026"."""
    zone = ZoneInfo(meeting.cadence.timezone)
    return day(timezone.localtime(meeting.held_at, zone).date())


def _agreed_last_time(ctx: Context) -> tuple[str, list]:
    """The action items the cadence's last meeting agreed (`queries.previous_meeting`:
    added there, or given by an issue solved there) that are still open, soonest due first
    (those without a due date last), and that meeting's day; ("", []) when there is none.
    Two or three queries, of that one meeting's items."""
    if ctx.meeting is None:
        return "", []
    previous = queries.previous_meeting(ctx.meeting)
    if previous is None:
        return "", []
    found = [a for a in links.meeting_action_items(ctx.org, [previous.pk]) if a.status == "open"]
    found.sort(key=lambda a: (a.due_on is None, a.due_on or dt.date.min, a.pk))
    return held_on(previous), found


def _own_meetings(ctx: Context) -> QuerySet:
    """The ids of the cadence's meetings (a subquery)."""
    return Meeting.objects.for_org(ctx.org).filter(cadence=ctx.cadence).values("pk")


def _action_items(ctx: Context) -> Iterable[dict]:
    """The participants' action items due by the meeting (and their teams'); a cadence that
    is the sync of initiatives, those agreed in its own meetings (the initiatives' own are
    in `_initiative_work`): its leads' work elsewhere is not its business.

    In the order a chair goes through them: first those not overdue yet, soonest due first
    (due today, tomorrow, by the meeting: what this meeting checks on), then the overdue
    ones, the most recently due first, so a backlog of long-overdue items never hides what
    falls due now. Each part off the due-date order of its query, read a chunk at a time.

    Before them all, the action items the last meeting agreed that are still open, whatever
    their due date (`_agreed_last_time`): a chair checks on last week's commitments first,
    and one due next week is not left to a "carried forward" list after everything else."""
    from accord.decisions import queries as dq
    from accord.decisions.models import ActionSource, ActionStatus

    until = (ctx.until + dt.timedelta(days=1)).date()
    if ctx.initiative_ids:
        rows = (
            dq.action_items(ctx.org)
            .filter(status=ActionStatus.OPEN, due_on__isnull=False, due_on__lte=until)
            .filter(source_type=ActionSource.MEETING, source_id__in=_own_meetings(ctx))
        )
    else:
        rows = dq.action_items_due(ctx.org, ctx.person_ids, ctx.team_ids, until=until)
    coming = rows.filter(due_on__gte=ctx.today).order_by("due_on", "id")
    overdue = rows.filter(due_on__lt=ctx.today).order_by("-due_on", "-id")
    held, agreed = _agreed_last_time(ctx)
    first = {a.pk for a in agreed}

    def items() -> Iterator[dict]:
        for a in agreed:
            yield _action_item(ctx, a, agreed=held)
        for a in chain(_rows(coming), _rows(overdue)):
            if a.pk not in first:
                yield _action_item(ctx, a)

    return Listed(
        items(),
        "action",
        lambda ids: (
            first.intersection(ids) | set(rows.filter(pk__in=ids).values_list("pk", flat=True))
        ),
    )


def _decision_item(ctx: Context, d, about: str = "") -> dict:
    late = d.decide_by is not None and d.decide_by < ctx.today
    # Said in words, as an action item's "overdue" is (the tone's colour only repeats it),
    # overdue from the day after its deadline, as its page and Insights say.
    by = ""
    if d.decide_by:
        by = (
            f" · overdue since {day(d.overdue_since)}"
            if late
            else f" · decide by {day(d.decide_by)}"
        )
    return item(
        f"decision:{d.pk}",
        d.question,
        f"approver {name_of(d.approver)}{by}{about}",
        "bad" if late else "warn",
    )


def _decisions(ctx: Context) -> Iterable[dict]:
    from accord.decisions import queries as dq
    from accord.decisions.models import Decision

    if ctx.initiative_ids:
        # The sync of initiatives: the decisions its own meetings left open (those about
        # the initiatives are in `_initiative_work`).
        from accord.decisions.models import DecisionLink

        links = DecisionLink.objects.for_org(ctx.org).filter(
            target_type="rhythm.meeting", target_id__in=_own_meetings(ctx)
        )
        found = (
            Decision.objects.for_org(ctx.org)
            .filter(status__in=dq.UNDECIDED, pk__in=links.values("decision_id"))
            .select_related("approver", "driver")
        )
        rows: Iterable = found.order_by(dq.DECIDE_BY_FIRST, "opened_at", "id").iterator(
            chunk_size=CHUNK
        )
    elif ctx.person_ids is None:  # everyone: any undecided decision of the organization
        found = (
            Decision.objects.for_org(ctx.org)
            .filter(status__in=dq.UNDECIDED)
            .select_related("approver", "driver")
        )
        # Dated first, then the undated (the order of DECIDE_BY_FIRST), each off an index.
        rows = chain(
            _rows(found.filter(decide_by__isnull=False).order_by("decide_by", "opened_at", "id")),
            _rows(found.filter(decide_by__isnull=True).order_by("opened_at", "id")),
        )
    else:
        found = dq.decisions_awaiting(ctx.org, ctx.person_ids)
        rows = found.iterator(chunk_size=CHUNK)
    return Listed(
        (_decision_item(ctx, d) for d in rows),
        "decision",
        lambda ids: found.filter(pk__in=ids).values_list("pk", flat=True),
    )


def _provider_plan(ctx: Context, d) -> str:
    """What the provider's initiative says of a request's delivery: its status and target
    (after the need-by: said so); an accepted request without one, that none is named."""
    pi = d.provider_initiative
    if pi is None:
        accepted = d.state == "accepted"
        return f" · no initiative of {d.provider_team.name} named yet" if accepted else ""
    target = f"target {day(pi.target_date)}" if pi.target_date else "no target date"
    after = ", after it is needed" if pi.target_date and pi.target_date > d.need_by else ""
    return f" · {pi.title}: {pi.get_status_display().lower()}, {target}{after}"


def _initiative_work(ctx: Context) -> Iterator[dict]:
    """The initiatives the cadence is the sync of (`Cadence.initiatives`): their requests
    both ways, each with the provider's initiative's status and target; a declined one
    marked (while nothing else was asked for it, or declined since the last meeting);
    then the undecided decisions linked to them and the open action items those decisions
    gave. Six queries at most, whatever the organization's size."""
    from accord.alignment.models import Initiative
    from accord.coordination.models import ACTIVE_STATES, Dependency, State
    from accord.decisions import queries as dq
    from accord.decisions.models import ActionSource, ActionStatus, Decision, DecisionLink

    ids = ctx.initiative_ids
    if not ids:
        return
    titles = dict(Initiative.objects.for_org(ctx.org).filter(pk__in=ids).values_list("pk", "title"))
    deps = list(
        Dependency.objects.for_org(ctx.org)
        .filter(Q(requester_initiative_id__in=ids) | Q(provider_initiative_id__in=ids))
        .filter(state__in=(*ACTIVE_STATES, State.DECLINED))
        .select_related("requester_team", "provider_team", "provider_initiative")
        .order_by("need_by", "id")
    )
    declined = [d for d in deps if d.state == State.DECLINED]
    # Asked again since it was declined (of any team, still active or delivered): planned,
    # by the one rule of the stored figure and the signal (`alignment.blocked`).
    unplanned: set[int] = set()
    if declined:
        rows: dict[int, list] = {}
        for pk, init_id, state, made, closed in (
            Dependency.objects.for_org(ctx.org)
            .filter(requester_initiative_id__in={d.requester_initiative_id for d in declined})
            .filter(state__in=(*ACTIVE_STATES, State.DELIVERED, State.DECLINED))
            .values_list("pk", "requester_initiative_id", "state", "created_at", "closed_at")
        ):
            rows.setdefault(init_id, []).append((pk, state, made, closed))
        for found in rows.values():
            unplanned |= unplanned_declines(found)
    for d in deps:
        if d.state != State.DECLINED:
            found = _dependency_item(ctx, d)
            found["detail"] += _provider_plan(ctx, d)
            yield found
            continue
        closed = d.closed_at or d.created_at
        replaced = d.pk not in unplanned
        if replaced and closed <= ctx.since:
            continue  # settled before the last meeting
        why = f": {d.resolution.strip()[:160]}" if d.resolution.strip() else ""
        yield item(
            f"dependency:{d.pk}",
            d.title,
            f"{d.requester_team.name} needs it from {d.provider_team.name} by "
            f"{day(d.need_by)} · declined{why}"
            + (" · asked again since" if replaced else " · nothing else asked for it"),
            "warn" if replaced else "bad",
        )
    links = DecisionLink.objects.for_org(ctx.org).filter(
        target_type="alignment.initiative", target_id__in=ids
    )
    about = dict(links.values_list("decision_id", "target_id"))
    for d in (
        Decision.objects.for_org(ctx.org)
        .filter(status__in=dq.UNDECIDED, pk__in=links.values("decision_id"))
        .select_related("approver")
        .order_by(dq.DECIDE_BY_FIRST, "opened_at", "id")
    ):
        yield _decision_item(ctx, d, f" · about {titles.get(about.get(d.pk), 'the initiative')}")
    for a in (
        dq.action_items(ctx.org)
        .filter(status=ActionStatus.OPEN, source_type=ActionSource.DECISION)
        .filter(source_id__in=links.values("decision_id"))
        .order_by(dq.DUE_FIRST, "id")
    ):
        yield _action_item(ctx, a)


def _milestones(ctx: Context) -> list[dict]:
    """The organization's milestones, and its teams' in scope, from the meeting's day to
    MILESTONE_HORIZON_DAYS after it (two queries)."""
    from accord.alignment.queries import milestones_between

    start = _meeting_day(ctx)
    rows = milestones_between(
        ctx.org, start, start + dt.timedelta(days=MILESTONE_HORIZON_DAYS), team_ids=ctx.team_ids
    )
    out = []
    for m in rows:
        days = (m.date - start).days
        when = "today" if days == 0 else f"in {days} day{'s' if days != 1 else ''}"
        teams = ", ".join(t.name for t in m.teams.all()) or "the whole organization"
        out.append(
            item(
                f"milestone:{m.pk}",
                m.name,
                f"{m.get_kind_display()} · {day(m.date)} · {when} · for {teams}",
                "warn" if days <= 7 else "",
            )
        )
    return out


def _none(ctx: Context) -> list[dict]:
    return []


def _carried(ctx: Context) -> list[dict]:
    return []  # filled from the previous meeting when this one starts (carried_from_previous)


SOURCES: dict[str, Callable[[Context], Iterable[dict]]] = {
    "none": _none,
    "checkins": _checkins,
    "metrics": _metrics,
    "key_results": _key_results,
    "quarter_results": _quarter_results,
    "objectives": _objectives,
    "initiatives": _initiatives,
    "dependencies": _dependencies,
    "blockers": _blockers,
    "requests": _requests,
    "headlines": _headlines,
    "issues": _issues,
    "action_items": _action_items,
    "decisions": _decisions,
    "carried": _carried,
    "milestones": _milestones,
    "initiative_work": _initiative_work,
}

# The section a cadence that is the sync of initiatives reviews them under: in place of
# its agenda's team-wide dependencies section, or added before its issues, action items
# and decisions when it has none.
INITIATIVES_SECTION = {
    "key": "initiative_work",
    "title": "The initiatives: requests, decisions, action items",
    "source": "initiative_work",
    "minutes": 10,
}


def with_initiatives(sections: list[dict], titles: list[str]) -> list[dict]:
    """A cadence's agenda `sections` as its meetings hold them when it is the sync of the
    initiatives named `titles`: its team-wide dependencies section (the first) reviews
    their work instead (`_initiative_work`, keeping its key and minutes), or that section
    is added; an agenda that names the source itself is kept as it is."""
    sections = list(sections)
    if not titles or any(s.get("source") == "initiative_work" for s in sections):
        return sections
    title = (
        f"{titles[0]}: requests, decisions, action items"
        if len(titles) == 1
        else INITIATIVES_SECTION["title"]
    )
    at = next((n for n, s in enumerate(sections) if s.get("source") == "dependencies"), None)
    if at is not None:
        sections[at] = {**sections[at], "source": "initiative_work", "title": title[:200]}
        return sections
    before = ("issues", "action_items", "decisions")
    at = next((n for n, s in enumerate(sections) if s.get("source") in before), len(sections))
    sections.insert(at, {**INITIATIVES_SECTION, "title": title[:200]})
    return sections


def initiative_titles(org: Organization, cadence: Cadence) -> list[str]:
    """The titles of the initiatives `cadence` is the sync of, by title (one query)."""
    return list(
        cadence.initiatives.filter(org=org).order_by("title", "id").values_list("title", flat=True)
    )


# Added to every agenda that has none of its own when a milestone is near.
MILESTONES_SECTION = {
    "key": "milestones_near",
    "title": "Milestones near",
    "source": "milestones",
    "minutes": 0,
}


# Added to a meeting's agenda that has no headlines section of its own when headlines were
# shared for it ahead: they are read out.
HEADLINES_SECTION = {
    "key": "headlines_shared",
    "title": "Headlines",
    "source": "headlines",
    "minutes": 0,
}


def headlines_section(cadence: Cadence) -> dict:
    """The section a meeting of `cadence` lists the headlines shared for it under: its
    agenda's headlines section, else the one added when there are some (HEADLINES_SECTION)."""
    return next((s for s in cadence.agenda if s.get("source") == "headlines"), HEADLINES_SECTION)


# Added to a meeting's agenda that has no check-ins section of its own when its
# participants' latest check-ins name blockers: what the team is stuck on is discussed.
BLOCKERS_SECTION = {
    "key": "checkin_blockers",
    "title": "Blockers from check-ins",
    "source": "checkins",
    "minutes": 0,
}


def build(
    org: Organization,
    cadence: Cadence,
    meeting: Meeting | None = None,
    *,
    now: dt.datetime | None = None,
    limit: int = FIRST_SCREEN,
    limits: dict[str, int] | None = None,
) -> list[dict]:
    """The agenda as plain data: [{key, title, source, minutes, items: [...], more}]: the
    first `limit` items of each section (`limits` per section key), `more` when a section
    has further items."""
    ctx = context(org, cadence, meeting, now)
    out = []
    sections = list(cadence.agenda)
    if ctx.initiative_ids:
        sections = with_initiatives(sections, initiative_titles(org, cadence))
    shared: Iterator[dict] = iter(())
    if not any(sec.get("source") == "headlines" for sec in sections):
        shared = _shared_here(ctx)
        first_shared = next(shared, None)
        if first_shared is not None:
            shared = chain([first_shared], shared)
            sections.append(HEADLINES_SECTION)
    near = _milestones(ctx)
    if near and not any(sec.get("source") == "milestones" for sec in sections):
        sections.append(MILESTONES_SECTION)
    blocked: Iterator[dict] = iter(())
    if not cadence.is_checkin and not any(sec.get("source") == "checkins" for sec in sections):
        blocked = _checkin_blockers(ctx)
        first = next(blocked, None)
        if first is not None:
            blocked = chain([first], blocked)
            # Beside the issues, where what blocks the team is worked on; else after the
            # blockers across teams (a stand-up's); else last.
            at = next(
                (n for n, sec in enumerate(sections) if sec.get("source") == "issues"),
                next(
                    (n + 1 for n, sec in enumerate(sections) if sec.get("source") == "blockers"),
                    len(sections),
                ),
            )
            sections.insert(at, BLOCKERS_SECTION)
    for section in sections:
        source = SOURCES.get(section.get("source", "none"), _none)
        n = min(MORE_MAX, (limits or {}).get(section.get("key", ""), limit))
        if section is BLOCKERS_SECTION:
            found: Iterable[dict] = blocked
        elif section is HEADLINES_SECTION:
            found = shared
        elif source is _milestones:
            found = near
        else:
            found = source(ctx)
        items = list(islice(found, n + 1))
        built = {**section, "items": items[:n], "more": len(items) > n}
        if built["more"] and isinstance(found, Counted):  # "first 10 of 42"
            built["total"] = shown_count(count_up_to(found.rows))
        if source is _metrics and not items:
            # Not "nothing to discuss": there is nothing to read. Why, and where to add it.
            built["empty"], built["empty_link"], built["empty_url"] = scorecard_empty(ctx)
        out.append(built)
    return out


def first_screen(
    section: dict, opened: dict[str, int] | None = None, limit: int = FIRST_SCREEN
) -> dict:
    """A stored (snapshot) section cut to its first screen (`limit` items), or further when
    opened."""
    items = section.get("items", [])
    n = min(MORE_MAX, (opened or {}).get(section.get("key", ""), limit))
    return {**section, "items": items[:n], "more": section.get("more") or len(items) > n}


# Sections whose items are not carried forward: nothing there to follow up (a segue,
# check-ins and scorecard numbers read out, headlines, milestones near: each is on the
# next agenda again while it is news).
NOT_CARRIED = ("none", "checkins", "metrics", "headlines", "carried", "milestones")

# The kinds of item (the first part of their `ref`) each source lists: what is carried
# forward is looked for only in the sections that may list it (`listed_refs`).
SOURCE_KINDS: dict[str, frozenset[str]] = {
    "key_results": frozenset({"kr"}),
    "quarter_results": frozenset({"kr"}),
    "objectives": frozenset({"objective"}),
    "initiatives": frozenset({"initiative"}),
    "dependencies": frozenset({"dependency"}),
    "blockers": frozenset({"dependency"}),
    "requests": frozenset({"dependency"}),
    "issues": frozenset({"issue"}),
    "action_items": frozenset({"action"}),
    "decisions": frozenset({"decision"}),
    "initiative_work": frozenset({"dependency", "decision", "action"}),
}

# Said under "Carried forward" on the meeting's page: what it holds, and for how long.
CARRIED_RULE = (
    "What the last meeting left open: its action items, then what nobody ticked "
    "“Discussed” that this agenda lists nowhere else. Carried once: what still needs the "
    "meeting comes back in its own section."
)


def carried_from_previous(
    org: Organization,
    meeting: Meeting,
    sections: list[dict] | None = None,
    *,
    now: dt.datetime | None = None,
) -> list[dict]:
    """What the previous meeting left for this one, each with where it came from: first
    the action items agreed in it and still open, then the items its agenda listed (of
    sections with something to follow up: not NOT_CARRIED) that nobody ticked "Discussed".
    Only what is still open (`_still_open`), and only what this meeting's agenda does not
    list already, in any section and however far down (`sections`' items, then
    `listed_refs`): the agenda a meeting is prepared with is the one it runs with.

    Carried once (CARRIED_RULE): what the previous meeting had itself carried in is not
    carried again. What still needs a meeting is listed by its own section (late, at risk,
    open, due); what no longer does would otherwise be carried for ever."""
    previous = queries.previous_meeting(meeting)
    if previous is None or not previous.agenda_snapshot:
        return []
    done = {d.split(":", 1)[1] for d in previous.done_items if ":" in d}
    # What the items said then, dated: "75% done, 0% of Q4 gone" was true at that meeting.
    then = held_on(previous)
    out: dict[str, dict] = {}
    # The action items agreed in that meeting and still open, first (the agenda's action
    # items list them first too, when it has that section: `_agreed_last_time`).
    agreed = sorted(
        (a for a in links.meeting_action_items(org, [previous.pk]) if a.status == "open"),
        key=lambda a: (a.due_on is None, a.due_on or dt.date.min, a.pk),
    )
    now = now or timezone.now()
    for a in agreed:
        out[f"action:{a.pk}"] = action_line(a, now.date(), then, from_section="Action items")
    for s in previous.agenda_snapshot:
        if s.get("source") in NOT_CARRIED:
            continue
        for i in s.get("items", []):
            if i["ref"] not in done:
                out.setdefault(i["ref"], {**i, "from_section": s["title"], "as_of": then})
    on_agenda = {i["ref"] for s in sections or [] for i in s.get("items", [])}
    # An issue or action closed since then no longer needs carrying, nor an objective or key
    # result whose period has closed (history).
    found = _still_open(org, [i for ref, i in out.items() if ref not in on_agenda], now)
    listed = listed_refs(org, meeting.cadence, meeting, {i["ref"] for i in found}, now=now)
    return [i for i in found if i["ref"] not in listed]


def live(
    org: Organization,
    cadence: Cadence,
    occ,
    meeting: Meeting | None = None,
    *,
    now: dt.datetime | None = None,
    limit: int = FIRST_SCREEN,
) -> list[dict]:
    """An occurrence's live agenda as its page shows it before the meeting starts (what
    its agenda e-mail sends): built for its meeting, the one opened ahead or one not stored
    yet, so the action items the cadence's last meeting agreed come first; and what that
    meeting left, in the agenda's "carried" section or on top as "Carried forward", each
    cut to its first screen (`limit` items)."""
    meeting = meeting or Meeting(
        cadence=cadence, occurrence_start=occ.original_start, scheduled_start=occ.start
    )
    sections = build(org, cadence, meeting, now=now, limit=limit)
    carried = carried_from_previous(org, meeting, sections, now=now)
    if any(s.get("source") == "carried" for s in sections):
        return [
            first_screen({**s, "items": carried}, limit=limit)
            if s.get("source") == "carried"
            else s
            for s in sections
        ]
    if not carried:
        return sections
    on_top = {"key": "carried", "title": "Carried forward", "items": carried}
    return [first_screen(on_top, limit=limit), *sections]


def listed_refs(
    org: Organization,
    cadence: Cadence,
    meeting: Meeting | None,
    refs: set[str],
    *,
    now: dt.datetime | None = None,
) -> set[str]:
    """Which of the items `refs` the meeting's agenda lists, in any section and however far
    down, not only on a section's first screen: each section that may list their kind
    (SOURCE_KINDS) is asked which of their ids it lists (`Listed.listed`: a query of those
    ids, never the section's every item); a source that cannot say is read, up to the
    MORE_MAX items a section shows when opened. A query or two per such section."""
    if not refs:
        return set()
    kinds = {ref.split(":", 1)[0] for ref in refs}
    ctx = context(org, cadence, meeting, now)
    sections = list(cadence.agenda)
    if ctx.initiative_ids:
        sections = with_initiatives(sections, initiative_titles(org, cadence))
    found: set[str] = set()
    for section in sections:
        name = section.get("source", "none")
        if not SOURCE_KINDS.get(name, frozenset()) & kinds or name not in SOURCES:
            continue
        source = SOURCES[name](ctx)
        wanted = refs - found
        if isinstance(source, Listed):
            ids = [
                int(pk)
                for kind, _, pk in (ref.partition(":") for ref in wanted)
                if kind == source.kind and pk.isdigit()
            ]
            found |= {f"{source.kind}:{pk}" for pk in source.listed(ids)}
        else:
            for i in islice(source, MORE_MAX):
                if i["ref"] in wanted:
                    found.add(i["ref"])
        if found == refs:
            break
    return found


def _still_open(org: Organization, items: list[dict], now: dt.datetime) -> list[dict]:
    """The carried items still open, each with `current`: what it says now, beside what it
    said then (its `detail`), for the kinds whose state moves (dependencies, key results,
    objectives, initiatives). Issues, actions, decisions, dependencies and initiatives
    closed since are dropped, as are objectives and key results of a closed period
    (history). A query per kind, of the few carried items' ids."""
    from accord.alignment.models import (
        OPEN_INITIATIVE_STATUSES,
        OPEN_OBJECTIVE_STATUSES,
        Initiative,
        KeyResult,
        Objective,
        PeriodState,
    )
    from accord.alignment.progress import kr_progress
    from accord.coordination.models import ACTIVE_STATES, Dependency
    from accord.decisions import queries as dq
    from accord.decisions.models import ActionItem, Decision, Issue

    def ids(kind: str) -> list[int]:
        return [int(i["ref"].split(":")[1]) for i in items if i["ref"].startswith(f"{kind}:")]

    current: dict[str, str] = {}
    open_refs: set[str] = set()  # of the kinds read below: the carried ones still open
    for o in (
        Objective.objects.for_org(org).filter(pk__in=ids("objective")).select_related("period")
    ):
        if o.period.state != PeriodState.CLOSED:
            open_refs.add(f"objective:{o.pk}")
            band = bands.band(o.confidence)
            now = f"confidence {o.confidence}/10 ({band.word})" if band else "no confidence"
            if o.status not in OPEN_OBJECTIVE_STATUSES:
                now = o.get_status_display().lower()
            current[f"objective:{o.pk}"] = now
    for kr in (
        KeyResult.objects.for_org(org).filter(pk__in=ids("kr")).select_related("objective__period")
    ):
        if kr.objective.period.state != PeriodState.CLOSED:
            open_refs.add(f"kr:{kr.pk}")
            done = " (done)" if kr.done else ""
            current[f"kr:{kr.pk}"] = f"{kr_progress(kr):.0f}% done{done}"
    for d in (
        Dependency.objects.for_org(org)
        .filter(pk__in=ids("dependency"))
        .select_related("provider_initiative")
    ):
        if d.state in ACTIVE_STATES:
            open_refs.add(f"dependency:{d.pk}")
            # In the words of its own section's line (`dependency_state`): late, after it
            # is needed, its priority; else the date it is committed for.
            said = dependency_state(d, now.date())
            plain = f"committed for {day(d.committed_date)}" if d.committed_date else ""
            current[f"dependency:{d.pk}"] = " · ".join(
                w for w in (said.state, said.what or plain) if w
            )
    for i in Initiative.objects.for_org(org).filter(pk__in=ids("initiative")):
        if i.status in OPEN_INITIATIVE_STATUSES:
            open_refs.add(f"initiative:{i.pk}")
            current[f"initiative:{i.pk}"] = f"{i.get_status_display().lower()}, {i.progress}% done"
    read = {"objective", "kr", "dependency", "initiative"}
    for model, kind, still in (
        (Issue, "issue", ("open",)),
        (ActionItem, "action", ("open",)),
        (Decision, "decision", dq.UNDECIDED),
    ):
        read.add(kind)
        open_refs |= {
            f"{kind}:{pk}"
            for pk in model.objects.for_org(org)
            .filter(pk__in=ids(kind), status__in=still)
            .values_list("pk", flat=True)
        }
    out = []
    for i in items:
        kind = i["ref"].split(":", 1)[0]
        if kind in read and i["ref"] not in open_refs:
            continue  # closed since (or gone)
        if i["ref"] in current:
            i = {**i, "current": current[i["ref"]]}
        out.append(i)
    return out


# --- where each item opens ------------------------------------------------------------------

# An agenda item's page by the kind its `ref` names: (URL name, its id argument, model).
ITEM_PAGES = {
    "kr": ("alignment:key_result", "kr_id", "alignment.KeyResult"),
    "objective": ("alignment:objective", "objective_id", "alignment.Objective"),
    "initiative": ("alignment:initiative", "initiative_id", "alignment.Initiative"),
    "dependency": ("coordination:detail", "dep_id", "coordination.Dependency"),
    "issue": ("decisions:issue", "issue_id", "decisions.Issue"),
    "action": ("decisions:action", "item_id", "decisions.ActionItem"),
    "decision": ("decisions:decision", "decision_id", "decisions.Decision"),
}


def item_urls(org: Organization, refs: Iterable[str]) -> dict[str, str]:
    """{ref: the page of what an agenda item's `ref` names}: an object's own page; a
    check-in, its round's page at the person; a scorecard measurable, its team's
    scorecard; a headline, the meeting it was shared in; a milestone, the milestones page
    at it. What no longer exists in `org` (or names nothing) has none. One query per kind
    of item asked for."""
    from django.apps import apps
    from django.urls import reverse

    from accord.rhythm.recurrence import occurrence_key

    by_kind: dict[str, set[int]] = {}
    for ref in refs:
        kind, _, pk = ref.partition(":")
        if pk.isdigit():
            by_kind.setdefault(kind, set()).add(int(pk))
    org_kw = {"org_slug": org.slug}
    out: dict[str, str] = {}
    for kind, ids in by_kind.items():
        if kind in ITEM_PAGES:
            name, arg, label = ITEM_PAGES[kind]
            for pk in (
                apps.get_model(label)
                .objects.filter(org=org, pk__in=ids)
                .values_list("pk", flat=True)
            ):
                out[f"{kind}:{pk}"] = reverse(name, kwargs={**org_kw, arg: pk})
        elif kind == "checkin":
            for pk, cadence_id, start, person_id in CheckIn.objects.filter(
                org=org, pk__in=ids
            ).values_list("pk", "cadence_id", "occurrence_start", "person_id"):
                url = reverse(
                    "rhythm:checkin_round",
                    kwargs={**org_kw, "cadence_id": cadence_id, "key": occurrence_key(start)},
                )
                out[f"checkin:{pk}"] = f"{url}#checkin-{person_id}"
        elif kind == "measurable":
            from accord.rhythm.models import Measurable

            for pk, slug in Measurable.objects.filter(org=org, pk__in=ids).values_list(
                "pk", "team__slug"
            ):
                url = reverse("rhythm:team", kwargs={**org_kw, "team_slug": slug})
                out[f"measurable:{pk}"] = f"{url}#score-h"
        elif kind == "headline":
            for pk, cadence_id, start in Headline.objects.filter(org=org, pk__in=ids).values_list(
                "pk", "meeting__cadence_id", "meeting__occurrence_start"
            ):
                url = reverse(
                    "rhythm:meeting",
                    kwargs={**org_kw, "cadence_id": cadence_id, "key": occurrence_key(start)},
                )
                out[f"headline:{pk}"] = f"{url}#headlines-h"
        elif kind == "milestone":
            from accord.alignment.models import Milestone

            url = reverse("alignment:milestones", kwargs=org_kw)
            for pk in Milestone.objects.filter(org=org, pk__in=ids).values_list("pk", flat=True):
                out[f"milestone:{pk}"] = f"{url}#milestone-{pk}"
    return out


def with_urls(org: Organization, sections: Iterable[dict | None]) -> list[dict | None]:
    """The sections (as built or as stored; None stays None) with each item's `url`, where
    it opens (`item_urls`): what the page shows is linked, in one query per kind."""
    sections = list(sections)
    urls = item_urls(org, (i["ref"] for s in sections if s for i in s.get("items", [])))
    return [
        None
        if s is None
        else {**s, "items": [{**i, "url": urls.get(i["ref"], "")} for i in s.get("items", [])]}
        for s in sections
    ]


def people_of(org: Organization, ids: set[int]) -> list[Person]:
    return list(Person.objects.for_org(org).filter(pk__in=ids).order_by("name"))


def teams_of(org: Organization, ids: set[int]) -> list[Team]:
    return list(Team.objects.for_org(org).filter(pk__in=ids).order_by("name"))
