"""Insights on shared pages: a team's health and open signals; on the home page, the
signals its reader owns or leads."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.intelligence import pages, queries
from accord.intelligence.models import SignalState


def home(request) -> str | None:
    org, me = request.org, request.person
    mine = queries.for_person(org, me, limit=5)
    if not mine:
        return None
    return render_to_string(
        "intelligence/panel_home.html",
        {"signals": pages.with_teams(org, mine)},
        request=request,
    )


def team(request, team) -> str | None:
    org = request.org
    scope = pages.scope_of(org, team.pk)
    if scope is None:
        return None
    h = queries.health(org, team.pk)
    qs = pages.signals(org, scope.team_ids, state="").filter(
        state__in=(SignalState.OPEN, SignalState.ACKNOWLEDGED)
    )
    shown = list(qs[:5])
    count = qs.count() if len(shown) == 5 else len(shown)
    cells = []
    if h is not None:
        for c in pages.COLUMNS:
            score = getattr(h, f"rollup_{c}")
            cells.append(pages.Cell(c, score, pages.band(score)))
    return render_to_string(
        "intelligence/panel_team.html",
        {"team": team, "h": h, "cells": cells, "signals": shown, "count": count},
        request=request,
    )
