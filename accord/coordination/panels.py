"""Coordination sections on the home page and on a team's page."""

from __future__ import annotations

from django.template.loader import render_to_string

from accord.coordination import queries
from accord.coordination.models import ACTIVE_STATES, Dependency
from accord.core.counting import count_up_to, kept_while_large, shown_count
from accord.org.models import Membership
from accord.org.queries import covers_every_team, has_sub_teams, subtree_ids

HOME_TEAMS = 3  # of the person's teams (by name), those home counts dependencies for


HOME_WAITING = 20  # of what waits on the answer of the teams the person leads
HOME_ROWS = 3  # late or at-risk dependencies a department's figures on home are followed by


def home(request) -> str | None:
    """What waits for an answer from the teams the person leads and the teams below them,
    as those teams' inboxes show it (`queries.waiting_on_teams_led`): at most HOME_WAITING
    rows, each naming the team it waits on, with a link to the inbox that answers it (the
    team's own, or that of the team above it the person leads: `queries.standing`) and,
    past the limit, how many more. Then, for their first few teams, the open requests
    each has made of other teams and those other teams have made of it (`waits_of`); and
    for each of the first few teams with teams below it that they lead, that department's
    figures and its first late or at-risk dependencies (`departments`)."""
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
        inboxes, below = {}, set()
        for d in shown:
            s = standings.get(d.answering.pk)
            d.inbox = by_name.get(s.via, d.answering) if s and s.how == "lead" else d.answering
            inboxes[d.inbox.pk] = d.inbox
            if d.inbox.pk != d.answering.pk:
                # Waits on a team below one they lead: in that team's leads' Inbox, not
                # theirs; answered on the page of the team they lead (its inbox section).
                below.add(d.inbox.pk)
        more, more_shown = _more(total, len(shown))
        parts.append(
            render_to_string(
                "coordination/panel_home.html",
                {
                    "waiting": shown,
                    "count": shown_count(total, queries.SCOPE_COUNTED),
                    "more": more,
                    "more_shown": more_shown,
                    "answering": sorted(inboxes.values(), key=lambda t: t.name),
                    "below": below,
                    "led": led,
                },
                request=request,
            )
        )
    teams, more = waits_of(org, me)
    heads = departments(org, [t for t in led if has_sub_teams(t)][:HOME_TEAMS])
    if teams or heads:
        parts.append(
            render_to_string(
                "coordination/_panel_home_teams.html",
                {"teams": teams, "more": more, "heads": heads},
                request=request,
            )
        )
    return "".join(parts) or None


def _more(total: int, shown: int, counted_up_to: int | None = queries.SCOPE_COUNTED):
    """How many rows past the `shown` ones a card leaves to its list, where `total` was
    counted up to `counted_up_to` (`count_up_to`: one more means more; None: exact):
    the number, and as the card writes it ("3", "180+"). A total past the count reads
    "200+" (`shown_count`), so what is left of it is "200+" less those shown: "200+" when
    none is, never the one more the count read to know there are more."""
    more = max(0, total - shown)
    if counted_up_to is not None and total > counted_up_to:
        return more, f"{max(0, counted_up_to - shown):,}+"
    return more, f"{more:,}"


def departments(org, heads: list, on=None) -> list[dict]:
    """For each team of `heads` (teams with teams below them), its figures with the teams below
    it as its pages give them (`queries.scope_figures`: waiting for an answer, late, at risk
    and not late, each counted up to `queries.SCOPE_COUNTED` in one statement), and its
    first `HOME_ROWS` late, then at-risk, dependencies, soonest due first: the coordination
    overview's two lists, cut short (read only when the figures say there are some), with
    how many of each they leave out (`more`: label, the list's query, count, as shown). Its
    cycles (`scope["cycles"]`) are those the overview counts: the last evaluation's stored
    cycles through a team of it (`queries.stored_cycles`), read, never worked out from the
    graph here. At 10,000 teams, for a department of 1,100: about 22 ms of figures and 4 ms
    of late rows (at-risk rows, when fewer are late, 27 ms more); for the whole
    organization, a few ms. Figures past the count's limit ("200+") are kept a minute in the
    shared cache (`accord.core.counting.kept_while_large`), as large headline figures are.
    Its number of queries does not grow with the department."""
    on = on or queries.today()
    out = []
    for team in heads:
        whole = covers_every_team(team)
        scope = kept_while_large(  # "200+" a minute old reads the same
            f"coordination-home-scope:{team.pk}:{on.isoformat()}",
            lambda team=team, whole=whole: {
                **queries.scope_figures(org, team, on, at_risk=True),
                "cycles": count_up_to(
                    queries.stored_cycles(org, None if whole else subtree_ids(team))
                ),
            },
            queries.SCOPE_COUNTED,
        )
        # Figures kept before cycles were counted have none (kept up to a minute).
        scope["cycles_shown"] = shown_count(scope.get("cycles", 0))
        rows: list = []
        late_rows = 0
        if scope["late"]:
            if whole:
                late = queries.filtered(org, team=team, late=True, on=on, whole=True)
            else:  # each side's team index with the condition: 4 ms, not 26, for 1,100 teams
                late = queries.in_scope(
                    queries.base(org), org, team, by_id=False, each=queries.late_q(on)
                ).order_by("due", "id")
            rows = list(late[:HOME_ROWS])
            late_rows = len(rows)
        if len(rows) < HOME_ROWS and scope["at_risk"]:
            risky = queries.filtered(
                org, team=team, at_risk=True, late=False, on=on, whole=whole
            ).filter(due__gte=on)
            rows += list(risky[: HOME_ROWS - len(rows)])
        # Those the rows leave out, each kind linking to its list (the figure's own).
        counted_up_to = None if whole else queries.SCOPE_COUNTED
        more = []
        for label, query, total, shown in (
            ("late", "late=1", scope["late"], late_rows),
            ("at risk", "at_risk=1&late=0", scope["at_risk"], len(rows) - late_rows),
        ):
            n, n_shown = _more(total, shown, counted_up_to)
            if n:
                more.append({"label": label, "query": query, "count": n, "shown": n_shown})
        out.append({"team": team, "scope": scope, "rows": queries.decorate(rows, on), "more": more})
    return out


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
