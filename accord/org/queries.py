"""Reads shared by pages, the API and analysis. The tree is loaded in one query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Lower

from accord.core.counting import figures
from accord.org.models import (
    DEFAULT_ROLE_NAMES,
    LEADING_ROLES,
    IdentityKind,
    Membership,
    Organization,
    Person,
    PersonIdentity,
    PersonKind,
    Team,
    TeamRole,
    TeamState,
    TeamVacancy,
    is_leading_role,
    normalize_identity,
)

# Teams listed by name whatever its case ("api", "Billing", "core"), on SQLite as on
# PostgreSQL (whose collation already ignores case where SQLite's does not).
BY_NAME = (Lower("name"), "name", "id")


def current_teams(org: Organization):
    """The organization's teams that are not retired, by name: what every picker offers
    and every active list shows (a queryset)."""
    return Team.objects.for_org(org).current().order_by("name", "id")


def headcount(org: Organization) -> dict[str, int]:
    """{"teams": current teams, "people": active people (not agents: an AI assistant or an
    automation is not a person; in a team or not), "agents": active agents} of the
    organization: figures, counted as `accord.core.counting.figures` says (100,000 people
    read whole on every view of home were 7 ms on SQLite, 14 ms on PostgreSQL). The people
    list, which lists agents too, lists people + agents."""
    active = Person.objects.for_org(org).filter(is_active=True)
    return figures(
        f"headcount:{org.pk}",
        {
            "teams": Team.objects.for_org(org).current(),
            "people": active.exclude(kind=PersonKind.AGENT),
            "agents": active.filter(kind=PersonKind.AGENT),
        },
    )


def new_person_timezone(org: Organization, adder: Person | None = None) -> str:
    """The time zone a new person or agent starts in when added or invited from a page: the
    organization's; while it keeps UTC (it was never set), the zone of whoever adds them,
    since a newcomer most likely works where they do."""
    if org.timezone == "UTC" and adder is not None and adder.timezone:
        return adder.timezone
    return org.timezone


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


def subtree_ids(team: Team, *, only: bool = False):
    """The ids of `team` and every team below it, as one recursive subquery for a list's
    `team_id__in` (never a Python list: near the top of a large organization it is most of
    it). `only`: the team alone."""
    if only:
        return [team.pk]
    from django.db import connection
    from django.db.models.expressions import RawSQL

    table = connection.ops.quote_name(Team._meta.db_table)
    sql = f"""
        WITH RECURSIVE down(id) AS (
            SELECT id FROM {table} WHERE org_id = %s AND id = %s
            UNION
            SELECT CASE WHEN t.org_id = %s THEN t.id END
            FROM down JOIN {table} t ON t.parent_id = down.id
        )
        SELECT id FROM down WHERE id IS NOT NULL
    """  # see WALKS below
    return RawSQL(sql, [team.org_id, team.pk, team.org_id])


def only_top_team(org: Organization) -> Team | None:
    """The organization's one current team at the top (every other current team is below
    it), or None when it has several there, or none. A retired team at the top beside it
    does not count: it is history. One query."""
    tops = list(Team.objects.for_org(org).current().filter(parent=None).order_by("pk")[:2])
    return tops[0] if len(tops) == 1 else None


def covers_every_team(team: Team) -> bool:
    """Whether `team` and the teams below it are every team of its organization (it is
    the only team at the top). Then "filed to a team of the subtree" is "filed to any
    team", which a list can test row by row on its own index instead of first gathering
    the whole organization's teams and links. One query, once per team object (a page's
    panels each ask of the same team)."""
    known = team.__dict__.get("_covers_every_team")
    if known is None:
        known = team.__dict__["_covers_every_team"] = (
            team.parent_id is None
            and not Team.objects.filter(org_id=team.org_id, parent=None)
            .exclude(pk=team.pk)
            .exists()
        )
    return known


def has_sub_teams(team: Team) -> bool:
    """Whether any team (current or retired) is below `team`: its pages then give figures
    of the team with the teams below it, as a department head reads them. One query, once
    per team object; the team page notes what it already read (`note_sub_teams`)."""
    known = team.__dict__.get("_has_sub_teams")
    if known is None:
        known = Team.objects.filter(org_id=team.org_id, parent_id=team.pk).exists()
        note_sub_teams(team, known)
    return known


def note_sub_teams(team: Team, known: bool) -> None:
    """Tell `has_sub_teams` what a page already knows of `team`'s sub-teams."""
    team.__dict__["_has_sub_teams"] = known


