"""Two guards of the coordination forms: asking a team again for what it was already asked
(a second click, or the same need retyped) waits for a confirmation; proposing a date the
delivering initiative already misses warns, as accepting on that date does."""

from __future__ import annotations

import datetime as dt
import html as htmllib

from accord.activity.models import Event
from accord.coordination.models import Dependency
from tests.conftest import login


def _ask(client, world, title="Stock for the spring launch", **extra):
    return client.post(
        "/o/acme/coordination/new/",
        {
            "requester_initiative": world.launch.pk,
            "provider_team": world.ops.pk,
            "title": title,
            "priority": "medium",
            "need_by": (world.today + dt.timedelta(days=30)).isoformat(),
            **extra,
        },
    )


def test_asking_again_for_an_open_request_waits_for_a_confirmation(world):
    client = login(world.asker)
    assert _ask(client, world).status_code == 302
    (first,) = Dependency.objects.all()
    events = Event.objects.count()
    again = _ask(client, world, title="stock for the Spring launch ")
    page = htmllib.unescape(again.content.decode())
    assert again.status_code == 200
    assert (
        f"Operations was already asked for this for Spring launch (#{first.pk}, requested)" in page
    )
    assert 'type="checkbox" name="ask_again"' in page
    assert Dependency.objects.count() == 1 and Event.objects.count() == events
    # Ticked: a second request. Another need is asked at once.
    assert _ask(client, world, ask_again="on").status_code == 302
    assert _ask(client, world, title="Shelf space").status_code == 302
    assert Dependency.objects.count() == 3


def test_a_closed_request_can_be_asked_again(world):
    first = world.request()
    first.state = "declined"
    first.save()
    assert _ask(login(world.asker), world).status_code == 302


def _propose(client, dep, world, days, **extra):
    return client.post(
        f"/o/acme/coordination/d/{dep.pk}/propose/",
        {
            "provider_initiative": world.warehouse.pk,
            "proposed_date": (world.today + dt.timedelta(days=days)).isoformat(),
            "note": "Sooner is not possible",
            "version": dep.version,
            **extra,
        },
    )


def test_proposing_a_date_before_the_delivering_initiatives_target_warns(world):
    dep = world.request()  # the warehouse targets today + 20
    client = login(world.giver)
    events = Event.objects.count()
    r = _propose(client, dep, world, 10)
    page = htmllib.unescape(r.content.decode())
    assert r.status_code == 422
    assert "would show at risk as soon as it is agreed" in page
    assert 'type="checkbox" name="propose_at_risk"' in page
    dep.refresh_from_db()
    assert dep.state == "requested" and Event.objects.count() == events
    assert _propose(client, dep, world, 10, propose_at_risk="on").status_code == 302
    dep.refresh_from_db()
    assert dep.state == "negotiating"
    # On or after the target: no question asked.
    other = world.request(title="Pallets")
    assert _propose(client, other, world, 25).status_code == 302
