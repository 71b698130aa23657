"""Pages that span apps: the landing redirect, home, the activity feed, placeholders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accord.activity import describe
from accord.activity import queries as activity_queries
from accord.activity.models import Event
from accord.activity.queries import name_references
from accord.core import health
from accord.core.errors import ServiceError
from accord.intelligence.queries import resolve_links
from accord.org.middleware import last_org
from accord.org.models import Membership, Person, Role, Team, TeamState
from accord.org.queries import headcount
from accord.web import getting_started, panels
from accord.web.context import organizations
from accord.web.helpers import (
    flash_error,
    org_view,
    own_settings,
    paginate_uncounted,
)
from accord.web.work import work_of


@login_required
def root(request):
    orgs = organizations(request)
    last = last_org(request)  # kept across sign-ins, in this browser
    for org in orgs:
        if org["slug"] == last:
            return redirect("web:home", org_slug=org["slug"])
    if len(orgs) == 1:
        return redirect("web:home", org_slug=orgs[0]["slug"])
    # Where this login's person was deactivated: said as such, not "not a member yet".
    switched_off = (
        []
        if orgs
        else list(
            Person.objects.filter(user=request.user, is_active=False)
            .select_related("org")
            .order_by("org__name")
            .values_list("org__name", flat=True)[:20]
        )
    )
    return render(request, "web/choose_org.html", {"orgs": orgs, "switched_off": switched_off})


def healthz(request):
    """For load balancers and probes: 200 when the database and the task queue answer,
    else 503 naming what failed (`{"status": "failing", "failed": {"tasks": "…"}}`)."""
    results = health.checks()
    failed = {name: problem for name, problem in results.items() if problem}
    if failed:
        return JsonResponse({"status": "failing", "failed": failed}, status=503)
    return JsonResponse({"status": "ok"})


def linked(org, events: list[Event]) -> list[Event]:
    """Each event with `target_url`, the page of what it changed, or of what a comment
    is on (`Event.subject`; None for what has no page of its own or is gone), as
    signals' evidence links (`resolve_links`)."""
    found = resolve_links(
        org, [{"target_type": e.subject_type, "target_id": e.subject_id} for e in events]
    )
    for event, item in zip(events, found, strict=True):
        event.target_url = item["url"]
    return events


@org_view
def home(request):
    org, me = request.org, request.person
    my_memberships = list(
        Membership.objects.for_org(org)
        .filter(person=me)
        .select_related("team")
        .order_by("team__name")
    )
    my_teams = [m.team for m in my_memberships if m.team.state != TeamState.RETIRED]
    recent = home_feed(org, me, my_teams)[:HOME_RECENT]
    recent = linked(org, name_references(org, activity_queries.shown_to(recent, me)))
    counts = headcount(org)
    return render(
        request,
        "web/home.html",
        {
            "my_memberships": my_memberships,
            # The next check-in owed is in the rhythm panel's "Check-ins owed".
            "work": work_of(org, me, me, next_checkin=False),
            "recent": recent,
            # Whose recent activity: the reader's teams (and the teams below them), else
            # the organization's.
            "recent_teams": my_teams,
            "counts": counts,
            # Admins of a young organization: the steps to set it up (hidden once done).
            "getting_started": getting_started.card(org, me, counts),
            "panels": panels.collect("home", request),
        },
    )


HOME_RECENT = 12  # events home's "Recent activity" shows


def home_feed(org, me, teams=None):
    """Home's "Recent activity": what people did about the reader's current `teams` and
    the teams below them (read here when not given), as the Activity page's team filter
    reads them; the organization's for someone in no team (a viewer, an admin of no
    team). From the feed (`activity.queries.feed`, which leaves out sign-ins), less
    Accord's own events (what its checks mark as overdue, stuck or late, a round's missed
    check-ins: a fresh organization's whole page, all at one minute) and the accounts
    admins keep (who was given a login, a password or a sign-in link) unless the reader
    is an admin, and everyone's personal settings and reading
    (`activity.queries.PERSONAL_KINDS`: what they muted, how Accord reaches them), the
    reader's own too: nobody's news. The full feed,
    Accord's marks and the reader's own settings with it, stays on the Activity page. The
    organization's is read newest first off the index of people's events (org, created
    at, id where there is an actor), which skips Accord's however many came last; a
    team's off the teams' indexes (`activity.queries.of_teams`)."""
    if teams is None:
        teams = list(
            Team.objects.for_org(org)
            .current()
            .filter(pk__in=Membership.objects.filter(person=me).values("team_id"))
        )

    def people_did(events):
        events = events.filter(actor__isnull=False)
        events = events.exclude(target_type__in=activity_queries.PERSONAL_KINDS).exclude(
            verb__in=activity_queries.PERSONAL_VERBS
        )
        if not me.has_role(Role.ADMIN):
            events = events.exclude(verb__in=activity_queries.ACCOUNT_VERBS)
        return events

    return activity_queries.feed(org, me, teams=teams, also=people_did)


