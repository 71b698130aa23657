"""Reads shared by pages, the API and analysis. Bulk queries, then plain Python.

Derived facts (never stored):
* late — active and its committed (else need-by) date has passed;
* at risk — active and flagged at risk, or the provider's initiative targets a date after
  the committed one, is paused, or is itself held up (one of the dependencies *it* relies
  on is late or flagged blocked);
* blocked initiative — it relies on at least one undelivered (active) dependency.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone

from accord.alignment.models import Initiative, InitiativeObjective, Objective
from accord.coordination import graph
from accord.coordination.models import ACTIVE_STATES, Dependency, Flag, Side, State
from accord.org.models import Membership, MembershipRole, Organization, Person, Team
from accord.org.queries import descendants_of, parent_map


def today() -> dt.date:
    return timezone.localdate()


def base(org: Organization) -> QuerySet[Dependency]:
    return Dependency.objects.for_org(org).select_related(
        "requester_team",
        "provider_team",
        "requester_initiative",
        "provider_initiative",
    )


def late_q(on: dt.date) -> Q:
    return Q(state__in=ACTIVE_STATES) & Q(due__lt=on)


def with_due(qs: QuerySet[Dependency]) -> QuerySet[Dependency]:
    return qs.annotate(due=Coalesce(F("committed_date"), F("need_by")))


def held_up_initiatives(org: Organization | int, on: dt.date) -> set[int]:
    """Initiatives one of whose own dependencies is late or flagged blocked (one query)."""
    org_id = org if isinstance(org, int) else org.pk
    return set(
        with_due(Dependency.objects.filter(org_id=org_id))
        .filter(late_q(on) | Q(state__in=ACTIVE_STATES, flag=Flag.BLOCKED))
        .values_list("requester_initiative_id", flat=True)
    )


def risk_reasons(dep: Dependency, on: dt.date, held_up: set[int]) -> list[str]:
    """Why an active dependency is at risk (empty: it is not)."""
    if not dep.is_active:
        return []
    out = []
    if dep.flag == Flag.AT_RISK:
        out.append(dep.flag_note or "Flagged at risk.")
    p = dep.provider_initiative if dep.provider_initiative_id else None
    if p is not None:
        if p.target_date and p.target_date > dep.due_date:
            out.append(
                f"{p.title} targets {p.target_date.isoformat()}, after the committed "
                f"{dep.due_date.isoformat()}."
            )
        if p.status == "paused":
            out.append(f"{p.title} is paused.")
        if p.pk in held_up:
            out.append(f"{p.title} is held up by its own dependencies.")
    return out


def decorate(deps: Iterable[Dependency], on: dt.date | None = None, held_up=None) -> list:
    """Set `.late`, `.at_risk`, `.risk_reasons` on each dependency (one extra query)."""
    on = on or today()
    deps = list(deps)
    if held_up is None:
        held_up = held_up_initiatives(deps[0].org_id, on) if deps else set()
    for d in deps:
        d.late = d.is_late(on)
        d.risk_reasons = risk_reasons(d, on, held_up)
        d.at_risk = bool(d.risk_reasons)
    return deps


def at_risk_ids(org: Organization, on: dt.date | None = None) -> set[int]:
    on = on or today()
    deps = base(org).filter(state__in=ACTIVE_STATES)
    return {d.pk for d in decorate(deps, on) if d.at_risk}


def filtered(
    org: Organization,
    *,
    team: Team | None = None,
    direction: str | None = None,
    state: str | None = None,
    late: bool | None = None,
    at_risk: bool | None = None,
    on: dt.date | None = None,
) -> QuerySet[Dependency]:
    """Dependencies by team and direction (inbound = the team provides, outbound = it asks),
    state, late, at risk."""
    on = on or today()
    qs = with_due(base(org))
    if team is not None:
        if direction == "inbound":
            qs = qs.filter(provider_team=team)
        elif direction == "outbound":
            qs = qs.filter(requester_team=team)
        else:
            qs = qs.filter(Q(provider_team=team) | Q(requester_team=team))
    if state:
        qs = qs.filter(state=state)
    if late is True:
        qs = qs.filter(late_q(on))
    elif late is False:
        qs = qs.exclude(late_q(on))
    if at_risk is not None:
        ids = at_risk_ids(org, on)
        qs = qs.filter(id__in=ids) if at_risk else qs.exclude(id__in=ids)
    return qs.order_by("due", "id")


# --- team views --------------------------------------------------------------------------


def blocked_initiative_ids(org: Organization, initiative_ids: Iterable[int] | None = None):
    qs = Dependency.objects.for_org(org).filter(state__in=ACTIVE_STATES)
    if initiative_ids is not None:
        qs = qs.filter(requester_initiative_id__in=list(initiative_ids))
    return set(qs.values_list("requester_initiative_id", flat=True))


@dataclass
class ReadyRow:
    initiative: Initiative
    delivered: int
    open: int

    @property
    def ready(self) -> bool:
        return self.open == 0


def ready_to_work_on(org: Organization, team: Team) -> list[ReadyRow]:
    """The team's open initiatives and their dependencies; ready = all delivered (2 queries)."""
    initiatives = list(
        Initiative.objects.for_org(org)
        .filter(team=team, status__in=("proposed", "active", "paused"))
        .order_by(F("rank").asc(nulls_last=True), "title")
    )
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for init_id, st in (
        Dependency.objects.for_org(org)
        .filter(requester_initiative__in=initiatives)
        .exclude(state__in=(State.DECLINED, State.CANCELLED))
        .values_list("requester_initiative_id", "state")
    ):
        counts[init_id][0 if st == State.DELIVERED else 1] += 1
    return [ReadyRow(i, *counts[i.pk]) for i in initiatives]


