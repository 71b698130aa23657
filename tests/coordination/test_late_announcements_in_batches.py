"""Announcing late dependencies writes in short transactions (batches): a request can write
between two of them rather than wait for the whole organization's, and a run stopped
midway leaves whole batches announced, which the next run does not announce again."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.activity.models import Event
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.org.models import Team
from tests.between_batches import a_write_meanwhile


def _late(world, n: int) -> list[Dependency]:
    deps = [world.request(title=f"Late {i}") for i in range(n)]
    Dependency.objects.filter(pk__in=[d.pk for d in deps]).update(
        need_by=world.today - dt.timedelta(days=3)
    )
    return deps


@pytest.mark.django_db(transaction=True)
def test_a_request_writes_between_two_batches(world, monkeypatch):
    monkeypatch.setattr(services, "LATE_BATCH", 1)
    _late(world, 3)

    def rename() -> None:  # a request's write, on a connection of its own
        Team.objects.filter(pk=world.sales.pk).update(name="Sales and partners")

    with a_write_meanwhile("became_late", rename) as seen:
        assert services.announce_late(world.org) == 3
    # Written while the job still had batches to go, not once it was over.
    assert seen[0] is False and seen[-1] is True
    assert Team.objects.get(pk=world.sales.pk).name == "Sales and partners"


def test_a_run_stopped_midway_is_finished_by_the_next_without_repeats(world, monkeypatch):
    monkeypatch.setattr(services, "LATE_BATCH", 2)
    deps = _late(world, 5)
    from accord.activity import services as activity

    class Stopped(Exception):
        pass

    heard: list[int] = []

    def stop_in_the_second_batch(event) -> None:
        if event.verb == "became_late":
            heard.append(1)
            if len(heard) == 3:
                raise Stopped  # the process dies in the middle of the second batch

    activity.LISTENERS.append(stop_in_the_second_batch)
    try:
        with pytest.raises(Stopped):
            services.announce_late(world.org)
    finally:
        activity.LISTENERS.remove(stop_in_the_second_batch)
    kept = Event.objects.filter(verb="became_late")
    assert kept.count() == 2  # the first batch, committed; the second's rolled back
    assert services.announce_late(world.org) == 3
    assert services.announce_late(world.org) == 0
    announced = sorted(int(e.target_id) for e in Event.objects.filter(verb="became_late"))
    assert announced == sorted(d.pk for d in deps)