@org_view
def activity(request):
    """The event log, newest first: of one kind of object, one person (chosen through the
    search box), a team and the teams below it (or the team alone) and/or a range of days;
    what is not understood (an unknown kind or team too) is left out and named. The line
    under the filters says every filter in force; an empty page says nothing matches."""
    from urllib.parse import urlencode

    from accord.activity.forms import ActivityFilterForm
    from accord.web.pickers import team_filter_picker

    form = ActivityFilterForm(request.GET or None, org=request.org)
    filters = form.valid_filters()
    kind = filters.get("target_type", "")
    team, only = filters.get("team"), filters.get("only", False)
    events = activity_queries.feed(request.org, request.person, **filters)
    page = paginate_uncounted(request, events, per_page=50)
    if request.headers.get("HX-Request"):
        template, types = "web/_events.html", []
    else:
        template = "web/activity.html"
        types = activity_queries.kinds_offered(request.org, request.person, kind)
    # What the next page's link carries: the filters in force.
    kept = {"type": kind, "actor": filters.get("actor_id")}
    kept |= {"team": team.slug if team else None, "only": "1" if team and only else None}
    kept |= {k: filters[k].isoformat() for k in ("since", "until") if k in filters}
    return render(
        request,
        template,
        {
            "page": page,
            "events": linked(
                request.org,
                name_references(
                    request.org, activity_queries.shown_to(page.object_list, request.person)
                ),
            ),
            "types": types,
            "type": kind,
            "form": form,
            "team": team,
            "only": only,
            # What the summary line names: the filters in force.
            "kind_title": describe.kind_title(kind) if kind else "",
            "actor": form.cleaned_data.get("actor") if "actor_id" in filters else None,
            "since": filters.get("since"),
            "until": filters.get("until"),
            "filtered": bool(filters),
            "team_picker": team_filter_picker(
                request.org, team, id="team-pick", placeholder="Every team"
            )
            if not request.headers.get("HX-Request")
            else "",
            "filter_query": urlencode({k: v for k, v in kept.items() if v}),
        },
    )


class PasswordChange(auth_views.PasswordChangeView):
    """Change your password without leaving the organization you are in."""

    template_name = "web/password_change.html"

    def get_success_url(self) -> str:
        return reverse("web:home", kwargs={"org_slug": self.request.org.slug})

    def form_valid(self, form):
        messages.success(self.request, "Your password was changed. It is in effect now.")
        return super().form_valid(form)


password_change = org_view(own_settings(PasswordChange.as_view()))


def history_for(org, target_type: str, target_id: int, limit: int = 30, *, viewer=None, also=None):
    """Events about one object, newest first — the per-object history panel; a person's
    as `viewer` may read them (`activity.queries.seen_by`, `shown_to`). `also`: (type, ids)
    of the objects that belong to it whose events are its history too (a team's terms)."""
    # The (org, target, created_at, id) index serves both the filter and the order.
    about = Q(target_type=target_type, target_id=str(target_id))
    if also is not None and also[1]:
        about |= Q(target_type=also[0], target_id__in=[str(i) for i in also[1]])
    events = Event.objects.for_org(org).filter(about)
    if viewer is not None:
        events = activity_queries.seen_by(events, viewer)
    events = events.select_related("actor").order_by("-created_at", "-id")[:limit]
    shown = name_references(org, activity_queries.shown_to(events, viewer))
    for e in shown:  # the panel names what is not the page's own object
        e.elsewhere = e.target_type != target_type
    return shown


