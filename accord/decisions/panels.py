"""Sections on a team page (issues, action items, decisions). What waits on the person
(their action items, the decisions they approve) is home's "Your work" (`accord.web.work`)."""

from __future__ import annotations

from django.db.models import Case, Value, When, prefetch_related_objects
from django.template.loader import render_to_string

from accord.core.counting import count_up_to, shown_count
from accord.core.days import org_today
from accord.decisions import followthrough, queries
from accord.decisions.models import (
    UNDECIDED,
    stale_after_days,
)
from accord.org.queries import has_sub_teams


def team(request, team) -> str | None:
    org = request.org
    today = org_today()  # the organization's figures: the same day for every reader
    # A team with sub-teams (a department) shows its issues and action items with the teams
    # below it, as the lists it links to (their first rows), beside the team's own counts.
    below = has_sub_teams(team)
    if below:
        issues = list(queries.issue_list(org, team=team)[:8])
        items, _ = queries.team_action_lists(org, team, open_limit=8, closed_limit=0)
    else:
        issues = list(queries.open_issues(org, [team.pk])[:8])
        items = list(
            queries.action_items(org)
            .filter(team=team, status="open")
            .order_by(queries.DUE_FIRST, "id")[:8]
        )
    days = stale_after_days(org)  # one query, whether or not there are issues to mark
    for issue in issues:
        issue.stale_days = days  # the template's is_stale reads it: one query, not eight
    # The team's decisions (a department's with the teams below it): those waiting first
    # (soonest deadline), then the newest.
    if below:
        decided = queries.department_decisions(org, team, 6)
        prefetch_related_objects(decided, "teams")  # which team each is of, one query
        # The figures the log cut to the department shows (exact; large ones kept a minute).
        decisions_below = queries.log_figures(org, team)
    else:
        waiting_first = Case(When(status__in=UNDECIDED, then=Value(0)), default=Value(1))
        decided = list(
            queries.filter_log(org, team=team, only=True).order_by(
                waiting_first, "-opened_at", "-id"
            )[:6]
        )
    ft = queries.follow_through(
        org, team=team, days=followthrough.WINDOW_DAYS, today=today, subtree=below
    )
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
            "below": below,
            # Of the team with the teams below it: the figures its lists show.
            **(
                {
                    # The figure the issues list cut to the department shows.
                    "issues_below": queries.issue_figures(org, team=team)["total"],
                    "items_below": queries.open_action_figures(
                        org, team, subtree=True, today=today
                    ),
                    "decisions_below": decisions_below,
                    "decisions_overdue": decisions_below["overdue"] > 0,
                }
                if below
                else {}
            ),
        },
        request=request,
    )
