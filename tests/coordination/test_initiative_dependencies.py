"""An initiative's page shows both sides of its dependencies and what blocks it; a team's
priority stack marks blocked initiatives, from one query for the whole stack."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from accord.coordination import queries, services
from accord.coordination.models import Dependency
from tests.conftest import api_client, login
from tests.coordination.conftest import initiative


def _accept(world, dep, days=25):
    return services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=days),
    )


def _late(dep, days=3):
    Dependency.objects.filter(pk=dep.pk).update(
        need_by=dep.need_by - dt.timedelta(days=400), committed_date=None
    )


def test_an_initiative_is_blocked_by_a_blocked_late_or_unplanned_declined_dependency(world):
    on = world.today
    flagged = initiative(world.org, world.sales, "Flagged")
    late = initiative(world.org, world.sales, "Late")
    declined = initiative(world.org, world.sales, "Declined")
    replanned = initiative(world.org, world.sales, "Declined, then asked again")
    fine = initiative(world.org, world.sales, "Fine")
    d = world.request(requester_initiative=flagged, title="Racks")
    services.transition(world.org, world.asker, d, "flag_blocked", note="Supplier strike")
    _late(world.request(requester_initiative=late, title="Forklifts"))
    services.transition(
        world.org,
        world.giver,
        world.request(requester_initiative=declined, title="Trucks"),
        "decline",
        note="No capacity",
    )
    services.transition(
        world.org,
        world.giver,
        world.request(requester_initiative=replanned, title="Vans"),
        "decline",
        note="No capacity",
    )
    world.request(requester_initiative=replanned, title="Vans, smaller")
    world.request(requester_initiative=fine, title="Pallets")
    ids = [flagged.pk, late.pk, declined.pk, replanned.pk, fine.pk]
    found = queries.blocked_reasons(world.org, ids, on)
    assert set(found) == {flagged.pk, late.pk, declined.pk}
    assert found[flagged.pk][0].reason == "Flagged blocked (Operations)."
    forklifts = Dependency.objects.get(title="Forklifts")
    # The date as every page writes it ("8 Jan 2027"), not as the database keeps it.
    assert found[late.pk][0].reason == (
        f"Late: Operations was due to deliver it on {forklifts.due_date:%-d %b %Y}."
    )
    assert found[declined.pk][0].reason == (
        "Operations declined it, and nothing else is planned to get it."
    )


def test_the_initiative_page_shows_what_it_needs_and_what_others_need_from_it(world):
    needs = world.request(title="Stock for the spring launch")
    _accept(world, needs)
    # Operations' warehouse itself needs something from Sales.
    gives = services.create_dependency(
        world.org,
        world.giver,
        requester_initiative=world.warehouse,
        provider_team=world.sales,
        title="Opening-day forecast",
        need_by=world.today + dt.timedelta(days=12),
    )
    services.transition(
        world.org,
        world.asker,
        gives,
        "accept",
        provider_initiative=world.launch,
        committed_date=world.today + dt.timedelta(days=70),
    )
    services.transition(world.org, world.giver, gives, "flag_blocked", note="Data missing")
    client = login(world.viewer)
    html = client.get(f"/o/acme/alignment/initiatives/{world.launch.pk}/").content.decode()
    assert "Needs from other teams" in html and "Other teams need from it" in html
    needs_part = html[html.index("Needs from other teams") : html.index("Other teams need")]
    assert "Stock for the spring launch" in needs_part
    assert "/coordination/teams/ops/" in needs_part  # the other team, linked
    assert f"/coordination/d/{needs.pk}/" in needs_part
    assert f"/alignment/initiatives/{world.warehouse.pk}/" in needs_part
    assert "Accepted" in needs_part
    assert (world.today + dt.timedelta(days=25)).strftime("%-d %b %Y") in needs_part
    gives_part = html[html.index("Other teams need from it") :]
    assert "Opening-day forecast" in gives_part and "/coordination/teams/sales/" not in gives_part
    assert "/coordination/teams/ops/" in gives_part and "Blocked" in gives_part
    assert (world.today + dt.timedelta(days=12)).strftime("%-d %b %Y") in gives_part
    # The launch itself is not blocked; the warehouse is, by the forecast.
    assert "Blocked by what it needs" not in html
    html = client.get(f"/o/acme/alignment/initiatives/{world.warehouse.pk}/").content.decode()
    assert "Blocked by what it needs" in html and "Flagged blocked (Sales)." in html
    assert 'href="#dependencies">blocked</a>' in html
    # A viewer may not ask on its behalf; its team's lead may.
    assert "requester_initiative=" not in html
    html = login(world.giver).get(f"/o/acme/alignment/initiatives/{world.warehouse.pk}/")
    assert f"requester_initiative={world.warehouse.pk}" in html.content.decode()


def test_the_initiative_page_reads_a_bounded_number_of_queries(world):
    client = login(world.asker)
    url = f"/o/acme/alignment/initiatives/{world.launch.pk}/"

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx)

    _accept(world, world.request(title="First"))
    count()  # the first visit of a session writes more
    before = count()
    for n in range(6):
        dep = world.request(title=f"Thing {n}")
        _accept(world, dep)
        if n % 2:
            _late(dep)
    assert count() == before


def test_the_priority_stack_marks_blocked_initiatives_from_one_query(world):
    client = login(world.asker)
    url = "/o/acme/alignment/teams/sales/"

    def page():
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200
        return r.content.decode(), len(ctx)

    page()  # the first visit of a session writes more
    html, before = page()
    assert ">blocked</span>" not in html
    for n in range(4):
        item = initiative(world.org, world.sales, f"Work {n}")
        dep = world.request(requester_initiative=item, title=f"Part {n}")
        services.transition(world.org, world.asker, dep, "flag_blocked", note="Stuck")
    html, after = page()
    assert html.count(">blocked</span>") == 4
    assert 'title="Part 0: Flagged blocked (Operations). "' in html
    assert after == before  # rows add no query
    stack = html[html.index('id="stack-list"') :]
    assert "Spring launch" in stack
    launch_row = stack[stack.index("Spring launch") : stack.index("</li>", stack.index("Spring"))]
    assert "blocked" not in launch_row


def test_the_stack_api_marks_blocked_initiatives_from_one_query(world, cast):
    client = api_client(world.asker)
    url = f"/api/v1/stacks/{world.sales.pk}"

    def stack():
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(url)
        assert r.status_code == 200
        return {i["title"]: i for i in r.json()["items"]}, len(ctx)

    stack()  # the first use of a token writes more
    items, before = stack()
    assert (items["Spring launch"]["blocked"], items["Spring launch"]["blocked_reasons"]) == (
        False,
        0,
    )
    _accept(world, world.request(requester_initiative=world.launch, title="On time"))
    for n in range(4):
        item = initiative(world.org, world.sales, f"Work {n}")
        for part in range(n % 2 + 1):
            dep = world.request(requester_initiative=item, title=f"Part {n}.{part}")
            services.transition(world.org, world.asker, dep, "flag_blocked", note="Stuck")
    items, after = stack()
    assert after == before  # rows add no query
    # Waiting on a dependency that is on time is not blocked, as on the stack page.
    assert (items["Spring launch"]["blocked"], items["Spring launch"]["blocked_reasons"]) == (
        False,
        0,
    )
    marks = [(i["blocked"], i["blocked_reasons"]) for i in (items[f"Work {n}"] for n in range(4))]
    assert marks == [(True, 1), (True, 2), (True, 1), (True, 2)]


def test_the_api_lists_an_initiatives_dependencies_and_tells_what_blocks_it(world, cast):
    needs = world.request(title="Racks")
    services.transition(world.org, world.asker, needs, "flag_blocked", note="Supplier strike")
    client = api_client(world.viewer)
    r = client.get(f"/api/v1/initiatives/{world.launch.pk}/blockers")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "initiative_id": world.launch.pk,
        "blocked": True,
        "blocked_by": [
            {
                "dependency_id": needs.pk,
                "title": "Racks",
                "team": "Operations",
                "reason": "Flagged blocked (Operations).",
            }
        ],
    }
    r = client.get(f"/api/v1/dependencies?initiative_id={world.launch.pk}&direction=outbound")
    assert [d["id"] for d in r.json()["items"]] == [needs.pk]
    r = client.get(f"/api/v1/dependencies?initiative_id={world.launch.pk}&direction=inbound")
    assert r.json()["items"] == []
    assert (
        client.get(f"/api/v1/initiatives/{world.warehouse.pk}/blockers").json()["blocked"] is False
    )
    # Another organization's initiative is not found.
    assert (
        api_client(cast.outsider).get(f"/api/v1/initiatives/{world.launch.pk}/blockers").status_code
        == 404
    )
