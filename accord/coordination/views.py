"""Coordination pages: overview, a team's inbox and requests, a dependency, the map."""

from __future__ import annotations

from django.contrib import messages
from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from accord.activity.models import Event
from accord.activity.queries import name_references
from accord.alignment.models import Initiative
from accord.coordination import queries, services
from accord.coordination.forms import (
    OPEN,
    ActionForm,
    DependencyEditForm,
    DependencyForm,
    NeedByMilestoneForm,
)
from accord.coordination.models import ACTIVE_STATES, TRANSITIONS, Dependency, Side, State
from accord.core.counting import count_up_to, shown_count
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.ids import as_id
from accord.intelligence.queries import default_scope
from accord.org.models import Membership, Team
from accord.org.queries import answering, covers_every_team, has_sub_teams, subtree_ids
from accord.web import stale
from accord.web.helpers import (
    change_and_redirect,
    flash_error,
    form_error,
    int_or_none,
    org_view,
    paginate_uncounted,
    safe_next,
    slug_or_none,
    team_filter,
)
from accord.web.pickers import team_filter_picker
from accord.web.templatetags.dates import at_moment

INBOX_ACTIONS = ("accept", "propose", "decline")
DELIVERY_ACTIONS = ("confirm_delivery", "not_delivered")  # offered once said delivered
VERB_LABELS = {
    "created": "asked",
    "proposed": "proposed another date or scope",
    "countered": "counter-proposed",
    "agreed": "agreed to the proposal",
    "delivered": "confirmed delivery",
    "marked_delivered": "said it was delivered",
    "reopened": "said it is not delivered yet",
    "flagged_at_risk": "flagged it at risk",
    "flagged_blocked": "flagged it blocked",
    "flag_cleared": "cleared the flag",
    "need_by_moved": "moved the need-by date",
    "need_by_tied": "tied the need-by date to a milestone",
    "moved": "moved it with its initiative",
    "updated": "edited the request",
    "reminded": "sent a reminder to answer",
}


def _with_actions(deps, person, standings):
    for d in deps:
        d.my_actions = services.actions_for(person, d, standings)
    return deps


INDEX_SHOWN = 15  # rows of each list on the overview


def _overview_scope(request) -> tuple[Team | None, Team | None]:
    """The team the overview is cut to (with the teams below it), or None for the whole
    organization; and the viewer's own default. `?team=SLUG` names one (`team_filter`, as
    the lists read it); `?team=` (the picker emptied) is the whole organization; with
    neither, the viewer's default as on Insights: the highest team they lead, the whole
    organization for admins and for people who lead no team."""
    org = request.org
    default_id = default_scope(org, request.person)
    default = (
        Team.objects.for_org(org).select_related("parent").filter(pk=default_id).first()
        if default_id is not None
        else None
    )
    if "team" not in request.GET:
        return default, default
    team, _ = team_filter(request)
    return team, default


