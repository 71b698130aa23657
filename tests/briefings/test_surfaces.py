"""The briefing in the terminal (`accord briefing`), on its pages and over the API; the
schedule on the person's own settings page; bad input changes nothing."""

from __future__ import annotations

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from accord.activity.models import Event
from accord.briefings import compose, services
from accord.briefings.models import Briefing, BriefingSchedule
from accord.org import services as org_services
from tests.briefings.world import WEEK, build_story, signed_in
from tests.conftest import api_client, login


def run(*args) -> str:
    out = io.StringIO()
    call_command("briefing", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_any_weeks_briefing_as_text_markdown_or_html(db, clock):
    s = build_story(clock)
    org_services.update_person(s.w.org, None, s.w.admin, email="boss@brief.example")
    text = run("--org", "brief", "--person", "boss@brief.example", "--week", WEEK)
    assert text.startswith("Brief: the week of 12\u201318 Jan 2026\n")
    changed = text.split("\nWhat changed\n")[1].split("\n\n")[0]
    assert "- Key result “Web metric” (Web) moved from 50 to 30" in changed
    assert "What went well\n- Key result “Platform metric” (Platform) moved from 10 to 40" in text
    assert text.count("Key result “Platform metric” (Platform) moved") == 1
    assert "<http://localhost:8000/o/brief/alignment/objectives/" in text
    md = run("--org", "brief", "--person", "boss@brief.example", "--week", WEEK, "--format",
             "markdown")  # fmt: skip
    assert md.startswith("# Brief: the week of") and "## What needs you" in md
    assert "](http://localhost:8000/o/brief/decisions/" in md
    html = run("--org", "brief", "--team", s.w["Web"].team.slug, "--week", WEEK, "--format",
               "html")  # fmt: skip
    assert html.startswith('<div class="briefing">') and "Web search revamp" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--person", "nobody@x.example"], "No person with e-mail"),
        (["--team", "nope"], "No team 'nope'"),
        (["--team", "acme", "--week", "2026-48"], "not an ISO week"),
        (["--team", "acme", "--week", "2999-W01"], "2999-W01 has not ended yet"),
    ],
)
def test_bad_options_stop_with_a_plain_message(cast, args, message):
    with pytest.raises(CommandError, match=message):
        run("--org", "acme", *args)


@pytest.fixture
def sent(cast):
    """Ada's (the admin's) briefing of last week, as the worker stored it."""
    week = compose.last_complete_week(timezone.now(), cast.admin.timezone)
    return services.send_to_person(cast.org, cast.admin, week, email=False)


def test_the_pages_list_and_show_a_persons_own_briefings_only(cast, sent):
    client = login(cast.admin)
    page = client.get("/o/acme/briefings/")
    assert page.status_code == 200 and sent.content["title"] in page.content.decode()
    one = client.get(f"/o/acme/briefings/{sent.pk}/")
    assert one.status_code == 200 and "Sent " in one.content.decode()
    assert client.get("/o/acme/briefings/latest/").url == f"/o/acme/briefings/{sent.pk}/"
    other = login(cast.member)
    assert other.get(f"/o/acme/briefings/{sent.pk}/").status_code == 404
    queued = other.get("/o/acme/briefings/latest/")  # not stored for her: queued, not built
    assert queued.status_code == 200 and "Being prepared" in queued.content.decode()


def test_the_schedule_is_set_on_the_persons_own_settings_page(cast):
    client = login(cast.member)
    settings_page = client.get("/o/acme/rhythm/settings/").content.decode()
    assert "Weekly briefing" in settings_page and 'name="hour"' in settings_page
    response = client.post(
        "/o/acme/briefings/schedule/",
        {"enabled": "on", "weekday": "4", "hour": "16", "next": "/o/acme/rhythm/settings/"},
    )
    assert response.status_code == 302 and response.url == "/o/acme/rhythm/settings/"
    s = BriefingSchedule.objects.get(person=cast.member)
    assert (s.enabled, s.weekday, s.hour) == (True, 4, 16)
    events = Event.objects.count()
    bad = client.post(
        "/o/acme/briefings/schedule/", {"enabled": "on", "weekday": "9", "hour": "16"}
    )
    assert bad.status_code == 302
    s.refresh_from_db()
    assert (s.weekday, s.hour) == (4, 16) and Event.objects.count() == events
    page = client.get(bad.url).content.decode()
    assert "Choose a day from 0 (Monday) to 6 (Sunday)." in page
    client.post("/o/acme/briefings/schedule/", {"weekday": "4", "hour": "16"})  # unticked: off
    s.refresh_from_db()
    assert s.enabled is False


