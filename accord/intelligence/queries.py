"""Reads of stored signals and health for pages, the API and the CLI.

Each function does a bounded number of queries whatever the organization's size: the
detectors ran earlier (`evaluate.py`); these only read what they stored.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection
from django.db.models import Case, F, Q, QuerySet, When
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accord.activity.models import Event
from accord.core.dates import check_in_range, iso
from accord.core.days import org_today
from accord.core.errors import ServiceError
from accord.intelligence.models import (
    CLOSED_TAKEN_OVER,
    CLOSED_TEAM_RETIRED,
    OPEN_STATES,
    HealthScore,
    Signal,
    SignalEpisode,
    SignalState,
    SignalTeam,
)
from accord.intelligence.snapshot import as_moment
from accord.org import queries as org_queries
from accord.org.models import Membership, Organization, Person, Team, leading_sql


def subtree_of(team: Team) -> set[int] | None:
    """The team and every team below it; None when that is every team of the organization.
    Read as the whole organization, the top of the tree needs no filter: filtered by its
    10,000 teams, each list read every signal's links (0.3-0.6 s a list). The subtree is
    read down from the team, not from the whole organization's tree. One or two queries."""
    if org_queries.covers_every_team(team):
        return None
    return set(
        Team.objects.filter(org_id=team.org_id, pk__in=org_queries.subtree_ids(team)).values_list(
            "pk", flat=True
        )
    )


def latest_day() -> dt.date:
    """The last day signals and health can be read as of: today in UTC, the organization's
    day (`org_today`), on which evaluations date what they store and Insights reads them,
    whatever the date is in the zone of whoever asks (a page's or a token's person, the
    site's for the command line). So a day is refused alike everywhere, and the same day
    reads the same stored figures on Insights, the API and the command line."""
    return org_today()


def check_as_of(day: dt.date, field: str = "as_of", what: str = "as_of") -> None:
    """Refuse a day to read signals or health as of that is outside the supported years,
    or after today (`latest_day`): nothing is known of it yet, and the latest figures are
    not that day's. `field` names it in the refusal, `what` in its message, which says the
    day is a UTC day when the reader's own date is another."""
    check_in_range(day, field, what)
    today = latest_day()
    if day > today:
        own, zone = timezone.localdate(), timezone.get_current_timezone_name()
        said = f"today ({iso(today)})"
        if own != today:
            said = f"today in UTC ({iso(today)}, the figures' day; {iso(own)} in {zone})"
        raise ServiceError(
            f"{what} ({iso(day)}) is after {said}: nothing is known of it "
            "yet. Give today or an earlier day, or leave it out for the latest figures.",
            fields={field: ["Enter today or an earlier day."]},
            code="future_date",
        )


def _team_filter(org: Organization, team_id: int | None) -> Q:
    """Signals concerning the team or a team below it, the subtree read in the statement
    itself (no filter for the only team at the top). One query."""
    if team_id is None:
        return Q()
    root = org_queries.only_top_team(org)
    if root is not None and root.pk == team_id:
        return Q()
    down = org_queries.subtree_ids(Team(pk=team_id, org_id=org.pk))
    return Q(pk__in=SignalTeam.objects.filter(org=org, team_id__in=down).values("signal_id"))


def ranked(qs: QuerySet) -> QuerySet:
    """Most severe first, then the widest reach, then the newest: the order of the
    `signal_ranked` index, so the first rows come without sorting every signal."""
    return qs.order_by("-severity_rank", "-reach_people", "-reach_teams", "-last_seen", "-id")


def rank_key(s: Signal) -> tuple:
    """`ranked`'s order for signals already read (sorted() by it puts the first first)."""
    return (-s.severity_rank, -s.reach_people, -s.reach_teams, -s.last_seen.timestamp(), -s.pk)


def check_filters(kind: str | None, state: str | None) -> None:
    """Refuse a kind or a state no signal can have (a typo answered "0 signals" before)."""
    from accord.intelligence.registry import discover

    if state and state not in (*SignalState.values, "live", "any"):
        states = ", ".join([*SignalState.values, "live", "any"])
        raise ServiceError(
            f"Unknown state {state!r}; use one of {states}.",
            fields={"state": [f"One of {states}."]},
        )
    if kind and kind not in discover():
        raise ServiceError(
            f"Unknown kind of signal {kind!r}; the kinds are listed at GET /api/v1/signal-kinds.",
            fields={"kind": ["Unknown kind of signal."]},
        )


