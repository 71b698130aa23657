"""Insights on shared pages: a team's health and open signals; on the home page, the
signals its reader owns or leads; on a key result's page, the signals about it."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.intelligence import agent_work, pages, queries
from accord.intelligence.models import OPEN_STATES, Signal
from accord.intelligence.registry import discover
from accord.org.models import Membership
from accord.org.queries import only_top_team


def home(request) -> str | None:
    """The live signals the reader owns or that concern a team they lead; for someone with
    none who is in no team (a board member reading as a viewer, an admin who leads
    nothing), the organization's: `organization`."""
    org, me = request.org, request.person
    mine = queries.for_person(org, me, limit=6)
    if not mine:
        in_a_team = Membership.objects.for_org(org).filter(person=me).exists()
        return None if in_a_team else organization(request)
    return render_to_string(
        "intelligence/panel_home.html",
        {
            "signals": pages.with_urls(org, mine[:5]),
            "more": len(mine) > 5,
            "org": org,
            "as_of": pages.signals_as_of(org),
        },
    )


KEY_RESULTS_AT_RISK_SHOWN = 5


def organization(request) -> str:
    """The organization's coordination health and its most pressing signals, as its top
    team's page shows them (`team`, loaded once the page is shown) when one team is at the
    top, else its five top signals (`pages.top`); then its key results at risk: the live
    signals about key results (off pace, projected to miss, not updated), most severe
    first. Read off the stored signals and health in order, never recomputed: three
    queries, whatever the size of the organization."""
    org = request.org
    root = only_top_team(org)
    top = None if root is not None else pages.with_urls(org, pages.top(org, None))
    kinds = [k for k in discover() if k.startswith("key_results.")]
    # Open, as Insights lists them: a dismissed one was said not to matter here.
    live = Signal.objects.for_org(org).filter(kind__in=kinds, state__in=OPEN_STATES)
    at_risk = list(queries.ranked(live)[: KEY_RESULTS_AT_RISK_SHOWN + 1])
    return render_to_string(
        "intelligence/panel_home_org.html",
        {
            "org": org,
            "root": root,
            "top": top,
            "at_risk": pages.with_urls(org, at_risk[:KEY_RESULTS_AT_RISK_SHOWN]),
            "more_at_risk": len(at_risk) > KEY_RESULTS_AT_RISK_SHOWN,
            "as_of": pages.signals_as_of(org) if top or at_risk else None,
        },
        request=request,
    )


def team(request, team) -> str | None:
    """A placeholder that loads `team_panel` once the team's page is shown, so the team
    page itself does no query for it."""
    # Rendered without the request: the page shell's context (and its query) is not needed.
    return render_to_string("intelligence/panel_team_lazy.html", {"team": team, "org": request.org})


def team_panel(request, team) -> str:
    """The health of the team and the teams below it, the open signals concerning any of
    them (the most severe five) and how many of theirs are dismissed (a link to them on
    Insights). Six queries."""
    org = request.org
    # A retired team has no health of its own any more: its last score is history.
    h = None if team.is_retired else queries.health(org, team.pk)
    subtree = queries.subtree_of(team)
    shown = pages.with_teams(org, pages.top(org, subtree))
    dismissed = pages.dismissed(org, subtree, pages.DISMISSED_SHOWN + 1)
    cells = pages.cells_of(h) if h is not None else []
    return render_to_string(
        "intelligence/panel_team.html",
        {
            "team": team,
            "h": h,
            "cells": cells,
            # Nothing to judge in the team and the teams below it: why, instead of a score.
            "unscored": cells[-1].why if cells else "",
            "left_out": [c for c in cells[:-1] if c.why] if cells and not cells[-1].why else [],
            "signals": shown,
            "dismissed": min(len(dismissed), pages.DISMISSED_SHOWN),
            "more_dismissed": len(dismissed) > pages.DISMISSED_SHOWN,
            "agent_work": agent_work.for_team(org, team),
            "as_of": pages.signals_as_of(org) if shown else None,
        },
        request=request,
    )


def key_result(request, kr) -> str | None:
    """The open signals about this key result (off pace, projected to miss, not updated),
    most severe first: what its own figures mean for it. One query, on the signals'
    identity index."""
    return _about(
        request, "key_results.", "alignment.keyresult", kr, kr.updated_at, "this key result"
    )


def objective(request, obj) -> str | None:
    """The open signals about this objective (its confidence falling, rated on track while
    its key results lag, nothing serving it), most severe first, beside the confidence its
    owner records. One query, on the signals' identity index."""
    # Its confidence recorded since the evaluation: the page's figures are newer.
    changed = max((t for t in (obj.updated_at, obj.confidence_updated_at) if t), default=None)
    return _about(request, "objectives.", "alignment.objective", obj, changed, "this objective")


def _about(request, prefix: str, subject_type: str, subject, changed_at, what: str) -> str | None:
    """The open signals of the kinds starting with `prefix` about `subject`, as a card;
    `changed_at`: when the page's own figures last changed (see `pages.signals_as_of`)."""
    kinds = [k for k in discover() if k.startswith(prefix)]
    found = list(
        queries.ranked(
            Signal.objects.for_org(request.org).filter(
                kind__in=kinds,
                subject_type=subject_type,
                subject_id=str(subject.pk),
                state__in=OPEN_STATES,  # as Insights lists them
            )
        )[:5]
    )
    if not found:
        return None
    return render_to_string(
        "intelligence/panel_key_result.html",
        {
            "signals": pages.with_urls(request.org, found),
            "as_of": pages.signals_as_of(request.org, changed_at, what),
            "heading_id": "kr-signals-h" if subject_type == "alignment.keyresult" else "signals-h",
        },
        request=request,
    )
