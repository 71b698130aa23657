"""Reads shared by pages, the API and analysis. The tree is loaded in one query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, Sum

from accord.org.models import Membership, MembershipRole, Organization, Person, Team


def parent_map(org: Organization) -> dict[int, int | None]:
    """team id -> parent id, for the whole organization in one query."""
    return dict(Team.objects.for_org(org).values_list("id", "parent_id"))


def ancestors_of(team_id: int, parents: dict[int, int | None]) -> list[int]:
    """Ids from the team's parent up to the root (the team itself excluded)."""
    out: list[int] = []
    seen = {team_id}
    current = parents.get(team_id)
    while current is not None and current not in seen:
        out.append(current)
        seen.add(current)
        current = parents.get(current)
    return out


def descendants_of(team_id: int, parents: dict[int, int | None]) -> set[int]:
    """Ids of every team below `team_id` (excluded), linear in the organization's size."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for tid, pid in parents.items():
        children[pid].append(tid)
    out: set[int] = set()
    stack = list(children.get(team_id, []))
    while stack:
        tid = stack.pop()
        if tid in out:
            continue
        out.add(tid)
        stack.extend(children.get(tid, []))
    return out


@dataclass
class TreeNode:
    team: Team
    depth: int = 0
    children: list[TreeNode] = field(default_factory=list)
    member_count: int = 0
    lead_names: list[str] = field(default_factory=list)


def team_tree(org: Organization) -> list[TreeNode]:
    """The organization's teams as a forest of TreeNodes, in three queries."""
    teams = list(
        Team.objects.for_org(org).annotate(n_members=Count("memberships")).order_by("name")
    )
    leads: dict[int, list[str]] = defaultdict(list)
    for team_id, name in (
        Membership.objects.for_org(org)
        .filter(role=MembershipRole.LEAD)
        .order_by("person__name")
        .values_list("team_id", "person__name")
    ):
        leads[team_id].append(name)
    nodes = {
        t.id: TreeNode(team=t, member_count=t.n_members, lead_names=leads[t.id]) for t in teams
    }
    roots: list[TreeNode] = []
    for t in teams:
        node = nodes[t.id]
        if t.parent_id and t.parent_id in nodes:
            nodes[t.parent_id].children.append(node)
        else:
            roots.append(node)
    stack = [(r, 0) for r in roots]
    while stack:
        node, depth = stack.pop()
        node.depth = depth
        stack.extend((c, depth + 1) for c in node.children)
    return roots


def flatten(roots: list[TreeNode]) -> list[TreeNode]:
    """Depth-first order, for rendering a tree as an indented list."""
    out: list[TreeNode] = []
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        out.append(node)
        stack.extend(reversed(node.children))
    return out


def allocation_total(person: Person, *, excluding_team: Team | None = None) -> int:
    qs = Membership.objects.filter(person=person)
    if excluding_team is not None:
        qs = qs.exclude(team=excluding_team)
    return qs.aggregate(total=Sum("allocation"))["total"] or 0


def people_with_allocation(org: Organization):
    return Person.objects.for_org(org).annotate(
        allocation_total=Sum("memberships__allocation"),
        team_count=Count("memberships"),
        lead_count=Count("memberships", filter=Q(memberships__role=MembershipRole.LEAD)),
    )


def orgs_for_user(user) -> list[Organization]:
    if not user.is_authenticated:
        return []
    return list(
        Organization.objects.filter(person__user=user, person__is_active=True)
        .distinct()
        .order_by("name")
    )


def sign_in_lock(person: Person):
    """The sign-in lockout in force on `person`'s account, or None (see core.security)."""
    from accord.core.security import sign_in_lock as lock_for

    if person.user_id is None:
        return None
    return lock_for(username=person.user.get_username())
