"""Team directory, team and person pages, and the forms that change them."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Count, F, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from accord.core import background, timezones
from accord.core.errors import PermissionDenied, ServiceError
from accord.org import forget, invitations, leaving, permissions, queries, services
from accord.org.forms import (
    AgentForm,
    EndTermForm,
    IdentityForm,
    InvitePeopleForm,
    JoinTeamForm,
    MembershipEditForm,
    MembershipForm,
    NewPersonForm,
    PersonEditForm,
    ProfileForm,
    TeamForm,
    TeamKindForm,
    TeamRoleForm,
    TokenForm,
    VacancyForm,
    team_role_choices,
)
from accord.org.models import (
    LEADING_ROLES,
    Membership,
    Person,
    PersonIdentity,
    Role,
    Team,
    TeamKind,
    TeamLink,
    TeamLinkKind,
    TeamRole,
    TeamState,
    TeamVacancy,
    leading_first,
)
from accord.org.queries import current_teams
from accord.web import panels, pickers
from accord.web.helpers import (
    change_and_redirect,
    flash_error,
    form_error,
    int_or_none,
    keep_once,
    org_view,
    own_profile,
    own_settings,
    pages_of,
    paginate,
    paginate_uncounted,
    take_once,
)
from accord.web.templatetags.dates import day, weekday_moment
from accord.web.views import history_for
from accord.web.work import work_of


@org_view
def teams(request):
    """The directory: the top of the tree (expandable a level at a time), a team's
    sub-teams (`?parent=slug`, a page of them), the teams whose name matches `?q=` (retired
    ones too, marked), or the retired teams (`?state=retired`). Retired teams are left out
    of the tree."""
    org = request.org
    q = request.GET.get("q", "").strip()[:100]
    parent_slug = request.GET.get("parent", "").strip()
    context = {"q": q, "can_edit": permissions.can_edit_tree(request.person), "parent": None}
    if request.GET.get("state") == "retired":
        page = paginate(request, queries.retired_teams(org), per_page=queries.LIST_PAGE)
        context.update(rows=_nodes(org, page), page=page, searching=True, retired=True)
    elif q:
        page = paginate(request, queries.find_teams(org, q), per_page=queries.LIST_PAGE)
        context.update(rows=_nodes(org, page), page=page, searching=True)
    elif parent_slug:
        parent = get_object_or_404(Team.objects.for_org(org), slug=parent_slug)
        depth = min(max(int_or_none(request.GET.get("depth")) or 0, 0), 1000)
        page = paginate(request, queries.sub_teams(org, parent), per_page=queries.LIST_PAGE)
        context.update(rows=_nodes(org, page, depth), page=page, parent=parent, depth=depth)
        if request.headers.get("HX-Request"):
            return render(request, "org/_team_rows.html", {**context, "fragment": True})
    else:
        context["rows"] = queries.directory_top(org)
        context["retired_count"] = queries.retired_teams(org).count()
    return render(request, "org/teams.html", context)


def _nodes(org, page, depth: int = 0) -> list[queries.TreeNode]:
    teams = list(page)
    leads = queries.lead_names(org, [t.id for t in teams])
    return [
        queries.TreeNode(team=t, depth=depth, member_count=t.n_members, lead_names=leads[t.id])
        for t in teams
    ]


@org_view
def team_detail(request, team_slug: str):
    """A team: its leads, the first screen of its members, sub-teams and stakeholder links
    (each linking to the rest), the pillars' panels and its history."""
    org = request.org
    team = get_object_or_404(
        Team.objects.for_org(org).select_related("parent", "kind"), slug=team_slug
    )
    if request.method == "POST":
        return _team_links_post(request, team)
    return _team_page(request, team)


def _team_page(request, team: Team, membership_form: MembershipForm | None = None):
    """The team's page; `membership_form`: a refused new member, shown again as typed with
    the errors beside its fields (answered 422)."""
    org = request.org
    can_link = permissions.can_edit_tree(request.person)
    # A retired team takes no member, open position or new link (the services refuse
    # them): its page offers none of those forms, and says how to reactivate it.
    can_add = not team.is_retired
    rows = queries.TEAM_PAGE_ROWS
    # By the team (already this organization's), so SQLite takes the team's index.
    links = TeamLink.objects.select_related("from_team", "to_team")
    stakeholders = list(
        links.filter(from_team=team, kind=TeamLinkKind.STAKEHOLDER).order_by("to_team__name")[
            : rows + 1
        ]
    )
    stakeholder_of = list(
        links.filter(to_team=team, kind=TeamLinkKind.STAKEHOLDER).order_by("from_team__name")[
            : rows + 1
        ]
    )
    liaisons = list(
        links.filter(Q(from_team=team) | Q(to_team=team), kind=TeamLinkKind.LIAISON)
        .select_related("person")
        .order_by("from_team__name", "to_team__name")[: rows + 1]
    )
    roles = team_role_choices(org)  # the forms' choices and the names shown, one query
    role_names = dict(roles)
    # Who works in the team: a deactivated person's term stays until ended, unlisted.
    members = Membership.objects.for_org(org).filter(team=team, person__is_active=True)
    # Those who lead it first (so "Led by" has them all), then by role and name.
    memberships = list(
        members.select_related("person__owner").order_by(leading_first(), "role", "person__name")[
            :rows
        ]
    )
    past_terms = list(
        Membership.terms.filter(team=team)
        .past()
        .select_related("person")
        .order_by("-ended_on", "person__name")[: rows + 1]
    )
    for m in (*memberships, *past_terms):
        m.role_name = role_names.get(m.role, m.role)
    vacancies = list(TeamVacancy.objects.filter(team=team).order_by("role"))
    for v in vacancies:
        v.role_name = role_names.get(v.role, v.role)
    can_manage = permissions.can_manage_team(request.person, team)
    # Whose terms the history tells (at most 500): the current, then the latest ended.
    terms = list(
        Membership.terms.filter(team=team)
        .order_by(F("ended_on").desc(nulls_first=True), "-id")
        .values_list("id", flat=True)[:500]
    )
    children = list(Team.objects.for_org(org).filter(parent=team).order_by("name", "id")[:rows])
    # The pillars' panels give a team with sub-teams its figures with the teams below it.
    queries.note_sub_teams(team, bool(children))
    return render(
        request,
        "org/team_detail.html",
        {
            "page_path": reverse("org:team", kwargs={"org_slug": org.slug, "team_slug": team.slug}),
            "team": team,
            "breadcrumbs": queries.ancestors(org, team),
            # Lead, co-lead, chair, by name as the directory lists them (the template
            # names the role when it is not "Lead").
            "leads": sorted(
                (m for m in memberships if m.is_leading), key=lambda m: (m.person.name, m.pk)
            ),
            "memberships": memberships,
            # Counted only when the first screen is full: most teams fit on it.
            "member_count": len(memberships) if len(memberships) < rows else members.count(),
            "past_terms": past_terms[:rows],
            "more_past_terms": len(past_terms) > rows,
            "vacancies": vacancies,
            "children": children,
            # current sub-teams, as the directory counts them; retired ones said apart
            **_child_counts(org, team, children, rows),
            # The team's own changes and its members' terms (started, changed, ended).
            "history": history_for(
                org,
                "org.team",
                team.id,
                also=("org.membership", terms),
            ),
            "can_edit_tree": permissions.can_edit_tree(request.person),
            # What deleting it would meet (its history refuses it; the rest goes with it).
            "deletion": leaving.team_deletion(org, team) if can_link and not children else None,
            "can_manage": can_manage,
            "membership_form": membership_form
            or (MembershipForm(org=org, roles=roles) if can_manage and can_add else None),
            "vacancy_form": VacancyForm(org=org, roles=roles) if can_manage and can_add else None,
            "stakeholders": stakeholders[:rows],
            "more_stakeholders": len(stakeholders) > rows,
            "stakeholder_of": stakeholder_of[:rows],
            "more_stakeholder_of": len(stakeholder_of) > rows,
            "liaisons": liaisons[:rows],
            "more_liaisons": len(liaisons) > rows,
            "can_link": can_link,
            "link_form": TeamLinkForm(org=org, team=team) if can_link and can_add else None,
            "panels": panels.collect("team", request, team),
        },
        status=422 if membership_form is not None else 200,
    )