def team_summary(org: Organization, team: Team, on: dt.date | None = None) -> dict[str, Any]:
    """Inbound/outbound counts for a team's page (one query)."""
    on = on or today()
    out = {"inbound": 0, "outbound": 0, "inbound_new": 0, "late": 0}
    rows = (
        with_due(Dependency.objects.for_org(org))
        .filter(Q(provider_team=team) | Q(requester_team=team), state__in=ACTIVE_STATES)
        .values_list("provider_team_id", "state", "awaiting", "due")
    )
    for provider_id, st, _awaiting, due in rows:
        inbound = provider_id == team.pk
        out["inbound" if inbound else "outbound"] += 1
        if inbound and st == State.REQUESTED:
            out["inbound_new"] += 1
        if due < on:
            out["late"] += 1
    return out


def new_requests_for_lead(org: Organization, person: Person) -> list[Dependency]:
    """Requests waiting on the teams `person` leads: new ones and counter-proposals."""
    led = Membership.objects.filter(person=person, role=MembershipRole.LEAD).values("team_id")
    return list(
        base(org)
        .filter(provider_team_id__in=led, awaiting=Side.PROVIDER)
        .filter(state__in=(State.REQUESTED, State.NEGOTIATING))
        .order_by("need_by", "id")[:20]
    )


# --- the graph ---------------------------------------------------------------------------


@dataclass
class GraphData:
    """The whole organization's dependency graph as plain data (four queries)."""

    teams: dict[int, dict[str, Any]]
    initiatives: dict[int, dict[str, Any]]
    deps: list[dict[str, Any]]
    objectives_of: dict[int, list[int]] = field(default_factory=dict)
    objective_titles: dict[int, str] = field(default_factory=dict)

    def edges(self) -> list[tuple[int, int]]:
        """Accepted dependencies as (requester initiative, provider initiative)."""
        return [
            (d["requester_initiative_id"], d["provider_initiative_id"])
            for d in self.deps
            if d["state"] == State.ACCEPTED and d["provider_initiative_id"]
        ]

    def dates(self) -> dict[int, tuple[dt.date | None, dt.date | None]]:
        return {i: (v["start_date"], v["target_date"]) for i, v in self.initiatives.items()}

    def team_of(self) -> dict[int, int]:
        return {i: v["team_id"] for i, v in self.initiatives.items()}