@org_view
def index(request):
    org, me = request.org, request.person
    on = queries.today()
    team, default = _overview_scope(request)
    my_teams = list(
        Team.objects.for_org(org)
        .filter(memberships__person=me, memberships__ended_on__isnull=True)
        .order_by("name")
        .distinct()
    )
    # The only team at the top with the teams below it is the whole organization.
    whole = team is None or covers_every_team(team)
    scope = None
    if whole:
        active = queries.base(org).filter(state__in=ACTIVE_STATES)
        late_qs = active.filter(queries.late_q(on))
        risk_qs = active.filter(due__gte=on).filter(queries.at_risk_q(on))
        counted = queries.whole_figures(org, on)
        load, load_whole, load_teams = queries.overview_load(org, me, on)
        cycles = queries.stored_cycles(org)
    else:
        # Only what touches the team or a team below it: each figure counted up to
        # SCOPE_COUNTED in one statement, each list what the list page shows for it.
        scope = queries.scope_figures(org, team, on, at_risk=True)
        late_qs = queries.filtered(org, team=team, late=True, on=on, whole=False)
        risk_qs = queries.filtered(org, team=team, at_risk=True, late=False, on=on, whole=False)
        counted = {"late": scope["late"], "at_risk": scope["at_risk"], "active": scope["active"]}
        load, load_teams = queries.scope_load(org, team, on)
        load_whole = False
        cycles = queries.stored_cycles(org, subtree_ids(team))
    late = queries.decorate(late_qs.order_by("due", "id")[:INDEX_SHOWN], on)
    at_risk = queries.decorate(risk_qs.order_by("due", "id")[:INDEX_SHOWN], on)
    cycles_count = count_up_to(cycles)
    # Filters the figures' and lists' links carry: the list cut the same way.
    team_param = f"team={team.slug}&" if team is not None and not whole else ""
    return render(
        request,
        "coordination/index.html",
        {
            "team": team,
            "whole": whole,
            "scope": scope,
            "default_team": default,
            "team_param": team_param,
            "team_picker": team_filter_picker(
                org, team, id="scope-pick", placeholder="Whole organization"
            ),
            "my_teams": my_teams,
            "late": late,
            "late_count": counted["late"],
            "late_shown": scope["late_shown"] if scope else counted["late"],
            "at_risk": at_risk,
            "at_risk_count": counted["at_risk"],
            "at_risk_shown": scope["at_risk_shown"] if scope else counted["at_risk"],
            "active_count": counted["active"],
            "load": load,
            "load_whole": load_whole,
            "load_teams": load_teams,
            "load_mine": bool(my_teams),
            "cycles": queries.cycles(org, cycles[:10]),
            "cycles_count": cycles_count,
            "cycles_shown": shown_count(cycles_count),
            "scope_cycles": shown_count(cycles_count) if scope else "",
            "new_for_me": queries.new_requests_for_lead(org, me, within=None if whole else team),
        },
    )


LIST_SHOWN = 50  # dependencies on a page of the list
YES_NO = {"1": True, "0": False}


@org_view
def dependency_list(request):
    """Every dependency, cut by team (and the teams below it), direction, state, active,
    late and at risk; the filters live in the URL. A value the list does not know is left
    out and said so on the page, rather than a list silently wider than asked."""
    org = request.org
    team, only = team_filter(request)
    ignored = []
    get = request.GET

    def choice(name, allowed):
        value = get.get(name, "")
        if value and value not in allowed:
            ignored.append((name, value))
            return None
        return value or None

    def yes_no(name):
        value = get.get(name, "")
        if value and value not in YES_NO:
            ignored.append((name, value))
        return YES_NO.get(value)

    initiative = None
    if get.get("initiative"):
        # Needed or delivered by one initiative (its page links here): the API's initiative_id.
        found = int_or_none(get.get("initiative"))
        initiative = (
            Initiative.objects.for_org(org).select_related("team").filter(pk=found).first()
            if found is not None
            else None
        )
        if initiative is None:
            ignored.append(("initiative", get.get("initiative")))
    direction = choice("direction", ("inbound", "outbound")) if team or initiative else None
    # Only across the scope's boundary, and only what waits for the scope's answer: "1".
    outside = choice("outside", ("1",)) == "1" if team else False
    waiting = choice("waiting", ("1",)) == "1"
    filters = {
        "state": choice("state", State.values),
        "active": yes_no("active"),
        "late": yes_no("late"),
        "at_risk": yes_no("at_risk"),
    }
    qs = queries.filtered(
        org,
        team=team,
        only=only,
        initiative=initiative,
        direction=direction,
        outside=outside,
        waiting=waiting,
        **filters,
    )
    page = paginate_uncounted(request, qs, LIST_SHOWN)
    page.object_list = queries.decorate(page.object_list, queries.today())
    params = get.copy()
    params.pop("page", None)
    every_initiative = params.copy()
    every_initiative.pop("initiative", None)
    return render(
        request,
        "coordination/list.html",
        {
            "team": team,
            "only": only,
            "direction": direction or "",
            "outside": outside,
            "waiting": waiting,
            "initiative": initiative,
            "every_initiative": every_initiative.urlencode(),
            "described": _described(team, only, direction, outside, waiting, filters, initiative),
            "filters": filters,
            "states": State.choices,
            "page": page,
            "ignored": ignored,
            "query_string": params.urlencode(),
            "team_picker": team_filter_picker(org, team, id="team-pick", placeholder="Every team"),
        },
    )


