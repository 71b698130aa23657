"""Alignment pages: the tree, objectives, key results, initiatives, team stacks, periods."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, F, Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accord.alignment import milestones, queries, services
from accord.alignment.charts import sparkline
from accord.alignment.forms import (
    OPEN_STATUS,
    CarryOverForm,
    ConfidenceForm,
    InitiativeFilterForm,
    InitiativeForm,
    InitiativeLinkForm,
    KeyResultForm,
    LabelsForm,
    MilestoneForm,
    MilestoneMoveForm,
    ObjectiveForm,
    ParentForm,
    PeriodCloseForm,
    PeriodForm,
    ReplacementForm,
    StatusForm,
    ValueForm,
    VoidValueForm,
    WipForm,
)
from accord.alignment.models import (
    OPEN_INITIATIVE_STATUSES,
    ConfidenceUpdate,
    Initiative,
    InitiativeKeyResult,
    InitiativeLink,
    InitiativeObjective,
    InitiativeStatus,
    KeyResult,
    KeyResultValue,
    Milestone,
    Objective,
    ObjectiveLevel,
    ObjectiveStatus,
    Period,
    PeriodState,
    Replan,
)
from accord.alignment.progress import kr_outside_limit, kr_progress
from accord.alignment.progress import pace as kr_pace
from accord.alignment.progress import pace_share as kr_pace_share
from accord.core.counting import figures
from accord.core.days import org_today
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.services import LONG_TEXT_MAX, require_text
from accord.org import permissions
from accord.org.models import Membership, Role, Team
from accord.org.queries import has_sub_teams
from accord.web import panels as web_panels
from accord.web import pickers
from accord.web.helpers import (
    Window,
    change_and_redirect,
    filters_digest,
    flash_error,
    form_error,
    int_or_none,
    org_view,
    pages_of,
    paginate,
    paginate_uncounted,
    safe_next,
    slug_or_none,
)
from accord.web.queries import saved_views
from accord.web.templatetags.dates import day
from accord.web.templatetags.numbers import num
from accord.web.views import history_for


def _url(name: str, request, **kwargs) -> str:
    return reverse(f"alignment:{name}", kwargs={"org_slug": request.org.slug, **kwargs})


def _next(request, default: str) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default)


def _can_write(request) -> bool:
    return request.person.is_active and request.person.has_role(Role.MEMBER)


def _validation(form) -> JsonResponse:
    """Per-field messages for inline validation (no write). Empty required fields are left
    to the submit, so untouched fields do not turn red while someone is still typing."""
    form.is_valid()
    errors = {
        name: [str(m) for m in msgs]
        for name, msgs in form.errors.items()
        if not (name != "__all__" and not form.data.get(name) and _only_required(form, name))
    }
    for name, field in form.fields.items():
        if name not in errors and (said := _typed_text_refused(field, form.cleaned_data, name)):
            errors[name] = [said]
    return JsonResponse({"errors": errors})


def _typed_text_refused(field, cleaned: dict, name: str) -> str | None:
    """What saving will say of a text as typed (`require_text`, as the services check a
    title, a name, a description), for the live check to say it first: a title of only a
    zero-width space is refused there, not only on submit. None when it will take it."""
    value = cleaned.get(name)
    if type(field) is not forms.CharField or not isinstance(value, str):
        return None
    try:
        require_text(
            value,
            name,
            max_length=field.max_length or LONG_TEXT_MAX,
            required=field.required,
            directions=isinstance(field.widget, forms.Textarea),  # a long text: a description
        )
    except ServiceError as exc:
        return exc.message
    return None


def _only_required(form, name: str) -> bool:
    field = form.fields.get(name)
    required = field.error_messages.get("required") if field else None
    return all(str(m) == str(required) for m in form.errors.get(name, []))


def _ctx(request, **extra) -> dict[str, Any]:
    return {"labels": queries.labels(request.org), "can_write": _can_write(request), **extra}


# --- the tree ----------------------------------------------------------------------------


TREE_PAGE = 30  # top objectives per page of the tree
CHILDREN_SHOWN = 50  # contributing objectives shown under one objective before "more"
TREE_SHOWN, TREE_DEPTH = 60, 6  # a small tree is shown whole; a big one opens on demand
WIP_SHOWN = 5  # teams over their WIP limit named under the figure


def _tree_urls(request) -> dict[str, dict[str, dict[str, str]]]:
    """Address prefixes for the tree's many links, reversed once rather than per node."""
    out = {}
    for name, key in (
        ("objective", "objective_id"),
        ("initiative", "initiative_id"),
        ("tree_children", "objective_id"),
        ("key_result", "kr_id"),
    ):
        url = _url(name, request, **{key: 1})
        head, _, tail = url.rpartition("/1/")
        # Keys, not a pair: a template reads `.head` as a dict lookup, where `.0` on a
        # tuple fails three lookups first (~5 µs, some 120 times a page).
        out[name] = {"head": head + "/", "tail": "/" + tail}
    return {"tree_urls": out}


def _chosen_period(request) -> tuple[list[Period], Period | None]:
    """The organization's periods, newest first, and the one asked for (`?period=`), else
    the current one (`queries.current_period`): what a page with a period chooser shows.
    Each period's `current_now` says whether it is that current one (the chooser's
    "(current)", as the Periods page tags it)."""
    org = request.org
    periods = list(Period.objects.for_org(org).order_by("-start"))
    current = queries.current_period(org)
    for p in periods:
        p.current_now = p == current
    period = None
    wanted = int_or_none(request.GET.get("period"))
    if wanted:
        period = next((p for p in periods if p.pk == wanted), None)
    if period is None:
        period = next((p for p in periods if p.current_now), None)
    return periods, period


@org_view
def index(request):
    """The alignment tree, starting at the period's top objectives (or a team's), one level
    at a time: opening an objective fetches the objectives contributing to it."""
    org = request.org
    periods, period = _chosen_period(request)
    scope = None
    if request.GET.get("team"):
        slug = slug_or_none(request.GET["team"])  # none: nothing to look up
        if slug is None:
            raise Http404("No such team in this organization.")
        scope = get_object_or_404(Team.objects.for_org(org), slug=slug)
    my_teams = list(
        Team.objects.for_org(org)
        .filter(memberships__person=request.person, memberships__ended_on__isnull=True)
        .order_by("name")
        .distinct()[:10]
    )
    ctx = _ctx(
        request,
        periods=periods,
        period=period,
        scope=scope,
        my_teams=my_teams,
        **_tree_urls(request),
    )
    if period is not None:
        # `?show=orphaned`: the orphaned objectives the figure above counts, as the tree's
        # starting points (each opens as in the tree), instead of the top objectives.
        # `?show=open`: the period's objectives still draft or active (a closed period's
        # left to score), so too.
        show = request.GET.get("show")
        show = show if show in ("orphaned", "open") else ""
        orphaned = show == "orphaned"
        starts = {"orphaned": queries.tree_orphaned, "open": queries.tree_open}.get(
            show, queries.tree_roots
        )(org, period, scope)
        # Not counted: a period's top objectives are read in the tree's order until a page
        # is found, where counting them would read every objective of the period.
        page = paginate_uncounted(request, starts, TREE_PAGE)
        nodes = queries.build_tree(
            org,
            [(oid, None, None) for oid in page],
            depth=1 if show else TREE_DEPTH,
            budget=TREE_SHOWN,
            scope=scope,
        )
        # WIP and unaligned work are about the work under way now: a closed period's page
        # shows neither (its template says why), rather than today's beside its history.
        breaches = [] if period.is_closed else queries.wip_breaches(org, scope)
        ctx.update(
            page=page,
            nodes=nodes,
            show=show,
            show_orphaned=orphaned,
            show_open=show == "open",
            # A closed period's objectives left without a result, to score.
            **_unscored(org, period, scope),
            wip_breaches=breaches[:WIP_SHOWN],
            wip_breach_count=len(breaches),
            wip_more=max(0, len(breaches) - WIP_SHOWN),
            **queries.tree_summary(org, period, scope),
        )
    return render(request, "alignment/index.html", ctx)


