"""API for teams, people and memberships."""

# No `from __future__ import annotations` here: ninja resolves the annotations of
# @paginate-wrapped endpoints in ninja's own module, where our names do not exist.
import datetime as dt
from typing import Literal

from django.db import transaction
from django.db.models import Q
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accord.api import scopes
from accord.api import services as tokens
from accord.api.common import (
    OWN_SETTINGS,
    BoundedCountPagination,
    Id,
    InputSchema,
    PatchSchema,
    actor_of,
    body_fields,
    get_or_404,
    if_match,
    org_of,
    ref,
)
from accord.api.models import ApiToken, TokenScope
from accord.core.errors import Conflict, PermissionDenied, ServiceError
from accord.org import invitations, leaving, permissions, queries, services
from accord.org.models import (
    IdentityKind,
    Membership,
    MembershipRole,
    Person,
    PersonIdentity,
    PersonKind,
    Role,
    Team,
    TeamKind,
    TeamLink,
    TeamLinkKind,
    TeamRole,
    TeamState,
    TeamVacancy,
    normalize_identity,
)

router = Router(tags=["Organization"])


# --- schemas -----------------------------------------------------------------------------


class OrganizationOut(Schema):
    name: str
    slug: str = Field(description="Its address (/o/<slug>/): it stays when it is renamed.")


class OrganizationPatch(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)


class MeOut(Schema):
    person_id: Id
    name: str
    role: str
    organization: str
    organization_slug: str
    kind: PersonKind = Field(description="person, or agent (acting for its owner)")
    owner_id: Id | None = Field(None, description="An agent's owner, accountable for it.")
    scope: TokenScope = Field(
        description="The token's scope: read, report or member (member: everything its "
        "person's role allows, no more)."
    )
    may: str = Field(
        description="What this token may do, in words: its scope within its person's role "
        "(a viewer's token reads, and with `member` changes only its person's own profile)."
    )


LIVE_STATES = Literal["forming", "active", "advisory"]
KIND_DOC = "Short name of one of the organization's kinds of team (GET /team-kinds)."
LINK_DOCS = {
    "website": "The team's web page (https://…).",
    "repository": "Where its code or documents live (https://…).",
    "chat": "Its chat channel: a name such as #platform, or an address.",
    "mailing_list": "Its mailing list: an e-mail address or the archive's address.",
}


class TeamOut(Schema):
    id: int
    name: str
    slug: str
    parent_id: Id | None
    description: str
    version: int
    created_at: dt.datetime
    kind: str | None = Field(description=KIND_DOC)
    kind_name: str | None = Field(description="Display name of the kind.")
    state: TeamState = Field(description="forming, active, advisory or retired.")
    retired_on: dt.date | None = Field(description="When the team retired (retired only).")
    mission: str
    website: str = Field(description=LINK_DOCS["website"])
    repository: str = Field(description=LINK_DOCS["repository"])
    chat: str = Field(description=LINK_DOCS["chat"])
    mailing_list: str = Field(description=LINK_DOCS["mailing_list"])

    @staticmethod
    def resolve_kind(obj) -> str | None:
        return obj.kind.slug if obj.kind_id else None

    @staticmethod
    def resolve_kind_name(obj) -> str | None:
        return obj.kind.name if obj.kind_id else None


class TeamIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    slug: str = Field("", max_length=80, pattern=r"^[-a-zA-Z0-9_]*$")
    parent_id: Id | None = None
    description: str = ""
    kind: str | None = Field(None, max_length=40, description=KIND_DOC)
    state: LIVE_STATES = Field("active", description="Retire a team with POST /teams/{id}/retire.")
    mission: str = Field("", max_length=2000)
    website: str = Field("", max_length=500, description=LINK_DOCS["website"])
    repository: str = Field("", max_length=500, description=LINK_DOCS["repository"])
    chat: str = Field("", max_length=500, description=LINK_DOCS["chat"])
    mailing_list: str = Field("", max_length=500, description=LINK_DOCS["mailing_list"])


class TeamPatch(PatchSchema):
    model = Team

    name: str | None = Field(None, min_length=1, max_length=200)
    slug: str | None = Field(None, min_length=1, max_length=80, pattern=r"^[-a-zA-Z0-9_]+$")
    parent_id: Id | None = None
    description: str | None = None
    kind: str | None = Field(None, max_length=40, description=KIND_DOC + " null: no kind.")
    state: LIVE_STATES | None = Field(
        None, description="Retire or reactivate a team with its own endpoints."
    )
    mission: str | None = Field(None, max_length=2000)
    website: str | None = Field(None, max_length=500, description=LINK_DOCS["website"])
    repository: str | None = Field(None, max_length=500, description=LINK_DOCS["repository"])
    chat: str | None = Field(None, max_length=500, description=LINK_DOCS["chat"])
    mailing_list: str | None = Field(None, max_length=500, description=LINK_DOCS["mailing_list"])


