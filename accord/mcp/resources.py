"""Resources: the team tree (bounded: the top levels, a subtree by id) and the period."""

from __future__ import annotations

import json

from django.urls import reverse

from accord.alignment import queries as alignment_queries
from accord.core.errors import NotFound
from accord.mcp.answers import MAX_CHARS, link
from accord.mcp.server import caller, resource
from accord.org import queries as org_queries
from accord.org.models import Team

LEVELS = 3  # levels of the tree one read shows
MAX_TEAMS = 100  # teams one read shows at most, widest levels cut first
# Characters of JSON the teams shown may take, leaving room for the teams above a subtree:
# a hundred teams with long names and addresses would pass the bound of every answer.
BUDGET = MAX_CHARS - 1_000


def _tree(roots: list[int], names: dict[int, Team], children: dict[int, list[int]]) -> dict:
    """Breadth first from `roots`, LEVELS deep, at most MAX_TEAMS teams and BUDGET
    characters; a team whose children are not shown says how many it has and where to
    read them."""
    org = caller().org
    shown = used = 0

    def node(team_id: int, depth: int) -> dict:
        nonlocal shown, used
        shown += 1
        used += cost(team_id)
        t = names[team_id]
        kids = children.get(team_id, [])
        out = {
            "id": t.pk,
            "name": t.name,
            "slug": t.slug,
            "url": link(reverse("org:team", kwargs={"org_slug": org.slug, "team_slug": t.slug})),
            "sub_teams": len(kids),
        }
        if kids:
            out["children"] = []
        return out

    def cost(team_id: int) -> int:
        t = names[team_id]
        url = reverse("org:team", kwargs={"org_slug": org.slug, "team_slug": t.slug})
        # The keys, the id, the counts and a "more" address: under 120 characters.
        return 120 + len(_json([t.name, t.slug, link(url)]))

    top = [node(r, 0) for r in roots]
    queue = [(n, 1) for n in top]
    while queue:
        parent, depth = queue.pop(0)
        kids = children.get(parent["id"], [])
        if (
            depth >= LEVELS
            or shown + len(kids) > MAX_TEAMS
            or used + sum(cost(k) for k in kids) > BUDGET
        ):
            if kids:
                parent.pop("children", None)
                parent["more"] = f"accord://teams/{parent['id']}"
            continue
        for k in kids:
            child = node(k, depth)
            parent["children"].append(child)
            queue.append((child, depth + 1))
    return {"teams": top, "levels": LEVELS, "max_teams": MAX_TEAMS}


def _load() -> tuple[dict[int, Team], dict[int, list[int]]]:
    org = caller().org
    names = {t.pk: t for t in Team.objects.for_org(org).only("id", "name", "slug", "parent_id")}
    children: dict[int, list[int]] = {}
    for t in sorted(names.values(), key=lambda t: (t.name, t.pk)):
        children.setdefault(t.parent_id or 0, []).append(t.pk)
    return names, children


def _json(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False)


@resource("accord://teams", name="team-tree", title="Team tree", mime_type="application/json")
def team_tree() -> str:
    """The organization's team tree from the top: 3 levels and at most 100 teams; a team
    whose sub-teams are left out names the resource that reads its subtree
    (accord://teams/{id})."""
    names, children = _load()
    return _json(_tree(children.get(0, []), names, children))


@resource(
    "accord://teams/{team_id}", name="team-subtree", title="Subtree", mime_type="application/json"
)
def team_subtree(team_id: str) -> str:
    """One team and the teams below it: 3 levels and at most 100 teams."""
    names, children = _load()
    if not team_id.isdigit() or int(team_id) not in names:
        raise NotFound(f"No team {team_id} in {caller().org.name}.")
    tid = int(team_id)
    parents = org_queries.ancestors(caller().org, names[tid])
    data = _tree([tid], names, children)
    data["above"] = [{"id": p.pk, "name": p.name} for p in parents]
    return _json(data)


@resource(
    "accord://period/current", name="current-period", title="Period", mime_type="application/json"
)
def current_period() -> str:
    """The current period (quarter, half or custom cycle): its dates, state and how much
    of it has passed."""
    from accord.core.days import org_today

    org = caller().org
    p = alignment_queries.current_period(org)
    if p is None:
        return _json({"period": None, "note": f"{org.name} has no current period."})
    today = org_today()
    days = max(1, (p.end - p.start).days)
    elapsed = min(1.0, max(0.0, (today - p.start).days / days))
    return _json(
        {
            "period": {
                "id": p.pk,
                "name": p.name,
                "kind": p.kind,
                "start": p.start.isoformat(),
                "end": p.end.isoformat(),
                "state": p.state,
                "elapsed": round(elapsed, 2),
                "url": link(reverse("alignment:index", kwargs={"org_slug": org.slug})),
            }
        }
    )