def graph_data(org: Organization, *, with_objectives: bool = False) -> GraphData:
    teams = {
        t["id"]: t for t in Team.objects.for_org(org).values("id", "name", "slug", "parent_id")
    }
    deps = list(
        Dependency.objects.for_org(org).values(
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
        )
    )
    initiatives = {
        i["id"]: i
        for i in Initiative.objects.for_org(org).values(
            "id", "title", "team_id", "status", "start_date", "target_date"
        )
    }
    data = GraphData(teams=teams, initiatives=initiatives, deps=deps)
    if with_objectives:
        for init_id, obj_id in InitiativeObjective.objects.for_org(org).values_list(
            "initiative_id", "objective_id"
        ):
            data.objectives_of.setdefault(init_id, []).append(obj_id)
        data.objective_titles = dict(Objective.objects.for_org(org).values_list("id", "title"))
    return data


def _init_ref(data: GraphData, i: int) -> dict[str, Any]:
    v = data.initiatives[i]
    team = data.teams.get(v["team_id"], {})
    return {
        "id": i,
        "title": v["title"],
        "team_id": v["team_id"],
        "team": team.get("name", ""),
        "start_date": v["start_date"],
        "target_date": v["target_date"],
    }


def cycles(org: Organization, data: GraphData | None = None) -> list[dict[str, Any]]:
    """Each cycle of accepted dependencies: its initiatives and the teams involved."""
    data = data or graph_data(org)
    out = []
    for comp in graph.cycles(data.initiatives, data.edges()):
        inits = [_init_ref(data, i) for i in comp]
        team_ids = sorted({i["team_id"] for i in inits})
        out.append(
            {
                "initiatives": inits,
                "teams": [{"id": t, "name": data.teams[t]["name"]} for t in team_ids],
            }
        )
    return out


def critical_path(
    org: Organization, initiative_id: int, data: GraphData | None = None
) -> dict[str, Any]:
    data = data or graph_data(org)
    result = graph.critical_paths(initiative_id, data.edges(), data.dates())
    return {
        "initiative": _init_ref(data, initiative_id),
        "length_days": result.length,
        "paths": [[_init_ref(data, i) for i in p] for p in result.paths],
    }


def blast_radius(
    org: Organization, *, initiative_id: int | None = None, team_id: int | None = None
) -> dict[str, Any]:
    data = graph_data(org, with_objectives=True)
    if initiative_id is not None:
        sources = [initiative_id]
    else:
        sources = [i for i, v in data.initiatives.items() if v["team_id"] == team_id]
    r = graph.blast_radius(sources, data.edges(), data.team_of(), data.objectives_of)
    return {
        "sources": sorted(sources),
        "initiatives": [_init_ref(data, i) for i in sorted(r.initiatives)],
        "teams": [
            {"id": t, "name": data.teams[t]["name"]}
            for t in sorted(r.teams, key=lambda t: data.teams[t]["name"])
        ],
        "objectives": [
            {"id": o, "title": data.objective_titles.get(o, "")} for o in sorted(r.objectives)
        ],
    }