class RetireIn(InputSchema):
    retired_on: dt.date | None = Field(None, description="Default: today. Not in the future.")


class ReactivateIn(InputSchema):
    state: LIVE_STATES = "active"


class TeamKindOut(Schema):
    id: int
    slug: str
    name: str


class TeamKindIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)
    slug: str = Field("", max_length=40, pattern=r"^[-a-z0-9_]*$")


class TeamKindPatch(InputSchema):
    name: str = Field(..., min_length=1, max_length=100)


HANDLES_DOC = (
    "Handles elsewhere, each written kind:name — kinds github, gitlab, slack, matrix, irc, "
    "other (e.g. github:ada, matrix:ada:example.org); a leading @ is dropped."
)


IDENTITIES_SEEN_BY = (
    "Shown to the person themself, admins, and members and leaders for someone active; "
    "empty for viewers and, for someone deactivated, for everyone but admins."
)


class PersonOut(Schema):
    id: int
    name: str
    email: str
    title: str
    role: Role
    timezone: str
    is_active: bool
    version: int
    kind: PersonKind
    owner_id: Id | None = Field(description="An agent's owner: the person accountable for it.")
    paused: bool = Field(description="An agent that is paused: its tokens are refused.")
    emails: list[str] = Field(
        description="Extra e-mail addresses (lower-cased); `email` is the primary one. "
        + IDENTITIES_SEEN_BY
    )
    handles: list[str] = Field(description=f"{HANDLES_DOC} {IDENTITIES_SEEN_BY}")

    @staticmethod
    def resolve_paused(obj) -> bool:
        return obj.paused_at is not None

    @staticmethod
    def resolve_emails(obj, context) -> list[str]:
        return _identities_seen(obj, context)["emails"]

    @staticmethod
    def resolve_handles(obj, context) -> list[str]:
        return _identities_seen(obj, context)["handles"]


def _identities_seen(person: Person, context) -> dict[str, list[str]]:
    """The person's extra addresses and handles, when the caller may see them
    (`permissions.can_see_identities`); else none."""
    request = (context or {}).get("request")
    viewer = getattr(request, "person", None)
    if viewer is None or not permissions.can_see_identities(viewer, person):
        return {"emails": [], "handles": []}
    return queries.identity_lists(person)


class PersonIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    email: str = ""
    title: str = Field("", max_length=200)
    role: Role = Role.MEMBER
    timezone: str | None = Field(None, description="Left out: the organization's time zone.")
    kind: PersonKind = Field(
        PersonKind.PERSON,
        description="agent: an AI assistant or automation that acts only through tokens.",
    )
    owner_id: Id | None = Field(
        None,
        description="An agent's owner (required for an agent): a person of this organization. "
        "Members may add agents they own themselves; admins, for anyone.",
    )
    emails: list[str] = Field(
        default_factory=list,
        description="Extra e-mail addresses. An address or handle that already names "
        "someone of the organization is refused (409, naming them).",
    )
    handles: list[str] = Field(default_factory=list, description=HANDLES_DOC)
    invite: bool = Field(
        False,
        description="E-mail them an invitation too (admins; a person with an e-mail address): "
        "see POST /people/{id}/invite. Refused, and nobody added, when it cannot be sent.",
    )


class InvitationOut(Schema):
    person_id: int
    email: str = Field(description="Where the invitation goes.")
    signs_in_with: Literal["new_password", "own_password", "single_sign_on"] = Field(
        description="new_password: the e-mail carries a one-time link (to choose a password, "
        "or, when the address is already an Accord login, for its holder to join with it); "
        "own_password: their login is also another organization's person's, whose password "
        "they use; single_sign_on: password sign-in is off."
    )
    expires_at: dt.datetime | None = Field(
        description="When the link to choose a password stops working (null without one)."
    )


class PersonPatch(PatchSchema):
    model = Person

    name: str | None = Field(None, min_length=1, max_length=200)
    email: str | None = None
    title: str | None = Field(None, max_length=200)
    role: Role | None = None
    timezone: str | None = None
    is_active: bool | None = None
    owner_id: Id | None = Field(None, description="Hand an agent to another owner.")
    emails: list[str] | None = Field(None, description="Replaces the extra addresses.")
    handles: list[str] | None = Field(None, description="Replaces the handles.")


