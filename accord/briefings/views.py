"""A person's briefings: the list, one briefing, this week's, and when to get them."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accord.activity import delivery
from accord.briefings import compose, queries, services, tasks
from accord.briefings import render as render_as
from accord.briefings.models import WEEKDAYS
from accord.core import scheduler
from accord.core.errors import ServiceError
from accord.org import permissions
from accord.org.forms import timezone_choices
from accord.org.models import Team
from accord.web.helpers import flash_error, int_or_none, org_view, own_settings, paginate


@org_view
def index(request):
    org, me = request.org, request.person
    week = compose.last_complete_week(timezone.now(), me.timezone)
    schedule, why = queries.email_status(org, me)
    return render(
        request,
        "briefings/index.html",
        {
            "why": why,
            "page": paginate(request, queries.briefings_of(org, me), per_page=20),
            "latest_week": week,
            "schedule": schedule,
            "weekday_name": WEEKDAYS[schedule.weekday],
            "led": Team.objects.for_org(org)
            .filter(pk__in=compose.led_team_ids(org, me))
            .order_by("name"),
        },
    )


def _is_poll(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _still_preparing() -> HttpResponse:
    """A poll's answer while the briefing is being built: nothing to swap, keep polling."""
    return HttpResponse(status=204)


@org_view
@own_settings  # a viewer's own briefing: "Try again" posts here
def latest(request):
    """The briefing of the last complete week: the stored one; else one build is queued
    for the worker and the page says so, polling until it is stored. A build the worker
    ran and that failed is said (polling stops), with "Try again", which posts here."""
    org, me = request.org, request.person
    week = compose.last_complete_week(timezone.now(), me.timezone)
    if request.method == "POST":
        # Only a build that failed is queued again (not one queued or running, nor a
        # briefing stored already): a second post, or a script's, queues nothing more.
        if services.stored_for(org, week, person=me) is None and tasks.build_failed(
            org.pk, week.label, person_id=me.pk
        ):
            tasks.retry_build(org.pk, week.label, week.tz, person_id=me.pk)
        return redirect("briefings:latest", org_slug=org.slug)
    stored = services.stored_for(org, week, person=me)
    if stored is not None:
        if _is_poll(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse(
                "briefings:detail", kwargs={"org_slug": org.slug, "briefing_id": stored.pk}
            )
            return response
        return redirect("briefings:detail", org_slug=org.slug, briefing_id=stored.pk)
    queued = tasks.request_build(org.pk, week.label, week.tz, person_id=me.pk)
    failed = not queued and tasks.build_failed(org.pk, week.label, person_id=me.pk)
    if _is_poll(request):
        if failed:  # the page says so: reloaded, it shows the failure and stops polling
            response = HttpResponse(status=204)
            response["HX-Refresh"] = "true"
            return response
        return _still_preparing()
    return render(
        request,
        "briefings/pending.html",
        {"week": week, "worker_seen": scheduler.worker_seen(), "failed": failed},
    )


@org_view
def detail(request, briefing_id: int):
    org, me = request.org, request.person
    briefing = queries.briefing_of(org, me, briefing_id)
    if briefing is None:
        raise Http404("No such briefing of yours.")
    content = render_as.in_zone(briefing.content, me.timezone)
    mine = queries.briefings_of(org, me)
    return render(
        request,
        "briefings/detail.html",
        {
            "content": content,
            "body": render_as.html(content, absolute=False),
            "briefing": briefing,
            "previous": queries.next_to(mine, briefing.week, later=False),
            "next": queries.next_to(mine, briefing.week, later=True),
        },
    )


@org_view
@own_settings
@require_POST
def schedule(request):
    """Day, hour, or off, from the briefing panel of the person's settings page."""
    org, me = request.org, request.person
    try:
        services.set_schedule(
            org,
            me,
            me,
            enabled=request.POST.get("enabled") == "on",
            weekday=int_or_none(request.POST.get("weekday")),
            hour=int_or_none(request.POST.get("hour")),
        )
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        messages.success(request, "Briefing schedule saved.")
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, True):
        return redirect(back)
    return redirect("briefings:index", org_slug=org.slug)


