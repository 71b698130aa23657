"""Coordination sections on the home page and on a team's page."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.coordination import queries
from accord.coordination.models import ACTIVE_STATES, Dependency
from accord.core.counting import shown_count
from accord.org.models import Membership
from accord.org.queries import has_sub_teams

HOME_TEAMS = 3  # of the person's teams (by name), those home counts dependencies for


HOME_WAITING = 20  # of what waits on the answer of the teams the person leads


def home(request) -> str | None:
    """What waits for an answer from the teams the person leads and the teams below them,
    as those teams' inboxes show it (`queries.waiting_on_teams_led`): at most HOME_WAITING
    rows, each naming the team it waits on, with a link to the inbox that answers it (the
    team's own, or that of the team above it the person leads: `queries.standing`) and,
    past the limit, how many more. Then, for their first few teams, the open requests
    each has made of other teams and those other teams have made of it (`waits_of`); a
    head whose teams show none there gets a line to their department's page instead."""
    org, me = request.org, request.person
    led = queries.teams_led(org, me)
    waiting = queries.waiting_on_teams_led(org, me, HOME_WAITING, led=led)
    parts = []
    if waiting:
        shown = waiting[:HOME_WAITING]
        total = len(shown)
        if len(waiting) > HOME_WAITING:
            total = queries.count_waiting_on_teams_led(org, led, queries.SCOPE_COUNTED)
        standings = queries.standing(org, me, {d.answering.pk for d in shown})
        by_name = {t.name: t for t in led}
        inboxes = {}
        for d in shown:
            s = standings.get(d.answering.pk)
            d.inbox = by_name.get(s.via, d.answering) if s and s.how == "lead" else d.answering
            inboxes[d.inbox.pk] = d.inbox
        more = total - len(shown)
        parts.append(
            render_to_string(
                "coordination/panel_home.html",
                {
                    "waiting": shown,
                    "count": shown_count(total, queries.SCOPE_COUNTED),
                    "more": more,
                    "more_shown": (f"{more:,}+" if total > queries.SCOPE_COUNTED else f"{more:,}"),
                    "answering": sorted(inboxes.values(), key=lambda t: t.name),
                    "led": led,
                },
                request=request,
            )
        )
    teams, more = waits_of(org, me)
    heads = [t for t in led if has_sub_teams(t)] if not teams else []
    if teams or heads:
        parts.append(
            render_to_string(
                "coordination/_panel_home_teams.html",
                {"teams": teams, "more": more, "heads": heads},
                request=request,
            )
        )
    return "".join(parts) or None


def waits_of(org, person, limit: int = HOME_TEAMS) -> tuple[list[dict], bool]:
    """For the first `limit` of `person`'s current teams (by name): the open (active)
    requests each has made of other teams and those other teams have made of it, each
    counted up to `queries.SCOPE_COUNTED` — what the dependency list cut to the
    team alone and that direction shows. Two queries whatever the organization's size:
    the person's teams, then every count in one statement (`queries.count_each`). Teams
    with nothing either way are left out; `more` says the person has further teams."""
    terms = list(
        Membership.objects.for_org(org)
        .in_current_teams()
        .filter(person=person)
        .select_related("team")
        .order_by("team__name", "team_id")[: limit + 1]
    )
    seen, teams = set(), []
    for m in terms:
        if m.team_id not in seen:
            seen.add(m.team_id)
            teams.append(m.team)
    more = len(teams) > limit
    teams = teams[:limit]
    if not teams:
        return [], False
    active = Dependency.objects.filter(org_id=org.pk, state__in=ACTIVE_STATES)
    counted = queries.count_each(
        {
            (t.pk, side): active.filter(**{f"{side}_team_id": t.pk})
            for t in teams
            for side in ("requester", "provider")
        },
        queries.SCOPE_COUNTED,
    )
    rows = []
    for t in teams:
        asked_by, asked_of = counted[t.pk, "requester"], counted[t.pk, "provider"]
        if asked_by or asked_of:
            rows.append(
                {
                    "team": t,
                    "waits_on": asked_by,
                    "waits_on_shown": shown_count(asked_by, queries.SCOPE_COUNTED),
                    "waited_on": asked_of,
                    "waited_on_shown": shown_count(asked_of, queries.SCOPE_COUNTED),
                }
            )
    return rows, more


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
