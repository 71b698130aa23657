"""The demo's history gives one date for one change: a proposed, superseded or reversed
decision and a dropped action item say the same moment in their event (its date, and the
moment its "after" records) as in the row. Once, a proposal read "6 Dec, 01:53 … proposed
this decision … Proposed: 7 Dec, 06:03", the second being when the demo was loaded."""

from __future__ import annotations

import datetime as dt

from accord import demo
from accord.activity.describe import happened_at
from accord.activity.models import Event
from accord.decisions.models import ActionItem, Decision

MOMENTS = {
    ("decisions.decision", "proposed"): "proposed_at",
    ("decisions.decision", "superseded"): "closed_at",
    ("decisions.decision", "reversed"): "closed_at",
    ("decisions.actionitem", "dropped"): "dropped_at",
}


def test_each_backdated_change_says_one_moment_in_its_event_and_its_row(db):
    org = demo.load()
    rows = {
        "decisions.decision": {d.pk: d for d in Decision.objects.for_org(org)},
        "decisions.actionitem": {a.pk: a for a in ActionItem.objects.for_org(org)},
    }
    seen = {verb: 0 for _, verb in MOMENTS}
    events = Event.objects.for_org(org).filter(
        target_type__in=["decisions.decision", "decisions.actionitem"],
        verb__in=[verb for _, verb in MOMENTS],
    )
    for event in events:
        field = MOMENTS.get((event.target_type, event.verb))
        if field is None:
            continue
        row = rows[event.target_type][int(event.target_id)]
        stored = getattr(row, field)
        recorded = dt.datetime.fromisoformat(event.after[field])
        where = f"{event.verb} {event.target_type} {row.pk}"
        assert recorded == stored, where
        assert event.created_at == stored, where
        assert happened_at(event) == stored, where
        seen[event.verb] += 1
    # The demo has each kind of change, all checked.
    assert all(seen.values()), seen
    assert sum(seen.values()) >= 10, seen


def test_a_moment_given_is_recorded_once_and_a_wrong_one_refused(cast):
    """What the demo passes (`proposed_at`, `closed_at`, `dropped_at`): the row and its
    event say it; before the thing was opened or decided, or later than now, it is
    refused and nothing changes."""
    import pytest
    from django.utils import timezone

    from accord.core.errors import ServiceError
    from accord.decisions import services
    from tests.decisions.helpers import counts

    now = timezone.now()
    decision = services.create_decision(
        cast.org,
        None,
        "Keep list prices?",
        approver=cast.leader,
        opened_at=now - dt.timedelta(days=1),
    )
    before = counts(cast.org)
    for when in (decision.opened_at - dt.timedelta(hours=1), now + dt.timedelta(hours=1)):
        with pytest.raises(ServiceError) as refused:
            services.propose(cast.org, None, decision, outcome="Yes", proposed_at=when)
        assert "proposed_at" in refused.value.fields
    assert counts(cast.org) == before
    decision.refresh_from_db()
    assert decision.status == "open" and decision.proposed_at is None

    when = now - dt.timedelta(minutes=5)
    services.propose(cast.org, None, decision, outcome="Yes", proposed_at=when)
    services.decide(cast.org, None, decision, decided_at=when)
    with pytest.raises(ServiceError):
        services.reverse(cast.org, None, decision, "No", closed_at=when - dt.timedelta(minutes=1))
    services.reverse(cast.org, None, decision, "No", closed_at=now - dt.timedelta(minutes=1))
    decision.refresh_from_db()
    assert decision.proposed_at == when
    assert decision.closed_at == now - dt.timedelta(minutes=1)
    event = Event.objects.for_target("decisions.decision", decision.pk).get(verb="reversed")
    assert dt.datetime.fromisoformat(event.after["closed_at"]) == decision.closed_at
