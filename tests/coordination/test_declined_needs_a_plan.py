"""A declined request blocks its initiative until the initiative asks again, whatever else
the initiative asked before: a programme with five accepted requests and one declined is
blocked, says so on its page and in the API, the signal fires, and the stored figure
agrees; asking another team after the decline plans it."""

from __future__ import annotations

import datetime as dt

from accord.alignment import blocked
from accord.coordination import queries, services
from accord.intelligence.evaluate import evaluate
from accord.intelligence.models import Signal
from tests.conftest import api_client, login


def _accept(world, dep):
    return services.transition(
        world.org,
        world.giver,
        dep,
        "accept",
        provider_initiative=world.warehouse,
        committed_date=world.today + dt.timedelta(days=25),
    )


def _stored(world):
    world.launch.refresh_from_db()
    return world.launch.blocked_from


def _open_signals(world):
    return list(
        Signal.objects.filter(
            org=world.org,
            kind="dependencies.declined_unplanned",
            state__in=("open", "acknowledged"),
        ).values_list("subject_id", flat=True)
    )


def test_a_declined_request_blocks_an_initiative_whose_other_requests_go_ahead(world, cast):
    _accept(world, world.request(title="Racks"))
    stock = world.request(title="Spring stock pick-ready")
    services.transition(world.org, world.giver, stock, "decline", note="Stock lands 1 March")

    found = queries.blocked_reasons(world.org, [world.launch.pk])
    assert [(b.dependency_id, b.reason) for b in found[world.launch.pk]] == [
        (stock.pk, "Operations declined it, and nothing else is planned to get it.")
    ]
    assert _stored(world) == dt.date.min == blocked.computed(world.org.pk)[world.launch.pk]
    r = api_client(world.viewer).get(f"/api/v1/initiatives/{world.launch.pk}/blockers")
    assert r.json()["blocked"] is True
    assert [b["dependency_id"] for b in r.json()["blocked_by"]] == [stock.pk]

    page = f"/o/{world.org.slug}/alignment/initiatives/{world.launch.pk}/"
    html = login(world.asker).get(page).text
    section = html[html.index('id="dependencies"') :]
    assert "Blocked by what it needs" in section
    table = section[section.index('id="needs-h"') :]
    row = table[table.index("Spring stock pick-ready") :]
    row = row[: row.index("</tr>")]
    assert "Declined" in row and "Needs a plan" in row
    racks = table[table.index(">Racks<") :]
    assert "Needs a plan" not in racks[: racks.index("</tr>")]

    evaluate(world.org, announce=False)
    assert _open_signals(world) == [str(stock.pk)]


def test_asking_again_after_the_decline_plans_it_and_cancelling_that_unplans_it(world, cast):
    _accept(world, world.request(title="Racks"))
    stock = world.request(title="Spring stock pick-ready")
    services.transition(world.org, world.giver, stock, "decline", note="Stock lands 1 March")
    assert _stored(world) == dt.date.min

    again = services.create_dependency(
        world.org,
        world.asker,
        requester_initiative=world.launch,
        provider_team=cast.platform,  # another team
        title="Spring stock from the second warehouse",
        need_by=world.today + dt.timedelta(days=20),
    )
    assert queries.blocked_reasons(world.org, [world.launch.pk]) == {}
    assert _stored(world) == world.today + dt.timedelta(days=21)
    page = f"/o/{world.org.slug}/alignment/initiatives/{world.launch.pk}/"
    assert "Needs a plan" not in login(world.asker).get(page).text
    evaluate(world.org, announce=False)
    assert _open_signals(world) == []

    services.transition(world.org, world.asker, again, "cancel", note="Not there either")
    assert set(queries.blocked_reasons(world.org, [world.launch.pk])) == {world.launch.pk}
    assert _stored(world) == dt.date.min == blocked.computed(world.org.pk)[world.launch.pk]