class HandoverIn(InputSchema):
    to_id: Id = Field(
        ...,
        description="Who gets the work: an active person of the organization, not the one "
        "whose work it is.",
    )


class HandedOut(Schema):
    kind: Literal[
        "team_lead",
        "action_item",
        "objective",
        "key_result",
        "initiative",
        "cadence",
        "decision_to_approve",
        "decision_to_drive",
    ] = Field(description="What was handed on; for `team_lead`, `ids` are the teams'.")
    label: str = Field(description='What they are, counted: "2 open action items".')
    ids: list[int]
    names: list[str]


class NotHandedOut(Schema):
    name: str
    reason: str = Field(description="Why its app refused it (it stays with its owner).")


class HandoverOut(Schema):
    person_id: int = Field(description="Whose work it was.")
    to_id: int
    count: int = Field(description="How many things were handed on (0: nothing was open).")
    handed: list[HandedOut]
    not_handed: list[NotHandedOut]


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scope: TokenScope
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


ROLE_DOC = "Short name of one of the organization's roles in teams (GET /team-roles)."
ALLOCATION_DOC = "Share of the person's time in percent; null when unknown (e.g. a volunteer)."


class MembershipOut(Schema):
    id: int
    person_id: Id
    team_id: Id
    role: str = Field(description=ROLE_DOC)
    allocation: int | None = Field(description=ALLOCATION_DOC)
    started_on: dt.date | None = Field(description="When the term started, if known.")
    ended_on: dt.date | None = Field(
        description="When the term ended; null for a current term. A past term no longer "
        "counts as membership."
    )
    version: int


class MembershipIn(InputSchema):
    person_id: Id
    team_id: Id
    role: str = Field(MembershipRole.MEMBER.value, max_length=40, description=ROLE_DOC)
    allocation: int | None = Field(
        None,
        ge=0,
        le=100,
        description=f"{ALLOCATION_DOC} {services.ALLOCATION_DEFAULT_RULE} A past term's: 100.",
    )
    started_on: dt.date | None = Field(None, description="Not in the future.")
    ended_on: dt.date | None = Field(
        None, description="Given only to record a past term; not in the future."
    )


class MembershipPatch(PatchSchema):
    model = Membership

    role: str | None = Field(None, max_length=40, description=ROLE_DOC)
    allocation: int | None = Field(None, ge=0, le=100, description=ALLOCATION_DOC)
    started_on: dt.date | None = None


class EndTermIn(InputSchema):
    ended_on: dt.date | None = Field(None, description="Default: today. Not in the future.")


class TeamRoleOut(Schema):
    id: int
    slug: str
    name: str


class VacancyOut(Schema):
    id: int
    team_id: Id
    role: str = Field(description=ROLE_DOC)
    since: dt.date
    note: str


class VacancyIn(InputSchema):
    team_id: Id
    role: str = Field(MembershipRole.LEAD.value, max_length=40, description=ROLE_DOC)
    since: dt.date | None = Field(None, description="Default: today.")
    note: str = Field("", max_length=500)


LIAISON_DOC = "For kind liaison: the member of from_team who represents it to to_team."


class TeamLinkOut(Schema):
    id: int
    from_team_id: Id
    to_team_id: Id
    kind: TeamLinkKind
    person_id: Id | None = Field(description=LIAISON_DOC)
    created_at: dt.datetime


class TeamLinkIn(InputSchema):
    from_team_id: Id
    to_team_id: Id
    kind: TeamLinkKind = TeamLinkKind.STAKEHOLDER
    person_id: Id | None = Field(None, description=LIAISON_DOC + " Required for that kind.")


def _patch_data(payload: Schema) -> dict:
    """The fields a PATCH sets (PatchSchema has refused nulls where a value is required)."""
    return payload.model_dump(exclude_unset=True)


# --- me ----------------------------------------------------------------------------------


@router.get("/me", response=MeOut, summary="Who the token belongs to")
def me(request):
    person, org = actor_of(request), org_of(request)
    return MeOut(
        person_id=person.pk,
        name=person.name,
        role=person.role,
        organization=org.name,
        organization_slug=org.slug,
        kind=person.kind,
        owner_id=person.owner_id,
        scope=request.auth.scope,
        may=scopes.meaning(request.auth.scope, person.role),
    )


# --- organization ------------------------------------------------------------------------


@router.patch("/organization", response=OrganizationOut, summary="Rename the organization")
def rename_organization(request, payload: OrganizationPatch):
    """Admins only. The change is recorded in the organization's history; its address
    (slug) stays, so every link, feed and API call that names it keeps working."""
    return services.rename_organization(org_of(request), actor_of(request), payload.name)


