"""Pages: My week, cadences, the check-in form, meetings (live agenda → run → minutes),
a team's rhythm, and one's notification settings, time off and calendar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import slugify

from accord.activity import delivery
from accord.activity.models import AgendaEmails, ChatWebhook
from accord.alignment import confidence as bands
from accord.core.counting import count_up_to, shown_count
from accord.core.days import org_today
from accord.core.errors import PermissionDenied, ServiceError
from accord.core.text import full_stop
from accord.org import permissions
from accord.org import queries as org_queries
from accord.org.invitations import email_configured
from accord.org.models import Membership, Person, Role, Team
from accord.org.queries import current_teams, subtree_ids
from accord.rhythm import (
    agenda,
    ical,
    links,
    merge,
    notifications,
    queries,
    recurrence,
    rights,
    scorecard,
    services,
)
from accord.rhythm.forms import (
    CONFIDENCE_CHOICES,
    PICKER_FIELDS,
    ActionItemForm,
    AgendaIssueForm,
    AttendeeForm,
    AwayForm,
    BringIssueForm,
    CadenceEditForm,
    CadenceForm,
    CheckInForm,
    DecisionForm,
    HeadlineForm,
    MeasurableForm,
    MoveForm,
    WebhookForm,
    agenda_from_text,
    agenda_to_text,
    drop_time_if_all_day,
    picker_initial,
    refuse_too_long,
)
from accord.rhythm.models import (
    Away,
    Cadence,
    CadenceKind,
    CadenceMute,
    CalendarFeed,
    CheckIn,
    CheckInStatus,
    Measurable,
    MeasurableValue,
    Meeting,
    MeetingStatus,
    OwedBy,
    Participation,
    Scope,
)
from accord.rhythm.templates_catalog import SOURCE_LABELS, TEMPLATES
from accord.rhythm.templatetags.occurrences import dom_id
from accord.web import panels as web_panels
from accord.web import pickers
from accord.web.helpers import (
    can_write,
    field_errors,
    flash_error,
    form_error,
    int_or_none,
    org_view,
    own_settings,
    paginate,
    post_only,
    team_filter,
)
from accord.web.templatetags.dates import day, weekday_moment
from accord.web.templatetags.numbers import plain
from accord.web.views import history_for


def _cadence(request, cadence_id: int) -> Cadence:
    return get_object_or_404(queries.cadences(request.org, active_only=False), pk=cadence_id)


def _occurrence(cadence: Cadence, key: str) -> recurrence.Occurrence:
    try:
        original = recurrence.parse_key(key)
    except ServiceError:
        raise Http404("No such occurrence.") from None
    # Under the schedule of its time; else a meeting or check-in stored for it stays where
    # it was (one kept from before Accord kept a cadence's earlier schedules).
    occ = queries.occurrence(cadence, original) or queries.stored_occurrence(cadence, original)
    if occ is None:
        raise Http404("No such occurrence.")
    return occ


def _can_manage(person: Person, cadence: Cadence) -> bool:
    """Whether `person` may change the cadence: its owner, or whoever may set one of its
    kind up (`rights.may_change`)."""
    return rights.may_change(person, cadence)


# --- My week -------------------------------------------------------------------------------


# Check-in cadences of one's own whose round (open, or due this week) My week shows.
OWN_ROUNDS_SHOWN = 10


@org_view
def my_week(request):
    org, me = request.org, request.person
    now = timezone.now()
    scope = queries.PersonScope.load(org, me)
    mine = queries.person_cadences(org, me, scope)
    owed = queries.owed_checkins(
        org, me, now - dt.timedelta(days=7), now + dt.timedelta(days=7), scope=scope, cads=mine
    )
    owed = [o for o in owed if o.state != "missed" or o.checkin is not None][-10:]
    # Those going on (until they end, or are finished if running past their end) and to
    # come, as home and the agents' "My week" list them.
    upcoming = queries.meetings_ahead(
        org, mine, now, now + dt.timedelta(days=7), tz_name=me.timezone
    )
    from accord.decisions.models import ActionItem, ActionStatus

    # The viewer's own open items, read from the owner's index (a person's items are in
    # their organization), overdue ones included.
    due = list(
        ActionItem.objects.filter(
            owner=me,
            status=ActionStatus.OPEN,
            due_on__isnull=False,
            due_on__lte=(now + dt.timedelta(days=7)).date(),
        )
        .select_related("owner", "team")
        .order_by("due_on", "id")[:20]
    )
    # The open rounds of the check-ins the viewer owns, owed by them or not: who is in, and
    # the round's page, where those not in yet are reminded.
    run = list(
        queries.cadences(org)
        .filter(owner=me, kind=CadenceKind.CHECKIN)
        .order_by("name")[:OWN_ROUNDS_SHOWN]
    )
    rounds = [r for c in run if (r := queries.open_round(org, c, now))]
    # Those not open yet whose next round is due this week, of the ones the viewer runs
    # without owing them (who owes one has it under their check-ins already): its date,
    # from `next_occurrences` as every "next" (no query: a check-in has no meetings).
    opened = {r.cadence.pk for r in rounds}
    others = [c for c in run if c.pk not in opened and not scope.owes(c)]
    nexts = queries.next_occurrences(others, now)
    week_end = now + dt.timedelta(days=7)
    run_next = sorted(
        (
            (c, occ, c.window(occ)[0])
            for c in others
            if (occ := nexts.get(c.pk)) is not None and occ.start < week_end
        ),
        key=lambda row: row[1].start,
    )
    # A new organization's: no cadence at all yet, and who may set up the first one.
    first = not mine and not Cadence.objects.for_org(org).exists()
    can_create = first and rights.may_set_up_any(org, me)
    return render(
        request,
        "rhythm/my_week.html",
        {
            "rounds": rounds,
            "run_next": run_next,
            "owed": owed,
            "upcoming": upcoming,
            "due": due,
            "today": org_today(),  # overdue: as the action items page counts it
            "cadences": mine,
            "broken": [c for c in mine if c.schedule_problem],
            "tz": me.timezone,
            "no_cadences": first,
            "can_create": can_create,
        },
    )


# --- cadences ------------------------------------------------------------------------------

CADENCES_PER_PAGE = 50
PARTICIPANTS_SHOWN = 40
ATTENDANCE_SHOWN = 50  # the latest marked present a large meeting's page names


MINE_FIRST = 20  # of the viewer's own cadences, listed above every cadence


@org_view
def cadence_list(request):
    """Every cadence of the organization, 50 a page, the organization-wide ones and the
    viewer's own first; or those of a team and the teams below it (`?team=SLUG`, `&only=1`
    the team alone), or only the viewer's (`?mine=1`: those they take part in). `q`: those
    whose name holds it (any case); `kind`: of one kind (CadenceKind); `scope`: of one
    scope (`org`: the organization-wide). A kind or scope the list does not know is left
    out and said so on the page, as the issues list does."""
    org, me = request.org, request.person
    team, only = team_filter(request)
    mine_only = request.GET.get("mine") == "1"
    q = request.GET.get("q", "").strip()[:200]
    kind, scope, ignored = request.GET.get("kind", ""), request.GET.get("scope", ""), []
    if kind and kind not in CadenceKind.values:
        ignored.append(("kind", kind))
        kind = ""
    if scope and scope not in Scope.values:
        ignored.append(("scope", scope))
        scope = ""
    # Who takes part where: a few queries, whatever the organization's size.
    mine = queries.person_cadences(org, me)
    if mine_only:
        qs = queries.cadences(org, active_only=False).filter(pk__in=[c.pk for c in mine])
    else:
        qs = queries.cadences(org, active_only=False)
    if team is not None:
        # The team's (and, but for `only`, those below it): its own and subtree cadences,
        # and the sets of teams it is in. Subqueries, never a list of ids: near the top of
        # a large organization the teams below are most of it.
        links = Cadence.teams.through.objects.filter(team_id__in=subtree_ids(team, only=only))
        qs = qs.filter(
            Q(team_id__in=subtree_ids(team, only=only)) | Q(pk__in=links.values("cadence_id"))
        )
    # Read off the (org, name) index in name order, each filter checked on the way: 20,000
    # cadences are a few milliseconds.
    if q:
        qs = qs.filter(name__icontains=q)
    if kind:
        qs = qs.filter(kind=kind)
    if scope:
        qs = qs.filter(scope=scope)
    filtered = mine_only or team is not None or bool(q or kind or scope)
    # The next date is computed for the page shown only: 50 rules, however many cadences,
    # and one read of their next meetings (one held early is not next).
    page = paginate(request, qs, per_page=CADENCES_PER_PAGE)
    yours = [] if filtered or page.number > 1 else mine[:MINE_FIRST]
    # The organization's own cadences (the whole organization's review) are few: listed
    # first, so they are found among 20,000 team cadences. Read off the (org, scope) index
    # and sorted (by name in any case): ordered by name, SQLite walked the name index
    # through every cadence to find them (32 ms at 20,000; 2.5 ms so).
    org_wide = (
        []
        if filtered or page.number > 1
        else list(qs.filter(scope=Scope.ORG).order_by(Lower("name"), "id")[: MINE_FIRST + 1])
    )
    shown = {c.pk: c for c in [*org_wide, *yours, *page]}.values()
    nxt = queries.next_occurrences([c for c in shown if c.is_running], timezone.now())
    rows = [(c, nxt.get(c.pk)) for c in page]
    my_memberships = list(
        Membership.objects.for_org(org)
        .in_current_teams()
        .filter(person=me)
        .select_related("team")
        .order_by("team__name")
    )
    can_create = rights.may_set_up_any(org, me)
    kept = request.GET.copy()
    kept.pop("page", None)
    return render(
        request,
        "rhythm/cadences.html",
        {
            "rows": rows,
            "yours": [(c, nxt.get(c.pk)) for c in yours],
            "yours_more": len(mine) > MINE_FIRST,
            "yours_count": len(mine),
            "org_wide": [(c, nxt.get(c.pk)) for c in org_wide[:MINE_FIRST]],
            "org_wide_more": len(org_wide) > MINE_FIRST,
            "q": q,
            "kind": kind,
            "scope": scope,
            "kinds": CadenceKind.choices,
            "scopes": Scope.choices,
            "ignored": ignored,
            "page": page,
            "can_create": can_create,
            "tz": me.timezone,
            "team": team,
            "only": only,
            "mine_only": mine_only,
            "filtered": filtered,
            "my_teams": [m.team for m in my_memberships],
            "team_picker": pickers.team_filter_picker(
                org, team, id="team-pick", placeholder="Every team"
            ),
            "kept": kept.urlencode(),
        },
    )


def _initiative_sync(request, initial: dict) -> None:
    """The New cadence form opened for an initiative's sync (`?initiative=ID`, its page's
    *Set up its sync*): the weekly sync of its team and the teams its requests cross,
    with their leads only, owned by whoever opens it."""
    from accord.alignment.models import Initiative

    pk = int_or_none(request.GET.get("initiative"))
    found = Initiative.objects.for_org(request.org).filter(pk=pk).first() if pk else None
    if found is None:
        return
    reach = rights.reach(request.org, [found])
    initial.update(
        template=initial.get("template", "weekly-sync"),
        name=f"{found.title} sync",
        scope=Scope.TEAMS,
        teams=list(current_teams(request.org).filter(pk__in=reach)),
        participation=Participation.LEADS,
        initiatives=[found],
        owner=request.person,
    )


@org_view
def cadence_new(request):
    org = request.org
    if not rights.may_set_up_any(org, request.person):
        # Refused before the form is filled in, not after.
        raise PermissionDenied(
            f"You may not set up cadences in {org.name}. {rights.WHO_SETS_UP} Ask one of "
            "them to set it up, with you as its owner: its owner may then change it."
        )
    initial = {"timezone": request.person.timezone}
    team_slug = request.GET.get("team")
    if team_slug:
        initial["team"] = Team.objects.for_org(org).filter(slug=team_slug).first()
    if request.GET.get("template") in TEMPLATES:
        initial["template"] = request.GET["template"]
    _initiative_sync(request, initial)
    form = CadenceForm(request.POST or None, org=org, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        common = {
            "team": d["team"],
            "teams": list(d["teams"]),
            "timezone_name": d["timezone"],
            "start_date": d["start_date"],
            "owner": d["owner"],
            "extra_participants": list(d["extra_participants"]),
            "initiatives": list(d["initiatives"]),
            "participation": d["participation"] or Participation.EVERYONE,
        }
        drop_time_if_all_day(d)
        given = ("name", "kind", "rrule", "all_day", "time", "duration_minutes")
        extra = {k: d[k] for k in given if d.get(k)}
        if d["agenda"].strip():  # else the template's (none without one)
            extra["agenda"] = agenda_from_text(d["agenda"], [])
        try:
            if d["template"]:
                cadence = services.create_cadence_from_template(
                    org, request.person, d["template"], scope=d["scope"], **common, **extra
                )
            else:
                needed = ("name", "rrule") if d["all_day"] else ("name", "rrule", "time")
                missing = [f for f in needed if not d.get(f)]
                if missing:
                    raise ServiceError(
                        "Without a template, give a name, a recurrence rule and a time "
                        "(or tick All day).",
                        fields={f: ["Required without a template."] for f in missing},
                    )
                cadence = services.create_cadence(
                    org, request.person, scope=d["scope"], **common, **extra
                )
        except PermissionDenied as exc:
            # They may set up some cadences, not this one: said on the form, as typed.
            form.add_error(None, exc.message)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{cadence.name} set up.")
            return redirect("rhythm:cadence", org_slug=org.slug, cadence_id=cadence.pk)
    return render(
        request, "rhythm/cadence_form.html", {"form": form, "templates": TEMPLATES.values()}
    )


@org_view
def cadence_edit(request, cadence_id: int):
    org = request.org
    cadence = _cadence(request, cadence_id)
    if not _can_manage(request.person, cadence):
        # Refused before the form is filled in, not after.
        raise PermissionDenied(rights.refusal(cadence))
    fields = (
        "name",
        "kind",
        "start_date",
        "rrule",
        "all_day",
        "time",
        "duration_minutes",
        "timezone",
        "checkin_owed_by",
        "participation",
        "window_opens_hours",
        "late_after_hours",
        "is_active",
    )
    initial = {f: getattr(cadence, f) for f in fields}
    initial.update(picker_initial(cadence.rrule))
    initial["agenda"] = agenda_to_text(cadence.agenda)
    initial["scope"], initial["team"] = cadence.scope, cadence.team_id
    initial["owner"] = cadence.owner_id
    initial["teams"] = list(cadence.teams.values_list("pk", flat=True))
    initial["extra_participants"] = list(cadence.extra_participants.values_list("pk", flat=True))
    initial["initiatives"] = list(cadence.initiatives.values_list("pk", flat=True))
    form = CadenceEditForm(request.POST or None, initial=initial, org=org)
    pickers.keep_held(form, cadence)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in PICKER_FIELDS}
        for name in ("kind", "owner", "start_date", "participation"):
            if name not in request.POST:
                del data[name]  # not posted (a form of before): unchanged
        if data.get("participation") == "":
            del data["participation"]
        drop_time_if_all_day(data)
        data["agenda"] = agenda_from_text(data["agenda"], cadence.agenda)
        if data["scope"] not in ("team", "subtree"):
            data["team"] = None
        try:
            cadence = services.update_cadence(
                org,
                request.person,
                cadence,
                expected_version=int_or_none(request.POST.get("version")),
                **data,
            )
        except PermissionDenied as exc:
            # They may change it, not into this (its owner widening it): said on the form.
            form.add_error(None, exc.message)
        except ServiceError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"{cadence.name} saved.")
            dropped = getattr(cadence, "dropped_exceptions", [])
            if dropped:
                tz = recurrence.zone(cadence.timezone)
                listed = ", ".join(
                    f"{weekday_moment(e.original_start.astimezone(tz))} "
                    + ("(cancelled)" if e.cancelled else "(moved)")
                    for e in dropped[:5]
                )
                more = f" and {len(dropped) - 5} more" if len(dropped) > 5 else ""
                n = len(dropped)
                messages.warning(
                    request,
                    f"{n} moved or cancelled occurrence{'s' if n != 1 else ''} no longer "
                    f"exist{'s' if n == 1 else ''} under the new schedule: {listed}{more}.",
                )
            return redirect("rhythm:cadence", org_slug=org.slug, cadence_id=cadence.pk)
    return render(request, "rhythm/cadence_edit.html", {"form": form, "cadence": cadence})


@org_view
def cadence_detail(request, cadence_id: int):
    org, me = request.org, request.person
    cadence = _cadence(request, cadence_id)
    now = timezone.now()
    # From half a day back (one going on, or just over and not recorded), none before the
    # cadence was set up: a cadence made this evening has no meeting this morning.
    upcoming = queries.occurrences_of(
        cadence,
        now - dt.timedelta(hours=12),
        now + dt.timedelta(days=120),
        include_cancelled=True,
        since_created=True,
    )[:8]
    if not cadence.is_running:
        upcoming = []  # paused, or stopped with its team: no meeting is coming
    elif all(o.cancelled for o in upcoming):
        # Nothing in the next months: the next however far (a yearly date, a 29 February,
        # a start years ahead), the one the cadence list and home show too.
        far = queries.next_occurrence(cadence, now)
        if far is not None:
            upcoming.append(far)
    people = queries.participants_query(org, cadence)
    # Counted up to a limit ("1,000+"): an organization-wide cadence's are everyone.
    counted = count_up_to(people)
    owing: dict = {}
    if cadence.is_checkin:
        # Who owes each round (its teams' people, or their leads, and the people added to
        # it: `queries.owers_query`, as the round's "3 of 5 in" and My week count), and who
        # takes part owing none: its owner outside those teams runs it.
        owers = queries.owers_query(org, cadence)
        others = people.exclude(pk__in=owers.values("pk"))
        if cadence.checkin_owed_by != OwedBy.LEADS:
            # Everyone in its teams and everyone added owes it: only its owner may not.
            others = others.filter(pk=cadence.owner_id)
        owers_counted, others_counted = count_up_to(owers), count_up_to(others)
        owing = {
            "owers": owers.order_by("name")[:PARTICIPANTS_SHOWN],
            "owers_count": owers_counted,
            "owers_shown": shown_count(owers_counted),
            "not_owing": others.order_by("name")[:PARTICIPANTS_SHOWN],
            "not_owing_count": others_counted,
            "not_owing_shown": shown_count(others_counted),
        }
    [adh] = queries.adherence(org, [cadence], now=now)
    meetings = {
        m.occurrence_start: m
        for m in Meeting.objects.for_org(org).filter(
            cadence=cadence,
            occurrence_start__in=[
                o.original_start for o in upcoming + [f.occurrence for f in adh.occurrences]
            ],
        )
    }
    # The initiatives it is the sync of: its agenda reviews them (`agenda.with_initiatives`).
    initiatives = list(cadence.initiatives.select_related("team").order_by("title", "id"))
    sections = agenda.with_initiatives(cadence.agenda, [i.title for i in initiatives])
    return render(
        request,
        "rhythm/cadence_detail.html",
        {
            "cadence": cadence,
            "initiatives": initiatives,
            "agenda": [
                {**s, "source_label": SOURCE_LABELS.get(s["source"], s["source"])} for s in sections
            ],
            "upcoming": [(o, meetings.get(o.original_start)) for o in upcoming],
            # "Starts on …": its first occurrence is still ahead.
            "starts_on": next((o for o in upcoming if not o.cancelled), None)
            if upcoming  # (none when its schedule cannot be read: nor its zone)
            and timezone.localdate(now, recurrence.zone(cadence.timezone)) < cadence.start_date
            else None,
            "next_headline": _next_headline(request, cadence, upcoming, meetings, now),
            "past": [
                (f, meetings.get(f.occurrence.original_start)) for f in reversed(adh.occurrences)
            ],
            "adherence": adh,
            "participants": people.order_by("name")[:PARTICIPANTS_SHOWN],
            "participant_count": counted,
            "participants_shown": shown_count(counted),
            **owing,
            "tz": me.timezone,
            "can_manage": _can_manage(me, cadence),
            # A check-in's round open now: who is in, and its page (to remind the rest).
            "open_round": queries.open_round(org, cadence, now),
            "can_remind": services.manages_meetings(me, cadence),
            "move_form": MoveForm(),
            "history": history_for(org, "rhythm.cadence", cadence.pk),
        },
    )


def _next_headline(request, cadence: Cadence, upcoming: list, meetings: dict, now) -> dict | None:
    """The cadence page's "Headline for the next meeting": the next occurrence not over
    (neither ended nor finished, nor cancelled) and a headline form for it, for whoever may
    share one (a member taking part, or a leader); None for a check-in or all-day cadence."""
    org, me = request.org, request.person
    if cadence.is_checkin or cadence.all_day or not me.has_role(Role.MEMBER):
        return None
    ahead = [
        o
        for o in upcoming
        if not o.cancelled and o.end > now and not queries.held(meetings.get(o.original_start))
    ]
    if not ahead:
        return None
    if not (me.has_role(Role.LEADER) or queries.is_participant(org, cadence, me)):
        return None
    return {
        "occurrence": min(ahead, key=lambda o: o.start),
        "form": HeadlineForm(org=org),
        "section": agenda.headlines_section(cadence),
    }


def _cadence_page(request, cadence_id: int, key: str) -> str:
    cadence = _cadence(request, cadence_id)
    _occurrence_or_cancelled(cadence, key)
    return reverse(
        "rhythm:cadence", kwargs={"org_slug": request.org.slug, "cadence_id": cadence.pk}
    )


@org_view
@post_only(_cadence_page)
def occurrence_change(request, cadence_id: int, key: str):
    org = request.org
    cadence = _cadence(request, cadence_id)
    original = _occurrence_or_cancelled(cadence, key)
    action = request.POST.get("action", "move")
    try:
        if action == "cancel":
            services.cancel_occurrence(
                org, request.person, cadence, original, note=request.POST.get("note", "")
            )
            messages.success(request, "Occurrence cancelled.")
        elif action == "restore":
            services.restore_occurrence(org, request.person, cadence, original)
            messages.success(request, "Occurrence restored to its usual time.")
        else:
            form = MoveForm(request.POST)
            if not form.is_valid():
                refuse_too_long(form, {"note": "The note"})
                raise ServiceError("Give the new date and time.")
            local = form.cleaned_data["new_start"].replace(tzinfo=None)
            recurrence.check_in_range(local, "new_start", "The new start")
            new_start = recurrence.place(local, recurrence.zone(cadence.timezone))
            services.move_occurrence(
                org, request.person, cadence, original, new_start, note=form.cleaned_data["note"]
            )
            messages.success(request, "Occurrence moved.")
    except ServiceError as exc:
        flash_error(request, exc)
    return redirect("rhythm:cadence", org_slug=org.slug, cadence_id=cadence.pk)


def _occurrence_or_cancelled(cadence: Cadence, key: str) -> dt.datetime:
    try:
        original = recurrence.parse_key(key)
    except ServiceError:
        raise Http404("No such occurrence.") from None
    if not queries.is_rule_instant(cadence, original):
        raise Http404("No such occurrence.")
    return original


@org_view
def meeting_ics(request, cadence_id: int, key: str):
    cadence = _cadence(request, cadence_id)
    occ = _occurrence(cadence, key)
    response = HttpResponse(
        ical.meeting_ics(request.org, cadence, occ), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{cadence.pk}-{occ.key}.ics"'
    return response


@org_view
def meeting_notes(request, cadence_id: int, key: str):
    """A meeting's notes as they are stored now, by section, and whether it is running:
    what a running meeting's page asks every few seconds (rhythm/meeting.js), so each box
    shows what others saved without a reload."""
    cadence = _cadence(request, cadence_id)
    occ = _occurrence(cadence, key)
    m = (
        Meeting.objects.for_org(request.org)
        .filter(cadence=cadence, occurrence_start=occ.original_start)
        .only("status", "notes")
        .first()
    )
    running = m is not None and m.status == MeetingStatus.RUNNING
    return JsonResponse(
        {
            "running": running,
            "notes": (m.notes or {}) if m else {},
            "by": _notes_by(request, m) if running else {},
        }
    )


NOTES_BY_READ = 200  # the latest saves of a meeting's notes read to name who saved each section


def _notes_by(request, m: Meeting) -> dict[str, str]:
    """Who saved each section's notes last ("you" for the viewer), from the meeting's latest
    saves: the page says so when it shows notes someone else saved."""
    from accord.activity.models import Event

    saves = (
        Event.objects.for_org(request.org)
        .for_target("rhythm.meeting", m.pk)
        .filter(verb="noted")
        .order_by("-created_at", "-id")
        .values_list("actor_id", "actor_name", "after")[:NOTES_BY_READ]
    )
    by: dict[str, str] = {}
    for actor_id, name, after in saves:
        for section in after or {}:
            if section not in by:
                by[section] = "you" if actor_id == request.person.pk else name or "someone"
    return by


# --- check-in ------------------------------------------------------------------------------


ROUND_LISTED = 100  # people listed per state on one round of check-ins


@org_view
def checkin_round(request, cadence_id: int, key: str):
    """One round of a check-in cadence: who checked in on time, late, who missed it, and
    (while it is open) who has not yet; the first ROUND_LISTED of each, and how many."""
    org = request.org
    cadence = _cadence(request, cadence_id)
    if not cadence.is_checkin:
        return redirect("rhythm:meeting", org_slug=org.slug, cadence_id=cadence.pk, key=key)
    occ = _occurrence(cadence, key)
    rows = CheckIn.objects.for_org(org).filter(cadence=cadence, occurrence_start=occ.original_start)
    given = rows.exclude(status=CheckInStatus.MISSED)
    # Who owed it: who was in the cadence's scope when it was due (not who is now), as the
    # cadence's page counts it (`queries.adherence`).
    pending = (
        queries.owers_query(org, cadence, at=occ.start)
        .exclude(pk__in=given.values("person_id"))
        .order_by("name", "id")
    )
    away = queries.away_on(org, occ, pending)  # they owe nothing that day
    opens, late_until = cadence.window(occ)
    closed = timezone.now() > late_until
    mine = queries.is_participant(org, cadence, request.person)
    groups = []
    for status, label in CheckInStatus.choices:
        if status == CheckInStatus.MISSED and closed:
            # Closed: whoever owed it and gave none missed it, recorded by the worker or
            # not (it looks back two weeks); a miss recorded for someone who did not owe
            # it is no miss.
            of = pending.exclude(pk__in=away)
            people = list(of[: ROUND_LISTED + 1])
            listed = [CheckIn(person=p, status=status) for p in people]
        else:
            of = rows.filter(status=status)
            listed = list(
                of.select_related("person", "blocker_team").order_by("person__name")[
                    : ROUND_LISTED + 1
                ]
            )
        more = len(listed) > ROUND_LISTED
        count = shown_count(count_up_to(of) if more else len(listed))
        groups.append((status, label, listed[:ROUND_LISTED], count, more))
    # Someone away owes none: not counted among who is not in yet, named apart.
    owing = pending.exclude(pk__in=away)
    waiting = [] if closed else list(owing[: ROUND_LISTED + 1])
    waiting_more = len(waiting) > ROUND_LISTED
    away_people = [] if closed or not away else list(pending.filter(pk__in=away)[:ROUND_LISTED])
    can_remind = services.manages_meetings(request.person, cadence)
    reminders = left = None
    if can_remind and not closed:
        # What the reminders of this round did (their events), and whether asking again
        # would tell anyone (not who asks, nor who was told already).
        reminders = notifications.round_reminders(org, cadence, occ)
        left = bool(waiting) and notifications.left_to_remind(
            org, cadence, occ, owing, request.person
        )
    return render(
        request,
        "rhythm/checkin_round.html",
        {
            "cadence": cadence,
            "occ": occ,
            "tz": request.person.timezone,
            "groups": groups,
            "waiting": waiting[:ROUND_LISTED],
            "waiting_count": shown_count(count_up_to(owing) if waiting_more else len(waiting)),
            "waiting_more": waiting_more,
            "away_people": away_people,
            "closed": closed,
            "opens": opens,
            "open": timezone.now() >= opens,
            "mine": mine,
            # What each wrote is read by who takes part in the round and who runs it.
            "can_read": mine or _can_manage(request.person, cadence),
            # Who answers for the round reminds those not in yet (services.remind_not_in_yet).
            "can_remind": can_remind,
            "reminders": reminders,
            "left_to_remind": left,
        },
    )


def _round_page(request, cadence_id: int, key: str) -> str:
    cadence = _cadence(request, cadence_id)
    occ = _occurrence(cadence, key)
    return reverse(
        "rhythm:checkin_round",
        kwargs={"org_slug": request.org.slug, "cadence_id": cadence.pk, "key": occ.key},
    )


@org_view
@post_only(_round_page)
def checkin_remind(request, cadence_id: int, key: str):
    """Remind those not in yet of this round (each at most once a round)."""
    org = request.org
    cadence = _cadence(request, cadence_id)
    occ = _occurrence(cadence, key)
    try:
        done = services.remind_not_in_yet(org, request.person, cadence, occ.original_start)
    except ServiceError as exc:
        flash_error(request, exc)
    else:
        n, already = done["reminded"], done["already"]
        if n:
            before = f"; {already} reminded earlier this round" if already else ""
            who = "person" if n == 1 else "people"
            messages.success(request, f"Reminders queued for {n} {who} not in yet{before}.")
        elif already:
            messages.info(request, "Everyone not in yet was reminded this round already.")
        else:
            messages.info(request, "Nobody to remind: everyone who owes one is in, away or muted.")
    return redirect("rhythm:checkin_round", org_slug=org.slug, cadence_id=cadence.pk, key=occ.key)


def _minutes_sent(sent: list[Person], told: set[int]) -> str:
    """A finished meeting's message: where its minutes are, and who they were e-mailed to
    now (`notifications.send_minutes`), named, or why nobody."""
    done = "Meeting finished. The minutes are below"
    if sent:
        names = notifications.named([p.name for p in sent])
        return f"{done}; they were e-mailed to {names}."
    if told:
        return f"{done}; everyone in it had them by e-mail already, when it was first finished."
    if not email_configured():
        return f"{done}; they were not e-mailed, as e-mail is not set up here."
    return f"{done}; nobody else in it gets them by e-mail (e-mail or minutes turned off)."


def _action_recorded(org, item) -> str:
    """The confirmation of an action item recorded in a meeting: whose, and the team whose
    list it is on, said plainly when its owner is not in that team (another may be
    chosen)."""
    said = f"Action item “{item.title}” recorded for {item.owner.name}"
    if item.team_id is None:
        return said + "."
    if (
        not Membership.objects.for_org(org)
        .current()
        .filter(person_id=item.owner_id, team_id=item.team_id)
        .exists()
    ):
        return (
            f"{said}. {item.owner.name} is not in {item.team.name}: the action is on "
            f"{item.team.name}'s list."
        )
    return f"{said}, on {item.team.name}'s list."


def _decision_recorded(org, me: Person, d) -> str:
    """The meeting's "Record a decision" said done, the decision linked: decided, or, with
    no outcome written, an open question, and whose it is to decide."""
    url = reverse("decisions:decision", kwargs={"org_slug": org.slug, "decision_id": d.pk})
    if d.status != "open":
        how = f" ({d.get_status_display().lower()})."
    else:
        who = "you" if d.approver_id == me.pk else d.approver.name
        how = (
            f" as an open question for {who} to decide: no outcome was written."
            if not d.outcome
            else f" (open): its outcome waits for {who} to decide."
        )
    return format_html('Decision <a href="{}">“{}”</a> recorded{}', url, d.question, how)


def _checkin_thanks(org, cadence: Cadence, checkin: CheckIn, raise_asked) -> str:
    """The check-in form's thanks; its blocker raised as an issue, that issue's team named
    and the issue linked (`queries.raised_issue`)."""
    thanks = f"Check-in for {cadence.name} saved. Thank you!"
    issue = queries.raised_issue(checkin) if raise_asked else None
    if issue is None:
        return thanks
    url = reverse("decisions:issue", kwargs={"org_slug": org.slug, "issue_id": issue.pk})
    return format_html(
        '{} Its blocker is raised as an issue for {}: <a href="{}">{}</a>{}',
        thanks,
        issue.team.name,
        url,
        issue.title,
        full_stop(issue.title),
    )


@org_view
def checkin(request, cadence_id: int, key: str):
    org, me = request.org, request.person
    cadence = _cadence(request, cadence_id)
    if not cadence.is_checkin:
        return redirect("rhythm:meeting", org_slug=org.slug, cadence_id=cadence.pk, key=key)
    occ = _occurrence(cadence, key)
    if request.method == "GET" and not queries.is_participant(org, cadence, me):
        # Nothing to fill in for someone who owes no check-in here: who did, instead.
        return redirect("rhythm:checkin_round", org_slug=org.slug, cadence_id=cadence.pk, key=key)
    owned = links.owned_alignment(org, me)
    # A lead keeps their teams' key results current in the same check-in.
    team_krs = links.team_key_results(org, me, cadence)
    krs = owned["key_results"] + team_krs
    mine = Measurable.objects.for_org(org).filter(owner=me, is_active=True)
    if cadence.scope != Scope.ORG:  # the organization's: every team's
        mine = mine.filter(team_id__in=queries.scope_team_ids(org, cadence))
    measurables = list(mine.order_by("name"))
    existing = me.checkins.filter(cadence=cadence, occurrence_start=occ.original_start).first()
    last = existing or queries.last_checkin(org, me, cadence)
    prior = (last.updates if last else {}) or {}
    form = CheckInForm(
        request.POST if request.method == "POST" else None,
        org=org,
        key_results=krs,
        objectives=owned["objectives"],
        initiatives=owned["initiatives"],
        measurables=measurables,
        initial={"blocker_team": last.blocker_team_id if last else None},
    )
    slips: set[str] = set()  # the fields of values refused as looking like a slip
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            saved = services.submit_checkin(
                org,
                me,
                cadence,
                occ.original_start,
                key_results=form.picked("kr", krs),
                objectives=form.picked("obj", owned["objectives"]),
                initiatives=form.picked("init", owned["initiatives"]),
                measurables=form.picked("m", measurables),
                highlights=d["highlights"],
                blockers=d["blockers"],
                raise_blocker=d["raise_blocker"],
                blocker_team=d["blocker_team"],
                check_unusual=True,
                confirmed=form.confirmed(krs),
            )
        except ServiceError as exc:
            # The last guard: the window closed meanwhile, a key result of a closed period…
            # said on top, and beside the fields it names. A value that looks like a slip
            # is said beside its key result (and listed on top), with its "Record anyway".
            if exc.code == "unusual_value":
                slips = set(exc.fields)
            else:
                form.add_error(None, exc.message)
            field_errors(form, exc)
        else:
            messages.success(request, _checkin_thanks(org, cadence, saved, d["raise_blocker"]))
            return redirect("rhythm:index", org_slug=org.slug)
    from accord.alignment.models import InitiativeStatus

    week = services.scorecard_week(occ)
    values = dict(
        (mid, v)
        for mid, v in MeasurableValue.objects.filter(
            measurable__in=measurables, week_start=week
        ).values_list("measurable_id", "value")
    )
    opens, late_until = cadence.window(occ)
    now = timezone.now()
    closed = now > late_until
    # Before its window opens it may be given early, once the round before it closed.
    early_from = queries.early_from(cadence, occ) if now < opens else opens
    given = existing is not None and existing.status != CheckInStatus.MISSED
    # What the form shows: what was just typed when it is shown again with an error, each
    # error beside its field.
    typed = request.POST if request.method == "POST" else {}
    errors = form.errors if form.is_bound else {}
    blocker_team_id = last.blocker_team_id if last else None
    blockers = last.blockers if last else ""
    if request.method == "POST":
        blocker_team_id = int_or_none(typed.get("blocker_team"))
        blockers = typed.get("blockers", "")
    for kr in krs:
        kr.typed = typed.get(f"kr_{kr.pk}", plain(kr.current))
        kr.errors = errors.get(f"kr_{kr.pk}", [])
        kr.anyway = typed.get(f"kr_{kr.pk}_anyway")  # ticked: shown ticked again
        kr.unusual = f"kr_{kr.pk}" in slips or bool(kr.anyway)
    for o in owned["objectives"]:
        o.chosen = typed.get(f"obj_{o.pk}", str(o.confidence or ""))
        o.errors = errors.get(f"obj_{o.pk}", [])
    for i in owned["initiatives"]:
        i.chosen = typed.get(f"init_{i.pk}", i.status)
        i.errors = errors.get(f"init_{i.pk}", [])
    if "blocker_team" in errors:
        form.fields["blocker_team"].widget.attrs["aria-describedby"] = "blocker_team-error"
    return render(
        request,
        "rhythm/checkin.html",
        {
            "cadence": cadence,
            "occ": occ,
            "opens": opens,
            "late_until": late_until,
            "early_from": early_from,
            "state": queries.checkin_status_at(cadence, occ, now),
            # After the late window: no form, what was given as it was given.
            "closed": closed,
            "answers": links.given_updates(org, existing) if closed and given else [],
            # None given and no more can be: where to go from here.
            "after_missed": _after_missed(request, cadence) if closed and not given else None,
            # Before it may be given: read-only too, with from when (there is no draft).
            "not_yet": now < early_from,
            # Open early: given now, it is on time; its window and reminders open later.
            "early": early_from <= now < opens,
            "krs": owned["key_results"],
            "team_krs": team_krs,
            "objectives": owned["objectives"],
            "initiatives": owned["initiatives"],
            "measurables": [
                (
                    m,
                    typed.get(f"m_{m.pk}")
                    or values.get(m.pk)
                    or prior.get("measurables", {}).get(str(m.pk), ""),
                    errors.get(f"m_{m.pk}", []),
                )
                for m in measurables
            ],
            "confidence_choices": CONFIDENCE_CHOICES,
            "confidence_bands": bands.BANDS,
            "initiative_statuses": InitiativeStatus.choices,
            "existing": existing,
            "tally": queries.round_tally(org, cadence, occ),
            # Taking part (its owner outside its teams) is not owing one: the round does
            # not count them, nor does My week.
            "owes": queries.owers_query(org, cadence, at=occ.start).filter(pk=me.pk).exists(),
            # A round from before it was set up (a start date in the past) is owed by
            # nobody: said so, not as if this person were outside its teams.
            "before_set_up": occ.start < cadence.created_at,
            "scorecard_week": week,
            "last": last,
            # As typed: a team chosen, or text typed and not chosen (kept, refused beside it).
            "blocker_team_picker": form["blocker_team"],
            "dependency_url": links.dependency_request_url(
                org, blocker_team_id, blockers, owned["initiatives"]
            ),
            "form": form,
            "errors": errors,
            "error_summary": _error_summary(form, krs, owned, measurables) if errors else [],
            "post": request.POST if request.method == "POST" else None,
            "tz": me.timezone,
        },
        status=422 if errors else 200,  # refused: shown again as typed
    )


def _after_missed(request, cadence: Cadence) -> dict:
    """What someone whose check-in round closed without theirs can do next: the round open
    now or the next to open (its page), and, until then, news shared as a headline on the
    next meeting of their team (the check-in's team, else their own first) they take part
    in, read out when it starts (`services.share_headline`)."""
    org, me = request.org, request.person
    now = timezone.now()
    # The first round not closed: due after now less the time it stays open after its due.
    nxt = queries.next_occurrence(cadence, now - dt.timedelta(hours=cadence.late_after_hours))
    # When it may be checked in, early or not (`queries.early_from`).
    out: dict = {
        "round": nxt,
        "opens": queries.early_from(cadence, nxt) if nxt else None,
        "now": now,
    }
    team = cadence.team if cadence.scope in (Scope.TEAM, Scope.SUBTREE) else None
    if team is None:
        mine = Membership.objects.for_org(org).filter(person=me).select_related("team")
        team = next((m.team for m in mine.order_by("team__name")[:1]), None)
    if team is None:
        return out
    meetings = [
        c
        for c in queries.team_cadences(org, team)
        if c.team_id == team.pk and not c.is_checkin and not c.all_day and c.is_running
    ]
    nxt_meeting = queries.next_occurrences(meetings, now)
    ahead = [
        (nxt_meeting[c.pk], c)
        for c in meetings
        if nxt_meeting[c.pk] is not None and queries.is_participant(org, c, me)
    ]
    if ahead:
        out["meeting"], out["meeting_cadence"] = min(ahead, key=lambda a: a[0].start)
    return out


def _error_summary(form, krs: list, owned: dict, measurables: list) -> list[tuple[str, str, str]]:
    """(field id, what it is, its error) for each error of a refused check-in, in the
    page's order: the list on top, each linking to its field."""
    order = [
        *(f"kr_{kr.pk}" for kr in krs),
        *(f"obj_{o.pk}" for o in owned["objectives"]),
        *(f"init_{i.pk}" for i in owned["initiatives"]),
        *(f"m_{m.pk}" for m in measurables),
        "highlights",
        "blockers",
        "blocker_team",
    ]
    return [
        (name, form.fields[name].label or name.capitalize(), e)
        for name in order
        for e in form.errors.get(name, [])
    ]


# --- meetings ------------------------------------------------------------------------------


@org_view
def meeting(request, cadence_id: int, key: str):
    org = request.org
    cadence = _cadence(request, cadence_id)
    if cadence.is_checkin:
        return redirect("rhythm:checkin", org_slug=org.slug, cadence_id=cadence.pk, key=key)
    return _meeting_page(request, cadence, _occurrence(cadence, key))


def _meeting_page(
    request, cadence: Cadence, occ: recurrence.Occurrence, refused: dict | None = None
) -> HttpResponse:
    """An occurrence's page: its live agenda, the meeting running, or its minutes.
    `refused`: a form of the page just refused, as posted (`meeting_action`), shown again
    with what was typed and the error beside its field, answered 422."""
    org, me = request.org, request.person
    m = (
        Meeting.objects.for_org(org)
        .filter(cadence=cadence, occurrence_start=occ.original_start)
        .first()
    )
    ctx = {"cadence": cadence, "occ": occ, "meeting": m, "tz": me.timezone}
    ctx["page_path"] = reverse(
        "rhythm:meeting", kwargs={"org_slug": org.slug, "cadence_id": cadence.pk, "key": occ.key}
    )
    ctx["takes_part"] = queries.is_participant(org, cadence, me)
    ctx["is_participant"] = ctx["takes_part"] or me.has_role(Role.LEADER)
    ctx["can_run"] = ctx["is_participant"] and me.has_role(Role.MEMBER)
    # A section opened further ("show more") shows up to agenda.MORE_MAX items.
    opened = {request.GET.get("open", ""): int_or_none(request.GET.get("n")) or 50}
    # The whole agenda (`?all=1`, to print or save it): every section opened, as far as
    # "show more" opens one.
    ctx["whole"] = request.GET.get("all") == "1"
    if ctx["whole"]:
        opened = {}
    ctx["opened"] = opened
    limit = agenda.MORE_MAX if ctx["whole"] else agenda.FIRST_SCREEN
    if m is None or m.status == MeetingStatus.PLANNED:
        transient = m or Meeting(
            cadence=cadence, occurrence_start=occ.original_start, scheduled_start=occ.start
        )
        ctx["sections"] = agenda.build(org, cadence, transient, limit=limit, limits=opened)
        carried = agenda.carried_from_previous(org, transient, ctx["sections"])
        ctx["mode"] = "live"
    else:
        ctx["sections"] = [agenda.first_screen(s, opened, limit) for s in m.agenda_snapshot]
        carried = m.carried_in
        ctx["mode"] = "running" if m.status == MeetingStatus.RUNNING else "minutes"
    # What the last occurrence left shows in the agenda's "carried" section, or on top: its
    # first screen, as any section's.
    has_carried = any(s.get("source") == "carried" for s in ctx["sections"])
    ctx["sections"] = [
        agenda.first_screen({**s, "items": carried}, opened, limit)
        if s.get("source") == "carried"
        else s
        for s in ctx["sections"]
    ]
    # The time the sections ask for, when it is more than the meeting has.
    asked = sum(s.get("minutes") or 0 for s in ctx["sections"])
    ctx["overbooked"] = asked if not occ.all_day and asked > cadence.duration_minutes else None
    ctx["carried_on_top"] = (
        None
        if has_carried or not carried
        else agenda.first_screen(
            {"key": "carried", "title": "Carried forward", "items": carried}, opened, limit
        )
    )
    ctx["carried_rule"] = agenda.CARRIED_RULE
    # Printed with a section cut to its first screen, the paper says where the whole is.
    ctx["cut"] = any(s and s.get("more") for s in [*ctx["sections"], ctx["carried_on_top"]])
    # Each item opens what it names.
    *ctx["sections"], ctx["carried_on_top"] = agenda.with_urls(
        org, [*ctx["sections"], ctx["carried_on_top"]]
    )
    if ctx["mode"] != "live":
        # An action item under review may be closed from its line, by whoever may close it;
        # its line says its state now (the minutes too: closed in the meeting, not overdue).
        _with_action_states(org, me, [*ctx["sections"], ctx["carried_on_top"]])
    if ctx["mode"] == "minutes":  # each section's notes under it; none taken is said
        for s in ctx["sections"]:
            s["minutes_notes"] = (m.notes or {}).get(s["key"], "")
    if m is not None and m.status != MeetingStatus.PLANNED:
        people = queries.participants_query(org, cadence)
        listed = queries.attendance_listed(people)
        ctx["attendance_listed"] = listed
        if listed:  # everyone, to tick
            rows = m.attendance.select_related("person").order_by("person__name", "person_id")
            ctx["attendance"] = list(rows)
            ctx["present"] = [a for a in ctx["attendance"] if a.present]
            # Who is away on its day is said beside their name (started unticked).
            away = queries.away_at(org, m.scheduled_start, people)
            for a in ctx["attendance"]:
                a.away = a.person_id in away
            ctx["my_attendance"] = next(
                (a for a in ctx["attendance"] if a.person_id == me.pk), None
            )
        else:  # the latest marked present (in the meeting's index order), and you
            marked = m.attendance.filter(present=True)
            ctx["attendance"] = list(
                marked.select_related("person").order_by("-pk")[:ATTENDANCE_SHOWN]
            )
            ctx["present_count"] = marked.count()
            ctx["present"] = []  # no rating of everyone: each rates it on the minutes
            ctx["my_attendance"] = m.attendance.filter(person=me).first()
            ctx["attendee_form"] = AttendeeForm(people=people)
        ctx["headlines"] = list(m.headlines.select_related("author").prefetch_related("cascade_to"))
        # Issues solved here: their agenda line says so, their action items are the meeting's.
        solved = links.solved_in_meetings(org, [m.pk])
        ctx["solved_here"] = {f"issue:{pk}" for pk in solved}
        ctx["actions"] = links.meeting_action_items(org, [m.pk], solved)
        ctx["decisions"] = links.meeting_decisions(org, m.pk)
        ctx["average"], ctx["rating_count"] = queries.ratings_of(m)
        ctx["done"] = set(m.done_items)
        ctx["action_form"] = ActionItemForm(
            people=Person.objects.for_org(org).filter(is_active=True).order_by("name"),
            org=org,
            team=cadence.team if cadence.scope == Scope.TEAM else None,
        )
        ctx["headline_form"] = HeadlineForm(org=org)
        ctx["decision_form"] = DecisionForm(
            people=Person.objects.for_org(org).filter(is_active=True).order_by("name"),
            org=org,
            initial={"approver": me},
        )
        ctx["notes_max"] = services.NOTES_MAX  # each notes box holds no more
        ctx["can_reopen"] = services.can_reopen(me, m)
        # Whom its minutes were, or are to be, e-mailed to (`notifications.send_minutes`).
        ctx["email_here"] = email_configured()
        sent_to = notifications.minutes_sent_to(org, m)
        ctx["minutes_sent_to"] = notifications.named([p.name for p in sent_to])
        if m.status == MeetingStatus.RUNNING and ctx["can_run"]:
            ctx["minutes_for"] = queries.meeting_people(org, m).exclude(pk=me.pk).count()
            ctx["minutes_told"] = len(sent_to)
        ctx["today"] = org_today()  # an action item's state: as its own page tags it
        # The page heads itself with the scheduled day: a start on another day (started
        # early, or late) names its own day, and minutes say when the meeting was held.
        ctx["held_span"] = _held_span(m, occ, me.timezone or "UTC")
        # Finishing before its day is for whoever answers for the meeting (finish_meeting).
        ctx["finish_early_refused"] = (
            m.status == MeetingStatus.RUNNING
            and services.days_early(m, timezone.now(), me.timezone) > 0
            and not services.manages_meetings(me, cadence)
        )
        if m.status == MeetingStatus.RUNNING:
            ctx["issues"] = links.meeting_issues(
                org, m, me, services.meeting_team_ids(org, cadence)
            )
            if not listed:  # owners are searched for, not chosen from everyone present
                ctx["pick_person_url"] = reverse(
                    "web:pick", kwargs={"org_slug": org.slug, "kind": "person"}
                )
                for i in ctx["issues"]:
                    i.owner_chosen = (
                        [{"value": i.owner_id, "label": i.owner.name}] if i.owner_id else []
                    )
    else:
        # Days counted in the viewer's zone: what the page shows ("In 1 day").
        ctx["days_early"] = services.days_early(transient, timezone.now(), me.timezone)
        # A paused cadence's meeting not over yet will not happen: nothing to start, and no
        # headline for it (services._require_happening); the page says so.
        ctx["paused"] = not cadence.is_running and occ.end > timezone.now()
        # Its time came before the cadence was set up that day: not one of its meetings,
        # nothing to start (nor listed as coming up: `queries.before_set_up`).
        ctx["before_set_up"] = not occ.all_day and queries.before_set_up(cadence, occ.start)
        if ctx["can_run"] and not occ.all_day and not ctx["paused"] and not ctx["before_set_up"]:
            # News shared before the meeting is on its live agenda (services.share_headline).
            listed = agenda.headlines_section(cadence)
            ctx["headline_form"] = HeadlineForm(org=org)
            ctx["headline_hint"] = (
                "Good or important news for this meeting: shared now, it is on its agenda "
                f"under “{listed['title']}” and read out when the meeting starts."
            )
    if ctx["mode"] != "minutes" and not occ.all_day and can_write(me):
        ctx.update(_agenda_entry(request, cadence, ctx["sections"], ctx["mode"]))
    ctx.update(refused or {})
    for i in ctx.get("issues") or ():
        i.solve = _solve_form(org, i, ctx.get("solve_refused"))
    return render(request, "rhythm/meeting.html", ctx, status=422 if refused else 200)


def _held_span(m: Meeting, occ: recurrence.Occurrence, tz: str) -> str | None:
    """When the meeting was held, in `tz`, if it started on another day than its occurrence
    is scheduled (early, or late): "Sun 6 Dec 2026, 15:28\u201315:50", its end's day named
    too when it ended on yet another day, its start alone while it runs. None when it
    started on its scheduled day, or has not started."""
    if m.started_at is None or occ.all_day:
        return None
    zone = recurrence.zone(tz)
    start = m.started_at.astimezone(zone)
    if start.date() == occ.start.astimezone(zone).date():
        return None
    if m.ended_at is None or m.status == MeetingStatus.RUNNING:
        return weekday_moment(start)
    end = m.ended_at.astimezone(zone)
    until = end.strftime("%H:%M") if end.date() == start.date() else weekday_moment(end)
    return f"{weekday_moment(start)}\u2013{until}"  # an en dash, as pages write


def _with_action_states(org, me: Person, sections: list[dict | None]) -> None:
    """Give each agenda item naming an action item its state now and whether `me` may
    close (or reopen) it (`links.agenda_actions`): `item["action"]`. Two queries."""
    items = [
        i
        for s in sections
        if s
        for i in s.get("items", [])
        if i["ref"].startswith("action:") and i["ref"][7:].isdigit()
    ]
    states = links.agenda_actions(org, me, {int(i["ref"][7:]) for i in items})
    for i in items:
        i["action"] = states.get(int(i["ref"][7:]))
        if i["action"] and i["action"]["status"] != "open":
            # Closed since the agenda was frozen: no longer "overdue", nor marked late.
            i["detail"] = i.get("detail", "").replace(" · overdue", "")
            i["tone"] = "ok" if i["action"]["status"] == "done" else ""


def _agenda_line(request, cadence: Cadence, occ, m: Meeting, ref: str, said: str):
    """One agenda line of the running meeting, as its page shows it, for htmx to put in
    place of the one just ticked or closed (no reload: the meeting goes on where it was),
    with what was done said to screen readers (the page's #agenda-status)."""
    org = request.org
    key, _, item_ref = ref.partition(":")
    carried = {s["key"] for s in m.agenda_snapshot if s.get("source") == "carried"}
    if key == "carried" or key in carried:
        items = m.carried_in
    else:
        items = next((s["items"] for s in m.agenda_snapshot if s["key"] == key), [])
    item = next((i for i in items if i["ref"] == item_ref), None)
    if item is None:
        raise Http404("No such agenda item.")
    [section] = agenda.with_urls(org, [{"items": [dict(item)]}])
    _with_action_states(org, request.person, [section])
    html = render(
        request,
        "rhythm/_item.html",
        {
            "i": section["items"][0],
            "section_key": key,
            "mode": "running",
            "can_run": True,
            "done": set(m.done_items),
            "solved_here": {f"issue:{pk}" for pk in links.solved_in_meetings(org, [m.pk])},
            "cadence": cadence,
            "occ": occ,
        },
    ).content.decode()
    status = format_html('<p id="agenda-status" hx-swap-oob="innerHTML">{}</p>', said)
    return HttpResponse(html + status)


def _agenda_teams(org, cadence: Cadence):
    """The teams whose issues go on the cadence's agenda (`services.meeting_team_ids`), by
    name: a query (an organization's meeting offers any team, searched for)."""
    if cadence.scope == Scope.ORG:
        return current_teams(org)
    if cadence.scope == Scope.TEAMS:
        return cadence.teams.all().order_by("name", "id")
    if cadence.team_id is None:
        return Team.objects.none()
    if cadence.scope == Scope.SUBTREE:
        return current_teams(org).filter(pk__in=subtree_ids(cadence.team))
    return Team.objects.for_org(org).filter(pk=cadence.team_id)


def _single_team(cadence: Cadence) -> Team | None:
    """The meeting's only team, whose issues its agenda lists; None when it has several."""
    return cadence.team if cadence.scope == Scope.TEAM else None


def _agenda_form(org, cadence: Cadence, data=None, **kwargs) -> AgendaIssueForm:
    return AgendaIssueForm(
        data, teams=_agenda_teams(org, cadence), one=_single_team(cadence), **kwargs
    )


def _agenda_entry(request, cadence: Cadence, sections: list[dict], mode: str) -> dict:
    """The meeting page's "Add to the agenda": a form raising an issue for the meeting's
    team (or one of its teams), and the hint that says where it goes."""
    org, me = request.org, request.person
    team = _single_team(cadence)
    initial = team
    if team is None:  # the viewer's own team among the meeting's, when there is one
        teams = _agenda_teams(org, cadence)
        initial = (
            teams.filter(memberships__person=me, memberships__ended_on__isnull=True).first()
            or cadence.team
        )
    form = _agenda_form(org, cadence, initial={"team": initial})
    if team is not None:
        whose = f"Issues of {cadence.team.name} go on its next meeting's agenda"
    elif cadence.scope == Scope.SUBTREE and cadence.team is not None:
        whose = f"Issues of {cadence.team.name} and the teams below it go on this meeting's agenda"
    elif cadence.scope == Scope.TEAMS:
        whose = "Issues of this meeting's teams go on its agenda"
    else:
        whose = "Issues of any team go on this meeting's agenda"
    listed = next((s for s in sections if s.get("source") == "issues"), None)
    if mode == "running":
        where = ": raised now, it joins the Issues to solve below."
    elif listed is not None:
        where = f", under “{listed['title']}”."
    else:
        where = ": once the meeting starts, they are worked through under Issues to solve."
        there = _next_listing(request, team) if team is not None else ""
        if there:  # this agenda has no issues section: say whose does, and when
            whose = (
                f"Issues of {team.name} are worked through under Issues to solve once this "
                f"meeting starts (its agenda has no issues section) and are on the agenda "
                f"of {there}"
            )
            where = "."
    issues = reverse("decisions:issue_new", kwargs={"org_slug": org.slug})
    # Or an open issue of a team below, brought here rather than raised again.
    to_bring = queries.issues_to_bring(org, cadence)
    return {
        "agenda_form": form,
        "bring_form": BringIssueForm(issues=to_bring, cadence=cadence)
        if to_bring.exists()
        else None,
        "agenda_hint": whose + where,
        "agenda_team": team,
        "issues_url": f"{issues}?team={team.slug}" if team else issues,  # raise one there
    }


def _next_listing(request, team: Team) -> str:
    """The next meeting whose agenda lists `team`'s issues, as a page says it: "Weekly
    team sync on Mon 9 Nov 2026, 10:00", or "" when none does."""
    found = queries.next_meeting_listing_issues(request.org, team)
    if found is None:
        return ""
    other, occ = found
    when = weekday_moment(occ.start.astimezone(recurrence.zone(request.person.timezone or "UTC")))
    return f"{other.name} on {when}"


def _added_to_agenda(request, cadence: Cadence, issue, running, listed: dict | None) -> str:
    """What "Add to the agenda" says it did: the issue raised for its team, and where it
    comes up: this meeting's Issues to solve while it runs, its agenda when that lists
    issues, else (a stand-up's has no issues section) the meeting whose agenda lists it
    next, named with its day, and this one's Issues to solve once it starts."""
    raised = f"raised as an issue for {issue.team.name}"
    if running.exists():
        return f"“{issue.title}” is {raised}: it joins this meeting's Issues to solve below."
    if listed is not None:
        return f"“{issue.title}” is on the agenda: {raised}."
    there = _next_listing(request, issue.team)
    where = (
        f": it is on the agenda of {there}, under its issues, and comes up here"
        if there
        else ", nor does any meeting of its team: it comes up"
    )
    return (
        f"“{issue.title}” is {raised}. The agenda of {cadence.name} has no issues section"
        f"{where} under Issues to solve once this meeting starts."
    )


def _may_bring(org, cadence: Cadence, issues: list) -> list:
    """`issues` (open), each with `where`: "here", on this meeting's agenda already; "below",
    of a team below its teams, to bring here (`queries.issues_to_bring`); or "" (another
    team's, outside them: its own meetings take it). One query."""
    team_ids = services.meeting_team_ids(org, cadence)
    below = set(
        queries.issues_to_bring(org, cadence)
        .filter(pk__in=[i.pk for i in issues])
        .values_list("pk", flat=True)
    )
    for i in issues:
        here = team_ids is None or i.team_id in team_ids or i.raised_in_id in team_ids
        i.where = "here" if here else "below" if i.pk in below else ""
    return issues


def _brought(cadence: Cadence, issue, moved: bool, running: bool, listed: dict | None) -> str:
    """What "Bring it" says it did: escalated here (`services.bring_to_agenda`), or on
    this agenda already; and where it comes up."""
    if running:
        where = "it is among the Issues to solve below"
    elif listed is not None:
        where = f"it is on this meeting's agenda, under “{listed['title']}”"
    else:
        where = "it comes up under Issues to solve once this meeting starts"
    if moved:
        return f"“{issue.title}” is escalated to {issue.team.name}: {where}."
    return f"“{issue.title}” is an issue of {issue.team.name} already: {where}."


SOLVE_ACTION_ROWS = (1, 2)  # the action items the meeting page's solve form offers


def _solve_form(org, issue, typed: dict | None) -> dict:
    """What an issue's solve form shows: empty, or as typed when that solve was refused
    (opened, the errors beside their fields)."""
    typed = typed if typed and typed["issue"] == issue.pk else {}
    errors = typed.get("errors", {})
    rows = []
    for n in SOLVE_ACTION_ROWS:
        row = typed.get("actions", {}).get(n, {})
        owner = Person.objects.for_org(org).filter(pk=row["owner"]).first() if row else None
        rows.append(
            {
                "n": str(n),
                "title": row.get("title", ""),
                "owner": owner.pk if owner else None,
                "owner_chosen": [{"value": owner.pk, "label": owner.name}] if owner else [],
                "due_on": row.get("due_on", ""),
                "errors": [e for k, v in errors.items() if k.startswith(f"action_{n}_") for e in v],
            }
        )
    return {
        "open": bool(typed),
        "outcome": typed.get("outcome", ""),
        "rationale": typed.get("rationale", ""),
        "errors": errors,
        "rows": rows,
    }


# What a running (or planned) meeting's forms post to: .../<key>/<action>/.
MEETING_ACTIONS = frozenset(
    {
        "start",
        "agenda",
        "reopen",
        "notes",
        "attendance",
        "attendee",
        "done",
        "close",
        "action",
        "decision",
        "headline",
        "finish",
        "issue",
        "rate",
        "bring",
    }
)


def _meeting_page_url(request, cadence_id: int, key: str, action: str) -> str:
    if action not in MEETING_ACTIONS:
        raise Http404("No such action.")
    cadence = _cadence(request, cadence_id)
    occ = _occurrence(cadence, key)
    return reverse(
        "rhythm:meeting",
        kwargs={"org_slug": request.org.slug, "cadence_id": cadence.pk, "key": occ.key},
    )


@org_view
@post_only(_meeting_page_url)
def meeting_action(request, cadence_id: int, key: str, action: str):
    org, me = request.org, request.person
    cadence = _cadence(request, cadence_id)
    occ = _occurrence(cadence, key)
    back = redirect("rhythm:meeting", org_slug=org.slug, cadence_id=cadence.pk, key=occ.key)
    p = request.POST
    refused: dict = {}  # the form posted, for the page to show again as typed if refused
    try:
        if action == "start":
            try:
                with transaction.atomic():  # a start refused keeps nothing, not even the meeting
                    m = services.open_meeting(org, me, cadence, occ.original_start)
                    services.start_meeting(org, me, m, early=p.get("early") == "1")
            except ServiceError as exc:
                if exc.code != "confirm_early":
                    raise
                # Before its day: ask first, with a plain form (no script needed).
                return render(
                    request,
                    "rhythm/meeting_start_confirm.html",
                    {"cadence": cadence, "occ": occ, "tz": me.timezone, "message": exc.message},
                )
            messages.success(request, "Meeting started: the agenda is frozen.")
            return back
        if action == "agenda":
            form = refused["agenda_form"] = _agenda_form(org, cadence, p)
            if not form.is_valid():
                refuse_too_long(form, {"title": "What to discuss", "description": "The details"})
                raise ServiceError(
                    "Write what to discuss first."
                    if "title" in form.errors
                    else "Choose one of this meeting's teams.",
                    fields={k: [] for k in form.errors},
                )
            d = form.cleaned_data
            if p.get("again") != "1":
                # An open issue like it raised already: brought here, not raised twice.
                similar = links.similar_open_issues(org, me, d["title"])
                if similar:
                    refused["similar"] = {"issues": _may_bring(org, cadence, similar)}
                    raise ServiceError(
                        "Open issues like this one are raised already: follow one of them, "
                        "or raise this as a new issue.",
                        fields={"title": []},
                        code="similar",
                    )
            issue = services.add_to_agenda(
                org, me, cadence, d["team"], d["title"], description=d["description"]
            )
            # Where it shows: a running meeting's Issues to solve, else the agenda's Issues.
            running = Meeting.objects.for_org(org).filter(
                cadence=cadence, occurrence_start=occ.original_start, status=MeetingStatus.RUNNING
            )
            listed = queries.lists_issues(cadence)
            if running.exists():
                at = f"issue-{issue.pk}"
            else:
                at = f"section-{listed['key']}" if listed else "add-to-agenda"
            messages.success(request, _added_to_agenda(request, cadence, issue, running, listed))
            return redirect(f"{back.url}#{at}")
        if action == "bring":
            to_bring = queries.issues_to_bring(org, cadence)
            form = refused["bring_form"] = BringIssueForm(p, issues=to_bring, cadence=cadence)
            if not form.is_valid():
                raise ServiceError("Choose an open issue from the list.", fields={"issue": []})
            issue, moved = services.bring_to_agenda(org, me, cadence, form.cleaned_data["issue"])
            running = Meeting.objects.for_org(org).filter(
                cadence=cadence, occurrence_start=occ.original_start, status=MeetingStatus.RUNNING
            )
            listed = queries.lists_issues(cadence)
            messages.success(request, _brought(cadence, issue, moved, running.exists(), listed))
            if running.exists():
                at = f"issue-{issue.pk}"
            else:
                at = f"section-{listed['key']}" if listed else "add-to-agenda"
            return redirect(f"{back.url}#{at}")
        m = (
            Meeting.objects.for_org(org)
            .filter(cadence=cadence, occurrence_start=occ.original_start)
            .first()
        )
        if m is None and action != "headline":  # a headline may be shared ahead
            raise ServiceError("Start the meeting first.")
        carried = {k[len("notes:") :]: v for k, v in p.items() if k.startswith("notes:")}
        if m is not None and carried and action != "notes" and m.status == MeetingStatus.RUNNING:
            # Notes typed but not yet saved, carried by the page's other forms
            # (rhythm/meeting.js): saved before what was asked, which reads them afresh.
            for section, text in carried.items():
                base = p.get(f"base:{section}")  # what its box was loaded from
                services.save_notes(org, me, m, section, text, base=base)
            m.refresh_from_db()
        if action == "reopen":
            refused["reopen_refused"] = {"reason": p.get("reason", "")}
            services.reopen_meeting(org, me, m, reason=p.get("reason", ""))
            messages.success(request, "Meeting reopened: the agenda is live again.")
        elif action == "notes":
            section, text = p.get("section", ""), p.get("text", "")
            # Refused (too long), the box again holds what was typed, not the notes stored.
            refused["notes_refused"] = {"section": section, "text": text}
            # `base`: the text the box was loaded from; notes someone else saved since
            # are merged with these, not overwritten (services.save_notes).
            m = services.save_notes(org, me, m, section, text, base=p.get("base"))
            stored = m.notes.get(section, "")
            merged = merge.lines(stored) != merge.lines(text.strip())
            if request.headers.get("HX-Request"):
                # Saved in place while the meeting goes on: no reload, no lost scroll. The
                # notes as stored go with it (rhythm/meeting.js puts them in the box).
                return HttpResponse(
                    format_html(
                        "Saved at {}{}<span hidden data-notes>{}</span>",
                        f"{timezone.localtime():%H:%M}",
                        ", merged with notes others saved meanwhile" if merged else "",
                        stored,
                    )
                )
            messages.success(
                request,
                "Notes saved, merged with notes others saved meanwhile."
                if merged
                else "Notes saved.",
            )
            return redirect(f"{back.url}#section-{section}")
        elif action == "attendance":
            present = {int(x) for x in p.getlist("present") if x.isdigit()}
            for a in m.attendance.select_related("person"):
                if a.present != (a.person_id in present):
                    services.set_attendance(org, me, m, a.person, a.person_id in present)
            messages.success(request, "Attendance saved.")
            return redirect(f"{back.url}#attendance")
        elif action == "attendee":
            # One person at a time, in a meeting too large to list everyone: yourself, or
            # someone a facilitator chooses.
            form = AttendeeForm(p, people=queries.participants_query(org, cadence))
            if not form.is_valid():
                raise ServiceError("Choose someone who takes part in this meeting.")
            person, present = form.cleaned_data["person"], form.cleaned_data["present"]
            services.set_attendance(org, me, m, person, present)
            who = "You are" if person == me else f"{person.name} is"
            messages.success(request, f"{who} marked {'present' if present else 'absent'}.")
            return redirect(f"{back.url}#attendance")
        elif action in ("done", "close"):
            ref, done = p.get("ref", ""), p.get("done") == "1"
            if action == "done":
                services.mark_item_done(org, me, m, ref, done)
                what = "Discussed" if done else "Not discussed"
            else:
                item = services.close_agenda_action(org, me, m, ref, done)
                what = (
                    "Action item closed as done" if done else "Action item reopened"
                ) + f" ({item.owner.name})"
            title = _agenda_title(m, ref)
            said = f"{what}: {title}."
            if request.headers.get("HX-Request"):
                m.refresh_from_db()
                return _agenda_line(request, cadence, occ, m, ref, said)
            messages.success(request, said)
            return redirect(f"{back.url}#item-{dom_id(ref)}")
        elif action == "action":
            form = refused["action_form"] = ActionItemForm(
                p, people=Person.objects.for_org(org).filter(is_active=True), org=org
            )
            if not form.is_valid():
                refuse_too_long(form, {"title": "The action item's title"})
                raise ServiceError(
                    "Give the action item a title and an owner."
                    if {"title", "owner"} & form.errors.keys()
                    else "Choose a team from the list, or leave it empty."
                    if "team" in form.errors
                    else "Give the action item a due date from today on."
                )
            item = services.add_action_item(org, me, m, **form.cleaned_data)
            messages.success(request, _action_recorded(org, item))
            return redirect(f"{back.url}#actions")
        elif action == "decision":
            form = refused["decision_form"] = DecisionForm(
                p, people=Person.objects.for_org(org).filter(is_active=True), org=org
            )
            if not form.is_valid():
                refuse_too_long(form, {"question": "The decision to take"})
                errors = form.errors.keys()
                raise ServiceError(
                    "Write the decision to take and choose its approver."
                    if {"question", "approver"} & errors
                    else form.errors["options"][0]
                    if "options" in errors
                    else f"Choose an initiative of {org.name} from the list, or none."
                    if "initiative" in errors
                    else "Give the decision a decide-by date from today on."
                )
            # Taken in the room by its approver, it is final: asked for its rationale. Its
            # informed people: everyone in the meeting, unless the recorder chose nobody.
            informed = form.informed_choice()
            data = {k: v for k, v in form.cleaned_data.items() if k != "inform"}
            d = services.add_decision(org, me, m, **data, informed=informed, require_rationale=True)
            messages.success(request, _decision_recorded(org, me, d))
            return redirect(f"{back.url}#decisions")
        elif action == "headline":
            form = refused["headline_form"] = HeadlineForm(p, org=org)
            if not form.is_valid():
                refuse_too_long(form)
                raise ServiceError("Write the headline first.")
            # Before the meeting starts too: its meeting is opened for it (created on first
            # use) and the headline is on its live agenda.
            h = services.share_headline(
                org,
                me,
                cadence,
                occ.original_start,
                form.cleaned_data["text"],
                cascade_to=form.cleaned_data["cascade_to"],
            )
            if h.meeting.status == MeetingStatus.PLANNED:
                listed = agenda.headlines_section(cadence)
                messages.success(
                    request,
                    f"Headline shared: it is on this meeting's agenda, under “{listed['title']}”.",
                )
                return redirect(f"{back.url}#section-{listed['key']}")
            messages.success(request, "Headline shared.")
            return redirect(f"{back.url}#headlines")
        elif action == "finish":
            # Every box sent, with the rating it showed: one emptied takes that rating away
            # (shown filled when reopened), unless it changed meanwhile (rated from their
            # own screen since the page was loaded) or the box showed none.
            boxes = {
                int(k[7:]): v.strip()
                for k, v in p.items()
                if k.startswith("rating_") and k[7:].isdigit()
            }
            shown = {
                int(k[11:]): v.strip()
                for k, v in p.items()
                if k.startswith("rating_was_") and k[11:].isdigit()
            }
            emptied = [pid for pid, v in boxes.items() if not v and shown.get(pid)]
            stored = dict(
                m.attendance.filter(person_id__in=emptied).values_list("person_id", "rating")
            )
            ratings = {pid: v for pid, v in boxes.items() if v}
            ratings |= {pid: None for pid in emptied if shown[pid] == str(stored.get(pid))}
            typed = {pid: v for pid, v in boxes.items() if v}
            # Refused, the page again says what the boxes showed (not what is stored now).
            refused["finish"] = {"ratings": typed, "was": shown, "summary": p.get("summary", "")}
            told = {x.pk for x in notifications.minutes_sent_to(org, m)}
            # No summary box sent: the summary it has is kept (services.finish_meeting).
            services.finish_meeting(org, me, m, ratings=ratings, summary=p.get("summary"))
            sent = [x for x in notifications.minutes_sent_to(org, m) if x.pk not in told]
            messages.success(request, _minutes_sent(sent, told))
        elif action == "issue":
            return redirect(f"{back.url}#{_issue_step(request, m, refused)}")
        elif action == "rate":
            services.rate_meeting(org, me, m, p.get("rating"))
            messages.success(request, "Thanks for rating the meeting.")
        else:
            raise Http404("No such action.")
    except ServiceError as exc:
        if exc.code == "rationale_required":  # said as the decision's page says it
            exc = ServiceError(RATIONALE_REFUSED, fields=exc.fields, code=exc.code)
        if request.headers.get("HX-Request"):
            # Said beside what sent it (shell.js), whole, whatever it holds: in the API's
            # error shape, as the other pages' in-place refusals; refused for who may not,
            # or what is gone, as such (403, 404), else 422.
            return JsonResponse(
                {"error": {"code": exc.code, "message": exc.message}},
                status=exc.status if exc.status != 400 else 422,
            )
        flash_error(request, exc)
        if refused:  # the page again as typed, the refusal beside the fields it names
            for name, held in refused.items():
                if name in (
                    "finish",
                    "notes_refused",
                    "solve_refused",
                    "similar",
                    "reopen_refused",
                ):
                    held["errors"] = exc.fields
                    held["message"] = exc.message
                    continue
                field_errors(held, exc)
            return _meeting_page(request, cadence, occ, refused)
    return back


def _agenda_title(m: Meeting, ref: str) -> str:
    """What the agenda item `section:item` of a meeting is called, as its line says it."""
    item_ref = ref.partition(":")[2]
    lines = [i for s in m.agenda_snapshot for i in s["items"]] + list(m.carried_in)
    return next((i["title"] for i in lines if i["ref"] == item_ref), item_ref)


ISSUE_DONE = {
    "vote": "Vote saved on “{}”.",
    "arrange": "“{}” arranged.",
    "solve": "Solved: “{}”.",
    "keep": "“{}” kept for next time.",
    "escalate": "“{}” escalated.",
}


# A decision taken without its rationale, refused (the decision's page says the same).
RATIONALE_REFUSED = "A decision needs a rationale; nothing was decided."


def _issue_step(request, m: Meeting, refused: dict) -> str:
    """One step on an issue from the meeting page: the form's fields, read as given. A
    solve refused comes back as typed (`refused`, for the page to show again). Answers the
    part of the page to go back to: the issue, or the list once it has left it."""
    from accord.decisions.models import Issue

    org, p = request.org, request.POST
    issue = get_object_or_404(Issue.objects.for_org(org), pk=int_or_none(p.get("issue")))
    people = Person.objects.for_org(org)

    def person(value):
        if not value:
            return None
        found = people.filter(pk=int_or_none(value)).first()
        if found is None:
            raise ServiceError("Choose someone of this organization.", code="unknown_person")
        return found

    step, data = p.get("step", ""), {}
    if step == "vote":
        data["value"] = p.get("value")
    elif step == "arrange":
        data = {"owner": person(p.get("owner")), "rank": p.get("rank", "")}
    elif step == "solve":
        data = {"outcome": p.get("outcome", ""), "rationale": p.get("rationale", "")}
        refused["solve_refused"] = {
            "issue": issue.pk,
            **data,
            "actions": {
                n: {
                    "title": p.get(f"action_title_{n}", ""),
                    "owner": int_or_none(p.get(f"action_owner_{n}")),
                    "due_on": p.get(f"action_due_{n}", ""),
                }
                for n in range(1, 4)
            },
        }
        data["actions"] = []
        for n in range(1, 4):  # the page offers up to three action items
            if title := p.get(f"action_title_{n}", "").strip():
                data["actions"].append(
                    {
                        "title": title,
                        "owner": person(p.get(f"action_owner_{n}")),
                        "due_on": p.get(f"action_due_{n}") or None,
                    }
                )
    elif step == "escalate":
        data["reason"] = p.get("reason", "")
    services.work_issue(org, request.person, m, issue, step, require_rationale=True, **data)
    messages.success(request, ISSUE_DONE.get(step, "{}").format(issue.title))
    return "ids" if step in ("solve", "escalate") else f"issue-{issue.pk}"


# --- team rhythm ---------------------------------------------------------------------------


@org_view
def team_rhythm(request, team_slug: str):
    org, me = request.org, request.person
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    cads = queries.team_cadences(org, team)
    now = timezone.now()
    # One window for the page (adherence and scorecard); Insights' links ask for its own.
    weeks = int_or_none(request.GET.get("weeks"))
    weeks = weeks if weeks in scorecard.WEEKS else scorecard.WEEKS[0]
    rows = scorecard.team_scorecards(org, [team.pk], weeks=weeks)
    can_manage = permissions.can_manage_team(me, team)
    people = (
        Person.objects.for_org(org)
        .filter(memberships__team=team, memberships__ended_on__isnull=True)
        .order_by("name")
    )
    form = MeasurableForm(people=people)
    hook_form = WebhookForm()
    if request.method == "POST" and can_manage:
        what = request.POST.get("what")
        try:
            if what == "measurable":
                form = MeasurableForm(request.POST, people=people)
                if form.is_valid():
                    services.create_measurable(org, me, team=team, **form.cleaned_data)
                    messages.success(request, "Measurable added to the scorecard.")
                    return redirect("rhythm:team", org_slug=org.slug, team_slug=team.slug)
            elif what == "value":
                m = get_object_or_404(
                    Measurable.objects.for_org(org), pk=int_or_none(request.POST.get("measurable"))
                )
                services.record_measurable_value(
                    org,
                    me,
                    m,
                    week_start=dt.date.fromisoformat(request.POST["week"]),
                    value=request.POST.get("value"),
                    source="web",
                )
                return redirect(f"{request.path}?weeks={weeks}")
            elif what == "webhook":
                hook_form = WebhookForm(request.POST)
                if hook_form.is_valid():
                    delivery.add_chat_webhook(org, me, team, **hook_form.cleaned_data)
                    messages.success(request, "Chat webhook added.")
                    return redirect("rhythm:team", org_slug=org.slug, team_slug=team.slug)
            elif what == "unhook":
                hook = get_object_or_404(
                    ChatWebhook.objects.for_org(org),
                    pk=int_or_none(request.POST.get("hook")),
                    team=team,
                )
                delivery.remove_chat_webhook(org, me, hook)
                return redirect("rhythm:team", org_slug=org.slug, team_slug=team.slug)
            elif what == "test_hook":
                hook = get_object_or_404(
                    ChatWebhook.objects.for_org(org),
                    pk=int_or_none(request.POST.get("hook")),
                    team=team,
                )
                messages.success(request, delivery.send_test_message(org, me, hook))
                return redirect(f"{request.path}#chat-h")
        except ServiceError as exc:
            if what == "measurable":
                form_error(form, exc)
            elif what == "webhook":
                form_error(hook_form, exc)
            else:
                flash_error(request, exc)
        except ValueError:
            messages.error(request, "That week is not a date.")
    new_feed_url = None
    if request.method == "POST" and request.POST.get("what") in ("feed", "regenerate", "revoke"):
        what = request.POST["what"]
        try:
            if what == "feed":
                _, raw = services.create_feed(org, me, team=team)
                new_feed_url = feed_url(request, raw)
            else:
                feed = get_object_or_404(
                    CalendarFeed.objects.for_org(org),
                    pk=int_or_none(request.POST.get("feed")),
                    team=team,
                )
                if what == "regenerate":
                    _, raw = services.regenerate_feed(org, me, feed)
                    new_feed_url = feed_url(request, raw)
                else:
                    services.revoke_feed(org, me, feed)
        except ServiceError as exc:
            flash_error(request, exc)
        if new_feed_url is None:
            return redirect("rhythm:team", org_slug=org.slug, team_slug=team.slug)
    adh = {a.cadence.pk: a for a in scorecard.adherence(org, cads, weeks=weeks, now=now)}
    nxt = queries.next_occurrences(cads, now)  # one held early is not next
    return render(
        request,
        "rhythm/team.html",
        {
            "team": team,
            "rows": [(c, nxt[c.pk], adh[c.pk], queries.open_round(org, c, now)) for c in cads],
            "scorecard": rows,
            "weeks": weeks,
            "windows": scorecard.WEEKS,
            "this_week": scorecard.monday(timezone.localdate()),
            "can_manage": can_manage,
            "form": form,
            "hook_form": hook_form,
            "hooks": delivery.team_webhooks(org, team),
            "archived": Measurable.objects.for_org(org).filter(team=team, is_active=False)
            if can_manage
            else [],
            "feeds": CalendarFeed.objects.for_org(org).filter(team=team, revoked_at__isnull=True),
            "new_feed_url": new_feed_url,
            "is_member": Membership.objects.for_org(org).filter(team=team, person=me).exists(),
            "tz": me.timezone,
        },
    )


def feed_url(request, raw: str) -> str:
    """The address of a calendar feed, shown once: only a hash of `raw` is kept."""
    return request.build_absolute_uri(f"/api/v1/rhythm/calendar/{raw}.ics")


# --- my settings ---------------------------------------------------------------------------


@org_view
def measurable_edit(request, team_slug: str, measurable_id: int):
    """Change a measurable's name, goal, unit or owner; archive it or put it back."""
    org, me = request.org, request.person
    team = get_object_or_404(Team.objects.for_org(org), slug=team_slug)
    m = get_object_or_404(Measurable.objects.for_org(org), pk=measurable_id, team=team)
    if not permissions.can_manage_team(me, team):
        raise PermissionDenied("Only the team's leads and admins change its scorecard.")
    people = (
        Person.objects.for_org(org)
        .filter(memberships__team=team, memberships__ended_on__isnull=True)
        .order_by("name")
    )
    initial = {f: getattr(m, f) for f in ("name", "goal_rule", "goal_low", "goal_high", "unit")}
    initial["owner"] = m.owner_id
    form = MeasurableForm(request.POST or None, people=people, initial=initial)
    back = redirect("rhythm:team", org_slug=org.slug, team_slug=team.slug)
    if request.method == "POST":
        what = request.POST.get("what", "save")
        try:
            if what in ("archive", "restore"):
                services.archive_measurable(org, me, m, archived=what == "archive")
                messages.success(
                    request,
                    f"{m.name} archived; its values are kept."
                    if what == "archive"
                    else f"{m.name} is back on the scorecard.",
                )
                return back
            if form.is_valid():
                services.update_measurable(
                    org,
                    me,
                    m,
                    expected_version=int_or_none(request.POST.get("version")),
                    **form.cleaned_data,
                )
                messages.success(request, f"{form.cleaned_data['name']} saved.")
                return back
        except ServiceError as exc:
            form_error(form, exc)
    return render(
        request,
        "rhythm/measurable_edit.html",
        {
            "form": form,
            "measurable": m,
            "team": team,
            "panels": web_panels.collect("measurable", request, m),
        },
        status=422 if request.method == "POST" else 200,
    )


@dataclass(frozen=True)
class NoticeGroup:
    """Kinds of notice shown together on the settings page, with how many are on."""

    key: str
    label: str
    kinds: list  # (delivery.Kind, muted)

    @property
    def on(self) -> int:
        return sum(not muted for _, muted in self.kinds)


def _notice_groups(kinds, muted: set[str]) -> list[NoticeGroup]:
    """The kinds of notice by the app that sends them, in app order; the critical signals
    of insights (one kind per detector) by the dimension of health their detector weighs,
    in the order the insights page scores them (alignment, execution, dependencies, …)."""
    from accord.intelligence import registry
    from accord.intelligence.models import DIMENSIONS

    detectors = registry.discover()
    groups: dict[str, NoticeGroup] = {}
    for k in kinds:
        signal, _, name = k.kind.partition(".")
        found = detectors.get(name) if signal == "signal" else None
        if found is not None and found.dimension in DIMENSIONS:
            if f"signals-{DIMENSIONS[0]}" not in groups:
                for d in DIMENSIONS:
                    label = f"Critical signals: {d}"
                    groups[f"signals-{d}"] = NoticeGroup(f"signals-{d}", label, [])
            key = f"signals-{found.dimension}"
        else:
            key = slugify(k.group)
            groups.setdefault(key, NoticeGroup(key, k.group, []))
        groups[key].kinds.append((k, k.kind in muted))
    return [g for g in groups.values() if g.kinds]


def _muted_kinds_posted(post, kinds, muted_before) -> list[str]:
    """The kinds of notice muted after the settings form is saved. A ticked box is a kind
    the person is notified of: the kinds the form showed (`kinds_shown`) and left unticked
    are muted; a group's "All on" / "All off" turns every kind of it on or off, the others
    as ticked. A kind the form did not show (added since it was opened, or not offered to
    this person) keeps its mute as it was."""
    offered = {k.kind for k in kinds}
    shown = set(post.getlist("kinds_shown")) & offered
    on = set(post.getlist("notified_kinds")) & offered
    for group in _notice_groups(kinds, set()):
        members = {k.kind for k, _ in group.kinds}
        if post.get("all_on") == group.key:
            shown, on = shown | members, on | members
        elif post.get("all_off") == group.key:
            shown, on = shown | members, on - members
    known = {k.kind for k in delivery.kinds()}
    kept = {k for k in muted_before if k in known and k not in shown}
    return sorted(kept | (shown - on))


def _muted_cadences_posted(post, mine, me) -> list:
    """The cadences whose reminders are muted after the settings form is saved. A ticked
    box is a cadence reminded of: the ones the form showed (`cadences_shown`) and left
    unticked are muted; one it did not show (joined since it was opened) keeps its mute."""
    shown = set(post.getlist("cadences_shown"))
    reminded = set(post.getlist("reminded"))
    mutes = CadenceMute.objects.for_org(me.org).filter(person=me)
    before = set(mutes.values_list("cadence_id", flat=True))
    return [
        c
        for c in mine
        if (str(c.pk) in shown and str(c.pk) not in reminded)
        or (str(c.pk) not in shown and c.pk in before)
    ]


@org_view
@own_settings
def my_settings(request):
    """What Accord tells me and how (every kind of notice), muted cadences, time off and
    my calendar feed."""
    org, me = request.org, request.person
    prefs = delivery.preferences_of(org, me)
    mine = queries.person_cadences(org, me)
    kinds = delivery.kinds(for_person=me)
    # Time off is each organization's: hers in the login's others is said, and may be
    # marked there too where she may mark her own (not a viewer there).
    others = org_queries.other_selves(me)
    elsewhere = [p for p in others if p.has_role(Role.MEMBER)]
    away_form = AwayForm(elsewhere=elsewhere)
    new_feed_url = None
    if request.method == "POST":
        what = request.POST.get("what")
        try:
            if what == "channels":
                muted_kinds = _muted_kinds_posted(request.POST, kinds, prefs.muted_kinds)
                muted = _muted_cadences_posted(request.POST, mine, me)
                with transaction.atomic():
                    delivery.set_preferences(
                        org,
                        me,
                        me,
                        email=bool(request.POST.get("email")),
                        chat=bool(request.POST.get("chat")),
                        muted_kinds=muted_kinds,
                        agenda_emails=request.POST.get("agenda_emails") or None,
                    )
                    services.set_muted_cadences(org, me, me, muted)
                messages.success(request, "Notification settings saved.")
            elif what == "away":
                away_form = AwayForm(request.POST, elsewhere=elsewhere)
                if away_form.is_valid():
                    data = dict(away_form.cleaned_data)
                    people = [me, *(elsewhere if data.pop("elsewhere", False) else [])]
                    services.set_own_away(people, **data)
                    where = f" in {', '.join(p.org.name for p in people)}" if others else ""
                    messages.success(
                        request, f"Time off saved{where}: no check-ins owed, no reminders."
                    )
                else:
                    raise ServiceError("Give the first and last day of your time off.")
            elif what == "unaway":
                away = get_object_or_404(
                    Away.objects.for_org(org), pk=int_or_none(request.POST.get("away")), person=me
                )
                services.remove_away(org, me, away)
                messages.success(
                    request, f"Time off {day(away.starts_on)} to {day(away.ends_on)} removed."
                )
            elif what in ("feed", "regenerate"):
                if what == "feed":
                    _, raw = services.create_feed(org, me, person=me)
                else:
                    feed = get_object_or_404(
                        CalendarFeed.objects.for_org(org),
                        pk=int_or_none(request.POST.get("feed")),
                        person=me,
                    )
                    _, raw = services.regenerate_feed(org, me, feed)
                new_feed_url = feed_url(request, raw)
                messages.success(request, "Calendar address created: copy it now.")
            elif what == "revoke":
                feed = get_object_or_404(
                    CalendarFeed.objects.for_org(org),
                    pk=int_or_none(request.POST.get("feed")),
                    person=me,
                )
                services.revoke_feed(org, me, feed)
                messages.success(request, "Calendar feed revoked: its address no longer works.")
            else:
                raise ServiceError("Nothing was changed: choose what to save on this page.")
        except ServiceError as exc:
            if what == "away":
                # Said once: beside the field it names, else above the form (a form refused
                # as typed says why at its fields already). The top of the page, where it
                # opens again (the form is far down a phone's page), only points to it.
                if set(exc.fields) & set(away_form.fields):
                    field_errors(away_form, exc)
                elif not away_form.errors:
                    form_error(away_form, exc)
                messages.error(request, "Time off was not saved: see the form below.")
            else:
                flash_error(request, exc)
        else:
            group = request.POST.get("all_on") or request.POST.get("all_off")
            if what == "channels" and group:
                # Back at the group just changed (the browser opens it).
                url = reverse("rhythm:settings", kwargs={"org_slug": org.slug})
                return redirect(f"{url}#notices-{slugify(group)}")
            if new_feed_url is None:
                return redirect("rhythm:settings", org_slug=org.slug)
    muted_ids = set(
        CadenceMute.objects.for_org(org).filter(person=me).values_list("cadence_id", flat=True)
    )
    return render(
        request,
        "rhythm/settings.html",
        {
            "prefs": prefs,
            "kinds": [(k, k.kind in prefs.muted_kinds) for k in kinds],
            "notice_groups": _notice_groups(kinds, set(prefs.muted_kinds)),
            "agenda_choices": AgendaEmails.choices,
            "cadences": [(c, c.pk in muted_ids) for c in mine],
            "away": Away.objects.for_org(org).filter(person=me, ends_on__gte=timezone.localdate()),
            "away_form": away_form,
            "away_elsewhere": queries.time_off_of(others, timezone.localdate()),
            "feeds": CalendarFeed.objects.for_org(org).filter(person=me, revoked_at__isnull=True),
            "new_feed_url": new_feed_url,
            "email_here": email_configured(),  # else the e-mail choices say it is not set up
            "panels": web_panels.collect("settings", request),
        },
        status=422 if away_form.errors else 200,  # refused: shown again as typed
    )
