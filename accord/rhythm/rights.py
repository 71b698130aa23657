"""Who may set up a cadence and who may change one. `None` as actor is Accord itself.

- A leader or an admin sets up and changes any cadence.
- A team's lead sets up and changes the cadences of a team they lead (one team, or it and
  its sub-teams).
- An initiative's owner (a member) sets up its sync: a cadence of a set of teams linked to
  an initiative they own, whose participants are the teams' leads only, and whose teams
  are the initiative's own team and the teams its requests go to or come from (`reach`).
  A programme manager convenes the leads of the teams the work crosses, no one else.
- A cadence's owner changes it (name, kind, schedule, agenda, initiatives, extra
  participants, pausing it, moving and cancelling its meetings) and may hand it to
  someone else, as its team's lead may; its teams, scope and participation only into a
  cadence they could set up themselves (`require_set_up`).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from accord.alignment.models import OPEN_INITIATIVE_STATUSES
from accord.core.errors import PermissionDenied
from accord.org.models import Membership, Organization, Person, Role, Team
from accord.org.permissions import is_team_lead
from accord.rhythm.models import Cadence, Participation, Scope

WHO_SETS_UP = (
    "A leader or an admin sets up any cadence; a team's lead, the cadences of a team they "
    "lead; an initiative's owner, its sync: a set of teams (its team and the teams its "
    "requests go to or come from) with the teams' leads only as participants."
)


def _member(actor: Person) -> bool:
    return actor.is_active and actor.has_role(Role.MEMBER)


def is_admin_of(actor: Person | None, scope: str, team: Team | None) -> bool:
    """Leaders and admins for every cadence; a team's lead for a cadence of that team (or
    of it and its sub-teams)."""
    if actor is None:
        return True
    if actor.is_active and actor.has_role(Role.LEADER):
        return True
    if scope in (Scope.TEAM, Scope.SUBTREE) and team is not None:
        return _member(actor) and is_team_lead(actor, team)
    return False


def is_owner(actor: Person | None, cadence: Cadence) -> bool:
    return (
        actor is not None
        and cadence.owner_id is not None
        and actor.pk == cadence.owner_id
        and _member(actor)
    )


def may_change(actor: Person | None, cadence: Cadence) -> bool:
    """Whether `actor` may change the cadence (and move or cancel its meetings): whoever may
    set one of its kind up for its team(s), or its owner."""
    return is_admin_of(actor, cadence.scope, cadence.team) or is_owner(actor, cadence)


def refusal(cadence: Cadence, what: str = "change") -> str:
    """Who may change `cadence`, in words (the edit page's refusal and the service's)."""
    if cadence.scope in (Scope.TEAM, Scope.SUBTREE) and cadence.team is not None:
        who = f"its owner, a lead of {cadence.team.name}, a leader or an admin"
    else:
        who = "its owner, a leader or an admin"
    return f"Only {who} may {what} {cadence.name}."


def require_change(actor: Person | None, cadence: Cadence, what: str = "change") -> None:
    if not may_change(actor, cadence):
        raise PermissionDenied(refusal(cadence, what))


def owned_initiatives(org: Organization, actor: Person):
    """The open initiatives `actor` owns: those whose sync they may set up."""
    from accord.alignment.models import OPEN_INITIATIVE_STATUSES, Initiative

    return Initiative.objects.for_org(org).filter(owner=actor, status__in=OPEN_INITIATIVE_STATUSES)


def may_set_up_any(org: Organization, actor: Person) -> bool:
    """Whether `actor` may set up any cadence at all (the New cadence page is refused up
    front otherwise): a leader or an admin, the lead of a current team, or the owner of an
    open initiative. A few small queries."""
    if not _member(actor):
        return False
    if actor.has_role(Role.LEADER):
        return True
    led = Membership.objects.for_org(org).in_current_teams().leading().filter(person=actor)
    return led.exists() or owned_initiatives(org, actor).exists()


def reach(org: Organization, initiatives: Iterable) -> set[int]:
    """The ids of the teams an initiative's work crosses: its own team's, and those of the
    teams on the other side of its requests, either way and whatever their state (a
    declined request still names a team the launch needs). One query."""
    from accord.coordination.models import Dependency

    initiatives = list(initiatives)
    ids = {i.team_id for i in initiatives}
    pks = [i.pk for i in initiatives]
    for requester, provider in (
        Dependency.objects.for_org(org)
        .filter(Q(requester_initiative_id__in=pks) | Q(provider_initiative_id__in=pks))
        .values_list("requester_team_id", "provider_team_id")
    ):
        ids |= {requester, provider}
    return ids


def require_set_up(
    org: Organization,
    actor: Person | None,
    *,
    scope: str,
    team: Team | None,
    teams: Iterable[Team],
    participation: str,
    initiatives: Iterable,
    extras: Iterable[Person] = (),
    what: str = "set up",
) -> None:
    """Refuse a cadence of this shape to whoever may not set it up (see the module's rules),
    saying who may and, for an initiative's owner, what is missing."""
    if is_admin_of(actor, scope, team):
        return
    assert actor is not None
    if scope in (Scope.TEAM, Scope.SUBTREE) and team is not None:
        raise PermissionDenied(
            f"Only a lead of {team.name}, a leader or an admin may {what} a cadence of {team.name}."
        )
    mine = [
        i for i in initiatives if i.owner_id == actor.pk and i.status in OPEN_INITIATIVE_STATUSES
    ]
    if scope != Scope.TEAMS or not _member(actor) or not mine:
        raise PermissionDenied(
            f"Only a leader or an admin may {what} a cadence of "
            f"{'the whole organization' if scope == Scope.ORG else 'several teams'}, or an "
            "initiative's owner its sync (a set of teams linked to the initiative, with the "
            f"teams' leads only as participants). {WHO_SETS_UP}"
        )
    if participation != Participation.LEADS:
        raise PermissionDenied(
            f"The sync of an initiative you own ({mine[0].title}) has the teams' leads only "
            "as participants: choose “The teams' leads only”, or ask a leader or an admin to "
            "invite everyone in the teams."
        )
    others = sorted(p.name for p in extras if p.pk != actor.pk)
    if others:
        raise PermissionDenied(
            f"As its owner you may bring together the teams' leads only, not "
            f"{', '.join(others[:3])}{' and others' if len(others) > 3 else ''} as well: "
            "a leader or an admin may add other participants."
        )
    allowed = reach(org, mine)
    beyond = sorted((t for t in teams if t.pk not in allowed), key=lambda t: t.name)
    if beyond:
        names = ", ".join(t.name for t in beyond)
        raise PermissionDenied(
            f"{names} {'is' if len(beyond) == 1 else 'are'} neither the team of "
            f"{mine[0].title if len(mine) == 1 else 'your initiatives'} nor a team "
            "its requests go to or come from: as its owner you may bring together only "
            "those teams' leads; a leader or an admin may add others."
        )
