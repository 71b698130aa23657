"""How much of a team's recent work agents created, and whether it serves a key result.

Read from the team's own rows created in the window (its index) and their creation events
(the event log's target index), never from the organization's whole log: four queries,
bounded by what the team created in the window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import CharField, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment.models import Initiative
from accord.decisions.models import ActionItem
from accord.org.models import Organization, Team

DAYS = 30


@dataclass(frozen=True)
class AgentWork:
    days: int
    initiatives: int  # created by agents in the window
    aligned: int  # of those, linked to at least one key result
    action_items: int

    @property
    def any(self) -> bool:
        return bool(self.initiatives or self.action_items)


def _made_by_agents(org: Organization, target_type: str, rows: QuerySet) -> list[int]:
    """The ids of `rows` whose creation event names an agent."""
    ids = rows.annotate(text_id=Cast("id", CharField())).values("text_id")
    found = (
        Event.objects.filter(
            org=org,
            target_type=target_type,
            target_id__in=ids,
            verb="created",
            on_behalf_of__isnull=False,
        )
        .values_list("target_id", flat=True)
        .distinct()
    )
    return [int(t) for t in found]


def for_team(
    org: Organization, team: Team, *, days: int = DAYS, now: dt.datetime | None = None
) -> AgentWork:
    """Four queries: the team's initiatives and action items created in the last `days`
    whose creation an agent recorded, and how many of those initiatives serve a key result."""
    since = (now or timezone.now()) - dt.timedelta(days=days)
    initiatives = _made_by_agents(
        org,
        "alignment.initiative",
        Initiative.objects.filter(org=org, team=team, created_at__gte=since),
    )
    aligned = (
        Initiative.key_results.through.objects.filter(initiative_id__in=initiatives)
        .values("initiative_id")
        .distinct()
        .count()
        if initiatives
        else 0
    )
    items = _made_by_agents(
        org,
        "decisions.actionitem",
        ActionItem.objects.filter(org=org, team=team, created_at__gte=since),
    )
    return AgentWork(days, len(initiatives), aligned, len(items))