def in_subtree(qs, team: Team, *, only: bool = False, field: str = "team_id"):
    """`qs` kept to the rows whose `field` (a team every row has) is `team` or a team
    below it (`only`: the team alone). For the only team at the top that is every row:
    no filter, so a list reads its own order instead of gathering the whole tree first."""
    if not only and covers_every_team(team):
        return qs
    return qs.filter(**{f"{field}__in": subtree_ids(team, only=only)})


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
        Team.objects.for_org(org)
        .annotate(
            n_members=Count(
                "memberships",
                filter=Q(memberships__ended_on__isnull=True, memberships__person__is_active=True),
            )
        )
        .order_by(*BY_NAME)
    )
    leads = _lead_names(Membership.objects.for_org(org))
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


CURRENT_TERMS = Q(memberships__ended_on__isnull=True)  # joined through `memberships`


def team_role_names(org: Organization) -> dict[str, str]:
    """Key -> shown name of the organization's roles in teams."""
    return dict(TeamRole.objects.for_org(org).values_list("slug", "name"))


def team_roles_in_use(org: Organization) -> list[TeamRole]:
    """The organization's roles with `n_current` and `n_past` terms and `n_open` positions
    of each, in three queries."""
    roles = list(TeamRole.objects.for_org(org).order_by("name"))
    terms = Membership.terms.for_org(org).order_by().values("role")
    current = dict(terms.current().annotate(n=Count("id")).values_list("role", "n"))
    past = dict(terms.past().annotate(n=Count("id")).values_list("role", "n"))
    open_ = dict(
        TeamVacancy.objects.for_org(org)
        .order_by()
        .values("role")
        .annotate(n=Count("id"))
        .values_list("role", "n")
    )
    for r in roles:
        r.n_current, r.n_past, r.n_open = (
            current.get(r.slug, 0),
            past.get(r.slug, 0),
            open_.get(r.slug, 0),
        )
    return roles


def people_with_allocation(org: Organization):
    return Person.objects.for_org(org).annotate(
        allocation_total=Sum("memberships__allocation", filter=CURRENT_TERMS),
        team_count=Count("memberships", filter=CURRENT_TERMS),
        lead_count=Count(
            "memberships", filter=CURRENT_TERMS & Q(memberships__role__in=LEADING_ROLES)
        ),
    )


def people_of_login(user):
    """The login's people, one in each organization it is active in (a login has at most
    one person per organization), by the organization's name, each with its `org`: a
    queryset."""
    if not user.is_authenticated:
        return Person.objects.none()
    return (
        Person.objects.filter(user=user, is_active=True)
        .select_related("org")
        .order_by("org__name", "org_id")
    )


def other_selves(person: Person) -> list[Person]:
    """The people of `person`'s login in its other organizations (active there), by the
    organization's name, each with its `org`: her own time zone and time off there, which
    her settings page names. Nobody for someone without a login."""
    if person.user_id is None:
        return []
    return list(people_of_login(person.user).exclude(pk=person.pk))


def sign_in_lock(person: Person):
    """The sign-in lockout in force on `person`'s account, or None (see core.security)."""
    from accord.core.security import sign_in_lock as lock_for

    if person.user_id is None:
        return None
    return lock_for(username=person.user.get_username())