def _unscored(org, period, scope) -> dict[str, int]:
    """A closed period's objectives left without a result, to score (`unscored`), and how
    many of them were carried over into a later period (`unscored_carried`)."""
    if not period.is_closed:
        return {"unscored": 0, "unscored_carried": 0}
    counts = queries.open_objective_counts(org, period, scope)
    return {"unscored": counts["open"], "unscored_carried": counts["carried"]}


@org_view
def tree_children(request, objective_id: int):
    """One more level of the tree (htmx): the objectives contributing to this one."""
    org = request.org
    objective = get_object_or_404(Objective.objects.for_org(org), pk=objective_id)
    if not request.headers.get("HX-Request"):
        return redirect(_url("objective", request, objective_id=objective.pk))
    scope = None  # the team whose tree it is (`?team=`): its objectives show in full in it
    if request.GET.get("team"):
        scope = Team.objects.for_org(org).filter(slug=slug_or_none(request.GET["team"])).first()
    links = list(queries.tree_children(org, objective.pk)[: CHILDREN_SHOWN + 1])
    more = len(links) > CHILDREN_SHOWN
    links = links[:CHILDREN_SHOWN]
    nodes = queries.tree_nodes(
        org, [c for c, _ in links], weights=dict(links), under=objective.pk, scope=scope
    )
    return render(
        request,
        "alignment/_children.html",
        _ctx(
            request,
            nodes=nodes,
            parent=objective,
            scope=scope,
            more=more,
            depth=min(int_or_none(request.GET.get("depth")) or 1, 20),
            **_tree_urls(request),
        ),
    )


# --- milestones --------------------------------------------------------------------------


@org_view
def milestones_page(request):
    """Every milestone, by period (the latest first), each with its date, whom it is for
    and what it is relative to; leaders create, edit and move them here."""
    org = request.org
    can_plan = request.person.has_role(Role.LEADER)
    form = MilestoneForm(request.POST or None, org=org)
    if request.method == "POST" and form.is_valid():
        try:
            m = milestones.create_milestone(org, request.person, **form.service_data())
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"Milestone {m.name} created ({m.date:%-d %b %Y}).")
            return redirect(_url("milestones", request))
    rows = queries.milestones_between(org)
    groups: dict[Any, list] = {}
    for m in rows:
        groups.setdefault(m.period, []).append(m)
    ordered = sorted(
        groups.items(),
        key=lambda kv: (kv[0] is None, -(kv[0].start.toordinal()) if kv[0] else 0),
    )
    return render(
        request,
        "alignment/milestones.html",
        _ctx(
            request,
            form=form,
            groups=ordered,
            can_plan=can_plan,
            today=org_today(),
            move_form=MilestoneMoveForm(),
        ),
    )


@org_view
def milestone_edit(request, milestone_id: int):
    org = request.org
    m = get_object_or_404(Milestone.objects.for_org(org), pk=milestone_id)
    milestones.require_rights(request.person)  # the form only for who may save it
    form = MilestoneForm(
        request.POST or None, org=org, milestone=m, initial=MilestoneForm.initial_for(m)
    )
    if request.method == "POST" and form.is_valid():
        try:
            milestones.update_milestone(
                org,
                request.person,
                m,
                expected_version=int_or_none(request.POST.get("version")),
                **form.service_data(),
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{m.name} saved.")
            return redirect(_url("milestones", request))
    return render(
        request,
        "alignment/milestone_form.html",
        _ctx(
            request,
            form=form,
            milestone=m,
            history=history_for(org, "alignment.milestone", m.pk),
            dependants=list(m.dependants.order_by("date")),
            needed_by=m.dependencies.select_related("requester_team", "provider_team")[:50],
        ),
    )


@org_view
@require_POST
def milestone_move(request, milestone_id: int):
    org = request.org
    m = get_object_or_404(Milestone.objects.for_org(org), pk=milestone_id)
    form = MilestoneMoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the new date as YYYY-MM-DD.")
        return redirect(_next(request, _url("milestones", request)))
    try:
        m = milestones.move_milestone(
            org,
            request.person,
            m,
            form.cleaned_data["date"],
            expected_version=int_or_none(request.POST.get("version")),
        )
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"{m.name} moved to {m.date:%-d %b %Y}.")
    return redirect(_next(request, _url("milestones", request)))


@org_view
@require_POST
def milestone_delete(request, milestone_id: int):
    org = request.org
    m = get_object_or_404(Milestone.objects.for_org(org), pk=milestone_id)
    return change_and_redirect(
        request,
        lambda: milestones.delete_milestone(org, request.person, m),
        f"{m.name} deleted.",
        _url("milestones", request),
        failed=_url("milestone_edit", request, milestone_id=m.pk),
    )


# --- periods -----------------------------------------------------------------------------


@org_view
def periods(request):
    org = request.org
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and request.GET.get("validate"):
        return _validation(form)
    if request.method == "POST" and form.is_valid():
        try:
            period = services.create_period(org, request.person, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"Period {period.name} created.")
            return redirect(_url("periods", request))
    # Newest first; of two starting the same day, the longer (a year before its first
    # quarter), whatever order the database keeps them in.
    periods = list(Period.objects.for_org(org).order_by("-start", "-end", "pk"))
    # The current period as every other page takes it: the one marked current, else the open
    # one containing today (which needs no "Make current").
    current = queries.current_period(org)
    can_plan = services.may_plan_periods(request.person)
    ctx = _ctx(
        request,
        form=form,
        current_id=current.pk if current is not None else None,
        can_plan=can_plan,
    )
    # Each row's Carry over form and question from the periods read above and one count
    # of every period's objectives: the page's queries do not grow with its periods.
    figures = queries.period_carry_figures(org, [p.pk for p in periods]) if can_plan else {}
    rows = []
    for p in periods:
        carry = CarryOverForm(org=org, period=p, periods=periods, prefix=f"c{p.pk}")
        question = ""
        if carry.targets and can_plan:
            labels = ctx["labels"]
            question = queries.carry_question(
                p, figures[p.pk], labels["objective"], labels["objective_plural"]
            )
        rows.append((p, carry, question))
    ctx["rows"] = rows
    return render(request, "alignment/periods.html", ctx)