class TeamLinkForm(forms.Form):
    to_team = pickers.TeamChoiceField(queryset=Team.objects.none(), label="Team")
    kind = forms.ChoiceField(choices=TeamLinkKind.choices, initial=TeamLinkKind.STAKEHOLDER)
    person = pickers.PersonChoiceField(
        queryset=Person.objects.none(),
        required=False,
        label="Liaison",
        help_text="For a liaison: the member of this team who represents it to the other.",
    )

    def __init__(self, *args, org, team, **kwargs):
        kwargs.setdefault("auto_id", "id_link_%s")  # the team page has other person pickers
        super().__init__(*args, **kwargs)
        self.fields["to_team"].queryset = current_teams(org).exclude(pk=team.pk)
        self.fields["person"].queryset = Person.objects.for_org(org).filter(
            memberships__team=team, memberships__ended_on__isnull=True
        )


def _team_links_post(request, team: Team):
    """The team page's own forms: add a stakeholder team, or remove a link of this team."""
    org = request.org
    if request.POST.get("action") == "unlink":
        link = get_object_or_404(
            TeamLink.objects.for_org(org)
            .filter(Q(from_team=team) | Q(to_team=team))
            .select_related("from_team", "to_team"),
            pk=request.POST.get("link") or 0,
        )
        try:
            services.unlink_teams(org, request.person, link.from_team, link.to_team, link.kind)
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"Removed: {link}.")
    else:
        form = TeamLinkForm(request.POST, org=org, team=team)
        if form.is_valid():
            try:
                link = services.link_teams(
                    org,
                    request.person,
                    team,
                    form.cleaned_data["to_team"],
                    form.cleaned_data["kind"],
                    person=form.cleaned_data.get("person"),
                )
            except ServiceError as exc:
                flash_error(request, exc)
            else:
                messages.success(request, f"{link}.")
        else:
            _require(
                permissions.can_edit_tree(request.person),
                "Only someone with the Leader or Admin role may link teams.",
            )
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
    return redirect("org:team", org_slug=org.slug, team_slug=team.slug)


