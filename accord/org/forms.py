from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accord.core import dates, timezones
from accord.core.security import account_username
from accord.core.services import LONG_TEXT_MAX
from accord.org.models import (
    ROLE_RANK,
    IdentityKind,
    MembershipRole,
    Person,
    Role,
    Team,
    TeamKind,
    TeamRole,
    TeamState,
)
from accord.org.queries import current_teams
from accord.org.services import NOT_GIVEN
from accord.web import pickers

LIVE_TEAM_STATES = (TeamState.FORMING, TeamState.ACTIVE, TeamState.ADVISORY)


def timezone_choices() -> list[tuple[str, str]]:
    """The time zones people may choose (Area/Location, and UTC: `timezones.places`), for a
    select: the zone's name is the value, the country, place and current offset from UTC
    the label ("India · Kolkata (UTC+05:30)": `timezones.choices`). Read from the zone
    database on first use (it takes most of a second, paid otherwise by every process at
    start-up), the labels made again each hour (offsets change with daylight saving)."""
    return timezones.choices(timezone.now())


class TimezoneField(forms.ChoiceField):
    """A select of the time zones people may choose. A zone the object has from before that
    is not one of them (EST) is offered too, so saving the form for something else keeps
    it. The services check what is chosen (`validate_timezone`): another name of the zone
    database (EST, sent by hand) is refused there, naming the zone usually meant, and shown
    selected beside that error (never silently replaced by the list's first zone)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Time zone")
        super().__init__(choices=timezone_choices, **kwargs)

    def get_bound_field(self, form, field_name):
        sent = form.data.get(form.add_prefix(field_name)) if form.is_bound else None
        for zone in dict.fromkeys(z for z in (form.initial.get(field_name), sent) if z):
            if not super().valid_value(zone):
                self.choices = [(zone, zone), *self.choices]
        return super().get_bound_field(form, field_name)

    def valid_value(self, value) -> bool:
        return bool(value)  # the services say why a zone is refused


LINK_FIELDS = ("website", "repository", "chat", "mailing_list")


def _link(label: str, placeholder: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=500,
        required=False,
        help_text=help_text,
        widget=forms.TextInput(attrs={"placeholder": placeholder, "autocomplete": "off"}),
    )


class TeamForm(forms.Form):
    """A team's name, place in the tree, kind, state, mission and links. The state offers
    forming, active and advisory; retiring and reactivating are buttons on the team page."""

    name = forms.CharField(max_length=200)
    parent = pickers.TeamChoiceField(
        queryset=Team.objects.none(), required=False, empty_label="— none (top level) —"
    )
    kind = forms.ModelChoiceField(
        queryset=TeamKind.objects.none(),
        required=False,
        empty_label="— no kind —",
        to_field_name="slug",
        help_text="The organization's list of kinds is kept in its settings.",
    )
    state = forms.ChoiceField(
        choices=[(s.value, s.label) for s in LIVE_TEAM_STATES],
        initial=TeamState.ACTIVE,
        required=False,  # left out: unchanged (a new team is active)
    )
    mission = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
        help_text="Why the team exists, in a sentence or two.",
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=LONG_TEXT_MAX
    )
    website = _link("Web page", "https://…", "The team's own page.")
    repository = _link("Repository", "https://github.com/…", "Where its code or documents live.")
    chat = _link("Chat channel", "#team-channel or https://…", "A channel name or its address.")
    mailing_list = _link(
        "Mailing list", "team@example.com or https://…", "An address or its archive's page."
    )

    def __init__(self, *args, org, team: Team | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The team itself stays a choice, refused by `clean_parent`: an invalid choice would
        # come back empty, and saving that again made the team a second top-level team.
        self.team = team
        self.fields["parent"].queryset = current_teams(org)
        self.fields["kind"].queryset = TeamKind.objects.for_org(org).order_by("name")
        if team is not None and team.is_retired:
            del self.fields["state"]  # reactivate from the team page

    def clean_parent(self):
        parent = self.cleaned_data.get("parent")
        if parent is not None and self.team is not None and parent.pk == self.team.pk:
            raise forms.ValidationError(
                "A team cannot sit under itself; choose the team it belongs to."
            )
        return parent

    def clean(self):
        data = super().clean()
        if not data.get("state"):
            data.pop("state", None)
        return data

    def link_fields(self):
        return [self[name] for name in LINK_FIELDS]

    def main_fields(self):
        return [f for f in self.visible_fields() if f.name not in LINK_FIELDS]


class TeamKindForm(forms.Form):
    name = forms.CharField(max_length=100, label="Name")


class TeamRoleForm(TeamKindForm):
    pass


# What each organization role may do (accord.org.permissions and the apps' checks), one
# line a role, where a role is chosen: not to be confused with a role in a team (a lead).
ROLE_LINES = {
    Role.VIEWER: "reads everything and changes nothing but their own settings.",
    Role.MEMBER: "check-ins, action items, issues, decisions, and any team's objectives, "
    "key results and initiatives; a lead of a team also manages its members.",
    Role.LEADER: "also the team tree (add, move, retire teams), every team's members, and "
    "the organization's objectives and periods.",
    Role.ADMIN: "also people, their roles and sign-in, and the organization's settings.",
}


def role_help(roles=tuple(Role), first: str = "") -> str:
    """The help text of an organization-role field: `first`, then a line per role."""
    lines = format_html_join(
        "", "<br><strong>{}</strong>: {}", ((Role(r).label, ROLE_LINES[r]) for r in roles)
    )
    return format_html("{}{}", first or "What they may do in Accord.", lines)


class PersonForm(forms.Form):
    name = forms.CharField(max_length=200)
    email = forms.EmailField(required=False)
    title = forms.CharField(max_length=200, required=False)
    role = forms.ChoiceField(
        choices=Role.choices, initial=Role.MEMBER, label="Organization role", help_text=role_help()
    )
    timezone = TimezoneField(initial="UTC")


class PersonEditForm(PersonForm):
    """An admin's edit of a person: also whether they are still active."""

    is_active = forms.BooleanField(
        required=False,
        label="Active",
        help_text="Clear it when someone leaves: they can no longer open the organization, their "
        "tokens and calendar address stop, their agents pause, and their current terms in "
        "teams end today. Their history stays; tick it again to bring them back (add them to "
        "teams again).",
    )
    # A box left clear is not sent at all: this says the box was on the form, so only a
    # form that showed it can deactivate anyone (not a post made without it).
    active_shown = forms.CharField(widget=forms.HiddenInput, initial="1", required=False)

    def clean(self):
        data = super().clean()
        if not data.pop("active_shown", ""):
            data.pop("is_active", None)
        return data


