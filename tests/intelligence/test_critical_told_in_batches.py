"""Telling people of new critical signals writes in short transactions (batches): a large
organization's first evaluation finds thousands, and a request can write between two
batches rather than wait for all of them; a run stopped midway, asked again, tells only
those not told yet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accord.activity import delivery
from accord.activity import services as activity
from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.intelligence import evaluate, notifications
from accord.intelligence.models import Signal
from accord.org import services as org_services
from accord.org.models import MembershipRole, Team
from tests.between_batches import a_write_meanwhile


def _two_blocked(cast) -> list[Signal]:
    """Two blocked requests of Platform's to Acme (led by the admin): two critical signals
    for the admin, evaluated without telling anyone yet (as the conftest's `blocked`)."""
    org = cast.org
    org_services.add_membership(
        org, None, person=cast.admin, team=cast.root, role=MembershipRole.LEAD
    )
    delivery.set_preferences(org, None, cast.admin, muted_kinds=["dependency_flagged"])
    checkout = alignment.create_initiative(
        org, None, team=cast.platform, title="Checkout", status="active"
    )
    for title in ("Payments API", "Ledger API"):
        dep = coordination.create_dependency(
            org,
            None,
            requester_initiative=checkout,
            provider_team=cast.root,
            title=title,
            need_by=timezone.localdate() + dt.timedelta(days=20),
        )
        coordination.transition(org, None, dep, "flag_blocked", note="Waiting on the vendor")
    evaluate.evaluate(org, announce=False)
    signals = list(Signal.objects.filter(org=org, kind="dependencies.blocked"))
    assert len(signals) == 2 and all(s.severity == "critical" for s in signals)
    assert len(notifications.recipients(org, signals)) == 2
    return signals


@pytest.mark.django_db(transaction=True)
def test_a_request_writes_between_two_batches(cast, monkeypatch):
    signals = _two_blocked(cast)
    monkeypatch.setattr(notifications, "TELL_BATCH", 1)

    def rename() -> None:  # a request's write, on a connection of its own
        Team.objects.filter(pk=cast.platform.pk).update(name="Platform and payments")

    with a_write_meanwhile("told", rename) as seen:
        assert notifications.announce_new_critical(cast.org, signals) == 2
    assert seen == [False, True]  # written between the two batches, not after the last


def test_a_run_stopped_midway_tells_the_rest_when_asked_again(cast, monkeypatch):
    signals = _two_blocked(cast)
    monkeypatch.setattr(notifications, "TELL_BATCH", 1)

    class Stopped(Exception):
        pass

    heard: list[int] = []

    def stop_in_the_second_batch(event) -> None:
        if event.verb == "told":
            heard.append(1)
            if len(heard) == 2:
                raise Stopped

    activity.LISTENERS.append(stop_in_the_second_batch)
    try:
        with pytest.raises(Stopped):
            notifications.announce_new_critical(cast.org, signals)
    finally:
        activity.LISTENERS.remove(stop_in_the_second_batch)
    assert Event.objects.filter(verb="told").count() == 1  # the first batch's
    assert notifications.announce_new_critical(cast.org, signals) == 1  # the other one
    assert notifications.announce_new_critical(cast.org, signals) == 0
    told = sorted(int(e.target_id) for e in Event.objects.filter(verb="told"))
    assert told == sorted(s.pk for s in signals)
