"""A key result's current value is its latest recorded value by date (ties: the latest
recorded), however the value comes in: a value dated before the newest one joins the history
at its date and leaves the current value, progress and the stored roll-ups as they are (the
same rule as voiding a value); one dated after the newest becomes current."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from accord.activity.models import Event
from accord.alignment import rollups
from accord.alignment import services as s
from accord.alignment.models import KeyResult, KeyResultValue, Objective
from accord.core.errors import ServiceError
from tests.conftest import api_client, login

DAY = dt.timedelta(days=1)


@pytest.fixture
def velocity(cast, plan) -> KeyResult:
    """Velocity of Platform's objective, 10 → 50 points: 42 recorded two days ago."""
    kr = s.create_key_result(
        cast.org,
        None,
        plan.platform_obj,
        name="Velocity",
        unit="points",
        start=10,
        target=50,
        at=timezone.now() - 30 * DAY,
    )
    s.record_key_result_value(cast.org, cast.member, kr, 42, at=timezone.now() - 2 * DAY)
    kr.refresh_from_db()
    return kr


def _url(kr, rest: str = "") -> str:
    return f"/o/acme/alignment/key-results/{kr.pk}/{rest}"


def _latest(kr) -> KeyResultValue:
    return KeyResultValue.objects.filter(key_result=kr).latest("recorded_at", "id")


def test_a_back_dated_value_joins_the_history_and_leaves_the_current_value(cast, velocity):
    before = (velocity.current, velocity.progress, velocity.version)
    nine_days_ago = timezone.now() - 9 * DAY
    entry = s.record_key_result_value(cast.org, cast.member, velocity, 30, at=nine_days_ago)
    velocity.refresh_from_db()
    assert (velocity.current, velocity.progress, velocity.version) == before == (42, 80.0, 2)
    # Kept in the history at its date, before the newest.
    history = list(
        KeyResultValue.objects.filter(key_result=velocity).values_list("value", "recorded_at")
    )
    assert (30, nine_days_ago) in history and _latest(velocity).value == 42
    assert entry.newer is not None and entry.newer.value == 42
    # Its event says it is back-dated: the value, its day, and the current value unchanged.
    event = Event.objects.filter(verb="value_recorded", target_id=str(velocity.pk)).latest("id")
    assert event.after["value"] == 30
    assert event.after["as_of"] == timezone.localdate(nine_days_ago).isoformat()
    assert event.after["current"] == event.before["current"] == 42


def test_a_value_dated_after_the_newest_becomes_current(cast, velocity):
    # Today's, by day: after the newest, so current.
    entry = s.record_key_result_value(
        cast.org, cast.member, velocity, 45, as_of=timezone.localdate()
    )
    velocity.refresh_from_db()
    assert velocity.current == 45 and entry.newer is None
    # Yesterday's (between the 42 and today's 45): history only.
    s.record_key_result_value(cast.org, cast.member, velocity, 44, as_of=timezone.localdate() - DAY)
    velocity.refresh_from_db()
    assert velocity.current == 45
    # A tie on the moment goes to the one recorded last.
    newest = _latest(velocity)
    s.record_key_result_value(cast.org, cast.member, velocity, 46, at=newest.recorded_at)
    velocity.refresh_from_db()
    assert velocity.current == 46
    # Voiding the newest falls back to the latest by date, which recording also follows.
    kr = s.void_key_result_value(cast.org, None, _latest(velocity))
    assert kr.current == 45


def test_a_back_dated_milestone_value_leaves_it_as_it_is(cast, plan):
    kr = s.create_key_result(cast.org, None, plan.platform_obj, name="Launched", is_milestone=True)
    s.record_key_result_value(cast.org, None, kr, 0, at=timezone.now() - DAY)
    s.record_key_result_value(cast.org, None, kr, 1, at=timezone.now() - 5 * DAY)
    kr.refresh_from_db()
    assert not kr.done and kr.current == 0


