"""Insights on shared pages: a team's health and open signals; on the home page, the
signals its reader owns or leads."""

from __future__ import annotations

from django.db import connection
from django.template.loader import render_to_string

from accord.intelligence import agent_work, pages, queries
from accord.intelligence.models import Signal, SignalState, SignalTeam
from accord.org.models import Membership, MembershipRole, Team


def home(request) -> str | None:
    org, me = request.org, request.person
    mine = _for_person(org, me, limit=6)
    if not mine:
        return None
    return render_to_string(
        "intelligence/panel_home.html",
        {"signals": pages.with_urls(org, mine[:5]), "more": len(mine) > 5, "org": org},
    )


def _for_person(org, person, *, limit: int) -> list[Signal]:
    """Live signals the person owns or that concern a team they lead (or one below), as
    `queries.for_person`, read from the person's teams down (one recursive query names
    them) instead of the organization's tree. Three to five queries."""
    table = Team._meta.db_table
    sql = (
        f"WITH RECURSIVE led(id) AS ("
        f" SELECT team_id FROM {Membership._meta.db_table}"
        f" WHERE org_id = %s AND person_id = %s AND role = %s AND ended_on IS NULL"
        f" UNION SELECT t.id FROM {table} t JOIN led ON t.parent_id = led.id"
        f" WHERE t.org_id = %s)"
        f" SELECT id FROM led"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [org.pk, person.pk, MembershipRole.LEAD, org.pk])
        led = [row[0] for row in cursor.fetchall()]
    live = Signal.objects.filter(org=org, state__in=(SignalState.OPEN, SignalState.ACKNOWLEDGED))
    lists = [live.filter(owner=person)]
    if len(led) > 1 and len(led) == Team.objects.for_org(org).count():
        # The person leads the top of the tree: every signal is theirs to see.
        lists = [live]
    elif led:
        # By the teams' ids: PostgreSQL, told only "the rows of a recursive query", read
        # every signal's links to find a leaf team's few (33 ms instead of 1).
        links = SignalTeam.objects.filter(org=org, team_id__in=led).values("signal_id")
        lists.append(live.filter(pk__in=links))
    # Each list ranked and cut in the database; merged here (an OR of the two read them all).
    found = {s.pk: s for qs in lists for s in queries.ranked(qs.select_related("owner"))[:limit]}
    return sorted(found.values(), key=queries.rank_key)[:limit]


def team(request, team) -> str | None:
    """A placeholder that loads `team_panel` once the team's page is shown, so the team
    page itself does no query for it."""
    # Rendered without the request: the page shell's context (and its query) is not needed.
    return render_to_string("intelligence/panel_team_lazy.html", {"team": team, "org": request.org})


def team_panel(request, team) -> str:
    """The health of the team and the teams below it, and the open signals concerning any
    of them (the most severe five). Five queries."""
    org = request.org
    # A retired team has no health of its own any more: its last score is history.
    h = None if team.is_retired else queries.health(org, team.pk)
    shown = pages.with_teams(org, pages.top(org, queries.subtree_ids(org, team.pk)))
    cells = []
    if h is not None:
        for c in pages.COLUMNS:
            score = getattr(h, f"rollup_{c}")
            cells.append(pages.Cell(c, score, pages.band(score)))
    return render_to_string(
        "intelligence/panel_team.html",
        {
            "team": team,
            "h": h,
            "cells": cells,
            "signals": shown,
            "agent_work": agent_work.for_team(org, team),
        },
        request=request,
    )
