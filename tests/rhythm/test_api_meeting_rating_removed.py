"""Through the API, finishing a reopened meeting with `null` for a person takes their
rating away (the page's emptied box); a rating outside 1-10 is a 422 on that person's
rating and changes nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accord.activity.models import Event
from accord.rhythm import services
from accord.rhythm.models import Attendance, Meeting
from tests.conftest import api_client, at
from tests.rhythm.conftest import rhythm, utc  # noqa: F401 (fixture)

STARTS = utc(2026, 11, 9, 9, 0)  # the weekly sync, Monday 10:00 in Berlin
DURING = STARTS + dt.timedelta(minutes=20)


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def ratings(meeting) -> dict[int, int | None]:
    return dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "rating"))


def test_null_takes_a_rating_away_and_the_average_follows(cast, rhythm):  # noqa: F811
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    services.start_meeting(cast.org, cast.leader, m, now=STARTS)
    client = api_client(cast.leader)
    url = f"/api/v1/rhythm/meetings/{m.pk}"
    with at(DURING):
        r = post(client, url + "/finish", {"ratings": {cast.leader.pk: 8, cast.member.pk: 6}})
        assert r.status_code == 200, r.content
        assert r.json()["average_rating"] == 7.0
        assert post(client, url + "/reopen", {}).status_code == 200
        r = post(client, url + "/finish", {"ratings": {str(cast.leader.pk): None}})
    assert r.status_code == 200, r.content
    assert r.json()["average_rating"] == 6.0
    given = {a["person_id"]: a["rating"] for a in r.json()["attendance"]}
    assert given[cast.leader.pk] is None and given[cast.member.pk] == 6
    assert ratings(m) == {cast.leader.pk: None, cast.member.pk: 6}
    finished = Event.objects.filter(verb="finished", target_id=m.pk).order_by("pk").last()
    assert finished.after["ratings_removed"] == [cast.leader.pk]


@pytest.mark.parametrize("score", [0, 11])
def test_a_rating_outside_1_to_10_is_a_422_naming_it_and_changes_nothing(
    cast,
    rhythm,  # noqa: F811
    score,
):
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, STARTS)
    services.start_meeting(cast.org, cast.leader, m, now=STARTS)
    services.rate_meeting(cast.org, cast.member, m, "6")
    client = api_client(cast.leader)
    events = Event.objects.count()
    with at(DURING):
        r = post(
            client,
            f"/api/v1/rhythm/meetings/{m.pk}/finish",
            {"ratings": {cast.leader.pk: 8, cast.member.pk: score}},
        )
    assert r.status_code == 422, r.content
    error = r.json()["error"]
    assert error["code"] == "invalid"
    assert list(error["fields"]) == [f"ratings.{cast.member.pk}"], error
    assert Meeting.objects.get(pk=m.pk).status == "running"
    assert ratings(m) == {cast.leader.pk: None, cast.member.pk: 6}
    assert Event.objects.count() == events