@org_view
def period_edit(request, period_id: int):
    org = request.org
    period = get_object_or_404(Period.objects.for_org(org), pk=period_id)
    services.require_period_rights(request.person)  # the form only for who may save it
    initial = {f: getattr(period, f) for f in ("name", "kind", "start", "end", "state")}
    form = PeriodForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.GET.get("validate"):
        return _validation(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_period(
                org,
                request.person,
                period,
                expected_version=int_or_none(request.POST.get("version")),
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{period.name} saved.")
            return redirect(_url("periods", request))
    return render(request, "alignment/period_form.html", _ctx(request, form=form, period=period))


@org_view
@require_POST
def period_delete(request, period_id: int):
    def act(p):
        services.delete_period(request.org, request.person, p)
        return f"{p.name} deleted."

    return _period_action(request, period_id, act)


def _period_action(request, period_id: int, action) -> Any:
    period = get_object_or_404(Period.objects.for_org(request.org), pk=period_id)
    try:
        message = action(period)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, message)
    return redirect(_url("periods", request))


@org_view
@require_POST
def period_current(request, period_id: int):
    def act(p):
        services.set_current_period(request.org, request.person, p)
        return f"{p.name} is now the current period."

    return _period_action(request, period_id, act)


@org_view
def period_close(request, period_id: int):
    """Closing a period, confirmed on its own page: what closing it now does (before its
    end: its open objectives stop being judged, a box to tick), which period is current
    afterwards, and a choice of another to make current as part of closing."""
    org = request.org
    period = get_object_or_404(Period.objects.for_org(org), pk=period_id)
    if period.is_closed:
        messages.info(request, f"{period.name} is already closed.")
        return redirect(_url("periods", request))
    services.require_period_rights(request.person)  # the page only for who may close
    labels = queries.labels(org)
    closing = queries.what_closing_does(org, period)
    form = PeriodCloseForm(
        request.POST if request.method == "POST" else None,
        org=org,
        period=period,
        closing=closing,
        labels=labels,
    )
    if request.method == "POST" and form.is_valid():
        then = form.cleaned_data["then_current"]
        try:
            services.close_period(org, request.person, period, then_current=then)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            after = queries.current_period(org)
            now = (
                f"{after.name} is the current period."
                if after is not None and not after.is_closed
                else "No period is current."
            )
            messages.success(
                request, f"{period.name} is closed; its key-result values are frozen. {now}"
            )
            return redirect(_url("periods", request))
    return render(
        request,
        "alignment/period_close.html",
        _ctx(
            request,
            form=form,
            period=period,
            # Carry over (on the Periods page, once closed) only where there is a later
            # open period to carry into.
            carry_later=CarryOverForm(org=org, period=period).fields["to_period"].queryset.exists(),
            **closing,
        ),
        status=422 if form.is_bound else 200,  # refused: asked again
    )


@org_view
@require_POST
def period_carry_over(request, period_id: int):
    org = request.org

    def act(p):
        form = CarryOverForm(request.POST, org=org, period=p, prefix=f"c{p.pk}")
        if not form.is_valid():
            raise ServiceError("Choose a later open period to carry objectives into.")
        copies = services.carry_over(
            org, request.person, from_period=p, to_period=form.cleaned_data["to_period"]
        )
        labels = queries.labels(org)
        return copies.summary(labels["objective"], labels["objective_plural"])

    return _period_action(request, period_id, act)


# --- objectives --------------------------------------------------------------------------


def _new_objective_period(org, open_periods) -> Period | None:
    """The period a new objective starts in: the current one (`queries.current_period`: the
    one marked current, else the open one containing today) when it is open; else the open
    one nearest today, ahead or behind (`queries.current_period` would give the latest).
    None when every period is closed."""
    today = org_today()
    current = queries.current_period(org, today=today)
    if (
        current is not None
        and not current.is_closed
        and (current.is_current or current.start <= today <= current.end)
    ):
        return current
    ahead = open_periods.filter(start__gt=today).order_by("start", "end", "pk").first()
    behind = open_periods.filter(end__lt=today).order_by("-end", "start", "pk").first()
    if ahead is None or behind is None:
        return ahead or behind
    return ahead if (ahead.start - today) <= (today - behind.end) else behind


@org_view
def objective_new(request):
    org = request.org
    wanted = int_or_none(request.GET.get("period"))
    open_periods = Period.objects.for_org(org).exclude(state=PeriodState.CLOSED)
    period = open_periods.filter(pk=wanted).first() if wanted else None
    initial: dict[str, Any] = {"period": period or _new_objective_period(org, open_periods)}
    parent_id = int_or_none(request.GET.get("parent"))
    if parent_id:
        parent = (
            Objective.objects.for_org(org).select_related("period").filter(pk=parent_id).first()
        )
        initial["parent"] = parent
        if parent and not (initial["period"] and parent.period.encloses(initial["period"])):
            initial["period"] = period or parent.period  # a contribution fits in its parent
    team_slug = slug_or_none(request.GET.get("team"))
    parent = initial.get("parent")
    if request.GET.get("level") == ObjectiveLevel.ORG:
        initial["level"] = ObjectiveLevel.ORG  # an organization objective has no team
    elif team_slug:
        initial["team"] = Team.objects.for_org(org).filter(slug=team_slug).first()
    elif parent is None or parent.team_id is None:
        initial["team"] = _only_team(request.person)
    # A contribution to a team's objective is cascaded to another team, most often one
    # below it, which the form cannot guess: no team is chosen (the person's own is often
    # the parent's team, or above it). Its owner is left empty: the form makes the chosen
    # team's lead its owner on saving (`ObjectiveForm.clean`).
    form = ObjectiveForm(request.POST or None, org=org, initial=initial, person=request.person)
    if request.method == "POST" and request.GET.get("validate"):
        return _validation(form)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        parent, weight = data.pop("parent"), data.pop("weight")
        try:
            objective = services.create_objective(
                org,
                request.person,
                parents=[(parent, weight)] if parent else [],
                again=form.again,
                **data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            lead = form.owner_is_lead
            owned = (
                f" {lead.name}, {objective.team.name}'s lead, owns it."
                if lead is not None and objective.team_id
                else ""
            )
            messages.success(request, f"{objective.title} created.{owned} Now add its key results.")
            return redirect(_url("objective", request, objective_id=objective.pk))
    return render(
        request,
        "alignment/objective_form.html",
        _ctx(request, form=form, obj=None),
        status=422 if form.is_bound else 200,  # refused: shown again as typed
    )


def _only_team(person) -> Team | None:
    """The team a person's new objective or initiative starts in: theirs, when they are in
    exactly one."""
    ids = list(
        Membership.objects.filter(person=person)
        .in_current_teams()
        .values_list("team_id", flat=True)
        .distinct()[:2]
    )
    return Team.objects.filter(pk=ids[0]).first() if len(ids) == 1 else None


def _deleting(request, thing) -> dict[str, Any]:
    """What the page says where Delete is: whether the reader may delete `thing`, who may
    when they may not, and what deleting it takes with it (counted only for those who
    may)."""
    may = services.may_delete(request.person, thing)
    return {
        "may": may,
        "who": services.who_may_delete(thing),
        "sentence": queries.deletion(thing).sentence if may else "",
    }


@org_view
def objective_edit(request, objective_id: int):
    org = request.org
    objective = get_object_or_404(Objective.objects.for_org(org), pk=objective_id)
    # The form only for who may save it (an organization objective: leaders and admins).
    services.require_objective_rights(request.person, objective.level)
    services.require_change_rights(request.person, objective, "objective", "change")
    initial = {
        f: getattr(objective, f)
        for f in ("title", "description", "period", "level", "team", "owner", "status")
    }
    form = ObjectiveForm(
        request.POST or None, org=org, editing=True, initial=initial, person=request.person
    )
    pickers.keep_held(form, objective)
    if request.method == "POST" and request.GET.get("validate"):
        return _validation(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_objective(
                org,
                request.person,
                objective,
                expected_version=int_or_none(request.POST.get("version")),
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            changed = any(initial.get(f) != v for f, v in form.cleaned_data.items())
            if changed:
                messages.success(request, "Saved.")
            else:
                messages.info(request, "Nothing to save: it is as it was.")
            return redirect(_url("objective", request, objective_id=objective.pk))
    return render(
        request,
        "alignment/objective_form.html",
        _ctx(
            request,
            form=form,
            obj=objective,
            deleting=_deleting(request, objective),
            dropped=objective.status == ObjectiveStatus.DROPPED,
        ),
        status=422 if form.is_bound else 200,  # refused: shown again as typed
    )


@org_view
def objective_detail(request, objective_id: int):
    return _objective_page(request, objective_id)


def _objective_page(
    request, objective_id: int, confidence_form: ConfidenceForm | None = None, status: int = 200
):
    """An objective's page; `confidence_form` as posted when recording confidence was
    refused (it keeps what was typed, the error beside its field)."""
    org = request.org
    objective = get_object_or_404(
        Objective.objects.for_org(org).select_related("period", "team", "owner", "carried_from"),
        pk=objective_id,
    )
    krs = list(
        KeyResult.objects.filter(objective=objective)
        .select_related("owner")
        .prefetch_related("initiatives")
    )
    history = queries.value_history([k.pk for k in krs])
    may_edit = services.may_change_objective(request.person, objective)
    objective_may = services.may_change(request.person, objective)  # one query for all
    for k in krs:
        k.pct = kr_progress(k)
        k.may_edit = _may_edit_kr(request, k, objective_may)
        k.spark = sparkline(history.get(k.pk, []), target=_spark_target(k), label=k.name)
        k.points = len(history.get(k.pk, []))
    parent_links = list(objective.parent_links.select_related("parent__team", "parent__period"))
    child_page = paginate(
        request,
        objective.child_links.select_related("child__team", "child__owner").order_by(
            Lower("child__title"), "child_id"
        ),
        per_page=CHILDREN_SHOWN,
    )
    child_links = list(child_page.object_list)
    for link in child_links:
        link.pct = link.child.rollup_progress
    initiatives = list(
        Initiative.objects.for_org(org)
        .filter(
            pk__in=InitiativeObjective.objects.filter(objective=objective).values("initiative_id")
        )
        .select_related("team", "owner")
    )
    kr_initiatives = list(
        Initiative.objects.for_org(org)
        .filter(
            pk__in=InitiativeKeyResult.objects.filter(key_result__objective=objective).values(
                "initiative_id"
            )
        )
        .exclude(pk__in=[i.pk for i in initiatives])
        .select_related("team", "owner")
    )
    confidence = list(
        ConfidenceUpdate.objects.filter(objective=objective)
        .select_related("by")
        .order_by("-at")[:10]
    )
    return render(
        request,
        "alignment/objective_detail.html",
        _ctx(
            request,
            page_path=_url("objective", request, objective_id=objective.pk),
            obj=objective,
            may_edit=may_edit,
            # Values and confidence are for who may change them (`services.may_change`).
            may_set_confidence=services.may_set_confidence(request.person, objective),
            may_update=any(k.may_edit for k in krs),
            progress=objective.rollup_progress,
            # What the progress is the weighted mean of, as its page says it: key results
            # outside their limits count 0 (`progress.py`).
            krs_outside=sum(1 for k in krs if k.weight > 0 and kr_outside_limit(k)),
            contributing=child_page.paginator.count,
            krs=krs,
            parent_links=parent_links,
            child_links=child_links,
            child_page=child_page,
            initiatives=initiatives + kr_initiatives,
            orphaned=objective.orphaned,
            carried_to=list(objective.carried_to.select_related("period").order_by("id")),
            confidence_updates=confidence,
            parent_form=ParentForm(org=org, objective=objective),
            confidence_form=confidence_form
            or ConfidenceForm(initial={"confidence": objective.confidence}),
            closed=objective.period.state == PeriodState.CLOSED,
            history=history_for(org, "alignment.objective", objective.pk),
            panels=web_panels.collect("objective", request, objective),
        ),
        status=status,
    )


def _may_edit_kr(request, k: KeyResult, objective_may: bool) -> bool:
    """Whether the reader may change key result `k` (`services.may_change`), knowing
    whether they may change its objective: its owner and its objective's owner may too. No
    query (its objective is the page's)."""
    person = request.person
    if objective_may:
        return True
    owners = {k.owner_id, k.objective.owner_id} - {None}
    return _can_write(request) and person is not None and person.pk in owners


def _spark_target(k: KeyResult) -> float | None:
    if k.is_milestone:
        return None
    if k.direction == "range":
        return None
    return k.target


@org_view
@require_POST
def objective_delete(request, objective_id: int):
    org = request.org
    objective = get_object_or_404(Objective.objects.for_org(org), pk=objective_id)
    return change_and_redirect(
        request,
        lambda: services.delete_objective(org, request.person, objective),
        f"{objective.title} deleted.",
        _url("index", request),
        failed=_url("objective", request, objective_id=objective_id),
    )


@org_view
@require_POST
def objective_drop(request, objective_id: int):
    """Mark an objective dropped: the alternative to deleting it that keeps its key
    results, their values and its confidence history."""
    org = request.org
    objective = get_object_or_404(Objective.objects.for_org(org), pk=objective_id)
    return change_and_redirect(
        request,
        lambda: services.update_objective(
            org, request.person, objective, status=ObjectiveStatus.DROPPED
        ),
        f"{objective.title} is dropped; its key results and their history are kept.",
        _url("objective", request, objective_id=objective_id),
    )


@org_view
@require_POST
def objective_parent_add(request, objective_id: int):
    org = request.org
    objective = get_object_or_404(Objective.objects.for_org(org), pk=objective_id)
    form = ParentForm(request.POST, org=org, objective=objective)
    if form.is_valid():
        try:
            services.link_objective(
                org,
                request.person,
                objective,
                form.cleaned_data["parent"],
                form.cleaned_data["weight"],
            )
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"Now contributes to {form.cleaned_data['parent'].title}.")
    else:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect(_url("objective", request, objective_id=objective_id))


@org_view
@require_POST
def objective_parent_remove(request, objective_id: int, parent_id: int):
    org = request.org
    objective = get_object_or_404(Objective.objects.for_org(org), pk=objective_id)
    parent = get_object_or_404(Objective.objects.for_org(org), pk=parent_id)
    try:
        services.unlink_objective(org, request.person, objective, parent)
    except ServiceError as exc:
        flash_error(request, exc)
    return redirect(_url("objective", request, objective_id=objective_id))


@org_view
@require_POST
def objective_confidence(request, objective_id: int):
    org = request.org
    objective = get_object_or_404(Objective.objects.for_org(org), pk=objective_id)
    form = ConfidenceForm(request.POST)
    if form.is_valid():
        try:
            services.set_objective_confidence(
                org,
                request.person,
                objective,
                form.cleaned_data["confidence"],
                form.cleaned_data["note"],
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Confidence recorded.")
            return redirect(_url("objective", request, objective_id=objective_id))
    elif "confidence" in form.errors:
        messages.error(request, "Confidence must be a whole number from 1 to 10.")
    else:
        messages.error(request, "Nothing was recorded: the note is refused, see beside it.")
    # Shown again as typed (the note too), the error beside its field.
    return _objective_page(request, objective_id, confidence_form=form, status=422)


# --- key results -------------------------------------------------------------------------


@org_view
def kr_new(request, objective_id: int):
    org = request.org
    objective = get_object_or_404(Objective.objects.for_org(org), pk=objective_id)
    services.require_change_rights(request.person, objective, "objective", "add key results to")
    form = KeyResultForm(request.POST or None, org=org, objective=objective, person=request.person)
    if request.method == "POST" and request.GET.get("validate"):
        return _validation(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_key_result(
                org, request.person, objective, again=form.again, **form.cleaned_data
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['name']} added.")
            if request.POST.get("another"):
                return redirect(_url("kr_new", request, objective_id=objective.pk))
            return redirect(_url("objective", request, objective_id=objective.pk))
    return render(
        request, "alignment/kr_form.html", _ctx(request, form=form, obj=objective, kr=None)
    )


@org_view
def kr_edit(request, kr_id: int):
    org = request.org
    kr = get_object_or_404(KeyResult.objects.for_org(org).select_related("objective"), pk=kr_id)
    # The form only for who may save it.
    services.require_change_rights(request.person, kr, "key result", "change")
    initial = {
        f: getattr(kr, f)
        for f in (
            "name",
            "unit",
            "direction",
            "start",
            "target",
            "range_low",
            "range_high",
            "baseline_date",
            "is_milestone",
            "weight",
            "owner",
        )
    }
    form = KeyResultForm(request.POST or None, org=org, editing=True, initial=initial)
    pickers.keep_held(form, kr)
    if request.method == "POST" and request.GET.get("validate"):
        return _validation(form)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_key_result(
                org,
                request.person,
                kr,
                expected_version=int_or_none(request.POST.get("version")),
                **form.cleaned_data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(
                _next(request, _url("objective", request, objective_id=kr.objective_id))
            )
    return render(
        request,
        "alignment/kr_form.html",
        _ctx(request, form=form, obj=kr.objective, kr=kr, deleting=_deleting(request, kr)),
    )


@org_view
@require_POST
def kr_value(request, kr_id: int):
    """One click plus a number. With htmx, answers with the updated key-result row."""
    from accord.core.errors import NotFound

    org = request.org
    kr = get_object_or_404(KeyResult.objects.for_org(org).select_related("objective"), pk=kr_id)
    form = ValueForm(request.POST, unit=kr.unit)  # "99,96 %" for a key result in %
    error, unusual, entry, refusal = None, False, None, None
    twin = form.is_valid() and _value_twin(kr, request.person, form.cleaned_data)
    if twin:
        error, unusual = twin, True  # asked as a slip is: "Record anyway" records it again
    elif form.is_valid():
        try:
            entry = services.record_key_result_value(
                org,
                request.person,
                kr,
                form.cleaned_data["value"],
                form.cleaned_data["note"],
                as_of=form.cleaned_data["as_of"],
                check_unusual=not form.cleaned_data["record_anyway"],
                again=form.cleaned_data["record_anyway"],
            )
        except ServiceError as exc:
            error, unusual, refusal = exc.message, exc.code == "unusual_value", exc
    elif "value" in form.errors:
        unit = f" in {kr.unit}" if kr.unit else ""
        error = f"{kr.name}: enter a number{unit} (you gave {request.POST.get('value', '')!r})."
    elif "as_of" in form.errors:
        error = f"{kr.name}: check the “as of” day. {form.errors['as_of'][0]}"
    else:  # the number was fine: the note is what was refused (too long)
        note = request.POST.get("note", "")
        limit = ValueForm.base_fields["note"].max_length
        error = f"{kr.name}: the note is too long ({len(note)} characters, at most {limit})."
    if request.headers.get("HX-Request"):
        kr.refresh_from_db()
        kr.pct = kr_progress(kr)
        history = queries.value_history([kr.pk])
        kr.spark = sparkline(history.get(kr.pk, []), target=_spark_target(kr), label=kr.name)
        kr.may_edit = _may_edit_kr(request, kr, services.may_change(request.person, kr.objective))
        template = request.POST.get("row", "kr_row")
        template = template if template in ("kr_row", "my_kr_row") else "kr_row"
        response = render(
            request,
            f"alignment/_{template}.html",
            _ctx(
                request,
                k=kr,
                error=error,
                obj=kr.objective,
                may_update=True,  # the row was offered its form
                closed=False,
                # a refused value is shown again as typed, next to its error; the row keeps
                # the page it was on (not this address) for a later submit without htmx
                typed=request.POST.get("value", "") if error else None,
                unusual=unusual,  # a value that looks like a slip: the row asks to confirm
                back=_next(request, request.path),
            ),
        )
        if not error:
            response["HX-Trigger"] = "kr-updated"
        return response
    back = _next(request, _url("objective", request, objective_id=kr.objective_id))
    if error:
        # Asked before it is recorded (unusual), or refused: a plain form (no script
        # needed) with the value, note and day as typed, beside what was wrong.
        if isinstance(refusal, PermissionDenied | NotFound):
            raise refusal  # answered 403 or 404, not as a form that could never be saved
        fields = list(refusal.fields) if refusal is not None else list(form.errors)
        return render(
            request,
            "alignment/kr_value_confirm.html",
            _ctx(
                request,
                kr=kr,
                obj=kr.objective,
                error=error,
                form=form,
                back=back,
                unusual=unusual,
                invalid=fields[0] if fields else "value",  # the box the error is about
            ),
            status=422,
        )
    if entry is not None and entry.newer is not None:
        messages.success(request, _back_dated(kr, entry))
    else:
        messages.success(request, f"{kr.name} updated.")
    return redirect(back)


def _value_twin(kr: KeyResult, person, data: dict) -> str:
    """Why the value posted looks like the one its person recorded a moment ago (Back,
    then submit again), "" if it does not (`queries.value_twin`)."""
    if data.get("record_anyway"):
        return ""
    try:
        at = services.value_moment(data["as_of"], kr) if data.get("as_of") else None
        found = queries.value_twin(kr, person, float(data["value"]), data.get("note") or "", at)
    except (TypeError, ValueError, ServiceError):
        found = None
    if found is None:
        return ""
    last, at = found
    unit = f" {kr.unit}" if kr.unit else ""
    return (
        f"{kr.name}: you recorded {num(last.value)}{unit} at "
        f"{timezone.localtime(at):%H:%M}, a moment ago. Tick “Record anyway” "
        "to record the same value a second time."
    )


def _back_dated(kr: KeyResult, entry) -> str:
    """What the page says of a value dated before the newest: added to the history, not
    the current value ("Velocity: recorded for 3 Nov 2025 in its history; the current
    value stays 42 % (12 Nov 2025)")."""
    kr.refresh_from_db(fields=["current", "done"])
    if kr.is_milestone:
        current = "done" if kr.done else "not done"
    else:
        current = f"{num(kr.current)}{' ' + kr.unit if kr.unit else ''}"
    dated = day(timezone.localtime(entry.recorded_at))
    newest = day(timezone.localtime(entry.newer.recorded_at))
    return (
        f"{kr.name}: recorded for {dated} in its history; the current value stays "
        f"{current} ({newest}), the newest."
    )


@org_view
@require_POST
def kr_value_void(request, kr_id: int, value_id: int):
    """Remove a mistaken recorded value (services.void_key_result_value), back to the
    key result's page."""
    org = request.org
    entry = get_object_or_404(
        KeyResultValue.objects.for_org(org).filter(key_result_id=kr_id), pk=value_id
    )
    form = VoidValueForm(request.POST)
    if not form.is_valid():
        said = " ".join(form.errors.get("reason", []))
        messages.error(request, f"The reason is refused: {said} Nothing was removed.")
    else:
        try:
            kr = services.void_key_result_value(
                org, request.person, entry, form.cleaned_data["reason"]
            )
        except ServiceError as exc:
            flash_error(request, exc)  # 403 and 404 answer as such
        else:
            messages.success(request, f"Value removed; {kr.name} is now {kr.current:g}.")
    return redirect(_url("key_result", request, kr_id=kr_id))


@org_view
@require_POST
def kr_delete(request, kr_id: int):
    org = request.org
    kr = get_object_or_404(
        KeyResult.objects.for_org(org).select_related("objective__period"), pk=kr_id
    )
    return change_and_redirect(
        request,
        lambda: services.delete_key_result(org, request.person, kr),
        f"{kr.name} deleted.",
        _url("objective", request, objective_id=kr.objective_id),
    )


KR_VALUES_SHOWN = 200  # recorded values drawn and listed on a key result's page


@org_view
def key_result_detail(request, kr_id: int):
    """A key result's own page: its numbers and pace, its recorded values, the work that
    serves it, its history and its comments."""
    org = request.org
    kr = get_object_or_404(
        KeyResult.objects.for_org(org).select_related(
            "owner", "objective__period", "objective__team", "objective__owner"
        ),
        pk=kr_id,
    )
    objective, period = kr.objective, kr.objective.period
    values = list(
        KeyResultValue.objects.filter(key_result=kr)
        .select_related("recorded_by")
        .order_by("-recorded_at", "-id")[:KR_VALUES_SHOWN]
    )
    kr.pct = kr_progress(kr)
    closed = period.state == PeriodState.CLOSED
    if not closed and _can_write(request) and len(values) > 1:
        # Who may remove a mistaken value: its recorder, or who may remove any (one query).
        any_value = services.voids_any_value(request.person, kr)
        for v in values:
            v.may_void = any_value or v.recorded_by_id == request.person.pk
    points = [(v.recorded_at, v.value) for v in reversed(values)]
    chart = sparkline(points, target=_spark_target(kr), width=560, height=120, label=kr.name)
    # Its pace runs to the period's end from its baseline date, else the day its history
    # opened when past the period's first weeks (as the key_results.off_pace signal counts).
    first = values[-1].recorded_at if values else None
    if kr.baseline_date is None and len(values) >= KR_VALUES_SHOWN:
        first = (
            KeyResultValue.objects.filter(key_result=kr)
            .order_by("recorded_at")
            .values_list("recorded_at", flat=True)
            .first()
        )
    opened = min((t for t in (first, kr.created_at) if t), default=None)
    # The share gone on the organization's day, as the signals count it: the same for all.
    elapsed, pace_from = kr_pace_share(
        org_today(), period.start, period.end, kr.baseline_date, opened
    )
    today = org_today()
    return render(
        request,
        "alignment/kr_detail.html",
        _ctx(
            request,
            kr=kr,
            obj=objective,
            period=period,
            owner=kr.owner or objective.owner,
            may_edit=(may_edit := services.may_change(request.person, kr)),
            # Who may, said where the form would be for a member who may not.
            who_may=None if may_edit else services.who_may_change(kr),
            pace=kr_pace(kr.pct, kr.direction, kr.is_milestone, elapsed),
            pace_from=pace_from,
            values=values,
            chart=chart,
            initiatives=list(kr.initiatives.select_related("team", "owner").order_by("title")),
            closed=closed,
            today=today,  # the latest day a value may be "as of"
            first_day=services.first_value_day(kr),  # and the earliest
            history=history_for(org, "alignment.keyresult", kr.pk),
            panels=web_panels.collect("key_result", request, kr),
        ),
    )


# --- initiatives -------------------------------------------------------------------------


@org_view
def initiative_new(request):
    org = request.org
    initial: dict[str, Any] = {}
    team_slug = slug_or_none(request.GET.get("team"))
    if team_slug:
        initial["team"] = Team.objects.for_org(org).filter(slug=team_slug).first()
    else:
        initial["team"] = _only_team(request.person)
    if int_or_none(request.GET.get("key_result")):
        initial["serves"] = KeyResult.objects.for_org(org).filter(pk=request.GET["key_result"])
    if int_or_none(request.GET.get("objective")):
        initial["serves_objectives"] = Objective.objects.for_org(org).filter(
            pk=request.GET["objective"]
        )
    form = InitiativeForm(request.POST or None, org=org, initial=initial, person=request.person)
    if request.method == "POST" and request.GET.get("validate"):
        return _validation(form)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        krs, objs = data.pop("serves"), data.pop("serves_objectives")
        try:
            initiative = services.create_initiative(
                org, request.person, key_results=krs, objectives=objs, again=form.again, **data
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{initiative.title} created.")
            return redirect(_url("initiative", request, initiative_id=initiative.pk))
    return render(request, "alignment/initiative_form.html", _ctx(request, form=form, item=None))


@org_view
def initiative_edit(request, initiative_id: int):
    org = request.org
    item = get_object_or_404(Initiative.objects.for_org(org), pk=initiative_id)
    # The form only for who may save it.
    services.require_change_rights(request.person, item, "initiative", "change")
    initial = {
        f: getattr(item, f)
        for f in (
            "title",
            "description",
            "team",
            "owner",
            "start_date",
            "target_date",
            "effort_weeks",
            "progress",
            "stage",
        )
    }
    form = InitiativeForm(
        request.POST or None, org=org, editing=True, initial=initial, person=request.person
    )
    pickers.keep_held(form, item)
    if request.method == "POST" and request.GET.get("validate"):
        return _validation(form)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            services.update_initiative(
                org,
                request.person,
                item,
                expected_version=int_or_none(request.POST.get("version")),
                reason=reason,
                **data,
            )
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Saved.")
            return redirect(_url("initiative", request, initiative_id=item.pk))
    return render(request, "alignment/initiative_form.html", _ctx(request, form=form, item=item))


@org_view
def initiative_detail(request, initiative_id: int):
    org = request.org
    item = get_object_or_404(
        Initiative.objects.for_org(org).select_related("team", "owner"), pk=initiative_id
    )
    krs = list(item.key_results.select_related("objective"))
    for k in krs:
        k.pct = kr_progress(k)
    links = list(
        InitiativeLink.objects.for_org(org)
        .filter(Q(from_initiative=item) | Q(to_initiative=item))
        .select_related("from_initiative", "to_initiative")
        .order_by("id")
    )
    # Its rank now, out of how many: the history's ranks are those it had at the time
    # (moves of other initiatives shift it without an event of its own).
    stack_size = (
        Initiative.objects.for_org(org)
        .filter(team_id=item.team_id, status=InitiativeStatus.ACTIVE)
        .count()
        if item.rank and item.status == InitiativeStatus.ACTIVE
        else 0
    )
    return render(
        request,
        "alignment/initiative_detail.html",
        _ctx(
            request,
            item=item,
            stack_size=stack_size,
            krs=krs,
            objectives=list(item.objectives.select_related("team")),
            replans=list(Replan.objects.filter(initiative=item).select_related("by")),
            status_form=StatusForm(initial={"status": item.status}),
            link_form=InitiativeLinkForm(org=org),
            replaces=[link for link in links if link.from_initiative_id == item.pk],
            replaced_by=[link for link in links if link.to_initiative_id == item.pk],
            replacement_form=ReplacementForm(org=org, item=item),
            history=history_for(org, "alignment.initiative", item.pk),
            panels=web_panels.collect("initiative", request, item),
            may_delete=services.may_delete(request.person, item),
            may_edit=services.may_change(request.person, item),
        ),
    )


@org_view
def initiative_delete(request, initiative_id: int):
    """Delete an initiative: the page asks first, saying what goes with it and what
    happens to the dependencies and decisions resting on it, and offers Mark dropped,
    which keeps everything; its form deletes (`services.delete_initiative`)."""
    org = request.org
    item = get_object_or_404(
        Initiative.objects.for_org(org).select_related("team", "owner"), pk=initiative_id
    )
    if request.method == "POST":
        return change_and_redirect(
            request,
            lambda: services.delete_initiative(org, request.person, item),
            f"{item.title} deleted.",
            _url("team", request, team_slug=item.team.slug),
            failed=_url("initiative", request, initiative_id=item.pk),
        )
    services.require_delete_rights(request.person, item, "initiative")
    return render(
        request,
        "alignment/initiative_delete.html",
        _ctx(
            request,
            item=item,
            sentence=queries.deletion(item).sentence,
            ties=queries.ties(item),
            dropped=item.status == InitiativeStatus.DROPPED,
        ),
    )


@org_view
@require_POST
def initiative_status(request, initiative_id: int):
    org = request.org
    item = get_object_or_404(
        Initiative.objects.for_org(org).select_related("team"), pk=initiative_id
    )
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.set_initiative_status(
                org,
                request.person,
                item,
                form.cleaned_data["status"],
                form.cleaned_data["reason"],
                override_reason=form.cleaned_data["override_reason"],
            )
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, f"{item.title} is now {form.cleaned_data['status']}.")
    else:
        messages.error(request, "Choose a status.")
    return redirect(_next(request, _url("initiative", request, initiative_id=item.pk)))


@org_view
@require_POST
def initiative_link(request, initiative_id: int):
    org = request.org
    item = get_object_or_404(Initiative.objects.for_org(org), pk=initiative_id)
    if request.POST.get("link") == "replacement":
        return _replacement_link(request, item)
    form = InitiativeLinkForm(request.POST, org=org)
    if form.is_valid():
        try:
            services.link_initiative(org, request.person, item, **form.cleaned_data)
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "Linked.")
    else:
        messages.error(request, "Choose one key result or one objective.")
    return redirect(_url("initiative", request, initiative_id=item.pk))


@org_view
@require_POST
def initiative_unlink(request, initiative_id: int):
    org = request.org
    item = get_object_or_404(Initiative.objects.for_org(org), pk=initiative_id)
    if request.POST.get("replacement"):
        link = get_object_or_404(
            InitiativeLink.objects.for_org(org)
            .filter(Q(from_initiative=item) | Q(to_initiative=item))
            .select_related("from_initiative", "to_initiative"),
            pk=int_or_none(request.POST.get("replacement")) or 0,
        )
        try:
            services.unlink_initiatives(
                org, request.person, link.from_initiative, link.to_initiative, link.kind
            )
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "Link removed.")
        return redirect(_url("initiative", request, initiative_id=item.pk))
    kr = (
        KeyResult.objects.for_org(org)
        .filter(pk=int_or_none(request.POST.get("key_result")))
        .first()
    )
    obj = (
        Objective.objects.for_org(org).filter(pk=int_or_none(request.POST.get("objective"))).first()
    )
    try:
        services.unlink_initiative(org, request.person, item, key_result=kr, objective=obj)
    except ServiceError as exc:
        flash_error(request, exc)
    return redirect(_url("initiative", request, initiative_id=item.pk))


def _replacement_link(request, item: Initiative):
    """This initiative replaces another, or is replaced by it (stored once, as "replaces")."""
    org = request.org
    form = ReplacementForm(request.POST, org=org, item=item)
    if not form.is_valid():
        if not _can_write(request):
            raise PermissionDenied("Only a member or above may link initiatives.")
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(_url("initiative", request, initiative_id=item.pk))
    other = form.cleaned_data["other"]
    newer, older = (item, other) if form.cleaned_data["direction"] == "replaces" else (other, item)
    try:
        services.link_initiatives(org, request.person, newer, older, "replaces")
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, f"{newer.title} replaces {older.title}.")
    return redirect(_url("initiative", request, initiative_id=item.pk))


# --- a team's alignment ------------------------------------------------------------------


@org_view
def team(request, team_slug: str):
    org = request.org
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    periods, period = _chosen_period(request)
    objectives: list[Objective] = []
    team_progress = None
    if period is not None:
        objectives = list(
            Objective.objects.for_org(org)
            .filter(team=team, period=period)
            .select_related("owner")
            .annotate(kr_count=Count("key_results"))
            .order_by("title")
        )
        for o in objectives:
            o.pct = o.rollup_progress
        team_progress = queries.team_progress(org, team, period)
    stack = queries.priority_stack(org, team)
    next_up = queries.next_up(org, team)
    paused = list(
        Initiative.objects.for_org(org)
        .filter(team=team, status=InitiativeStatus.PAUSED)
        .select_related("owner")
        .order_by("title")
    )
    # A department (a team with teams below it): its own figures say they are its own, and
    # the figures of it with the teams below it (bounded, whatever their number) give the
    # picture its head reads; an empty stack of its own is not "nothing going on".
    department = (
        queries.department_figures(org, team, period, WIP_SHOWN) if has_sub_teams(team) else None
    )
    return render(
        request,
        "alignment/team.html",
        _ctx(
            request,
            team=team,
            periods=periods,
            period=period,
            objectives=objectives,
            team_progress=team_progress,
            orphaned_count=sum(1 for o in objectives if o.orphaned),
            stack=stack,
            next_up=next_up,
            paused=paused,
            unaligned=list(queries.unaligned_initiatives(org, team=team)),
            can_rank=permissions.can_manage_team(request.person, team),
            may_set=services.acts_for(request.person, team),  # its New buttons
            wip_form=WipForm(initial={"wip_limit": stack.wip_limit}),
            department=department,
            has_own_work=bool(stack.items or next_up or paused),
        ),
    )


@org_view
@require_POST
def stack_move(request, team_slug: str):
    """Move one initiative in the team's stack. JSON in and out for the drag-and-drop
    (`{"initiative_id", "position"}`), or a plain form post (the keyboard buttons)."""
    return _move_in_list(request, team_slug, next_up=False)


@org_view
@require_POST
def next_up_move(request, team_slug: str):
    """Move one proposed initiative in the team's Next up list, as `stack_move` does in
    its stack."""
    return _move_in_list(request, team_slug, next_up=True)


def _move_in_list(request, team_slug: str, *, next_up: bool):
    org = request.org
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    wants_json = request.content_type == "application/json"
    if wants_json:
        try:
            data = json.loads(request.body or b"{}")
        except ValueError:
            return HttpResponseBadRequest("Send JSON.")
    else:
        data = request.POST
    item = (
        Initiative.objects.for_org(org)
        .filter(team=team, pk=int_or_none(data.get("initiative_id")))
        .first()
    )
    position = data.get("position")
    said = ""
    # Back to the page as it was shown: the arrow buttons post to this address with the
    # page's query string (`?period=`, and any other choice), kept on the way back.
    query = request.GET.urlencode()
    back = _url("team", request, team_slug=team.slug) + (f"?{query}" if query else "")
    try:
        if item is None:
            raise ServiceError(
                "No such initiative in this team.", fields={"initiative_id": ["Unknown."]}
            )
        with transaction.atomic():
            # "up"/"down" (the arrow buttons): one place from where the item is now, which
            # may not be where the page showed it (moved since, by a drag or by someone).
            Team.objects.select_for_update().get(pk=team.pk)  # stack moves are serialised
            listed = Initiative.objects.for_org(org).filter(team=team)
            if next_up:
                listed = listed.filter(status=InitiativeStatus.PROPOSED).order_by(
                    F("next_rank").asc(nulls_last=True), "id"
                )
            else:
                listed = listed.filter(status=InitiativeStatus.ACTIVE).order_by("rank", "id")
            now = list(listed.values_list("pk", flat=True))
            at = now.index(item.pk) + 1 if item.pk in now else None
            if position in ("up", "down") and at is not None:
                position = max(1, min(len(now), at + (-1 if position == "up" else 1)))
            shown = int_or_none(data.get("shown"))  # the place the page showed it at
            if shown and at and shown != at:
                said = (
                    f"The order changed since you loaded it: {item.title} was at {at}, "
                    f"not {shown}. "
                )
            move = services.move_in_next_up if next_up else services.move_in_stack
            order = move(org, request.person, item, position)
    except ServiceError as exc:
        if wants_json:
            status = exc.status if exc.status != 400 else 422
            return JsonResponse(
                {"error": {"code": exc.code, "message": exc.message}}, status=status
            )
        flash_error(request, exc)
        return redirect(back)
    if wants_json:
        return JsonResponse({"order": order})
    # The keyboard's arrow buttons: back to the same button of the item moved (stack.js
    # focuses it; the other one where the item reached the top or the bottom: the page's
    # #anchor names a button shown, as a hidden one would take the focus away).
    at = order.index(item.pk) + 1
    messages.success(request, f"{said}{item.title} moved to position {at}.")
    moved = data.get("moved")
    if (moved, at) in (("up", 1), ("down", len(order))) and len(order) > 1:
        moved = "down" if moved == "up" else "up"
    section = "next-up" if next_up else "stack"
    anchor = f"move-{item.pk}-{moved}" if moved in ("up", "down") else section
    return redirect(back + "#" + anchor)


@org_view
@require_POST
def team_wip(request, team_slug: str):
    org = request.org
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    form = WipForm(request.POST)
    if form.is_valid():
        try:
            services.set_wip_limit(org, request.person, team, form.cleaned_data["wip_limit"])
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "WIP limit saved.")
    else:
        messages.error(request, "The WIP limit must be a whole number from 1 to 1000, or empty.")
    return redirect(_url("team", request, team_slug=team.slug) + "#stack")


# --- settings ----------------------------------------------------------------------------


@org_view
def settings(request):
    org = request.org
    labels = queries.labels(org)
    form = LabelsForm(
        request.POST or None,
        initial={f"{k}_label": labels[k] for k in ("objective", "key_result", "initiative")},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.set_labels(org, request.person, **form.cleaned_data)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "Names saved.")
            return redirect(_url("settings", request))
    return render(request, "alignment/settings.html", _ctx(request, form=form))


# --- the initiatives list ----------------------------------------------------------------

INITIATIVES_PAGE = 50


def _initiative_figures(request, what: str, counts: dict[str, Any]) -> dict[str, int]:
    """`figures` of the initiatives the URL's filters keep (50,000 at 10,000 teams): the
    list's total (`what` "list") or the board's columns ("board")."""
    key = f"initiative-{what}:{request.org.pk}:{filters_digest(request)}"
    return figures(key, counts)


def _initiatives_page(request, form) -> tuple[Window, int, int | None]:
    """A page of the filtered initiatives, read without counting them, with how many
    there are (a figure) and how many pages, when the two agree (`pages_of`)."""
    qs = queries.initiative_list(request.org, form.filters())
    page = paginate_uncounted(request, qs, INITIATIVES_PAGE)
    total = _initiative_figures(request, "list", {"initiatives": qs})["initiatives"]
    return page, total, pages_of(total, page)


@org_view
def initiatives(request):
    """Every initiative of the organization, or of a team and the teams below it, cut by
    the filters in the URL; the API's `GET /initiatives` reads the same query."""
    org = request.org
    form = InitiativeFilterForm(request.GET, org=org)
    page = total = page_count = None
    if form.is_valid():  # a bad filter (another organization's team, say) lists nothing
        page, total, page_count = _initiatives_page(request, form)
        rows = page.object_list
        today = org_today()
        for i in rows:
            i.late = bool(  # type: ignore[attr-defined]
                i.status in OPEN_INITIATIVE_STATUSES and i.target_date and i.target_date < today
            )
            i.open = i.status in OPEN_INITIATIVE_STATUSES  # type: ignore[attr-defined]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alignment/initiatives.html",
        _ctx(
            request,
            form=form,
            page=page,
            total=total,
            page_count=page_count,
            sort=request.GET.get("sort", ""),
            team=form.cleaned_data.get("team") if page is not None else None,
            query_string=query.urlencode(),
            saved=saved_views(org, request.person, request.path),
        ),
        status=200 if page is not None else 400,
    )


BOARD_COLUMN = 25  # cards shown per status column of the board


@org_view
def initiatives_board(request):
    """The same filtered list as columns by status: each column its first cards and its
    count (two queries a column, whatever the organization's size)."""
    org = request.org
    form = InitiativeFilterForm(request.GET, org=org)
    columns = []
    if form.is_valid():
        f = form.filters()
        if f.status == OPEN_STATUS:
            wanted = list(OPEN_INITIATIVE_STATUSES)
        else:
            wanted = [f.status] if f.status else [value for value, _ in InitiativeStatus.choices]
        f.status = ""
        qs = queries.initiative_list(org, f)
        shown = [(value, label) for value, label in InitiativeStatus.choices if value in wanted]
        counts = _initiative_figures(request, "board", {v: qs.filter(status=v) for v, _ in shown})
        for value, label in shown:
            columns.append(
                {
                    "status": value,
                    "label": label,
                    "cards": list(qs.filter(status=value)[:BOARD_COLUMN]),
                    "count": counts[value],
                }
            )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alignment/initiatives_board.html",
        _ctx(
            request,
            form=form,
            columns=columns,
            cards=[card for column in columns for card in column["cards"]],
            valid=form.is_valid(),
            team=form.cleaned_data.get("team") if form.is_valid() else None,
            query_string=query.urlencode(),
            saved=saved_views(org, request.person, request.path),
        ),
        status=200 if form.is_valid() else 400,
    )


