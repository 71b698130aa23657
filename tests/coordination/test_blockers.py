"""Blockers mean something: done needs an override while dependencies are undelivered;
a team's ready-to-work-on list holds initiatives whose dependencies are all delivered."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.alignment import services as alignment
from accord.coordination import queries, services
from accord.core.errors import ServiceError
from tests.coordination.conftest import initiative


def test_marking_a_waiting_initiative_done_needs_an_override_reason(world):
    """An initiative waiting on an accepted dependency that is on time is not blocked
    (`blocked_reasons`), and the refusal does not call it so: it says what it waits on."""
    dep = world.request()
    services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=3),
    )
    assert queries.blocked_reasons(world.org, [world.launch.pk]) == {}
    with pytest.raises(ServiceError) as exc:
        alignment.set_initiative_status(world.org, world.asker, world.launch, "done")
    assert exc.value.code == "undelivered_dependencies"
    assert exc.value.message.startswith(
        f"'{world.launch.title}' still waits on 1 undelivered dependency ('{dep.title}')."
    )
    assert "blocked" not in exc.value.message and "override reason" in exc.value.message
    world.launch.refresh_from_db()
    assert world.launch.status == "active"

    alignment.set_initiative_status(
        world.org, world.asker, world.launch, "done", override_reason="Shipped without it"
    )
    world.launch.refresh_from_db()
    assert world.launch.status == "done"
    event = Event.objects.filter(verb="status_changed", target_id=str(world.launch.pk)).first()
    assert event.after["override_reason"] == "Shipped without it"


def test_a_blocked_initiative_is_refused_in_the_same_words_and_a_declined_one_is_not(world):
    dep = world.request()
    services.transition(world.org, world.giver, dep, "flag_blocked", note="No stock")
    assert queries.blocked_reasons(world.org, [world.launch.pk])  # blocked, and waiting
    with pytest.raises(ServiceError) as exc:
        alignment.set_initiative_status(world.org, world.asker, world.launch, "done")
    assert exc.value.code == "undelivered_dependencies"
    assert "still waits on 1 undelivered dependency" in exc.value.message
    # Declined, nothing else planned: blocked, but nothing is on its way to wait for.
    services.transition(world.org, world.giver, dep, "decline", note="Not this quarter")
    assert queries.blocked_reasons(world.org, [world.launch.pk])
    alignment.set_initiative_status(world.org, world.asker, world.launch, "done")
    world.launch.refresh_from_db()
    assert world.launch.status == "done"


def test_a_delivered_dependency_no_longer_blocks(world):
    dep = world.request()
    services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today,
    )
    services.transition(world.org, world.asker, dep, "confirm_delivery")
    assert queries.blocked_reasons(world.org, [world.launch.pk]) == {}
    alignment.set_initiative_status(world.org, world.asker, world.launch, "done")


def test_ready_to_work_on_lists_initiatives_whose_dependencies_are_all_delivered(world):
    d = world.today + dt.timedelta(days=5)
    waiting = initiative(world.org, world.sales, "Waiting")
    free = initiative(world.org, world.sales, "Free")
    world.request()  # launch waits on ops
    done = world.request(requester_initiative=free)
    services.transition(
        world.org,
        world.giver,
        done,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=d,
    )
    services.transition(world.org, world.asker, done, "confirm_delivery")
    declined = world.request(requester_initiative=waiting)
    services.transition(world.org, world.giver, declined, "decline", note="No")
    rows = {r.initiative.title: r for r in queries.ready_to_work_on(world.org, world.sales)}
    assert not rows["Spring launch"].ready
    assert rows["Free"].ready and rows["Free"].delivered == 1
    # Declined with nothing else planned: not ready, blocked.
    assert not rows["Waiting"].ready and rows["Waiting"].delivered == 0
    assert [b.title for b in rows["Waiting"].blocked_by] == ["Stock for the spring launch"]
    assert not rows["Spring launch"].blocked_by  # waiting on an answer is not blocked