# Rows of a page of the people list, of a search of teams or of a team's sub-teams.
LIST_PAGE = 50
# How much of the tree the directory shows at once: this many levels from the top, at
# most a page of rows (a hundred made four screens of a large organization, most of them
# teams of its third level); every row whose sub-teams are not all shown offers to load
# them.
DIRECTORY_LEVELS = 3
DIRECTORY_ROWS = LIST_PAGE
# Rows a team's page shows of each of its lists before linking to the rest.
TEAM_PAGE_ROWS = 25

# WALKS: how the recursive walks of the tree (here and in other apps) are written. A walk
# down joins the teams on the walk's own ids alone, and tests the organization of each
# team it reaches in what it selects (`CASE WHEN t.org_id = … THEN t.id END`: a team of
# another organization becomes NULL, where the walk stops, and is left out). A walk up
# reads each parent by a subquery on its id, joined to nothing. A condition on the joined
# team in the step's WHERE made SQLite build a Bloom filter over every team in the
# database before the first step (0.7-1.5 ms at 10,000 teams for a walk of two rows,
# which reads a few index entries, 10 µs, without it); testing the organization once at
# the end, or joining a walk up from fifty teams, made PostgreSQL, which cannot tell a
# walk is short, hash every team of the database to join them (6.6 ms).


def ancestors(org: Organization, team: Team) -> list[Team]:
    """The team's ancestors, the root first (two queries whatever the depth)."""
    ids = ancestor_ids(org, [team.pk])[team.pk]
    found = Team.objects.for_org(org).in_bulk(ids)
    return [found[tid] for tid in reversed(ids) if tid in found]


def ancestor_ids(org: Organization | int, team_ids) -> dict[int, list[int]]:
    """For each of `team_ids`, the ids of the teams above it, its parent first, in one
    recursive query for all of them whatever their depth."""
    from django.db import connection

    ids = sorted({int(t) for t in team_ids})
    out: dict[int, list[int]] = {tid: [] for tid in ids}
    if not ids:
        return out
    org_id = org if isinstance(org, int) else org.pk
    table = connection.ops.quote_name(Team._meta.db_table)
    sql = f"""
        WITH RECURSIVE up(start, id, parent, depth) AS (
            SELECT id, id, parent_id, 0 FROM {table}
            WHERE org_id = %s AND id IN ({", ".join(["%s"] * len(ids))})
            UNION ALL
            SELECT up.start,
                (SELECT t.id FROM {table} t WHERE t.id = up.parent AND t.org_id = %s),
                (SELECT t.parent_id FROM {table} t WHERE t.id = up.parent AND t.org_id = %s),
                up.depth + 1
            FROM up WHERE up.parent IS NOT NULL AND up.depth < 1000
        )
        SELECT start, id FROM up WHERE depth > 0 AND id IS NOT NULL ORDER BY start, depth
    """  # the table name is the model's; the values are parameters; see WALKS above
    with connection.cursor() as cursor:
        cursor.execute(sql, [org_id, *ids, org_id, org_id])
        for start, tid in cursor.fetchall():
            out[start].append(tid)
    return out