class IdentityForm(forms.Form):
    """One more address or handle for a person."""

    kind = forms.ChoiceField(choices=IdentityKind.choices, initial=IdentityKind.EMAIL)
    value = forms.CharField(
        max_length=254, label="Address or handle", help_text="e.g. ada@home.example or ada"
    )


AGENT_ROLES = [(r.value, r.label) for r in (Role.VIEWER, Role.MEMBER, Role.LEADER)]


class AgentForm(forms.Form):
    """An agent: an AI assistant or an automation, with the person accountable for it.
    Only admins choose an owner other than themselves (`can_choose_owner`)."""

    name = forms.CharField(max_length=200, help_text="e.g. Release bot")
    title = forms.CharField(
        max_length=200, required=False, label="What it does", help_text="e.g. Posts release notes"
    )
    owner = pickers.HumanChoiceField(
        queryset=Person.objects.none(), help_text="The person accountable for what it does."
    )
    role = forms.ChoiceField(
        choices=AGENT_ROLES,
        initial=Role.MEMBER,
        label="Organization role",
        help_text=role_help(
            (Role.VIEWER, Role.MEMBER, Role.LEADER),
            "What it may do; never wider than its owner's, and an agent is never an admin.",
        ),
    )
    timezone = TimezoneField(initial="UTC")

    def __init__(self, *args, org, can_choose_owner: bool, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owner is not None:  # its owner known: never a role wider than theirs
            self.fields["role"].choices = [
                (value, label)
                for value, label in AGENT_ROLES
                if ROLE_RANK[Role(value)] <= ROLE_RANK[Role(owner.role)]
            ]
        if can_choose_owner:
            self.fields["owner"].queryset = (
                Person.objects.for_org(org).filter(is_active=True).exclude(kind="agent")
            )
        else:
            del self.fields["owner"]


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Where it is used, e.g. CI pipeline")
    scope = forms.ChoiceField(
        choices=[
            ("read", "Read only"),
            ("report", "Report progress: check-ins, key-result values, status of what it owns"),
            ("member", "Everything the agent's role allows"),
        ],
        initial="report",
    )


class ProfileForm(forms.Form):
    """What people who are not admins may change about themselves."""

    name = forms.CharField(max_length=200)
    title = forms.CharField(max_length=200, required=False)
    timezone = TimezoneField(initial="UTC")


def team_role_choices(org) -> list[tuple[str, str]]:
    return list(TeamRole.objects.for_org(org).order_by("name").values_list("slug", "name"))


class MembershipEditForm(forms.Form):
    role = forms.ChoiceField(choices=(), initial=MembershipRole.MEMBER)
    allocation = forms.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        label="Allocation %",
        help_text="Leave empty when unknown (e.g. a volunteer).",
    )
    started_on = dates.DateField(
        required=False, label="Since", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, org, roles: list[tuple[str, str]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = team_role_choices(org) if roles is None else roles


# A new term's allocation field: empty is "not given" (`services.default_allocation`).
NEW_TERM_ALLOCATION_HELP = (
    "Leave empty for 100% when this is their first team, or unknown when they are already "
    "in a team; change it later on the team page (emptied there, it is unknown). A share "
    "given is refused if it would make more than 100% in all."
)


class _NewTermForm(MembershipEditForm):
    """A new current term: an empty allocation is not given (`services.NOT_GIVEN`), which
    the services decide and never refuse."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allocation"].help_text = NEW_TERM_ALLOCATION_HELP

    def clean_allocation(self):
        value = self.cleaned_data.get("allocation")
        return NOT_GIVEN if value is None else value


class MembershipForm(_NewTermForm):
    person = pickers.PersonChoiceField(queryset=Person.objects.none())
    field_order = ("person", "role", "allocation", "started_on")

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, org=org, **kwargs)
        self.fields["person"].queryset = Person.objects.for_org(org).filter(is_active=True)


class JoinTeamForm(_NewTermForm):
    """A person's page: put them in a team (one of `teams`, those the actor may add
    members to), through the same service as the team page's "Add a member"."""

    team = pickers.TeamChoiceField(queryset=Team.objects.none())
    field_order = ("team", "role", "allocation", "started_on")

    def __init__(self, *args, org, teams, **kwargs):
        kwargs.setdefault("auto_id", "id_join_%s")
        super().__init__(*args, org=org, **kwargs)
        self.fields["team"].queryset = teams


class EndTermForm(forms.Form):
    ended_on = dates.DateField(
        required=False, label="Ended on", widget=forms.DateInput(attrs={"type": "date"})
    )


class VacancyForm(forms.Form):
    role = forms.ChoiceField(choices=(), initial=MembershipRole.LEAD, label="Open position")
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, org, roles: list[tuple[str, str]] | None = None, **kwargs):
        kwargs.setdefault("auto_id", "id_vacancy_%s")  # beside the membership form's role
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = team_role_choices(org) if roles is None else roles


