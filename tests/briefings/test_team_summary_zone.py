"""A team's weekly chat summary is scheduled on a day and hour in a time zone chosen with
them (first the chooser's own): Monday 09:00 in Berlin posts at 08:00 UTC in winter and
07:00 UTC in summer, and never before the UTC week it sums up is over."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accord.activity import delivery
from accord.briefings import queries, services
from accord.briefings.models import BriefingSchedule
from accord.org.models import Person
from tests.briefings.test_delivery import clock, run_worker  # noqa: F401  (clock: a fixture)
from tests.conftest import api_client, login
from tests.intelligence.world import build_org
from tests.rhythm.servers import good_hook, smtp  # noqa: F401  (fixtures)

UTC = dt.UTC


def _schedule(zone: str, weekday: int = 0, hour: int = 9) -> BriefingSchedule:
    return BriefingSchedule(team_id=1, weekday=weekday, hour=hour, timezone=zone)


@pytest.mark.parametrize(
    ("week_end", "zone", "weekday", "hour", "due"),
    [
        # Monday 09:00 in Berlin: 08:00 UTC in winter, 07:00 UTC in summer.
        (dt.datetime(2026, 1, 19, tzinfo=UTC), "Europe/Berlin", 0, 9, (2026, 1, 19, 8)),
        (dt.datetime(2026, 6, 22, tzinfo=UTC), "Europe/Berlin", 0, 9, (2026, 6, 22, 7)),
        # Monday 08:00 in Sydney is still Sunday in UTC: as the week ends.
        (dt.datetime(2026, 6, 22, tzinfo=UTC), "Australia/Sydney", 0, 8, (2026, 6, 22, 0)),
        (dt.datetime(2026, 6, 22, tzinfo=UTC), "Australia/Sydney", 1, 8, (2026, 6, 22, 22)),
        (dt.datetime(2026, 6, 22, tzinfo=UTC), "UTC", 2, 17, (2026, 6, 24, 17)),
    ],
)
def test_a_teams_summary_is_due_at_its_hour_in_its_zone(week_end, zone, weekday, hour, due):
    at = queries.due_at(week_end, _schedule(zone, weekday, hour))
    assert at == dt.datetime(*due, tzinfo=UTC)


def test_a_team_chooses_berlin_and_gets_it_at_nine_there(db, clock, smtp, good_hook):  # noqa: F811
    clock.at(dt.date(2026, 1, 5), 9)
    w = build_org("chat", {"Platform": 2, "Web": 2}, checkins=False)
    for p in (w.admin, w["Platform"].lead, w["Web"].lead):
        services.set_schedule(w.org, p, p, enabled=False)
    delivery.add_chat_webhook(w.org, None, w["Web"].team, url=good_hook.url, flavor="slack")
    services.set_team_schedule(
        w.org, None, w["Web"].team, enabled=True, weekday=0, hour=9, timezone_name="Europe/Berlin"
    )
    run_worker(dt.datetime(2026, 1, 19, 7, 59, tzinfo=UTC))
    assert good_hook.posts == []
    run_worker(dt.datetime(2026, 1, 19, 8, 0, tzinfo=UTC))
    [post] = good_hook.posts
    assert post["text"].startswith("Web: the week of 12\u201318 Jan 2026")


def test_the_page_and_the_api_choose_the_zone(cast):
    Person.objects.filter(pk=cast.admin.pk).update(timezone="America/New_York")
    cast.admin.refresh_from_db()
    url = f"/o/acme/briefings/teams/{cast.platform.pk}/"
    page = login(cast.admin).get(url).content.decode()
    assert '<option value="America/New_York" selected>' in page  # first the chooser's own
    response = login(cast.admin).post(
        url, {"enabled": "on", "weekday": "0", "hour": "9", "timezone": "Asia/Tokyo"}
    )
    assert response.status_code == 302
    s = BriefingSchedule.objects.get(team=cast.platform)
    assert (s.weekday, s.hour, s.timezone) == (0, 9, "Asia/Tokyo")
    shown = login(cast.member).get(url).content.decode()
    assert "Posted every Monday at 09:00 Asia/Tokyo." in shown

    client = api_client(cast.admin)
    api = f"/api/v1/teams/{cast.platform.pk}/briefing-schedule"
    ok = client.patch(api, json.dumps({"timezone": "europe/berlin"}), "application/json")
    assert ok.status_code == 200 and ok.json()["timezone"] == "Europe/Berlin", ok.content
    refused = client.patch(api, json.dumps({"timezone": "EST", "hour": 7}), "application/json")
    assert refused.status_code == 422 and "America/New_York" in refused.json()["error"]["message"]
    s.refresh_from_db()
    assert (s.hour, s.timezone) == (9, "Europe/Berlin")


def test_set_first_through_the_api_it_is_in_the_token_persons_zone(cast):
    Person.objects.filter(pk=cast.admin.pk).update(timezone="Australia/Sydney")
    cast.admin.refresh_from_db()
    ok = api_client(cast.admin).patch(
        f"/api/v1/teams/{cast.platform.pk}/briefing-schedule",
        json.dumps({"enabled": True, "hour": 8}),
        "application/json",
    )
    assert ok.status_code == 200 and ok.json()["timezone"] == "Australia/Sydney"