# --- teams -------------------------------------------------------------------------------


@router.get("/teams", response=list[TeamOut], summary="List teams")
@paginate
def list_teams(
    request,
    parent_id: Id | None = None,
    q: str = "",
    state: Literal["forming", "active", "advisory", "retired", "current"] | None = Query(
        None, description="current: every team not retired."
    ),
    kind: str | None = Query(None, description=KIND_DOC),
):
    qs = Team.objects.for_org(org_of(request)).select_related("kind").order_by("name", "id")
    if parent_id is not None:
        qs = qs.filter(parent_id=parent_id)
    if q:
        qs = qs.filter(name__icontains=q)
    if state == "current":
        qs = qs.current()
    elif state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind__slug=kind)
    return qs


@router.post("/teams", response={201: TeamOut}, summary="Create a team")
def create_team(request, payload: TeamIn):
    org = org_of(request)
    parent = ref(Team.objects.for_org(org), payload.parent_id, "parent_id", "team")
    with body_fields(parent="parent_id"):
        team = services.create_team(
            org,
            actor_of(request),
            name=payload.name,
            slug=payload.slug,
            parent=parent,
            description=payload.description,
            kind=payload.kind,
            state=payload.state,
            mission=payload.mission,
            website=payload.website,
            repository=payload.repository,
            chat=payload.chat,
            mailing_list=payload.mailing_list,
        )
    return Status(201, team)


@router.get("/teams/{team_id}", response=TeamOut, summary="Get a team")
def get_team(request, team_id: Id):
    return get_or_404(Team.objects.for_org(org_of(request)), team_id, "team")


@router.patch("/teams/{team_id}", response=TeamOut, summary="Change or move a team")
def update_team(request, team_id: Id, payload: TeamPatch):
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    data = _patch_data(payload)
    if "parent_id" in data:
        data["parent"] = ref(Team.objects.for_org(org), data.pop("parent_id"), "parent_id", "team")
    with body_fields(parent="parent_id"):
        return services.update_team(
            org, actor_of(request), team, expected_version=if_match(request), **data
        )


@router.post("/teams/{team_id}/retire", response=TeamOut, summary="Retire a team")
def retire_team(request, team_id: Id, payload: RetireIn | None = None):
    """A retired team keeps its history and leaves active lists, pickers, health and the
    dependency map. Refused while it has sub-teams that are not retired."""
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    on = payload.retired_on if payload else None
    return services.retire_team(org, actor_of(request), team, on=on)


@router.post("/teams/{team_id}/reactivate", response=TeamOut, summary="Reactivate a team")
def reactivate_team(request, team_id: Id, payload: ReactivateIn | None = None):
    """Refused while its parent is retired."""
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    state = payload.state if payload else "active"
    return services.reactivate_team(org, actor_of(request), team, state=state)


@router.get("/team-kinds", response=list[TeamKindOut], summary="List the kinds of team")
def list_team_kinds(request):
    return list(TeamKind.objects.for_org(org_of(request)).order_by("name", "id"))


@router.post("/team-kinds", response={201: TeamKindOut}, summary="Add a kind of team")
def create_team_kind(request, payload: TeamKindIn):
    org = org_of(request)
    kind = services.add_team_kind(org, actor_of(request), name=payload.name, slug=payload.slug)
    return Status(201, kind)


@router.patch("/team-kinds/{kind_id}", response=TeamKindOut, summary="Rename a kind of team")
def rename_team_kind(request, kind_id: Id, payload: TeamKindPatch):
    org = org_of(request)
    kind = get_or_404(TeamKind.objects.for_org(org), kind_id, "team kind")
    return services.rename_team_kind(org, actor_of(request), kind, payload.name)


@router.delete("/team-kinds/{kind_id}", response={204: None}, summary="Remove a kind of team")
def delete_team_kind(request, kind_id: Id):
    """Refused while any team is of this kind."""
    org = org_of(request)
    kind = get_or_404(TeamKind.objects.for_org(org), kind_id, "team kind")
    services.remove_team_kind(org, actor_of(request), kind)
    return Status(204, None)


@router.get("/team-roles", response=list[TeamRoleOut], summary="List the roles in teams")
def list_team_roles(request):
    """The organization's roles; `lead`, `co-lead` and `chair` lead the team (team-admin
    rights)."""
    return list(TeamRole.objects.for_org(org_of(request)).order_by("name", "id"))


@router.post("/team-roles", response={201: TeamRoleOut}, summary="Add a role in teams")
def create_team_role(request, payload: TeamKindIn):
    org = org_of(request)
    role = services.add_team_role(org, actor_of(request), name=payload.name, slug=payload.slug)
    return Status(201, role)


