"""Home's "Next meetings and dates" lists a meeting while it is going on, by its own length:
from its start until it ends (start and the cadence's duration), not for an hour after its
start whatever it lasts. My week's "Meetings and dates" lists them by the same rule."""

from __future__ import annotations

import datetime as dt

from accord.rhythm import services
from tests.conftest import at, login
from tests.mcp.conftest import _no_event_loop_in_this_thread  # noqa: F401 (/mcp served as by a sync worker)
from tests.mcp.test_lead_review import client_of, ok
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

# The weekly sync meets on Mondays at 10:00 in Berlin: Monday 9 Nov 2026, 09:00 UTC.
STARTS = utc(2026, 11, 9, 9, 0)


def _home(person) -> str:
    return login(person).get("/o/acme/").content.decode()


def _my_week(person) -> str:
    return login(person).get("/o/acme/rhythm/").content.decode()


def _sync_link(cadence) -> str:
    return f"/o/acme/rhythm/cadences/{cadence.pk}/20261109T090000Z/"


def test_a_long_meeting_still_going_on_is_listed(cast, rhythm):  # noqa: F811
    """The 90-minute sync started 70 minutes ago runs until 10:30 UTC: home lists it."""
    assert rhythm.sync.duration_minutes == 90
    with at(STARTS + dt.timedelta(minutes=70)):
        page = _home(cast.member)
    assert "Next meetings and dates" in page
    assert _sync_link(rhythm.sync) in page
    # Once it has ended, the next one (a week on) is next.
    with at(STARTS + dt.timedelta(minutes=91)):
        page = _home(cast.member)
    assert _sync_link(rhythm.sync) not in page
    assert f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/20261116T090000Z/" in page


def test_a_short_meeting_over_is_not_listed(cast, rhythm):  # noqa: F811
    """Cut to 15 minutes, the sync was over at 09:15 UTC: 25 minutes later home lists the
    next one, not the one behind."""
    services.update_cadence(cast.org, None, rhythm.sync, duration_minutes=15)
    with at(STARTS + dt.timedelta(minutes=14)):
        assert _sync_link(rhythm.sync) in _home(cast.member)
    with at(STARTS + dt.timedelta(minutes=40)):
        page = _home(cast.member)
    assert _sync_link(rhythm.sync) not in page
    assert f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/20261116T090000Z/" in page


def test_an_agents_week_lists_the_meeting_going_on_too(cast, rhythm):  # noqa: F811
    """The MCP tool "My week" lists the same meetings as home: the sync 70 minutes into its
    90 is there; a week's later one follows it."""
    client = client_of(cast.member)
    with at(STARTS + dt.timedelta(minutes=70)):
        week = ok(client, "my_week")["structuredContent"]["meetings"]
    starts = [m["occurrence"] for m in week if m["cadence_id"] == rhythm.sync.pk]
    assert starts[:2] == ["20261109T090000Z", "20261116T090000Z"], week


def test_a_meeting_running_past_its_end_stays_listed(cast, rhythm):  # noqa: F811
    """Started at 09:05 and still going at 10:40, ten minutes past its 90: home keeps it (as
    adherence counts it, being held) until it is finished."""
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    services.start_meeting(cast.org, cast.leader, m, now=STARTS + dt.timedelta(minutes=5))
    with at(STARTS + dt.timedelta(minutes=100)):
        assert _sync_link(rhythm.sync) in _home(cast.member)
    services.finish_meeting(cast.org, cast.leader, m, now=STARTS + dt.timedelta(minutes=101))
    with at(STARTS + dt.timedelta(minutes=102)):
        assert _sync_link(rhythm.sync) not in _home(cast.member)


def test_my_week_lists_the_meeting_going_on_until_it_ends(cast, rhythm):  # noqa: F811
    """My week lists the 90-minute sync 70 minutes in, as home does; once it has ended (a
    minute past its 90, well within 12 hours of its start) the next one is listed, not it."""
    with at(STARTS + dt.timedelta(minutes=70)):
        assert _sync_link(rhythm.sync) in _my_week(cast.member)
    with at(STARTS + dt.timedelta(minutes=91)):
        page = _my_week(cast.member)
    assert _sync_link(rhythm.sync) not in page
    assert f"/o/acme/rhythm/cadences/{rhythm.sync.pk}/20261116T090000Z/" in page


def test_my_week_keeps_a_meeting_running_past_its_end_until_finished(cast, rhythm):  # noqa: F811
    """Still going ten minutes past its 90, the sync stays on My week, marked running; once
    finished it is gone, as from home."""
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    services.start_meeting(cast.org, cast.leader, m, now=STARTS + dt.timedelta(minutes=5))
    with at(STARTS + dt.timedelta(minutes=100)):
        page = _my_week(cast.member)
    assert _sync_link(rhythm.sync) in page and "Running now" in page
    services.finish_meeting(cast.org, cast.leader, m, now=STARTS + dt.timedelta(minutes=101))
    with at(STARTS + dt.timedelta(minutes=102)):
        assert _sync_link(rhythm.sync) not in _my_week(cast.member)
