"""Reads shared by pages, the API and analysis. Bulk queries, then plain Python.

Said delivered: accepted, and its provider said it was delivered (`marked_delivered_on`,
stored): it waits on the requester's confirmation, and from that day it is neither late
nor at risk, nor does it block the initiative that needs it.

Derived facts (never stored):
* late — active, its committed (else need-by) date has passed, and not said delivered
  (`late_q`, the one rule: lists, figures, blocked initiatives, announcements);
* at risk — active, not said delivered, and flagged at risk or blocked, or committed for a date
  after the need-by (it will come after it is needed), or the provider's initiative
  targets a date after the committed one, is paused, or is itself blocked by what *it*
  needs (its stored `blocked_from` day has come: one of its own dependencies is late or
  flagged blocked, or was declined with nothing else planned);
* blocked initiative — a dependency it needs (not said delivered) is flagged blocked or
  is late (overdue), or was declined while nothing else is planned to get it (as the
  `dependencies.blocked` and `dependencies.declined_unplanned` signals):
  `blocked_reasons`;
* waiting initiative — it relies on at least one undelivered (active) dependency: not
  ready to work on, not necessarily blocked.

Who may act for a team (`standing`): its members; a lead of any team above it (acting for
it); an admin, for any team.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, Count, F, Q, QuerySet, Value, When

from accord.activity.models import Event
from accord.alignment.blocked import unplanned_declines
from accord.alignment.models import Initiative, InitiativeObjective, Objective
from accord.coordination import graph
from accord.coordination.models import ACTIVE_STATES, Dependency, Flag, Priority, Side, State
from accord.core.counting import count_up_to, figures, shown_count
from accord.core.days import org_today
from accord.org.models import Membership, Organization, Person, Team, TeamState, leading_sql
from accord.org.queries import covers_every_team, subtree_ids
from accord.web.templatetags.dates import day, day_span
from accord.web.templatetags.numbers import counted


def today() -> dt.date:
    """The day what is late, at risk or blocked is counted on: the organization's day
    (`core.days`), the same for every reader, for the API and for the signals."""
    return org_today()


def base(org: Organization) -> QuerySet[Dependency]:
    """Dependencies with what a row of them shows. The teams and initiatives come joined;
    the milestone and a counter-proposal's initiative, which few have, by id after (no
    statement when none has one): joined as well, seven tables made PostgreSQL spend
    5-40 ms choosing a join order for each list, far longer than running it."""
    return (
        Dependency.objects.for_org(org)
        .select_related(
            "requester_team", "provider_team", "requester_initiative", "provider_initiative"
        )
        .prefetch_related("proposed_initiative", "need_by_milestone")
    )


def twin_request(
    org: Organization, initiative: Initiative | None, team: Team | None, title: str
) -> Dependency | None:
    """The active request `team` was already asked for `title` for `initiative` (by
    anyone, whenever): the same need asked twice, or a second click. One rule for the
    form, which asks first, and `services.create_dependency`, which refuses it unless
    asked again (`accord.core.twice`)."""
    title = (title or "").strip()
    if initiative is None or team is None or not title:
        return None
    return (
        Dependency.objects.filter(
            org=org,
            requester_initiative=initiative,
            provider_team=team,
            state__in=ACTIVE_STATES,
            title__iexact=title,
        )
        .order_by("pk")
        .first()
    )


def milestone_label(names: Iterable[str]) -> str:
    """What an edge of the map says of the milestones its dependencies are needed by."""
    names = sorted(set(names))
    if not names:
        return ""
    return f"by {names[0]}" if len(names) == 1 else f"by {len(names)} milestones"


def late_q(on: dt.date) -> Q:
    """Late on `on`: active, its due date passed, and not said delivered (the provider's
    word stops it counting against them; `Dependency.is_late` for one row)."""
    return Q(state__in=ACTIVE_STATES, due__lt=on, marked_delivered_on__isnull=True)


def with_due(qs: QuerySet[Dependency]) -> QuerySet[Dependency]:
    """`due` is a stored column now; kept so callers read the same."""
    return qs


def at_risk_q(on: dt.date) -> Q:
    """`risk_reasons` as SQL: active, and flagged at risk or blocked, or committed after
    the need-by, or the provider's initiative targets a later date, is paused, or is
    blocked on `on`
    (its stored first blocked day): columns of the row and of its provider's initiative,
    no subquery per row."""
    return Q(state__in=ACTIVE_STATES, marked_delivered_on__isnull=True) & (
        Q(flag__in=(Flag.AT_RISK, Flag.BLOCKED))
        | Q(committed_date__gt=F("need_by"))
        | Q(provider_initiative__target_date__gt=F("due"))
        | Q(provider_initiative__status="paused")
        | Q(provider_initiative__blocked_from__lte=on)
    )


# How a row of dependencies says that one is committed after its need-by date: the row's
# own columns give both dates (its page says the whole sentence, `risk_reasons`).
COMMITTED_AFTER_IN_ROW = "Committed after the need-by date."


def risk_reasons(dep: Dependency, on: dt.date, *, in_row: bool = False) -> list[str]:
    """Why an active dependency is at risk (empty: it is not, nor once said delivered).
    `in_row`: as a row beside its Need by and Committed dates says them (those dates left
    out)."""
    if not dep.is_active or dep.said_delivered:
        return []
    out = []
    if dep.flag == Flag.AT_RISK:
        out.append(dep.flag_note or "Flagged at risk.")
    elif dep.flag == Flag.BLOCKED:  # blocked says more than at risk, and is counted with it
        out.append(f"Flagged blocked: {dep.flag_note}" if dep.flag_note else "Flagged blocked.")
    if dep.committed_date and dep.committed_date > dep.need_by:
        committed, needed = day(dep.committed_date), day(dep.need_by)
        full = f"Committed for {committed}, after it is needed ({needed})."
        out.append(COMMITTED_AFTER_IN_ROW if in_row else full)
    p = dep.provider_initiative if dep.provider_initiative_id else None
    if p is not None:
        if p.target_date and p.target_date > dep.due_date:
            out.append(
                f"{p.title} targets {day(p.target_date)}, after the committed {day(dep.due_date)}."
            )
        if p.status == "paused":
            out.append(f"{p.title} is paused.")
        if p.blocked_from is not None and p.blocked_from <= on:
            out.append(f"{p.title} is itself blocked by what it needs.")
    return out


def after_target(dep: Dependency, date: dt.date | None = None, *, agreed: bool = False) -> str:
    """What coming on `date` (the committed date by default) means for the initiative that
    needs it when that is after the initiative's target date ("" when it is not): not at
    risk (the asking team needs it by then, or agreed to it), but that initiative cannot
    finish by its target. `agreed`: said before the date is agreed. Read from the row's
    initiative (`base` selects it)."""
    date = date or dep.committed_date
    initiative = dep.requester_initiative
    target = initiative.target_date
    if date is None or target is None or date <= target:
        return ""
    late = counted((date - target).days, "day")
    gets = "would get" if agreed else "gets"
    return (
        f"{day(date)} is after {initiative.title}'s target date ({day(target)}): "
        f"{dep.requester_team.name} {gets} it {late} after {initiative.title} is due to finish."
    )


def decorate(deps: Iterable[Dependency], on: dt.date | None = None) -> list:
    """Set `.late`, `.at_risk`, `.risk_reasons` (and `.row_risk_reasons`, as a row says
    them) on each dependency (no query when the provider's initiative is selected with
    it)."""
    on = on or today()
    deps = list(deps)
    for d in deps:
        d.late = d.is_late(on)
        d.risk_reasons = risk_reasons(d, on)
        d.row_risk_reasons = risk_reasons(d, on, in_row=True)  # `_risk_why.html`
        d.at_risk = bool(d.risk_reasons)
    return deps


def filtered(
    org: Organization,
    *,
    team: Team | None = None,
    only: bool = False,
    initiative: Initiative | None = None,
    direction: str | None = None,
    state: str | None = None,
    active: bool | None = None,
    late: bool | None = None,
    at_risk: bool | None = None,
    outside: bool = False,
    waiting: bool = False,
    on: dt.date | None = None,
    whole: bool | None = None,
) -> QuerySet[Dependency]:
    """Dependencies by team and direction (inbound = the team provides, outbound = it asks),
    state, active, late, at risk. `team` takes in the teams below it unless `only`.
    With a team, `outside` keeps those whose other side is outside that scope (they cross
    its boundary), `waiting` those waiting for an answer from a team of the scope (see
    `in_scope`); without one, `waiting` is every request, proposal or delivery said made
    not yet answered (`waiting_q`).
    `whole`: whether `team` with the teams below it is every team (`covers_every_team`),
    when the caller knows."""
    on = on or today()
    qs = with_due(base(org))
    sides = SIDES.get(direction or "", ("provider", "requester"))
    if team is not None:
        whole = not only and (covers_every_team(team) if whole is None else whole)
        qs = in_scope(
            qs,
            org,
            team,
            only=only,
            sides=sides,
            outside=outside,
            waiting=waiting,
            whole=whole,
        )
    elif waiting:
        qs = qs.filter(waiting_q())
    if initiative is not None:
        needs, gives = (
            Q(requester_initiative_id=initiative.pk),
            Q(provider_initiative_id=initiative.pk),
        )
        qs = qs.filter({"inbound": gives, "outbound": needs}.get(direction or "", needs | gives))
    if state:
        qs = qs.filter(state=state)
    if active is True:
        qs = qs.filter(state__in=ACTIVE_STATES)
    elif active is False:
        qs = qs.exclude(state__in=ACTIVE_STATES)
    if late is True:
        qs = qs.filter(late_q(on))
    elif late is False:
        qs = qs.exclude(late_q(on))
    if at_risk is True:
        qs = qs.filter(at_risk_q(on))
    elif at_risk is False:
        qs = qs.exclude(at_risk_q(on))
    return qs.order_by("due", "id")


def open_first(qs: QuerySet[Dependency]) -> QuerySet[Dependency]:
    """Active dependencies first, soonest due; then closed ones, most recently closed."""
    return qs.annotate(
        closed=Case(When(state__in=ACTIVE_STATES, then=Value(0)), default=Value(1))
    ).order_by("closed", Case(When(closed=0, then=F("due"))), F("closed_at").desc(), "id")


SIDES = {"inbound": ("provider",), "outbound": ("requester",)}  # a list's direction
WAITING_STATES = (State.REQUESTED, State.NEGOTIATING)  # a move of one side is awaited
OTHER_SIDE = {"provider": "requester", "requester": "provider"}


def waiting_q(sides: Iterable[str] | None = None) -> Q:
    """Waiting for an answer (from one of `sides`, else either): a request or a proposal
    whose move is that side's, or a delivery its provider said was made, for the
    requester to confirm (`awaiting` says whose move it is)."""
    q = Q(state__in=WAITING_STATES) | Q(state=State.ACCEPTED, marked_delivered_on__isnull=False)
    return q if sides is None else q & Q(awaiting__in=tuple(sides))


def awaits_provider(dep: Dependency) -> bool:
    """Waiting for the provider's answer: a request, or a counter-proposal, not answered yet
    (`waiting_q(["provider"])` for one row, without a delivery said made)."""
    return dep.state in WAITING_STATES and dep.awaiting == Side.PROVIDER


def waiting_since(org: Organization, deps: Iterable[Dependency]) -> dict[int, dt.datetime]:
    """{id: since when} for each of `deps` that waits for an answer (`waiting_q`: a request,
    a proposal either way, a delivery said made): the moment of the last move that left it
    waiting on the side it waits on now (its newest event that set `awaiting` to that
    side: asked, proposed, counter-proposed, said delivered), else when it was asked. One
    query, over those dependencies' few events."""
    waiting = {d.pk: d for d in deps if d.state in WAITING_STATES or d.said_delivered}
    if not waiting:
        return {}
    moves = (
        Event.objects.filter(
            org=org,
            target_type="coordination.dependency",
            target_id__in=[str(pk) for pk in waiting],
        )
        .order_by()
        .values_list("target_id", "created_at", "after__awaiting")
    )
    since: dict[int, dt.datetime] = {}
    for target_id, at, side in moves:
        d = waiting[int(target_id)]
        if side == d.awaiting and (d.pk not in since or at > since[d.pk]):
            since[d.pk] = at
    return {pk: since.get(pk, d.created_at) for pk, d in waiting.items()}


