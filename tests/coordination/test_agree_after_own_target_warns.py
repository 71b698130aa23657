"""The asking team agreeing to a date after the target date of its own initiative that needs
it is told before it agrees, as the provider is told accepting a date its own initiative
misses: on the page, asked once with a box to agree anyway, and in what the agreement
returns (the page's notice, the API's `warnings`)."""

from __future__ import annotations

import datetime as dt
import html as htmllib

from accord.activity.models import Event
from accord.coordination import services
from tests.conftest import api_client, login


def _proposed(world, days: int):
    """Operations proposes a date `days` from today (the warehouse targets day 20, Sales'
    launch, which needs it, day 60)."""
    dep = world.request()
    return services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=world.today + dt.timedelta(days=days),
    )


def _page(response) -> str:
    return htmllib.unescape(response.content.decode())


def test_agreeing_after_the_needing_initiatives_target_asks_first(world):
    dep = _proposed(world, 75)
    client = login(world.asker)
    page = _page(client.get(f"/o/acme/coordination/d/{dep.pk}/"))
    told = "is after Spring launch's target date"
    assert told in page and "Sales would get it 15 days after Spring launch is due to" in page
    assert 'type="checkbox" name="agree_at_risk"' in page

    events = Event.objects.count()
    url = f"/o/acme/coordination/d/{dep.pk}/agree/"
    r = client.post(url, {"version": dep.version, "note": ""})
    assert r.status_code == 422 and told in _page(r)
    dep.refresh_from_db()
    assert dep.state == "negotiating" and Event.objects.count() == events

    r = client.post(url, {"version": dep.version, "agree_at_risk": "on"}, follow=True)
    dep.refresh_from_db()
    assert dep.state == "accepted"
    assert told in _page(r)  # said again as it is done, and on the page from then on
    assert 'id="after-target"' in _page(client.get(f"/o/acme/coordination/d/{dep.pk}/"))


def test_a_date_the_initiative_meets_is_agreed_without_a_question(world):
    dep = _proposed(world, 40)
    client = login(world.asker)
    page = _page(client.get(f"/o/acme/coordination/d/{dep.pk}/"))
    assert "target date" not in page.split('id="act-h"')[1].split("</section>")[0]
    r = client.post(f"/o/acme/coordination/d/{dep.pk}/agree/", {"version": dep.version})
    assert r.status_code == 302
    dep.refresh_from_db()
    assert dep.state == "accepted"


def test_the_api_agreement_returns_the_warning(world):
    dep = _proposed(world, 75)
    r = api_client(world.asker).post(
        f"/api/v1/dependencies/{dep.pk}/agree", {}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["state"] == "accepted"
    assert len(body["warnings"]) == 1 and "after Spring launch's target date" in body["warnings"][0]
    # Within the target: nothing to say.
    other = _proposed(world, 40)
    r = api_client(world.asker).post(
        f"/api/v1/dependencies/{other.pk}/agree", {}, content_type="application/json"
    )
    assert r.json()["warnings"] == []


def test_counter_proposing_after_the_needing_initiatives_target_warns(world):
    dep = _proposed(world, 40)
    client = login(world.asker)
    r = client.post(
        f"/o/acme/coordination/d/{dep.pk}/counter/",
        {
            "version": dep.version,
            "proposed_date": (world.today + dt.timedelta(days=70)).isoformat(),
        },
    )
    assert r.status_code == 422 and "is after Spring launch's target date" in _page(r)
    dep.refresh_from_db()
    assert dep.awaiting == "requester"
