"""The assistants' meeting agenda before a meeting starts is the live agenda of its page,
its e-mail and the API (`agenda.live`): what the last meeting left is cut to the first
screen the answer reads, with "… and more", as every other section is."""

from __future__ import annotations

import datetime as dt

from accord.mcp.tools import AGENDA_ITEMS
from accord.rhythm import agenda, queries, services
from tests.conftest import at
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401 (/mcp is served as by a sync worker)
from tests.mcp.test_bounds import client_of, rpc
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

FIRST = utc(2026, 11, 9, 9)  # Monday 10:00 Berlin
SECOND = utc(2026, 11, 16, 9)
HOUR = dt.timedelta(hours=1)
AGREED = AGENDA_ITEMS + 3


def test_a_long_carried_forward_reads_as_the_page(cast, rhythm):  # noqa: F811
    sync = rhythm.sync  # without its action items section: they are carried forward
    sync.agenda = [s for s in sync.agenda if s["source"] != "action_items"]
    sync.save(update_fields=["agenda"])
    with at(FIRST):
        m = services.open_meeting(cast.org, cast.leader, sync, FIRST)
        m = services.start_meeting(cast.org, cast.leader, m, now=FIRST)
        for n in range(AGREED):
            services.add_action_item(
                cast.org, cast.leader, m, title=f"Step {n:02}", owner=cast.member, due_on=None
            )
    services.finish_meeting(cast.org, cast.leader, m, now=FIRST + HOUR)

    with at(SECOND - HOUR):
        occ = queries.occurrence(sync, SECOND)
        page = agenda.live(cast.org, sync, occ, limit=AGENDA_ITEMS)
        answer = rpc(
            client_of(cast.leader),
            "tools/call",
            {
                "name": "meeting_agenda",
                "arguments": {"cadence_id": sync.pk, "occurrence": occ.key},
            },
        )
    [on_page] = [s for s in page if s["key"] == "carried"]
    assert len(on_page["items"]) == AGENDA_ITEMS and on_page["more"]
    carried = answer["structuredContent"]["agenda_carried"]
    assert [i["title"] for i in carried] == [i["title"] for i in on_page["items"]]
    assert f"… and more: the first {AGENDA_ITEMS} are shown" in answer["content"][0]["text"]