def last_reminder(dep: Dependency):
    """The newest reminder the asking side sent of `dep` (its `reminded` event), or None.
    The few events of one dependency, sorted here (asked to sort, SQLite walks the
    organization's events by date)."""
    found = Event.objects.filter(org_id=dep.org_id, verb="reminded").for_target(
        "coordination.dependency", dep.pk
    )
    return max(found.select_related("actor"), key=lambda e: (e.created_at, e.pk), default=None)


def in_scope(
    qs: QuerySet[Dependency],
    org: Organization,
    team: Team,
    *,
    only: bool = False,
    sides: Iterable[str] = ("provider", "requester"),
    outside: bool = False,
    waiting: bool = False,
    whole: bool = False,
    by_id: bool = True,
    each: Q | None = None,
) -> QuerySet[Dependency]:
    """`qs` kept to the dependencies asked of (provider) or by (requester) `team` and the
    teams below it (`only`: the team alone) on the given sides; `outside`: only those whose
    other side is a team outside that scope (they cross its boundary); `waiting`: only
    those waiting for an answer from the scope's side (`waiting_q`: a request or a
    proposal whose move is that side's, a delivery said made for the requester).
    `whole`: the scope is every team (`covers_every_team`). `by_id`: as the ids of a
    subquery, which a list sorts without walking the organization's dependencies in its
    order; else as a filter of the rows, each side with the condition `each` (state,
    date), which a count up to a limit reads off that side's team index and stops
    reading early (see `scope_figures`)."""
    sides = tuple(sides)
    if each is not None and (whole or by_id):
        qs = qs.filter(each)  # else with each side, only there (see `scope_figures`)
    if whole:
        # The only team at the top with the teams below it is every team, on both sides of
        # every dependency: no filter, and the list reads its own index (filtered by the
        # 10,000 teams' ids, SQLite took 0.2-0.6 s to gather and sort every dependency).
        if outside:
            return qs.none()  # nothing crosses the boundary of the whole organization
        if waiting:
            qs = qs.filter(waiting_q(sides))
        return qs
    ids = subtree_ids(team, only=only)
    if by_id and not (outside or waiting):
        # By id: asked to sort by date, SQLite would walk every dependency by date.
        return qs.filter(pk__in=touching(org, ids, sides))
    where = Q(pk__in=[])
    for side in sides:
        # By id, each side names the organization (SQLite reads the side's team index);
        # as a filter, `qs` does, and a side's `each` beside it made SQLite walk the
        # organization's (org, due) index for a late count instead (1 s, not 1 ms).
        part = Q(**{f"{side}_team_id__in": ids})
        if by_id:
            part &= Q(org_id=org.pk)
        elif each is not None:
            part &= each
        if waiting:
            part &= waiting_q([side])
        if outside:
            part &= ~Q(**{f"{OTHER_SIDE[side]}_team_id__in": ids})
        where |= part
    if not by_id:
        return qs.filter(where)
    return qs.filter(pk__in=Dependency.objects.filter(where).order_by().values("id"))


SCOPE_COUNTED = 200  # a scope's figures count up to this many rows each ("200+")


WHOLE_FIGURES = ("active", "late", "at_risk")


def whole_figures(org: Organization, on: dt.date) -> dict[str, int]:
    """The whole organization's active, late and at-risk (not yet due) dependencies on
    `on`, exact (`counting.figures`: counted whole past FIGURES_EXACT and kept a minute):
    the coordination overview's figures, and the top team's, which covers every team."""
    active = base(org).filter(state__in=ACTIVE_STATES)
    return figures(  # today's: what is late or at risk changes with the date
        f"coordination-figures:{org.pk}:{on.isoformat()}",
        {
            "late": active.filter(late_q(on)),
            "at_risk": active.filter(due__gte=on).filter(at_risk_q(on)),
            "active": active,
        },
    )


