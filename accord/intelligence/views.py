"""The leader's view: Insights for a scope (heat-map, trends, top signals, changes, the
filtered list), team search for the scope picker, and one signal with its evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import timezone

from accord.alignment import queries as alignment_queries
from accord.core.counting import FIGURES_EXACT, figures, shown_count
from accord.core.dates import RANGE_TEXT, in_range
from accord.core.days import org_today
from accord.core.errors import PermissionDenied, ServiceError
from accord.intelligence import config, duplicate_views, pages, panels, queries, services
from accord.intelligence.models import (
    DIMENSIONS,
    Evaluation,
    SignalEpisode,
    SignalSeverity,
    SignalState,
    SignalTeam,
    evaluated_day,
)
from accord.intelligence.registry import discover
from accord.intelligence.snapshot import as_moment
from accord.org.models import Membership, Team, TeamState
from accord.web.helpers import (
    flash_error,
    int_or_none,
    org_view,
    page_number,
    pages_of,
    paginate,
    paginate_uncounted,
    safe_next,
    slug_or_none,
)
from accord.web.pickers import team_filter_picker
from accord.web.templatetags.dates import day
from accord.web.views import history_for

PAGE_SIZE = 25
SHORT_LABELS = ("Aln", "Exe", "Dep", "Rhy", "Dec", "All")  # the heat-map's columns on a phone
STATE_CHOICES = [("live", "Not resolved or dismissed"), *SignalState.choices, ("", "Any state")]


def _scope(request) -> pages.Scope:
    """The scope named in the URL (`scope=<team id>` or `scope=all`), else the person's
    default: the highest team they lead; the whole organization for admins."""
    raw = request.GET.get("scope", "")
    if raw == "all":
        team_id = None
    elif raw:
        team_id = int_or_none(raw)
        if team_id is None:
            raise Http404("No such team.")
    else:
        team_id = queries.default_scope(request.org, request.person)
    scope = pages.scope_of(request.org, team_id)
    if scope is None:
        raise Http404("No such team in this organization.")
    return scope


def _filters(request, scope: pages.Scope) -> dict:
    """The list's filters from the address; a value not understood (an unknown kind,
    severity, state, dimension or team) is left out and named in `ignored`, as (name,
    value), for the page to say so rather than show the whole list without a word."""
    ignored: list[tuple[str, str]] = []

    def chosen(name: str, allowed, default: str = "") -> str:
        value = request.GET.get(name, default)
        if value in allowed:
            return value
        ignored.append((name, value[:40]))
        return default

    kind = chosen("kind", {"", *discover()})
    severity = chosen("severity", {"", *SignalSeverity.values})
    state = chosen("state", {v for v, _ in STATE_CHOICES}, "live")
    dimension = chosen("dimension", {"", *DIMENSIONS})
    raw_team = request.GET.get("team", "").strip()
    # Its short name, as the other lists take a team (a name of digits, such as "2027", is
    # a name first); else its id, as older links gave it.
    team_id = None
    if raw_team and slug_or_none(raw_team):
        team_id = (
            Team.objects.for_org(request.org)
            .filter(slug=raw_team)
            .values_list("pk", flat=True)
            .first()
        )
    if team_id is None:
        team_id = int_or_none(raw_team)
    outside = None
    if team_id is not None and (
        team_id not in (scope.team_ids or ())
        and not Team.objects.for_org(request.org).filter(pk=team_id).exists()
    ):
        team_id = None
    if team_id is None and raw_team:
        ignored.append(("team", raw_team[:40]))
    if team_id is not None and scope.team_ids is not None and team_id not in scope.team_ids:
        # A filter narrows the scope, never widens it: the page says which team it left out.
        team_id, outside = None, team_id
    return {
        "kind": kind,
        "severity": severity,
        "state": state,
        "dimension": dimension,
        "team": team_id,
        # Only the signals concerning the team itself (its heat-map line), not those below.
        "own": "1" if team_id is not None and request.GET.get("own") == "1" else "",
        "new": "week" if request.GET.get("new") == "week" else "",
        "outside": outside,
        "ignored": ignored,
    }


def _query(**params) -> str:
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _current_below(org, scope) -> int:
    """How many current teams are below the scope's team (its retired ones are not listed
    in the heat-map, so they are not counted either): the few retired teams are read."""
    if scope.team is None or not scope.team_ids:
        return 0
    retired = set(
        Team.objects.for_org(org).filter(state=TeamState.RETIRED).values_list("pk", flat=True)
    )
    return len(scope.team_ids - retired - {scope.team.pk})


def _as_of(request) -> tuple[dt.date | None, str]:
    """The day the page is pinned to (`?as_of=YYYY-MM-DD`), and why one given was left out
    ("" when none was, or it was understood): a day that is not a date, out of the
    supported years or after today in UTC: the figures' days are UTC days (the
    organization's day, `org_today`), whatever the reader's own zone says the date is."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None, ""
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None, f"“{raw[:40]}” is not a date (YYYY-MM-DD)"
    if not in_range(day):
        return None, f"{RANGE_TEXT}"
    today = org_today()
    if day > today:
        return None, (
            f"{day.isoformat()} is after today in UTC ({today.isoformat()}); nothing is "
            "known of it yet"
        )
    return day, ""