@dataclass(frozen=True)
class Answering:
    """Who is told what is meant for a team's leads (`answering`): its own active leads;
    with none, those of the nearest team above it that has some (a lead of a team above
    acts for the teams below it: `coordination.queries.standing`); with none up to the
    top, the organization's admins. `via`: the team above whose leads are told, None for
    the team's own leads or the admins."""

    team: Team
    people: tuple[int, ...]
    via: Team | None = None
    admins: bool = False

    @property
    def own(self) -> bool:
        """Told to the team's own leads."""
        return self.via is None and not self.admins

    def whom(self, actor_id: int | None = None) -> str:
        """Who hears of it, as the sentences that say it read: "its leads",
        "Engineering's leads", "the admins"; "nobody" when the one who acted is the only
        one of them (nobody is told of what they did themselves)."""
        if not [p for p in self.people if p != actor_id]:
            return "nobody"
        if self.admins:
            return "the admins"
        return f"{self.via.name}'s leads" if self.via is not None else "its leads"

    @property
    def goes_to(self) -> str:
        """Before asking a team with no lead: where what it is asked goes ("Platform has
        no lead yet: what is asked of it goes to Engineering's leads."); empty for a
        team with a lead."""
        if self.own:
            return ""
        return f"{self.team.name} has no lead yet: what is asked of it goes to {self.whom()}."

    def told(self, actor_id: int | None = None) -> str:
        """Who was told, as a sentence: "its leads were told", "Platform has no lead:
        Engineering's leads were told" (or "the admins were told"), or, when the one who
        acted is the only one who answers for it, "Platform has no lead and you answer
        for it (lead of Engineering): nobody else was told"."""
        whom = self.whom(actor_id)
        if whom != "nobody":
            said = "" if self.own else f"{self.team.name} has no lead: "
            return f"{said}{whom} were told"
        return f"{self.only_you()}: nobody else was told"

    def only_you(self) -> str:
        """Why nobody but the one who acted hears of it: "you are Platform's only lead",
        "Platform has no lead and you answer for it (lead of Engineering)"."""
        if self.own:
            return f"you are {self.team.name}'s only lead"
        as_what = f"lead of {self.via.name}" if self.via is not None else "an admin"
        return f"{self.team.name} has no lead and you answer for it ({as_what})"


def answering(org: Organization | int, team: Team | int) -> Answering:
    """Who is told what is meant for `team`'s leads (`Answering`): the one rule every
    notice to a team's leads follows (the inbox, e-mail, reminders) and every sentence
    that says who was told. A few queries, whatever the depth (`ancestor_ids`)."""
    org_id = org if isinstance(org, int) else org.pk
    if not isinstance(team, Team):
        team = Team.objects.get(org_id=org_id, pk=team)
    above = ancestor_ids(org_id, [team.pk])[team.pk]
    chain = [team.pk, *above]
    by_team: dict[int, list[int]] = defaultdict(list)
    for team_id, person_id in (
        Membership.objects.leading()
        .filter(org_id=org_id, team_id__in=chain, person__is_active=True)
        .order_by("person_id")
        .values_list("team_id", "person_id")
    ):
        if person_id not in by_team[team_id]:
            by_team[team_id].append(person_id)
    for team_id in chain:
        if by_team.get(team_id):
            via = None if team_id == team.pk else Team.objects.get(pk=team_id)
            return Answering(team, tuple(by_team[team_id]), via)
    admins = Person.objects.filter(
        org_id=org_id, role="admin", is_active=True, kind=PersonKind.PERSON
    ).order_by("pk")
    return Answering(team, tuple(admins.values_list("pk", flat=True)), admins=True)


def with_counts(teams):
    """Annotate a team queryset with its number of members and of direct sub-teams."""

    def count_of(qs, key: str):
        grouped = qs.order_by().annotate(_k=F(key)).values("_k").annotate(n=Count("pk"))
        return Coalesce(Subquery(grouped.values("n"), output_field=IntegerField()), 0)

    return teams.select_related("kind").annotate(
        n_members=count_of(
            Membership.objects.filter(team_id=OuterRef("pk"), person__is_active=True), "team_id"
        ),
        n_children=count_of(Team.objects.current().filter(parent_id=OuterRef("pk")), "parent_id"),
    )


def lead_names(org: Organization, team_ids) -> dict[int, list[str]]:
    """Who leads each of these teams, as "Led by" shows them (of `org`: filtered by team
    alone so SQLite takes the team index, not every membership of the organization)."""
    return _lead_names(Membership.objects.filter(team_id__in=list(team_ids)))