def test_the_settings_page_says_what_the_persons_briefing_is_about(cast):
    def about(person) -> str:
        page = login(person).get("/o/acme/rhythm/settings/").content.decode()
        return page.split("An e-mail each week about ", 1)[1].split(": what changed", 1)[0]

    assert about(cast.admin) == "the whole organization"
    assert about(cast.member) == "Platform, your team, and the teams below it"
    org_services.add_membership(cast.org, None, person=cast.leader, team=cast.platform,
                                role="lead")  # fmt: skip
    assert about(cast.leader) == "the teams you lead, Platform and the teams below it"


def test_leads_and_admins_get_it_by_default_and_anyone_may_turn_it_on(cast):
    from accord.briefings import queries

    assert queries.schedule_of(cast.org, cast.admin).enabled is True
    assert queries.schedule_of(cast.org, cast.member).enabled is False
    org_services.add_membership(cast.org, None, person=cast.leader, team=cast.platform,
                                role="lead")  # fmt: skip
    assert queries.schedule_of(cast.org, cast.leader).enabled is True
    services.set_schedule(cast.org, cast.member, cast.member, enabled=True)
    who = {p.pk for p, _ in queries.subscribers(cast.org)}
    assert who == {cast.admin.pk, cast.leader.pk, cast.member.pk}


def test_the_api_lists_shows_and_builds_briefings_and_sets_the_schedule(cast, sent):
    client = api_client(cast.admin)
    listed = client.get("/api/v1/me/briefings").json()
    assert [b["id"] for b in listed["items"]] == [sent.pk]
    one = client.get(f"/api/v1/me/briefings/{sent.pk}?format=markdown").json()
    assert one["content"] == sent.content and one["rendered"].startswith("# ")
    week = client.get(f"/api/v1/me/briefings/week?week={sent.week}").json()
    assert week["id"] == sent.pk
    other_week = client.get("/api/v1/me/briefings/week?week=2025-W10")
    assert other_week.status_code == 202 and other_week.json()["week"] == "2025-W10"
    bad = client.get("/api/v1/me/briefings/week?week=2025-10")
    assert bad.status_code == 422 and "ISO week" in bad.json()["error"]["message"]
    team_week = compose.last_complete_week(timezone.now())
    services.build_on_request(cast.org, team_week, team=cast.platform)
    team = client.get(f"/api/v1/teams/{cast.platform.pk}/briefing?format=text").json()
    assert team["rendered"].startswith("Platform: the week of")
    assert api_client(cast.member).get(f"/api/v1/me/briefings/{sent.pk}").status_code == 404

    schedule = client.patch(
        "/api/v1/me/briefing-schedule",
        data=json.dumps({"weekday": 2, "hour": 7}),
        content_type="application/json",
    )
    assert schedule.status_code == 200 and schedule.json()["weekday"] == 2
    refused = client.patch(
        "/api/v1/me/briefing-schedule",
        data=json.dumps({"hour": 24}),
        content_type="application/json",
    )
    assert refused.status_code == 422
    assert client.get("/api/v1/me/briefing-schedule").json()["hour"] == 7
    assert Briefing.objects.filter(org=cast.org, person__isnull=False).count() == 1


