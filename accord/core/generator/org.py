"""The organization pillar: the team tree, people, memberships and leads."""

from __future__ import annotations

import datetime as dt

from accord.core.generator.context import STRAIN, Gen, TeamInfo
from accord.core.generator.names import TIMEZONES, TITLES
from accord.org.models import Membership, Person, Role, Team

MIN_TEAMS = 13  # a tree five levels deep with three teams on every level below the root
FAN_OUT = (3, 10)


def generate_org(g: Gen) -> None:
    build_tree(g)
    assign_strain(g)
    write_teams(g)
    write_people(g)


def assign_strain(g: Gen) -> None:
    """Each department's strain (`STRAIN`), drawn at the first level below the root and
    again for a quarter of the next level's teams; deeper teams share their parent's but
    one in twenty. The root team is fine. Parents come before their children in
    `g.teams`."""
    for t in g.teams:
        if t.parent is None:
            t.strain = "fine"
        elif t.depth == 1 or g.chance(0.25 if t.depth == 2 else 0.05):
            t.strain = g.pick(STRAIN)
        else:
            t.strain = g.teams[t.parent].strain


def depth_for(g: Gen, n: int) -> int:
    """Five to seven levels; small organizations stay at five so each level can branch."""
    if n < 200:
        return 5
    if n < 2000:
        return g.rng.choice((5, 6))
    return g.rng.choice((5, 6, 7))


def level_sizes(n: int, depth: int) -> list[int]:
    """How many teams each level holds: geometric growth from one root to `n` in all,
    every level below the root at least 3 and at most 10 times the one above."""
    lo, hi = 1.0, 10.0
    for _ in range(60):  # the ratio r with 1 + r + … + r^(depth-1) = n
        r = (lo + hi) / 2
        if sum(r**k for k in range(depth)) > n:
            hi = r
        else:
            lo = r
    sizes = [1]
    for k in range(1, depth - 1):
        size = max(FAN_OUT[0], round(lo**k))
        sizes.append(min(size, sizes[-1] * FAN_OUT[1]))
    last = n - sum(sizes)
    while last > sizes[-1] * FAN_OUT[1]:  # too many for the level above: widen it
        sizes[-1] += 1
        last -= 1
    while last < FAN_OUT[0] and sizes[-1] > FAN_OUT[0]:
        sizes[-1] -= 1
        last += 1
    sizes.append(last)
    return sizes


def _split(g: Gen, total: int, parents: int) -> list[int]:
    """`total` children over `parents` parents, each between 3 and 10."""
    counts = [FAN_OUT[0]] * parents
    for _ in range(total - FAN_OUT[0] * parents):
        while True:
            i = g.rng.randrange(parents)
            if counts[i] < FAN_OUT[1]:
                counts[i] += 1
                break
    return counts