def _described(team, only, direction, outside, waiting, filters, initiative=None) -> str:
    """The filters in force, as a sentence under them: "Asked by Engineering and the teams
    below it of teams outside them; active, late"; "What “Spring launch” (Sales) needs from
    other teams"."""
    if initiative is not None:
        name = f"“{initiative.title}” ({initiative.team.name})"
        out = {
            "outbound": f"What {name} needs from other teams",
            "inbound": f"What other teams need from {name}",
        }.get(direction or "", f"What {name} needs from other teams and what they need from it")
        if team is not None:
            scope = f"{team.name} only" if only else f"{team.name} and the teams below it"
            verb = {"inbound": "asked of", "outbound": "asked by"}.get(
                direction or "", "asked of or by"
            )
            out += f", {verb} {scope}"
    elif team is None:
        out = "Every team's dependencies"
    else:
        scope = f"{team.name} only" if only else f"{team.name} and the teams below it"
        verb = {"inbound": "Asked of", "outbound": "Asked by"}.get(
            direction or "", "Asked of or by"
        )
        out = f"{verb} {scope}"
        if outside:
            them = team.name if only else "them"
            out += {
                "inbound": f" by teams outside {them}",
                "outbound": f" of teams outside {them}",
            }.get(direction or "", f", with a team outside {them} on the other side")
    cuts = []
    if waiting:
        whom = "" if team is None else f" from {team.name}" if only else " from one of them"
        cuts.append("waiting for an answer" + whom)
    if filters["state"]:
        cuts.append(State(filters["state"]).label.lower())
    for name, yes, no in (
        ("active", "active", "closed"),
        ("late", "late", "not late"),
        ("at_risk", "at risk", "not at risk"),
    ):
        if filters[name] is not None:
            cuts.append(yes if filters[name] else no)
    return out + ("; " + ", ".join(cuts) if cuts else "") + "."


TEAM_SHOWN = 50  # dependencies of each side on a team's page: open ones first, soonest due
INBOX_SHOWN = 20  # of what waits on a team with sub-teams, soonest due first


def _awaited_team(dep) -> int:
    """The team whose answer a waiting dependency awaits."""
    return dep.requester_team_id if dep.awaiting == Side.REQUESTER else dep.provider_team_id


@org_view
def team(request, team_slug: str):
    org, me = request.org, request.person
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    on = queries.today()
    inbound_qs = queries.base(org).filter(provider_team=team)
    outbound_qs = queries.base(org).filter(requester_team=team)
    inbound = queries.decorate(queries.open_first(inbound_qs)[:TEAM_SHOWN], on)
    outbound = queries.decorate(queries.open_first(outbound_qs)[:TEAM_SHOWN], on)
    # A team with sub-teams (a department): its figures with the teams below it, and an
    # inbox of what waits on any of them (the first screen; the list has the rest).
    scope = queries.scope_figures(org, team, on) if has_sub_teams(team) else None
    below = []
    if scope is not None:
        waiting = queries.filtered(org, team=team, waiting=True, on=on, whole=scope["whole"])
        below = queries.decorate(waiting[:INBOX_SHOWN], on)
    # One query tells for which of the page's teams the viewer may act (theirs, those
    # below a team they lead, any as an admin).
    page_teams = {team.pk} | {
        t for d in inbound + outbound + below for t in (d.requester_team_id, d.provider_team_id)
    }
    standings = queries.standing(org, me, page_teams)
    _with_actions(inbound, me, standings)
    _with_actions(outbound, me, standings)
    mine = standings.get(team.pk)
    if scope is None:
        inbox = [
            d
            for d in inbound
            if d.state in (State.REQUESTED, State.NEGOTIATING) and d.awaiting == Side.PROVIDER
        ]
        # Proposals the team received on what it asked for: agree or counter; deliveries
        # said made: confirm, or say not yet.
        inbox += [
            d
            for d in outbound
            if (d.state == State.NEGOTIATING and d.awaiting == Side.REQUESTER) or d.said_delivered
        ]
        # Only as one who may act for the team itself (the page's team).
        answering = mine is not None
        acting_below = []
    else:
        # Each row as one who may act for the team it waits on (`my_actions`).
        inbox, answering = _with_actions(below, me, standings), True
        # Whose answers the viewer gives as a lead above (recorded as acting for the team).
        awaited = [standings.get(_awaited_team(d)) for d in below]
        acting_below = sorted({s.as_text for s in awaited if s is not None and s.on_behalf})
    since = queries.waiting_since(org, inbox)
    now = timezone.now()
    for d in inbox:
        # How long it has waited on the team answering (`.answering`), since the move that
        # left it there: a request since it was asked, a proposal since it was made.
        d.answering = d.requester_team if d.awaiting == Side.REQUESTER else d.provider_team
        d.waiting_days = max(0, (now - since[d.pk]).days) if d.pk in since else None
        # The buttons only: each form is fetched when its button is opened (`act`).
        d.actions = [
            (action, TRANSITIONS[action].label)
            for action in (*INBOX_ACTIONS, "agree", "counter", *DELIVERY_ACTIONS)
            if answering and action in d.my_actions
        ]
    inbox_ids = {d.pk for d in inbox}
    return render(
        request,
        "coordination/team.html",
        {
            "team": team,
            "inbox": inbox,
            "scope": scope,
            "inbox_shown": INBOX_SHOWN,
            "acting_below": acting_below,
            "inbound": [d for d in inbound if d.pk not in inbox_ids],
            "outbound": outbound,
            "inbound_total": inbound_qs.count() if len(inbound) == TEAM_SHOWN else len(inbound),
            "outbound_total": (
                outbound_qs.count() if len(outbound) == TEAM_SHOWN else len(outbound)
            ),
            "shown": TEAM_SHOWN,
            "ready": queries.ready_to_work_on(org, team),
            "standing": mine,
            "why_not": None if mine else queries.why_not(me, [team.name]),
        },
    )


