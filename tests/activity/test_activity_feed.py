"""The activity feed and each object's history show the events, newest first."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.alignment import services as alignment
from accord.org import services
from tests.conftest import login
from tests.intelligence.world import Clock, controlled


def test_the_feed_shows_who_changed_what_newest_first(cast):
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    services.update_person(cast.org, cast.admin, cast.viewer, title="Board observer")
    response = login(cast.viewer).get("/o/acme/activity/")
    assert response.status_code == 200
    page = response.content.decode()
    person_change = page.index("Vic Viewer")
    team_change = page.index("Platform Core")
    assert person_change < team_change  # newest first
    assert f'href="/o/acme/people/{cast.leader.pk}/">Leo Leader</a>' in page
    assert "<del>Platform</del> → <ins>Platform Core</ins>" in page
    assert "<ins>Board observer</ins>" in page


def test_the_feed_filters_by_kind(cast):
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    page = login(cast.member).get("/o/acme/activity/?type=org.person").content.decode()
    assert "Platform Core" not in page
    assert "Mia Member" in page
    assert '<option value="org.team">' in page


def test_the_feed_and_home_leave_out_briefing_deliveries_unless_asked_for(cast):
    from accord.briefings import compose
    from accord.briefings import services as briefings

    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    for person in (cast.admin, cast.leader, cast.member):
        week = compose.last_complete_week(timezone.now(), person.timezone)
        assert briefings.send_to_person(cast.org, person, week, email=False) is not None
    client = login(cast.member)
    page = client.get("/o/acme/activity/").content.decode()
    assert "Platform Core" in page and "sent" not in page
    assert '<option value="briefings.briefing">' in page  # still there, by kind
    delivered = client.get("/o/acme/activity/?type=briefings.briefing").content.decode()
    assert delivered.count('class="event"') == 3
    for reader in (client, login(cast.viewer)):  # Platform's feed; the organization's
        home = reader.get("/o/acme/").content.decode()
        start = home.index('class="feed feed--compact"')
        recent = home[start : home.index("</ol>", start)]
        assert "Platform Core" in recent and "sent" not in recent


def test_the_feed_loads_more_in_pages(cast):
    for i in range(60):
        services.update_team(cast.org, None, cast.root, description=f"revision {i}")
    client = login(cast.member)
    first = client.get("/o/acme/activity/").content.decode()
    assert first.count('class="event"') == 50
    assert "revision 59" in first and "revision 5<" not in first
    more = client.get("/o/acme/activity/?page=2", headers={"HX-Request": "true"})
    partial = more.content.decode()
    assert "<html" not in partial
    assert "revision 5</ins>" in partial


def test_a_team_page_shows_the_teams_history(cast):
    services.update_team(cast.org, cast.leader, cast.platform, description="Runs the servers")
    page = login(cast.member).get("/o/acme/teams/platform/").content.decode()
    history = page[page.index('id="history-h"') :]
    assert "Leo Leader</strong> updated" in history
    assert "<ins>Runs the servers</ins>" in history
    assert "Accord</strong> created" in history
    # A change shows what changed; a creation's every field (which the page itself shows)
    # waits behind "details", so a team's history is not a wall of its members' terms.
    change = history[history.index("Leo Leader</strong> updated") :]
    assert change.index("<ins>Runs the servers</ins>") < change.index("<details>")
    creation = history[history.index("Accord</strong> created this team") :]
    assert creation.index("<details><summary>details</summary>") < creation.index("Name</span>")


def test_a_person_page_shows_the_persons_history(cast):
    services.update_person(cast.org, cast.admin, cast.member, title="Staff engineer")
    page = login(cast.viewer).get(f"/o/acme/people/{cast.member.pk}/").content.decode()
    history = page[page.index('id="history-h"') :]
    assert "Ada Admin</strong> updated" in history
    assert "<ins>Staff engineer</ins>" in history


def test_histories_name_the_teams_and_people_that_changes_refer_to(cast):
    sales = services.create_team(cast.org, None, name="Sales")
    services.update_team(cast.org, cast.leader, cast.platform, parent=sales)
    page = login(cast.member).get("/o/acme/teams/platform/").content.decode()
    history = page[page.index('id="history-h"') :]
    assert "Parent</span>: <del>Acme</del> → <ins>Sales</ins>" in history
    feed = login(cast.member).get("/o/acme/activity/?type=org.membership").content.decode()
    assert "Person</span>: <ins>Mia Member</ins>" in feed
    assert "Team</span>: <ins>Platform</ins>" in feed


def test_a_history_names_a_deleted_team_by_its_last_name(cast):
    gone = services.create_team(cast.org, None, name="Gone")
    gone_id = gone.pk
    services.update_team(cast.org, None, cast.platform, parent=gone)
    services.update_team(cast.org, None, cast.platform, parent=cast.root)
    services.delete_team(cast.org, None, gone)
    page = login(cast.member).get("/o/acme/teams/platform/").content.decode()
    # Its name from the event log, marked deleted, rather than a bare "#{id}".
    assert "<del>Gone (deleted)</del> → <ins>Acme</ins>" in page
    assert f"#{gone_id}" not in page


def test_moments_read_in_the_viewers_own_time_zone(cast):
    """9:30 UTC on 5 January is 10:30 in Berlin and 18:30 in Tokyo; each reads their own."""
    with controlled(Clock(dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC))):
        services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    services.update_person(cast.org, cast.admin, cast.member, timezone="Europe/Berlin")
    services.update_person(cast.org, cast.admin, cast.viewer, timezone="Asia/Tokyo")
    berlin = login(cast.member).get("/o/acme/activity/").content.decode()
    tokyo = login(cast.viewer).get("/o/acme/activity/").content.decode()
    assert "5 Jan 2026, 10:30" in berlin and "5 Jan 2026, 09:30" not in berlin
    assert "5 Jan 2026, 18:30" in tokyo
    assert 'datetime="2026-01-05T10:30:00+01:00"' in berlin  # the same instant, marked up
    # Pages outside an organization, and the next request of the same thread, are the site's.
    assert timezone.get_current_timezone_name() == "UTC"


def test_each_change_links_to_what_changed_unless_it_is_gone(cast):
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")
    services.update_person(cast.org, cast.admin, cast.viewer, title="Board observer")
    client = login(cast.member)
    # The feed, and home's recent changes (the organization's: Vic is in no team).
    for reader, url in ((client, "/o/acme/activity/"), (login(cast.viewer), "/o/acme/")):
        page = reader.get(url).content.decode()
        assert '<a href="/o/acme/teams/platform/">Platform Core</a>' in page, url
        assert f'<a href="/o/acme/people/{cast.viewer.pk}/">Vic Viewer</a>' in page, url
    period = alignment.create_period(
        cast.org, None, name="Q9", start=dt.date(2026, 7, 1), end=dt.date(2026, 9, 30)
    )
    kept, gone = (
        alignment.create_objective(cast.org, None, title=t, period=period, team=cast.platform)
        for t in ("Kept", "Gone")
    )
    alignment.delete_objective(cast.org, cast.admin, gone)
    page = client.get("/o/acme/activity/").content.decode()
    assert f'<a href="/o/acme/alignment/objectives/{kept.pk}/">Kept</a>' in page
    assert "Gone" in page and f"/alignment/objectives/{gone.pk}/" not in page  # no dead link


def test_a_persons_own_settings_are_not_in_anyone_elses_feed(cast):
    """How Accord reaches someone, when they get their briefing, what they muted, their time
    off, their calendar address and their inbox reading are theirs: not in a colleague's
    feed, home, a team's feed, the person's history or the events API. They see their own;
    an admin, auditing, sees all."""
    from accord.activity import delivery
    from accord.briefings import services as briefings
    from accord.conversation import services as conversation
    from accord.rhythm import services as rhythm
    from tests.conftest import api_client

    today = timezone.localdate()
    delivery.set_preferences(cast.org, cast.member, cast.member, chat=False)
    rhythm.set_away(
        cast.org, cast.member, cast.member, starts_on=today, ends_on=today + dt.timedelta(days=3)
    )
    rhythm.create_feed(cast.org, cast.member, person=cast.member)
    briefings.set_schedule(cast.org, cast.member, cast.member, enabled=True, weekday=2)
    from accord.decisions import services as decisions

    issue = decisions.raise_issue(cast.org, cast.leader, cast.platform, "Flaky tests")
    conversation.post_comment(cast.org, cast.leader, issue, "@mia.member can you look?")
    assert conversation.mark_all_read(cast.org, cast.member) == 1
    services.update_team(cast.org, cast.leader, cast.platform, name="Platform Core")

    def seen(person) -> dict[str, bool]:
        client = login(person)
        pages = "".join(
            client.get(url).content.decode()
            for url in (
                "/o/acme/activity/",
                "/o/acme/",
                f"/o/acme/people/{cast.member.pk}/",
                "/o/acme/activity/?team=platform",
            )
        )
        api = api_client(person).get("/api/v1/events?limit=100").json()["items"]
        kinds = {e["target_type"] for e in api} | {e["verb"] for e in api}
        return {
            "team change": "Platform Core" in pages and "org.team" in kinds,
            "preferences": "delivery preferences" in pages
            or "activity.deliverypreferences" in kinds,
            "time off": "rhythm.away" in kinds or "created away" in pages,
            "calendar": "rhythm.calendarfeed" in kinds,
            "inbox": "inbox_read" in kinds,
            "briefing": "briefings.briefingschedule" in kinds or "Briefing schedule of" in pages,
        }

    assert seen(cast.leader) == {
        "team change": True, "preferences": False, "time off": False, "calendar": False,
        "inbox": False, "briefing": False,
    }  # fmt: skip
    assert all(seen(cast.member).values())
    assert all(seen(cast.admin).values())
