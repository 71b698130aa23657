"""The coordination pillar: dependencies between teams, mostly neighbours in the tree,
in every state of their lifecycle, with the events of each move."""

from __future__ import annotations

import datetime as dt

from accord.coordination.models import Dependency
from accord.core.generator.context import Gen

STATES = {
    "requested": 15,
    "negotiating": 8,
    "accepted": 37,
    "declined": 7,
    "delivered": 28,
    "cancelled": 5,
}
OPEN = ("proposed", "active", "paused")
FIELDS = (
    "org_id",
    "requester_team_id",
    "requester_initiative_id",
    "provider_team_id",
    "provider_initiative_id",
    "title",
    "description",
    "priority",
    "need_by",
    "committed_date",
    "state",
    "awaiting",
    "proposed_date",
    "proposed_scope",
    "proposed_initiative_id",
    "flag",
    "flag_note",
    "flag_auto",
    "resolution",
    "requested_by_id",
    "created_at",
    "updated_at",
    "closed_at",
    "late_announced_for",
    "version",
)


def generate_coordination(g: Gen) -> None:
    """About ten requests per team. Accepted dependencies only ever point from a later
    initiative to an earlier one in one fixed random order, so the dependency graph has
    no accidental cycles; then a few deliberate cycles are added."""
    rng = g.rng
    order = {}  # initiative id -> its place in the order that keeps the graph acyclic
    for mine in g.extra["initiatives"]:
        for row in mine:
            order[row[0]] = rng.random()
    g.extra["initiative_order"] = order
    g.extra["dependencies"] = deps = []  # (id, requester team index, provider team index)
    for i in range(len(g.teams)):
        for _ in range(rng.randint(5, 15)):
            write_dependency(g, i, g.neighbour(i), g.pick(STATES))
    for _ in range(max(1, len(g.teams) // 400)):
        write_cycle(g)
    g.extra["dependency_count"] = len(deps)


def _open_initiatives(g: Gen, i: int) -> list[tuple]:
    return [r for r in g.extra["initiatives"][i] if r[1] in OPEN]


def write_dependency(
    g: Gen, i: int, j: int, state: str, *, pair: tuple[tuple, tuple] | None = None
) -> None:
    """Team i asks team j for a deliverable; the request then went as far as `state`."""
    rng, w = g.rng, g.writer
    mine = _open_initiatives(g, i)
    if pair is None:
        ask = rng.choice(mine)
        theirs = g.extra["initiatives"][j]
        if state == "delivered":
            candidates = [r for r in theirs if r[1] != "proposed"]
        else:
            candidates = [r for r in theirs if r[1] in OPEN]
        if state in ("accepted", "delivered"):  # a delivery may still be accepted: acyclic
            o = g.extra["initiative_order"]
            candidates = [r for r in candidates if o[r[0]] < o[ask[0]]]
        if not candidates and state in ("accepted", "delivered", "negotiating"):
            state = rng.choice(("requested", "declined", "cancelled"))
    else:
        (ask, give), candidates = pair, []
    requester, provider = g.teams[i], g.teams[j]
    i_id = requester.id
    asker = rng.choice(requester.members[:4])
    answerer = provider.lead
    # A request still waiting for an answer is recent where the providing team is fine;
    # a strained or troubled team leaves requests waiting for weeks.
    waiting = state in ("requested", "negotiating") and pair is None
    oldest = g.by_strain(j, 4, 21, 7 * g.weeks + 14) if waiting else 7 * g.weeks + 14
    since = g.now - dt.timedelta(days=min(oldest, 7 * g.weeks + 14))
    created = g.between(since, g.now - dt.timedelta(hours=2))
    need_by = created.date() + dt.timedelta(days=rng.randint(10, 70))
    if candidates:
        # A fine provider mostly serves it from work planned to finish by the date asked
        # for; the rest, and most of a troubled one's, from work due later (late).
        in_time = [r for r in candidates if r[3] is None or r[3] <= need_by]
        if in_time and rng.random() < g.by_strain(j, 0.85, 0.5, 0.0):
            candidates = in_time
        give = rng.choice(candidates)
    elif pair is None:
        give = None
    title = f"{g.namer.thing().capitalize()} support for {requester.name}"
    row = dict.fromkeys(FIELDS, None)
    row.update(
        org_id=g.org_id,
        requester_team_id=requester.id,
        requester_initiative_id=ask[0],
        provider_team_id=provider.id,
        title=title,
        description="",
        priority=rng.choice(("low", "medium", "medium", "high", "critical")),
        need_by=need_by,
        state="requested",
        awaiting="provider",
        proposed_scope="",
        flag="",
        flag_note="",
        flag_auto=False,
        resolution="",
        requested_by_id=asker,
        created_at=created,
        version=1,
    )
    pk = w.table(Dependency, FIELDS).new_id()
    after = {"requester_team": requester.id, "requester_initiative": ask[0]}
    after.update(provider_team=provider.id, title=title, need_by=need_by, state="requested")
    asked = g.actor(asker)  # the event's team is the asking one's, as `record` sets it
    w.event(
        created,
        "created",
        "coordination.dependency",
        pk,
        title,
        asked,
        after=after,
        team=i_id,
        other_team=provider.id,
    )
    moves = {"requester": g.actor(asker), "provider": g.actor(answerer)}
    strain = None if pair else g.strain(j)  # a cycle's dependencies stay accepted
    when = _answer(g, pk, row, state, give, created, moves, strain)
    row["updated_at"] = when
    row["version"] = 1 + row.pop("_moves", 0)
    w.table(Dependency, FIELDS).add(*(row[f] for f in FIELDS[0:]), pk=pk)
    g.extra["dependencies"].append((pk, i, j))


# By the providing team's strain: the chance that an accepted dependency whose committed
# date has passed was delivered (the rest are late), and that an open one is flagged.
DELIVERED_WHEN_DUE = {"fine": 0.9, "strained": 0.6, "troubled": 0.15}
FLAGGED = {"fine": 0.05, "strained": 0.2, "troubled": 0.45}


def _answer(
    g: Gen, pk: int, row: dict, state: str, give, created, moves, strain: str | None
) -> dt.datetime:
    """Play the dependency forward from `requested` to `state`, one event per move, at
    times between its creation and now, as a provider of that `strain` would (None: a
    cycle's, kept accepted); returns the time of the last move."""
    rng, w = g.rng, g.writer
    title = row["title"]
    when = created
    moves_made = 0

    def move(verb: str, side: str, before: dict, after: dict) -> None:
        nonlocal when, moves_made
        when = g.between(when, min(g.now, when + dt.timedelta(days=10)))
        w.event(
            when,
            verb,
            "coordination.dependency",
            pk,
            title,
            moves[side],
            before=before,
            after=after,
            team=row["requester_team_id"],
            other_team=row["provider_team_id"],
        )
        moves_made += 1

    if state == "negotiating":
        proposed = row["need_by"] + dt.timedelta(days=rng.randint(7, 30))
        row.update(state="negotiating", proposed_date=proposed, proposed_initiative_id=give[0])
        row.update(proposed_scope="A smaller first cut", awaiting="requester")
        move("proposed", "provider", {"state": "requested"}, {"state": "negotiating"})
    elif state in ("accepted", "delivered"):
        committed = row["need_by"] + dt.timedelta(days=rng.choice((0, 0, 0, 7, 14)))
        row.update(state="accepted", committed_date=committed, provider_initiative_id=give[0])
        after = {"state": "accepted", "committed_date": committed, "provider_initiative": give[0]}
        move("accepted", "provider", {"state": "requested"}, after)
        due = strain and state == "accepted" and committed < g.today and give[1] != "proposed"
        if due and rng.random() < DELIVERED_WHEN_DUE[strain]:  # the rest are late
            state = "delivered"
        if state == "delivered" and committed - dt.timedelta(days=10) < g.today:
            row.update(state="delivered")
            move("delivered", "requester", {"state": "accepted"}, {"state": "delivered"})
            row["closed_at"] = when
        elif rng.random() < FLAGGED.get(strain, 0.22):
            flag = "at_risk" if rng.random() < 0.65 else "blocked"
            note = "Waiting on another team" if flag == "blocked" else "Capacity is short"
            row.update(flag=flag, flag_note=note)
            move(f"flagged_{flag}", "provider", {"flag": ""}, {"flag": flag, "note": note})
    elif state in ("declined", "cancelled"):
        reason = "No capacity this quarter" if state == "declined" else "No longer needed"
        row.update(state=state, resolution=reason)
        side = "provider" if state == "declined" else "requester"
        move(state, side, {"state": "requested"}, {"state": state, "note": reason})
        row["closed_at"] = when
    row["_moves"] = moves_made
    return when


def write_cycle(g: Gen) -> None:
    """Two or three neighbouring teams whose accepted dependencies wait on each other."""
    rng = g.rng
    start = rng.randrange(len(g.teams))
    teams = [start]
    for _ in range(rng.choice((1, 2))):
        nxt = g.neighbour(teams[-1])
        if nxt not in teams:
            teams.append(nxt)
    if len(teams) < 2:
        return
    inits = [rng.choice(_open_initiatives(g, t)) for t in teams]
    for k, t in enumerate(teams):
        nxt = (k + 1) % len(teams)
        write_dependency(g, t, teams[nxt], "accepted", pair=(inits[k], inits[nxt]))
