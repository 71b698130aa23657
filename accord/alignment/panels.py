"""Sections on the home page (my key results to update) and a team page (its objectives)."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.alignment import queries
from accord.alignment.models import Objective
from accord.alignment.progress import kr_progress
from accord.org.models import Role


def home(request) -> str | None:
    org, me = request.org, request.person
    period = queries.current_period(org)
    if period is None:
        return None
    krs = list(queries.my_key_results(org, me, period)[:10])
    if not krs:
        return None
    for k in krs:
        k.pct = kr_progress(k)
    return render_to_string(
        "alignment/panel_home.html",
        {
            "krs": krs,
            "period": period,
            "labels": queries.labels(org),
            "can_write": me.has_role(Role.MEMBER),
        },
        request=request,
    )


def team(request, team) -> str | None:
    org = request.org
    period = queries.current_period(org)
    if period is None:
        return None
    objectives = list(
        Objective.objects.for_org(org).filter(team=team, period=period).order_by("title")
    )
    for o in objectives:
        o.pct = o.rollup_progress
    stack = queries.priority_stack(org, team)
    return render_to_string(
        "alignment/panel_team.html",
        {
            "team": team,
            "period": period,
            "objectives": objectives,
            "progress": queries.team_progress(org, team, period) if objectives else None,
            "stack": stack,
            "labels": queries.labels(org),
        },
        request=request,
    )