@org_view
def index(request):
    org = request.org
    scope = _scope(request)
    f = _filters(request, scope)
    as_of, as_of_error = _as_of(request)
    heat = pages.heatmap(org, scope, as_of=as_of)
    # The trend over an alignment period (`?period=<id>`) instead of the last 13 weeks.
    periods, period = alignment_queries.period_chosen(org, request.GET.get("period"))
    if period is not None:
        # The period's weeks, up to its end (or the day the page is pinned to).
        end = min(d for d in (period.end, as_of) if d is not None)
        trend = pages.trend(org, scope, as_of=end, since=period.start)
    else:
        trend = pages.trend(org, scope, as_of=as_of)
    # "Since last week": after the end of the same weekday a week ago.
    week_ago = as_moment((as_of or org_today()) - dt.timedelta(days=7))
    held = pages.held(org, scope, as_of) if as_of is not None else None
    if held is not None:
        aside = (SignalState.OPEN, SignalState.ACKNOWLEDGED)  # as `pages.top` lists them
        top = [s for s in held.signals if s.state in aside][:5]
        new, resolved = held.new[:10], held.resolved[:10]
    else:
        top = pages.top(org, scope.team_ids)
        new = pages.new_since(org, scope.team_ids, week_ago)
        resolved = pages.resolved_since(org, scope.team_ids, week_ago)
    # How many are new (the card shows the first ten): the count of the list it links to,
    # not "10+"; None for a large scope, whose list is not counted. Counted whatever their
    # number, so that the page's queries do not grow with it.
    if held is not None:
        new_total = len(held.new)
    else:
        new_total = pages.new_since_count(org, scope.team_ids, week_ago)

    list_teams = scope.team_ids
    filter_team = None
    if f["team"] is not None:
        filter_team = Team.objects.for_org(org).filter(pk=f["team"]).first()
        if filter_team is not None:
            list_teams = {filter_team.pk} if f["own"] else queries.subtree_of(filter_team)
    by_dim = pages.kinds_by_dimension()
    kinds = by_dim[f["dimension"]] if f["dimension"] else None
    # A heat-map score's link lists its team's signals of a dimension: what that score
    # lost to measures rather than signals is said above them.
    charged = None
    if f["dimension"] and (filter_team or scope.team) is not None:
        charged = pages.charged(
            org,
            filter_team or scope.team,
            f["dimension"],
            own=bool(f["own"]),
            as_of=as_of,
            unaligned_rule=config.for_org(org).detectors.get("initiatives.unaligned")
            if f["dimension"] == "alignment"
            else None,
        )
    if f["kind"]:
        kinds = [f["kind"]] if kinds is None or f["kind"] in kinds else []
    filters = {
        "kinds": kinds,
        "severity": f["severity"],
        "state": f["state"],
        # "New since last week" in full: what its card shows the first ten of.
        "new_since": week_ago if f["new"] else None,
    }
    total = None  # (how many, when the last evaluation counted them or None: lately)
    if held is not None:  # as the signals stood at the end of the day pinned
        listed = pages.held_filtered(
            held.signals,
            team_ids=list_teams,
            kinds=filters["kinds"],
            severity=filters["severity"],
            state=filters["state"],
            only={s.pk for s in held.new} if f["new"] else None,
        )
        page = paginate(request, listed, per_page=PAGE_SIZE)
    elif pages.large(list_teams):
        page = pages.signals_page(org, list_teams, page_number(request), PAGE_SIZE, **filters)
        total = pages.stored_total(org, filter_team or scope.team, **filters)
    elif list_teams is None:  # the whole organization: its figure, not a count on each view
        listed = pages.signals(org, None, **filters)
        page = paginate_uncounted(request, listed, PAGE_SIZE)
        key = ":".join(f[k] for k in ("dimension", "kind", "severity", "state", "new"))
        total = (figures(f"signals:{org.pk}:{key}", {"n": listed})["n"], None)
    else:
        page = paginate(request, pages.signals(org, list_teams, **filters), per_page=PAGE_SIZE)
    # The scope's dismissed signals: a page's worth, one more to say there are more (not
    # of a past day: who dismissed them and why are as they are now).
    dismissed = (
        pages.dismissed(org, scope.team_ids, pages.DISMISSED_SHOWN + 1) if held is None else []
    )
    shown = pages.with_teams(org, [*top, *new, *resolved, *page.object_list, *dismissed])
    del shown
    may_reopen = (
        services.can_act_on_each(org, request.person, dismissed[: pages.DISMISSED_SHOWN])
        if request.person is not None
        else set()
    )
    for s in dismissed:
        s.may_reopen = s.pk in may_reopen
    # The stored health is recomputed by an evaluation (one is asked for on a dismissal):
    # a dismissal since the last one has not lowered what the scores cost yet.
    last_run = (
        Evaluation.objects.filter(org=org, backfill=False)
        .order_by("-started_at")
        .values_list("started_at", flat=True)
        .first()
        if dismissed and dismissed[0].state_changed_at
        else None
    )
    health_pending = last_run is not None and dismissed[0].state_changed_at > last_run
    scope_param = str(scope.id) if scope.team else "all"
    outside, ignored = f.pop("outside"), f.pop("ignored")
    outside_team = Team.objects.for_org(org).filter(pk=outside).first() if outside else None
    catalogue = discover()
    return render(
        request,
        "intelligence/index.html",
        {
            "scope": scope,
            "below": _current_below(org, scope),
            "scope_param": scope_param,
            "heat": heat,
            "columns": pages.COLUMNS,
            "column_labels": list(zip(pages.COLUMNS, SHORT_LABELS, strict=True)),
            "trend": trend,
            "trend_summary": _trend_summary(trend),
            "top": top,
            "new": new,
            "new_total": new_total,
            "new_total_shown": shown_count(new_total, FIGURES_EXACT) if new_total else "",
            "resolved": resolved,
            "dismissed": dismissed[: pages.DISMISSED_SHOWN],
            "more_dismissed": len(dismissed) > pages.DISMISSED_SHOWN,
            "health_pending": health_pending,
            "as_of": pages.signals_as_of(org),
            "pinned": as_of,
            "pinned_today": as_of is not None and as_of >= org_today(),
            # The last day the page can be pinned to: today in UTC, as its figures count.
            "today_utc": org_today(),
            "pinned_error": as_of_error,
            # Carried by every link of the page that stays on it.
            "pin": f"&as_of={as_of.isoformat()}" if as_of else "",
            "held": held,
            "held_most": f"{pages.HELD_MOST:,}",
            "periods": periods,
            "trend_period": period,
            "here": request.get_full_path(),
            "page": page,
            "charged": charged,
            # A large scope's list is not counted: the last evaluation's count is shown; the
            # whole organization's is its figure (accord.core.counting.figures).
            "total": total[0] if total else None,
            "total_at": total[1] if total else None,
            "total_pages": pages_of(total[0], page) if total else None,
            "f": f,
            "filter_team": filter_team,
            "team_picker": team_filter_picker(
                org, filter_team, id="f-team", placeholder="All in scope"
            ),
            "outside_team": outside_team,
            "ignored": ignored,
            "kinds": sorted((k, d.title) for k, d in catalogue.items()),
            "titles": {k: d.title for k, d in catalogue.items()},
            "severities": SignalSeverity.choices,
            "states": STATE_CHOICES,
            "dimensions": DIMENSIONS,
            "page_query": _query(
                scope=scope_param,
                **{k: v for k, v in f.items() if k != "team"},
                team=filter_team.slug if filter_team else "",
                as_of=as_of.isoformat() if as_of else "",
                period=period.pk if period else "",
            ),
            "bands": pages.BANDS,
        },
    )


