"""Sections on the home page (what waits on me) and a team page (issues, action items)."""

from __future__ import annotations

import datetime as dt

from django.template.loader import render_to_string
from django.utils import timezone

from accord.decisions import queries


def home(request) -> str | None:
    me, org = request.person, request.org
    today = timezone.localdate()
    waiting = list(queries.waiting_on(me)[:8])
    overdue = list(queries.overdue_action_items(org, person=me, today=today)[:8])
    due_soon = list(
        queries.action_items_due(
            org, person_ids=[me.pk], until=today + dt.timedelta(days=7)
        ).filter(due_on__gte=today)[:5]
    )
    return render_to_string(
        "decisions/panel_home.html",
        {"waiting": waiting, "overdue": overdue, "due_soon": due_soon, "today": today},
        request=request,
    )


def team(request, team) -> str | None:
    org = request.org
    today = timezone.localdate()
    issues = list(queries.open_issues(org, [team.pk])[:8])
    items = list(
        queries.action_items(org)
        .filter(team=team, status="open")
        .order_by(queries.DUE_FIRST, "id")[:8]
    )
    ft = queries.follow_through(org, team=team, days=30, today=today)
    return render_to_string(
        "decisions/panel_team.html",
        {"team": team, "issues": issues, "items": items, "ft": ft, "today": today},
        request=request,
    )
