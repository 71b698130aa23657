"""Organizations (tenants), people, the team tree and memberships."""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import F
from django.db.models.functions import Lower


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    timezone = models.CharField(
        max_length=64,
        default="UTC",
        db_default="UTC",
        help_text="The time zone new people start with (each may change theirs).",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrgScopedQuerySet(models.QuerySet):
    def for_org(self, org: Organization) -> OrgScopedQuerySet:
        return self.filter(org=org)


class OrgScoped(models.Model):
    """Base for everything that belongs to an organization: every query is scoped by `org`."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE)

    objects = OrgScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    MEMBER = "member", "Member"
    LEADER = "leader", "Leader"
    ADMIN = "admin", "Admin"


ROLE_RANK = {Role.VIEWER: 0, Role.MEMBER: 1, Role.LEADER: 2, Role.ADMIN: 3}


class PersonKind(models.TextChoices):
    PERSON = "person", "Person"
    AGENT = "agent", "Agent"


# The neutral name a forgotten person is known by (`accord.org.forget.label_of`).
FORGOTTEN_NAME = re.compile(r"Former (member|agent) #\d+")


class Person(OrgScoped):
    """Someone in an organization; linked to a login user when they can sign in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    title = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    timezone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    # An agent (an AI assistant or an automation) acts only through API tokens and always
    # has a human owner in the same organization who is accountable for what it does.
    kind = models.CharField(
        max_length=10, choices=PersonKind.choices, default=PersonKind.PERSON, db_default="person"
    )
    owner = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agents",
        help_text="The person accountable for an agent.",
    )
    paused_at = models.DateTimeField(
        null=True, blank=True, help_text="While set, the agent's tokens are refused."
    )
    # When they last signed in to this organization (`activity.signins.landed`: the first
    # page of it a new session opened), not their login's last sign-in, which any of the
    # organizations they are in counts.
    last_signed_in = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "people"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "user"],
                condition=models.Q(user__isnull=False),
                name="person_one_per_user_and_org",
            ),
            # A person has no owner; an agent has one and no login.
            models.CheckConstraint(
                condition=models.Q(kind="person", owner__isnull=True, paused_at__isnull=True)
                | models.Q(kind="agent", owner__isnull=False, user__isnull=True),
                name="person_agent_has_owner_and_no_login",
            ),
        ]
        indexes = [
            # By name; is_active too, so a search for active people by name reads the index only.
            models.Index(fields=["org", "name", "is_active"], name="person_by_name"),
            # The people list cut by role ("who are the admins?"), by name.
            models.Index(fields=["org", "role", "name"], name="person_by_role"),
            # A person's agents, by name. Of agents only: the owner index of every row is
            # nearly all empty owners, so SQLite's statistics took an owner for a thousand
            # people and read the organization by name instead (250 ms a person's page).
            models.Index(
                fields=["owner", "name"],
                condition=models.Q(owner__isnull=False),
                name="person_agents_by_owner",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def first_name(self) -> str:
        """What a sentence calls them: their first name; an agent's whole name ("Release
        bot", never "Release") and a forgotten person's ("Former member #12")."""
        if self.kind == PersonKind.AGENT or FORGOTTEN_NAME.fullmatch(self.name):
            return self.name
        return self.name.split(" ", 1)[0]

    @property
    def is_agent(self) -> bool:
        return self.kind == PersonKind.AGENT

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


# What a new organization starts with; each organization edits its own list.
DEFAULT_TEAM_KINDS = (
    ("department", "Department"),
    ("team", "Team"),
    ("sig", "Special-interest group"),
    ("working-group", "Working group"),
    ("committee", "Committee"),
    ("guild", "Guild"),
)


class TeamKind(OrgScoped):
    """A kind of team an organization uses (department, working group, guild…)."""

    slug = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "slug"], name="team_kind_slug_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamState(models.TextChoices):
    FORMING = "forming", "Forming"
    ACTIVE = "active", "Active"
    ADVISORY = "advisory", "Advisory"
    RETIRED = "retired", "Retired"


class TeamQuerySet(OrgScopedQuerySet):
    def current(self) -> TeamQuerySet:
        """Teams that are not retired (forming, active or advisory): the one filter behind
        every active list, picker, health roll-up and the dependency map. A retired team
        stays readable on its own page, in history and in search."""
        return self.exclude(state=TeamState.RETIRED)


class Team(OrgScoped):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.RESTRICT, related_name="children"
    )
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    kind = models.ForeignKey(
        TeamKind, null=True, blank=True, on_delete=models.PROTECT, related_name="teams"
    )
    state = models.CharField(
        max_length=10, choices=TeamState.choices, default=TeamState.ACTIVE, db_default="active"
    )
    retired_on = models.DateField(null=True, blank=True)
    mission = models.TextField(blank=True, default="", db_default="")
    # Where the team lives elsewhere: structured, so pages and files can link them.
    website = models.URLField(max_length=500, blank=True, default="", db_default="")
    repository = models.URLField(max_length=500, blank=True, default="", db_default="")
    chat = models.CharField(max_length=500, blank=True, default="", db_default="")
    mailing_list = models.CharField(max_length=500, blank=True, default="", db_default="")

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "slug"], name="team_slug_unique_in_org"),
            # A retired team has the date it retired; any other has none.
            models.CheckConstraint(
                condition=models.Q(state="retired", retired_on__isnull=False)
                | (~models.Q(state="retired") & models.Q(retired_on__isnull=True)),
                name="team_retired_on_iff_retired",
            ),
        ]
        indexes = [
            models.Index(fields=["org", "name"], name="team_by_name"),  # directory, pickers
            models.Index(fields=["org", "state"], name="team_by_state"),  # retired teams
            # A name another team has, in any case (`services._check_team_name`).
            models.Index(F("org"), Lower("name"), name="team_by_lower_name"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_retired(self) -> bool:
        return self.state == TeamState.RETIRED

    @property
    def links(self) -> list[tuple[str, str, str]]:
        """(label, shown text, address) for each link the team has, in a fixed order."""
        out = []
        for field, label in TEAM_LINK_FIELDS:
            value = getattr(self, field)
            if value:
                out.append((label, value, link_href(field, value)))
        return out


TEAM_LINK_FIELDS = (
    ("website", "Web page"),
    ("repository", "Repository"),
    ("chat", "Chat channel"),
    ("mailing_list", "Mailing list"),
)


def link_href(field: str, value: str) -> str:
    """Where a team link points: a mailing list given as an address becomes `mailto:`;
    a chat channel given by name (#platform) has no address."""
    if value.startswith(("https://", "http://")):
        return value
    if field == "mailing_list" and "@" in value:
        return f"mailto:{value}"
    return ""


class MembershipRole(models.TextChoices):
    """The role keys the product itself relies on: `lead`, the role a new lead or open
    position gets, and `member`. Who leads a team is `LEADING_ROLES`; the rest of an
    organization's roles are its own list (`TeamRole`)."""

    LEAD = "lead", "Lead"
    MEMBER = "member", "Member"


# What a new organization starts with; each organization edits its own list.
DEFAULT_TEAM_ROLES = (
    ("lead", "Lead"),
    ("co-lead", "Co-lead"),
    ("chair", "Chair"),
    ("member", "Member"),
    ("liaison", "Liaison"),
)


DEFAULT_ROLE_NAMES = dict(DEFAULT_TEAM_ROLES)
# The roles that lead a team: lead, co-lead and chair (a guild led by its chair, a working
# group by its chairs). Each has a lead's rights (change the team, its members), notices,
# briefings and place ("Led by", the lead's home, the "no lead" signal); other roles
# (member, liaison, and roles an organization adds) don't. Keys: an organization may have
# removed some from its own list. Ask `Membership.objects.leading()`, `LEADING` (a `Q` on
# a membership), `is_leading_role` or `leading_sql`, never `role == "lead"`.
LEADING_ROLES = ("lead", "co-lead", "chair")
LEADING = models.Q(role__in=LEADING_ROLES)


def is_leading_role(role: str) -> bool:
    """Whether a role key leads its team (see `LEADING_ROLES`)."""
    return role in LEADING_ROLES


def leading_first() -> models.Case:
    """An ordering of terms that puts those in a leading role first: `order_by(
    leading_first(), "person__name")`."""
    return models.Case(models.When(LEADING, then=0), default=1)


def leading_sql(column: str) -> tuple[str, list[str]]:
    """`LEADING` in raw SQL: ("m.role IN (%s, %s, %s)", its parameters) for `column`."""
    return f"{column} IN ({', '.join(['%s'] * len(LEADING_ROLES))})", list(LEADING_ROLES)


class TeamRole(OrgScoped):
    """A role a member can hold in a team (lead, chair, member…), from the organization's
    own list. The keys of `LEADING_ROLES` lead the team and grant team-admin rights."""

    slug = models.SlugField(max_length=40)
    name = models.CharField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["org", "slug"], name="team_role_slug_unique_in_org"),
        ]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(OrgScopedQuerySet):
    def current(self) -> MembershipQuerySet:
        """Terms that have not ended: the one filter behind "who is in this team" for rights,
        pickers, load, health, briefings and every list. `Membership.objects` applies it;
        `Membership.terms` reads past terms too (a team's history of leads)."""
        return self.filter(ended_on__isnull=True)

    def past(self) -> MembershipQuerySet:
        return self.filter(ended_on__isnull=False)

    def in_current_teams(self) -> MembershipQuerySet:
        """Memberships of teams that are not retired (see `TeamQuerySet.current`)."""
        return self.exclude(team__state=TeamState.RETIRED)

    def leading(self) -> MembershipQuerySet:
        """Terms in a role that leads the team (`LEADING_ROLES`): a team's leads, the teams
        someone leads."""
        return self.filter(LEADING)