def load(org: Organization, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Coordination load per team, busiest first."""
    on = on or today()
    data = graph_data(org)
    triples = [
        (d["requester_team_id"], d["provider_team_id"], (d["committed_date"] or d["need_by"]) < on)
        for d in data.deps
        if d["state"] in ACTIVE_STATES
    ]
    loads = graph.coordination_load(triples)
    rows = [
        {
            "team_id": t,
            "team": data.teams[t]["name"],
            "slug": data.teams[t]["slug"],
            "inbound": v.inbound,
            "outbound": v.outbound,
            "inbound_late": v.inbound_late,
            "outbound_late": v.outbound_late,
            "total": v.total,
            "late": v.late,
        }
        for t, v in loads.items()
    ]
    rows.sort(key=lambda r: (-r["total"], r["team"]))
    return rows


# --- the map -----------------------------------------------------------------------------


def map_elements(
    org: Organization,
    *,
    mode: str = "teams",
    team_id: int | None = None,
    states: Iterable[str] | None = None,
    on: dt.date | None = None,
) -> dict[str, Any]:
    """Cytoscape elements for the dependency map, with cycles and the critical path marked.

    mode "teams": one node per team with dependencies, one edge per (requester, provider,
    state); mode "initiatives": one node per initiative, one edge per dependency with both
    ends known. `team_id` keeps only dependencies touching that team's subtree.
    """
    on = on or today()
    data = graph_data(org)
    states = set(states or [s for s in State.values if s not in (State.CANCELLED,)])
    keep_teams: set[int] | None = None
    if team_id is not None:
        keep_teams = {team_id} | descendants_of(team_id, parent_map(org))
    deps = [
        d
        for d in data.deps
        if d["state"] in states
        and (
            keep_teams is None
            or d["requester_team_id"] in keep_teams
            or d["provider_team_id"] in keep_teams
        )
    ]
    edges_all = data.edges()
    cycle_nodes: set[int] = set()
    for comp in graph.cycles(data.initiatives, edges_all):
        cycle_nodes.update(comp)
    chain = graph.longest_chain(data.initiatives, edges_all, data.dates())
    critical: list[int] = chain.paths[0] if chain and chain.length and chain.paths else []
    critical_edges = set(itertools.pairwise(critical))
    cycle_teams = {data.initiatives[i]["team_id"] for i in cycle_nodes}
    critical_teams = [data.initiatives[i]["team_id"] for i in critical]
    critical_team_edges = set(itertools.pairwise(critical_teams))
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    if mode == "initiatives":
        used: set[int] = set()
        for d in deps:
            a, b = d["requester_initiative_id"], d["provider_initiative_id"]
            if not b:
                continue
            used.update((a, b))
            due = d["committed_date"] or d["need_by"]
            edges.append(
                {
                    "data": {
                        "id": f"d{d['id']}",
                        "source": a,
                        "target": b,
                        "state": d["state"],
                        "late": d["state"] in ACTIVE_STATES and due < on,
                        "flag": d["flag"],
                        "label": d["title"],
                        "dep": d["id"],
                        "cycle": a in cycle_nodes
                        and b in cycle_nodes
                        and d["state"] == State.ACCEPTED,
                        "critical": (a, b) in critical_edges and d["state"] == State.ACCEPTED,
                    }
                }
            )
        for i in sorted(used):
            v = data.initiatives[i]
            nodes.append(
                {
                    "data": {
                        "id": i,
                        "label": v["title"],
                        "team": data.teams[v["team_id"]]["name"],
                        "kind": "initiative",
                        "cycle": i in cycle_nodes,
                        "critical": i in critical,
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
            late = sum(
                1
                for d in group
                if st in ACTIVE_STATES and (d["committed_date"] or d["need_by"]) < on
            )
            edges.append(
                {
                    "data": {
                        "id": f"t{a}-{b}-{st}",
                        "source": f"t{a}",
                        "target": f"t{b}",
                        "state": st,
                        "count": len(group),
                        "late": late,
                        "label": str(len(group)) if len(group) > 1 else "",
                        "dep": group[0]["id"] if len(group) == 1 else None,
                        "cycle": a in cycle_teams and b in cycle_teams and st == State.ACCEPTED,
                        "critical": (a, b) in critical_team_edges and st == State.ACCEPTED,
                    }
                }
            )
        for t in sorted(used, key=lambda t: data.teams[t]["name"]):
            nodes.append(
                {
                    "data": {
                        "id": f"t{t}",
                        "label": data.teams[t]["name"],
                        "slug": data.teams[t]["slug"],
                        "kind": "team",
                        "cycle": t in cycle_teams,
                        "critical": t in critical_teams,
                    }
                }
            )
    return {
        "nodes": nodes,
        "edges": edges,
        "critical_path": [_init_ref(data, i) for i in critical],
        "critical_length_days": chain.length if chain else 0,
        "cycles": len({frozenset(c) for c in graph.cycles(data.initiatives, edges_all)}),
    }