def build_tree(g: Gen) -> None:
    """The team tree, level by level; only some teams of a level have children."""
    n = g.extra["team_count"]
    sizes = level_sizes(n, depth_for(g, n))
    table = g.writer.table(Team, ())  # only for ids here; rows are written below
    g.teams = [TeamInfo(id=table.new_id(), name=g.namer.team(0, ""), parent=None, depth=0)]
    level = [0]
    for depth, size in enumerate(sizes[1:], start=1):
        low = -(-size // FAN_OUT[1])
        high = min(size // FAN_OUT[0], len(level))
        parents = sorted(g.rng.sample(level, g.rng.randint(low, max(low, high))))
        next_level = []
        for p, count in zip(parents, _split(g, size, len(parents)), strict=True):
            for _ in range(count):
                t = TeamInfo(
                    id=table.new_id(),
                    name=g.namer.team(depth, g.teams[p].name),
                    parent=p,
                    depth=depth,
                )
                g.teams[p].children.append(len(g.teams))
                next_level.append(len(g.teams))
                g.teams.append(t)
        level = next_level


def kind_of(t: TeamInfo) -> str:
    """The kind of a team by its place in the tree: the organization and its divisions
    are departments, the teams below them teams (of the organization's `TeamKind`s)."""
    return "department" if t.depth <= 1 else "team"


def write_teams(g: Gen) -> None:
    w = g.writer
    table = w.table(
        Team,
        ("org_id", "name", "slug", "parent_id", "description", "kind_id", "created_at", "version"),
    )
    kinds = g.extra["team_kinds"]
    for i, t in enumerate(g.teams):
        slug = f"{t.name.lower().replace(' ', '-')}-{i + 1}" if i else "headquarters"
        parent_id = g.teams[t.parent].id if t.parent is not None else None
        kind_id = kinds[kind_of(t)]
        at = g.setup_at + dt.timedelta(seconds=i)
        table.add(g.org_id, t.name, slug, parent_id, "", kind_id, at, 1, pk=t.id)
        after = {
            "name": t.name,
            "slug": slug,
            "parent": parent_id,
            "description": "",
            "kind": kind_id,
        }
        w.event(at, "created", "org.team", t.id, t.name, after=after, team=t.id)


def _allocations(g: Gen, teams: int) -> list[int]:
    """Shares of a person's time over their teams; never more than 100% in all, since the
    services refuse that, and sometimes less (part-time, or time kept for other work)."""
    if teams == 1:
        return [100 if g.chance(0.95) else 80]
    if teams == 2:
        return list(g.rng.choice(((60, 40), (70, 30), (50, 50), (80, 20), (50, 30))))
    return list(g.rng.choice(((50, 30, 20), (40, 30, 30), (60, 20, 20), (40, 40, 20))))


def write_people(g: Gen) -> None:
    """About ten people per team; one in five also works in one or two teams nearby.
    The first person of each team leads it; the head of the organization is its admin."""
    w = g.writer
    people = w.table(
        Person,
        (
            "org_id",
            "user_id",
            "name",
            "email",
            "title",
            "role",
            "timezone",
            "is_active",
            "created_at",
            "version",
        ),
    )
    memberships = w.table(
        Membership,
        ("org_id", "person_id", "team_id", "role", "allocation", "created_at", "version"),
    )
    rng = g.rng
    for i, t in enumerate(g.teams):
        at = g.setup_at + dt.timedelta(hours=1, seconds=i)
        for k in range(rng.randint(7, 13)):
            name = g.namer.person()
            pid = people.new_id()
            role = Role.MEMBER
            if k == 0:
                role = Role.ADMIN if t.depth == 0 else Role.LEADER if t.depth <= 2 else role
            elif rng.random() < 0.01:
                role = Role.VIEWER
            number = len(g.person_names) + 1  # within the organization, whatever the ids
            email = f"{name.lower().replace(' ', '.')}.{number}@{g.slug}.example"
            title = "Team Lead" if k == 0 else rng.choice(TITLES)
            tz = rng.choice(TIMEZONES)
            people.add(g.org_id, None, name, email, title, role, tz, True, at, 1, pk=pid)
            g.person_names[pid] = name
            g.person_tz[pid] = tz
            after = {"name": name, "email": email, "title": title, "role": role, "timezone": tz}
            w.event(at, "created", "org.person", pid, name, after=after)
            teams = [i]
            if k > 0:
                extra = 1 if rng.random() < 0.22 else 2 if rng.random() < 0.1 else 0
                for _ in range(extra):
                    j = g.neighbour(i)
                    if j not in teams:
                        teams.append(j)
            for j, allocation in zip(teams, _allocations(g, len(teams)), strict=True):
                team = g.teams[j]
                lead = k == 0 and j == i
                team_role = "lead" if lead else "member"
                mid = memberships.add(
                    g.org_id, pid, team.id, team_role, allocation, at + dt.timedelta(minutes=1), 1
                )
                if lead:
                    team.lead = pid
                    team.members.insert(0, pid)
                else:
                    team.members.append(pid)
                after = {"person": pid, "team": team.id, "role": team_role}
                after["allocation"] = allocation
                w.event(
                    at + dt.timedelta(minutes=1),
                    "created",
                    "org.membership",
                    mid,
                    f"{name} in {team.name}",
                    after=after,
                    team=team.id,
                )