class CurrentMembershipManager(models.Manager.from_queryset(MembershipQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> MembershipQuerySet:
        return super().get_queryset().current()


class Membership(OrgScoped):
    """A person's term in a team with a role. A term with `ended_on` is past: kept for the
    team's history, but no longer counts as membership anywhere."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=40, default=MembershipRole.MEMBER)
    allocation = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        default=100,
        help_text="Share of the person's time given to this team, in percent; empty if unknown.",
    )
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    objects = CurrentMembershipManager()  # current terms only: the default everywhere
    terms = MembershipQuerySet.as_manager()  # current and past terms

    class Meta:
        ordering = ["team__name", "person__name"]
        default_manager_name = "objects"
        constraints = [
            # One current term per person and team; any number of past ones.
            models.UniqueConstraint(
                fields=["person", "team"],
                condition=models.Q(ended_on__isnull=True),
                name="membership_once",
            ),
            models.CheckConstraint(
                condition=models.Q(allocation__lte=100), name="membership_allocation_max_100"
            ),
            models.CheckConstraint(
                condition=models.Q(started_on__isnull=True)
                | models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="membership_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["team", "ended_on"], name="membership_terms"),
            # The organization's current (or past) terms by role, counted off the index
            # alone: the roles page read all 133,000 terms of a 10,000-team organization
            # twice (70 ms), the API's count of memberships too.
            models.Index(fields=["org", "ended_on", "role"], name="membership_roles"),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.team}"

    @property
    def is_past(self) -> bool:
        return self.ended_on is not None

    @property
    def is_leading(self) -> bool:
        """Whether this term leads the team: lead, co-lead or chair (`LEADING_ROLES`)."""
        return is_leading_role(self.role)

    def get_role_display(self) -> str:
        """The role's default name, or its key made readable; pages that list many terms
        use the organization's own names (`queries.team_role_names`)."""
        return DEFAULT_ROLE_NAMES.get(self.role) or self.role.replace("-", " ").capitalize()


class TeamVacancy(OrgScoped):
    """An open position: the team wants someone in `role` (e.g. "Lead: position open").
    Adding a member with that role fills it."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="vacancies")
    role = models.CharField(max_length=40)
    since = models.DateField()
    note = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "team vacancies"
        ordering = ["team__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["team", "role"], name="team_vacancy_once"),
        ]

    def __str__(self) -> str:
        return f"{self.role} of {self.team}: position open"


class TeamLinkKind(models.TextChoices):
    STAKEHOLDER = "stakeholder", "Stakeholder"
    LIAISON = "liaison", "Liaison"


class TeamLink(OrgScoped):
    """A relation between two teams, e.g. a SIG that is a stakeholder of a working group:
    `from_team` (the working group) has `to_team` (the SIG) as a stakeholder. A liaison link
    names the `person`, a member of `from_team`, who represents it to `to_team`."""

    from_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="links_out")
    to_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(
        max_length=20, choices=TeamLinkKind.choices, default=TeamLinkKind.STAKEHOLDER
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="liaisons"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["from_team__name", "to_team__name", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["from_team", "to_team", "kind"], name="team_link_once"),
            models.CheckConstraint(
                condition=~models.Q(from_team=models.F("to_team")), name="team_link_not_self"
            ),
            # A liaison link names its person; no other kind does.
            models.CheckConstraint(
                condition=models.Q(kind="liaison", person__isnull=False)
                | (~models.Q(kind="liaison") & models.Q(person__isnull=True)),
                name="team_link_person_iff_liaison",
            ),
        ]

    def __str__(self) -> str:
        if self.kind == TeamLinkKind.LIAISON:
            return f"{self.person} is liaison of {self.from_team} to {self.to_team}"
        return f"{self.to_team} is {self.get_kind_display().lower()} of {self.from_team}"


class IdentityKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    GITHUB = "github", "GitHub"
    GITLAB = "gitlab", "GitLab"
    SLACK = "slack", "Slack"
    MATRIX = "matrix", "Matrix"
    IRC = "irc", "IRC"
    OTHER = "other", "Other"


def normalize_identity(kind: str, value: str) -> str:
    """An address or handle as Accord stores and matches it: e-mail addresses lower-cased,
    handles without a leading `@`; handles on GitHub, GitLab, Slack, Matrix and IRC are
    case-insensitive there, so lower-cased too."""
    value = (value or "").strip()
    if kind != IdentityKind.EMAIL:
        value = value.lstrip("@")
    if kind != IdentityKind.OTHER:
        value = value.lower()
    return value


class PersonIdentity(OrgScoped):
    """Another way to recognise a person: an extra e-mail address or a handle elsewhere
    (chat, code host, IRC). `Person.email` stays the primary address; importers, the API
    and sign-in match a person by that address or by any of these."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=10, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "person identities"
        ordering = ["kind", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["org", "kind", "value"], name="person_identity_once_in_org"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.value}"
