"""Coordination pages: a team's inbox and requests, the dependency page, the map, panels."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.templatetags.static import static
from django.test.utils import CaptureQueriesContext

from accord.alignment import services as alignment
from accord.coordination import services
from accord.coordination.models import Dependency
from accord.org import services as org_services
from tests.conftest import login
from tests.coordination.conftest import initiative


def _url(world, *parts):
    return "/o/acme/coordination/" + "".join(parts)


def test_the_provider_accepts_from_its_inbox(world):
    dep = world.request()
    client = login(world.giver)
    page = client.get(_url(world, "teams/ops/"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Stock for the spring launch" in html and "Inbox" in html
    assert f"/coordination/d/{dep.pk}/accept/" in html
    committed = (world.today + dt.timedelta(days=21)).isoformat()
    r = client.post(
        _url(world, f"d/{dep.pk}/accept/"),
        {
            "provider_initiative": world.warehouse.pk,
            "committed_date": committed,
            "next": "/o/acme/coordination/teams/ops/",
        },
    )
    assert r.status_code == 302 and r["Location"] == "/o/acme/coordination/teams/ops/"
    dep.refresh_from_db()
    assert dep.state == "accepted" and dep.committed_date.isoformat() == committed


def test_a_refused_action_shows_the_reason_and_changes_nothing(world):
    dep = world.request()
    client = login(world.giver)
    r = client.post(_url(world, f"d/{dep.pk}/decline/"), {"note": ""})
    assert r.status_code == 422
    assert "This field is required" in r.content.decode()
    r = login(world.asker).post(_url(world, f"d/{dep.pk}/accept/"), {})
    assert r.status_code == 403  # only Operations may accept
    r = login(world.asker).post(_url(world, f"d/{dep.pk}/agree/"), {})
    assert r.status_code == 422
    assert "Allowed now: accept, decline, propose, cancel" in r.content.decode()
    r = login(world.viewer).post(_url(world, f"d/{dep.pk}/flag_at_risk/"), {"note": "x"})
    assert r.status_code == 403
    dep.refresh_from_db()
    assert dep.state == "requested" and dep.flag == ""


def test_the_dependency_page_shows_the_negotiation_timeline(world):
    dep = world.request()
    services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=world.today + dt.timedelta(days=50),
        note="Warehouse first",
    )
    html = login(world.asker).get(_url(world, f"d/{dep.pk}/")).content.decode()
    assert "Negotiation timeline" in html
    assert "proposed another date or scope" in html and "Warehouse first" in html
    assert "Agree to the proposal" in html and "Counter-propose" in html


def test_asking_another_team_from_the_form(world):
    client = login(world.asker)
    assert client.get(_url(world, "new/?team=sales")).status_code == 200
    r = client.post(
        _url(world, "new/?team=sales"),
        {
            "requester_initiative": world.launch.pk,
            "provider_team": world.ops.pk,
            "title": "Shelf space",
            "priority": "high",
            "need_by": (world.today + dt.timedelta(days=3)).isoformat(),
        },
    )
    assert r.status_code == 302
    assert Dependency.objects.get().title == "Shelf space"


def test_pages_take_a_bounded_number_of_queries(world):
    client = login(world.giver)
    world.request()
    client.get(_url(world, "teams/ops/"))  # warm caches (sessions, content types)
    counts = {}
    for n in (1, 12):
        for i in range(n):
            extra = initiative(world.org, world.sales, f"Extra {n}-{i}")
            world.request(requester_initiative=extra, title=f"Thing {n}-{i}")
        for path in ("teams/ops/", "teams/sales/", "", "map.json", "map.json?mode=initiatives"):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(_url(world, path)).status_code == 200
            counts.setdefault(path, []).append(len(ctx.captured_queries))
    for path, (small, big) in counts.items():
        assert small == big, (path, small, big)


def test_the_map_data_marks_states_cycles_and_the_critical_path(world):
    a = world.request()
    services.transition(
        world.org,
        world.giver,
        a,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=30),
    )
    detail = login(world.viewer).get(_url(world, f"d/{a.pk}/")).content.decode()
    assert "If <em>New warehouse</em> slips, it reaches 1 initiative in 1 team (Sales)" in detail
    data = login(world.viewer).get(_url(world, "map.json")).json()
    edge = data["edges"][0]["data"]
    assert edge["state"] == "accepted" and edge["critical"]
    assert {n["data"]["label"] for n in data["nodes"]} == {"Sales", "Operations"}
    assert [i["title"] for i in data["critical_path"]] == ["Spring launch", "New warehouse"]
    only_requested = login(world.viewer).get(_url(world, "map.json?state=requested")).json()
    assert only_requested["edges"] == []
    html = login(world.viewer).get(_url(world, "map/")).content.decode()
    assert static("vendor/cytoscape/dist/cytoscape.min.js") in html and "Dependency map" in html


def test_panels_show_new_requests_to_leads_and_a_summary_on_the_team_page(world):
    world.request()
    home = login(world.giver).get("/o/acme/").content.decode()
    assert "Waiting for your teams' answer" in home and "Stock for the spring launch" in home
    assert "coord-home-h" not in login(world.asker).get("/o/acme/").content.decode()
    team_page = login(world.asker).get("/o/acme/teams/ops/").content.decode()
    assert "1 asked of Operations" in team_page and "1 new" in team_page


def test_another_organization_cannot_open_the_pages(world, cast):
    dep = world.request()
    client = login(cast.outsider)
    assert client.get(_url(world, f"d/{dep.pk}/")).status_code in (403, 404)
    assert client.get(_url(world, "teams/ops/")).status_code in (403, 404)


def test_the_requester_answers_a_proposal_from_its_inbox(world):
    dep = world.request()
    later = world.today + dt.timedelta(days=50)
    services.transition(
        world.org,
        world.giver,
        dep,
        "propose",
        provider_initiative=world.warehouse,
        proposed_date=later,
        note="After the warehouse opens",
    )
    client = login(world.asker)
    html = client.get(_url(world, "teams/sales/")).content.decode()
    assert "Operations proposes" in html
    assert (
        f"/coordination/d/{dep.pk}/agree/" in html and f"/coordination/d/{dep.pk}/counter/" in html
    )
    r = client.post(
        _url(world, f"d/{dep.pk}/agree/"), {"next": "/o/acme/coordination/teams/sales/"}
    )
    assert r.status_code == 302
    dep.refresh_from_db()
    assert dep.state == "accepted" and dep.committed_date == later


def test_the_overview_says_when_its_load_table_leaves_teams_out(world):
    client = login(world.asker)
    world.request()
    page = client.get(_url(world)).content.decode()
    assert "busiest of" not in page  # Sales and Operations: both shown
    for n in range(12):
        team = org_services.create_team(world.org, None, name=f"Team {n:02}", parent=world.ops)
        mine = alignment.create_initiative(world.org, None, team=team, title=f"Work {n}")
        services.create_dependency(
            world.org,
            None,
            requester_initiative=mine,
            provider_team=world.ops,
            title=f"Ask {n}",
            need_by=world.today + dt.timedelta(days=30),
        )
    # The whole organization's (the asker, a lead, opens on Sales and below it by default).
    page = client.get(_url(world), {"team": ""}).content.decode()
    load = page.split('id="load-h"')[1].split("</section>")[0]
    assert "The 12 busiest of 14 teams with active dependencies." in load
    assert load.count("<tr>") == 1 + 12  # the head and twelve teams


def test_a_flags_note_is_written_once_above_the_timeline(world):
    dep = world.request()
    services.transition(world.org, world.asker, dep, "flag_at_risk", note="Vendor is slow")
    top = login(world.asker).get(_url(world, f"d/{dep.pk}/")).content.decode()
    top = top.split('id="tl-h"')[0]  # the timeline below keeps the note with its event
    assert top.count(">Vendor is slow<") == 1  # (the state's tag has it as its tooltip)
    assert "<dt>Flag</dt>" not in top
    dep.refresh_from_db()
    services.transition(world.org, world.asker, dep, "flag_blocked", note="No vendor at all")
    top = login(world.asker).get(_url(world, f"d/{dep.pk}/")).content.decode()
    top = top.split('id="tl-h"')[0]
    # Blocked counts as at risk: said once, first of why it is at risk.
    assert "<li>Flagged blocked: No vendor at all</li>" in top
    assert top.count("No vendor at all<") == 1 and "<dt>Flag</dt>" not in top