def signals(
    org: Organization,
    *,
    team_id: int | None = None,
    kind: str | None = None,
    severity: str | None = None,
    state: str | None = None,
    live: bool = False,
) -> QuerySet:
    """Stored signals, filtered (team subtree, kind, severity, state) and ranked. `state`
    may also be "live" (or `live`): what needs attention, neither resolved nor dismissed
    (`OPEN_STATES`, as the health counts them open and Insights lists them), or "any" (as
    None: every state). An unknown kind or state is refused."""
    check_filters(kind, state)
    state = None if state == "any" else state
    qs = Signal.objects.filter(org=org).filter(_team_filter(org, team_id))
    if kind:
        qs = qs.filter(kind=kind)
    if severity:
        qs = qs.filter(severity=severity)
    if state == "live" or live:
        qs = qs.filter(state__in=OPEN_STATES)
    elif state:
        qs = qs.filter(state=state)
    return ranked(qs.select_related("owner").prefetch_related("team_links"))


def _episodes_at(org: Organization, moment: dt.datetime):
    return SignalEpisode.objects.filter(org=org, started_at__lte=moment).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gt=moment)
    )


def held_at(org: Organization, as_of: dt.datetime | dt.date, *, team_id: int | None = None):
    """The signals that held at a past moment, concerning the team or a team below it (a
    queryset: `signals_as_of` reads them with their state then; a page counts them first)."""
    return Signal.objects.filter(
        org=org, pk__in=_episodes_at(org, as_moment(as_of)).values("signal_id")
    ).filter(_team_filter(org, team_id))


def signals_as_of(
    org: Organization,
    as_of: dt.datetime | dt.date,
    *,
    team_id: int | None = None,
    kind: str | None = None,
    severity: str | None = None,
    state: str | None = None,
) -> list[Signal]:
    """The signals that held at a past moment, as the evaluation of that moment stored
    them: each one's episode covering the moment gives its severity, explanation and
    evidence; its state then is recovered from the acknowledge/snooze/dismiss events.
    `first_seen` is when it began to hold (`_held_from`). Four queries, five when one
    that held then has been found again since. `state` as `signals` takes it; an unknown
    kind or state is refused."""
    check_filters(kind, state)
    state = None if state == "any" else state
    moment = as_moment(as_of)
    episodes = _episodes_at(org, moment)
    qs = held_at(org, as_of, team_id=team_id)
    if kind:
        qs = qs.filter(kind=kind)
    rows = list(ranked(qs.select_related("owner").prefetch_related("team_links")))
    ep = {
        e.signal_id: e for e in episodes.filter(signal_id__in=[s.pk for s in rows]).order_by("id")
    }
    later_state: dict[int, dict[str, Any]] = {}
    for target_id, before in (
        Event.objects.filter(
            org=org,
            target_type="intelligence.signal",
            created_at__gt=moment,
            target_id__in=[str(s.pk) for s in rows],
        )
        .order_by("created_at", "id")
        .values_list("target_id", "before")
    ):
        if before and "state" in before:
            later_state.setdefault(int(target_id), before)
    held_from = _held_from(org, rows, ep, moment)
    out = []
    for s in rows:
        e = ep.get(s.pk)
        if e is None:
            continue
        s.severity, s.explanation, s.evidence, s.numbers = (
            e.severity,
            e.explanation,
            e.evidence,
            e.numbers,
        )
        s.first_seen, s.resolved_at = held_from.get(s.pk, s.first_seen), None
        before = later_state.get(s.pk)
        if before is not None:
            s.state = before["state"]
            s.snoozed_until = before.get("snoozed_until", s.snoozed_until)
        elif s.state == SignalState.RESOLVED or (e.ended_at is not None):
            s.state = SignalState.OPEN
        if severity and s.severity != severity:
            continue
        if state == "live" and s.state not in OPEN_STATES:
            continue
        if state and state != "live" and s.state != state:
            continue
        out.append(s)
    order = {"critical": 2, "warning": 1, "info": 0}
    out.sort(key=lambda s: (-order[s.severity], -s.reach_people, -s.reach_teams, -s.pk))
    return out