@org_view
def team(request, team_id: int):
    """A team's briefing of last week (UTC) as stored (else one build is queued for the
    worker and its latest stored briefing is shown meanwhile), or of `?week=` (stored
    only), and whether its chat gets a summary (changed by those who may manage the
    team). Its meetings' times are said in the reader's zone."""
    org, me = request.org, request.person
    t = Team.objects.for_org(org).filter(pk=team_id).first()
    if t is None:
        raise Http404("No such team.")
    if request.method == "POST" and request.POST.get("action") == "retry":
        # "Try again" after a build that failed: as for a person's (`latest`), only a
        # failed build of last week's is queued again; another post queues nothing.
        week = compose.last_complete_week(timezone.now())
        if services.stored_for(org, week, team=t) is None and tasks.build_failed(
            org.pk, week.label, team_id=t.pk
        ):
            tasks.retry_build(org.pk, week.label, week.tz, team_id=t.pk)
        return redirect("briefings:team", org_slug=org.slug, team_id=t.pk)
    if request.method == "POST":
        try:
            services.set_team_schedule(
                org,
                me,
                t,
                enabled=request.POST.get("enabled") == "on",
                weekday=int_or_none(request.POST.get("weekday")),
                hour=int_or_none(request.POST.get("hour")),
                timezone_name=request.POST.get("timezone") or None,
            )
        except ServiceError as exc:
            flash_error(request, exc)
        else:
            messages.success(request, "Weekly chat summary saved.")
        return redirect("briefings:team", org_slug=org.slug, team_id=t.pk)
    asked = request.GET.get("week")
    failed = False
    if asked:  # a stored briefing of another week (the page's previous/next links)
        shown = queries.team_briefing_of(org, t, asked)
        if shown is None:
            raise Http404("No stored briefing of that week.")
        week = compose.parse_week(shown.week)
    else:
        week = compose.last_complete_week(timezone.now())
        shown = services.stored_for(org, week, team=t)
        if shown is None:
            queued = tasks.request_build(org.pk, week.label, week.tz, team_id=t.pk)
            failed = not queued and tasks.build_failed(org.pk, week.label, team_id=t.pk)
    if _is_poll(request):
        if shown is None and not failed:
            return _still_preparing()
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    pending = shown is None
    if pending:
        shown = queries.latest_team_briefing(org, t)
    # Stored in UTC (its week and its chat summary's); the page says its times in the
    # reader's zone.
    content = render_as.in_zone(shown.content, me.timezone) if shown else None
    stored = queries.team_briefings(org, t)
    schedule = queries.team_schedule_of(org, t)
    # Chosen in a zone: the schedule's, or first the chooser's own (one from before the
    # zones people may choose is offered too, so saving keeps it).
    zone = schedule.timezone if schedule.pk else me.timezone
    zones = timezone_choices()
    if zone not in dict(zones):
        zones = [(zone, zone), *zones]
    return render(
        request,
        "briefings/team.html",
        {
            "team": t,
            "week": week,
            "pending": pending,
            "failed": failed,
            # Where "Try again" posts (the shared notice's form; this page's own action).
            "retry_url": request.path,
            "worker_seen": not pending or scheduler.worker_seen(),
            "briefing": shown,
            "content": content,
            "body": render_as.html(content, absolute=False) if content else "",
            "previous": queries.next_to(stored, shown.week, later=False) if shown else None,
            "next": queries.next_to(stored, shown.week, later=True) if shown else None,
            "schedule": schedule,
            "schedule_zone": zone,
            "zones": zones,
            "weekdays": list(enumerate(WEEKDAYS)),
            "hours": range(24),
            "has_chat": t.pk in delivery.teams_with_chat(org),
            "can_change": permissions.can_manage_team(me, t),
        },
    )
