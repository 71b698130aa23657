"""The rhythm API: same validation as the forms, scoped to the token's organization."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accord.activity.models import Event
from accord.decisions.models import Decision
from accord.rhythm import queries, services
from accord.rhythm.models import Cadence, MeasurableValue
from tests.conftest import api_client


def test_it_creates_a_cadence_from_a_template_and_lists_occurrences(cast):
    client = api_client(cast.leader)
    r = client.post(
        "/api/v1/rhythm/cadences",
        {
            "template": "weekly-sync",
            "team_id": cast.platform.pk,
            "timezone": "Europe/Berlin",
            "start_date": "2026-10-01",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["rrule"] == "FREQ=WEEKLY;BYDAY=MO" and body["timezone"] == "Europe/Berlin"
    occ = client.get(
        f"/api/v1/rhythm/cadences/{body['id']}/occurrences",
        {"start": "2026-10-19T00:00:00Z", "end": "2026-11-03T00:00:00Z", "tz": "America/New_York"},
    ).json()
    assert [o["start"] for o in occ] == [
        "2026-10-19T08:00:00Z",
        "2026-10-26T09:00:00Z",
        "2026-11-02T09:00:00Z",
    ]
    assert [o["local_start"][11:16] for o in occ] == ["04:00", "05:00", "04:00"]


def test_it_refuses_an_invalid_rule_or_zone_and_changes_nothing(cast):
    client = api_client(cast.leader)
    events = Event.objects.count()
    for payload, field in (
        (
            {
                "name": "X",
                "rrule": "FREQ=WEEKLY;BYDAY=XX",
                "time": "10:00",
                "team_id": cast.platform.pk,
            },
            "rrule",
        ),
        (
            {
                "name": "X",
                "rrule": "FREQ=WEEKLY",
                "time": "10:00",
                "team_id": cast.platform.pk,
                "timezone": "Nowhere/City",
            },
            "timezone",
        ),
        (
            {"name": "X", "rrule": "FREQ=WEEKLY", "time": "10:00", "team_id": cast.other_team.pk},
            "team_id",
        ),
    ):
        r = client.post("/api/v1/rhythm/cadences", payload, content_type="application/json")
        assert r.status_code == 422, r.content
        assert field in r.json()["error"]["fields"]
    assert Cadence.objects.count() == 0
    assert Event.objects.count() == events


def test_a_check_in_through_the_api_for_someone_elses_key_result_is_refused(cast, rhythm):
    from accord.alignment import services as alignment

    period = alignment.create_period(
        cast.org,
        None,
        name="Q",
        start=dt.date(2026, 10, 1),
        end=dt.date(2027, 3, 31),
        state="active",
    )
    obj = alignment.create_objective(
        cast.org, None, title="O", period=period, team=cast.platform, owner=cast.leader
    )
    kr = alignment.create_key_result(cast.org, None, obj, name="K", target=10, owner=cast.leader)
    services.update_cadence(cast.org, None, rhythm.checkin, window_opens_hours=8 * 24)
    occ = queries.next_occurrence(rhythm.checkin, timezone.now())
    url = f"/api/v1/rhythm/cadences/{rhythm.checkin.pk}/occurrences/{occ.key}/checkin"
    r = api_client(cast.member).post(
        url, {"key_results": {str(kr.pk): 5}}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_yours"
    r = api_client(cast.leader).post(
        url, {"key_results": {str(kr.pk): 5}, "highlights": "ok"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["status"] == "on_time"
    kr.refresh_from_db()
    assert kr.current == 5


def test_a_meeting_runs_through_the_api(cast, rhythm):
    client = api_client(cast.leader)
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    m = client.post(
        f"/api/v1/rhythm/cadences/{rhythm.sync.pk}/occurrences/{occ.key}/meeting"
    ).json()
    started = client.post(f"/api/v1/rhythm/meetings/{m['id']}/start?early=true").json()
    assert started["status"] == "running" and len(started["agenda"]) == len(rhythm.sync.agenda)
    client.post(
        f"/api/v1/rhythm/meetings/{m['id']}/notes",
        {"section": "issues", "text": "n"},
        content_type="application/json",
    )
    a = client.post(
        f"/api/v1/rhythm/meetings/{m['id']}/action-items",
        {"title": "Do it", "owner_id": cast.member.pk},
        content_type="application/json",
    )
    assert a.status_code == 201
    d = client.post(
        f"/api/v1/rhythm/meetings/{m['id']}/decisions",
        {
            "question": "Ship Friday?",
            "approver_id": cast.leader.pk,
            "outcome": "Yes",
            "rationale": "The fix is tested",
        },
        content_type="application/json",
    )
    assert d.status_code == 201 and d.json()["status"] == "decided"
    done = client.post(
        f"/api/v1/rhythm/meetings/{m['id']}/finish",
        {"ratings": {str(cast.leader.pk): 7}},
        content_type="application/json",
    ).json()
    assert done["status"] == "finished" and done["average_rating"] == 7.0
    assert done["action_item_ids"] == [a.json()["id"]] and done["notes"] == {"issues": "n"}
    assert done["decision_ids"] == [d.json()["id"]]
    bad = client.post(
        f"/api/v1/rhythm/meetings/{m['id']}/notes",
        {"section": "issues", "text": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_a_decision_taken_in_a_meeting_through_the_api_needs_its_rationale(cast, rhythm):
    from tests.decisions.helpers import counts

    client = api_client(cast.leader)
    occ = queries.next_occurrence(rhythm.sync, timezone.now())
    m = services.open_meeting(cast.org, cast.leader, rhythm.sync, occ.original_start)
    m = services.start_meeting(cast.org, cast.leader, m, early=True)
    url = f"/api/v1/rhythm/meetings/{m.pk}/decisions"
    body = {"question": "Ship Friday?", "approver_id": cast.leader.pk, "outcome": "Yes"}
    before = counts(cast.org)
    for rationale in ("", "  "):
        r = client.post(url, {**body, "rationale": rationale}, content_type="application/json")
        assert r.status_code == 422
        error = r.json()["error"]
        assert error["code"] == "rationale_required" and "rationale" in error["message"]
        assert error["fields"] == {"rationale": ["Say why this outcome: the record keeps it."]}
    assert counts(cast.org) == before  # no decision, no event
    r = client.post(url, {**body, "rationale": "Tested"}, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "decided"
    assert Decision.objects.get(pk=r.json()["id"]).rationale == "Tested"
    # Another approver's decision waits for them: no rationale asked of the room.
    r = client.post(url, {**body, "approver_id": cast.admin.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["status"] == "open"


def test_a_system_pushes_scorecard_values(cast):
    m = services.create_measurable(
        cast.org, None, team=cast.platform, name="Signups", goal_rule="at_least", goal_low=100
    )
    client = api_client(cast.leader)
    r = client.put(
        f"/api/v1/rhythm/measurables/{m.pk}/values",
        {"week": "2026-11-05", "value": 120},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["week_start"] == "2026-11-02"
    client.put(
        f"/api/v1/rhythm/measurables/{m.pk}/values",
        {"week": "2026-11-02", "value": 90},
        content_type="application/json",
    )
    assert list(MeasurableValue.objects.values_list("value", flat=True)) == [90]
    assert (
        api_client(cast.outsider)
        .put(
            f"/api/v1/rhythm/measurables/{m.pk}/values",
            {"week": "2026-11-02", "value": 1},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    assert (
        api_client(cast.viewer)
        .put(
            f"/api/v1/rhythm/measurables/{m.pk}/values",
            {"week": "2026-11-02", "value": 1},
            content_type="application/json",
        )
        .status_code
        == 403
    )


def test_another_organization_sees_no_cadences(cast, rhythm):
    client = api_client(cast.outsider)
    assert client.get("/api/v1/rhythm/cadences").json()["count"] == 0
    assert client.get(f"/api/v1/rhythm/cadences/{rhythm.sync.pk}").status_code == 404
