"""What a team leaves behind when it is retired, and what a person leaves behind when they
are deactivated: the open work that still names them, as counts with a few names and a
link to the list where it can be handed on. Shown before the change (the retire
confirmation, the person form), so that nobody leaves work behind without knowing.

Each kind of work is counted with one query and named with one more (at most `NAMES`
names), whatever the size of the organization. The other apps sit above this one, so
their models are imported inside the functions, when a page asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.urls import reverse

from accord.org.models import Membership, MembershipRole, Organization, Person, Team

NAMES = 3  # names shown of each kind of work; the count says how many more


@dataclass(slots=True)
class Left:
    """One kind of open work: "2 active initiatives: Points, Rewards"."""

    one: str  # the noun for one, e.g. "open initiative"
    many: str  # for several, e.g. "open initiatives"
    count: int
    names: list[str] = field(default_factory=list)
    url: str = ""  # the filtered list where it can be reassigned

    @property
    def label(self) -> str:
        return self.one if self.count == 1 else self.many

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.names))


def _left(label: str, qs: QuerySet, name_field: str, url: str = "") -> Left | None:
    """`label`: "open initiative|open initiatives" (one|many)."""
    count = qs.order_by().count()
    if not count:
        return None
    names = list(qs.order_by(name_field, "pk").values_list(name_field, flat=True)[:NAMES])
    one, _, many = label.partition("|")
    return Left(one, many or one, count, [str(n) for n in names], url)


def _url(org: Organization, name: str, query: str) -> str:
    return f"{reverse(name, kwargs={'org_slug': org.slug})}?{query}"


def team_leaves(org: Organization, team: Team) -> list[Left]:
    """The open work of `team`: current members, open initiatives and objectives, active
    dependencies either way, active cadences. A bounded number of queries."""
    from accord.alignment.models import (
        OPEN_INITIATIVE_STATUSES,
        OPEN_OBJECTIVE_STATUSES,
        Initiative,
        Objective,
    )
    from accord.coordination.models import ACTIVE_STATES, Dependency
    from accord.rhythm.models import Cadence

    only = f"team={team.slug}&only=1"
    deps = Dependency.objects.filter(org=org, state__in=ACTIVE_STATES)
    deps_url = _url(org, "coordination:list", only)
    out = [
        _left("current member|current members", team_members(team), "person__name"),
        _left(
            "open initiative|open initiatives",
            Initiative.objects.filter(org=org, team=team, status__in=OPEN_INITIATIVE_STATUSES),
            "title",
            _url(org, "alignment:initiatives", only),
        ),
        _left(
            "open objective|open objectives",
            Objective.objects.filter(org=org, team=team, status__in=OPEN_OBJECTIVE_STATUSES),
            "title",
        ),
        _left(
            "open request to another team|open requests to other teams",
            deps.filter(requester_team=team),
            "title",
            deps_url,
        ),
        _left(
            "open request from another team|open requests from other teams",
            deps.filter(provider_team=team),
            "title",
            deps_url,
        ),
        _left(
            "active cadence|active cadences",
            Cadence.objects.filter(org=org, team=team, is_active=True),
            "name",
        ),
    ]
    return [x for x in out if x is not None]


def team_members(team: Team) -> QuerySet:
    """The team's current terms of active people (as its page lists them)."""
    return Membership.objects.filter(team=team, person__is_active=True)


def person_leaves(org: Organization, person: Person) -> list[Left]:
    """The open work of `person`: the teams they lead, their current terms, the open
    action items, initiatives and objectives they own, the undecided decisions they
    approve or drive. A bounded number of queries."""
    from accord.alignment.models import (
        OPEN_INITIATIVE_STATUSES,
        OPEN_OBJECTIVE_STATUSES,
        Initiative,
        Objective,
    )
    from accord.decisions.models import UNDECIDED, ActionItem, ActionStatus, Decision

    terms = Membership.objects.filter(person=person)
    out = [
        _left(
            "team they lead|teams they lead", terms.filter(role=MembershipRole.LEAD), "team__name"
        ),
        _left("current term in a team|current terms in teams", terms, "team__name"),
        _left(
            "open action item|open action items",
            ActionItem.objects.filter(org=org, owner=person, status=ActionStatus.OPEN),
            "title",
            _url(org, "decisions:actions", f"person={person.pk}"),
        ),
        _left(
            "open initiative they own|open initiatives they own",
            Initiative.objects.filter(org=org, owner=person, status__in=OPEN_INITIATIVE_STATUSES),
            "title",
            _url(org, "alignment:initiatives", f"owner={person.pk}"),
        ),
        _left(
            "open objective they own|open objectives they own",
            Objective.objects.filter(org=org, owner=person, status__in=OPEN_OBJECTIVE_STATUSES),
            "title",
        ),
        _left(
            "undecided decision they approve|undecided decisions they approve",
            Decision.objects.filter(org=org, status__in=UNDECIDED, approver=person),
            "question",
            _url(org, "decisions:index", f"approver={person.pk}"),
        ),
        _left(
            "undecided decision they drive|undecided decisions they drive",
            Decision.objects.filter(org=org, status__in=UNDECIDED, driver=person).exclude(
                approver=person
            ),
            "question",
            _url(org, "decisions:index", f"driver={person.pk}"),
        ),
    ]
    return [x for x in out if x is not None]