# --- the initiatives timeline ------------------------------------------------------------


@org_view
def initiatives_timeline(request):
    """The initiatives list's page (same filters, sort and page size) on a time axis, with
    the dependencies that touch its initiatives: a bounded number of queries whatever the
    organization's size (`timeline.build` reads the dependencies in one)."""
    from accord.alignment import timeline

    org = request.org
    form = InitiativeFilterForm(request.GET, org=org)
    page = chart = total = page_count = None
    if form.is_valid():
        page, total, page_count = _initiatives_page(request, form)
        chart = timeline.build(org, page.object_list, today=org_today())
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "alignment/initiatives_timeline.html",
        _ctx(
            request,
            form=form,
            page=page,
            total=total,
            page_count=page_count,
            chart=chart,
            # Address prefixes, reversed once for the page's many links ("…/<id>/").
            initiative_href=_url("initiative", request, initiative_id=0)[:-2],
            milestones_href=_url("milestones", request),
            dependency_href=reverse(
                "coordination:detail", kwargs={"org_slug": org.slug, "dep_id": 0}
            )[:-2],
            team=form.cleaned_data.get("team") if page is not None else None,
            query_string=query.urlencode(),
            saved=saved_views(org, request.person, request.path),
        ),
        status=200 if page is not None else 400,
    )