def _held_from(
    org: Organization, rows: list[Signal], ep: dict[int, SignalEpisode], moment: dt.datetime
) -> dict[int, dt.datetime]:
    """When each signal held at `moment` began to hold, as its `first_seen` said then: not
    when the episode covering the moment began (an episode ends whenever its wording
    changes, e.g. each day a dependency is one day later), but the start of the unbroken
    stretch of episodes it is part of. A signal whose stored `first_seen` is not after the
    moment has held since then (it is reset only when the signal comes back after being
    resolved); the others, found again since, are walked back through their episodes (one
    query, none when there are none)."""
    out = {s.pk: s.first_seen for s in rows if s.pk in ep and s.first_seen <= moment}
    back = [s.pk for s in rows if s.pk in ep and s.pk not in out]
    if not back:
        return out
    by_signal: dict[int, list[tuple[dt.datetime, dt.datetime | None]]] = defaultdict(list)
    for signal_id, started, ended in (
        SignalEpisode.objects.filter(org=org, signal_id__in=back, started_at__lte=moment)
        .order_by("-started_at", "-id")
        .values_list("signal_id", "started_at", "ended_at")
    ):
        by_signal[signal_id].append((started, ended))
    for signal_id in back:
        start = ep[signal_id].started_at
        for started, ended in by_signal[signal_id]:
            if started < start and ended == start:
                start = started
        out[signal_id] = start
    return out


def signal(org: Organization, signal_id: int) -> Signal | None:
    return (
        Signal.objects.filter(org=org, pk=signal_id)
        .select_related("owner", "state_changed_by")
        .first()
    )


def team_ids_of(signal_ids: Iterable[int]) -> dict[int, list[int]]:
    """Teams concerned, per signal id (one query)."""
    ids = list(signal_ids)
    out: dict[int, list[int]] = defaultdict(list)
    for sid, tid in (
        SignalTeam.objects.filter(signal_id__in=ids)
        .order_by("team_id")
        .values_list("signal_id", "team_id")
    ):
        out[sid].append(tid)
    return out


# --- evidence links ----------------------------------------------------------------------

_ROUTES: dict[str, tuple[str, str]] = {
    "alignment.objective": ("alignment:objective", "objective_id"),
    "alignment.initiative": ("alignment:initiative", "initiative_id"),
    "alignment.keyresult": ("alignment:key_result", "kr_id"),
    "coordination.dependency": ("coordination:detail", "dep_id"),
    "decisions.decision": ("decisions:decision", "decision_id"),
    "decisions.issue": ("decisions:issue", "issue_id"),
    "decisions.actionitem": ("decisions:action", "item_id"),
    "rhythm.cadence": ("rhythm:cadence", "cadence_id"),
    "org.person": ("org:person", "person_id"),
}


