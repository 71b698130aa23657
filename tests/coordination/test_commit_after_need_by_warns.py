"""A provider accepting a date after the asking team's need-by is told so
before anything is saved ("Sales needs this by …; you are committing to …") and goes ahead
only by ticking the box; the asking team then sees the gap on the page. Bad input still gets
a clear error and changes nothing. Proposing a later date asks nothing: agreed, the need-by
moves to it."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from accord.activity.models import Event
from accord.coordination import services
from accord.web.templatetags.dates import day
from tests.conftest import login


def _on(world, days):
    return world.today + dt.timedelta(days=days)


def _accept(client, world, dep, days, **extra):
    return client.post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {
            "provider_initiative": world.warehouse.pk,
            "committed_date": _on(world, days).isoformat(),
            "version": dep.version,
            **extra,
        },
    )


def test_accepting_after_the_need_by_asks_first_and_the_page_shows_the_gap(world):
    dep = world.request(need_by=_on(world, 22))  # the warehouse targets day 20
    client = login(world.giver)
    events = Event.objects.count()
    r = _accept(client, world, dep, 30)
    assert r.status_code == 422
    page = htmllib.unescape(r.content.decode())
    said = (
        f"Sales needs this by {day(_on(world, 22))}; you are committing to "
        f"{day(_on(world, 30))}, 8 days later: it will show at risk as soon as it is accepted."
    )
    assert said in page
    assert 'type="checkbox" name="accept_at_risk"' in page
    dep.refresh_from_db()
    assert dep.state == "requested" and Event.objects.count() == events

    r = _accept(client, world, dep, 30, accept_at_risk="on")
    assert r.status_code == 302
    dep.refresh_from_db()
    assert dep.state == "accepted" and dep.committed_date == _on(world, 30)
    # The asking team sees the gap plainly, beside the dates.
    page = htmllib.unescape(
        login(world.asker).get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    )
    facts = page.split('id="facts-h"')[1].split("</dl>")[0]
    assert f"{day(_on(world, 30))} <strong" in facts
    assert "8 days after Sales needs it" in facts


def test_on_or_before_the_need_by_nothing_is_asked(world):
    dep = world.request(need_by=_on(world, 22))
    assert _accept(login(world.giver), world, dep, 22).status_code == 302


def test_proposing_a_later_date_asks_nothing_and_says_where_the_need_by_moves(world):
    # Agreed, the need-by moves to the date proposed: never at risk for that, so no box to
    # tick; the form says so beforehand, as help.
    dep = world.request(need_by=_on(world, 22))
    client = login(world.giver)
    form = htmllib.unescape(client.get(f"/o/acme/coordination/d/{dep.pk}/").content.decode())
    assert (
        f"Sales needs it by {day(_on(world, 22))}. If Sales agrees to a later date, it gets "
        "it then and its need-by moves to that date." in form
    )
    body = {
        "provider_initiative": world.warehouse.pk,
        "proposed_date": _on(world, 40).isoformat(),
        "version": dep.version,
    }
    r = client.post(f"/o/acme/coordination/d/{dep.pk}/propose/", body)
    assert r.status_code == 302
    dep.refresh_from_db()
    assert dep.state == "negotiating" and dep.proposed_date == _on(world, 40)
    page = htmllib.unescape(
        login(world.asker).get(f"/o/acme/coordination/d/{dep.pk}/").content.decode()
    )
    assert "18 days after Sales needs it" in page  # the proposal on the table


def test_accepting_the_requesters_own_later_date_asks_nothing(world):
    dep = world.request(need_by=_on(world, 22))
    dep = services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        proposed_date=_on(world, 40),
        provider_initiative=world.warehouse,
    )
    dep = services.transition(world.org, world.asker, dep, "counter", proposed_date=_on(world, 30))
    # Sales offered day 30 itself: accepting it moves the need-by there, no gap.
    assert _accept(login(world.giver), world, dep, 30).status_code == 302
    dep.refresh_from_db()
    assert (dep.need_by, dep.committed_date) == (_on(world, 30), _on(world, 30))


def test_the_form_names_the_need_by_before_it_is_sent(world):
    dep = world.request(need_by=_on(world, 22))
    client = login(world.giver)
    inbox = client.get("/o/acme/coordination/teams/ops/").content.decode()
    fetch = re.search(rf'hx-get="(/o/acme/coordination/d/{dep.pk}/accept/[^"]*)"', inbox)
    form = client.get(htmllib.unescape(fetch.group(1)), headers={"HX-Request": "true"})
    raw = form.content.decode()
    # For the script, which warns as the date is typed; and in words under the field.
    assert f'data-need-by="{_on(world, 22).isoformat()}"' in raw and 'data-asker="Sales"' in raw
    assert f"Sales needs it by {day(_on(world, 22))}" in htmllib.unescape(raw)


def test_a_bad_date_is_a_clear_error_and_changes_nothing(world):
    dep = world.request(need_by=_on(world, 22))
    events = Event.objects.count()
    r = login(world.giver).post(
        f"/o/acme/coordination/d/{dep.pk}/accept/",
        {
            "provider_initiative": world.warehouse.pk,
            "committed_date": "2026-02-31",
            "version": dep.version,
            "accept_at_risk": "on",
        },
    )
    assert r.status_code == 422
    assert "Enter a valid date" in htmllib.unescape(r.content.decode())
    dep.refresh_from_db()
    assert dep.state == "requested" and Event.objects.count() == events
