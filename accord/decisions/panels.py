"""Sections on the home page (what waits on me) and a team page (issues, action items)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from accord.core.counting import count_up_to, shown_count
from accord.decisions import queries
from accord.decisions.models import (
    UNDECIDED,
    ActionItem,
    ActionStatus,
    Decision,
    stale_after_days,
)


def home(request) -> str | None:
    """What waits on the viewer. Each read starts from the viewer's own rows (the
    approver's and owner's indexes), never from the organization's: a person's items are
    theirs alone, so the organization filter adds nothing but a worse plan."""
    me = request.person
    today = timezone.localdate()
    waiting = list(
        Decision.objects.filter(approver=me, status__in=UNDECIDED)
        .select_related("approver", "driver")
        .order_by(queries.DECIDE_BY_FIRST, "opened_at", "id")[:8]
    )
    mine = ActionItem.objects.filter(owner=me, status=ActionStatus.OPEN, due_on__isnull=False)
    mine = mine.select_related("owner", "team").order_by("due_on", "id")
    overdue = list(mine.filter(due_on__lt=today)[:8])
    due_soon = list(mine.filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=7))[:5])
    return render_to_string(
        "decisions/panel_home.html",
        {"waiting": waiting, "overdue": overdue, "due_soon": due_soon, "today": today},
        request=request,
    )


def team(request, team) -> str | None:
    org = request.org
    today = timezone.localdate()
    issues = list(queries.open_issues(org, [team.pk])[:8])
    days = stale_after_days(org)  # one query, whether or not there are issues to mark
    for issue in issues:
        issue.stale_days = days  # the template's is_stale reads it: one query, not eight
    items = list(
        queries.action_items(org)
        .filter(team=team, status="open")
        .order_by(queries.DUE_FIRST, "id")[:8]
    )
    # The team's own decisions: those waiting first (soonest deadline), then the newest.
    waiting_first = Case(When(status__in=UNDECIDED, then=Value(0)), default=Value(1))
    decided = list(
        queries.filter_log(org, team=team, only=True).order_by(waiting_first, "-opened_at", "-id")[
            :6
        ]
    )
    ft = queries.follow_through(org, team=team, days=30, today=today)
    # Each count is the length of the list it links to (the team alone), up to 200: what
    # the action items page lists.
    issue_count = count_up_to(queries.issue_list(org, team=team, only=True), 200)
    item_count = count_up_to(
        queries.action_item_list(org, team=team, only=True, status="open"), 200
    )
    return render_to_string(
        "decisions/panel_team.html",
        {
            "team": team,
            "issues": issues,
            "items": items,
            "decisions": decided,
            "ft": ft,
            "today": today,
            "issue_count": shown_count(issue_count, 200),
            "item_count": shown_count(item_count, 200),
        },
        request=request,
    )
