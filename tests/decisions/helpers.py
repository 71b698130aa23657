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


def recorded_long_ago() -> dict:
    """`create_action_item`'s keyword for an item recorded weeks ago, so that it may be
    due in the past already (a new one is due today or later)."""
    import datetime as dt

    from django.utils import timezone

    return {"created_at": timezone.now() - dt.timedelta(days=90)}