@router.patch("/team-roles/{role_id}", response=TeamRoleOut, summary="Rename a role in teams")
def rename_team_role(request, role_id: Id, payload: TeamKindPatch):
    org = org_of(request)
    role = get_or_404(TeamRole.objects.for_org(org), role_id, "team role")
    return services.rename_team_role(org, actor_of(request), role, payload.name)


@router.delete("/team-roles/{role_id}", response={204: None}, summary="Remove a role in teams")
def delete_team_role(request, role_id: Id):
    """Refused while a term (past ones too) or an open position has this role, and for
    lead and member."""
    org = org_of(request)
    role = get_or_404(TeamRole.objects.for_org(org), role_id, "team role")
    services.remove_team_role(org, actor_of(request), role)
    return Status(204, None)


@router.get("/vacancies", response=list[VacancyOut], summary="List open positions")
@paginate
def list_vacancies(request, team_id: Id | None = None):
    qs = TeamVacancy.objects.for_org(org_of(request)).order_by("id")
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    return qs


@router.post("/vacancies", response={201: VacancyOut}, summary="Declare an open position")
def create_vacancy(request, payload: VacancyIn):
    """E.g. "lead: position open". Adding a member with that role to the team closes it."""
    org = org_of(request)
    team = ref(Team.objects.for_org(org), payload.team_id, "team_id", "team")
    with body_fields(team="team_id"):
        vacancy = services.open_vacancy(
            org,
            actor_of(request),
            team,
            role=payload.role,
            since=payload.since,
            note=payload.note,
        )
    return Status(201, vacancy)


@router.delete("/vacancies/{vacancy_id}", response={204: None}, summary="Close an open position")
def delete_vacancy(request, vacancy_id: Id):
    org = org_of(request)
    vacancy = get_or_404(
        TeamVacancy.objects.for_org(org).select_related("team"), vacancy_id, "open position"
    )
    services.close_vacancy(org, actor_of(request), vacancy)
    return Status(204, None)


@router.delete("/teams/{team_id}", response={204: None}, summary="Delete a team")
def delete_team(request, team_id: Id):
    org = org_of(request)
    team = get_or_404(Team.objects.for_org(org), team_id, "team")
    services.delete_team(org, actor_of(request), team)
    return Status(204, None)


# --- people ------------------------------------------------------------------------------


@router.get("/people", response=list[PersonOut], summary="List people")
@paginate(BoundedCountPagination)  # 100,000 at 10,000 teams: counted to a limit
def list_people(
    request,
    q: str = "",
    role: Role | None = None,
    team_id: Id | None = None,
    include_inactive: bool = False,
    kind: PersonKind | None = None,
    owner_id: Id | None = None,
    email: str = "",
    handle: str = "",
    never_signed_in: bool = False,
):
    """`kind=agent` lists agents; `owner_id` the agents a person owns; `email` the person
    with that address, primary or extra (any case); `handle` (`github:ada`, or `ada` for
    any kind) the people with that handle; `never_signed_in` (admins) the people who have
    not signed in since they were added (agents never do). `include_inactive` adds the
    people who were deactivated, for admins only: for anyone else they stay out, as in
    search and on the people page."""
    org = org_of(request)
    include_inactive = include_inactive and permissions.can_manage_people(actor_of(request))
    qs = Person.objects.for_org(org).prefetch_related("identities").order_by("name", "id")
    if never_signed_in:
        if not actor_of(request).has_role(Role.ADMIN):
            raise PermissionDenied("Only an admin may see who has signed in.")
        qs = qs.filter(invitations.never_signed_in())
    if email:
        found = queries.find_person(org, email=email)
        qs = qs.filter(pk=found.pk if found else None)
    if handle:
        qs = qs.filter(pk__in=_handle_matches(org, handle))
    if not include_inactive:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    if owner_id is not None:
        qs = qs.filter(owner_id=owner_id)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(email__icontains=q))
    if role:
        qs = qs.filter(role=role)
    if team_id is not None:
        qs = qs.filter(memberships__team_id=team_id, memberships__ended_on__isnull=True)
    return qs


def _handle_matches(org, handle: str):
    if ":" in handle:
        kind, value = services.parse_handle(handle)
        return PersonIdentity.objects.for_org(org).filter(kind=kind, value=value).values("person")
    # Handles of every kind but "other" are stored lower-cased: each is one lookup in the
    # (org, kind, value) index; only "other" handles keep their case and are compared so.
    value = normalize_identity(IdentityKind.OTHER, handle)
    lowered = [k for k in services.HANDLE_KINDS if k != IdentityKind.OTHER]
    match = Q(kind__in=lowered, value=value.lower()) | Q(
        kind=IdentityKind.OTHER, value__iexact=value
    )
    return PersonIdentity.objects.for_org(org).filter(match).values("person")


