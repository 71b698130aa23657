"""Sections on the home page (my key results to update) and a team page (its objectives)."""

from __future__ import annotations

from django.db.models import Q
from django.template.loader import render_to_string

from accord.alignment import queries
from accord.alignment.models import (
    KeyResult,
    Objective,
    ObjectiveLevel,
    ObjectiveStatus,
    PeriodState,
)
from accord.alignment.progress import kr_progress
from accord.org.models import Membership, Role
from accord.org.queries import has_sub_teams


def home(request) -> str | None:
    org, me = request.org, request.person
    period = queries.current_period(org)
    if period is None:
        return None
    # Key results the viewer owns, or whose objective they own (when the key result has
    # no owner of its own): found from the owner indexes, never the organization's.
    own_krs = dict(KeyResult.objects.filter(owner=me).values_list("id", "objective_id"))
    own_objectives = set(Objective.objects.filter(owner=me).values_list("id", flat=True))
    krs = list(
        KeyResult.objects.filter(
            Q(pk__in=list(own_krs)) | Q(owner__isnull=True, objective_id__in=own_objectives)
        )
        .filter(objective__period=period)
        .exclude(objective__period__state=PeriodState.CLOSED)
        .exclude(objective__status=ObjectiveStatus.DROPPED)
        .select_related("objective")
        .order_by("objective__title", "position", "id")[:10]
    )
    if not krs:
        # Someone in no team (a board member reading as a viewer): the organization's own.
        in_a_team = Membership.objects.for_org(org).filter(person=me).exists()
        return None if in_a_team else organization(request, period)
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


ORG_WIDE_SHOWN = 8


def organization(request, period) -> str | None:
    """The organization's own objectives of the current period (those of no team), with
    their stored roll-up progress, as its top team's page shows them: at most
    ORG_WIDE_SHOWN, then a link to the alignment tree. One query."""
    org = request.org
    objectives = list(
        Objective.objects.for_org(org)
        .filter(level=ObjectiveLevel.ORG, team__isnull=True, period=period)
        .exclude(status=ObjectiveStatus.DROPPED)
        .order_by("title")[: ORG_WIDE_SHOWN + 1]
    )
    if not objectives:
        return None
    for o in objectives:
        o.pct = o.rollup_progress
    return render_to_string(
        "alignment/panel_home_org.html",
        {
            "objectives": objectives[:ORG_WIDE_SHOWN],
            "more": len(objectives) > ORG_WIDE_SHOWN,
            "period": period,
            "labels": queries.labels(org),
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
    # The top of the tree shows the organization's own objectives too: they are its
    # leaders' (a team page that said "no objectives" there read as nothing to align to).
    org_wide = (
        list(
            Objective.objects.for_org(org)
            .filter(level=ObjectiveLevel.ORG, team__isnull=True, period=period)
            .order_by("title")[: ORG_WIDE_SHOWN + 1]
        )
        if team.parent_id is None
        else []
    )
    for o in (*objectives, *org_wide):
        o.pct = o.rollup_progress
    stack = queries.priority_stack(org, team)
    # A team with sub-teams (a department): the figures of its tree, as the alignment page
    # cut to it shows them (stored roll-up, counted as figures).
    below = queries.tree_summary(org, period, team) if has_sub_teams(team) else None
    return render_to_string(
        "alignment/panel_team.html",
        {
            "team": team,
            "period": period,
            "objectives": objectives,
            "org_wide": org_wide[:ORG_WIDE_SHOWN],
            "more_org_wide": len(org_wide) > ORG_WIDE_SHOWN,
            "progress": queries.team_progress(org, team, period) if objectives else None,
            "stack": stack,
            "below": below,
            "labels": queries.labels(org),
        },
        request=request,
    )