@dataclass
class _Stretch:
    started_at: dt.datetime
    ended_at: dt.datetime | None
    severity: str

    def get_severity_display(self) -> str:
        return SignalSeverity(self.severity).label

    @property
    def started_on(self) -> dt.date | dt.datetime:
        """As the lists date a moment (`evaluated_day`): an evaluation of a day, that day."""
        return evaluated_day(self.started_at)

    @property
    def ended_on(self) -> dt.date | dt.datetime | None:
        return evaluated_day(self.ended_at)


def _stretches(signal, shown: int = 20) -> list[_Stretch]:
    """When the signal held, newest first: its episodes, those that follow one another at
    the same severity joined (an episode ends whenever its text changes, e.g. each day a
    dependency is one day later), at most `shown` of them."""
    out: list[_Stretch] = []
    for started, ended, severity in (
        SignalEpisode.objects.filter(org_id=signal.org_id, signal=signal)
        .order_by("started_at", "id")
        .values_list("started_at", "ended_at", "severity")
    ):
        last = out[-1] if out else None
        if last is not None and last.severity == severity and last.ended_at == started:
            last.ended_at = ended
        else:
            out.append(_Stretch(started, ended, severity))
    return out[::-1][:shown]


def _trend_summary(trend: list[dict]) -> str:
    """The charts in words, for people who cannot see them."""
    if not trend:
        return "No health history yet."
    first, last = trend[0], trend[-1]

    def score(p: dict) -> str:
        # Rounded as the table beside it rounds (`floatformat`: 88.5 is 89, not f"{:.0f}"'s 88).
        if p["overall"] is None:
            return "not scored (not enough activity)"
        return floatformat(p["overall"], 0)

    if all(p["overall"] is None for p in trend):
        went = (
            f"Not enough activity to score health on any day from {day(first['date'])} to "
            f"{day(last['date'])}"
        )
    else:
        went = (
            f"Overall health went from {score(first)} on {day(first['date'])} to "
            f"{score(last)} on {day(last['date'])}"
        )
    return (
        f"{went}; open critical signals from "
        f"{first['critical']} to {last['critical']}, warnings from {first['warning']} to "
        f"{last['warning']}."
    )