TIMELINE_SHOWN = 200  # moves of one dependency (a negotiation takes a handful)
BLAST_TEAMS_SHOWN = 12  # teams a slip reaches, named on the dependency page


def _standing_on(me, dep) -> tuple[dict, list[str], str | None]:
    """For whom the viewer stands on a (decorated) dependency, what they may do, and why
    they cannot act when they stand for neither side."""
    sides = services.sides_of(me, dep)
    actions = services.actions_for(me, dep, {s.team_id: s for s in sides.values() if s})
    why_not = (
        None if sides else queries.why_not(me, [dep.requester_team.name, dep.provider_team.name])
    )
    return sides, actions, why_not


def _detail_context(request, dep, bound: ActionForm | None = None, next_url: str = ""):
    """`next_url`: where a refused form, shown again here, was to return (a team's inbox)."""
    org, me = request.org, request.person
    queries.decorate([dep])
    sides, actions, why_not = _standing_on(me, dep)
    if bound is not None and bound.action not in actions:
        for error in bound.non_field_errors():
            messages.error(request, error)
    forms = []
    for action in actions:
        form = bound if bound is not None and bound.action == action else None
        form = form or ActionForm(org=org, dependency=dep, action=action)
        forms.append((action, TRANSITIONS[action].label, form))
    # Sorted here: asked to sort, SQLite walks the organization's events by date instead
    # of looking this dependency's few up by target.
    timeline = sorted(
        Event.objects.for_org(org)
        .for_target("coordination.dependency", dep.pk)
        .select_related("actor")
        .order_by()[:TIMELINE_SHOWN],
        key=lambda e: (e.created_at, e.pk),
    )
    for e in timeline:
        e.label = VERB_LABELS.get(e.verb, e.verb.replace("_", " "))
    blast = None
    if dep.provider_initiative_id and dep.is_active:
        blast = queries.blast_radius(
            org, initiative_id=dep.provider_initiative_id, limit=BLAST_TEAMS_SHOWN
        )
    may_tie = Side.REQUESTER in sides and dep.is_active
    may_edit = services.may_edit(me, dep, sides)
    return {
        "dep": dep,
        "page_path": reverse(
            "coordination:detail", kwargs={"org_slug": org.slug, "dep_id": dep.pk}
        ),
        "forms": forms,
        "milestone_form": NeedByMilestoneForm(org=org, dependency=dep) if may_tie else None,
        "may_edit": may_edit,
        # Who may edit it, and until when: beside the Edit button, or in its place.
        "who_edits": services.who_may_edit(dep),
        "timeline": timeline,
        "blast": blast,
        # The same events, newest first: the history panel every page shows.
        "history": name_references(org, timeline[::-1][:30]),
        "blocked_by": queries.blocked_reasons(org, [dep.requester_initiative_id]).get(
            dep.requester_initiative_id, []
        )
        if dep.requester_initiative.status in OPEN
        else [],
        # On whose behalf the viewer acts here, when not as a member; else why they cannot.
        "acting": _acting(dep, sides),
        # Committed after the target date of the initiative that needs it.
        "after_target": queries.after_target(dep) if dep.is_active else "",
        "why_not": why_not,
        "next": next_url,
        **_reminding(me, dep),
        **_waiting(org, dep),
    }