def scope_figures(
    org: Organization, team: Team, on: dt.date | None = None, *, at_risk: bool = False
) -> dict[str, int | str]:
    """A team with the teams below it, as its pages' figures: active dependencies, those
    waiting for an answer from the scope, late, and those crossing its boundary asked of
    it and by it (active); with `at_risk`, also those at risk and not late (the
    coordination overview's). Each is what the list it links to shows, counted up to
    SCOPE_COUNTED rows (`shown`: as a page writes it, "200+"), in one statement whatever
    the size of the subtree. Each side's condition goes with it (`in_scope`, `each`): told
    "late" beside the two sides, SQLite walked every late dependency of the organization
    for a department of ten teams (260 ms at 10,000 teams; 1 ms by the teams' index)."""
    on = on or today()
    whole = covers_every_team(team)
    active = Q(state__in=ACTIVE_STATES)
    asked = {
        "active": {"each": active},
        "waiting": {"waiting": True},
        "late": {"each": late_q(on)},
        "outside_inbound": {"sides": ("provider",), "outside": True, "each": active},
        "outside_outbound": {"sides": ("requester",), "outside": True, "each": active},
    }
    if at_risk:
        # The list's `at_risk=1&late=0`: active, not yet due, and at risk.
        asked["at_risk"] = {"each": at_risk_q(on) & Q(due__gte=on)}
    rows = Dependency.objects.filter(org_id=org.pk)
    counted = count_each(
        {
            name: in_scope(rows, org, team, whole=whole, by_id=False, **filters)
            for name, filters in asked.items()
            # Nothing crosses the whole organization's boundary, and its own figures are
            # the overview's (below).
            if not (whole and (filters.get("outside") or name in WHOLE_FIGURES))
        },
        SCOPE_COUNTED,
    )
    counts = {name: counted.get(name, 0) for name in asked}
    shown = {f"{k}_shown": shown_count(v, SCOPE_COUNTED) for k, v in counts.items()}
    if whole:  # the organization's own figures, exact as its overview says them
        exact = whole_figures(org, on)
        for name in WHOLE_FIGURES:
            if name in asked:
                counts[name] = exact[name]
                shown[f"{name}_shown"] = f"{exact[name]:,}"
    return {**counts, **shown, "whole": whole}


def count_each(querysets: dict[str, QuerySet], limit: int) -> dict[str, int]:
    """`count_up_to(qs, limit)` of each queryset (name -> count, limit + 1 meaning more), in
    one statement: a page's figures in one round trip rather than one each."""
    parts, params = [], []
    for i, qs in enumerate(querysets.values()):
        sql, p = qs.order_by().values("pk")[: limit + 1].query.sql_with_params()
        parts.append(f"SELECT {i} AS n, COUNT(*) AS c FROM ({sql}) counted_{i}")
        params.extend(p)
    if not parts:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        found = dict(cursor.fetchall())
    return {name: found.get(i, 0) for i, name in enumerate(querysets)}


def touching(
    org: Organization, team_ids: Iterable[int], sides: Iterable[str] = ("provider", "requester")
) -> QuerySet[Dependency]:
    """Ids of the dependencies asked of (provider) or by (requester) the given teams. Each
    side names the organization itself, so SQLite answers from the two team indexes.
    `team_ids` is a list or a subquery (`subtree_ids`)."""
    team_ids = team_ids if hasattr(team_ids, "as_sql") else list(team_ids)
    where = Q(pk__in=[])
    for side in sides:
        where |= Q(org_id=org.pk, **{f"{side}_team_id__in": team_ids})
    return Dependency.objects.filter(where).order_by().values("id")


# --- who may act for a team --------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """How a person may act for a team: as its member, as a lead of a team above it, or as
    an admin. `via` names the team above they lead."""

    team_id: int
    how: str  # "member", "lead" or "admin"
    via: str = ""

    @property
    def on_behalf(self) -> bool:
        return self.how != "member"

    @property
    def as_text(self) -> str:
        return {"member": "member", "lead": f"lead of {self.via}", "admin": "admin"}[self.how]


def may_act(person: Person | None) -> bool:
    """Whether the person may act at all (an active member or above)."""
    return person is not None and person.is_active and person.has_role("member")


def standing(
    org: Organization | int, person: Person | None, team_ids: Iterable[int], *, by_role=True
):
    """team id -> `Standing` for those of `team_ids` the person may act for. One recursive
    query up the tree from the given teams, whatever their number or depth. Without
    `by_role`, not as an admin (`actable_team_ids`)."""
    ids = sorted({int(t) for t in team_ids})
    if not ids or not may_act(person):
        return {}
    team = connection.ops.quote_name(Team._meta.db_table)
    member = connection.ops.quote_name(Membership._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    leading, roles = leading_sql("m.role")
    sql = f"""
        WITH RECURSIVE up(start, id, depth) AS (
            SELECT id, id, 0 FROM {team} WHERE org_id = %s AND id IN ({marks})
            UNION ALL
            SELECT up.start, (SELECT t.parent_id FROM {team} t WHERE t.id = up.id), up.depth + 1
            FROM up WHERE up.id IS NOT NULL AND up.depth < 1000
        )
        SELECT start, depth, name FROM (
            SELECT up.start, up.depth,
                (SELECT t.name FROM {team} t WHERE t.id = up.id AND t.org_id = %s) AS name
            FROM up
            WHERE EXISTS (
                SELECT 1 FROM {member} m
                WHERE m.team_id = up.id AND m.person_id = %s AND m.ended_on IS NULL
                AND (up.depth = 0 OR {leading})
            )
        ) found WHERE name IS NOT NULL
    """  # each row tested on its own, joined to nothing: see WALKS in org/queries.py
    org_id = org if isinstance(org, int) else org.pk
    params = [org_id, *ids, org_id, person.pk, *roles]
    nearest: dict[int, tuple[int, str]] = {}
    with connection.cursor() as cur:
        cur.execute(sql, params)
        for start, depth, name in cur.fetchall():
            if start not in nearest or depth < nearest[start][0]:
                nearest[start] = (depth, name)
    out = {}
    for t in ids:
        if t in nearest:
            depth, name = nearest[t]
            out[t] = Standing(t, "member") if depth == 0 else Standing(t, "lead", name)
        elif by_role and person.has_role("admin"):
            out[t] = Standing(t, "admin")
    return out


def actable_team_ids(org: Organization, person: Person | None, *, by_role: bool = True) -> Any:
    """The teams the person may act for, as a subquery (never a list: a lead near the top
    of a large organization acts for most of it); None: every team (an admin). Without
    `by_role`, only those they stand in (their teams, and those below one they lead), as
    an agent acts by its owner's: an admin's role is the admin's own."""
    if not may_act(person):
        return Team.objects.none().values("id")
    if by_role and person.has_role("admin"):
        return None
    from django.db.models.expressions import RawSQL

    team = connection.ops.quote_name(Team._meta.db_table)
    member = connection.ops.quote_name(Membership._meta.db_table)
    leading, roles = leading_sql("role")
    sql = f"""
        WITH RECURSIVE down(id) AS (
            SELECT team_id FROM {member}
            WHERE org_id = %s AND person_id = %s AND {leading} AND ended_on IS NULL
            UNION
            SELECT CASE WHEN t.org_id = %s THEN t.id END
            FROM down JOIN {team} t ON t.parent_id = down.id
        )
        SELECT id FROM down WHERE id IS NOT NULL
        UNION SELECT team_id FROM {member}
        WHERE org_id = %s AND person_id = %s AND ended_on IS NULL
    """  # see WALKS in org/queries.py
    params = [org.pk, person.pk, *roles, org.pk, org.pk, person.pk]
    return RawSQL(sql, params)