# --- a period's scorecard ------------------------------------------------------------------


@org_view
def scorecard(request):
    """A period's scorecard of a department (`?period=`, `?team=<slug>`: the team and the
    teams below it; the whole organization without one): its objectives' progress,
    confidence now and when the period began, status and what slipped. `?format=csv` gives
    the same rows as a CSV; printed, the page is the table alone (print.css)."""
    from urllib.parse import urlencode

    from django.http import HttpResponse
    from django.utils.text import slugify

    from accord.alignment import scorecard as card
    from accord.core import csvsafe
    from accord.web.helpers import team_filter

    org = request.org
    periods, period = _chosen_period(request)
    team, _ = team_filter(request)
    found, more = card.rows(org, period, team) if period is not None else ([], False)
    if request.GET.get("format") == "csv":
        if period is None:
            raise Http404("No period yet.")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        csvsafe.writer(response).writerows(card.csv_rows(found))
        name = f"{org.slug}-scorecard-{slugify(period.name)}"
        if team is not None:
            name += f"-{team.slug}"
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    return render(
        request,
        "alignment/scorecard.html",
        _ctx(
            request,
            periods=periods,
            period=period,
            team=team,
            rows=found,
            more=more,
            rows_max=card.ROWS_MAX,
            slipped=sum(1 for r in found if r.slipped),
            team_picker=pickers.team_filter_picker(
                org, team, id="sc-team", placeholder="Whole organization"
            ),
            csv_query=urlencode(
                {
                    **({"period": period.pk} if period else {}),
                    **({"team": team.slug} if team else {}),
                }
            ),
            tab="scorecard",
        ),
    )