def _waiting(org, dep: Dependency) -> dict:
    """A proposal either way waits on one team: which, and for how many whole days since
    the move that left it there (`queries.waiting_since`). A request not answered yet says
    so itself (`_reminding`)."""
    if dep.state != State.NEGOTIATING:
        return {"waiting_days": None}
    since = queries.waiting_since(org, [dep])[dep.pk]
    team = dep.provider_team if dep.awaiting == Side.PROVIDER else dep.requester_team
    return {"waiting_days": max(0, (timezone.now() - since).days), "waiting_on": team}


def _reminding(me, dep: Dependency) -> dict:
    """How long a request has waited for the provider's answer (whole days since it was
    asked, as the `dependencies.unanswered` signal counts them), its last reminder, and
    whether the viewer may send one now (else why not, when they are on the asking side)."""
    if not queries.awaits_provider(dep):
        return {"unanswered_days": None}
    last = queries.last_reminder(dep)
    try:
        services.check_remind(me, dep, last)
    except PermissionDenied:
        may, why = False, ""
    except ServiceError as exc:
        may, why = False, exc.message
    else:
        may, why = True, ""
    told = answering(dep.org_id, dep.provider_team)
    return {
        "unanswered_days": max(0, (timezone.now() - dep.created_at).days),
        "last_reminder": last,
        "may_remind": may,
        "why_not_remind": why,
        # Who a reminder reaches: the team's leads, else the nearest above, else the admins.
        "remind_whom": _remind_whom(told),
        # The team asked has no lead: where what is meant for its leads goes.
        "no_lead_note": told.goes_to,
    }


def _remind_whom(told) -> str:
    """Who a reminder reaches, as the line beside its button says it."""
    if told.own:
        return f"Each lead of {told.team.name} gets it"
    if told.admins:
        return f"{told.team.name} has no lead, nor has any team above it: each admin gets it"
    return f"{told.team.name} has no lead: each lead of {told.via.name} gets it"


def _told(dep: Dependency, me) -> str:
    """What a confirmation adds of who was told of a request to a team with no lead
    ("Platform has no lead: Engineering's leads were told."); empty when its own leads
    were."""
    told = answering(dep.org_id, dep.provider_team)
    if told.own:
        return ""
    said = told.told(me.pk if me is not None else None)
    return f" {said[0].upper()}{said[1:]}."


def _acting(dep: Dependency, sides: dict) -> list[tuple[list[str], str]]:
    """The teams the viewer acts for here though not a member, by standing: one line for
    both sides when it is the same ("Sales and Operations as lead of Acme")."""
    by_standing: dict[str, list[str]] = {}
    for side, standing in sides.items():
        if standing and standing.on_behalf:
            team = dep.provider_team if side == Side.PROVIDER else dep.requester_team
            by_standing.setdefault(standing.as_text, []).append(team.name)
    return [(names, as_text) for as_text, names in by_standing.items()]


@org_view
def detail(request, dep_id: int):
    dep = get_object_or_404(queries.base(request.org), pk=dep_id)
    return render(request, "coordination/detail.html", _detail_context(request, dep))