@router.post("/people", response={201: PersonOut}, summary="Add a person or an agent")
def create_person(request, payload: PersonIn):
    """A person whose e-mail (or one of whose addresses or handles) already names someone
    of the organization is refused with 409 naming them: one human is one person."""
    org = org_of(request)
    data = payload.model_dump()
    kind, owner_id = data.pop("kind"), data.pop("owner_id")
    if kind == PersonKind.AGENT and data.pop("invite"):
        raise ServiceError(
            "An agent never signs in, so it is not invited.",
            fields={"invite": ["Only for a person."]},
        )
    if data["email"]:
        existing = queries.find_person(org, email=data["email"])
        if existing is not None:
            raise Conflict(f"{data['email']} belongs to {existing.name} (person {existing.pk}).")
    if kind == PersonKind.AGENT:
        owner = ref(Person.objects.for_org(org), owner_id, "owner_id", "person")
        identities = {k: data.pop(k) for k in ("emails", "handles")}
        with body_fields(owner="owner_id"), transaction.atomic():
            person = services.add_agent(org, actor_of(request), owner=owner, **data)
            if any(identities.values()):
                person = services.update_person(org, actor_of(request), person, **identities)
    else:
        if owner_id is not None:
            raise ServiceError(
                "Only an agent has an owner.", fields={"owner_id": ["Only for kind agent."]}
            )
        person = services.add_person(org, actor_of(request), **data)
    return Status(201, person)


@router.post(
    "/people/{person_id}/invite", response=InvitationOut, summary="E-mail a person an invitation"
)
def invite_person(request, person_id: Id):
    """Queue the invitation e-mail (sent by the worker, through the delivery path that
    sends every notice): the organization, who invited them, the address they sign in with
    and a one-time link to choose their password, with when it stops working. Admins only;
    refused for someone who has signed in since being added, without an e-mail address, an
    agent or deactivated, when the server sends no e-mail (`email_not_configured`), and
    again within a minute (`just_invited`)."""
    org = org_of(request)
    person = get_or_404(Person.objects.for_org(org).select_related("user"), person_id, "person")
    sent = services.send_invitation(org, actor_of(request), person)
    return {
        "person_id": person.pk,
        "email": sent["email"],
        "signs_in_with": sent["signs_in_with"],
        "expires_at": sent["expires_at"],
    }


@router.get("/people/{person_id}", response=PersonOut, summary="Get a person")
def get_person(request, person_id: Id):
    return get_or_404(Person.objects.for_org(org_of(request)), person_id, "person")


@router.patch(
    "/people/{person_id}", response=PersonOut, summary="Change a person", auth=OWN_SETTINGS
)
def update_person(request, person_id: Id, payload: PersonPatch):
    org = org_of(request)
    person = get_or_404(Person.objects.for_org(org), person_id, "person")
    data = _patch_data(payload)
    if "owner_id" in data:
        data["owner"] = ref(Person.objects.for_org(org), data.pop("owner_id"), "owner_id", "person")
    with body_fields(owner="owner_id"):
        return services.update_person(
            org, actor_of(request), person, expected_version=if_match(request), **data
        )


@router.post("/people/{person_id}/pause", response=PersonOut, summary="Pause an agent")
def pause_agent(request, person_id: Id):
    """Its tokens are refused from the next request on (403 `agent_paused`). Its owner or
    an admin may pause and resume it."""
    org = org_of(request)
    agent = get_or_404(Person.objects.for_org(org), person_id, "person")
    return services.pause_agent(org, actor_of(request), agent)


@router.post("/people/{person_id}/resume", response=PersonOut, summary="Resume a paused agent")
def resume_agent(request, person_id: Id):
    org = org_of(request)
    agent = get_or_404(Person.objects.for_org(org), person_id, "person")
    return services.resume_agent(org, actor_of(request), agent)


def _token_holder(request, person_id: int) -> Person:
    """The person whose tokens are asked for: yourself, or an agent you may manage; an
    admin also sees and revokes anyone's."""
    from accord.org.permissions import can_manage_agent

    org, me = org_of(request), actor_of(request)
    person = get_or_404(Person.objects.for_org(org), person_id, "person")
    if person.pk == me.pk or can_manage_agent(me, person):
        return person
    if not me.has_role(Role.ADMIN):
        raise PermissionDenied("Only the person themself, or an admin, may see their tokens.")
    return person