def resolve_links(org: Organization, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each item (evidence, an event: `target_type` and `target_id`) with `url` set to the
    page of what it names, None when it names nothing with a page or no longer exists in
    this organization. One query per kind of object named."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for it in items:
        tid = str(it.get("target_id") or "")
        if it.get("target_type") and tid.isdigit():
            by_type[it["target_type"]].add(int(tid))
    # A team's page, or its priority stack ("alignment.stack": a team's id).
    team_ids = by_type.get("org.team", set()) | by_type.get("alignment.stack", set())
    team_slugs = (
        dict(Team.objects.for_org(org).filter(pk__in=team_ids).values_list("id", "slug"))
        if team_ids
        else {}
    )
    existing: dict[str, set[int]] = {}
    for kind, ids in by_type.items():
        if kind in _ROUTES:
            model = apps.get_model(kind)
            existing[kind] = set(
                model.objects.filter(org=org, pk__in=ids).values_list("id", flat=True)
            )
    out = []
    for it in items:
        url = None
        kind, tid = it.get("target_type") or "", str(it.get("target_id") or "")
        try:
            if kind in ("org.team", "alignment.stack") and tid.isdigit() and int(tid) in team_slugs:
                name = "org:team" if kind == "org.team" else "alignment:team"
                url = reverse(
                    name, kwargs={"org_slug": org.slug, "team_slug": team_slugs[int(tid)]}
                )
            elif tid.isdigit() and int(tid) in existing.get(kind, ()):
                name, arg = _ROUTES[kind]
                url = reverse(name, kwargs={"org_slug": org.slug, arg: int(tid)})
        except NoReverseMatch:
            url = None
        out.append({**it, "url": url})
    return out


RELATED_SHOWN = 20  # related items listed on an initiative's or objective's page


def related_work(org: Organization, item: Any) -> list[Any]:
    """The initiatives (or objectives) of `org` that people marked as related to `item`
    (an initiative or objective) on a likely-duplicate signal, from either side of the
    judgement: the other items with their teams, by title, at most RELATED_SHOWN + 1 (one
    more tells the page there are more). One query."""
    from accord.alignment.models import Initiative, Objective
    from accord.intelligence.models import DuplicateJudgement, DuplicateVerdict

    model = {"initiative": Initiative, "objective": Objective}.get(item._meta.model_name)
    if model is None or item.org_id != org.pk:
        return []
    # The other side of each judgement as one subquery: the items are then read by id.
    # Two subqueries joined by OR made SQLite walk every item of the organization in
    # title order, testing each against both.
    others = (
        DuplicateJudgement.objects.filter(
            org=org, object_type=item._meta.model_name, verdict=DuplicateVerdict.RELATED
        )
        .filter(Q(a_id=item.pk) | Q(b_id=item.pk))
        .annotate(other=Case(When(a_id=item.pk, then=F("b_id")), default=F("a_id")))
        .values("other")
    )
    qs = model.objects.for_org(org).filter(pk__in=others).select_related("team")
    return list(qs.order_by("title", "pk")[: RELATED_SHOWN + 1])


# The field that names each kind of object evidence links to.
_NAME_FIELDS = {
    "org.team": "name",
    "org.person": "name",
    "alignment.objective": "title",
    "alignment.initiative": "title",
    "alignment.keyresult": "name",
    "coordination.dependency": "title",
    "decisions.decision": "question",
    "decisions.issue": "title",
    "decisions.actionitem": "title",
    "rhythm.cadence": "name",
}


def link_names(org: Organization, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each evidence item with `link_value` set: True when its value, not its label, is
    the name of what it links to ("Waiting": a decision's question), so that a page links
    the name rather than the label (five links named "Waiting"); False when the label is
    the name (a dependency: "Payments API") or the value is a figure or a date. One query
    per kind of object named."""
    by_type: dict[str, set[int]] = defaultdict(set)
    for it in items:
        tid = str(it.get("target_id") or "")
        if it.get("target_type") in _NAME_FIELDS and tid.isdigit():
            by_type[it["target_type"]].add(int(tid))
    names: dict[tuple[str, int], str] = {}
    for kind, ids in by_type.items():
        model = apps.get_model(kind)
        for pk, name in model.objects.filter(org=org, pk__in=ids).values_list(
            "id", _NAME_FIELDS[kind]
        ):
            names[(kind, pk)] = name
    out = []
    for it in items:
        tid = str(it.get("target_id") or "")
        name = names.get((it.get("target_type") or "", int(tid))) if tid.isdigit() else None
        value = it.get("value")
        named = name is not None and str(value) == name and it.get("label") != name
        out.append({**it, "link_value": named})
    return out


def subject_url(org: Organization, s: Signal) -> str | None:
    return resolve_links(org, [{"target_type": s.subject_type, "target_id": s.subject_id}])[0][
        "url"
    ]


# --- health ------------------------------------------------------------------------------


def latest_date(org: Organization, as_of: dt.date | None = None) -> dt.date | None:
    """The last day with stored health on or before `as_of` (one query)."""
    qs = HealthScore.objects.filter(org=org)
    if as_of is not None:
        qs = qs.filter(date__lte=as_of)
    return qs.order_by("-date").values_list("date", flat=True).first()


def health(org: Organization, team_id: int, as_of: dt.date | None = None) -> HealthScore | None:
    """A team's stored health on the last day on or before `as_of` (default: latest)."""
    qs = HealthScore.objects.filter(org=org, team_id=team_id)
    if as_of is not None:
        qs = qs.filter(date__lte=as_of)
    return qs.select_related("team").order_by("-date").first()


def health_history(
    org: Organization, team_id: int, *, weeks: int = 13, until: dt.date | None = None
) -> list[HealthScore]:
    """One row per week (the week's last stored day) over the last `weeks` weeks, oldest
    first. One query."""
    rows = list(
        HealthScore.objects.filter(org=org, team_id=team_id)
        .filter(**({"date__lte": until} if until else {}))
        .order_by("-date")[: weeks * 7 + 7]
    )
    if not rows:
        return []
    end = until or rows[0].date
    start = end - dt.timedelta(weeks=weeks)
    by_week: dict[tuple[int, int], HealthScore] = {}
    for r in rows:
        if r.date <= start:
            continue
        key = tuple(r.date.isocalendar()[:2])
        if key not in by_week:  # rows come newest first: keep each week's last day
            by_week[key] = r  # type: ignore[index]
    return sorted(by_week.values(), key=lambda r: r.date)


@dataclass
class HeatRow:
    team: Team
    score: HealthScore | None
    has_children: bool


def heatmap(org: Organization, team_id: int | None, as_of: dt.date | None = None) -> list[HeatRow]:
    """A team's children (the roots for the whole organization) with their rolled-up
    health on the latest stored day. Three queries."""
    day = latest_date(org, as_of)
    teams = list(Team.objects.for_org(org).current().filter(parent_id=team_id).order_by("name"))
    ids = [t.pk for t in teams]
    scores = (
        {h.team_id: h for h in HealthScore.objects.filter(org=org, date=day, team_id__in=ids)}
        if day
        else {}
    )
    parents_with_children = set(
        Team.objects.for_org(org)
        .current()
        .filter(parent_id__in=ids)
        .values_list("parent_id", flat=True)
    )
    return [HeatRow(t, scores.get(t.pk), t.pk in parents_with_children) for t in teams]


# --- changes and scope -------------------------------------------------------------------


def new_since(
    org: Organization, since: dt.datetime | dt.date, *, team_id: int | None = None
) -> QuerySet:
    """Signals whose current episode began at or after `since` and still hold."""
    moment = since if isinstance(since, dt.datetime) else as_moment(since - dt.timedelta(days=1))
    return signals(org, team_id=team_id, state="live").filter(first_seen__gt=moment)


def resolved_since(
    org: Organization, since: dt.datetime | dt.date, *, team_id: int | None = None
) -> QuerySet:
    moment = since if isinstance(since, dt.datetime) else as_moment(since - dt.timedelta(days=1))
    resolved = signals(org, team_id=team_id, state=SignalState.RESOLVED)
    # Closed because their teams were retired, or taken over by a more serious signal: not
    # resolved by anyone (pages.resolved_since).
    return resolved.filter(resolved_at__gt=moment).exclude(
        closed_reason__in=(CLOSED_TEAM_RETIRED, CLOSED_TAKEN_OVER)
    )


def default_scope(org: Organization, person: Person) -> int | None:
    """The highest team the person leads (None: the whole organization, for admins and
    for people who lead nothing). Two queries."""
    if person.has_role("admin"):
        return None
    led = set(
        Membership.objects.for_org(org)
        .in_current_teams()
        .leading()
        .filter(person=person)
        .values_list("team_id", flat=True)
    )
    if not led:
        return None
    above = org_queries.ancestor_ids(org, led)  # the led teams up, not the whole tree
    top = [t for t in led if not set(above[t]) & led]
    return min(top, key=lambda t: (len(above[t]), t))


def for_person(org: Organization, person: Person, *, limit: int = 10) -> list[Signal]:
    """Live signals a person owns or that concern a team they lead now (or one below),
    read from the person's teams down: one recursive query names them, rather than the
    organization's whole tree; the lead of the only team at the top sees every signal,
    without naming the organization's teams. Two to four queries."""
    member, team = Membership._meta.db_table, Team._meta.db_table
    # The teams the person leads, each saying whether it is the only team at the top.
    leading, roles = leading_sql("m.role")
    sql = (
        f"SELECT m.team_id, (t.parent_id IS NULL AND NOT EXISTS ("
        f"  SELECT 1 FROM {team} o WHERE o.org_id = %s AND o.parent_id IS NULL AND o.id <> t.id"
        f")) FROM {member} m JOIN {team} t ON t.id = m.team_id"
        f" WHERE m.org_id = %s AND m.person_id = %s AND {leading} AND m.ended_on IS NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, org.pk, person.pk, *roles])
        heads = cursor.fetchall()
    every = any(top for _, top in heads)
    led: list[int] = []
    if heads and not every:
        ids = sorted({team_id for team_id, _ in heads})
        down = (
            f"WITH RECURSIVE led(id) AS ("
            f" SELECT id FROM {team} WHERE org_id = %s AND id IN ({', '.join(['%s'] * len(ids))})"
            f" UNION SELECT CASE WHEN t.org_id = %s THEN t.id END"
            f" FROM led JOIN {team} t ON t.parent_id = led.id)"
            f" SELECT id FROM led WHERE id IS NOT NULL"
        )  # see WALKS in org/queries.py
        with connection.cursor() as cursor:
            cursor.execute(down, [org.pk, *ids, org.pk])
            led = [team_id for (team_id,) in cursor.fetchall()]
    live = Signal.objects.filter(org=org, state__in=(SignalState.OPEN, SignalState.ACKNOWLEDGED))
    lists = [live.filter(owner=person)]
    if every:
        # The person leads the top of the tree: every signal is theirs to see.
        lists = [live]
    elif led:
        # By the teams' ids: PostgreSQL, told only "the rows of a recursive query", read
        # every signal's links to find a leaf team's few (33 ms instead of 1).
        links = SignalTeam.objects.filter(org=org, team_id__in=led).values("signal_id")
        lists.append(live.filter(pk__in=links))
    # Each list ranked and cut in the database; merged here (an OR of the two read them all).
    found = {s.pk: s for qs in lists for s in ranked(qs.select_related("owner"))[:limit]}
    return sorted(found.values(), key=rank_key)[:limit]