@org_view
def team_search(request):
    """Teams by name for the scope picker (at most 20): as the name is typed, the list of
    them (htmx); the form sent (Enter, Find, or without JavaScript), the team's insights
    when exactly one matches, else the page that lists them."""
    q = request.GET.get("q", "").strip()
    found = pages.search_teams(request.org, q)
    if request.headers.get("HX-Request"):
        return render(request, "intelligence/_team_search.html", {"q": q, "found": found})
    if len(found) == 1:
        url = reverse("intelligence:index", kwargs={"org_slug": request.org.slug})
        return redirect(f"{url}?scope={found[0].pk}")
    return render(request, "intelligence/team_search.html", {"q": q, "found": found})


@org_view
def team_panel(request, team_id: int):
    """A team's health and open signals, loaded into its page by htmx (see panels.py)."""
    team = Team.objects.for_org(request.org).filter(pk=team_id).first()
    if team is None:
        raise Http404("No such team.")
    return HttpResponse(panels.team_panel(request, team))


ACTIONS = ("acknowledge", "snooze", "dismiss", "reopen")


@org_view
def signal_detail(request, signal_id: int):
    org, me = request.org, request.person
    signal = queries.signal(org, signal_id)
    if signal is None:
        raise Http404("No such signal.")
    if request.method == "POST":
        return _act(request, signal)
    team_ids = list(
        SignalTeam.objects.filter(org=org, signal=signal)
        .order_by("team__name")
        .values_list("team_id", flat=True)
    )
    teams = Team.objects.for_org(org).in_bulk(team_ids)
    episodes = _stretches(signal)
    det = discover().get(signal.kind)
    evidence = queries.link_names(org, queries.resolve_links(org, signal.evidence or []))
    # A cycle has no page of its own: "About" names its initiatives, each linked.
    about = (
        [e for e in evidence if e.get("target_type") == "alignment.initiative"]
        if signal.subject_type == "coordination.cycle"
        else []
    )
    can_act = signal.is_live and services.can_act_on(me, signal)
    return render(
        request,
        "intelligence/signal.html",
        {
            "signal": signal,
            "kind_title": det.title if det else signal.kind,
            "dimension": det.dimension if det else "",
            "teams": [teams[t] for t in team_ids if t in teams],
            "crumb_team": _crumb_team(org, signal, [teams[t] for t in team_ids if t in teams]),
            "evidence": evidence,
            "about": about,
            "numbers": sorted((k.replace("_", " "), v) for k, v in (signal.numbers or {}).items()),
            "subject_url": queries.subject_url(org, signal),
            "episodes": episodes,
            "history": history_for(org, "intelligence.signal", signal.pk),
            "can_act": can_act,
            # Who dismissing (or snoozing for weeks) would tell: the team above's leads.
            "told_above": services.answerable_to(org, me, signal).people if can_act else [],
            "snooze_told_after": services.SNOOZE_TOLD_AFTER_DAYS,
            "duplicate": duplicate_views.context(org, me, signal),
            "snooze_default": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
            "snooze_min": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "snooze_max": (
                timezone.localdate() + dt.timedelta(days=services.MAX_SNOOZE_DAYS)
            ).isoformat(),
        },
    )