@router.get("/people/{person_id}/tokens", response=list[TokenOut], summary="List tokens")
@paginate
def list_tokens(request, person_id: Id):
    """Your own tokens, or those of an agent you own (admins: anyone's)."""
    person = _token_holder(request, person_id)
    return ApiToken.objects.for_org(org_of(request)).filter(person=person).order_by("-id")


TOKENS_FROM_A_SESSION = (
    "Tokens cannot be created with a token: sign in and create one under the menu under "
    "your name → API tokens (an agent's, on its page under People), so that a token that "
    "leaks cannot make more that outlive its revocation."
)


@router.post("/people/{person_id}/tokens", include_in_schema=False, auth=OWN_SETTINGS)
def create_token(request, person_id: Id):
    """Refused (403), whatever the body: every call here is made with a token, and tokens
    are created only by someone signed in, under the menu under their name → *API tokens*
    (an agent's, on its page), so a leaked token cannot make more that outlive its
    revocation. Listing and revoking tokens stay open to a token."""
    get_or_404(Person.objects.for_org(org_of(request)), person_id, "person")
    raise PermissionDenied(TOKENS_FROM_A_SESSION)


@router.delete(
    "/people/{person_id}/tokens/{token_id}",
    response={204: None},
    summary="Revoke a token",
    auth=OWN_SETTINGS,
)
def revoke_token(request, person_id: Id, token_id: Id):
    person = _token_holder(request, person_id)
    org = org_of(request)
    token = get_or_404(ApiToken.objects.for_org(org).filter(person=person), token_id, "token")
    tokens.revoke_token(org, actor_of(request), token)
    return Status(204, None)


@router.delete(
    "/people/{person_id}",
    response={204: None},
    summary="Deactivate a person (their history is kept)",
)
def deactivate_person(request, person_id: Id):
    org = org_of(request)
    person = get_or_404(Person.objects.for_org(org), person_id, "person")
    services.update_person(org, actor_of(request), person, is_active=False)
    return Status(204, None)


@router.post(
    "/people/{person_id}/handover",
    response=HandoverOut,
    summary="Hand all of a person's open work to someone else",
)
def hand_over(request, person_id: Id, payload: HandoverIn):
    """What *Hand on their work* on the person's page does (`accord.org.leaving.hand_over`),
    before or after they leave: the lead of the teams `person_id` leads (once they left:
    those they led until then, without a lead since), every open action item, objective,
    key result and initiative they own, the active cadences they run and the undecided
    decisions they approve or drive go to `to_id`, in one transaction, each through its
    own app's service (its rules and its event). What an app refuses (a viewer owns no
    cadence, leads no team…) stays and is listed in `not_handed` with why; the
    receiver is told once (notice `work_handed_to_you`). Leaders and admins only, never an
    agent (403); an unknown `to_id`, the person themself or someone deactivated is a 422
    on `to_id`, and nothing changes."""
    org, actor = org_of(request), actor_of(request)
    person = get_or_404(Person.objects.for_org(org), person_id, "person")
    # The rights first, whatever the body says (as `leaving.hand_over` checks them).
    permissions.require_role(actor, Role.LEADER, "hand someone's work on")
    permissions.refuse_agent_actor(actor, "hand someone's work on")
    to = ref(Person.objects.for_org(org), payload.to_id, "to_id", "person")
    with body_fields(to="to_id"):
        done = leaving.hand_over(org, actor, person, to)
    return {
        "person_id": person.pk,
        "to_id": to.pk,
        "count": done.count,
        "handed": [
            {"kind": kind, "label": f"{len(names)} {label}", "ids": ids, "names": names}
            for (label, names), (kind, ids) in zip(done.handed, done.handed_ids, strict=True)
        ],
        "not_handed": [{"name": name, "reason": why} for name, why in done.refused],
    }


# --- memberships -------------------------------------------------------------------------


@router.get("/memberships", response=list[MembershipOut], summary="List memberships")
@paginate(BoundedCountPagination)  # 130,000 at 10,000 teams: counted to a limit
def list_memberships(
    request,
    team_id: Id | None = None,
    person_id: Id | None = None,
    terms: Literal["current", "past", "all"] = "current",
    include_inactive: bool = False,
):
    """Current terms; `terms=past` the ended ones (a team's history), `terms=all` both.
    The terms of deactivated people only with `include_inactive` (as the people list and
    the team pages count them)."""
    qs = Membership.terms.for_org(org_of(request)).order_by("id")
    if not include_inactive:
        qs = qs.filter(person__is_active=True)
    if terms == "current":
        qs = qs.current()
    elif terms == "past":
        qs = qs.past()
    if team_id is not None:
        qs = qs.filter(team_id=team_id)
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    return qs


