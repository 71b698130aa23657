"""A dependency whose date passes undelivered is announced once, as an event."""

from __future__ import annotations

import datetime as dt

from accord.activity.models import Event
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.coordination.tasks import announce_late_dependencies


def test_a_late_dependency_is_announced_once_per_due_date(world):
    dep = world.request()
    on_time = world.request(title="Not yet due")
    Dependency.objects.filter(pk=dep.pk).update(need_by=world.today - dt.timedelta(days=3))
    assert announce_late_dependencies.call() == 1
    assert announce_late_dependencies.call() == 0
    events = Event.objects.filter(verb="became_late")
    assert [e.target_id for e in events] == [str(dep.pk)]
    # The day it became late, not a count of days that is out of date the next day.
    assert events[0].after["late_since"] == (world.today - dt.timedelta(days=2)).isoformat()
    assert "days_late" not in events[0].after and "Operations" in events[0].after["note"]

    # A new committed date that passes again is news again; a delivered one is not.
    dep.refresh_from_db()
    services.transition(
        world.org,
        None,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today - dt.timedelta(days=1),
    )
    assert services.announce_late(world.org) == 1
    services.transition(world.org, None, dep, "confirm_delivery")
    Dependency.objects.filter(pk=on_time.pk).update(state="cancelled", need_by=world.today)
    assert services.announce_late(world.org, world.today + dt.timedelta(days=30)) == 0