def test_a_day_after_today_is_refused_and_changes_nothing(cast, velocity):
    count = KeyResultValue.objects.filter(key_result=velocity).count()
    with pytest.raises(ServiceError) as refused:
        s.record_key_result_value(
            cast.org, cast.member, velocity, 48, as_of=timezone.localdate() + DAY
        )
    assert refused.value.code == "future_date" and "as_of" in refused.value.fields
    assert KeyResultValue.objects.filter(key_result=velocity).count() == count


def test_the_unusual_value_check_holds_for_a_back_dated_value(cast, velocity):
    with pytest.raises(ServiceError) as refused:
        s.record_key_result_value(
            cast.org,
            cast.member,
            velocity,
            4200,
            as_of=timezone.localdate() - 9 * DAY,
            check_unusual=True,
        )
    assert refused.value.code == "unusual_value"
    s.record_key_result_value(
        cast.org,
        cast.member,
        velocity,
        30,
        as_of=timezone.localdate() - 9 * DAY,
        check_unusual=True,
    )


def test_the_stored_roll_ups_stay_with_the_current_value(cast, plan, velocity):
    company = Objective.objects.get(pk=plan.company.pk).rollup_progress
    platform = Objective.objects.get(pk=plan.platform_obj.pk).rollup_progress
    s.record_key_result_value(cast.org, cast.member, velocity, 10, at=timezone.now() - 9 * DAY)
    assert Objective.objects.get(pk=plan.company.pk).rollup_progress == company
    assert Objective.objects.get(pk=plan.platform_obj.pk).rollup_progress == platform
    stored = dict(Objective.objects.for_org(cast.org).values_list("id", "rollup_progress"))
    for oid, (progress, _covered, _orphaned) in rollups.computed(cast.org.pk).items():
        assert stored[oid] == pytest.approx(progress)


def test_the_page_says_a_back_dated_value_went_into_the_history(cast, velocity):
    client = login(cast.member)
    page = client.get(_url(velocity)).content.decode()
    assert 'name="as_of"' in page and 'type="date"' in page
    day = timezone.localdate() - 9 * DAY
    done = client.post(
        _url(velocity, "value/"),
        {"value": "30", "as_of": day.isoformat(), "next": _url(velocity)},
        follow=True,
    )
    body = done.content.decode()
    assert done.status_code == 200
    assert f"recorded for {day.day} {day:%b %Y} in its history" in body
    newest = timezone.localdate() - 2 * DAY
    assert f"the current value stays 42 points ({newest.day} {newest:%b %Y})" in body
    velocity.refresh_from_db()
    assert velocity.current == 42
    assert KeyResultValue.objects.filter(key_result=velocity, value=30).exists()
    # A day after today: refused, said, nothing recorded.
    later = client.post(
        _url(velocity, "value/"),
        {"value": "31", "as_of": (timezone.localdate() + DAY).isoformat(), "next": "/x/"},
        follow=True,
    )
    assert "cannot be dated after today" in later.content.decode()
    assert not KeyResultValue.objects.filter(key_result=velocity, value=31).exists()
    # Today's: the current value, as before.
    client.post(_url(velocity, "value/"), {"value": "44", "as_of": timezone.localdate()})
    velocity.refresh_from_db()
    assert velocity.current == 44


def test_the_api_records_a_back_dated_value_in_the_history(cast, velocity):
    api = api_client(cast.member)
    url = f"/api/v1/key-results/{velocity.pk}/values"
    day = (timezone.localdate() - 9 * DAY).isoformat()
    back = api.post(url, json.dumps({"value": 30, "as_of": day}), content_type="application/json")
    assert back.status_code == 201 and back.json()["current"] == 42
    history = api.get(url).json()["items"]
    assert [v["value"] for v in history] == [42, 30, 10]  # newest first, by date
    assert history[1]["recorded_at"][:10] == day
    now = api.post(url, json.dumps({"value": 44}), content_type="application/json")
    assert now.status_code == 201 and now.json()["current"] == 44
    later = (timezone.localdate() + DAY).isoformat()
    refused = api.post(
        url, json.dumps({"value": 45, "as_of": later}), content_type="application/json"
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "future_date"