def why_not(person: Person | None, team_names: Iterable[str]) -> str:
    """Why the person may not act for the named teams (a sentence for pages)."""
    names = " or ".join(team_names)
    if person is None or not person.is_active:
        return "Your account is inactive."
    if not person.has_role("member"):
        return (
            f"You are a {person.role}: you can read everything here but act for no team. "
            f"Members of {names}, leads of a team above, or an admin act on it."
        )
    return (
        f"Only members of {names}, leads of a team above, or an admin may act on it; "
        "you are none of them."
    )


# --- team views --------------------------------------------------------------------------


@dataclass(frozen=True)
class Blocker:
    """Why an initiative is blocked: one dependency it needs."""

    dependency_id: int
    title: str
    team: str  # the provider
    reason: str


def blocked_reasons(
    org: Organization | int, initiative_ids: Iterable[int], on: dt.date | None = None
) -> dict[int, list[Blocker]]:
    """The blocked initiatives among `initiative_ids` (pass open ones), each with the
    dependencies that block it: flagged blocked, late, or declined with nothing else
    planned to get it (nothing asked since for the initiative replaced it:
    `alignment.blocked.unplanned_declines`). One query, by the (requester initiative,
    state) index."""
    org_id = org if isinstance(org, int) else org.pk
    on = on or today()
    ids = list(initiative_ids)
    if not ids:
        return {}
    rows = list(
        Dependency.objects.filter(
            org_id=org_id,
            requester_initiative_id__in=ids,
            state__in=(*ACTIVE_STATES, State.DECLINED, State.DELIVERED),
        )
        .order_by()
        .values_list(
            "requester_initiative_id",
            "id",
            "title",
            "state",
            "flag",
            "due",
            "provider_team__name",
            "marked_delivered_on",
            "created_at",
            "closed_at",
        )
    )
    of_initiative: dict[int, list[tuple]] = defaultdict(list)
    for r in rows:
        of_initiative[r[0]].append((r[1], r[3], r[8], r[9]))
    unplanned = set().union(*map(unplanned_declines, of_initiative.values()))
    out: dict[int, list[Blocker]] = defaultdict(list)
    for init_id, dep_id, title, state, flag, due, team, said, *_ in sorted(
        rows, key=lambda r: (r[5], r[1])
    ):
        if state == State.DECLINED:
            if dep_id not in unplanned:
                continue  # asked again since: something else is planned to get it
            reason = f"{team} declined it, and nothing else is planned to get it."
        elif state == State.DELIVERED or said is not None:
            continue  # delivered, or said so: it only counts as something planned
        elif flag == Flag.BLOCKED:
            reason = f"Flagged blocked ({team})."
        elif due < on:
            reason = f"Late: {team} was due to deliver it on {day(due)}."
        else:
            continue
        out[init_id].append(Blocker(dep_id, title, team, reason))
    return dict(out)


def mark_blocked(items: list, on: dt.date | None = None) -> list:
    """Set `.blocked_by` (a list of `Blocker`, empty when not blocked) on initiatives of
    one organization, as a stack shows them: one query for them all."""
    items = list(items)
    if items:
        found = blocked_reasons(items[0].org_id, [i.pk for i in items], on)
        for i in items:
            i.blocked_by = found.get(i.pk, [])
    return items


LIST_SHOWN = 50  # dependencies of each side an initiative's page lists (open ones first)


@dataclass
class InitiativeDependencies:
    needs: list[Dependency]  # what the initiative needs from other teams
    gives: list[Dependency]  # what other teams need from it (it delivers them)
    needs_total: int
    gives_total: int
    blocked_by: list[Blocker]
    can_ask: bool = False  # the viewer may ask other teams on the initiative's behalf
    shown: int = LIST_SHOWN


def for_initiative(
    org: Organization,
    initiative: Initiative,
    on: dt.date | None = None,
    person: Person | None = None,
) -> InitiativeDependencies:
    """Both sides of an initiative's dependencies, open ones first, soonest due, each
    decorated (late, at risk); and what blocks it. A bounded number of queries."""
    on = on or today()
    needs_qs = base(org).filter(requester_initiative_id=initiative.pk)
    # Ids first, each side by its own initiative index (one OR over both columns, or a
    # filter by organization, walks the organization's dependencies).
    delivers = Dependency.objects.filter(provider_initiative_id=initiative.pk)
    offered = Dependency.objects.filter(
        proposed_initiative_id=initiative.pk, state=State.NEGOTIATING
    )
    gives_ids = [
        i
        for i, o in delivers.order_by()
        .values_list("id", "org_id")
        .union(offered.order_by().values_list("id", "org_id"))
        if o == org.pk
    ]
    gives_qs = base(org).filter(pk__in=gives_ids)
    needs = list(open_first(needs_qs)[:LIST_SHOWN])
    gives = list(open_first(gives_qs)[:LIST_SHOWN])
    both = needs + gives
    if both:
        decorate(both, on)
    blocked = []
    is_open = initiative.status in ("proposed", "active", "paused")
    if is_open:
        blocked = blocked_reasons(org, [initiative.pk], on).get(initiative.pk, [])
    # A declined request nothing replaced: "Declined — needs a plan" in its row.
    unplanned = {b.dependency_id for b in blocked}
    for d in needs:
        d.needs_plan = d.state == State.DECLINED and d.pk in unplanned
    return InitiativeDependencies(
        needs=needs,
        gives=gives,
        needs_total=needs_qs.count() if len(needs) == LIST_SHOWN else len(needs),
        gives_total=gives_qs.count() if len(gives) == LIST_SHOWN else len(gives),
        blocked_by=blocked,
        can_ask=is_open and bool(standing(org, person, [initiative.team_id])),
    )


@dataclass
class ReadyRow:
    initiative: Initiative
    delivered: int
    open: int
    blocked_by: list[Blocker]

    @property
    def ready(self) -> bool:
        return self.open == 0 and not self.blocked_by


