"""Prompts: ready-made requests a person picks in their assistant, filled with what Accord
knows now (the same text the tools answer)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.activity import queries as activity
from accord.mcp.server import caller, prompt
from accord.org.models import Membership, TeamState, leading_first


def _text(result) -> str:
    return result.content[0].text


@prompt("prepare_my_weekly_sync", "Prepare my weekly sync")
def prepare_my_weekly_sync() -> str:
    """Prepare your weekly sync: what you owe, what waits on you and what is at risk in
    your teams, turned into a short agenda."""
    from accord.mcp.tools import my_week, what_is_at_risk

    return (
        "Prepare my weekly sync from what Accord says below. Write a short agenda: first "
        "what needs a decision or an answer from me, then what is at risk and who should "
        "act, then the check-ins and updates I still owe. Keep the links.\n\n"
        f"## My week\n{_text(my_week())}\n\n## At risk\n{_text(what_is_at_risk())}"
    )


@prompt("summarize_what_changed", "Summarize what changed for my teams")
def summarize_what_changed(days: str = "7") -> str:
    """Summarize what changed in the last days (default 7) for the teams you belong to:
    the latest briefing of each team you lead and the recent changes about your teams
    and the teams below them (the organization's, for someone in no team)."""
    from accord.mcp.tools import briefing

    me = caller()
    n = int(days) if days.isdigit() and 0 < int(days) <= 31 else 7
    since = timezone.localdate() - dt.timedelta(days=n)
    memberships = list(
        Membership.objects.for_org(me.org)
        .filter(person=me.person)
        .select_related("team")
        .order_by(leading_first(), "team__name")
    )
    parts = []
    for m in memberships[:5]:
        if m.is_leading:
            parts.append(f"## Briefing of {m.team.name}\n{_text(briefing(team_id=m.team.pk))}")
    # The changes about the person's current teams and those below them, as home's feed
    # reads them (`accord.web.views.home_feed`); the organization's for someone in no team.
    teams = [m.team for m in memberships if m.team.state != TeamState.RETIRED]
    events = list(activity.feed(me.org, me.person, teams=teams or None, since=since)[:40])
    lines = [
        # Who did it as people read it: an agent's change names the agent and its owner.
        f"- {e.created_at:%Y-%m-%d} {e.actor_display} {e.verb_phrase} "
        + " ".join(filter(None, (e.kind_label, e.shown_label)))
        for e in events
    ]
    names = ", ".join(t.name for t in teams) or "no team"
    where = "my teams and the teams below them" if teams else "the organization"
    return (
        f"Summarize what changed in the last {n} days for my teams ({names}): what moved "
        "forward, what slipped, what was decided, and what I should look at first. Keep it "
        "short and keep the links.\n\n"
        + "\n\n".join(parts)
        + f"\n\n## Latest changes in {where}\n"
        + ("\n".join(lines) or "- nothing recorded")
    )
