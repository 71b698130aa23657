"""What waits on a team says for how long: a counter-proposal since it was made, a
proposal since it was made, a request since it was asked, on the dependency's page and in
the inbox of the team it waits on."""

from __future__ import annotations

import datetime as dt
import html as htmllib

from django.utils import timezone

from accord.coordination import queries, services
from tests.conftest import at, login


def _negotiated(world):
    """Operations proposed nine days ago; Sales counter-proposed four days ago."""
    now = timezone.now()
    with at(now - dt.timedelta(days=9, hours=1)):
        dep = world.request(need_by=world.today + dt.timedelta(days=22))
        dep = services.transition(
            world.org,
            world.giver,
            dep,
            "propose",
            provider_initiative=world.warehouse,
            proposed_date=world.today + dt.timedelta(days=40),
        )
    with at(now - dt.timedelta(days=4, hours=1)):
        dep = services.transition(
            world.org, world.asker, dep, "counter", proposed_date=world.today + dt.timedelta(30)
        )
    return dep


def _page(client, url) -> str:
    return htmllib.unescape(client.get(url).content.decode())


def test_a_counter_proposal_says_how_long_it_has_waited_on_the_team_asked(world):
    dep = _negotiated(world)
    client = login(world.giver)
    page = _page(client, f"/o/acme/coordination/d/{dep.pk}/")
    assert 'id="waiting-since">Waiting on Operations for 4 days<' in page
    inbox = _page(client, "/o/acme/coordination/teams/ops/")
    row = inbox.split(f'id="dep-{dep.pk}"')[1].split("</li>")[0]
    assert "waiting on Operations for 4 days" in row


def test_a_proposal_says_how_long_it_has_waited_on_the_team_asking(world):
    now = timezone.now()
    with at(now - dt.timedelta(days=3, hours=2)):
        dep = world.request(need_by=world.today + dt.timedelta(days=22))
        dep = services.transition(
            world.org,
            world.giver,
            dep,
            "propose",
            provider_initiative=world.warehouse,
            proposed_date=world.today + dt.timedelta(days=40),
        )
    client = login(world.asker)
    page = _page(client, f"/o/acme/coordination/d/{dep.pk}/")
    assert 'id="waiting-since">Waiting on Sales for 3 days<' in page
    inbox = _page(client, "/o/acme/coordination/teams/sales/")
    row = inbox.split(f'id="dep-{dep.pk}"')[1].split("</li>")[0]
    assert "waiting on Sales for 3 days" in row


def test_a_request_waits_since_it_was_asked_and_a_closed_one_waits_on_nobody(world):
    with at(timezone.now() - dt.timedelta(days=2, hours=1)):
        asked = world.request(title="Pallets")
    done = world.request(title="Labels")
    done = services.transition(
        world.org,
        world.giver,
        done,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=25),
    )
    since = queries.waiting_since(world.org, [asked, done])
    assert set(since) == {asked.pk}
    assert (timezone.now() - since[asked.pk]).days == 2
    inbox = _page(login(world.giver), "/o/acme/coordination/teams/ops/")
    row = inbox.split(f'id="dep-{asked.pk}"')[1].split("</li>")[0]
    assert "waiting on Operations for 2 days" in row