def _lead_names(terms) -> dict[int, list[str]]:
    """{team id: ["Ann", "Sergey Kanzhelev (Chair)"]}: the active people of `terms` in a
    role that leads the team (`LEADING_ROLES`), by name, each once, with the role's name
    (the organization's own) when it is not "Lead". One query."""
    role_name = TeamRole.objects.filter(org_id=OuterRef("org_id"), slug=OuterRef("role"))
    out: dict[int, list[str]] = defaultdict(list)
    seen: set[tuple[int, int]] = set()
    for team_id, person_id, name, role, named in (
        terms.leading()
        .filter(person__is_active=True)
        .annotate(role_name=Subquery(role_name.values("name")[:1]))
        .order_by("person__name", "person_id", "role")
        .values_list("team_id", "person_id", "person__name", "role", "role_name")
    ):
        if (team_id, person_id) in seen:
            continue
        seen.add((team_id, person_id))
        shown = named or DEFAULT_ROLE_NAMES.get(role) or role
        out[team_id].append(name if shown == "Lead" else f"{name} ({shown})")
    return out


def directory_top(org: Organization) -> list[TreeNode]:
    """The top of the team tree, depth first, breadth-first up to DIRECTORY_ROWS rows over
    DIRECTORY_LEVELS levels: one query a level and one for the leads. Each node's
    `children` holds the sub-teams shown; a node with more has `more_children` set."""
    budget = DIRECTORY_ROWS
    base = with_counts(Team.objects.for_org(org).current()).order_by(*BY_NAME)
    levels: list[list[Team]] = []
    parents: list[int] | None = None
    for _ in range(DIRECTORY_LEVELS):
        if budget <= 0 or parents == []:
            break
        qs = (
            base.filter(parent__isnull=True)
            if parents is None
            else base.filter(parent_id__in=parents)
        )
        level = list(qs[:budget])
        if parents is not None and len(level) == budget:
            # Cut short: show a team's sub-teams all or none, so expanding one adds the rest.
            wanted = {t.id: t.n_children for level in levels for t in level}
            got: dict[int, int] = defaultdict(int)
            for t in level:
                got[t.parent_id] += 1
            level = [t for t in level if got[t.parent_id] == wanted[t.parent_id]]
        levels.append(level)
        budget -= len(level)
        parents = [t.id for t in level if t.n_children]
    shown = [t for level in levels for t in level]
    leads = lead_names(org, [t.id for t in shown])
    nodes = {
        t.id: TreeNode(team=t, member_count=t.n_members, lead_names=leads[t.id]) for t in shown
    }
    roots = [nodes[t.id] for t in levels[0]] if levels else []
    for level in levels[1:]:
        for t in level:
            nodes[t.parent_id].children.append(nodes[t.id])
    out = flatten(roots)
    for node in out:
        node.depth = 0 if node.team.parent_id is None else nodes[node.team.parent_id].depth + 1
    return out


def sub_teams(org: Organization, parent: Team):
    """A team's direct sub-teams with their counts, by name (a queryset, to paginate)."""
    return with_counts(Team.objects.for_org(org).current().filter(parent=parent)).order_by(*BY_NAME)


def find_teams(org: Organization, q: str):
    """Teams whose name contains `q`, with their parent and counts (a queryset)."""
    return (
        with_counts(Team.objects.for_org(org).filter(name__icontains=q))
        .select_related("parent")
        .order_by(*BY_NAME)
    )


def retired_teams(org: Organization):
    """The retired teams, most recently retired first, with their parent and counts."""
    return (
        with_counts(Team.objects.for_org(org).filter(state=TeamState.RETIRED))
        .select_related("parent")
        .order_by("-retired_on", *BY_NAME)
    )


# Teams the people list names of each person (then "+N"): enough to tell namesakes apart.
PEOPLE_PAGE_TEAMS = 2


