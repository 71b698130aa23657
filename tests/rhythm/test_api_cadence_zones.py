"""Through the API, a cadence created without a `timezone` meets in its creator's zone (as
the form starts from theirs), not UTC; and each occurrence says the zone of its `date` (the
cadence's, `cadence_timezone`) beside the zone of its `local_start` (the reader's)."""

from __future__ import annotations

import datetime as dt

from accord.org.models import Person
from tests.conftest import api_client


def _in_zone(person, zone: str):
    Person.objects.filter(pk=person.pk).update(timezone=zone)
    person.refresh_from_db()
    return person


def _create(client, **fields):
    return client.post(
        "/api/v1/rhythm/cadences",
        {
            "name": "Thursday review",
            "rrule": "FREQ=WEEKLY;BYDAY=TH",
            "time": "16:00",
            "scope": "org",
            "start_date": "2026-12-01",
            **fields,
        },
        content_type="application/json",
    )


def test_a_cadence_created_without_a_zone_meets_in_its_creators(cast):
    leader = _in_zone(cast.leader, "Europe/Berlin")
    response = _create(api_client(leader))
    assert response.status_code == 201, response.content
    assert response.json()["timezone"] == "Europe/Berlin"
    given = _create(api_client(leader), name="Tokyo review", timezone="Asia/Tokyo")
    assert given.json()["timezone"] == "Asia/Tokyo"


def test_an_occurrence_says_the_zone_of_its_date_and_of_its_local_start(cast):
    leader = _in_zone(cast.leader, "Europe/Berlin")
    cadence = _create(api_client(leader)).json()
    reader = _in_zone(cast.member, "Australia/Sydney")
    occurrences = api_client(reader).get(
        f"/api/v1/rhythm/cadences/{cadence['id']}/occurrences",
        {"start": "2026-12-01T00:00:00Z", "end": "2026-12-08T00:00:00Z"},
    )
    assert occurrences.status_code == 200, occurrences.content
    [occ] = occurrences.json()
    # Thursday 16:00 in Berlin is Friday 02:00 in Sydney.
    assert occ["date"] == "2026-12-03" and occ["cadence_timezone"] == "Europe/Berlin"
    assert (
        occ["local_start"].startswith("2026-12-04T02:00") and occ["timezone"] == "Australia/Sydney"
    )
    assert dt.datetime.fromisoformat(occ["start"]) == dt.datetime(2026, 12, 3, 15, tzinfo=dt.UTC)
