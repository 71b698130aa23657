"""Home's two coordination cards each say what they count. The first: what waits for an
answer from the teams the reader leads, as those teams' inboxes (which it links to) show
it: requests and counter-proposals to answer, proposals to agree to, deliveries to
confirm. The second, per team: its open requests to other teams and other teams' open
requests to it (accepted ones included, as the lists it links to show)."""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re

from accord.coordination import services
from accord.org import services as org_services
from accord.org.models import MembershipRole
from accord.web.templatetags.dates import day
from tests.conftest import login


def _card(page: str, heading_id: str) -> str:
    found = re.search(
        rf'<section class="card" aria-labelledby="{heading_id}">(.*?)</section>', page, re.S
    )
    assert found, heading_id
    return htmllib.unescape(found.group(1))


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def _inbox(client, slug: str) -> str:
    page = client.get(f"/o/acme/coordination/teams/{slug}/").content.decode()
    return htmllib.unescape(page.split('id="inbox-h"')[1].split("</section>")[0])


def test_each_home_figure_says_what_it_counts_and_matches_its_list(world):
    org, later = world.org, world.today + dt.timedelta(days=30)
    world.request(title="Pallets")  # to answer
    accepted = world.request(title="Forklifts")
    services.transition(
        org,
        world.giver,
        accepted,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=later,
    )
    services.create_dependency(  # Operations asks Sales
        org,
        world.giver,
        requester_initiative=world.warehouse,
        provider_team=world.sales,
        title="Launch dates",
        need_by=later,
    )
    client = login(world.giver)  # leads Operations
    home = client.get("/o/acme/").content.decode()

    answer = _card(home, "coord-home-h")
    assert _text(answer).startswith("Waiting for your teams' answer 1 ")
    assert "Pallets" in answer and "Forklifts" not in answer and "Launch dates" not in answer
    link = '<a href="/o/acme/coordination/teams/ops/#inbox-h">'
    assert f"{link}Answer in the inbox of Operations →</a>" in answer
    assert "Pallets" in _inbox(client, "ops") and "Forklifts" not in _inbox(client, "ops")

    teams = _card(home, "coord-waits-h")
    assert "Operations · 1 open request to other teams · 2 open requests from other teams" in (
        _text(teams)
    )
    # The accepted request is open: what the inbound list shows, both of them.
    inbound = "/o/acme/coordination/list/?team=ops&only=1&direction=inbound&active=1"
    assert f'href="{inbound}"' in teams
    listed = client.get(inbound).content.decode()
    assert "Pallets" in listed and "Forklifts" in listed and "Launch dates" not in listed


def test_proposals_and_deliveries_to_confirm_wait_on_the_asking_teams_lead_too(world):
    org, later = world.org, world.today + dt.timedelta(days=30)
    proposed = world.request(title="Pallets")
    services.transition(
        org,
        world.giver,
        proposed,
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=later,
    )
    delivered = world.request(title="Forklifts")
    delivered = services.transition(
        org,
        world.giver,
        delivered,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=later,
    )
    services.transition(org, world.giver, delivered, "mark_delivered")
    client = login(world.asker)  # leads Sales, which asked for both
    answer = _text(_card(client.get("/o/acme/").content.decode(), "coord-home-h"))
    assert answer.startswith("Waiting for your teams' answer 2 ")
    assert f"Operations proposes {day(later)} for what Sales needs by" in answer
    assert f"Operations says it was delivered on {day(world.today)}: Sales to confirm" in answer
    assert "Answer in the inbox of Sales →" in answer
    inbox = _inbox(client, "sales")
    assert "Pallets" in inbox and "Forklifts" in inbox


def test_a_lead_of_two_teams_is_sent_to_each_inbox(world):
    org = world.org
    org_services.add_membership(
        org, None, person=world.giver, team=world.sales, role=MembershipRole.LEAD, allocation=0
    )
    world.request(title="Pallets")  # Sales asks Operations
    services.create_dependency(
        org,
        world.giver,
        requester_initiative=world.warehouse,
        provider_team=world.sales,
        title="Launch dates",
        need_by=world.today + dt.timedelta(days=30),
    )
    answer = _card(login(world.giver).get("/o/acme/").content.decode(), "coord-home-h")
    assert _text(answer).startswith("Waiting for your teams' answer 2 ")
    assert "Answer in the inboxes of Operations, Sales." in re.sub(r"<[^>]+>", "", answer)
    assert 'href="/o/acme/coordination/teams/sales/#inbox-h"' in answer