@org_view
def pick(request, kind: str):
    """A form's search box asks here for the few things whose name matches what was typed.

    Anyone in the organization may ask (viewers filter lists with these boxes too); the
    answer never holds more than `pickers.SEARCH_LIMIT` rows of this organization."""
    from django.http import Http404, HttpResponseBadRequest

    from accord.web import pickers

    if kind not in pickers.KINDS:
        raise Http404("Nothing of that kind to choose.")
    q = " ".join(request.GET.get("q", "").split())
    if len(q) > pickers.MAX_QUERY_LENGTH or "\x00" in q:
        return HttpResponseBadRequest(
            f"Search with at most {pickers.MAX_QUERY_LENGTH} characters.",
            content_type="text/plain; charset=utf-8",
        )
    rows = pickers.search(
        request.org,
        kind,
        q,
        by_slug=request.GET.get("by") == "slug",
        near=request.person,
        period=_open_period(request.org, request.GET.get("period")),
        cadence=_meeting_cadence(request.org, request.GET.get("cadence")),
    )
    return render(
        request,
        "web/widgets/picker_results.html",
        {"rows": rows, "q": q, "list_id": request.GET.get("list", "")[:100]},
    )


def _meeting_cadence(org, value):
    """The organization's cadence a search box names (`?cadence=ID`: the open issues its
    meetings may bring to their agenda), else None (the form still refuses what it does not
    offer)."""
    from accord.core.ids import as_id
    from accord.rhythm.models import Cadence

    pk = as_id(value)
    return None if pk is None else Cadence.objects.for_org(org).filter(pk=pk).first()


def _open_period(org, value):
    """The organization's open period a search box names (`?period=ID`), else None: a
    closed, unknown or another organization's period narrows nothing (the form the box
    belongs to still refuses what it does not offer)."""
    from accord.alignment.models import Period, PeriodState
    from accord.core.ids import as_id

    pk = as_id(value)
    if pk is None:
        return None
    return Period.objects.for_org(org).exclude(state=PeriodState.CLOSED).filter(pk=pk).first()


# --- saved views of lists ----------------------------------------------------------------


@org_view
@own_settings
@require_POST
def saved_view_save(request):
    """Save the list's current filters ("Save this view"); viewers may save their own."""
    from accord.web import services as web_services

    path = request.POST.get("path", "")
    try:
        view = web_services.save_view(
            request.org,
            request.person,
            name=request.POST.get("name", ""),
            path=path,
            query=request.POST.get("query", ""),
            shared=request.POST.get("shared") in ("on", "1", "true"),
        )
    except ServiceError as exc:
        flash_error(request, exc)
        safe = path.startswith(f"/o/{request.org.slug}/") and "//" not in path
        return redirect(
            path if safe else reverse("web:home", kwargs={"org_slug": request.org.slug})
        )
    messages.success(request, f"Saved the view “{view.name}”.")
    return redirect(view.url)


@org_view
@own_settings
@require_POST
def saved_view_delete(request, view_id: int):
    from accord.web import services as web_services
    from accord.web.models import SavedView

    view = get_object_or_404(SavedView.objects.for_org(request.org), pk=view_id)
    web_services.delete_view(request.org, request.person, view)
    messages.success(request, f"Removed the view “{view.name}”.")
    return redirect(view.path)


# --- home's "Getting started" card -------------------------------------------------------


@org_view
@require_POST
def getting_started_hide(request):
    """An admin hides home's getting-started card (for every admin); Organization settings
    brings it back."""
    from accord.web import services as web_services

    if web_services.hide_getting_started(request.org, request.person):
        messages.success(
            request,
            "The getting-started guide is hidden for every admin. Organization settings "
            "brings it back.",
        )
    return redirect("web:home", org_slug=request.org.slug)


@org_view
@require_POST
def getting_started_show(request):
    """An admin brings the card back; it shows on home while a step is left."""
    from accord.web import services as web_services

    web_services.show_getting_started(request.org, request.person)
    messages.success(
        request,
        "The getting-started guide shows on home again while the organization is new and "
        "a step is left.",
    )
    return redirect("org:settings", org_slug=request.org.slug)
