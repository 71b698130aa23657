"""Who may change what. `None` as actor means Accord itself (loaders, the CLI)."""

from __future__ import annotations

from accord.core.errors import PermissionDenied, ServiceError
from accord.org.models import Membership, Person, Role, Team


def _a(noun: str) -> str:
    """The noun with its article: "an admin", "a member"."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def require_role(actor: Person | None, role: Role, action: str) -> None:
    if actor is None:
        return
    if not actor.is_active or not actor.has_role(role):
        # "the Leader role": an organization role, not a lead of a team (a role in a team).
        raise PermissionDenied(
            f"Only someone with the {role.label} role or above may {action}; your role is "
            f"{Role(actor.role).label}."
        )


def refuse_agent(person: Person | None, field: str, role: str) -> None:
    """Refuse an agent where only a person may stand, e.g. a decision's approver or an
    objective's accountable owner: `role` says what, "approve decisions"."""
    if person is not None and person.is_agent:
        raise ServiceError(
            f"{person.name} is an agent; an agent may not {role}. Choose a person "
            f"(its owner is {person.owner.name}).",
            fields={field: ["Choose a person, not an agent."]},
            code="agent_not_allowed",
        )


def refuse_viewer(person: Person | None, field: str, role: str) -> None:
    """Refuse a viewer where someone must act, e.g. a decision's approver or an
    initiative's owner: a viewer changes nothing, so would be given work they could never
    do. `role` says what, "decide it"."""
    if person is not None and not person.has_role(Role.MEMBER):
        raise ServiceError(
            f"{person.name} is {_a(person.role)}, who changes nothing, so cannot {role}; "
            "choose someone who can.",
            fields={field: [f"{person.name} cannot {role}."]},
            code="viewer_not_allowed",
        )


# --- who acts, and for whom ----------------------------------------------------------------
#
# An agent acts on its owner's behalf: every event it causes names both
# (`activity.services.record` asks `on_behalf_of`), and what its owner may do to their own
# work (what they own, what they recorded) it may do too, within its token's scope
# (`api.scopes.require_scope`): the scope check and the rights of alignment and decisions
# ask `acts_as`. These two are the one answer to "who acts, and for whom".


def on_behalf_of(actor: Person | None) -> Person | None:
    """The person `actor` acts for: an agent's owner, accountable for what it does; None
    for a person, who acts for themself, and for Accord itself. At most one query (the
    owner, then kept on the actor)."""
    return actor.owner if _for_its_owner(actor) else None


def acts_as(actor: Person | None) -> frozenset[int]:
    """The ids of the people whose own work `actor` does: a person's own; an agent's, and
    its owner's (`on_behalf_of`); nobody's for Accord itself. No query."""
    if actor is None:
        return frozenset()
    return frozenset({actor.pk, actor.owner_id} if _for_its_owner(actor) else {actor.pk})


def _for_its_owner(actor: Person | None) -> bool:
    return actor is not None and actor.is_agent and actor.owner_id is not None


def refuse_agent_actor(actor: Person | None, action: str) -> None:
    """Refuse an agent acting where a person must (approving or reversing a decision)."""
    if actor is not None and actor.is_agent:
        raise PermissionDenied(f"{actor.name} is an agent; only a person may {action}.")


def can_manage_agent(actor: Person, agent: Person) -> bool:
    """An agent's owner and admins manage it (pause, resume, tokens, profile)."""
    if not agent.is_agent or not actor.is_active or actor.is_agent:
        return False
    return actor.has_role(Role.ADMIN) or (
        actor.pk == agent.owner_id and actor.has_role(Role.MEMBER)
    )


def is_team_lead(actor: Person, team: Team) -> bool:
    """Whether `actor` leads `team`: a current lead, co-lead or chair (`LEADING_ROLES`)."""
    return Membership.objects.leading().filter(person=actor, team=team).exists()


def require_team_admin(actor: Person | None, team: Team, action: str) -> None:
    """Leaders and admins may manage any team; a team's own leads may manage its members."""
    if actor is None:
        return
    if actor.is_active and actor.has_role(Role.LEADER):
        return
    if actor.is_active and actor.has_role(Role.MEMBER) and is_team_lead(actor, team):
        return
    raise PermissionDenied(
        f"Only someone with the Leader or Admin role, or a lead of {team.name}, may {action}."
    )


def can_edit_tree(actor: Person) -> bool:
    return actor.is_active and actor.has_role(Role.LEADER)


def can_manage_people(actor: Person) -> bool:
    return actor.is_active and actor.has_role(Role.ADMIN)


def can_edit_person(actor: Person, person: Person) -> bool:
    """Admins edit anyone; members and above also their agents' profiles; everyone their
    own profile (name, title, time zone: their own settings, which a viewer changes too,
    but not their role or teams)."""
    if can_manage_people(actor) or can_manage_agent(actor, person):
        return True
    return actor.pk == person.pk and actor.is_active and not actor.is_agent


def can_see_identities(viewer: Person, person: Person) -> bool:
    """A person's other addresses and handles (what imports and sign-in know them by): the
    person themself and admins; members and leaders for someone active, whom they work
    with. Never a viewer (they read the work, they do not coordinate it), and someone
    deactivated's only for admins. (The primary address is everyone's to read.)"""
    if viewer.pk == person.pk or can_manage_people(viewer):
        return True
    return viewer.is_active and viewer.has_role(Role.MEMBER) and person.is_active


def can_edit_identities(actor: Person, person: Person) -> bool:
    """A person's other addresses and handles: admins for anyone, a member for themself."""
    if can_manage_people(actor):
        return True
    return (
        actor.pk == person.pk
        and actor.is_active
        and not actor.is_agent
        and actor.has_role(Role.MEMBER)
    )


def can_manage_team(actor: Person, team: Team) -> bool:
    try:
        require_team_admin(actor, team, "")
    except PermissionDenied:
        return False
    return True


def teams_to_manage(org, actor: Person):
    """The current teams `actor` may add members to (`require_team_admin`): every one for
    leaders and admins, those they lead for a member, none for a viewer or someone
    deactivated. A queryset, by name."""
    teams = Team.objects.for_org(org).current().order_by("name", "id")
    if not actor.is_active or not actor.has_role(Role.MEMBER):
        return teams.none()
    if actor.has_role(Role.LEADER):
        return teams
    led = Membership.objects.leading().filter(person=actor).values("team_id")
    return teams.filter(pk__in=led)
