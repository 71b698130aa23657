"""Sections of the home and team pages: check-ins owed and missed, next meetings, a team's
rhythm."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from accord.activity.models import ChatFlavor, ChatWebhook
from accord.alignment.models import OPEN_INITIATIVE_STATUSES
from accord.org import permissions
from accord.rhythm import queries, rights


def home(request) -> str | None:
    org, me = request.org, request.person
    now = timezone.now()
    scope = queries.PersonScope.load(org, me)
    cads = queries.person_cadences(org, me, scope)
    # The rounds of the last two weeks too, for those missed since the last one given
    # (no more queries: the same reading of the person's check-ins).
    rounds = queries.owed_checkins(
        org, me, now - queries.MISSED_LOOKBACK, now + dt.timedelta(days=7), scope=scope, cads=cads
    )
    soon = now - dt.timedelta(days=2)
    owed = [
        o
        for o in rounds
        if o.occurrence.start >= soon and o.state in ("upcoming", "open", "overdue")
    ]
    missed = queries.missed_since_given(rounds)
    seen: set[int] = set()
    upcoming = []
    # The next occurrence of each of the person's meetings, soonest first: one going on
    # now (not ended) or to come; one held already (started early and finished) is behind
    # them, not next.
    for u in queries.meetings_ahead(
        org, cads, now, now + dt.timedelta(days=7), tz_name=me.timezone
    ):
        if queries.held(u.meeting):
            continue
        if u.cadence.pk not in seen and len(upcoming) < 5:
            seen.add(u.cadence.pk)
            upcoming.append(u)
    broken = [c for c in cads if c.schedule_problem]
    if not owed and not upcoming and not broken and not missed:
        return None
    return render_to_string(
        "rhythm/_panel_home.html",
        {
            "owed": owed,
            "missed": missed,
            "upcoming": upcoming,
            "broken": broken,
            "tz": me.timezone,
        },
        request=request,
    )


TEAM_PANEL_SHOWN = 6  # cadences a team page lists


def chat_flavors(org, team) -> list[str]:
    """The kinds of chat the team's active webhooks post to ("Slack", ...), in one query."""
    found = ChatWebhook.objects.for_org(org).filter(team=team, is_active=True).order_by("pk")
    labels = dict(ChatFlavor.choices)
    return list(dict.fromkeys(labels[f] for f in found.values_list("flavor", flat=True)))


def team(request, team) -> str | None:
    org = request.org
    if team.is_retired:  # no meeting to come, no chat to post to: only its past
        return render_to_string("rhythm/_panel_team.html", {"team": team}, request=request)
    now = timezone.now()
    cads = queries.team_cadences(org, team)
    chat = chat_flavors(org, team)
    # Only those who may add or remove a webhook (the team page's Chat form) are sent there.
    can_manage = permissions.can_manage_team(request.person, team)
    if not cads:
        return render_to_string(
            "rhythm/_panel_team.html",
            {"team": team, "rows": [], "chat": chat, "can_manage": can_manage},
            request=request,
        )
    # The team's own first (`team_cadences`); the rest are on its rhythm page.
    shown = cads[:TEAM_PANEL_SHOWN]
    adh = {a.cadence.pk: a for a in queries.adherence(org, shown, now=now)}
    nxt = queries.next_occurrences(shown, now)  # one held early is not next
    rows = [(c, nxt[c.pk], adh[c.pk]) for c in shown]
    return render_to_string(
        "rhythm/_panel_team.html",
        {
            "team": team,
            "rows": rows,
            "more": len(cads) - len(shown),
            "chat": chat,
            "can_manage": can_manage,
            "tz": request.person.timezone,
        },
        request=request,
    )


def initiative(request, item) -> str | None:
    """The card "Its sync": the running cadences that are the initiative's sync, each with
    when it meets next; for its owner, when there is none, *Set up its sync*. A few
    queries."""
    org, me = request.org, request.person
    cads = list(queries.cadences(org).filter(initiatives=item).order_by("name", "id")[:5])
    may_set_up = (
        not cads
        and me.pk == item.owner_id
        and item.status in OPEN_INITIATIVE_STATUSES
        and rights.may_set_up_any(org, me)
    )
    if not cads and not may_set_up:
        return None
    nxt = queries.next_occurrences(cads, timezone.now())
    return render_to_string(
        "rhythm/_panel_initiative.html",
        {
            "item": item,
            "rows": [(c, nxt.get(c.pk)) for c in cads],
            "may_set_up": may_set_up,
            "tz": me.timezone,
        },
        request=request,
    )