@router.post("/memberships", response={201: MembershipOut}, summary="Add a person to a team")
def create_membership(request, payload: MembershipIn):
    org = org_of(request)
    person = ref(Person.objects.for_org(org), payload.person_id, "person_id", "person")
    team = ref(Team.objects.for_org(org), payload.team_id, "team_id", "team")
    with body_fields(person="person_id", team="team_id"):
        membership = services.add_membership(
            org,
            actor_of(request),
            person=person,
            team=team,
            role=payload.role,
            allocation=payload.allocation
            if "allocation" in payload.model_fields_set
            else services.NOT_GIVEN,
            started_on=payload.started_on,
            ended_on=payload.ended_on,
        )
    return Status(201, membership)


@router.get("/memberships/{membership_id}", response=MembershipOut, summary="Get a membership")
def get_membership(request, membership_id: Id):
    """A current or past term."""
    return get_or_404(Membership.terms.for_org(org_of(request)), membership_id, "membership")


@router.post(
    "/memberships/{membership_id}/end", response=MembershipOut, summary="End a term in a team"
)
def end_term(request, membership_id: Id, payload: EndTermIn | None = None):
    """The term is kept as a past term (the team's history) and no longer counts as
    membership; the person may start a new term later."""
    org = org_of(request)
    membership = get_or_404(Membership.objects.for_org(org), membership_id, "membership")
    on = payload.ended_on if payload else None
    return services.end_term(org, actor_of(request), membership, on=on)


@router.patch(
    "/memberships/{membership_id}",
    response=MembershipOut,
    summary="Change the role, allocation or start of a current term",
)
def update_membership(request, membership_id: Id, payload: MembershipPatch):
    org = org_of(request)
    membership = get_or_404(Membership.terms.for_org(org), membership_id, "membership")
    return services.update_membership(
        org,
        actor_of(request),
        membership,
        expected_version=if_match(request),
        **_patch_data(payload),
    )


@router.delete(
    "/memberships/{membership_id}",
    response={204: None},
    summary="Delete a term as if it never was (to keep it as history, end it)",
)
def delete_membership(request, membership_id: Id):
    org = org_of(request)
    membership = get_or_404(Membership.terms.for_org(org), membership_id, "membership")
    services.remove_membership(org, actor_of(request), membership)
    return Status(204, None)


# --- links between teams -----------------------------------------------------------------


@router.get("/team-links", response=list[TeamLinkOut], summary="List links between teams")
@paginate
def list_team_links(
    request,
    team_id: Id | None = None,
    from_team_id: Id | None = None,
    to_team_id: Id | None = None,
    kind: TeamLinkKind | None = None,
):
    """`team_id` gives the links from or to that team."""
    qs = TeamLink.objects.for_org(org_of(request)).order_by("id")
    if team_id is not None:
        qs = qs.filter(Q(from_team_id=team_id) | Q(to_team_id=team_id))
    if from_team_id is not None:
        qs = qs.filter(from_team_id=from_team_id)
    if to_team_id is not None:
        qs = qs.filter(to_team_id=to_team_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


@router.post(
    "/team-links",
    response={201: TeamLinkOut},
    summary="Link two teams (kind stakeholder: to_team is a stakeholder of from_team)",
)
def create_team_link(request, payload: TeamLinkIn):
    org = org_of(request)
    teams = Team.objects.for_org(org)
    from_team = ref(teams, payload.from_team_id, "from_team_id", "team")
    to_team = ref(teams, payload.to_team_id, "to_team_id", "team")
    person = None
    if payload.person_id is not None:
        person = ref(Person.objects.for_org(org), payload.person_id, "person_id", "person")
    with body_fields(from_team="from_team_id", to_team="to_team_id", person="person_id"):
        link = services.link_teams(
            org, actor_of(request), from_team, to_team, payload.kind, person=person
        )
    return Status(201, link)


@router.get("/team-links/{link_id}", response=TeamLinkOut, summary="Get a link between teams")
def get_team_link(request, link_id: Id):
    return get_or_404(TeamLink.objects.for_org(org_of(request)), link_id, "team link")


@router.delete("/team-links/{link_id}", response={204: None}, summary="Unlink two teams")
def delete_team_link(request, link_id: Id):
    org = org_of(request)
    link = get_or_404(
        TeamLink.objects.for_org(org).select_related("from_team", "to_team"), link_id, "team link"
    )
    services.unlink_teams(org, actor_of(request), link.from_team, link.to_team, link.kind)
    return Status(204, None)