def _crumb_team(org, signal, teams: list[Team]) -> Team | None:
    """The scope a signal's breadcrumb names: the team it is about; for one about a person
    (decisions waiting on them, missed check-ins), their home team (the current one they
    give most of their time to), not the first of its teams by name; else its first team.
    None: no team (the whole organization)."""
    if signal.subject_type == "org.team":
        tid = int_or_none(signal.subject_id)
        return next((t for t in teams if t.pk == tid), None) or (
            Team.objects.for_org(org).filter(pk=tid).first() if tid is not None else None
        )
    if signal.subject_type == "org.person":
        home = (
            Membership.objects.filter(
                org=org, person_id=int_or_none(signal.subject_id), ended_on__isnull=True
            )
            .exclude(team__state=TeamState.RETIRED)
            .select_related("team")
            .order_by("-allocation", "team__name")
            .first()
        )
        return home.team if home else None
    return teams[0] if teams else None


def _act(request, signal):
    org, me = request.org, request.person
    if not services.can_act_on(me, signal):
        raise PermissionDenied(
            "Only a lead of a team this signal concerns, a leader or an admin may change it."
        )
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        messages.error(request, "Choose acknowledge, snooze, dismiss or reopen.")
        return redirect("intelligence:signal", org_slug=org.slug, signal_id=signal.pk)
    try:
        if action == "acknowledge":
            services.acknowledge(org, me, signal)
            messages.success(request, "Acknowledged: it stays listed until its cause clears.")
        elif action == "snooze":
            until = services.snooze(org, me, signal, request.POST.get("until", "")).snoozed_until
            messages.success(request, f"Snoozed until {day(until)}.")
        elif action == "dismiss":
            services.dismiss(org, me, signal, request.POST.get("reason", ""))
            messages.success(
                request,
                "Dismissed: it no longer costs health while it holds; health is recomputed at the "
                "next evaluation, within minutes.",
            )
        else:
            was_dismissed = signal.state == SignalState.DISMISSED
            services.reopen(org, me, signal)
            messages.success(
                request,
                "Reopened: it costs health again; health is recomputed at the next evaluation, "
                "within minutes."
                if was_dismissed
                else "Reopened.",
            )
    except ServiceError as exc:
        flash_error(request, exc)
    # A form on another page (Insights' dismissed signals) comes back to it.
    here = reverse("intelligence:signal", kwargs={"org_slug": org.slug, "signal_id": signal.pk})
    return redirect(safe_next(request, request.POST.get("next"), here))