@org_view
@require_POST
def need_by_milestone(request, dep_id: int):
    """The requester ties the need-by to a milestone, or unties it (the date stays)."""
    org = request.org
    dep = get_object_or_404(queries.base(org), pk=dep_id)
    back = reverse("coordination:detail", kwargs={"org_slug": org.slug, "dep_id": dep.pk})
    form = NeedByMilestoneForm(request.POST, org=org, dependency=dep)
    if not form.is_valid():
        messages.error(request, "Choose one of the milestones offered, or none.")
        return redirect(back)
    m = form.cleaned_data["milestone"]
    if m is not None:
        done = f"Needed by {m.name}: {m.date:%-d %b %Y}, and it moves with the milestone."
    else:
        done = "No longer tied to a milestone; the need-by date stays where it is."
    version = int_or_none(request.POST.get("version"))
    return change_and_redirect(
        request,
        lambda: services.tie_to_milestone(org, request.person, dep, m, expected_version=version),
        done,
        back,
    )


@org_view
@require_http_methods(["GET", "POST"])
def edit(request, dep_id: int):
    """The asking side edits its request until the providing team answers it."""
    org, me = request.org, request.person
    dep = get_object_or_404(queries.base(org), pk=dep_id)
    back = reverse("coordination:detail", kwargs={"org_slug": org.slug, "dep_id": dep.pk})
    try:
        services.check_edit(me, dep)
    except ServiceError as exc:  # not the asking side: 403; answered: said on its page
        flash_error(request, exc)
        return redirect(back)
    form = DependencyEditForm(request.POST or None, org=org, dependency=dep)
    if request.method == "POST" and form.is_valid():
        try:
            dep = services.update_dependency(
                org,
                me,
                dep,
                expected_version=int_or_none(request.POST.get("version")),
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(
                request,
                f"Saved “{dep.title}”, asked of {dep.provider_team.name}.{_told(dep, me)}",
            )
            return redirect(back)
    return render(
        request,
        "coordination/edit.html",
        {"form": form, "dep": dep, "who_edits": services.who_may_edit(dep)},
        status=422 if form.is_bound else 200,
    )


def _reminded(dep: Dependency) -> str:
    """The confirmation of a reminder, saying whom it reached."""
    told = answering(dep.org_id, dep.provider_team)
    if told.own:
        return f"Reminded the leads of {dep.provider_team.name} to answer “{dep.title}”."
    return f"Reminded {told.whom()} to answer “{dep.title}”: {dep.provider_team.name} has no lead."


@org_view
@require_POST
def remind(request, dep_id: int):
    """The asking side reminds the team asked to answer (`services.remind`)."""
    org = request.org
    dep = get_object_or_404(queries.base(org), pk=dep_id)
    back = reverse("coordination:detail", kwargs={"org_slug": org.slug, "dep_id": dep.pk})
    return change_and_redirect(
        request,
        lambda: services.remind(org, request.person, dep),
        _reminded(dep),
        back,
    )


@org_view
@require_http_methods(["GET", "POST"])
def act(request, dep_id: int, action: str):
    org = request.org
    dep = get_object_or_404(queries.base(org), pk=dep_id)
    if action not in TRANSITIONS:
        messages.error(request, f"Unknown action {action!r}.")
        return redirect("coordination:detail", org_slug=org.slug, dep_id=dep.pk)
    if request.method == "GET":
        return _act_form(request, dep, action)
    form = ActionForm(request.POST, org=org, dependency=dep, action=action)
    valid = form.is_valid()
    me = request.person
    seen = int_or_none(request.POST.get("version"))  # before a refusal carries the current
    if (
        not valid
        and action in dep.allowed_actions()
        and action not in services.actions_for(me, dep)
    ):
        # Who may not take it is told so first, as the service would, not the form's errors.
        t = TRANSITIONS[action]
        team = dep.requester_team if t.side == Side.REQUESTER else dep.provider_team
        both = [dep.requester_team.name, dep.provider_team.name]
        names = [team.name] if t.side in (Side.REQUESTER, Side.PROVIDER) else both
        raise PermissionDenied(f"“{t.label}” is not yours to take. " + queries.why_not(me, names))
    if valid:
        data = form.cleaned_data
        # Not sent (a form without it): the scope on the table is kept, as in the API; sent
        # empty: dropped.
        scope = data.get("proposed_scope") if "proposed_scope" in request.POST else None
        try:
            done = services.transition(
                org,
                request.person,
                dep,
                action,
                note=data.get("note", ""),
                committed_date=data.get("committed_date"),
                provider_initiative=data.get("provider_initiative"),
                proposed_date=data.get("proposed_date"),
                proposed_scope=scope,
                expected_version=seen,
            )
        except ServiceError as exc:
            if exc.status == 403:
                raise
            form_error(form, exc)
        else:
            messages.success(request, f"{TRANSITIONS[action].done} “{dep.title}”.")
            # Agreed on a date the initiative that needs it misses: said as it is done.
            gap = queries.after_target(done) if done.state == State.ACCEPTED else ""
            if gap and action in ("accept", "agree"):
                messages.warning(request, gap)
            back = reverse("coordination:detail", kwargs={"org_slug": org.slug, "dep_id": dep.pk})
            return redirect(safe_next(request, request.POST.get("next"), back))
    dep = queries.base(org).get(pk=dep.pk)
    # Shown again, the form still returns where it came from (a team's inbox).
    next_url = safe_next(request, request.POST.get("next"))
    if action not in services.actions_for(me, dep) and seen not in (None, dep.version):
        # No longer offered, the request changed meanwhile: its form is not shown, so say
        # why at the top, with what was typed, not errors beside a form that is not there.
        messages.error(request, _not_done(request, dep, action, form))
        form = None
    return render(
        request,
        "coordination/detail.html",
        _detail_context(request, dep, form, next_url),
        status=422,
    )


def _not_done(request, dep: Dependency, action: str, form: ActionForm) -> str:
    """Why an action taken from an older copy of the page was not: the last change made
    to the request, by whom and when ("Not accepted: Asha Asker cancelled this request
    at 19:21."), and the note typed, which would otherwise be lost."""
    t = TRANSITIONS[action]
    words = t.done.split()
    what = f"Not {words[0].lower()}" if len(words) == 1 else f"“{t.label}” not done"
    last = (
        Event.objects.for_org(request.org)
        .for_target("coordination.dependency", dep.pk)
        .exclude(verb="reminded")  # a reminder changes nothing
        .order_by("-created_at", "-id")
        .first()
    )
    if last is not None and last.verb != "created":
        verb = VERB_LABELS.get(last.verb) or f"{last.verb.replace('_', ' ')} this request"
        why = f"{stale.by(last, request.person)} {verb} {at_moment(last.created_at)}"
        state = dep.get_state_display().lower()
        now = "" if state in verb else f"; it is {state} now"
        text = f"{what}: {why[0].upper()}{why[1:]}{now}."
    else:
        text = f"{what}: it is {dep.get_state_display().lower()} now, and that is not yours to do."
    note = (form.data.get("note") or "").strip()
    return f"{text} Your note, not sent: “{note}”" if note else text


def _act_form(request, dep, action: str):
    """One action's form, fetched (htmx) when its button is opened in a team's inbox; the
    dependency's page, which shows all of them, for anyone else."""
    org, me = request.org, request.person
    if not request.headers.get("HX-Request"):
        return redirect(
            reverse("coordination:detail", kwargs={"org_slug": org.slug, "dep_id": dep.pk})
            + "#act-h"
        )
    queries.decorate([dep])
    _, actions, why_not = _standing_on(me, dep)
    if action not in actions:
        # The page was read before someone else acted, or the viewer's standing changed.
        return render(
            request,
            "coordination/_act_gone.html",
            {"dep": dep, "label": TRANSITIONS[action].label, "why_not": why_not},
        )
    return render(
        request,
        "coordination/_act_form.html",
        {
            "dep": dep,
            "action": action,
            "label": TRANSITIONS[action].label,
            "form": ActionForm(org=org, dependency=dep, action=action),
            "next": safe_next(request, request.GET.get("next")),
        },
    )


@org_view
def new(request):
    org, me = request.org, request.person
    team = None
    team_slug = slug_or_none(request.GET.get("team"))
    if team_slug:
        team = Team.objects.for_org(org).filter(slug=team_slug).first()
    form = DependencyForm(request.POST or None, org=org, person=me, team=team)
    if queries.may_act(me) and not form.fields["requester_initiative"].queryset.exists():
        # A request is made for one of the asking team's initiatives: with none, say so and
        # where to create one rather than offer a form that cannot be sent.
        if team is None:
            mine = list(
                Membership.objects.for_org(org)
                .in_current_teams()
                .filter(person=me)
                .select_related("team")
                .order_by("team__name")[:2]
            )
            if len({m.team_id for m in mine}) == 1:
                team = mine[0].team
        return render(
            request, "coordination/new.html", {"form": None, "team": team, "no_initiative": True}
        )
    if request.method != "POST":
        form.prefill(request.GET)
    if request.method == "POST" and form.is_valid():
        try:
            dep = services.create_dependency(org, me, **form.cleaned_data, again=form.again)
        except ServiceError as exc:
            if exc.status == 403:
                raise
            form_error(form, exc)
        else:
            messages.success(
                request, f"Asked {dep.provider_team.name}: {dep.title}.{_told(dep, me)}"
            )
            return redirect("coordination:detail", org_slug=org.slug, dep_id=dep.pk)
    return render(
        request,
        "coordination/new.html",
        {"form": form, "team": team, "no_lead_note": _asking_note(org, form)},
    )


def _asking_note(org, form) -> str:
    """The team chosen to ask (named in the address or sent) has no lead: where the
    request will go, said before it is sent."""
    chosen = as_id(form.data.get(form.add_prefix("provider_team"))) if form.is_bound else None
    chosen = chosen or as_id(form.initial.get("provider_team"))
    team = Team.objects.for_org(org).filter(pk=chosen).first() if chosen else None
    return answering(org, team).goes_to if team is not None else ""


@org_view
def dependency_map(request):
    """The map starts at the viewer's teams; any team can be focused (its page links here
    with ?team=<id>, or chosen by typing its name), or one initiative (?initiative=<id>,
    from its page), and nodes expand on demand from the map itself."""
    org = request.org
    selected = int_or_none(request.GET.get("team"))
    team = None
    if selected is not None:
        team = Team.objects.for_org(org).filter(pk=selected).first()
    # ?initiative=<id> (its page links here): that initiative's requests, both ways.
    focus = int_or_none(request.GET.get("initiative"))
    initiative = (
        Initiative.objects.for_org(org).select_related("team").filter(pk=focus).first()
        if focus is not None and team is None
        else None
    )
    mode = "initiatives" if request.GET.get("mode") == "initiatives" else "teams"
    # Without JavaScript the map cannot be drawn: the page links to the same dependencies
    # as a list (the list takes a team by address, and one state at most).
    listed = QueryDict(mutable=True)
    if team is not None:
        listed["team"] = team.slug
    elif initiative is not None:
        listed["initiative"] = str(initiative.pk)
    states = [s for s in request.GET.getlist("state") if s in State.values]
    if len(states) == 1:
        listed["state"] = states[0]
    list_url = reverse("coordination:list", kwargs={"org_slug": org.slug})
    return render(
        request,
        "coordination/map.html",
        {
            "initiative": initiative,
            "team": team,
            "checked": states or [v for v in State.values if v != State.CANCELLED],
            "list_url": f"{list_url}?{listed.urlencode()}" if listed else list_url,
            "mode": mode,
            "team_picker": team_filter_picker(
                org, team, id="map-team", by_slug=False, placeholder="Your teams"
            ),
            "states": State.choices,
            "data_url": reverse("coordination:map_json", kwargs={"org_slug": org.slug}),
            "team_url": reverse(
                "coordination:team", kwargs={"org_slug": org.slug, "team_slug": "SLUG"}
            ),
            "dep_url": reverse("coordination:detail", kwargs={"org_slug": org.slug, "dep_id": 0}),
            "init_url": reverse(
                "alignment:initiative", kwargs={"org_slug": org.slug, "initiative_id": 0}
            ),
        },
    )


@org_view
def map_json(request):
    org = request.org
    team_id = int_or_none(request.GET.get("team"))
    if team_id is not None and not Team.objects.for_org(org).filter(pk=team_id).exists():
        team_id = None
    states = [s for s in request.GET.getlist("state") if s in State.values] or None
    mode = "initiatives" if request.GET.get("mode") == "initiatives" else "teams"
    initiative_id = int_or_none(request.GET.get("initiative"))
    data = queries.map_elements(
        org,
        mode=mode,
        team_id=team_id,
        states=states,
        person=request.person,
        initiative_id=initiative_id,
    )
    return JsonResponse(data)