def ready_to_work_on(org: Organization, team: Team, on: dt.date | None = None) -> list[ReadyRow]:
    """The team's open initiatives and their dependencies; ready = all delivered and
    nothing blocks it (3 queries)."""
    initiatives = list(
        Initiative.objects.for_org(org)
        .filter(team=team, status__in=("proposed", "active", "paused"))
        .order_by(F("rank").asc(nulls_last=True), "title")
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for init_id, st in (
        Dependency.objects.for_org(org)
        .filter(requester_initiative__in=initiatives)
        .filter(state__in=(*ACTIVE_STATES, State.DELIVERED))
        .order_by()
        .values_list("requester_initiative_id", "state")
    ):
        counts[init_id][0 if st == State.DELIVERED else 1] += 1
    blocked = blocked_reasons(org, [i.pk for i in initiatives], on)
    return [ReadyRow(i, *counts[i.pk], blocked.get(i.pk, [])) for i in initiatives]


def team_summary(org: Organization, team: Team, on: dt.date | None = None) -> dict[str, Any]:
    """Inbound/outbound counts for a team's page (one query)."""
    on = on or today()
    out = {"inbound": 0, "outbound": 0, "inbound_new": 0, "late": 0}
    rows = (
        with_due(Dependency.objects.for_org(org))
        .filter(Q(provider_team=team) | Q(requester_team=team), state__in=ACTIVE_STATES)
        .values_list("provider_team_id", "state", "due", "marked_delivered_on")
    )
    for provider_id, st, due, said in rows:
        inbound = provider_id == team.pk
        out["inbound" if inbound else "outbound"] += 1
        if inbound and st == State.REQUESTED:
            out["inbound_new"] += 1
        if due < on and said is None:  # late_q
            out["late"] += 1
    return out


def new_requests_for_lead(
    org: Organization, person: Person, within: Team | None = None, *, limit: int = 20
) -> list[Dependency]:
    """Requests waiting on the teams `person` leads: new ones and counter-proposals, the
    first `limit` by need-by date; only those of `within` and the teams below it when
    given. The teams are read first, as a
    short list: most people lead none, and as a subquery beside the requests' joins
    PostgreSQL spent 4 ms planning what takes 0.1 ms to run."""
    led = Membership.objects.leading().filter(person=person)
    if within is not None and not covers_every_team(within):
        led = led.filter(team_id__in=subtree_ids(within))
    led = list(led.values_list("team_id", flat=True))
    if not led:
        return []
    return list(
        base(org)
        .filter(provider_team_id__in=led, awaiting=Side.PROVIDER)
        .filter(state__in=(State.REQUESTED, State.NEGOTIATING))
        .order_by("need_by", "id")[:limit]
    )


def teams_led(org: Organization, person: Person) -> list[Team]:
    """The current teams `person` leads, by name (most people lead none, a few one or two)."""
    terms = (
        Membership.objects.for_org(org)
        .in_current_teams()
        .leading()
        .filter(person=person)
        .select_related("team")
        .order_by("team__name", "team_id")
    )
    return list({m.team_id: m.team for m in terms}.values())


def waiting_on_led_q(org: Organization, led: Iterable[Team]) -> Q:
    """Waiting for an answer from a team of `led` or a team below one of them: what the
    inbox of each led team shows (`in_scope(waiting=True)`), which its leads may answer
    for the teams below (`standing`). One subquery of ids per led team, walking its
    subtree in the database (`subtree_ids`): its cost does not grow with the subtree."""
    where = Q(pk__in=[])
    for team in led:
        if covers_every_team(team):
            return waiting_q()  # every team: no filter by team (see `in_scope`)
        scoped = in_scope(Dependency.objects.all(), org, team, waiting=True)
        where |= Q(pk__in=scoped.order_by().values("id"))
    return where


def waiting_on_teams_led(
    org: Organization, person: Person, limit: int = 20, led: list[Team] | None = None
) -> list[Dependency]:
    """What waits for an answer from a team `person` leads or a team below one, as the led
    team's inbox shows it (`waiting_on_led_q`): requests and counter-proposals asked of
    it, proposals on what it asked, deliveries said made to it. Critical ones first, then
    soonest needed, at most `limit` + 1 (one more says there are more); each with
    `.answering`, the team whose answer it waits for. `led`: the person's led teams
    (`teams_led`), when known. The critical ones and the others are read apart, each off
    the need-by index in its order: sorted by priority together, the lead of the top team
    had every waiting dependency of the organization sorted (27,000 at 10,000 teams, 0.5 s)
    for the first twenty."""
    led = teams_led(org, person) if led is None else led
    if not led:
        return []
    waiting = base(org).filter(waiting_on_led_q(org, led)).order_by("need_by", "id")
    deps = list(waiting.filter(priority=Priority.CRITICAL)[: limit + 1])
    if len(deps) <= limit:
        deps += waiting.exclude(priority=Priority.CRITICAL)[: limit + 1 - len(deps)]
    for d in deps:
        d.answering = d.requester_team if d.awaiting == Side.REQUESTER else d.provider_team
    return deps


def count_waiting_on_teams_led(org: Organization, led: list[Team], limit: int) -> int:
    """How many `waiting_on_teams_led` finds, read up to `limit` + 1 (`count_up_to`)."""
    if not led:
        return 0
    return count_up_to(
        Dependency.objects.filter(org_id=org.pk).filter(waiting_on_led_q(org, led)), limit
    )


# --- the graph ---------------------------------------------------------------------------
#
# Nothing here loads the organization's whole graph. Walks (blast radius, critical path)
# follow accepted dependencies in the database with one recursive query from where they
# start; the map draws the viewer's scope (their teams, one level at a time); cycles are
# the ones the intelligence engine stores at each evaluation (`dependencies.cycle`).

REACH_LIMIT = 5000  # edges a walk brings back at most (a far larger reach is a warning sign)
MAP_WHOLE_LIMIT = 150  # an organization with at most this many dependencies is drawn whole
MAP_EDGE_LIMIT = 400  # dependencies a scoped map draws at most
MAP_CYCLES_SHOWN = 10  # stored cycles a map names and draws at most
MAP_CYCLE_EDGES = 100  # dependencies of those cycles a map adds to what it draws, at most

DEP_VALUES = (
    "id",
    "title",
    "requester_team_id",
    "provider_team_id",
    "requester_initiative_id",
    "provider_initiative_id",
    "state",
    "flag",
    "need_by",
    "committed_date",
    "need_by_milestone__name",
    "marked_delivered_on",
)


def _late(d: dict[str, Any], on: dt.date) -> bool:
    """`late_q` of a row read as `DEP_VALUES`."""
    due = d["committed_date"] or d["need_by"]
    return d["state"] in ACTIVE_STATES and due < on and d["marked_delivered_on"] is None


def _init_values(org: Organization, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    return {
        i["id"]: i
        for i in Initiative.objects.for_org(org)
        .filter(id__in=list(ids))
        .values("id", "title", "team_id", "status", "start_date", "target_date")
    }


def _team_values(org: Organization, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    return {
        t["id"]: t
        for t in Team.objects.for_org(org)
        .filter(id__in=list(ids))
        .values("id", "name", "slug", "parent_id")
    }


def _ref(initiatives, teams, i: int) -> dict[str, Any]:
    v = initiatives.get(i) or {"title": "", "team_id": None, "start_date": None}
    v.setdefault("target_date", None)
    return {
        "id": i,
        "title": v["title"],
        "team_id": v["team_id"],
        "team": teams.get(v["team_id"], {}).get("name", ""),
        "start_date": v["start_date"],
        "target_date": v["target_date"],
    }


def reachable_edges(
    org: Organization, sources: Iterable[int], *, upstream: bool
) -> list[tuple[int, int]]:
    """Accepted dependencies (requester initiative, provider initiative) reachable from
    `sources`: downstream (who waits on them, transitively) or upstream (what they wait
    on). One recursive query; at most REACH_LIMIT edges."""
    sources = [int(i) for i in sources]
    if not sources:
        return []
    table = connection.ops.quote_name(Dependency._meta.db_table)
    init_table = connection.ops.quote_name(Initiative._meta.db_table)
    near, far = (
        ("requester_initiative_id", "provider_initiative_id")
        if upstream
        else ("provider_initiative_id", "requester_initiative_id")
    )
    marks = ", ".join(["%s"] * len(sources))
    start = f"SELECT id FROM {init_table} WHERE org_id = %s AND id IN ({marks})"
    if connection.vendor == "sqlite":
        # Each step finds a reached initiative's dependencies by id from a correlated list
        # (the covering index on the near side) instead of joining the table on it:
        # joined, SQLite built a Bloom filter over every dependency of the organization
        # first (it cannot know the reach is small), 30 ms at 100,000 dependencies for
        # three rows. PostgreSQL plans the join well and the correlated list badly.
        step = f"""
            SELECT e.id FROM {table} e WHERE e.{near} = r.id AND e.state = %s AND e.org_id = %s
        """
        sql = f"""
            WITH RECURSIVE reach(id) AS (
                {start}
                UNION
                SELECT d.{far} FROM reach r, {table} d
                WHERE d.id IN ({step}) AND d.{far} IS NOT NULL
            )
            SELECT d.requester_initiative_id, d.provider_initiative_id
            FROM reach r, {table} d
            WHERE d.id IN ({step}) AND d.provider_initiative_id IS NOT NULL
            LIMIT %s
        """
        params = [org.pk, *sources, State.ACCEPTED, org.pk, State.ACCEPTED, org.pk]
    else:
        sql = f"""
            WITH RECURSIVE reach(id) AS (
                {start}
                UNION
                SELECT d.{far} FROM {table} d JOIN reach r ON d.{near} = r.id
                WHERE d.org_id = %s AND d.state = %s AND d.{far} IS NOT NULL
            )
            SELECT d.requester_initiative_id, d.provider_initiative_id
            FROM reach r JOIN {table} d ON d.{near} = r.id
            WHERE d.org_id = %s AND d.state = %s AND d.provider_initiative_id IS NOT NULL
            LIMIT %s
        """
        params = [org.pk, *sources, org.pk, State.ACCEPTED, org.pk, State.ACCEPTED]
    params.append(REACH_LIMIT)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [(a, b) for a, b in cur.fetchall()]


def critical_path(org: Organization, initiative_id: int) -> dict[str, Any]:
    """The chain(s) upstream of an initiative that decide when it can finish."""
    edges = reachable_edges(org, [initiative_id], upstream=True)
    ids = {initiative_id} | {n for e in edges for n in e}
    inits = _init_values(org, ids)
    teams = _team_values(org, {v["team_id"] for v in inits.values()})
    dates = {i: (v["start_date"], v["target_date"]) for i, v in inits.items()}
    result = graph.critical_paths(initiative_id, edges, dates)
    return {
        "initiative": _ref(inits, teams, initiative_id),
        "length_days": result.length,
        "paths": [[_ref(inits, teams, i) for i in p] for p in result.paths],
    }


BLAST_SHOWN = 50  # initiatives, teams and objectives a blast radius lists at most


def blast_radius(
    org: Organization,
    *,
    initiative_id: int | None = None,
    team_id: int | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """What a slip of an initiative (or of all a team's) reaches downstream; the counts
    are whole, the lists hold the first `limit` of each."""
    if initiative_id is not None:
        sources = [initiative_id]
    else:
        sources = list(
            Initiative.objects.for_org(org).filter(team_id=team_id).values_list("id", flat=True)
        )
    edges = reachable_edges(org, sources, upstream=False)
    ids = set(sources) | {n for e in edges for n in e}
    inits = _init_values(org, ids)
    team_of = {i: v["team_id"] for i, v in inits.items()}
    objectives_of: dict[int, list[int]] = defaultdict(list)
    for init_id, obj_id in (
        InitiativeObjective.objects.for_org(org)
        .filter(initiative_id__in=list(ids))
        .values_list("initiative_id", "objective_id")
    ):
        objectives_of[init_id].append(obj_id)
    r = graph.blast_radius(sources, edges, team_of, objectives_of)
    teams = _team_values(org, r.teams | {v["team_id"] for v in inits.values()})
    objective_ids = sorted(r.objectives)[:limit]
    titles = dict(
        Objective.objects.for_org(org).filter(id__in=objective_ids).values_list("id", "title")
    )
    team_rows = sorted(r.teams, key=lambda t: teams[t]["name"])[:limit]
    return {
        "sources": sorted(sources),
        "initiatives": [_ref(inits, teams, i) for i in sorted(r.initiatives)[:limit]],
        "teams": [{"id": t, "name": teams[t]["name"]} for t in team_rows],
        "objectives": [{"id": o, "title": titles.get(o, "")} for o in objective_ids],
        "counts": {
            "initiatives": len(r.initiatives),
            "teams": len(r.teams),
            "objectives": len(r.objectives),
        },
        "truncated": len(edges) >= REACH_LIMIT,
    }


def stored_cycles(org: Organization, team_ids: Iterable[int] | Any = None):
    """Cycles the last evaluation found (`dependencies.cycle` signals whose cycle still holds,
    `LIVE_STATES`: one dismissed is still drawn, a fact of the graph), newest first;
    only those touching `team_ids` when given (a list, or a subquery: `subtree_ids`)."""
    from accord.intelligence.models import LIVE_STATES, Signal

    qs = Signal.objects.for_org(org).filter(kind="dependencies.cycle", state__in=LIVE_STATES)
    if team_ids is not None:
        ids = team_ids if hasattr(team_ids, "as_sql") else list(team_ids)
        qs = qs.filter(team_links__team_id__in=ids).distinct()
    # Newest first by id: the (org, kind) index holds them in that order already.
    return qs.order_by("-id")


def cycles(org: Organization, signals=None) -> list[dict[str, Any]]:
    """Each stored cycle (see `stored_cycles`; pass a page of them): its initiatives, the
    teams involved and its dependencies' ids, in four queries whatever their number."""
    signals = list(stored_cycles(org) if signals is None else signals)
    dep_ids = {
        int(e["target_id"])
        for s in signals
        for e in s.evidence
        if e.get("target_type") == "coordination.dependency" and str(e.get("target_id")).isdigit()
    }
    pairs = dict(
        (d, (a, b))
        for d, a, b in Dependency.objects.for_org(org)
        .filter(id__in=dep_ids)
        .values_list("id", "requester_initiative_id", "provider_initiative_id")
    )
    inits = _init_values(org, {n for p in pairs.values() for n in p if n})
    teams = _team_values(org, {v["team_id"] for v in inits.values()})
    out = []
    for s in signals:
        members: list[int] = []
        for e in s.evidence:
            for n in pairs.get(int(e["target_id"]) if str(e.get("target_id")).isdigit() else 0, ()):
                if n and n not in members:
                    members.append(n)
        refs = [_ref(inits, teams, i) for i in sorted(members)]
        team_ids = sorted({r["team_id"] for r in refs if r["team_id"]})
        out.append(
            {
                "id": s.pk,
                "title": s.title,
                "initiatives": refs,
                "teams": [{"id": t, "name": teams[t]["name"]} for t in team_ids],
                "dependencies": sorted(
                    int(e["target_id"])
                    for e in s.evidence
                    if e.get("target_type") == "coordination.dependency"
                    and str(e.get("target_id")).isdigit()
                ),
            }
        )
    return out


def load_for(
    org: Organization, team_ids: Iterable[int], on: dt.date | None = None
) -> list[dict[str, Any]]:
    """Coordination load (active dependencies asked of and by each team, and how many are
    late) of the given teams, busiest first. Two grouped queries."""
    on = on or today()
    team_ids = list(team_ids)
    teams = _team_values(org, team_ids)
    rows = {
        t: {
            "team_id": t,
            "team": v["name"],
            "slug": v["slug"],
            "inbound": 0,
            "outbound": 0,
            "inbound_late": 0,
            "outbound_late": 0,
        }
        for t, v in teams.items()
    }
    active = Dependency.objects.for_org(org).filter(state__in=ACTIVE_STATES)
    for side, column in (("inbound", "provider_team_id"), ("outbound", "requester_team_id")):
        for team_id, n, late in (
            active.filter(**{f"{column}__in": team_ids})
            .values_list(column)
            .annotate(n=Count("id"), late=Count("id", filter=late_q(on)))
            .values_list(column, "n", "late")
        ):
            rows[team_id][side] = n
            rows[team_id][f"{side}_late"] = late
    for r in rows.values():
        r["total"] = r["inbound"] + r["outbound"]
        r["late"] = r["inbound_late"] + r["outbound_late"]
    return sorted(rows.values(), key=lambda r: (-r["total"], r["team"]))


LOAD_WHOLE_LIMIT = 100  # active dependencies up to which the overview ranks every team


def overview_load(
    org: Organization, person: Person | None, on: dt.date | None = None, shown: int = 12
) -> tuple[list[dict[str, Any]], bool, int]:
    """The busiest teams of a small organization (at most LOAD_WHOLE_LIMIT active
    dependencies), else of the person's scope (`scope_teams`); teams with nothing active
    are left out. Returns the first `shown` rows, whether they are of the whole
    organization, and how many teams there were to rank."""
    pairs = list(
        Dependency.objects.for_org(org)
        .filter(state__in=ACTIVE_STATES)
        .order_by()
        .values_list("requester_team_id", "provider_team_id")[: LOAD_WHOLE_LIMIT + 1]
    )
    whole = len(pairs) <= LOAD_WHOLE_LIMIT
    teams = {t for pair in pairs for t in pair} if whole else scope_teams(org, person)
    rows = [r for r in load_for(org, teams, on) if r["total"]]
    return rows[:shown], whole, len(rows)


def scope_load(
    org: Organization, team: Team, on: dt.date | None = None, shown: int = 12
) -> tuple[list[dict[str, Any]], int]:
    """The busiest teams of `team` and the teams below it (`load_for`'s rows; teams with
    nothing active are left out): the first `shown`, and how many there were to rank.
    Active dependencies are counted per team of the scope, each side in one grouped count
    read off its (team, state) index whatever the organization's size, never the rows
    themselves; then `load_for` reads the `shown` teams' figures with how many are late
    (counted for every team of a department of 1,000 teams, the dates tripled the time)."""
    ids = subtree_ids(team)
    active = Dependency.objects.filter(org_id=org.pk, state__in=ACTIVE_STATES)
    totals: dict[int, int] = defaultdict(int)
    for column in ("provider_team_id", "requester_team_id"):
        for team_id, n in (
            active.filter(**{f"{column}__in": ids})
            .order_by()
            .values_list(column)
            .annotate(n=Count("id"))
            .values_list(column, "n")
        ):
            totals[team_id] += n
    busiest = sorted(totals, key=lambda t: (-totals[t], t))[:shown]
    return load_for(org, busiest, on), len(totals)


def scope_teams(
    org: Organization,
    person: Person | None,
    team_id: int | None = None,
    *,
    top_if_none: bool = True,
) -> list[int]:
    """Where a person's view of the graph starts: the given team, else their teams (else
    the top of the tree; nothing when not `top_if_none`), each with the teams directly
    below it. One or two queries."""
    if team_id is not None:
        start = [team_id]
    else:
        start = (
            list(
                Membership.objects.filter(person=person, team__org=org).values_list(
                    "team_id", flat=True
                )
            )
            if person is not None
            else []
        )
        if not start and not top_if_none:
            return []
        if not start:
            start = list(
                Team.objects.for_org(org)
                .current()
                .filter(parent=None)
                .values_list("id", flat=True)[:10]
            )
    below = (
        Team.objects.for_org(org).current().filter(parent_id__in=start).values_list("id", flat=True)
    )
    return list(dict.fromkeys([*start, *below[:50]]))


# --- the map -----------------------------------------------------------------------------


def chain_summary(path: list[dict[str, Any]], length_days: int) -> str:
    """What the map says of its critical path (`path`, from `_ref`, each initiative
    depending on the next): how many initiatives, when the chain is planned to run (from
    its first start date to its last target date, and how many days that is), and
    `length_days` as what it is: what the initiatives' own plans add up to (the sum of
    their durations, which may overlap in the calendar). When they add up to more than
    the days the chain is planned over, that is a warning of its own (`chain_warning`),
    not said here. "" without a path."""
    if not path:
        return ""

    def days(n: int) -> str:
        return f"{n:,} day{'' if n == 1 else 's'}"

    starts = [i["start_date"] for i in path if i["start_date"]]
    ends = [i["target_date"] for i in path if i["target_date"]]
    first, last = (min(starts), max(ends)) if starts and ends else (None, None)
    if len(path) == 1:
        planned = f", planned {day_span(first, last)}" if first else ""
        return f"critical path: one initiative, {days(length_days)}{planned}"
    head = (
        "critical path, the longest chain of accepted dependencies: "
        f"{len(path)} initiatives, each waiting on the next"
    )
    if first is None or last < first:
        own = f"their own plans add up to {days(length_days)}" if length_days else "no dates"
        return f"{head}; {own}"
    span = (last - first).days
    if length_days > span:  # said apart, as a warning (`chain_warning`)
        return f"{head}, planned {day_span(first, last)} ({days(span)})"
    own = f"their own plans add up to {days(length_days)}"
    return f"{head}, planned {day_span(first, last)} ({days(span)}; {own})"


def chain_warning(path: list[dict[str, Any]], length_days: int) -> str:
    """The warning the map gives beside its critical path (`chain_summary`) when the plans
    of its initiatives add up to more days than the chain is planned over: done one after
    another, as each waits on the next, they would not fit. "" when they fit, or the chain
    has no dates or is one initiative."""
    starts = [i["start_date"] for i in path if i["start_date"]]
    ends = [i["target_date"] for i in path if i["target_date"]]
    if len(path) < 2 or not starts or not ends or max(ends) < min(starts):
        return ""
    span = (max(ends) - min(starts)).days
    if length_days <= span:
        return ""
    return (
        f"These plans overlap: done one after another they would take {length_days:,} days, "
        f"more than the {span:,} day{'' if span == 1 else 's'} planned."
    )


def _scope_label(
    teams: dict[int, dict[str, Any]], marked: list[int], team_id: int | None, top: bool
) -> str:
    """What the map's legend calls its marked teams: "Engineering and the 5 teams directly
    below it", "your teams and the teams directly below them"."""
    if not marked:
        return ""
    if top:
        return "the teams at the top and those directly below them"
    if team_id is None:
        return "your teams" + (" and the teams directly below them" if len(marked) > 1 else "")
    name = teams.get(team_id, {}).get("name", "")
    below = len(marked) - 1
    if not below:
        return name
    return f"{name} and the {below} team{'s' if below != 1 else ''} directly below it"


def map_elements(
    org: Organization,
    *,
    mode: str = "teams",
    team_id: int | None = None,
    states: Iterable[str] | None = None,
    person: Person | None = None,
    on: dt.date | None = None,
    initiative_id: int | None = None,
) -> dict[str, Any]:
    """Cytoscape elements for the dependency map, with cycles and the critical path of
    what is drawn marked.

    Cycles are the organization's, as its last evaluation stored them (the overview's and
    the API's, found on the whole active graph): those that involve a team drawn, at most
    MAP_CYCLES_SHOWN of them, named with their teams, with the dependencies that close
    them drawn too when the scope left them out. The critical path leaves their edges
    out, as `graph.longest_chain` does a cycle it sees.

    An organization with at most MAP_WHOLE_LIMIT dependencies is drawn whole. A larger one
    starts at a scope a person can read (`scope_teams`: `team_id`, else the person's
    teams, with the teams directly below): the dependencies touching those teams, at most
    MAP_EDGE_LIMIT, soonest due first. Neighbours are drawn with `expand`: asking for
    `team_id` of one of them adds its own scope. The teams the map starts from are marked
    (`scope` on their nodes, on an initiative's for its team; named in `scope.teams` and,
    for the legend, `scope.label`): the scope, or, drawn whole, the person's own teams with
    those directly below them (none when they have no team); always drawn.

    `initiative_id` (without `team_id`) focuses on one initiative: what it needs and what
    other teams need from it, in any of `states`, at most MAP_EDGE_LIMIT; the initiative is
    marked (its team, on the teams map) and clicking a node adds its team's as ever.

    mode "teams": one node per team, one edge per (requester, provider, state); mode
    "initiatives": one node per initiative, one edge per dependency; a request no
    initiative delivers yet (unanswered, declined, in negotiation) points at the team
    asked, drawn as a team node (`asked`), as the teams mode draws it.
    """
    on = on or today()
    states = sorted(set(states or [s for s in State.values if s not in (State.CANCELLED,)]))
    # A retired team drops out of the map, with the dependencies it takes part in.
    qs = (
        Dependency.objects.for_org(org)
        .filter(state__in=states)
        .exclude(requester_team__state=TeamState.RETIRED)
        .exclude(provider_team__state=TeamState.RETIRED)
    )
    focus = None
    if initiative_id is not None and team_id is None:
        focus = (
            Initiative.objects.for_org(org)
            .filter(pk=initiative_id)
            .values("id", "title", "team_id")
            .first()
        )
    deps = (
        []
        if focus is not None
        else list(qs.order_by("due", "id").values(*DEP_VALUES)[: MAP_WHOLE_LIMIT + 1])
    )
    whole = len(deps) <= MAP_WHOLE_LIMIT and team_id is None and focus is None
    scope: list[int] = []
    top = False
    if focus is not None:
        # Each side by its own initiative index (as `for_initiative`), bounded, sorted here.
        ids = [
            pk
            for side in ("requester_initiative_id", "provider_initiative_id")
            for pk in qs.filter(**{side: focus["id"]})
            .order_by()
            .values_list("id", flat=True)[: MAP_EDGE_LIMIT + 1]
        ]
        deps = sorted(
            qs.filter(pk__in=ids).order_by().values(*DEP_VALUES, "due"),
            key=lambda d: (d["due"], d["id"]),
        )[: MAP_EDGE_LIMIT + 1]
    elif not whole:
        # The viewer's teams, else (they have none) the top of the tree.
        scope = scope_teams(org, person, team_id, top_if_none=False)
        top = not scope
        scope = scope or scope_teams(org, person, team_id)
        # By the team indexes, sorted here: asked to sort, SQLite walks every dependency
        # by date. What touches a scope is bounded by its teams, not by the organization.
        deps = sorted(
            qs.filter(pk__in=touching(org, scope)).order_by().values(*DEP_VALUES, "due"),
            key=lambda d: (d["due"], d["id"]),
        )[: MAP_EDGE_LIMIT + 1]
    truncated = len(deps) > MAP_EDGE_LIMIT
    deps = deps[:MAP_EDGE_LIMIT]
    # The teams the map starts from, marked on it: its scope; drawn whole, the viewer's own
    # teams (with those directly below them), when they have any; at most 50 below
    # (`scope_teams`).
    if focus is not None:
        marked = [focus["team_id"]]
    else:
        marked = scope if not whole else scope_teams(org, person, top_if_none=False)
    drawn_teams = set(scope) | {d[f"{s}_team_id"] for d in deps for s in ("requester", "provider")}
    stored = stored_cycles(org, None if whole else drawn_teams)
    signals = list(stored[: MAP_CYCLES_SHOWN + 1])
    cycles_count = len(signals) if len(signals) <= MAP_CYCLES_SHOWN else count_up_to(stored)
    found_cycles = cycles(org, signals[:MAP_CYCLES_SHOWN])
    cycle_deps = {i for c in found_cycles for i in c["dependencies"]}
    closing = sorted(cycle_deps - {d["id"] for d in deps})[:MAP_CYCLE_EDGES]
    if closing:
        deps += sorted(
            qs.filter(id__in=closing).order_by().values(*DEP_VALUES, "due"),
            key=lambda d: (d["due"], d["id"]),
        )
    init_ids = {d["requester_initiative_id"] for d in deps} | {
        d["provider_initiative_id"] for d in deps if d["provider_initiative_id"]
    }
    if focus is not None:
        init_ids.add(focus["id"])
    inits = _init_values(org, init_ids)
    team_ids = (
        set(marked) | {d["requester_team_id"] for d in deps} | {d["provider_team_id"] for d in deps}
    )
    teams = _team_values(org, team_ids)
    cycle_of = {i["id"]: n for n, c in enumerate(found_cycles) for i in c["initiatives"]}
    cycle_teams = {t["id"] for c in found_cycles for t in c["teams"]}
    edges_all = []  # accepted, with both ends known, not inside one cycle
    for d in deps:
        a, b = d["requester_initiative_id"], d["provider_initiative_id"]
        inside = a in cycle_of and cycle_of[a] == cycle_of.get(b)
        if d["state"] == State.ACCEPTED and b and not inside:
            edges_all.append((a, b))
    dates = {i: (v["start_date"], v["target_date"]) for i, v in inits.items()}
    chain = graph.longest_chain(inits, edges_all, dates)
    critical: list[int] = chain.paths[0] if chain and chain.length and chain.paths else []
    critical_edges = set(itertools.pairwise(critical))
    critical_teams = [inits[i]["team_id"] for i in critical if i in inits]
    critical_team_edges = set(itertools.pairwise(critical_teams))
    expanded = set(scope) if not whole else set(teams)
    in_scope_teams = set(marked)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    if mode == "initiatives":
        used: set[int] = set()
        asked: set[int] = set()  # teams asked, with no initiative of theirs on it yet
        if focus is not None:
            used.add(focus["id"])
        for d in deps:
            a, b = d["requester_initiative_id"], d["provider_initiative_id"]
            used.add(a)
            if b:
                used.add(b)
            else:
                asked.add(d["provider_team_id"])
            milestone = d["need_by_milestone__name"]
            edges.append(
                {
                    "data": {
                        "id": f"d{d['id']}",
                        "source": a,
                        "target": b or f"t{d['provider_team_id']}",
                        "state": d["state"],
                        "late": _late(d, on),
                        "flag": d["flag"],
                        "label": f"{d['title']} ({milestone_label([milestone])})"
                        if milestone
                        else d["title"],
                        "milestones": [milestone] if milestone else [],
                        "dep": d["id"],
                        "title": d["title"],
                        "cycle": d["id"] in cycle_deps and d["state"] in ACTIVE_STATES,
                        "critical": (a, b) in critical_edges and d["state"] == State.ACCEPTED,
                    }
                }
            )
        for i in sorted(used):
            v = inits[i]
            nodes.append(
                {
                    "data": {
                        "id": i,
                        "label": v["title"],
                        "team": teams[v["team_id"]]["name"] if v["team_id"] in teams else "",
                        "team_id": v["team_id"],
                        "kind": "initiative",
                        "cycle": i in cycle_of,
                        "critical": i in critical,
                        "expanded": v["team_id"] in expanded,
                        "scope": i == focus["id"] if focus else v["team_id"] in in_scope_teams,
                    }
                }
            )
        for t in sorted(asked, key=lambda t: teams[t]["name"]):
            nodes.append(
                {
                    "data": {
                        "id": f"t{t}",
                        "team_id": t,
                        "label": teams[t]["name"],
                        "team": teams[t]["name"],
                        "slug": teams[t]["slug"],
                        "kind": "team",
                        "asked": True,
                        "cycle": False,
                        "critical": False,
                        "expanded": t in expanded,
                        "scope": focus is None and t in in_scope_teams,
                    }
                }
            )
    else:
        grouped: dict[tuple[int, int, str], list[dict[str, Any]]] = defaultdict(list)
        for d in deps:
            grouped[(d["requester_team_id"], d["provider_team_id"], d["state"])].append(d)
        used = set()
        for (a, b, st), group in sorted(grouped.items()):
            used.update((a, b))
            late = sum(1 for d in group if _late(d, on))
            milestones = sorted({n for d in group if (n := d["need_by_milestone__name"])})
            count = str(len(group)) if len(group) > 1 else ""
            edges.append(
                {
                    "data": {
                        "id": f"t{a}-{b}-{st}",
                        "source": f"t{a}",
                        "target": f"t{b}",
                        "state": st,
                        "count": len(group),
                        "late": late,
                        "label": " · ".join(filter(None, [count, milestone_label(milestones)])),
                        "milestones": milestones,
                        "dep": group[0]["id"] if len(group) == 1 else None,
                        "title": group[0]["title"] if len(group) == 1 else "",  # the list's link
                        "cycle": st in ACTIVE_STATES and any(d["id"] in cycle_deps for d in group),
                        "critical": (a, b) in critical_team_edges and st == State.ACCEPTED,
                    }
                }
            )
        for t in sorted(used | in_scope_teams, key=lambda t: teams[t]["name"]):
            nodes.append(
                {
                    "data": {
                        "id": f"t{t}",
                        "team_id": t,
                        "label": teams[t]["name"],
                        "slug": teams[t]["slug"],
                        "kind": "team",
                        "cycle": t in cycle_teams,
                        "critical": t in critical_teams,
                        "expanded": t in expanded,
                        "scope": t in in_scope_teams,
                    }
                }
            )
    critical_path = [_ref(inits, teams, i) for i in critical]
    length_days = chain.length if chain and critical else 0
    return {
        "nodes": nodes,
        "edges": edges,
        "critical_path": critical_path,
        # What its initiatives' own plans add up to (the sum of their durations), not the
        # calendar span it is planned over: `chain_summary` says both.
        "critical_length_days": length_days,
        "critical_summary": chain_summary(critical_path, length_days),
        "critical_warning": chain_warning(critical_path, length_days),
        "cycles": cycles_count,
        "cycle_teams": [[t["name"] for t in c["teams"]] for c in found_cycles],
        "scope": {
            "whole": whole,
            # The teams marked (`scope` on their nodes): the start team first.
            "teams": [
                {"id": t, "name": teams[t]["name"], "slug": teams[t]["slug"]}
                for t in marked
                if t in teams
            ],
            "label": (
                f"{focus['title']} ({teams[focus['team_id']]['name']}): what it needs and "
                "what other teams need from it"
                if focus is not None and focus["team_id"] in teams
                else _scope_label(teams, marked, team_id, top)
            ),
            "initiative": focus,
            "truncated": truncated,
            "limit": MAP_EDGE_LIMIT,
        },
    }
