"""Small builders shared by the decisions tests."""

from __future__ import annotations

from accord.activity.models import Event
from accord.decisions.models import ActionItem, Decision, DecisionOption, Issue


def counts(org) -> tuple[int, int, int, int, int]:
    """Rows of every kind this app writes, plus events: to prove a refusal changed nothing."""
    return (
        Decision.objects.for_org(org).count(),
        DecisionOption.objects.for_org(org).count(),
        ActionItem.objects.for_org(org).count(),
        Issue.objects.for_org(org).count(),
        Event.objects.for_org(org).count(),
    )
