"""Coordination sections on the home page and on a team's page."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.coordination import queries
from accord.org.queries import has_sub_teams


def home(request) -> str | None:
    """New requests (and counter-proposals) waiting on the teams the person leads."""
    waiting = queries.new_requests_for_lead(request.org, request.person)
    if not waiting:
        return None
    return render_to_string("coordination/panel_home.html", {"waiting": waiting}, request=request)


def team(request, team) -> str | None:
    """The team's own dependencies; a team with sub-teams also its figures with the teams
    below it (a handful of bounded counts, see `queries.scope_figures`)."""
    summary = queries.team_summary(request.org, team)
    scope = queries.scope_figures(request.org, team) if has_sub_teams(team) else None
    return render_to_string(
        "coordination/panel_team.html",
        {"team": team, "s": summary, "scope": scope},
        request=request,
    )