@org_view
def team_new(request):
    org = request.org
    _require(
        permissions.can_edit_tree(request.person),
        "Only someone with the Leader or Admin role may change the team tree.",
    )
    initial = {}
    parent_slug = request.GET.get("parent")
    if parent_slug:
        initial["parent"] = Team.objects.for_org(org).filter(slug=parent_slug).first()
    form = TeamForm(request.POST or None, org=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.create_team(org, request.person, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"Team {team.name} created.")
            return redirect("org:team", org_slug=org.slug, team_slug=team.slug)
    return render(request, "org/team_form.html", {"form": form, "team": None})


@org_view
def team_edit(request, team_slug: str):
    org = request.org
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    _require(
        permissions.can_edit_tree(request.person),
        "Only someone with the Leader or Admin role may change the team tree.",
    )
    form = TeamForm(
        request.POST or None,
        org=org,
        team=team,
        initial={
            "name": team.name,
            "parent": team.parent,
            "description": team.description,
            "kind": team.kind,
            "state": team.state,
            "mission": team.mission,
            **{name: getattr(team, name) for name in services.TEAM_LINKS},
        },
    )
    if request.method == "POST" and form.is_valid():
        old_name, old_parent = team.name, team.parent
        try:
            saved = services.update_team(
                org,
                request.person,
                team,
                expected_version=int_or_none(request.POST.get("version")),
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _team_saved(old_name, old_parent, saved))
            return redirect("org:team", org_slug=org.slug, team_slug=saved.slug)
    return render(request, "org/team_form.html", {"form": form, "team": team})


def _team_saved(old_name: str, old_parent: Team | None, team: Team) -> str:
    """What saving a team's form did, in its new name: renamed, moved (from where to
    where), or just saved."""
    said = [f"Team {team.name} saved"]
    if team.name != old_name:
        said = [f"Team {old_name} is now {team.name}"]
    if team.parent_id != (old_parent.pk if old_parent else None):
        was = old_parent.name if old_parent else "the top of the tree"
        now = team.parent.name if team.parent else "the top of the tree"
        said.append(f"moved from {was} to {now}")
    return ", ".join(said) + "."


@org_view
@own_settings
@require_POST
def time_zone_elsewhere(request):
    """Give my time zone here to my profile in each of my other organizations (the
    settings page's "Use … there too"), recorded in each."""
    me = request.person
    try:
        changed = services.share_timezone(me)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(
            request,
            f"Your time zone is {me.timezone} in {', '.join(p.org.name for p in changed)} too."
            if changed
            else f"Your time zone was {me.timezone} in your other organizations already.",
        )
    return redirect(
        reverse("rhythm:settings", kwargs={"org_slug": request.org.slug}) + "#time-zone"
    )


@org_view
@require_POST
def team_delete(request, team_slug: str):
    org = request.org
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    return change_and_redirect(
        request,
        lambda: services.delete_team(org, request.person, team),
        f"Team {team.name} deleted.",
        reverse("org:teams", kwargs={"org_slug": org.slug}),
        failed=_team_url(org, team),
    )


@org_view
def team_retire(request, team_slug: str):
    """GET: what retiring the team leaves behind (members, open work, dependencies both
    ways, cadences), and the button that retires it; POST: retire it."""
    org = request.org
    team = get_object_or_404(Team.objects.for_org(org).select_related("parent"), slug=team_slug)
    if request.method != "POST":
        _require(
            permissions.can_edit_tree(request.person),
            "Only someone with the Leader or Admin role may retire a team.",
        )
        if team.is_retired:
            return redirect(_team_url(org, team))
        return render(
            request,
            "org/team_retire.html",
            {
                "team": team,
                "breadcrumbs": queries.ancestors(org, team),
                "leaves": leaving.team_leaves(org, team),
            },
        )
    ended = leaving.team_members(team).count()
    done = f"{team.name} is retired; its history stays here."
    if ended:
        done += f" The terms of its {ended} member{'s' if ended != 1 else ''} ended."
    return change_and_redirect(
        request,
        lambda: services.retire_team(org, request.person, team, on=request.POST.get("on") or None),
        done,
        _team_url(org, team),
    )


@org_view
@require_POST
def team_reactivate(request, team_slug: str):
    org = request.org
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    return change_and_redirect(
        request,
        lambda: services.reactivate_team(org, request.person, team),
        f"{team.name} is active again. The terms that ended when it retired stay ended: "
        "add the members it needs.",
        _team_url(org, team),
    )


@org_view
@require_POST
def membership_add(request, team_slug: str):
    org = request.org
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    _require(
        permissions.can_manage_team(request.person, team),
        f"Only someone with the Leader or Admin role, or a lead of {team.name}, may change "
        "its members.",
    )
    form = MembershipForm(request.POST, org=org)
    if form.is_valid():
        try:
            m = services.add_membership(org, request.person, team=team, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{m.person.name} added to {team.name}.")
            return redirect("org:team", org_slug=org.slug, team_slug=team.slug)
    messages.error(request, "Nobody was added; see the form below.")
    return _team_page(request, team, membership_form=form)


@org_view
def membership_edit(request, membership_id: int):
    org = request.org
    membership = get_object_or_404(
        Membership.objects.for_org(org).select_related("person", "team"), pk=membership_id
    )
    _require(
        permissions.can_manage_team(request.person, membership.team),
        f"Only someone with the Leader or Admin role, or a lead of {membership.team.name}, may "
        "change its members.",
    )
    form = MembershipEditForm(
        request.POST or None,
        org=org,
        initial={
            "role": membership.role,
            "allocation": membership.allocation,
            "started_on": membership.started_on,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_membership(
                org,
                request.person,
                membership,
                expected_version=int_or_none(request.POST.get("version")),
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Membership saved.")
            return redirect("org:team", org_slug=org.slug, team_slug=membership.team.slug)
    return render(request, "org/membership_form.html", {"form": form, "membership": membership})


@org_view
@require_POST
def membership_end(request, membership_id: int):
    """End a current term: it moves to the team's past terms."""
    org = request.org
    membership = get_object_or_404(
        Membership.objects.for_org(org).select_related("person", "team"), pk=membership_id
    )
    form = EndTermForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(" ".join(e for errs in form.errors.values() for e in errs))
        m = services.end_term(org, request.person, membership, on=form.cleaned_data["ended_on"])
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(
            request, f"{m.person.name}'s term in {m.team.name} ended on {day(m.ended_on)}."
        )
    return redirect("org:team", org_slug=org.slug, team_slug=membership.team.slug)


@org_view
@require_POST
def vacancy_open(request, team_slug: str):
    org = request.org
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    form = VacancyForm(request.POST, org=org)
    try:
        if not form.is_valid():
            raise ServiceError(" ".join(e for errs in form.errors.values() for e in errs))
        services.open_vacancy(org, request.person, team, **form.cleaned_data)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"{team.name} now shows the open position.")
    return redirect("org:team", org_slug=org.slug, team_slug=team.slug)


@org_view
@require_POST
def vacancy_close(request, vacancy_id: int):
    org = request.org
    vacancy = get_object_or_404(
        TeamVacancy.objects.for_org(org).select_related("team"), pk=vacancy_id
    )
    try:
        services.close_vacancy(org, request.person, vacancy)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, "Open position closed.")
    return redirect("org:team", org_slug=org.slug, team_slug=vacancy.team.slug)


@org_view
@require_POST
def membership_remove(request, membership_id: int):
    org = request.org
    membership = get_object_or_404(
        Membership.terms.for_org(org).select_related("person", "team"), pk=membership_id
    )
    return change_and_redirect(
        request,
        lambda: services.remove_membership(org, request.person, membership),
        f"{membership.person.name} removed from {membership.team.name}.",
        _team_url(org, membership.team),
    )


@org_view
def people(request):
    """Everyone, a page of 50 at a time; `?q=` searches names, e-mails and titles, and
    finds a person by any of their addresses and handles; `?team=slug` keeps a team's
    members. Admins also see when each last signed in, and `?signed_in=never` keeps the
    people who have not signed in since they were added (with when they were invited)."""
    org = request.org
    can_manage = permissions.can_manage_people(request.person)
    # Admins may look at who was deactivated (to bring someone back); others see who is in.
    inactive = can_manage and request.GET.get("show") == "deactivated"
    qs = Person.objects.for_org(org).filter(is_active=not inactive)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        qs = qs.filter(
            queries.people_matching(org, q) | Q(email__icontains=q) | Q(title__icontains=q)
        )
    role = request.GET.get("role", "")
    role = role if role in Role.values else ""
    if role:
        qs = qs.filter(role=role)
    # Sign-ins are for admins to read (as on the Activity page's accounts).
    never = can_manage and request.GET.get("signed_in") == "never"
    if never:
        qs = qs.filter(invitations.never_signed_in())
    team = None
    team_slug = request.GET.get("team", "").strip()
    if team_slug:
        team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
        qs = qs.filter(memberships__team=team, memberships__ended_on__isnull=True)
    qs = qs.select_related("owner").order_by("name", "id")
    if q or team or inactive or role or never:
        page = paginate(request, qs, per_page=queries.LIST_PAGE)
        page_count = page.paginator.num_pages
    else:  # everyone: as many as home's headcount says, not a count of 100,000 each view
        page = paginate_uncounted(request, qs, queries.LIST_PAGE)
        counts = queries.headcount(org)
        # (a figure kept from before agents were counted apart has no "agents")
        page_count = pages_of(counts["people"] + counts.get("agents", 0), page)
    queries.people_page(org, page)
    if can_manage:
        _sign_ins(org, page)
    filters = {
        "q": q,
        "team": team.slug if team else "",
        "role": role,
        "show": "deactivated" if inactive else "",
        "signed_in": "never" if never else "",
    }
    template = "org/_people_rows.html" if request.headers.get("HX-Request") else "org/people.html"
    return render(
        request,
        template,
        {
            "page": page,
            "page_count": page_count,
            "q": q,
            "team": team,
            "role": role,
            "roles": Role.choices,
            "inactive": inactive,
            "never": never,
            # the filters in force, for the pager's links
            "filters": urlencode({k: v for k, v in filters.items() if v}),
            "can_manage": can_manage,
            "can_add_agent": _can_add_agent(request.person),
        },
    )


def _sign_ins(org, page) -> None:
    """Set `last_sign_in` (to this organization) and, for those without one, `invited`
    ({"at", "by", "by_link"} of their latest invitation: an e-mail or a sign-in link) on a
    page of people: one query."""
    for p in page:
        p.last_sign_in = invitations.last_sign_in(p)
    waiting = [p.pk for p in page if p.last_sign_in is None and not p.is_agent]
    invited = invitations.invited_on(org, waiting)
    for p in page:
        p.invited = invited.get(p.pk)


def _can_add_agent(me: Person) -> bool:
    return me.is_active and not me.is_agent and me.has_role("member")


@org_view
def person_detail(request, person_id: int):
    # A sign-in link or an agent's token just made is shown once, here.
    person = int(person_id)
    return _person_page(
        request,
        person_id,
        new_token=take_once(request, "token", person=person),
        sign_in_link=take_once(request, "sign_in_link", person=person),
    )


def _person_page(
    request,
    person_id: int,
    new_token: str | None = None,
    sign_in_link: str | None = None,
    join_form: JoinTeamForm | None = None,
):
    """The person's page; `join_form`: a refused "Add to a team", shown again as typed
    with its errors (answered 422)."""
    org = request.org
    person = get_object_or_404(
        Person.objects.for_org(org).select_related("owner", "user"), pk=person_id
    )
    if join_form is None and person.is_active:
        teams = permissions.teams_to_manage(org, request.person)
        if teams.exists():
            join_form = JoinTeamForm(org=org, teams=teams)
    terms = queries.person_terms(org, person)
    can_manage = permissions.can_manage_people(request.person)
    # Admins see when they last signed in, else how their invitation (e-mail or sign-in
    # link) went.
    invitation = invitations.state_of(org, person) if can_manage and not person.is_agent else None
    # A link is offered to admins while password sign-in is on; not for someone whose login
    # is also another organization's: its password is theirs, the page says how they get in.
    can_link = (
        can_manage
        and settings.ACCORD_PASSWORD_SIGNIN
        and person.is_active
        and not person.is_agent
        and bool(person.email or person.user_id)
    )
    own_login = can_link and services.signs_in_with_own_login(org, person)
    total = terms.allocation_total  # unknown shares count for nothing
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "memberships": terms.current,
            "membership_count": terms.current_count,
            "past_terms": terms.past,
            "more_past_terms": terms.past_more,
            "allocation_total": total,
            # Not known while a share is unknown: the page says so rather than a number.
            "allocation_free": None if terms.allocation_unknown else max(0, 100 - total),
            "allocation_unknown": terms.allocation_unknown,
            # Without the other addresses and handles `request.person` may not see.
            "history": history_for(org, "org.person", person.id, viewer=request.person),
            # What they own and what waits on them: anyone who may see the page may see it.
            "work": work_of(org, person, request.person),
            "can_manage": permissions.can_manage_people(request.person),
            "can_edit": permissions.can_edit_person(request.person, person),
            "can_hand_over": permissions.can_edit_tree(request.person) and not person.is_agent,
            # Their other addresses and handles: not for viewers, nor (but for admins) of
            # someone deactivated.
            "identities": list(person.identities.all())
            if permissions.can_see_identities(request.person, person)
            else [],
            "can_edit_identities": permissions.can_edit_identities(request.person, person),
            # only admins add one (imports and single sign-on know people by them)
            "can_add_identities": permissions.can_manage_people(request.person)
            and person.is_active,
            "identity_form": IdentityForm(auto_id="identity_%s"),
            # Only admins (who can lift it) and the person themself see a lockout.
            "sign_in_lock": queries.sign_in_lock(person)
            if permissions.can_manage_people(request.person) or request.person == person
            else None,
            # One just made is shown here, once.
            "can_link": can_link and not own_login,
            "own_login": services.own_login_note(person) if own_login else "",
            "sign_in_link": sign_in_link,
            "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            "invitation": invitation,
            # An invitation e-mail (or another) for someone not signed in since added.
            "can_invite": invitation is not None
            and not invitation.accepted
            and person.is_active
            and bool(person.email),
            "email_configured": invitations.email_configured(),
            "join_form": join_form,
            **_agent_context(request, person, new_token),
        },
        status=422 if join_form is not None and join_form.is_bound else 200,
    )


@org_view
@require_POST
def person_join_team(request, person_id: int):
    """Put the person in a team from their page: the team page's "Add a member", from the
    other side (the same service and rule: leaders, admins, and a team's own leads)."""
    org = request.org
    person = get_object_or_404(Person.objects.for_org(org), pk=person_id)
    teams = permissions.teams_to_manage(org, request.person)
    _require(
        teams.exists(),
        "Only someone with the Leader or Admin role, or a lead of the team, may add members.",
    )
    form = JoinTeamForm(request.POST, org=org, teams=teams)
    if form.is_valid():
        data = dict(form.cleaned_data)
        team = data.pop("team")
        try:
            services.add_membership(org, request.person, person=person, team=team, **data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{person.name} added to {team.name}.")
            return redirect("org:person", org_slug=org.slug, person_id=person.pk)
    messages.error(request, f"{person.name} was not added to a team; see the form below.")
    return _person_page(request, person.pk, join_form=form)


def _agent_context(request, person: Person, new_token: str | None = None) -> dict:
    """An agent's owner, state and tokens (for whoever manages it); a person's agents."""
    from accord.api.models import ApiToken

    if not person.is_agent:
        agents = list(
            Person.objects.for_org(request.org).filter(owner=person).order_by("name", "id")[:50]
        )
        return {"agents": agents}
    manage = permissions.can_manage_agent(request.person, person)
    return {
        "can_manage_agent": manage,
        "tokens": list(ApiToken.objects.for_org(request.org).filter(person=person)[:50])
        if manage
        else [],
        "token_form": TokenForm() if manage else None,
        "new_token": new_token,
    }


@org_view
def agent_new(request):
    """Add an agent: admins for anyone, members and leaders for themselves."""
    org, me = request.org, request.person
    _require(_can_add_agent(me), "Only members and above may add an agent.")
    can_choose = permissions.can_manage_people(me)
    form = AgentForm(
        request.POST or None,
        org=org,
        can_choose_owner=can_choose,
        owner=None if can_choose else me,  # theirs: its role is at most the owner's
        initial={"timezone": queries.new_person_timezone(org, me)},
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner", None) or me
        try:
            agent = services.add_agent(org, me, owner=owner, **data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request, f"{agent.name} added, on behalf of {owner.name}. Create its token below."
            )
            return redirect("org:person", org_slug=org.slug, person_id=agent.pk)
    return render(request, "org/agent_form.html", {"form": form, "person": None})


def _managed_agent(request, person_id: int) -> Person:
    agent = get_object_or_404(
        Person.objects.for_org(request.org).select_related("owner"), pk=person_id
    )
    _require(
        permissions.can_manage_agent(request.person, agent),
        "Only an agent's owner or an admin may manage it.",
    )
    return agent


@org_view
@require_POST
def agent_pause(request, person_id: int):
    org = request.org
    agent = _managed_agent(request, person_id)
    if request.POST.get("action") == "resume":
        change, done = services.resume_agent, f"{agent.name} resumed: its tokens work again."
    else:
        change = services.pause_agent
        done = f"{agent.name} paused: its tokens are refused until you resume it."
    return change_and_redirect(
        request, lambda: change(org, request.person, agent), done, _person_url(org, agent)
    )


@org_view
def agent_tokens(request, person_id: int):
    """Create a token for an agent or revoke one. The answer is a redirect to the agent's
    page, which shows a new token once: a reload there makes no second token. Opened (a
    bookmark, Back), this address is the agent's page."""
    from accord.api import services as tokens
    from accord.api.models import ApiToken

    org, me = request.org, request.person
    if request.method != "POST":
        agent = get_object_or_404(Person.objects.for_org(org), pk=person_id)
        return redirect(_person_url(org, agent))
    agent = _managed_agent(request, person_id)
    if request.POST.get("action") == "revoke":
        token = get_object_or_404(
            ApiToken.objects.for_org(org).filter(person=agent), pk=request.POST.get("token") or 0
        )
        try:
            tokens.revoke_token(org, me, token)
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"Token “{token.name}” revoked.")
        return redirect("org:person", org_slug=org.slug, person_id=agent.pk)
    form = TokenForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("org:person", org_slug=org.slug, person_id=agent.pk)
    try:
        token, raw = tokens.create_token(
            org, agent, form.cleaned_data["name"], scope=form.cleaned_data["scope"], actor=me
        )
    except ServiceError as exc:
        flash_error(request, exc)
        return redirect("org:person", org_slug=org.slug, person_id=agent.pk)
    messages.success(request, f"Token “{token.name}” created. Copy it now: it is shown once.")
    keep_once(request, "token", raw, person=agent.pk)
    return redirect("org:person", org_slug=org.slug, person_id=agent.pk)


@org_view
@require_POST
def person_unlock(request, person_id: int):
    """An admin lifts the sign-in lockout on a person of their organization."""
    org = request.org
    person = get_object_or_404(Person.objects.for_org(org), pk=person_id)
    return change_and_redirect(
        request,
        lambda: services.unlock_sign_in(org, request.person, person),
        f"{person.name} can sign in again.",
        _person_url(org, person),
    )


@org_view
def person_forget(request, person_id: int):
    """GET: what forgetting a deactivated person erases and what it keeps, and the button
    (behind a box to tick) that does it; POST: forget them (`services.forget_person`).
    Admins only."""
    org = request.org
    person = get_object_or_404(Person.objects.for_org(org), pk=person_id)
    _require(permissions.can_manage_people(request.person), "Only an admin may forget someone.")
    if request.method == "POST":
        if not request.POST.get("confirm"):
            messages.error(request, "Tick the box to confirm: forgetting cannot be undone.")
            return redirect("org:person_forget", org_slug=org.slug, person_id=person.pk)
        name = person.name
        return change_and_redirect(
            request,
            lambda: services.forget_person(org, request.person, person),
            f"{name} is forgotten: their personal data is erased, and what they did reads "
            "as theirs under a neutral name.",
            _person_url(org, person),
            failed=reverse(
                "org:person_forget", kwargs={"org_slug": org.slug, "person_id": person.pk}
            ),
        )
    return render(
        request,
        "org/person_forget.html",
        {
            "person": person,
            "label": forget.label_of(person),
            "forgotten": forget.is_forgotten(org, person),
        },
    )


@org_view
def person_sign_in_link(request, person_id: int):
    """An admin makes a one-time link for the person to choose their password (shown once,
    to send them): an invitation, or a way back in after a lost password. The answer is a
    redirect to the person's page, which shows the link once (kept in the session until
    then): a reload there does not post again, and so makes no newer link that would
    replace the one just copied. Opened (a bookmark), this address is the person's page."""
    org = request.org
    person = get_object_or_404(Person.objects.for_org(org), pk=person_id)
    if request.method != "POST":
        return redirect(_person_url(org, person))
    try:
        made = services.sign_in_link(org, request.person, person)
    except ServiceError as exc:
        flash_error(request, exc)
        return redirect(_person_url(org, person))
    # Always a link, told alike whatever it opens (a password to choose, or a join link for
    # the holder of an existing login); the page does not say which.
    link = request.build_absolute_uri(made)
    keep_once(request, "sign_in_link", link, person=person.pk)
    return redirect(_person_url(org, person))


@org_view
@require_POST
def person_identities(request, person_id: int):
    """Add an address or handle to a person (action add), or remove one (action remove)."""
    org = request.org
    person = get_object_or_404(Person.objects.for_org(org), pk=person_id)
    _require(
        permissions.can_edit_identities(request.person, person),
        "Only an admin or the person themself may change their addresses and handles.",
    )
    try:
        if request.POST.get("action") == "remove":
            identity = get_object_or_404(
                PersonIdentity.objects.for_org(org).filter(person=person),
                pk=int_or_none(request.POST.get("identity")) or 0,
            )
            services.remove_identity(org, request.person, identity)
            messages.success(request, f"{identity} removed.")
        else:
            form = IdentityForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    messages.error(request, " ".join(errors))
            else:
                identity = services.add_identity(org, request.person, person, **form.cleaned_data)
                messages.success(request, f"{identity} added.")
    except ServiceError as exc:
        flash_error(request, exc)
    return redirect("org:person", org_slug=org.slug, person_id=person.pk)


@org_view
def person_new(request):
    org = request.org
    _require(permissions.can_manage_people(request.person), "Only an admin may add people.")
    form = NewPersonForm(
        request.POST or None,
        org=org,
        initial={"timezone": queries.new_person_timezone(org, request.person)},
        email_configured=invitations.email_configured(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.add_person(org, request.person, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            team = form.cleaned_data.get("team")
            added = f"{person.name} added" + (f" to {team.name}" if team else "")
            if form.cleaned_data.get("invite"):
                messages.success(
                    request,
                    f"{added}; an invitation e-mail to {person.email} is queued for Accord's "
                    "worker to send.",
                )
                background.expect(request)
            else:
                messages.success(request, f"{added}.")
            return redirect("org:person", org_slug=org.slug, person_id=person.pk)
    return render(
        request,
        "org/person_form.html",
        {"form": form, "person": None, "email_configured": invitations.email_configured()},
    )


@org_view
@require_POST
def person_invite(request, person_id: int):
    """An admin e-mails someone who has not signed in yet their invitation (again)."""
    org = request.org
    person = get_object_or_404(Person.objects.for_org(org).select_related("user"), pk=person_id)
    try:
        sent = services.send_invitation(org, request.person, person)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        until = sent["expires_at"]
        background.expect(request)
        messages.success(
            request,
            f"Invitation e-mail to {sent['email']} queued for Accord's worker to send"
            + (
                f"; its link works until {weekday_moment(timezone.localtime(until))}."
                if until
                else "."
            ),
        )
    return redirect(_person_url(org, person))


@org_view
def people_invite(request):
    """Invite many people at once: paste them one a line, preview who will be added and
    who is here already, then confirm: everyone is added (to a team too, if chosen) and
    e-mailed an invitation, in one go. A line that cannot be read refuses the list."""
    org, me = request.org, request.person
    _require(permissions.can_manage_people(me), "Only an admin may invite people.")
    configured = invitations.email_configured()
    form = InvitePeopleForm(request.POST or None, org=org, email_configured=configured)
    preview, previewed, status = None, "", 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        team = data.get("team")
        choices = {
            "role": data["role"],
            "team": team,
            "role_in_team": data["role_in_team"],
            "send": bool(data.get("send")),
        }
        previewed = invitations.digest(
            data["people"],
            data["role"],
            team.pk if team else "",
            data["role_in_team"],
            choices["send"],
        )
        if request.POST.get("action") == "confirm" and request.POST.get("previewed") == previewed:
            try:
                done = services.invite_people(
                    org,
                    me,
                    data["people"],
                    timezone=queries.new_person_timezone(org, me),
                    **choices,
                )
            except ServiceError as exc:
                form_error(form, exc)
                status = 422
            else:
                messages.success(request, _invited_message(org, done, team, choices["send"]))
                if choices["send"] and done.new:
                    background.expect(request)  # told at once if no worker sends them
                return redirect(
                    reverse("org:people", kwargs={"org_slug": org.slug}) + "?signed_in=never"
                )
        else:
            if request.POST.get("action") == "confirm":
                messages.warning(request, "The list changed since its preview: check it again.")
            preview = invitations.plan(org, data["people"])
            for problem in preview.error_messages:
                form.add_error("people", problem)
            if not preview.errors and not (preview.new or preview.existing):
                form.add_error("people", "Nobody to add: paste one person a line.")
            if form.errors:
                preview, status = None, 422
    elif request.method == "POST":
        status = 422
    return render(
        request,
        "org/people_invite.html",
        {
            "form": form,
            "preview": preview,
            "previewed": previewed,
            "email_configured": configured,
            "link_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
            "role_name": dict(Role.choices).get(form.data.get("role"), ""),
        },
        status=status,
    )


# The people a bulk invitation added that its message names (and links), the rest counted.
INVITED_NAMED = 10


def _invited_message(org, done: invitations.Plan, team: Team | None, sent: bool) -> str:
    """Who was added (the first INVITED_NAMED by name, each a link to their page), where,
    and how they get in: invitation e-mails queued for the worker, or sign-in links."""
    added = [line.existing for line in done.new]
    where = f"{org.name} and to {team.name}" if team is not None and added else org.name
    text = format_html(
        "{} {} added to {}", len(added), "person" if len(added) == 1 else "people", where
    )
    if added:
        links = [
            format_html('<a href="{}">{}</a>', _person_url(org, p), p.name)
            for p in added[:INVITED_NAMED]
        ]
        if len(added) > len(links):
            links.append(format_html("{} more", len(added) - len(links)))
        text = format_html("{}: {}.", text, _and(links))
        if sent:
            mails = "Their invitation e-mails are" if len(added) > 1 else "The invitation e-mail is"
            text = format_html("{} {} queued for Accord's worker to send.", text, mails)
        else:
            text = format_html(
                "{} {}", text, "Make each a sign-in link on their page to let them in."
            )
    else:
        text = format_html("{}.", text)
    if done.existing:
        skipped = len(done.existing)
        text = format_html(
            "{} {} already here {} left as they are.",
            text,
            skipped,
            "was" if skipped == 1 else "were",
        )
    return text


def _and(parts: list) -> str:
    """`a`, `a and b`, `a, b and c` (of safe HTML parts)."""
    if len(parts) < 2:
        return parts[0] if parts else ""
    return format_html("{} and {}", mark_safe(", ".join(parts[:-1])), parts[-1])


@org_view
@own_profile
def person_edit(request, person_id: int):
    org = request.org
    person = get_object_or_404(Person.objects.for_org(org), pk=person_id)
    _require(
        permissions.can_edit_person(request.person, person),
        "Only an admin may change other people; you may change your own profile.",
    )
    # Admins change everything; everyone else (a viewer too) only their own name, title and
    # time zone; an agent's owner its name, what it does, role and time zone (admins its
    # owner too).
    form: forms.Form
    if person.is_agent:
        form = AgentForm(
            request.POST or None,
            org=org,
            can_choose_owner=permissions.can_manage_people(request.person),
            # Its owner changing it: never wider than theirs (an admin may change owners).
            owner=None if permissions.can_manage_people(request.person) else person.owner,
            initial={f: getattr(person, f) for f in AgentForm.base_fields},
        )
    else:
        form_class = (
            PersonEditForm if permissions.can_manage_people(request.person) else ProfileForm
        )
        form = form_class(
            request.POST or None,
            initial={f: getattr(person, f) for f in form_class.base_fields if hasattr(person, f)},
        )
    if request.method == "POST" and form.is_valid():
        was_active = person.is_active
        terms = Membership.objects.filter(person=person).count() if was_active else 0
        agents = was_active and Person.objects.filter(owner=person, paused_at=None).exists()
        try:
            person = services.update_person(
                org,
                request.person,
                person,
                expected_version=int_or_none(request.POST.get("version")),
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _saved_person(org, person, was_active, terms, agents))
            return redirect("org:person", org_slug=org.slug, person_id=person.pk)
    if person.is_agent:
        return render(request, "org/agent_form.html", {"form": form, "person": person})
    # What deactivating them would leave behind, for an admin to hand on first.
    leaves = (
        leaving.person_leaves(org, person)
        if person.is_active and permissions.can_manage_people(request.person)
        else None
    )
    # Someone deactivated may be forgotten, by an admin (`person_forget`), once.
    can_forget = (
        not person.is_active
        and permissions.can_manage_people(request.person)
        and not forget.is_forgotten(org, person)
    )
    return render(
        request,
        "org/person_form.html",
        {
            "form": form,
            "person": person,
            "leaves": leaves,
            "can_forget": can_forget,
            "zone_other_names": timezones.other_names() if person == request.person else None,
        },
    )


def _saved_person(org, person: Person, was_active: bool, terms: int, agents: bool) -> str:
    """What saving the edit form did: deactivating or reactivating someone says what
    follows from it (`services.update_person`), rather than "saved"."""
    if was_active and not person.is_active:
        if person.is_agent:
            return f"{person.name} is deactivated: its API tokens are revoked."
        ended = (
            f"their {terms} current term{pluralize(terms)} ended today"
            if terms
            else "they were in no team"
        )
        paused = ", their agents are paused" if agents else ""
        return (
            f"{person.name} is deactivated: they can no longer sign in to {org.name}, their "
            f"API tokens and calendar address are revoked{paused} and {ended}. The work "
            "they own keeps them as its owner until it is handed on."
        )
    if not was_active and person.is_active:
        return (
            f"{person.name} is active again and can sign in. Terms, tokens and calendar "
            "address ended on deactivation stay ended: add them to their teams here."
        )
    return f"{person.name} saved."


def _child_counts(org, team: Team, children: list[Team], rows: int) -> dict[str, int]:
    """(current, retired) sub-teams of `team`, from its first screen when it holds them all."""
    if len(children) < rows:
        retired = sum(1 for c in children if c.state == TeamState.RETIRED)
        return {"child_count": len(children) - retired, "retired_child_count": retired}
    counts = (
        Team.objects.for_org(org)
        .filter(parent=team)
        .aggregate(all=Count("id"), retired=Count("id", filter=Q(state=TeamState.RETIRED)))
    )
    return {
        "child_count": counts["all"] - counts["retired"],
        "retired_child_count": counts["retired"],
    }


def _org_list_page(
    request, *, model, form_class, field: str, noun: str, who: str, page: str, writes: dict
):
    """One of the organization's own lists (kinds of team, roles in teams): add, rename,
    remove through the services in `writes` (by action). Everyone reads it; admins change
    it. Returns a redirect, or None with the add form (bound, with its errors, after a
    refused add)."""
    org = request.org
    add_form = form_class(prefix="add")
    if request.method != "POST":
        return None, add_form
    _require(_can_change_lists(request), f"Only an admin may change the {who}.")
    action = request.POST.get("action")
    entry = None
    if action in ("rename", "remove"):
        entry = get_object_or_404(model.objects.for_org(org), pk=request.POST.get(field))
    write = writes.get(action)
    try:
        if action == "add":
            add_form = form_class(request.POST, prefix="add")
            if add_form.is_valid():
                entry = write(org, request.person, name=add_form.cleaned_data["name"])
                messages.success(request, f"{noun} {entry.name!r} added.")
                return redirect(page, org_slug=org.slug), add_form
        elif action == "rename" and entry is not None:
            old = entry.name
            entry = write(org, request.person, entry, request.POST.get("name", ""))
            messages.success(request, f"{old!r} is now called {entry.name!r}.")
            return redirect(page, org_slug=org.slug), add_form
        elif action == "remove" and entry is not None:
            write(org, request.person, entry)
            messages.success(request, f"{noun} {entry.name!r} removed.")
            return redirect(page, org_slug=org.slug), add_form
    except ServiceError as exc:
        if action != "add":
            flash_error(request, exc)
            return redirect(page, org_slug=org.slug), add_form
        form_error(add_form, exc)
    return None, add_form


def _can_change_lists(request) -> bool:
    return request.person is not None and request.person.has_role(Role.ADMIN)


@org_view
def team_kinds(request):
    """The organization's kinds of team: add, rename, remove (refused while teams use one).
    Everyone reads the list; admins change it."""
    done, add_form = _org_list_page(
        request,
        model=TeamKind,
        form_class=TeamKindForm,
        field="kind",
        noun="Kind",
        who="kinds of team",
        page="org:team_kinds",
        writes={
            "add": services.add_team_kind,
            "rename": services.rename_team_kind,
            "remove": services.remove_team_kind,
        },
    )
    if done is not None:
        return done
    kinds = list(
        TeamKind.objects.for_org(request.org)
        .annotate(
            n_teams=Count("teams"), n_retired=Count("teams", filter=Q(teams__state="retired"))
        )
        .order_by("name")
    )
    return render(
        request,
        "org/team_kinds.html",
        {"kinds": kinds, "can_edit": _can_change_lists(request), "add_form": add_form},
    )


def _team_url(org, team: Team) -> str:
    return reverse("org:team", kwargs={"org_slug": org.slug, "team_slug": team.slug})


def _person_url(org, person: Person) -> str:
    return reverse("org:person", kwargs={"org_slug": org.slug, "person_id": person.pk})


@org_view
def team_roles(request):
    """The organization's roles in teams: add, rename, remove (refused while a term or an
    open position has one, and for lead and member). Everyone reads; admins change."""
    done, add_form = _org_list_page(
        request,
        model=TeamRole,
        form_class=TeamRoleForm,
        field="role",
        noun="Role",
        who="roles in teams",
        page="org:team_roles",
        writes={
            "add": services.add_team_role,
            "rename": services.rename_team_role,
            "remove": services.remove_team_role,
        },
    )
    if done is not None:
        return done
    roles = queries.team_roles_in_use(request.org)
    by_slug = {r.slug: r for r in roles}
    return render(
        request,
        "org/team_roles.html",
        {
            "roles": roles,
            # Those of its roles that lead a team (`LEADING_ROLES`), the page says.
            "leading": [by_slug[slug] for slug in LEADING_ROLES if slug in by_slug],
            "can_edit": _can_change_lists(request),
            "add_form": add_form,
        },
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# --- handing someone's work on -----------------------------------------------------------


class HandoverForm(forms.Form):
    to = pickers.PersonChoiceField(queryset=Person.objects.none(), label="Hand all of it to")

    def __init__(self, *args, org, person, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = (
            Person.objects.for_org(org).filter(is_active=True).exclude(pk=person.pk)
        )


@org_view
def person_handover(request, person_id: int):
    """GET: what the person owns that is still open, and who to hand all of it to;
    POST: hand it on (`leaving.hand_over`), saying what went and what could not."""
    org = request.org
    person = get_object_or_404(Person.objects.for_org(org), pk=person_id)
    _require(
        permissions.can_edit_tree(request.person),
        "Only someone with the Leader or Admin role may hand someone's work on.",
    )
    form = HandoverForm(request.POST or None, org=org, person=person)
    if request.method == "POST" and form.is_valid():
        to = form.cleaned_data["to"]
        try:
            done = leaving.hand_over(org, request.person, person, to)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            if done.count:
                got = "; ".join(f"{len(names)} {label}" for label, names in done.handed)
                messages.success(request, f"Handed to {to.name}: {got}. {to.name} is told.")
            elif not done.refused:
                messages.success(request, f"{person.name} owns no open work to hand on.")
            for name, why in done.refused:
                messages.error(request, f"Not handed on: {name}. {why}")
            return redirect("org:person", org_slug=org.slug, person_id=person.pk)
    return render(
        request,
        "org/person_handover.html",
        {"form": form, "person": person, "leaves": leaving.person_leaves(org, person)},
    )