def people_page(org: Organization, page) -> None:
    """Set allocation_total (of the shares known), allocation_unknown (how many of their terms
    have an unknown share), team_count, lead_count, team_names (the first
    PEOPLE_PAGE_TEAMS of their current teams by name) and teams_more (how many others) on
    the people of one page, in one query over their memberships and those teams' names."""
    people = list(page.object_list)
    terms: dict[int, list[tuple[int | None, str, str]]] = {}
    # The people are the organization's already; filtering by them alone lets SQLite take
    # the person index rather than every membership of the organization.
    rows = (
        Membership.objects.filter(person_id__in=[p.pk for p in people])
        .order_by("person_id", "team__name", "team_id")
        .values_list("person_id", "allocation", "role", "team__name")
    )
    for person_id, allocation, role, team_name in rows:
        terms.setdefault(person_id, []).append((allocation, role, team_name))
    for p in people:
        mine = terms.get(p.pk, [])
        p.allocation_total = sum(a for a, _, _ in mine if a is not None)
        p.allocation_unknown = sum(1 for a, _, _ in mine if a is None)  # shown, not as 0%
        p.team_count = len(mine)
        p.lead_count = sum(1 for _, role, _ in mine if is_leading_role(role))
        p.team_names = [name for _, _, name in mine[:PEOPLE_PAGE_TEAMS]]
        p.teams_more = len(mine) - len(p.team_names)
    page.object_list = people


# --- a person's terms ---------------------------------------------------------------------

# Past terms a person's page shows, newest first; it counts the rest.
PERSON_PAST_TERMS = 20


@dataclass
class PersonTerms:
    """A person's terms in teams as their page shows them: the current ones (at most
    TEAM_PAGE_ROWS, the largest shares first) with the totals over all of them, and the
    latest PERSON_PAST_TERMS past ones with how many earlier ones there are. Each term has
    `role_name`, its role as the organization names it."""

    current: list[Membership]
    current_count: int
    allocation_total: int
    allocation_unknown: int
    past: list[Membership]
    past_more: int


def person_terms(org: Organization, person: Person) -> PersonTerms:
    """A person's current and past terms in five queries, whatever the number of teams or
    of terms (filtered by the person alone, so SQLite takes the person's index)."""
    terms = Membership.terms.filter(person=person).select_related("team")
    current = list(
        terms.current().order_by(F("allocation").desc(nulls_last=True), "team__name", "id")[
            :TEAM_PAGE_ROWS
        ]
    )
    totals = (
        terms.current()
        .order_by()
        .aggregate(
            n=Count("id"),
            allocated=Sum("allocation"),
            unknown=Count("id", filter=Q(allocation__isnull=True)),
        )
    )
    past = list(
        terms.past().order_by("-ended_on", F("started_on").desc(nulls_last=True), "-id")[
            : PERSON_PAST_TERMS + 1
        ]
    )
    past_more = terms.past().count() - PERSON_PAST_TERMS if len(past) > PERSON_PAST_TERMS else 0
    names = team_role_names(org)
    for m in (*current, *past):
        m.role_name = names.get(m.role) or m.get_role_display()
    return PersonTerms(
        current=current,
        current_count=totals["n"],
        allocation_total=totals["allocated"] or 0,
        allocation_unknown=totals["unknown"],
        past=past[:PERSON_PAST_TERMS],
        past_more=past_more,
    )


# --- a person's several identities ------------------------------------------------------


def people_by_identity(
    org: Organization, *, emails=(), handles=()
) -> dict[tuple[str, str], Person]:
    """Who each address (primary or extra, any case) and each (kind, handle) belongs to,
    in two queries; what belongs to no one is left out. An address that is the primary one
    of several people (older data allows it) names the earliest of them."""
    emails = {normalize_identity(IdentityKind.EMAIL, e) for e in emails if e}
    wanted = {(IdentityKind.EMAIL.value, e) for e in emails}
    wanted |= {(k, normalize_identity(k, v)) for k, v in handles if v}
    out: dict[tuple[str, str], Person] = {}
    if emails:
        primaries = (
            Person.objects.for_org(org)
            .annotate(lower_email=Lower("email"))
            .filter(lower_email__in=sorted(emails))
            .order_by("id")
        )
        for person in primaries:
            out.setdefault((IdentityKind.EMAIL.value, person.lower_email), person)
    if wanted:
        query = Q()
        for kind in {k for k, _v in wanted}:
            query |= Q(kind=kind, value__in=sorted(v for k, v in wanted if k == kind))
        for identity in PersonIdentity.objects.for_org(org).filter(query).select_related("person"):
            out.setdefault((identity.kind, identity.value), identity.person)
    return out


