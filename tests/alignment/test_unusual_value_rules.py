"""A value that looks like a slip is asked about before it is recorded, saying why: one
below zero where every value so far was zero or more (-1 hours of median first response),
and one that would move progress by more than half the way in one step (12 typed for
1.2: 84 % to 0 %), besides one far outside what the key result has known. Ordinary values
(2.5 hours after 2.9) are not questioned. The one check serves the key result's page,
home's update box, a check-in, the API and MCP."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from accord.alignment import services as s
from accord.alignment.models import Direction, KeyResult, KeyResultValue
from accord.core.errors import ServiceError
from accord.rhythm.models import CheckIn
from tests.conftest import api_client, login
from tests.rhythm.conftest import check_in_owed, error_beside, rhythm  # noqa: F401 (fixture)

BELOW_ZERO = "below zero, while every value so far is zero or more"
JUMP = "would move progress from 84% to 0% in one step"


def _reported(cast, kr, values=(5.0, 3.6, 2.9)) -> KeyResult:
    """`kr` with its values reported one after another, as weeks of check-ins do."""
    for value in values:
        s.record_key_result_value(cast.org, cast.member, kr, value)
    kr.refresh_from_db()
    return kr


@pytest.fixture
def response(cast, plan) -> KeyResult:
    """Median first response, in hours, down from 7.5 to 2; 2.9 now (84 %)."""
    kr = s.create_key_result(
        cast.org,
        None,
        plan.platform_obj,
        name="Median first response",
        unit="hours",
        direction=Direction.DECREASE,
        start=7.5,
        target=2,
        owner=cast.member,
    )
    kr = _reported(cast, kr)
    assert round(kr.progress) == 84
    return kr


# --- the rules, through the service ------------------------------------------------------


def test_ordinary_values_are_not_questioned(response):
    for value in (2.5, 3.4, 2, 1.8, 4.5):  # better, a bad week, the target, past it
        assert s.unusual_value(response, value) == "", value


def test_a_value_below_zero_where_every_value_was_zero_or_more(cast, response):
    said = s.unusual_value(response, -1)
    assert f"-1 hours for Median first response is {BELOW_ZERO}" in said
    with pytest.raises(ServiceError) as refused:
        s.record_key_result_value(cast.org, cast.member, response, -1, check_unusual=True)
    assert refused.value.code == "unusual_value" and BELOW_ZERO in refused.value.message
    response.refresh_from_db()
    assert response.current == 2.9
    # Confirmed, it is recorded; once a value below zero is known, another is no slip.
    s.record_key_result_value(cast.org, cast.member, response, -1)
    response.refresh_from_db()
    assert response.current == -1
    s.record_key_result_value(cast.org, cast.member, response, 2.9)
    response.refresh_from_db()
    assert s.unusual_value(response, -0.5) == ""


def test_the_mirror_a_value_above_zero_where_every_value_was_zero_or_less(cast, plan):
    kr = s.create_key_result(
        cast.org, None, plan.platform_obj, name="Net cash flow", unit="k€", start=-40, target=0
    )
    kr = _reported(cast, kr, (-30, -25))
    said = s.unusual_value(kr, 5)
    assert "5 k€ for Net cash flow is above zero, while every value so far is zero or less" in said
    assert s.unusual_value(kr, -20) == "" and s.unusual_value(kr, -10) == ""


def test_a_value_taking_progress_back_more_than_half_the_way_in_one_step(cast, response):
    said = s.unusual_value(response, 12)  # a slip for 1.2
    assert f"12 hours for Median first response {JUMP}" in said
    assert "its latest value, 2.9 hours" in said
    with pytest.raises(ServiceError) as refused:
        s.record_key_result_value(cast.org, cast.member, response, 12, check_unusual=True)
    assert refused.value.code == "unusual_value" and JUMP in refused.value.message
    response.refresh_from_db()
    assert response.current == 2.9 and round(response.progress) == 84
    # A big step forward is good news, not a slip: from 5.5 hours (36 %), 2 (100 %).
    s.record_key_result_value(cast.org, cast.member, response, 5.5)
    response.refresh_from_db()
    assert s.unusual_value(response, 2) == ""
    assert s.unusual_value(response, 3.5) == ""


def test_a_value_filling_in_history_is_not_a_step_back(cast, response):
    """Dated before the latest value, it moves no progress (the later value stays
    current): 6 hours three days ago is history, not 84 % to 27 %."""
    from django.utils import timezone

    earlier = timezone.now() - dt.timedelta(days=3)
    assert s.unusual_value(response, 6) != ""  # today it would take progress back
    assert s.unusual_value(response, 6, at=earlier) == ""
    s.record_key_result_value(cast.org, cast.member, response, 6, at=earlier, check_unusual=True)
    response.refresh_from_db()
    assert response.current == 2.9
    # A slip is still a slip on any day: below zero, three days ago.
    assert "below zero" in s.unusual_value(response, -1, at=earlier)


def test_the_first_value_reported_may_cover_the_way(cast, plan):
    """Its first report after the value it was set up with is not a step from a latest
    value: an increase from 0 to 100 may first report 80."""
    kr = s.create_key_result(
        cast.org, None, plan.platform_obj, name="Stores live", start=0, target=100
    )
    assert s.unusual_value(kr, 80) == ""
    kr = _reported(cast, kr, (80,))
    assert "from 80% to 10% in one step" in s.unusual_value(kr, 10)


def test_levels_and_milestones_jump_by_nature(cast, plan, availability):
    incidents = s.create_key_result(
        cast.org,
        None,
        plan.platform_obj,
        name="Open incidents",
        direction=Direction.BELOW,
        start=3,
        target=5,
    )
    incidents = _reported(cast, incidents, (2, 4))
    assert incidents.progress == 100
    assert s.unusual_value(incidents, 7) == ""  # 100 % to 0 %: a level lost, no slip
    availability.refresh_from_db()
    assert s.unusual_value(availability, 60) == ""  # a bad day, not a slip
    launched = s.create_key_result(
        cast.org, None, plan.platform_obj, name="Launched", is_milestone=True
    )
    assert s.unusual_value(launched, 1) == "" and s.unusual_value(launched, 0) == ""


def test_a_value_far_outside_the_known_numbers_is_still_asked_about(cast, plan):
    incidents = s.create_key_result(
        cast.org,
        None,
        plan.platform_obj,
        name="Open incidents",
        direction=Direction.BELOW,
        start=3,
        target=5,
    )
    incidents = _reported(cast, incidents, (2, 4))
    assert "40 is far outside what Open incidents has known" in s.unusual_value(incidents, 40)


# --- the same check where values are recorded -------------------------------------------


def test_the_api_says_why_and_wants_confirm(cast, response):
    api = api_client(cast.member)
    url = f"/api/v1/key-results/{response.pk}/values"
    for value, why in ((-1, BELOW_ZERO), (12, JUMP)):
        refused = api.post(url, json.dumps({"value": value}), content_type="application/json")
        assert refused.status_code == 422
        error = refused.json()["error"]
        assert error["code"] == "unusual_value" and why in error["message"]
        assert error["message"].endswith('send it again with "confirm": true to record it anyway.')
        assert "tick the box" not in error["message"]
    response.refresh_from_db()
    assert response.current == 2.9
    ok = api.post(url, json.dumps({"value": 12, "confirm": True}), content_type="application/json")
    assert ok.status_code == 201 and ok.json()["current"] == 12


def test_homes_update_box_asks_before_moving_progress_from_84_to_0(cast, response):
    client = login(cast.member)
    row = client.post(
        f"/o/acme/alignment/key-results/{response.pk}/value/",
        {"value": "12", "row": "my_kr_row", "next": "/o/acme/"},
        headers={"HX-Request": "1"},
    )
    body = row.content.decode()
    assert row.status_code == 200 and "HX-Trigger" not in row
    assert JUMP in body and "tick the box to record it anyway" in body
    assert 'name="record_anyway"' in body and 'value="12"' in body
    response.refresh_from_db()
    assert response.current == 2.9
    assert not KeyResultValue.objects.filter(key_result=response, value=12).exists()
    # An ordinary value goes straight in.
    row = client.post(
        f"/o/acme/alignment/key-results/{response.pk}/value/",
        {"value": "2.5", "row": "my_kr_row", "next": "/o/acme/"},
        headers={"HX-Request": "1"},
    )
    assert row.status_code == 200 and "HX-Trigger" in row
    response.refresh_from_db()
    assert response.current == 2.5


def test_a_check_in_asks_before_recording_minus_one(cast, rhythm):  # noqa: F811
    kr, url = check_in_owed(
        cast, rhythm, name="Median first response", unit="hours", direction="decrease",
        start=7.5, target=2,
    )  # fmt: skip
    kr = _reported(cast, kr)
    client = login(cast.member)
    refused = client.post(url, {"highlights": "Queue cleared", f"kr_{kr.pk}": "-1"})
    assert refused.status_code == 422
    assert BELOW_ZERO in error_beside(refused.content.decode(), f"kr_{kr.pk}")
    assert not CheckIn.objects.filter(person=cast.member).exists()
    assert KeyResult.objects.get(pk=kr.pk).current == 2.9
    ok = client.post(url, {"highlights": "Queue cleared", f"kr_{kr.pk}": "2.5"})
    assert ok.status_code == 302
    assert KeyResult.objects.get(pk=kr.pk).current == 2.5