def test_a_teams_admins_choose_its_chat_summary_and_others_may_not(cast):
    page = login(cast.admin).get(f"/o/acme/briefings/teams/{cast.platform.pk}/")
    assert page.status_code == 200 and "Weekly summary in the team" in page.content.decode()
    response = login(cast.admin).post(
        f"/o/acme/briefings/teams/{cast.platform.pk}/",
        {"enabled": "on", "weekday": "1", "hour": "7"},
    )
    assert response.status_code == 302
    s = BriefingSchedule.objects.get(team=cast.platform)
    assert (s.enabled, s.weekday, s.hour) == (True, 1, 7)
    refused = login(cast.member).post(f"/o/acme/briefings/teams/{cast.platform.pk}/", {})
    assert refused.status_code == 403
    api = api_client(cast.member).patch(
        f"/api/v1/teams/{cast.platform.pk}/briefing-schedule",
        data=json.dumps({"enabled": False}),
        content_type="application/json",
    )
    assert api.status_code == 403
    s.refresh_from_db()
    assert s.enabled is True
    ok = api_client(cast.admin).patch(
        f"/api/v1/teams/{cast.platform.pk}/briefing-schedule",
        data=json.dumps({"enabled": False}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["enabled"] is False


def test_the_list_says_why_a_member_has_no_briefing_and_how_to_get_one(cast):
    """No briefing is e-mailed to a member unless they turn it on: the empty list says so
    and links to the setting, rather than promising one after their first week."""

    def none_yet(person) -> str:
        page = login(person).get("/o/acme/briefings/").content.decode()
        found = re.search(r'data-testid="none-yet">(.*?)</p>', page, re.S)
        assert found, page
        return found.group(1)

    said = none_yet(cast.member)
    assert "e-mailed to team leads and admins by default, and you are neither" in said
    assert 'href="/o/acme/rhythm/settings/#briefing"' in said
    assert "first full week" not in said
    services.set_schedule(cast.org, cast.member, cast.member, enabled=True, weekday=2, hour=7)
    assert "the first one is e-mailed to you on Wednesday at 07:00" in none_yet(cast.member)
    services.set_schedule(cast.org, cast.admin, cast.admin, enabled=False)
    assert "you turned the weekly e-mail off" in none_yet(cast.admin)


def test_a_briefings_page_links_to_the_readers_stored_weeks_before_and_after(db, clock):
    """A briefing's page had only the "My briefings" crumb, no way to the week before."""
    s = build_story(clock)
    org, admin = s.w.org, s.w.admin
    w02, w03 = (
        services.build_on_request(org, compose.parse_week(label), person=admin)
        for label in ("2026-W02", WEEK)
    )
    other = services.build_on_request(org, compose.parse_week("2026-W01"), person=s.w["Web"].lead)
    client = signed_in(admin)

    def weeks(briefing) -> str:
        page = client.get(f"/o/brief/briefings/{briefing.pk}/").content.decode()
        found = re.search(r'data-testid="weeks">(.*?)</nav>', page, re.S)
        return found.group(1) if found else ""

    newest = weeks(w03)
    assert f'href="/o/brief/briefings/{w02.pk}/" rel="prev">← Week of 5\u201311 Jan 2026<' in newest
    assert 'rel="next"' not in newest
    oldest = weeks(w02)
    assert (
        f'href="/o/brief/briefings/{w03.pk}/" rel="next">Week of 12\u201318 Jan 2026 →<' in oldest
    )
    assert 'rel="prev"' not in oldest  # another reader's week before is not the admin's
    assert f"/briefings/{other.pk}/" not in oldest


def test_a_teams_briefing_says_its_meetings_in_the_readers_zone_and_links_its_weeks(db, clock):
    """A team's briefing (built in UTC) said "Coming up (times in UTC)" to a reader in
    Berlin, whose own briefing says Berlin's times."""
    s = build_story(clock)
    org, plat = s.w.org, s.w["Platform"]
    org_services.update_person(org, None, plat.lead, timezone="Europe/Berlin")
    _w02, w03 = (
        services.build_on_request(org, compose.parse_week(label), team=plat.team)
        for label in ("2026-W02", WEEK)
    )
    stored = "\n".join(i["text"] for sec in w03.content["sections"] for i in sec["items"])
    assert "Platform sync: Mon 19 Jan 2026 at 10:00." in stored  # as the chat summary says
    client = signed_in(plat.lead)
    page = client.get(f"/o/brief/briefings/teams/{plat.team.pk}/?week={WEEK}").content.decode()
    assert "Coming up (times in Europe/Berlin)" in page and "times in UTC" not in page
    assert "Platform sync: Mon 19 Jan 2026 at 11:00." in page
    assert "at 10:00." not in page
    assert "Monday to Sunday in UTC" in page
    url = f"/o/brief/briefings/teams/{plat.team.pk}/"
    assert f'href="{url}?week=2026-W02" rel="prev">← Week of 5\u201311 Jan 2026<' in page
    older = client.get(f"{url}?week=2026-W02").content.decode()
    assert f'href="{url}?week={WEEK}" rel="next">Week of 12\u201318 Jan 2026 →<' in older
    assert client.get(f"{url}?week=2025-W40").status_code == 404
    # A reader in UTC reads it as stored.
    page = signed_in(s.w.admin).get(f"{url}?week={WEEK}").content.decode()
    assert "Coming up (times in UTC)" in page and "Platform sync: Mon 19 Jan 2026 at 10:00." in page