def find_person(org: Organization, *, email: str = "", handles=()) -> Person | None:
    """The one person an address (primary or extra) or any of `handles` ((kind, name)
    pairs) names: the lookup every importer, the API and sign-in share. None when no one
    matches; when they name different people, the one the address names."""
    found = people_by_identity(org, emails=[email] if email else [], handles=handles)
    if email:
        key = (IdentityKind.EMAIL.value, normalize_identity(IdentityKind.EMAIL, email))
        if key in found:
            return found[key]
    return next(iter(sorted(found.values(), key=lambda p: p.pk)), None)


def identity_owners(org: Organization, text: str):
    """The ids of the people one of whose extra addresses or handles is `text` (any case,
    with or without a leading `@`; `slack:alice` for one kind only), as a subquery for
    `pk__in`. An exact lookup on the identities' (org, kind, value) index, never a scan;
    None when `text` cannot be an address or a handle (empty, or several words)."""
    text = text.strip()
    if not text or len(text) > 254 or any(c.isspace() for c in text):
        return None
    kind, sep, rest = text.partition(":")
    if sep and kind.lower() in IdentityKind.values and kind.lower() != IdentityKind.EMAIL:
        kinds, candidates = [kind.lower()], [rest]
    else:
        kinds, candidates = list(IdentityKind.values), [text]
    # Values are stored normalised (`normalize_identity`): every way `text` can be stored
    # in one of these kinds, so each (kind, value) pair is one seek on the index.
    values = {normalize_identity(k, c) for k in kinds for c in candidates} - {""}
    if not values:
        return None
    return (
        PersonIdentity.objects.filter(org=org, kind__in=kinds, value__in=sorted(values))
        .order_by()
        .values("person_id")
    )


def people_matching(org: Organization, text: str) -> Q:
    """The filter behind "find a person" in the people list and the person pickers: the
    name contains `text`, or `text` is one of their addresses (the primary one too, any
    case) or handles (`alice`, `@alice`, `slack:alice`)."""
    query = Q(name__icontains=text)
    owners = identity_owners(org, text)
    if owners is not None:
        query |= Q(pk__in=owners)
        if "@" in text.strip()[1:]:  # an address, not a handle such as @alice
            query |= Q(email__iexact=text.strip())
    return query


def identity_lists(person: Person) -> dict[str, list[str]]:
    """A person's extra addresses and handles (`kind:name`), as the API and files show them
    (uses a prefetched `identities` when there is one)."""
    pairs = sorted((i.kind, i.value) for i in person.identities.all())
    return {
        "emails": [v for k, v in pairs if k == IdentityKind.EMAIL],
        "handles": [f"{k}:{v}" for k, v in pairs if k != IdentityKind.EMAIL],
    }


def home_team(person: Person | None, memberships=None) -> Team | None:
    """The person's home team: where their lists open when the address names no team, and
    the team their new work (an issue, an action item) is for unless they choose another.
    The highest team they lead (as `intelligence.queries.default_scope` chooses it for
    Insights and the coordination overview, which open on the whole organization for an
    admin and for someone who leads nothing), else the first of their teams by name; None
    for someone in no current team. `memberships`: the person's, when the page has read
    them already (with their teams); else one read, and one more when they lead several
    teams."""
    if person is None:
        return None
    if memberships is None:
        memberships = Membership.objects.for_org(person.org).filter(person=person)
        memberships = memberships.in_current_teams().select_related("team", "team__parent")
    teams = sorted(
        (m for m in memberships if m.team.state != TeamState.RETIRED),
        key=lambda m: (m.team.name, m.team_id),
    )
    led = {m.team_id: m.team for m in teams if m.is_leading}
    if len(led) > 1:  # the highest, nearest the top; of two as high, the older
        above = ancestor_ids(person.org_id, led)
        return led[min(led, key=lambda t: (len(above[t]), t))]
    if led:
        return next(iter(led.values()))
    return teams[0].team if teams else None
