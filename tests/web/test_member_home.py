"""What a plain member sees of their place in the rhythm and between teams: a check-in
round they missed (home's rhythm panel, their "Work" on their person page), what their
teams wait on from other teams and what other teams wait on from them, and the palette's
"waiting on others" and "notifications" going to their own team's requests and to their
notification settings."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

from accord.alignment import services as alignment
from accord.coordination import services as coordination
from accord.org import services as org_services
from accord.rhythm import queries as rhythm_queries
from accord.rhythm import services as rhythm_services
from tests.conftest import at, login
from tests.rhythm.conftest import DUE, rhythm  # noqa: F401 (fixture)

WEEK = dt.timedelta(days=7)


def section(page: str, heading_id: str) -> str:
    found = re.search(
        rf'<section class="card[^"]*" aria-labelledby="{heading_id}">(.*?)</section>', page, re.S
    )
    assert found, f"no section {heading_id}"
    return html_lib.unescape(found.group(1))


def text_of(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


# --- a missed round --------------------------------------------------------------------------


def test_a_round_missed_since_the_last_check_in_shows_on_home_and_the_person_page(
    cast,
    rhythm,  # noqa: F811
):
    """Mia checked in on 6 Nov and gave none for 13 Nov: after that round's late window
    closed, home says "Missed: Fri 13 Nov 2026", linking to the round; so does her "Work"
    on her person page, beside her last check-in, to anyone who opens it; until she checks
    in again."""
    rhythm_services.submit_checkin(
        cast.org, cast.member, rhythm.checkin, DUE, highlights="Shipped",
        now=DUE - dt.timedelta(hours=1),
    )  # fmt: skip
    missed = rhythm_queries.occurrence(rhythm.checkin, DUE + WEEK)
    _, closed = rhythm.checkin.window(missed)
    round_url = f"/o/acme/rhythm/cadences/{rhythm.checkin.pk}/{missed.key}/checkins/"
    with at(closed - dt.timedelta(hours=1)):  # still open for a late one: nothing missed
        home = login(cast.member).get("/o/acme/").content.decode()
        assert "Missed:" not in home
    with at(closed + dt.timedelta(hours=2)):
        client = login(cast.member)
        panel = section(client.get("/o/acme/").content.decode(), "rhythm-home-h")
        assert "Check-ins missed" in panel
        assert f'<a href="{round_url}">Missed: Fri 13 Nov 2026</a>' in panel
        # The round's page names her among those who missed it.
        assert "Mia Member" in client.get(round_url).content.decode()
        page = login(cast.viewer).get(f"/o/acme/people/{cast.member.pk}/").content.decode()
        work = text_of(section(page, "work-h"))
        assert "Last: Weekly team check-in · Platform sent 6 Nov 2026" in work
        assert "Missed: Fri 13 Nov 2026 Weekly team check-in · Platform" in work
        # Recorded by the worker, it is the same miss, named once.
        rhythm_services.record_missed_checkins(cast.org)
        panel = section(client.get("/o/acme/").content.decode(), "rhythm-home-h")
        assert panel.count("Missed:") == 1 and round_url in panel
    # Once she checks in for the next round, the miss is behind her: home no longer says it.
    later = DUE + 2 * WEEK
    with at(later - dt.timedelta(hours=1)):
        rhythm_services.submit_checkin(cast.org, cast.member, rhythm.checkin, later)
        client = login(cast.member)
        assert "Missed:" not in client.get("/o/acme/").content.decode()
        assert "Missed:" not in client.get(f"/o/acme/people/{cast.member.pk}/").content.decode()


# --- what the person's teams wait on ---------------------------------------------------------


def _ask(org, asker_team, provider, title, today):
    work = alignment.create_initiative(org, None, team=asker_team, title=f"Work for {title}")
    return coordination.create_dependency(
        org,
        None,
        requester_initiative=work,
        provider_team=provider,
        title=title,
        need_by=today + dt.timedelta(days=30),
    )


def test_home_counts_what_my_team_waits_on_and_what_others_wait_on_from_it(cast):
    from django.utils import timezone

    today = timezone.localdate()
    data = org_services.create_team(cast.org, None, name="Data", parent=cast.root)
    sales = org_services.create_team(cast.org, None, name="Sales", parent=cast.root)
    _ask(cast.org, cast.platform, data, "Usage export", today)
    _ask(cast.org, data, cast.platform, "Faster builds", today)
    _ask(cast.org, sales, cast.platform, "Quote service", today)
    cancelled = _ask(cast.org, sales, cast.platform, "Old ask", today)
    coordination.transition(cast.org, None, cancelled, "cancel", note="Not needed")
    _ask(cast.org, sales, data, "Not Platform's", today)

    client = login(cast.member)  # a plain member of Platform, leading nothing
    panel = section(client.get("/o/acme/").content.decode(), "coord-waits-h")
    text = text_of(panel)
    assert "Platform · 1 open request to other teams · 2 open requests from other teams" in text
    out = "/o/acme/coordination/list/?team=platform&only=1&direction=outbound&active=1"
    inbound = "/o/acme/coordination/list/?team=platform&only=1&direction=inbound&active=1"
    assert f'href="{out}"' in panel and f'href="{inbound}"' in panel
    # Each count is what its list shows.
    assert "Usage export" in client.get(out).content.decode()
    listed = client.get(inbound).content.decode()
    assert "Faster builds" in listed and "Quote service" in listed and "Old ask" not in listed
    # Someone whose teams have nothing either way sees no such card.
    assert "coord-waits-h" not in login(cast.leader).get("/o/acme/").content.decode()


def test_home_counts_the_first_few_of_my_teams_in_two_queries(cast):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from accord.coordination.panels import HOME_TEAMS, waits_of

    today = timezone.localdate()
    other = org_services.create_team(cast.org, None, name="Zulu", parent=cast.root)
    for n in range(HOME_TEAMS + 2):
        team = org_services.create_team(cast.org, None, name=f"Team {n}", parent=cast.root)
        org_services.add_membership(cast.org, None, person=cast.member, team=team, allocation=10)
        _ask(cast.org, team, other, f"Ask {n}", today)
    with CaptureQueriesContext(connection) as ctx:
        rows, more = waits_of(cast.org, cast.member)
    assert len(ctx.captured_queries) == 2
    # By name: Platform (nothing either way, left out), then Team 0 and Team 1.
    assert [r["team"].name for r in rows] == ["Team 0", "Team 1"] and more
    panel = section(login(cast.member).get("/o/acme/").content.decode(), "coord-waits-h")
    assert "Team 0" in panel and "Team 3" not in panel
    assert "Your other teams' dependencies on Coordination →" in text_of(panel)


# --- the palette -----------------------------------------------------------------------------


def _palette(person, typed: str) -> list[str]:
    body = (
        login(person)
        .get("/o/acme/search/", {"q": typed, "list": "palette-hit"}, HTTP_HX_REQUEST="true")
        .content.decode()
    )
    go = r'data-href="([^"]+)" class="search__hit search__hit--go"'
    return [html_lib.unescape(h) for h in re.findall(go, body)]


def test_waiting_on_others_opens_my_teams_requests_first(cast):
    first = _palette(cast.member, "waiting on others")[0]
    assert first == "/o/acme/coordination/list/?team=platform&only=1&direction=outbound&active=1"
    assert _palette(cast.member, "waiting on us")[0] == (
        "/o/acme/coordination/list/?team=platform&only=1&direction=inbound&active=1"
    )
    # Someone in no team still reaches the organization's list.
    assert _palette(cast.admin, "waiting on others")[0] == "/o/acme/coordination/list/"


def test_notifications_opens_the_notification_settings_and_inbox_the_inbox(cast):
    assert _palette(cast.member, "notifications")[0] == "/o/acme/rhythm/settings/"
    assert _palette(cast.member, "notif")[0] == "/o/acme/rhythm/settings/"
    assert _palette(cast.member, "inbox")[0] == "/o/acme/inbox/"
