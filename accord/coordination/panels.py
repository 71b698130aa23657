"""Coordination sections on the home page and on a team's page."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.coordination import queries


def home(request) -> str | None:
    """New requests (and counter-proposals) waiting on the teams the person leads."""
    waiting = queries.new_requests_for_lead(request.org, request.person)
    if not waiting:
        return None
    return render_to_string("coordination/panel_home.html", {"waiting": waiting}, request=request)


def team(request, team) -> str | None:
    summary = queries.team_summary(request.org, team)
    return render_to_string(
        "coordination/panel_team.html", {"team": team, "s": summary}, request=request
    )