class SignInForm(AuthenticationForm):
    """Sign-in by e-mail address, in any case and with stray spaces around it.

    Accounts are named by their address; one stored with capitals is still found, so the
    password check (and django-axes' lockout, which counts the normalized address) sees
    the account's own name."""

    username = forms.CharField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": (
            "Please enter a correct email and password. The password is case-sensitive."
        ),
    }

    def clean_username(self) -> str:
        return account_username(self.cleaned_data.get("username"))


INVITE_HELP = (
    "The invitation e-mail names your organization and you, and carries a link to choose "
    "a password, which works once."
)


class NewPersonForm(PersonForm):
    """Add a person: and, with an address, e-mail them an invitation (when e-mail is set
    up: `email_configured`)."""

    team = pickers.TeamChoiceField(
        queryset=Team.objects.none(), required=False, help_text="Optional: their first team."
    )
    role_in_team = forms.ChoiceField(
        choices=(),
        initial=MembershipRole.MEMBER,
        required=False,  # only with a team; left out, they are its member
        label="Role in the team",
        help_text="With a team: the role they hold in it (full time; change it on the team).",
    )
    invite = forms.BooleanField(
        required=False, label="Send an invitation e-mail", help_text=INVITE_HELP
    )

    def __init__(self, *args, org, email_configured: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = current_teams(org)
        self.fields["role_in_team"].choices = team_role_choices(org)
        if email_configured:
            self.fields["invite"].initial = True
        else:
            del self.fields["invite"]


class InvitePeopleForm(forms.Form):
    """A bulk invitation: a pasted list of people, the role they get, a team to put them in
    and whether to e-mail each an invitation."""

    people = forms.CharField(
        label="People",
        max_length=60_000,
        widget=forms.Textarea(
            attrs={
                "rows": 12,
                "spellcheck": "false",
                "placeholder": "Ada Lovelace <ada@example.com>\n"
                "grace@example.com\nAlan Turing, alan@example.com",
            }
        ),
        help_text='One a line: "Name <address>", "Name, address" or the address alone '
        "(its name is made from the address). Pasted spreadsheet columns (name, then "
        "address) do too. At most 200 at a time.",
    )
    role = forms.ChoiceField(
        choices=Role.choices, initial=Role.MEMBER, label="Organization role", help_text=role_help()
    )
    team = pickers.TeamChoiceField(
        queryset=Team.objects.none(), required=False, help_text="Optional: a team to add them to."
    )
    role_in_team = forms.ChoiceField(
        choices=(),
        initial=MembershipRole.MEMBER,
        required=False,  # only with a team; left out, they are its members
        label="Role in the team",
        help_text="With a team: the role they hold in it.",
    )
    send = forms.BooleanField(
        required=False, label="Send each an invitation e-mail", help_text=INVITE_HELP
    )

    def __init__(self, *args, org, email_configured: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = current_teams(org)
        self.fields["role_in_team"].choices = team_role_choices(org)
        if email_configured:
            self.fields["send"].initial = True
        else:
            del self.fields["send"]

    def clean_role_in_team(self) -> str:
        return self.cleaned_data.get("role_in_team") or MembershipRole.MEMBER
