"""`answer_dependency` counter-proposes as the API does: a scope left out keeps the scope
on the table, an empty one drops it."""

from __future__ import annotations

import datetime as dt

from accord.alignment.models import Initiative
from accord.coordination import services as coordination
from accord.coordination.models import Dependency
from tests.mcp.conftest import http_session, run

SCOPE = "The engine mounts only"


def test_a_counter_of_a_date_alone_keeps_the_scope(world):
    dep = Dependency.objects.get(pk=world.ids["dependency"])
    later = dt.date.today() + dt.timedelta(days=60)
    coordination.transition(
        world.org,
        None,
        dep,
        "propose",
        provider_initiative=Initiative.objects.get(pk=world.ids["root_initiative"]),
        proposed_date=later,
        proposed_scope=SCOPE,
    )

    async def counter(**scope):
        async with http_session(world, world.tokens["admin"]) as s:
            result = await s.call_tool(
                "answer_dependency",
                {
                    "dependency_id": dep.pk,
                    "action": "counter",
                    "proposed_date": (later - dt.timedelta(days=10)).isoformat(),
                    **scope,
                },
            )
            assert not result.is_error, result.content

    run(counter)
    dep.refresh_from_db()
    assert dep.proposed_scope == SCOPE
    coordination.transition(world.org, None, dep, "propose", proposed_date=later)
    run(lambda: counter(proposed_scope=""))
    dep.refresh_from_db()
    assert dep.proposed_scope == ""
